"""The load case of the hostile-server suite, side by side with the official SDK: one client shared by 32
threads making 100 calls each, and 1,000 concurrent calls of one async client, against a local keep-alive
server answering the same payment. Run in its own process by `run.py` (PYTHONPATH must hold the generated
`dodo_payments` and this folder). Prints one JSON object: wall seconds per case and client, and whether each
left file descriptors open.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import dodopayments
from dodo_payments import AsyncDodoPayments, DodoPayments
from percall import BODY

THREADS, CALLS, CONCURRENT = 32, 100, 1000


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real API

    def do_GET(self) -> None:  # noqa: N802 - the http.server interface
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the interface's name
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # the default 5 drops the SYNs of a pool opening 100 connections at once


def fds() -> int:
    return len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else -1


def threaded(make: Callable[[], object]) -> float:
    client = make()
    failures: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(CALLS):
                client.payments.retrieve("pay_1")  # type: ignore[attr-defined]
        except BaseException as exc:  # noqa: BLE001 - counted below
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    took = time.perf_counter() - started
    client.close()  # type: ignore[attr-defined]
    assert not failures, failures[:3]
    return took


def concurrent(make: Callable[[], object]) -> float:
    async def main() -> float:
        client = make()
        started = time.perf_counter()
        await asyncio.gather(*(client.payments.retrieve(f"pay_{i}") for i in range(CONCURRENT)))  # type: ignore[attr-defined]
        took = time.perf_counter() - started
        await client.close()  # type: ignore[attr-defined]
        return took

    return asyncio.run(main())


def main() -> None:
    server = _Server(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    results: dict[str, float | bool] = {}
    for name, sync, async_ in (
        (
            "ours",
            lambda: DodoPayments(bearer_token="b", base_url=url),
            lambda: AsyncDodoPayments(bearer_token="b", base_url=url),
        ),
        (
            "official",
            lambda: dodopayments.DodoPayments(bearer_token="b", base_url=url),
            lambda: dodopayments.AsyncDodoPayments(bearer_token="b", base_url=url),
        ),
    ):
        before = fds()
        results[f"{name}_threads"] = threaded(sync)
        results[f"{name}_async"] = concurrent(async_)
        results[f"{name}_leaked_fds"] = fds() > before
    server.shutdown()
    print(json.dumps(results))


if __name__ == "__main__":
    main()

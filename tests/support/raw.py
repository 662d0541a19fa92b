"""A raw-socket HTTP/1.1 server on 127.0.0.1, for faults that need byte-level control: a reset in the middle of
a body, a body trickled a byte at a time, a connection accepted and never answered.

    with RawServer(lambda n, request: ok_json({"id": "x"})) as server:   # n: the request's index
        ...
    server.requests  # the raw request heads and bodies, as they arrived

An answer is a list of steps: bytes to send, a float to sleep (cut short when the server stops), or RESET to
end the connection with a TCP reset. Every loop is bounded: connections time out, sleeps end on stop.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import TracebackType

__all__ = ["RESET", "RawRequest", "RawServer", "answer", "ok_json"]

RESET = object()
Step = bytes | float | object
MAX_REQUESTS_PER_CONNECTION = 10_000


@dataclass(frozen=True)
class RawRequest:
    method: str
    target: str
    headers: dict[str, str]  # lower-cased names
    body: bytes


def answer(status: int, body: bytes, headers: dict[str, str] | None = None) -> list[Step]:
    head = f"HTTP/1.1 {status} X\r\nContent-Length: {len(body)}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    return [head.encode() + b"\r\n" + body]


def ok_json(value: object, status: int = 200) -> list[Step]:
    return answer(status, json.dumps(value).encode(), {"Content-Type": "application/json"})


class RawServer:
    def __init__(self, respond: Callable[[int, RawRequest], Sequence[Step]]) -> None:
        self.respond = respond
        self.requests: list[RawRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        # A deep backlog: 100 connections opened at once must not have their SYNs dropped (a 1 s retry each).
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=1024)
        self._listener.settimeout(0.1)
        self._threads: list[threading.Thread] = []
        self._accepter = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.requests)

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(10.0)
        buffer = b""
        try:
            for _ in range(MAX_REQUESTS_PER_CONNECTION):
                request, buffer = _read_request(conn, buffer)
                if request is None:
                    return
                with self._lock:
                    index = len(self.requests)
                    self.requests.append(request)
                for step in self.respond(index, request):
                    if step is RESET:
                        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                        return
                    if isinstance(step, float):
                        if self._stopping.wait(step):
                            return
                    else:
                        conn.sendall(step)  # type: ignore[arg-type]
        except OSError:
            return
        finally:
            conn.close()

    def __enter__(self) -> RawServer:
        self._accepter.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, exc_tb: TracebackType | None
    ) -> None:
        self._stopping.set()
        self._listener.close()
        self._accepter.join(5)
        for thread in self._threads:
            thread.join(5)


def _read_request(conn: socket.socket, buffer: bytes) -> tuple[RawRequest | None, bytes]:
    while b"\r\n\r\n" not in buffer:
        chunk = conn.recv(65536)
        if not chunk:
            return None, b""
        buffer += chunk
        if len(buffer) > 1 << 20:
            return None, b""
    head, _, rest = buffer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None, b""
        rest += chunk
    return RawRequest(method, target, headers, rest[:length]), rest[length:]

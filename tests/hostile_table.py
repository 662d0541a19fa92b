"""The hostile-server cases side by side: the client sdkforge generates from Dodo 1.53.2 against the official SDK
(`dodopayments`, installed in the test venv), each pointed at the same raw-socket server on 127.0.0.1.

    .venv/bin/python -m tests.hostile_table          # prints a Markdown table

For each case and client: what the call gave (the result's type, or the exception's class), how many requests
reached the server, and the seconds it took. tests/test_hostile_server.py asserts the same cases for our
clients; this only reports. Needs ../shared (the Dodo spec).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import ROOT
from tests.support.raw import RESET, RawRequest, RawServer, Step, answer, ok_json
from tests.support.synth import Synth

SPEC = ROOT.parent / "shared" / "specs" / "dodopayments" / "dodo-1.53.2.yaml"
Respond = Callable[[int, RawRequest], Sequence[Step]]


def always(steps: Sequence[Step]) -> Respond:
    return lambda n, request: steps


def then(*answers: Sequence[Step]) -> Respond:
    return lambda n, request: answers[min(n, len(answers) - 1)]


def bodies() -> dict[str, dict[str, Any]]:
    """A valid answer for each call, from the spec's schemas."""
    document = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    synth = Synth(document)
    schemas = document["components"]["schemas"]
    names = {"get": "PaymentResponse", "product": "GetProductResponse", "post": "CreateOneTimePaymentResponse"}
    return {call: synth.value(schemas[name]) for call, name in names.items()}


def cases(valid: dict[str, dict[str, Any]]) -> list[tuple[str, str, Respond, dict[str, Any]]]:
    """(name, call, server behaviour, client options); calls: get (payments.retrieve), product (products.retrieve),
    post (payments.create), closed (payments.retrieve after close())."""
    payment, product = valid["get"], valid["product"]
    ok, created = ok_json(payment), ok_json(valid["post"])
    trickle: list[Step] = [b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"]
    for _ in range(100):
        trickle += [b" ", 0.1]
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
    missing = {k: v for k, v in payment.items() if k != "payment_id"}

    def redirect(status: int) -> Respond:
        def respond(n: int, request: RawRequest) -> Sequence[Step]:
            if request.target.startswith("/moved"):
                return created if request.method == "POST" else ok
            return answer(status, b"", {"Location": "/moved"})

        return respond

    html = {"Content-Type": "text/html"}
    return [
        ("reset before response", "get", always([RESET]), {}),
        ("reset mid-body", "get", always([head + b'{"pay', 0.05, RESET]), {}),
        ("accept and hang (timeout=1)", "get", always([20.0]), {"timeout": 1.0, "max_retries": 0}),
        ("trickled body (timeout=2)", "get", always(trickle), {"timeout": 2.0, "max_retries": 0}),
        ("malformed JSON", "get", always(answer(200, b'{"payment_id": ', {"Content-Type": "application/json"})), {}),
        ("HTML with 200", "get", always(answer(200, b"<html>hi</html>", html)), {}),
        ("HTML with 500", "get", always(answer(500, b"<html>down</html>", html)), {}),
        ("missing required field", "get", always(ok_json(missing)), {}),
        ("unknown enum value", "get", always(ok_json({**payment, "status": "requires_3ds_v3"})), {}),
        ("unknown union tag", "product", always(ok_json({**product, "price": {"type": "tiered_price"}})), {}),
        ("500 then 200", "get", then(answer(500, b""), ok), {}),
        ("429 Retry-After 0.2", "get", then(answer(429, b"", {"Retry-After": "0.2"}), ok), {}),
        ("429 Retry-After 1 day", "get", always(answer(429, b"", {"Retry-After": "86400"})), {"max_retries": 1}),
        ("503 forever", "get", always(answer(503, b"")), {}),
        ("POST 500 then 200", "post", then(answer(500, b""), created), {}),
        ("POST reset after sending", "post", then([RESET], created), {}),
        ("POST 503 + Retry-After then 200", "post", then(answer(503, b"", {"Retry-After": "0"}), created), {}),
        ("GET 301", "get", redirect(301), {}),
        ("GET 302", "get", redirect(302), {}),
        ("GET 307", "get", redirect(307), {}),
        ("GET 308", "get", redirect(308), {}),
        ("POST 301", "post", redirect(301), {}),
        ("POST 302", "post", redirect(302), {}),
        ("POST 307", "post", redirect(307), {}),
        ("POST 308", "post", redirect(308), {}),
        ("call after close", "closed", always(ok), {}),
    ]


def run(
    make_client: Callable[..., Any], call: str, respond: Respond, options: dict[str, Any]
) -> tuple[str, int, float]:
    with RawServer(respond) as server:
        client = make_client(base_url=server.url, **options)
        if call == "closed":
            client.close()
        started = time.monotonic()
        try:
            if call == "product":
                result: object = client.products.retrieve("prod_1")
            elif call == "post":
                result = client.payments.create(
                    billing={"country": "US"}, customer={"customer_id": "cus_1"}, product_cart=[]
                )
            else:
                result = client.payments.retrieve("pay_1")
            outcome = type(result).__name__
            if call == "product":
                outcome += f" (price: {type(result.price).__name__})"
            elif call in ("get", "post") and hasattr(result, "status"):
                outcome += f" (status: {result.status!r})" if result.status == "requires_3ds_v3" else ""
        except Exception as exc:  # noqa: BLE001 - the class is what the table reports
            outcome = type(exc).__name__ + ("" if _is_sdk_error(exc) else " (not an SDK error)")
        took = time.monotonic() - started
        client.close()
        return outcome, server.count, took


def _is_sdk_error(exc: Exception) -> bool:
    names = {c.__name__ for c in type(exc).__mro__}
    return "SDKError" in names or "DodoPaymentsError" in names


def main() -> int:
    if not SPEC.is_file():
        print(f"{SPEC} is absent: the table needs ../shared", file=sys.stderr)
        return 2
    warnings.simplefilter("ignore", DeprecationWarning)  # payments.create is deprecated in the spec
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch)
        subprocess.run(
            [sys.executable, "-m", "generator", "generate", str(SPEC), "--output", str(out)]
            + ["--package", "dodo_payments", "--overrides", "dodo_payments"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        sys.path.insert(0, str(out))
        import dodopayments  # the official SDK
        from dodo_payments import DodoPayments as Ours

        def ours(**options: Any) -> Any:
            return Ours(bearer_token="k", **options)

        def theirs(**options: Any) -> Any:
            return dodopayments.DodoPayments(bearer_token="k", **options)

        valid = bodies()
        print(f"| case | sdkforge (Dodo 1.53.2) | official dodopayments {dodopayments.__version__} |")
        print("|---|---|---|")
        for name, call, respond, options in cases(valid):
            cells = []
            for make in (ours, theirs):
                outcome, attempts, took = run(make, call, respond, options)
                cells.append(f"{outcome}; {attempts} req; {took:.2f} s")
            print(f"| {name} | {cells[0]} | {cells[1]} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Per-call overhead of a client, run in its own process by `run.py` (PYTHONPATH must hold the generated
`dodo_payments`). Prints one JSON object: microseconds per call for each contender.

All contenders send GET /payments/pay_1 through the same `httpx.MockTransport` handler, which answers the
same JSON bytes, and turn the body into a validated payment model: ours and the two bare baselines (parsing
with `json` then validating, or validating the bytes in pydantic-core) into the generated `PaymentResponse`,
the official SDK into its own `Payment`.
"""

from __future__ import annotations

import json
import statistics
import sys
import timeit
from collections.abc import Callable

import dodopayments
import httpx
from dodo_payments import DodoPayments
from dodo_payments.types import PaymentResponse

BASE_URL = "http://127.0.0.1:9"  # never contacted: every request goes to the MockTransport
# Required fields of both the 1.53.2 spec's PaymentResponse and the official SDK's (newer) Payment.
BODY = json.dumps(
    {
        "billing": {
            "city": "Berlin",
            "country": "DE",
            "state": "BE",
            "street": "Unter den Linden 1",
            "zipcode": "10117",
        },
        "brand_id": "brd_1",
        "business_id": "bus_1",
        "created_at": "2025-09-17T10:00:00Z",
        "currency": "EUR",
        "customer": {"customer_id": "cus_1", "email": "ada@example.com", "name": "Ada Lovelace"},
        "digital_products_delivered": False,
        "disputes": [],
        "includes_usage": False,
        "is_multi_subscription": False,
        "is_update_payment_method": False,
        "metadata": {"order": "42"},
        "payment_id": "pay_1",
        "payment_provider": "stripe",
        "product_cart": [{"product_id": "pdt_1", "quantity": 2}],
        "refunds": [
            {
                "business_id": "bus_1",
                "created_at": "2025-09-18T10:00:00Z",
                "is_partial": True,
                "payment_id": "pay_1",
                "refund_id": "ref_1",
                "status": "succeeded",
                "amount": 500,
                "currency": "EUR",
            }
        ],
        "retry_attempt": 0,
        "service_periods": [],
        "settlement_amount": 1999,
        "settlement_currency": "EUR",
        "status": "succeeded",
        "subscription_ids": [],
        "total_amount": 1999,
        "tax": 319,
        "updated_at": None,
    }
).encode()

requests_seen: list[str] = []


def handler(request: httpx.Request) -> httpx.Response:
    requests_seen.append(f"{request.method} {request.url.path}")
    return httpx.Response(200, content=BODY, headers={"content-type": "application/json"})


def mock_client() -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler), base_url=BASE_URL)


def contenders() -> dict[str, Callable[[], object]]:
    bare = mock_client()
    ours = DodoPayments(bearer_token="bench", base_url=BASE_URL, http_client=mock_client())
    official = dodopayments.DodoPayments(bearer_token="bench", base_url=BASE_URL, http_client=mock_client())
    strict = dodopayments.DodoPayments(
        bearer_token="bench", base_url=BASE_URL, http_client=mock_client(), _strict_response_validation=True
    )
    return {
        "bare": lambda: PaymentResponse.model_validate(bare.get("/payments/pay_1").json()),
        "bare_json": lambda: PaymentResponse.model_validate_json(bare.get("/payments/pay_1").content),
        "ours": lambda: ours.payments.retrieve("pay_1"),
        "official": lambda: official.payments.retrieve("pay_1"),
        "official_strict": lambda: strict.payments.retrieve("pay_1"),
    }


def check(name: str, call: Callable[[], object]) -> None:
    """Each contender must really make the request and return the parsed payment, or the timing means nothing."""
    requests_seen.clear()
    payment = call()
    assert requests_seen == ["GET /payments/pay_1"], (name, requests_seen)
    expected = PaymentResponse if name in ("bare", "bare_json", "ours") else dodopayments.types.Payment
    assert type(payment) is expected, (name, type(payment))
    assert payment.payment_id == "pay_1" and payment.refunds[0].amount == 500, name  # type: ignore[attr-defined]
    assert payment.created_at.year == 2025, name  # type: ignore[attr-defined]  # parsed, not left a string


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    # The official model is not validated on the default path; make sure the body is valid for it too.
    dodopayments.types.Payment.model_validate_json(BODY)
    timers: dict[str, tuple[timeit.Timer, int]] = {}
    for name, call in contenders().items():
        check(name, call)
        for _ in range(200):  # warm up: lazy imports, model schemas, caches
            call()
        timer = timeit.Timer(call)
        timers[name] = (timer, timer.autorange()[0])
    samples: dict[str, list[float]] = {name: [] for name in timers}
    for _ in range(repeats):  # interleaved, so a busy moment on the machine hits every contender alike
        for name, (timer, number) in timers.items():
            samples[name].append(timer.timeit(number) / number * 1e6)
    results = {name: statistics.median(values) for name, values in samples.items()}
    print(json.dumps(results))


if __name__ == "__main__":
    main()

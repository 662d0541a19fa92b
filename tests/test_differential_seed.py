"""The official SDK (`dodopayments`) and the generated client make the same call: the server must see the same
request from both."""

from __future__ import annotations

import sys
from typing import Any

import dodopayments
import pytest

from tests.conftest import GENERATED
from tests.support.server import RecordedRequest, RecordingServer, server_fixture  # noqa: F401  (the `server` fixture)

if str(GENERATED) not in sys.path:
    sys.path.insert(0, str(GENERATED))

import dodo_payments  # noqa: E402

TOKEN = "tok_differential"
BALANCE = {
    "id": "cb_1",
    "customer_id": "cus_1",
    "credit_entitlement_id": "ce_1",
    "balance": "1",
    "overage": "0",
    "created_at": "2025-01-02T03:04:05Z",
    "updated_at": "2025-01-02T03:04:05Z",
    "last_transaction_at": "2025-01-02T03:04:05Z",
}

# Ids both SDKs must encode; the official SDK rejects `.`/`..` where ours encodes them, so those are left out.
CALLS: list[tuple[tuple[str, ...], dict[str, Any]]] = [
    (("cus_1",), {"credit_entitlement_id": "ce_1"}),
    ((), {"customer_id": "cus_1", "credit_entitlement_id": "ce_1"}),
    (("a/b?c#d",), {"credit_entitlement_id": "100% sure"}),
    (("café✓",), {"credit_entitlement_id": "x y"}),
    (("cus_1",), {"credit_entitlement_id": "ce_1", "extra_query": {"expand": "all", "page": 2}}),
]


def wire(request: RecordedRequest) -> tuple[str, str, str, bytes]:
    return request.method, request.path, request.query, request.body


@pytest.mark.parametrize(("args", "kwargs"), CALLS)
def test_both_sdks_send_the_same_request(
    server: RecordingServer, args: tuple[str, ...], kwargs: dict[str, Any]
) -> None:
    server.reply(json=BALANCE, times=2)
    # The official SDK defaults to its live server and reads $DODO_PAYMENTS_BASE_URL; both get the server explicitly.
    with dodopayments.DodoPayments(bearer_token=TOKEN, base_url=server.url, max_retries=0) as official:
        expected = official.credit_entitlements.balances.retrieve(*args, **kwargs)
    with dodo_payments.DodoPayments(bearer_token=TOKEN, base_url=server.url, max_retries=0) as ours:
        actual = ours.credit_entitlements.balances.retrieve(*args, **kwargs)
    official_request, our_request = server.requests
    assert wire(our_request) == wire(official_request)
    assert official_request.headers["authorization"] == our_request.headers["authorization"] == f"Bearer {TOKEN}"
    assert official_request.headers["user-agent"] != our_request.headers["user-agent"]
    assert actual.model_dump() == expected.model_dump()

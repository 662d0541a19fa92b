"""How a user calls the seed package (generated/dodo_payments), written for the type checkers only.

tests/test_typecheck.py runs mypy --strict and pyright on this file: each `assert_type` fails the check if the
generated annotations degrade (to Any, to a wider type, or to the wrong model). It is never executed.
"""

from __future__ import annotations

from datetime import datetime

import httpx
from dodo_payments import (
    NOT_GIVEN,
    APIResponse,
    AsyncAPIResponse,
    AsyncDodoPayments,
    DodoPayments,
    NotFoundError,
)
from dodo_payments.types import CustomerCreditBalanceResponse
from typing_extensions import assert_type  # noqa: UP035 - the packages support 3.10


def sync_usage() -> None:
    client = DodoPayments(bearer_token="token", environment="live_mode", max_retries=3)
    balance = client.credit_entitlements.balances.retrieve("cus_1", credit_entitlement_id="ce_1")
    assert_type(balance, CustomerCreditBalanceResponse)
    assert_type(balance.id, str)
    assert_type(balance.balance, str)
    assert_type(balance.created_at, datetime)
    assert_type(balance.last_transaction_at, datetime | None)

    raw = client.credit_entitlements.balances.with_raw_response.retrieve("cus_1", credit_entitlement_id="ce_1")
    assert_type(raw, APIResponse[CustomerCreditBalanceResponse])
    assert_type(raw.status_code, int)
    assert_type(raw.headers, httpx.Headers)
    assert_type(raw.parse(), CustomerCreditBalanceResponse)

    with client.credit_entitlements.balances.with_streaming_response.retrieve(
        "cus_1", credit_entitlement_id="ce_1"
    ) as streamed:
        assert_type(streamed, APIResponse[CustomerCreditBalanceResponse])

    tuned = client.with_options(max_retries=5, timeout=10)
    assert_type(tuned, DodoPayments)
    assert_type(
        tuned.credit_entitlements.balances.retrieve(
            customer_id="cus_1", credit_entitlement_id="ce_1", timeout=NOT_GIVEN, extra_headers={"X-Trace": "1"}
        ),
        CustomerCreditBalanceResponse,
    )

    try:
        client.credit_entitlements.balances.retrieve("cus_1", credit_entitlement_id="missing")
    except NotFoundError as error:
        assert_type(error.status_code, int)


async def async_usage() -> None:
    client = AsyncDodoPayments(bearer_token="token")
    balance = await client.credit_entitlements.balances.retrieve("cus_1", credit_entitlement_id="ce_1")
    assert_type(balance, CustomerCreditBalanceResponse)
    assert_type(balance.last_transaction_at, datetime | None)

    raw = await client.credit_entitlements.balances.with_raw_response.retrieve("cus_1", credit_entitlement_id="ce_1")
    assert_type(raw, AsyncAPIResponse[CustomerCreditBalanceResponse])
    assert_type(await raw.parse(), CustomerCreditBalanceResponse)

    async with client.credit_entitlements.balances.with_streaming_response.retrieve(
        "cus_1", credit_entitlement_id="ce_1"
    ) as streamed:
        assert_type(streamed, AsyncAPIResponse[CustomerCreditBalanceResponse])

"""Tests an SDK user writes with the seed package's `testing` module: no network, no hand-written mocks.

Run by tests/test_testing_module.py (pytest in a subprocess, and mypy --strict over this file).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import assert_type

import pytest
from dodo_payments import APIConnectionError, DodoPayments, InternalServerError, NotFoundError, testing
from dodo_payments.types import CustomerCreditBalanceResponse


def test_returns_a_built_model_and_records_the_call() -> None:
    fake = testing.Fake()
    fake.credit_entitlements.balances.retrieve.returns(
        testing.build(CustomerCreditBalanceResponse, customer_id="cus_9", balance="12")
    )
    client = fake.client()
    assert_type(client, DodoPayments)
    balance = client.credit_entitlements.balances.retrieve("cus_9", credit_entitlement_id="ce_1")
    assert (balance.customer_id, balance.balance) == ("cus_9", "12")
    call = fake.credit_entitlements.balances.retrieve.calls[0]
    assert call.path == "/credit-entitlements/ce_1/balances/cus_9"
    assert call.path_params == {"credit_entitlement_id": "ce_1", "customer_id": "cus_9"}
    assert call.method == "GET" and call.body is None
    assert call.headers["authorization"] == "Bearer test-bearer_token"
    assert fake.calls == [call]


def test_build_fills_required_fields_and_keeps_overrides() -> None:
    built = testing.build(CustomerCreditBalanceResponse, last_transaction_at=datetime(2024, 5, 1))
    assert built.last_transaction_at == datetime(2024, 5, 1)
    assert isinstance(built.created_at, datetime) and isinstance(built.id, str)
    with pytest.raises(TypeError, match="no field 'balanse'"):
        testing.build(CustomerCreditBalanceResponse, balanse="1")


def test_raises_and_answers() -> None:
    fake = testing.Fake()
    balances = fake.credit_entitlements.balances
    balances.retrieve.raises(NotFoundError)
    balances.retrieve.answers(500, {"message": "down"})
    balances.retrieve.raises(APIConnectionError)
    client = fake.client()
    with pytest.raises(NotFoundError) as not_found:
        client.credit_entitlements.balances.retrieve("cus_1", credit_entitlement_id="ce_1")
    assert not_found.value.status_code == 404
    with pytest.raises(InternalServerError) as server_error:
        client.credit_entitlements.balances.retrieve("cus_1", credit_entitlement_id="ce_1")
    assert server_error.value.body == {"message": "down"}
    for _ in range(2):  # the last declared answer keeps answering
        with pytest.raises(APIConnectionError):
            client.credit_entitlements.balances.retrieve("cus_1", credit_entitlement_id="ce_1")
    assert len(balances.retrieve.calls) == 4


def test_an_undeclared_call_names_the_method_and_how_to_declare_it() -> None:
    client = testing.Fake().client()
    with pytest.raises(testing.UndeclaredCallError) as undeclared:
        client.credit_entitlements.balances.retrieve("cus_1", credit_entitlement_id="ce_1")
    assert "credit_entitlements.balances.retrieve was called" in str(undeclared.value)
    assert "fake.credit_entitlements.balances.retrieve.returns(" in str(undeclared.value)


def test_raw_and_streaming_responses_come_from_the_fake() -> None:
    fake = testing.Fake()
    fake.credit_entitlements.balances.retrieve.returns(
        testing.build(CustomerCreditBalanceResponse, balance="7"), headers={"X-Request-Id": "req_1"}
    )
    resource = fake.client().credit_entitlements.balances
    raw = resource.with_raw_response.retrieve("cus_1", credit_entitlement_id="ce_1")
    assert raw.headers["x-request-id"] == "req_1" and raw.parse().balance == "7"
    with resource.with_streaming_response.retrieve("cus_1", credit_entitlement_id="ce_1") as streamed:
        assert streamed.parse().balance == "7"


def test_the_async_client_on_the_same_fake() -> None:
    fake = testing.Fake()
    fake.credit_entitlements.balances.retrieve.returns(testing.build(CustomerCreditBalanceResponse, balance="3"))

    async def main() -> str:
        client = fake.async_client()
        balance = await client.credit_entitlements.balances.retrieve("cus_2", credit_entitlement_id="ce_2")
        return balance.balance

    assert asyncio.run(main()) == "3"
    assert fake.credit_entitlements.balances.retrieve.calls[0].path_params["customer_id"] == "cus_2"


def test_a_request_for_no_operation_fails_naming_it() -> None:
    with (
        testing.Fake().http_client() as http,
        pytest.raises(testing.UndeclaredCallError, match="GET /nope is no operation"),
    ):
        http.get("http://api.test/nope")

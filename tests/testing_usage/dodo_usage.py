"""Tests an SDK user writes with the `testing` module of Dodo Payments 1.53.2 (the package generated from
../shared/specs/dodopayments/dodo-1.53.2.yaml): no network, no hand-written mocks.

Run by tests/test_testing_module.py (pytest in a subprocess, and mypy --strict over this file).
"""

from __future__ import annotations

import asyncio
from typing import assert_type

import pytest
from dodo_payments import AsyncDodoPayments, NotFoundError, RateLimitError, testing
from dodo_payments._types import BinaryContent
from dodo_payments.types import (
    CreateOneTimePaymentResponse,
    CustomerResponse,
    GetPaymentsListResponseItem,
    LicenseKeyInstanceResponse,
    PaymentResponse,
)


def test_the_example_of_the_issue() -> None:
    fake = testing.Fake()  # one per test
    fake.payments.retrieve.returns(testing.build(PaymentResponse, payment_id="pay_9"))
    fake.customers.retrieve.raises(NotFoundError)
    client = fake.client()  # a DodoPayments on the fake; fake.async_client() likewise
    assert client.payments.retrieve("pay_9").payment_id == "pay_9"
    assert fake.payments.retrieve.calls[0].path == "/payments/pay_9"
    with pytest.raises(NotFoundError):
        client.customers.retrieve("cus_404")
    assert fake.customers.retrieve.calls[0].path_params == {"customer_id": "cus_404"}


def test_create_records_the_typed_call_and_its_json_body() -> None:
    fake = testing.Fake()
    fake.payments.create.returns(testing.build(CreateOneTimePaymentResponse, payment_id="pay_1", total_amount=500))
    created = fake.client().payments.create(
        billing={"city": "Paris", "country": "FR", "state": "IDF", "street": "1 rue", "zipcode": "75001"},
        customer={"customer_id": "cus_1"},
        product_cart=[{"product_id": "prd_1", "quantity": 2}],
    )
    assert (created.payment_id, created.total_amount) == ("pay_1", 500)
    call = fake.payments.create.calls[0]
    assert (call.method, call.path) == ("POST", "/payments")
    assert call.body["product_cart"] == [{"product_id": "prd_1", "quantity": 2}]
    assert call.body["customer"] == {"customer_id": "cus_1"}


def test_returns_pages_walks_every_page_then_stops() -> None:
    fake = testing.Fake()
    fake.payments.list.returns_pages(
        [
            [
                testing.build(GetPaymentsListResponseItem, payment_id="pay_1"),
                testing.build(GetPaymentsListResponseItem),
            ],
            [testing.build(GetPaymentsListResponseItem, payment_id="pay_3")],
        ]
    )
    ids = [payment.payment_id for payment in fake.client().payments.list(status="succeeded")]
    assert ids == ["pay_1", "string", "pay_3"]
    # Page 0 (the API's first) is the default; the fake answered pages 1 and 2 as asked, the last one empty.
    assert [call.query.get("page_number") for call in fake.payments.list.calls] == [None, "1", "2"]
    assert all(call.query["status"] == "succeeded" for call in fake.payments.list.calls)


def test_answers_gives_any_status_and_body() -> None:
    fake = testing.Fake()
    fake.customers.retrieve.answers(429, {"message": "slow down"}, headers={"Retry-After": "0"})
    fake.customers.retrieve.returns(testing.build(CustomerResponse, email="a@example.com"))
    client = fake.client()
    with pytest.raises(RateLimitError) as limited:
        client.customers.retrieve("cus_1")
    assert limited.value.body == {"message": "slow down"}
    assert client.customers.retrieve("cus_1").email == "a@example.com"


def test_nested_resources_aliases_and_binary_bodies() -> None:
    fake = testing.Fake()
    fake.invoices.payments.retrieve.returns(BinaryContent(b"%PDF-1.4"))
    fake.products.delete.returns(None)  # products.delete is products.archive by another name
    client = fake.client()
    assert client.invoices.payments.retrieve("pay_1") == b"%PDF-1.4"
    client.products.archive("prd_1")
    assert fake.products.archive.calls[0].path == "/products/prd_1"
    assert fake.products.archive is fake.products.delete


def test_build_takes_the_spec_examples_first() -> None:
    instance = testing.build(LicenseKeyInstanceResponse)
    assert (instance.id, instance.name, instance.license_key_id) == ("lki_123", "Production Server 1", "lic_123")
    assert testing.build(LicenseKeyInstanceResponse, name="CI").name == "CI"


def test_undeclared_call_fails_naming_the_method() -> None:
    fake = testing.Fake()
    with pytest.raises(testing.UndeclaredCallError, match=r"refunds\.retrieve was called \(GET /refunds/ref_1\)"):
        fake.client().refunds.retrieve("ref_1")
    assert fake.refunds.retrieve.calls[0].path == "/refunds/ref_1"


def test_async_client_and_async_pagination() -> None:
    fake = testing.Fake()
    fake.payments.retrieve.returns(testing.build(PaymentResponse, payment_id="pay_a"))
    fake.payments.list.returns_pages([[testing.build(GetPaymentsListResponseItem, payment_id="pay_b")]])

    async def main() -> tuple[str, list[str]]:
        client = fake.async_client()
        assert_type(client, AsyncDodoPayments)
        payment = await client.payments.retrieve("pay_a")
        listed = [item.payment_id async for item in client.payments.list()]
        return payment.payment_id, listed

    assert asyncio.run(main()) == ("pay_a", ["pay_b"])
    assert [call.path for call in fake.calls] == ["/payments/pay_a", "/payments", "/payments"]

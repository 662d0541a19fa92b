"""Behaviour of the committed seed client `generated/dodo_payments` against a real HTTP server on 127.0.0.1.

Every assertion is about what the server saw (method, raw path, headers, arrival times) or what the client gave
back, so the runtime in templates/runtime/ and the generated resources are tested together, end to end.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl, unquote

import httpx
import pytest

from tests.conftest import GENERATED
from tests.support.server import RecordingServer, server_fixture  # noqa: F401  (the `server` fixture)

if str(GENERATED) not in sys.path:
    sys.path.insert(0, str(GENERATED))

import dodo_payments  # noqa: E402
from dodo_payments import (  # noqa: E402
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AsyncDodoPayments,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    DodoPayments,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    SDKError,
    UnprocessableEntityError,
)
from dodo_payments.types import CustomerCreditBalanceResponse  # noqa: E402

T = TypeVar("T")

TOKEN = "tok_test_123"
PATH = "/credit-entitlements/ce_1/balances/cus_1"
BALANCE: dict[str, object] = {
    "id": "cb_1",
    "customer_id": "cus_1",
    "credit_entitlement_id": "ce_1",
    "balance": "100.50",
    "overage": "0",
    "created_at": "2025-01-02T03:04:05Z",
    "updated_at": "2025-01-03T04:05:06+02:00",
    "last_transaction_at": None,
}
REQUIRED_FIELDS = ["id", "customer_id", "credit_entitlement_id", "balance", "overage", "created_at", "updated_at"]
# Retry-After 0 makes retries immediate where the delay itself is not under test.
NOW = {"Retry-After": "0"}


def client_for(server: RecordingServer, **options: Any) -> DodoPayments:
    return DodoPayments(bearer_token=TOKEN, base_url=server.url, **options)


def async_client_for(server: RecordingServer, **options: Any) -> AsyncDodoPayments:
    return AsyncDodoPayments(bearer_token=TOKEN, base_url=server.url, **options)


def retrieve(client: DodoPayments, **options: Any) -> CustomerCreditBalanceResponse:
    return client.credit_entitlements.balances.retrieve("cus_1", credit_entitlement_id="ce_1", **options)


def finishes_within(seconds: float, call: Callable[[], T]) -> T:
    """Run `call` in a daemon thread, so a client that sleeps far too long fails the test instead of hanging it."""
    outcome: list[tuple[bool, object]] = []

    def run() -> None:
        try:
            outcome.append((True, call()))
        except BaseException as exc:
            outcome.append((False, exc))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, f"the call did not finish within {seconds}s"
    finished, value = outcome[0]
    if not finished:
        assert isinstance(value, BaseException)
        raise value
    return value  # type: ignore[return-value]


@pytest.fixture
def refused_url() -> Iterator[str]:
    # Bound but never listening: connections are refused, and no other process can take the port meanwhile.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_the_committed_golden_package_is_under_test() -> None:
    assert Path(dodo_payments.__file__).resolve().parent == GENERATED / "dodo_payments"


# 1. The wire request


def test_retrieve_sends_the_documented_request(server: RecordingServer) -> None:
    server.reply(json=BALANCE)
    with client_for(server) as client:
        retrieve(client)
    [request] = server.requests
    assert request.method == "GET"
    assert request.target == PATH
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    user_agent = request.headers["user-agent"]
    assert user_agent.startswith(f"dodo_payments/{dodo_payments.__version__}"), user_agent
    assert "application/json" in request.headers["accept"]
    assert request.body == b""


def test_retrieve_takes_every_path_parameter_by_keyword(server: RecordingServer) -> None:
    server.reply(json=BALANCE)
    with client_for(server) as client:
        result = client.credit_entitlements.balances.retrieve(customer_id="cus_9", credit_entitlement_id="ce_8")
    assert result.id == "cb_1"
    assert [r.target for r in server.requests] == ["/credit-entitlements/ce_8/balances/cus_9"]


# 2. Parsing


def test_response_is_parsed_into_the_model(server: RecordingServer) -> None:
    server.reply(json=BALANCE)
    with client_for(server) as client:
        result = retrieve(client)
    assert type(result) is CustomerCreditBalanceResponse
    assert (result.id, result.customer_id, result.credit_entitlement_id) == ("cb_1", "cus_1", "ce_1")
    assert (result.balance, result.overage) == ("100.50", "0")
    assert result.created_at == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert result.created_at.utcoffset() == timedelta(0)
    assert result.updated_at.utcoffset() == timedelta(hours=2)
    assert result.last_transaction_at is None


@pytest.mark.parametrize("present", [True, False], ids=["null", "absent"])
def test_last_transaction_at_is_none_when_null_or_absent(server: RecordingServer, present: bool) -> None:
    body = dict(BALANCE) if present else {k: v for k, v in BALANCE.items() if k != "last_transaction_at"}
    server.reply(json=body)
    with client_for(server) as client:
        assert retrieve(client).last_transaction_at is None


def test_last_transaction_at_is_a_datetime_when_present(server: RecordingServer) -> None:
    server.reply(json={**BALANCE, "last_transaction_at": "2025-02-03T10:11:12.5-05:00"})
    with client_for(server) as client:
        at = retrieve(client).last_transaction_at
    assert at == datetime(2025, 2, 3, 10, 11, 12, 500000, tzinfo=timezone(timedelta(hours=-5)))
    assert at is not None and at.utcoffset() == timedelta(hours=-5)


def test_unknown_fields_from_a_newer_server_are_kept(server: RecordingServer) -> None:
    server.reply(json={**BALANCE, "currency": "USD", "limits": {"max": 5}})
    with client_for(server) as client:
        result = retrieve(client)
    assert result.model_extra == {"currency": "USD", "limits": {"max": 5}}
    assert result.id == "cb_1"


@pytest.mark.parametrize("missing", REQUIRED_FIELDS)
def test_a_missing_required_field_raises_a_validation_error_naming_it(server: RecordingServer, missing: str) -> None:
    body = {k: v for k, v in BALANCE.items() if k != missing}
    server.reply(json=body)
    with client_for(server) as client, pytest.raises(APIResponseValidationError) as exc_info:
        retrieve(client)
    error = exc_info.value
    assert isinstance(error, APIError)
    assert missing in str(error)
    assert error.status_code == 200
    assert error.body == body


@pytest.mark.parametrize(
    ("field", "value"), [("created_at", "yesterday"), ("balance", {"amount": 1})], ids=["bad-date", "bad-string"]
)
def test_a_wrongly_typed_field_raises_a_validation_error_naming_it(
    server: RecordingServer, field: str, value: object
) -> None:
    server.reply(json={**BALANCE, field: value})
    with client_for(server, max_retries=0) as client, pytest.raises(APIResponseValidationError, match=field):
        retrieve(client)


def test_a_success_that_is_not_json_raises_a_validation_error(server: RecordingServer) -> None:
    server.reply(body="<html>maintenance</html>", headers={"Content-Type": "text/html"})
    with client_for(server) as client, pytest.raises(APIResponseValidationError) as exc_info:
        retrieve(client)
    assert exc_info.value.body == "<html>maintenance</html>"


# 3. Path parameters


ENCODED_IDS = [
    ("a/b", "a%2Fb"),
    ("a?b=c", "a%3Fb%3Dc"),
    ("a#b", "a%23b"),
    ("100%", "100%25"),
    ("%2F", "%252F"),
    ("a b", "a%20b"),
    ("café✓", "caf%C3%A9%E2%9C%93"),
    ("..", "%2E%2E"),
    (".", "%2E"),
    ("../../admin", "..%2F..%2Fadmin"),
]


@pytest.mark.parametrize(("value", "encoded"), ENCODED_IDS, ids=[e for _, e in ENCODED_IDS])
def test_path_parameters_are_percent_encoded(server: RecordingServer, value: str, encoded: str) -> None:
    server.reply(json=BALANCE, times=2)
    with client_for(server, max_retries=0) as client:
        client.credit_entitlements.balances.retrieve(value, credit_entitlement_id="ce_1")
        client.credit_entitlements.balances.retrieve("cus_1", credit_entitlement_id=value)
    assert [r.target for r in server.requests] == [
        f"/credit-entitlements/ce_1/balances/{encoded}",
        f"/credit-entitlements/{encoded}/balances/cus_1",
    ]
    assert unquote(server.requests[0].target.rsplit("/", 1)[1]) == value


@pytest.mark.parametrize("which", ["customer_id", "credit_entitlement_id"])
def test_an_empty_path_parameter_raises_before_any_request(server: RecordingServer, which: str) -> None:
    server.reply(json=BALANCE)
    arguments: dict[str, Any] = {"customer_id": "cus_1", "credit_entitlement_id": "ce_1", which: ""}
    with client_for(server) as client, pytest.raises(ValueError, match=which):
        client.credit_entitlements.balances.retrieve(**arguments)
    assert server.requests == []


# 4. Errors

STATUS_ERRORS: list[tuple[int, type[APIStatusError]]] = [
    (400, BadRequestError),
    (401, AuthenticationError),
    (403, PermissionDeniedError),
    (404, NotFoundError),
    (409, ConflictError),
    (422, UnprocessableEntityError),
    (429, RateLimitError),
    (500, InternalServerError),
    (503, InternalServerError),
    (402, APIStatusError),
    (405, APIStatusError),
    (410, APIStatusError),
]
ERROR_BODIES: list[tuple[str, dict[str, str], bytes, object]] = [
    (
        "json",
        {"Content-Type": "application/json"},
        b'{"code": "E1", "message": "nope"}',
        {"code": "E1", "message": "nope"},
    ),
    ("text", {"Content-Type": "text/plain"}, b"plain failure", "plain failure"),
    ("empty", {}, b"", None),
]


@pytest.mark.parametrize(("status", "error_class"), STATUS_ERRORS, ids=[str(s) for s, _ in STATUS_ERRORS])
@pytest.mark.parametrize(("kind", "headers", "body", "decoded"), ERROR_BODIES, ids=[b[0] for b in ERROR_BODIES])
def test_each_status_raises_its_error_class(
    server: RecordingServer,
    status: int,
    error_class: type[APIStatusError],
    kind: str,
    headers: dict[str, str],
    body: bytes,
    decoded: object,
) -> None:
    server.reply(status, body=body, headers={**headers, "X-Request-Id": "req_42"})
    with client_for(server, max_retries=0) as client, pytest.raises(APIStatusError) as exc_info:
        retrieve(client)
    error = exc_info.value
    assert type(error) is error_class
    assert error.status_code == status
    assert error.response.status_code == status
    assert error.response.headers["x-request-id"] == "req_42"
    assert error.body == decoded
    assert error.request.url.path == PATH
    assert str(status) in str(error)


def test_error_class_hierarchy() -> None:
    for _, error_class in STATUS_ERRORS:
        assert issubclass(error_class, APIStatusError)
    assert issubclass(APIStatusError, APIError)
    assert issubclass(APIResponseValidationError, APIError)
    assert issubclass(APITimeoutError, APIConnectionError)
    assert issubclass(APIConnectionError, APIError)
    assert issubclass(APIError, SDKError)
    assert not issubclass(APIConnectionError, APIStatusError)
    assert not issubclass(APIStatusError, APIConnectionError)


# 5. Retries


@pytest.mark.parametrize(("status", "error_class"), [(s, e) for s, e in STATUS_ERRORS if s in (409, 429, 500, 503)])
def test_retryable_statuses_are_retried_max_retries_times(
    server: RecordingServer, status: int, error_class: type[APIStatusError]
) -> None:
    server.reply(status, headers=NOW, times=None)
    with client_for(server, max_retries=2) as client, pytest.raises(error_class):
        retrieve(client)
    assert len(server.requests) == 3
    assert {r.target for r in server.requests} == {PATH}


@pytest.mark.parametrize("status", [408, 502, 504])
def test_other_retryable_statuses_are_retried(server: RecordingServer, status: int) -> None:
    server.reply(status, headers=NOW, times=None)
    with client_for(server, max_retries=1) as client, pytest.raises(APIStatusError) as exc_info:
        retrieve(client)
    assert exc_info.value.status_code == status
    assert len(server.requests) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_client_errors_are_not_retried(server: RecordingServer, status: int) -> None:
    server.reply(status, headers=NOW, times=None)
    with client_for(server, max_retries=2) as client, pytest.raises(APIStatusError):
        retrieve(client)
    assert len(server.requests) == 1


def test_a_retry_that_succeeds_returns_the_result(server: RecordingServer) -> None:
    server.reply(503, headers=NOW)
    server.reply(429, headers=NOW)
    server.reply(json=BALANCE)
    with client_for(server, max_retries=2) as client:
        assert retrieve(client).id == "cb_1"
    assert len(server.requests) == 3
    # A retry is the same request again.
    assert len({(r.method, r.target, r.headers["authorization"], r.body) for r in server.requests}) == 1


def test_the_x_should_retry_header_overrides_the_status(server: RecordingServer) -> None:
    server.reply(400, headers={**NOW, "x-should-retry": "true"})
    server.reply(503, headers={**NOW, "x-should-retry": "false"})
    with client_for(server, max_retries=2) as client, pytest.raises(InternalServerError):
        retrieve(client)
    assert len(server.requests) == 2


def test_the_default_is_two_retries(server: RecordingServer) -> None:
    server.reply(500, headers=NOW, times=None)
    with client_for(server) as client, pytest.raises(InternalServerError):
        retrieve(client)
    assert len(server.requests) == 3


def test_with_options_changes_max_retries_on_a_copy_only(server: RecordingServer) -> None:
    server.reply(500, headers=NOW, times=None)
    with client_for(server, max_retries=2) as client:
        for copy_retries, attempts in [(0, 1), (1, 2), (4, 5)]:
            copy = client.with_options(max_retries=copy_retries)
            assert copy.max_retries == copy_retries
            with pytest.raises(InternalServerError):
                retrieve(copy)
            assert len(server.requests) == attempts
            server.requests.clear()
        assert client.max_retries == 2
        with pytest.raises(InternalServerError):
            retrieve(client)
        assert len(server.requests) == 3


def test_connection_refused_is_retried_then_raises_a_connection_error(refused_url: str) -> None:
    attempts: list[httpx.Request] = []
    with httpx.Client(event_hooks={"request": [attempts.append]}) as http_client:
        client = DodoPayments(bearer_token=TOKEN, base_url=refused_url, max_retries=2, http_client=http_client)
        with pytest.raises(APIConnectionError) as exc_info:
            retrieve(client)
    assert type(exc_info.value) is APIConnectionError
    assert len(attempts) == 3
    assert exc_info.value.request.url.path == PATH


@pytest.mark.parametrize(
    ("base_url", "headers", "reason"),
    [
        (None, {"X-Bad": "a\nb"}, "Illegal header value"),
        ("ftp://127.0.0.1:9", {}, "protocol"),
    ],
    ids=["illegal-header", "no-http-scheme"],
)
def test_a_request_that_cannot_be_sent_is_not_retried(
    server: RecordingServer, base_url: str | None, headers: dict[str, str], reason: str
) -> None:
    attempts: list[httpx.Request] = []
    with httpx.Client(event_hooks={"request": [attempts.append]}) as http_client:
        client = DodoPayments(
            bearer_token=TOKEN,
            base_url=base_url or server.url,
            default_headers=headers,
            max_retries=2,
            http_client=http_client,
        )
        with pytest.raises(APIConnectionError, match=reason):
            retrieve(client)
    assert len(attempts) == 1
    assert server.requests == []


def test_a_dropped_connection_is_retried(server: RecordingServer) -> None:
    server.reply(drop=True)
    server.reply(json=BALANCE)
    with client_for(server, max_retries=1) as client:
        assert retrieve(client).id == "cb_1"
    assert len(server.requests) == 2


def test_a_dropped_connection_raises_after_the_last_attempt(server: RecordingServer) -> None:
    server.reply(drop=True, times=None)
    with client_for(server, max_retries=1) as client, pytest.raises(APIConnectionError) as exc_info:
        retrieve(client)
    assert type(exc_info.value) is APIConnectionError
    assert len(server.requests) == 2


# Delays are measured between arrivals at the server; only lower bounds, or generous upper ones, hold on a busy
# machine. A first retry without Retry-After waits 0.5s minus up to 25% jitter, the second 1s minus up to 25%.


def test_retry_after_seconds_is_obeyed(server: RecordingServer) -> None:
    server.reply(429, headers={"Retry-After": "1"})
    server.reply(json=BALANCE)
    with client_for(server, max_retries=1) as client:
        retrieve(client)
    [gap] = server.gaps()
    assert 0.95 <= gap < 10


def test_retry_after_as_an_http_date_is_obeyed(server: RecordingServer) -> None:
    # Whole seconds on the wire: the date lies 1.5 to 2.5 seconds ahead, well above the 0.5s backoff.
    server.reply(503, headers={"Retry-After": email.utils.formatdate(time.time() + 2.5, usegmt=True)})
    server.reply(json=BALANCE)
    with client_for(server, max_retries=1) as client:
        retrieve(client)
    [gap] = server.gaps()
    assert 1.0 <= gap < 10


def test_retry_after_ms_is_obeyed(server: RecordingServer) -> None:
    # Read as seconds, 900 would exceed the cap and fall back to the backoff (at most 0.5s).
    server.reply(429, headers={"retry-after-ms": "900"})
    server.reply(json=BALANCE)
    with client_for(server, max_retries=1) as client:
        retrieve(client)
    [gap] = server.gaps()
    assert 0.85 <= gap < 10


def test_an_unreasonable_retry_after_is_not_obeyed(server: RecordingServer) -> None:
    server.reply(429, headers={"Retry-After": "3600"})
    server.reply(json=BALANCE)
    with client_for(server, max_retries=1) as client:
        finishes_within(15, lambda: retrieve(client))
    [gap] = server.gaps()
    assert gap < 5


def test_backoff_without_retry_after_stays_within_bounds(server: RecordingServer) -> None:
    server.reply(503, times=2)
    server.reply(json=BALANCE)
    with client_for(server, max_retries=2) as client:
        finishes_within(20, lambda: retrieve(client))
    first, second = server.gaps()
    assert 0.37 <= first < 1.4
    assert 0.74 <= second < 2.4


# 6. Timeouts


def test_a_per_request_timeout_raises_after_every_attempt(server: RecordingServer) -> None:
    server.reply(json=BALANCE, delay=5, times=None)
    with client_for(server, max_retries=2, timeout=30) as client, pytest.raises(APITimeoutError):
        retrieve(client, timeout=0.2)
    assert len(server.wait_for(3)) == 3
    time.sleep(0.2)
    assert len(server.requests) == 3


def test_a_client_timeout_raises_after_every_attempt(server: RecordingServer) -> None:
    server.reply(json=BALANCE, delay=5, times=None)
    with client_for(server, max_retries=1, timeout=0.2) as client, pytest.raises(APITimeoutError) as exc_info:
        retrieve(client)
    assert isinstance(exc_info.value, APIConnectionError)
    assert len(server.wait_for(2)) == 2
    time.sleep(0.2)
    assert len(server.requests) == 2


def test_a_per_request_timeout_overrides_the_client_timeout(server: RecordingServer) -> None:
    server.reply(json=BALANCE, delay=0.5)
    with client_for(server, max_retries=0, timeout=0.1) as client:
        assert retrieve(client, timeout=10).id == "cb_1"


def test_a_timed_out_attempt_is_retried(server: RecordingServer) -> None:
    server.reply(json=BALANCE, delay=5)
    server.reply(json=BALANCE)
    with client_for(server, max_retries=1, timeout=0.2) as client:
        assert retrieve(client).id == "cb_1"
    assert len(server.requests) == 2


# 7. The async client


def test_async_retrieve_sends_the_same_request(server: RecordingServer) -> None:
    async def main() -> CustomerCreditBalanceResponse:
        async with async_client_for(server) as client:
            return await client.credit_entitlements.balances.retrieve(customer_id="cus_1", credit_entitlement_id="ce_1")

    server.reply(json={**BALANCE, "extra": 1})
    result = asyncio.run(main())
    assert type(result) is CustomerCreditBalanceResponse
    assert result.created_at == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert result.model_extra == {"extra": 1}
    [request] = server.requests
    assert (request.method, request.target, request.body) == ("GET", PATH, b"")
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["user-agent"].startswith(f"dodo_payments/{dodo_payments.__version__}")
    assert "application/json" in request.headers["accept"]


@pytest.mark.parametrize(("status", "error_class"), STATUS_ERRORS, ids=[str(s) for s, _ in STATUS_ERRORS])
def test_async_status_errors(server: RecordingServer, status: int, error_class: type[APIStatusError]) -> None:
    async def main() -> None:
        async with async_client_for(server, max_retries=0) as client:
            await client.credit_entitlements.balances.retrieve("cus_1", credit_entitlement_id="ce_1")

    server.reply(status, json={"message": "nope"})
    with pytest.raises(APIStatusError) as exc_info:
        asyncio.run(main())
    assert type(exc_info.value) is error_class
    assert exc_info.value.body == {"message": "nope"}
    assert len(server.requests) == 1


def test_async_validation_error(server: RecordingServer) -> None:
    async def main() -> None:
        async with async_client_for(server) as client:
            await client.credit_entitlements.balances.retrieve("cus_1", credit_entitlement_id="ce_1")

    server.reply(json={k: v for k, v in BALANCE.items() if k != "overage"})
    with pytest.raises(APIResponseValidationError, match="overage"):
        asyncio.run(main())


def test_async_retries_and_with_options(server: RecordingServer) -> None:
    async def main() -> int:
        async with async_client_for(server, max_retries=2) as client:
            with pytest.raises(RateLimitError):
                await client.credit_entitlements.balances.retrieve("cus_1", credit_entitlement_id="ce_1")
            first = len(server.requests)
            with pytest.raises(RateLimitError):
                await client.with_options(max_retries=0).credit_entitlements.balances.retrieve(
                    "cus_1", credit_entitlement_id="ce_1"
                )
            assert client.max_retries == 2
            return first

    server.reply(429, headers=NOW, times=None)
    assert asyncio.run(main()) == 3
    assert len(server.requests) == 4


def test_async_client_errors_are_not_retried(server: RecordingServer) -> None:
    async def main() -> None:
        async with async_client_for(server, max_retries=2) as client:
            await client.credit_entitlements.balances.retrieve("cus_1", credit_entitlement_id="ce_1")

    server.reply(404, headers=NOW, times=None)
    with pytest.raises(NotFoundError):
        asyncio.run(main())
    assert len(server.requests) == 1


def test_async_retry_delays(server: RecordingServer) -> None:
    async def main() -> None:
        async with async_client_for(server, max_retries=3) as client:
            await asyncio.wait_for(
                client.credit_entitlements.balances.retrieve("cus_1", credit_entitlement_id="ce_1"), 20
            )

    server.reply(429, headers={"Retry-After": "1"})
    server.reply(429, headers={"Retry-After": "3600"})
    server.reply(429, headers={"retry-after-ms": "600"})
    server.reply(json=BALANCE)
    asyncio.run(main())
    obeyed, capped, millis = server.gaps()
    assert obeyed >= 0.95
    assert capped < 5
    assert millis >= 0.55


def test_async_timeout(server: RecordingServer) -> None:
    async def main() -> None:
        async with async_client_for(server, max_retries=1, timeout=0.2) as client:
            await client.credit_entitlements.balances.retrieve("cus_1", credit_entitlement_id="ce_1")

    server.reply(json=BALANCE, delay=5, times=None)
    with pytest.raises(APITimeoutError):
        asyncio.run(main())
    assert len(server.wait_for(2)) == 2


def test_async_per_request_timeout(server: RecordingServer) -> None:
    async def main() -> None:
        async with async_client_for(server, max_retries=0, timeout=30) as client:
            await client.credit_entitlements.balances.retrieve("cus_1", credit_entitlement_id="ce_1", timeout=0.2)

    server.reply(json=BALANCE, delay=5, times=None)
    with pytest.raises(APITimeoutError):
        asyncio.run(main())
    assert len(server.wait_for(1)) == 1


def test_async_connection_refused(refused_url: str) -> None:
    attempts: list[httpx.Request] = []

    async def count(request: httpx.Request) -> None:
        attempts.append(request)

    async def main() -> None:
        async with httpx.AsyncClient(event_hooks={"request": [count]}) as http_client:
            client = AsyncDodoPayments(bearer_token=TOKEN, base_url=refused_url, max_retries=1, http_client=http_client)
            await client.credit_entitlements.balances.retrieve("cus_1", credit_entitlement_id="ce_1")

    with pytest.raises(APIConnectionError) as exc_info:
        asyncio.run(main())
    assert type(exc_info.value) is APIConnectionError
    assert len(attempts) == 2


def test_async_a_request_that_cannot_be_sent_is_not_retried(server: RecordingServer) -> None:
    attempts: list[httpx.Request] = []

    async def count(request: httpx.Request) -> None:
        attempts.append(request)

    async def main() -> None:
        async with httpx.AsyncClient(event_hooks={"request": [count]}) as http_client:
            client = async_client_for(server, max_retries=2, default_headers={"X-Bad": "a\nb"}, http_client=http_client)
            await client.credit_entitlements.balances.retrieve("cus_1", credit_entitlement_id="ce_1")

    with pytest.raises(APIConnectionError, match="Illegal header value"):
        asyncio.run(main())
    assert len(attempts) == 1
    assert server.requests == []


# 8. Raw and streaming responses


def test_raw_response(server: RecordingServer) -> None:
    server.reply(json=BALANCE, headers={"X-Request-Id": "req_7"})
    with client_for(server) as client:
        raw = client.credit_entitlements.balances.with_raw_response.retrieve("cus_1", credit_entitlement_id="ce_1")
        assert raw.status_code == 200
        assert raw.headers["x-request-id"] == "req_7"
        assert raw.json() == BALANCE
        parsed = raw.parse()
    assert type(parsed) is CustomerCreditBalanceResponse
    assert parsed.id == "cb_1"
    assert [r.target for r in server.requests] == [PATH]


def test_raw_response_through_the_parent_resource(server: RecordingServer) -> None:
    server.reply(json=BALANCE)
    with client_for(server) as client:
        raw = client.credit_entitlements.with_raw_response.balances.retrieve("cus_1", credit_entitlement_id="ce_1")
        assert raw.parse().customer_id == "cus_1"


def test_raw_response_still_raises_status_errors(server: RecordingServer) -> None:
    server.reply(404, json={"message": "no such balance"})
    with client_for(server) as client, pytest.raises(NotFoundError) as exc_info:
        client.credit_entitlements.balances.with_raw_response.retrieve("cus_1", credit_entitlement_id="ce_1")
    assert exc_info.value.body == {"message": "no such balance"}


def test_streaming_response_parses_inside_the_block(server: RecordingServer) -> None:
    server.reply(json=BALANCE, headers={"X-Request-Id": "req_8"})
    with client_for(server) as client:
        balances = client.credit_entitlements.balances
        with balances.with_streaming_response.retrieve("cus_1", credit_entitlement_id="ce_1") as response:
            assert response.status_code == 200
            assert response.headers["x-request-id"] == "req_8"
            assert not response.http_response.is_stream_consumed
            parsed = response.parse()
        assert response.http_response.is_closed
    assert parsed.id == "cb_1"
    assert [r.target for r in server.requests] == [PATH]


def test_streaming_response_iterates_bytes(server: RecordingServer) -> None:
    server.reply(json=BALANCE)
    with client_for(server) as client:
        balances = client.credit_entitlements.balances
        with balances.with_streaming_response.retrieve("cus_1", credit_entitlement_id="ce_1") as response:
            data = b"".join(response.iter_bytes())
    assert json.loads(data) == BALANCE


def test_streaming_response_is_closed_when_the_block_ends_unread(server: RecordingServer) -> None:
    server.reply(json=BALANCE)
    with client_for(server) as client:
        balances = client.credit_entitlements.balances
        with balances.with_streaming_response.retrieve("cus_1", credit_entitlement_id="ce_1") as response:
            assert response.status_code == 200
            assert not response.http_response.is_closed
        assert response.http_response.is_closed


def test_async_raw_and_streaming_responses(server: RecordingServer) -> None:
    async def main() -> tuple[CustomerCreditBalanceResponse, CustomerCreditBalanceResponse, bytes]:
        async with async_client_for(server) as client:
            balances = client.credit_entitlements.balances
            raw = await balances.with_raw_response.retrieve("cus_1", credit_entitlement_id="ce_1")
            assert raw.status_code == 200
            assert raw.headers["x-request-id"] == "req_9"
            parsed = await raw.parse()
            async with balances.with_streaming_response.retrieve("cus_1", credit_entitlement_id="ce_1") as response:
                assert response.headers["x-request-id"] == "req_9"
                streamed = await response.parse()
            assert response.http_response.is_closed
            async with balances.with_streaming_response.retrieve("cus_1", credit_entitlement_id="ce_1") as response:
                data = b"".join([chunk async for chunk in response.iter_bytes()])
            async with balances.with_streaming_response.retrieve("cus_1", credit_entitlement_id="ce_1") as unread:
                assert not unread.http_response.is_closed
            assert unread.http_response.is_closed
            return parsed, streamed, data

    server.reply(json=BALANCE, headers={"X-Request-Id": "req_9"}, times=4)
    parsed, streamed, data = asyncio.run(main())
    assert type(parsed) is CustomerCreditBalanceResponse and parsed.id == "cb_1"
    assert type(streamed) is CustomerCreditBalanceResponse and streamed.customer_id == "cus_1"
    assert json.loads(data) == BALANCE
    assert [r.target for r in server.requests] == [PATH] * 4


# 9. Client options


def test_bearer_token_from_the_environment(server: RecordingServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DODO_PAYMENTS_API_KEY", "tok_from_env")
    server.reply(json=BALANCE)
    with DodoPayments(base_url=server.url) as client:
        retrieve(client)
    assert server.requests[0].headers["authorization"] == "Bearer tok_from_env"


def test_an_explicit_bearer_token_wins_over_the_environment(
    server: RecordingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DODO_PAYMENTS_API_KEY", "tok_from_env")
    server.reply(json=BALANCE)
    with client_for(server) as client:
        retrieve(client)
    assert server.requests[0].headers["authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize("client_class", [DodoPayments, AsyncDodoPayments])
def test_a_missing_bearer_token_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, client_class: type[DodoPayments | AsyncDodoPayments]
) -> None:
    monkeypatch.delenv("DODO_PAYMENTS_API_KEY", raising=False)
    with pytest.raises(SDKError, match="DODO_PAYMENTS_API_KEY"):
        client_class(base_url="http://127.0.0.1:9")


def test_base_url_from_the_environment(server: RecordingServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DODO_PAYMENTS_BASE_URL", server.url)
    server.reply(json=BALANCE)
    with DodoPayments(bearer_token=TOKEN) as client:
        assert retrieve(client).id == "cb_1"
    assert [r.target for r in server.requests] == [PATH]


def test_a_base_url_with_a_path_prefix(server: RecordingServer) -> None:
    server.reply(json=BALANCE, times=2)
    for base_url in (server.url + "/api/v1", server.url + "/api/v1/"):
        with DodoPayments(bearer_token=TOKEN, base_url=base_url) as client:
            retrieve(client)
    assert [r.target for r in server.requests] == ["/api/v1" + PATH] * 2


@pytest.mark.parametrize(
    ("environment", "url"),
    [("live_mode", "https://live.dodopayments.com/"), ("test_mode", "https://test.dodopayments.com/")],
)
def test_environment_selects_the_server(monkeypatch: pytest.MonkeyPatch, environment: Any, url: str) -> None:
    monkeypatch.delenv("DODO_PAYMENTS_BASE_URL", raising=False)
    client = DodoPayments(bearer_token=TOKEN, environment=environment)
    assert client.base_url == httpx.URL(url)
    assert AsyncDodoPayments(bearer_token=TOKEN, environment=environment).base_url == httpx.URL(url)


def test_the_default_environment_is_the_first_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DODO_PAYMENTS_BASE_URL", raising=False)
    assert DodoPayments(bearer_token=TOKEN).base_url == httpx.URL("https://test.dodopayments.com/")
    assert list(dodo_payments.ENVIRONMENTS) == ["test_mode", "live_mode"]


def test_base_url_and_environment_together_are_an_error() -> None:
    with pytest.raises(ValueError, match="environment"):
        DodoPayments(bearer_token=TOKEN, base_url="http://127.0.0.1:9", environment="live_mode")


def test_an_unknown_environment_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DODO_PAYMENTS_BASE_URL", raising=False)
    with pytest.raises(ValueError, match="staging"):
        DodoPayments(bearer_token=TOKEN, environment="staging")  # type: ignore[arg-type]


def test_default_headers_are_sent(server: RecordingServer) -> None:
    server.reply(json=BALANCE, times=2)
    with client_for(server, default_headers={"X-Tenant": "t1"}) as client:
        retrieve(client)
        retrieve(client.with_options(default_headers={"X-Trace": "on"}))
    first, second = server.requests
    assert first.headers["x-tenant"] == "t1"
    assert "x-trace" not in first.headers
    assert (second.headers["x-tenant"], second.headers["x-trace"]) == ("t1", "on")
    assert second.headers["authorization"] == f"Bearer {TOKEN}"


def test_extra_headers_and_extra_query_are_sent(server: RecordingServer) -> None:
    server.reply(json=BALANCE, times=2)
    with client_for(server) as client:
        retrieve(client, extra_headers={"X-Idempotency": "abc"}, extra_query={"expand": "all", "n": 2, "on": True})
        retrieve(client)
    first, second = server.requests
    assert first.path == PATH
    assert parse_qsl(first.query) == [("expand", "all"), ("n", "2"), ("on", "true")]
    assert first.headers["x-idempotency"] == "abc"
    assert first.headers["authorization"] == f"Bearer {TOKEN}"
    # Per call only: nothing leaks into the next request.
    assert second.target == PATH
    assert "x-idempotency" not in second.headers

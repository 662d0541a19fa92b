"""Generated clients against a hostile server on 127.0.0.1: resets, hangs, trickled and malformed bodies, retry
storms, redirects, enum values and union members the client does not know, load. Each case asserts the exception
class (always an SDKError), how many attempts reached the server, and a generous bound on the elapsed time (not
a benchmark: a bound a broken deadline or retry policy would blow through).

The client is generated from specs/features/hostile.yaml (an Idempotency-Key header, typed error bodies, open
enums and a tagged union); "a POST without an idempotency header in the spec" uses feature_operations.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import httpx
import pytest

from tests.conftest import GENERATED
from tests.support.raw import RESET, RawRequest, RawServer, Step, answer, ok_json

sys.path.insert(0, str(GENERATED))

from feature_hostile import (  # noqa: E402
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AsyncFeatureHostile,
    BadRequestError,
    ClientClosedError,
    FeatureHostile,
    InternalServerError,
    InvalidRequestError,
    NotFoundError,
    RateLimitError,
    SDKError,
)
from feature_hostile._models import UnknownStr, UnknownVariant  # noqa: E402
from feature_hostile.types import Error, FixedPrice, Payment, ServerError  # noqa: E402
from feature_operations import FeatureOperations  # noqa: E402
from feature_operations import InternalServerError as OperationsServerError  # noqa: E402

PAYMENT = {"id": "pay_1", "status": "succeeded", "price": {"type": "fixed_price", "amount": 100}}
Respond = Callable[[int, RawRequest], Sequence[Step]]


@contextmanager
def hostile(respond: Respond, **options: object) -> Iterator[tuple[FeatureHostile, RawServer]]:
    with RawServer(respond) as server, FeatureHostile(base_url=server.url, **options) as client:  # type: ignore[arg-type]
        yield client, server


def always(steps: Sequence[Step]) -> Respond:
    return lambda n, request: steps


def then(*answers: Sequence[Step]) -> Respond:
    """The n-th request gets the n-th answer; later ones the last."""
    return lambda n, request: answers[min(n, len(answers) - 1)]


@contextmanager
def elapsed_under(seconds: float) -> Iterator[None]:
    started = time.monotonic()
    yield
    took = time.monotonic() - started
    assert took < seconds, f"took {took:.2f} s, expected under {seconds} s"


# --- the network breaks --------------------------------------------------------------------------------------


def test_reset_before_the_response_is_retried_then_raised_as_a_connection_error() -> None:
    with hostile(always([RESET])) as (client, server), elapsed_under(5):
        with pytest.raises(APIConnectionError) as caught:
            client.payments.retrieve("pay_1")
    assert not isinstance(caught.value, APITimeoutError)
    assert server.count == 3  # a GET: the first attempt and two retries


def test_reset_in_the_middle_of_the_body_is_a_connection_error() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
    with hostile(always([head + b'{"id": "pay', 0.05, RESET]), max_retries=1) as (client, server):
        with elapsed_under(5), pytest.raises(APIConnectionError):
            client.payments.retrieve("pay_1")
    assert server.count == 2


def test_a_server_that_accepts_and_hangs_is_cut_at_the_timeout() -> None:
    with hostile(always([30.0]), timeout=0.5, max_retries=0) as (client, server), elapsed_under(3):
        with pytest.raises(APITimeoutError):
            client.payments.retrieve("pay_1")
    assert server.count == 1


def test_a_trickled_body_is_cut_at_the_timeout_as_a_whole() -> None:
    """httpx's read timeout is per read: a byte every 0.1 s never trips it. The attempt's timeout does."""
    body = json.dumps({**PAYMENT, "id": "x" * 400}).encode()
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    steps: list[Step] = [head]
    for byte in body[:200]:  # 20 s if nothing cut it off
        steps += [bytes([byte]), 0.1]
    with hostile(always(steps), timeout=1.0, max_retries=0) as (client, server):
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            client.payments.retrieve("pay_1")
        took = time.monotonic() - started
    assert 0.9 < took < 3, took
    assert server.count == 1


def test_an_explicit_httpx_timeout_still_bounds_each_phase() -> None:
    with hostile(always([30.0]), timeout=httpx.Timeout(0.3), max_retries=0) as (client, server), elapsed_under(3):
        with pytest.raises(APITimeoutError):
            client.payments.retrieve("pay_1")
    assert server.count == 1


# --- bodies that do not match ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        pytest.param(
            answer(200, b'{"id": "pay_1", ', {"Content-Type": "application/json"}), "json_invalid", id="bad-json"
        ),
        pytest.param(answer(200, b"<html>oops</html>", {"Content-Type": "text/html"}), "json_invalid", id="html-200"),
        pytest.param(ok_json({"id": "pay_1", "status": "failed"}), "price", id="missing-field"),
    ],
)
def test_a_body_that_is_not_the_schema_is_a_validation_error(steps: list[Step], expected: str) -> None:
    with hostile(always(steps)) as (client, server), elapsed_under(3):
        with pytest.raises(APIResponseValidationError, match=expected):
            client.payments.retrieve("pay_1")
    assert server.count == 1  # a wrong body is not retried


def test_html_with_500_is_retried_then_raised_with_the_text() -> None:
    with hostile(always(answer(500, b"<html>down</html>", {"Content-Type": "text/html"}))) as (client, server):
        with elapsed_under(5), pytest.raises(InternalServerError) as caught:
            client.payments.retrieve("pay_1")
    assert caught.value.body == "<html>down</html>" and caught.value.parsed is None
    assert server.count == 3


def test_an_unknown_enum_value_is_kept() -> None:
    with hostile(always(ok_json({**PAYMENT, "status": "requires_3ds_v3", "currency": "gbp"}))) as (client, server):
        payment = client.payments.retrieve("pay_1")
    assert payment.status == "requires_3ds_v3" and isinstance(payment.status, UnknownStr)
    assert payment.currency == "gbp" and isinstance(payment.currency, UnknownStr)
    assert json.loads(payment.model_dump_json())["status"] == "requires_3ds_v3"
    assert server.count == 1


def test_an_unknown_union_tag_is_an_explicit_unknown_member() -> None:
    price = {"type": "tiered_price", "tiers": [1, 2]}
    with hostile(always(ok_json({**PAYMENT, "price": price}))) as (client, server):
        payment = client.payments.retrieve("pay_1")
    assert isinstance(payment.price, UnknownVariant) and not isinstance(payment.price, FixedPrice)
    assert payment.price.tag == "tiered_price" and payment.price.raw == price
    assert server.count == 1


# --- retries -----------------------------------------------------------------------------------------------------


def test_500_then_200_is_retried() -> None:
    with hostile(then(ok_json({"incident": "i"}, 500), ok_json(PAYMENT))) as (client, server), elapsed_under(3):
        assert client.payments.retrieve("pay_1").id == "pay_1"
    assert server.count == 2


def test_429_with_a_small_retry_after_waits_that_long() -> None:
    limited = answer(429, b"", {"Retry-After": "0.3"})
    with hostile(then(limited, ok_json(PAYMENT))) as (client, server):
        started = time.monotonic()
        client.payments.retrieve("pay_1")
        took = time.monotonic() - started
    assert 0.3 <= took < 3 and server.count == 2


def test_429_with_an_absurd_retry_after_is_not_obeyed() -> None:
    limited = answer(429, b"", {"Retry-After": "86400"})
    with hostile(always(limited), max_retries=1) as (client, server), elapsed_under(3):
        with pytest.raises(RateLimitError):
            client.payments.retrieve("pay_1")
    assert server.count == 2


def test_503_forever_gives_up_after_max_retries() -> None:
    with hostile(always(answer(503, b""))) as (client, server), elapsed_under(5):
        with pytest.raises(InternalServerError):
            client.payments.retrieve("pay_1")
    assert server.count == 3


def test_the_deadline_bounds_all_attempts_and_waits() -> None:
    busy = answer(503, b"", {"Retry-After": "0.4"})
    with hostile(always(busy), max_retries=50, deadline=1.0) as (client, server), elapsed_under(2):
        with pytest.raises(InternalServerError):
            client.payments.retrieve("pay_1")
    assert 2 <= server.count <= 4


def test_the_retry_policy_is_set_per_client_and_per_call() -> None:
    with hostile(always(answer(503, b"")), max_retries=0) as (client, server):
        with pytest.raises(InternalServerError):
            client.payments.retrieve("pay_1")
        assert server.count == 1
        with pytest.raises(InternalServerError):
            client.with_options(max_retries=1).payments.retrieve("pay_1")
        assert server.count == 3


def test_a_post_with_an_idempotency_header_in_the_spec_is_retried_with_one_key() -> None:
    with hostile(then(ok_json({"incident": "i"}, 500), ok_json(PAYMENT))) as (client, server), elapsed_under(3):
        assert client.payments.create(amount=1, currency="usd").id == "pay_1"
    first, second = server.requests
    assert server.count == 2
    key = first.headers["idempotency-key"]
    assert key and second.headers["idempotency-key"] == key
    with hostile(always(ok_json(PAYMENT))) as (client, server):
        client.payments.create(amount=1, currency="usd")
        client.payments.create(amount=1, currency="usd", idempotency_key="mine")
    assert server.requests[0].headers["idempotency-key"] not in (key, "mine")  # one key per logical call
    assert server.requests[1].headers["idempotency-key"] == "mine"  # overridable per call


def test_a_post_without_an_idempotency_header_is_not_resent_after_a_500_or_a_reset() -> None:
    def login(client: FeatureOperations) -> object:
        return client.login.create(username="u", password="p")

    for steps, error in ((ok_json({}, 500), OperationsServerError), ([RESET], Exception)):
        with RawServer(then(steps, ok_json({"token": "t"}))) as server:
            with FeatureOperations(base_url=server.url, api_key="k") as client, elapsed_under(3):
                with pytest.raises(error) as caught:
                    login(client)
            assert server.count == 1, steps  # it may have been done: a second one could do it twice
            assert type(caught.value).__module__.startswith("feature_operations")


def test_a_post_that_never_left_is_resent() -> None:
    """Nothing listens on the port: the connection is refused, so the request provably never arrived."""
    with RawServer(always([])) as server:
        url = server.url  # closed when the block ends: a port nothing listens on
    sent: list[httpx.Request] = []
    http = httpx.Client(event_hooks={"request": [sent.append]})
    client = FeatureOperations(base_url=url, api_key="k", http_client=http)
    with elapsed_under(5), pytest.raises(Exception) as caught:
        client.login.create(username="u", password="p")
    assert type(caught.value).__name__ == "APIConnectionError" and len(sent) == 3
    http.close()


def test_a_post_is_resent_when_the_server_says_so() -> None:
    for busy in (answer(503, b"", {"Retry-After": "0"}), answer(500, b"", {"x-should-retry": "true"})):
        with RawServer(then(busy, ok_json({"token": "t"}))) as server:
            with FeatureOperations(base_url=server.url, api_key="k") as client, elapsed_under(3):
                assert client.login.create(username="u", password="p").token == "t"
            assert server.count == 2


# --- redirects ------------------------------------------------------------------------------------------------------


def redirecting(status: int) -> Respond:
    def respond(n: int, request: RawRequest) -> Sequence[Step]:
        if request.target.startswith("/moved"):
            return ok_json({**PAYMENT, "id": f"{request.method} {request.body.decode()}"})
        return answer(status, b"", {"Location": "/moved"})

    return respond


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_get_follows_every_redirect(status: int) -> None:
    with hostile(redirecting(status)) as (client, server):
        assert client.payments.retrieve("pay_1").id == "GET "
    assert server.count == 2


@pytest.mark.parametrize("status", [307, 308])
def test_a_post_follows_a_redirect_that_keeps_the_method(status: int) -> None:
    with hostile(redirecting(status)) as (client, server):
        payment = client.payments.create(amount=5, currency="eur")
    assert payment.id == 'POST {"amount":5,"currency":"eur"}'
    assert server.count == 2


@pytest.mark.parametrize("status", [301, 302, 303])
def test_a_post_is_not_turned_into_a_get_by_a_redirect(status: int) -> None:
    with hostile(redirecting(status)) as (client, server):
        with pytest.raises(APIStatusError) as caught:
            client.payments.create(amount=5, currency="eur")
    assert caught.value.status_code == status
    assert server.count == 1


@pytest.mark.parametrize("status", [300, 302, 304])
def test_a_redirect_that_cannot_be_followed_is_an_error_not_a_result(status: int) -> None:
    """No Location (or a 304 to a request that asked for no cache): nothing to follow, and no result either."""
    with hostile(always(answer(status, b"", {}))) as (client, server):
        with pytest.raises(APIStatusError) as caught:
            client.payments.retrieve("pay_1")
    assert caught.value.status_code == status
    assert server.count == 1


# --- typed error bodies ------------------------------------------------------------------------------------------


def test_an_error_body_is_parsed_into_the_type_the_operation_declares() -> None:
    error = {"code": "card_declined", "message": "no"}
    with hostile(always(ok_json(error, 400))) as (client, server):
        with pytest.raises(BadRequestError) as bad:
            client.payments.create(amount=1, currency="usd")
    assert isinstance(bad.value.parsed, Error) and bad.value.parsed.code == "card_declined"
    assert bad.value.body == error
    with hostile(always(ok_json({"incident": "inc_9"}, 502)), max_retries=0) as (client, server):
        with pytest.raises(InternalServerError) as failed:
            client.payments.create(amount=1, currency="usd")
    assert isinstance(failed.value.parsed, ServerError) and failed.value.parsed.incident == "inc_9"  # by 5XX
    with hostile(then(ok_json(error, 404), ok_json({"unexpected": 1}, 404))) as (client, server):
        with pytest.raises(NotFoundError) as missing:
            client.payments.retrieve("pay_1")
        assert isinstance(missing.value.parsed, Error)
        with pytest.raises(NotFoundError) as odd:
            client.payments.retrieve("pay_1")
    assert odd.value.parsed is None and odd.value.body == {"unexpected": 1}  # not the schema: raised all the same


# --- every failure is an SDKError ----------------------------------------------------------------------------


def test_every_failure_a_call_meets_is_an_sdk_error() -> None:
    with RawServer(always(ok_json(PAYMENT))) as server:
        closed = FeatureHostile(base_url=server.url)
        closed.close()
        garbled = answer(200, b"not gzip at all", {"Content-Type": "application/json", "Content-Encoding": "gzip"})
        cases: list[tuple[Callable[[], object], type[SDKError]]] = [
            (lambda: closed.payments.retrieve("pay_1"), ClientClosedError),
            (lambda: FeatureHostile(base_url="http://[::1").payments.retrieve("x"), InvalidRequestError),
            (lambda: FeatureHostile(base_url="ftp://127.0.0.1").payments.retrieve("x"), APIConnectionError),
            (lambda: FeatureHostile(base_url=server.url).payments.retrieve(""), InvalidRequestError),
            (lambda: client().payments.create(amount=float("nan"), currency="usd"), InvalidRequestError),  # type: ignore[arg-type]
            (lambda: client().payments.create(amount={1}, currency="usd"), InvalidRequestError),  # type: ignore[arg-type]
            (lambda: client(extra={"X-Bad": "\n"}).payments.retrieve("x"), SDKError),
        ]

        def client(extra: dict[str, str] | None = None) -> FeatureHostile:
            return FeatureHostile(base_url=server.url, default_headers=extra, max_retries=0)

        for call, expected in cases:
            with pytest.raises(expected):
                call()
        assert server.count == 0  # none of them sent anything
    with RawServer(always(garbled)) as server, elapsed_under(3):
        with pytest.raises(APIResponseValidationError, match="decode"):
            FeatureHostile(base_url=server.url).payments.retrieve("pay_1")
    with RawServer(always(answer(302, b"", {"Location": "/again"}))) as server, elapsed_under(3):
        with pytest.raises(APIConnectionError, match="redirect"):
            FeatureHostile(base_url=server.url).payments.retrieve("pay_1")
    with hostile(always([RESET])) as (client_, server):
        with pytest.raises(SDKError):
            client_.with_options(max_retries=0).payments.create(amount=1, currency="usd")


def test_a_call_after_close_is_an_sdk_error_for_async_clients_too() -> None:
    async def main() -> None:
        client = AsyncFeatureHostile(base_url="http://127.0.0.1:9")
        await client.close()
        with pytest.raises(ClientClosedError):
            await client.payments.retrieve("pay_1")

    asyncio.run(main())


# --- logging ----------------------------------------------------------------------------------------------------------


def test_log_env_var_logs_each_attempt_with_credentials_redacted(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("FEATURE_HOSTILE_LOG", "debug")
    secrets = {"Authorization": "Bearer s3cret-token", "Cookie": "session=s3cret-cookie", "X-API-Key": "s3cret-key"}
    log = logging.getLogger("feature_hostile")
    handlers = list(log.handlers)
    try:
        with caplog.at_level(logging.DEBUG, logger="feature_hostile"):
            with hostile(then(answer(503, b"", {"Retry-After": "0"}), ok_json(PAYMENT)), default_headers=secrets) as (
                client,
                server,
            ):
                url = server.url
                client.payments.retrieve("pay_1")
    finally:  # the client turned the package's logger on for the process: turned off again for other tests
        log.handlers = handlers
        log.setLevel(logging.NOTSET)
    text = caplog.text
    assert "GET " + url + "/payments/pay_1 -> 503 (attempt 1," in text
    assert "-> 200 (attempt 2," in text
    assert "s3cret" not in text and text.count("[redacted]") >= 6
    assert server.requests[0].headers["authorization"] == "Bearer s3cret-token"  # redacted in the log only


# --- size and load --------------------------------------------------------------------------------------------------


def test_a_50_mb_body_keeps_peak_memory_bounded() -> None:
    """In a fresh interpreter, so the peak RSS is the call's and not the test session's."""
    body = json.dumps({**PAYMENT, "id": "x" * (50 * 1024 * 1024)}).encode()
    with RawServer(always(answer(200, body, {"Content-Type": "application/json"}))) as server:
        script = (
            "import resource, sys; sys.path.insert(0, sys.argv[1]); from feature_hostile import FeatureHostile\n"
            "p = FeatureHostile(base_url=sys.argv[2]).payments.retrieve('pay_1'); assert len(p.id) == 50 * 2**20\n"
            # VmHWM, not ru_maxrss: the kernel folds the spawning pytest worker's own peak into the child's
            # ru_maxrss at exec, which under xdist is larger than the call's.
            "hwm = [line for line in open('/proc/self/status') if line.startswith('VmHWM:')]\n"
            "print(int(hwm[0].split()[1]) // 1024 if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)"
        )
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-c", script, str(GENERATED), server.url],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        took = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    peak_mb = int(result.stdout.strip())
    assert peak_mb < 400, peak_mb  # the body, its text and the model's string: about three copies
    assert took < 30, took


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts file descriptors through /proc")
def test_32_threads_of_100_calls_share_one_client_without_leaking() -> None:
    before_fds, before_threads = open_fds(), threading.active_count()
    with RawServer(always(ok_json(PAYMENT))) as server:
        with FeatureHostile(base_url=server.url) as client, elapsed_under(60):
            errors: list[BaseException] = []

            def work() -> None:
                try:
                    for _ in range(100):
                        assert client.payments.retrieve("pay_1").id == "pay_1"
                except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                    errors.append(exc)

            threads = [threading.Thread(target=work) for _ in range(32)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
        assert not errors, errors[:3]
        assert server.count == 3200
    assert open_fds() <= before_fds and threading.active_count() <= before_threads


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts file descriptors through /proc")
def test_1000_concurrent_async_calls_without_leaking() -> None:
    """Slow (30-50 s on 2 busy cores) because httpcore's pool scans every queued request for each connection
    event (quadratic: bare httpx.AsyncClient hits PoolTimeout at 1,000). The timeout allows for that wait."""
    before = open_fds()

    async def main(url: str) -> list[Payment]:
        async with AsyncFeatureHostile(base_url=url, timeout=240) as client:
            return await asyncio.gather(*(client.payments.retrieve(f"pay_{i}") for i in range(1000)))

    with RawServer(always(ok_json(PAYMENT))) as server, elapsed_under(240):
        payments = asyncio.run(main(server.url))
        assert len(payments) == 1000 and server.count == 1000
    assert open_fds() <= before

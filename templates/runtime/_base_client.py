from __future__ import annotations

import contextvars
import dataclasses
import email.utils
import logging
import math
import os
import random
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypedDict, TypeVar, cast
from urllib.parse import quote, quote_plus

import httpx

from ._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    ClientClosedError,
    InvalidRequestError,
    status_error,
)
from ._files import file_parts
from ._qs import DeepObject, Delimited, JsonParam, QueryPairs, add_query, form_value
from ._security import Auth, ClientCredentials, Scheme, Security, basic, choose
from ._serialize import dumps, read_bytes, to_str
from ._types import NOT_GIVEN, BinaryContent, Body, Headers, NotGiven, Query, Timeout

if TYPE_CHECKING:
    # pydantic is imported on first use, not with the package: `import <package>` stays fast.
    import pydantic
    from typing_extensions import Self, Unpack  # noqa: UP035 - typing has Self from 3.11; checkers may run as 3.10

    from ._error_body import APIErrorBody
    from ._pagination import AsyncPage, AsyncPaginator, Paging, SyncPage
    from ._streaming import AsyncStream, Stream

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "AsyncAPIClient",
    "DeepObject",
    "Delimited",
    "JsonParam",
    "Pagination",
    "RequestArgs",
    "RequestOptions",
    "SyncAPIClient",
    "path_template",
]

T = TypeVar("T")
M = TypeVar("M")
_HttpxClientT = TypeVar("_HttpxClientT", httpx.Client, httpx.AsyncClient)

# A number bounds each attempt as a whole, body included; an httpx.Timeout bounds each network phase instead.
DEFAULT_TIMEOUT: Timeout = 60.0
DEFAULT_MAX_RETRIES = 2
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
# A Retry-After longer than this is not obeyed: the normal backoff applies instead.
MAX_RETRY_AFTER = 60.0
RETRYABLE_STATUSES = frozenset({408, 409, 429})
# Sending these twice does no more than sending them once (RFC 9110, 9.2.2); others are resent only when safe.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
# A redirect that keeps the method and the body; 301/302/303 turn a request into a GET, which a non-GET call
# must not do silently.
_SAME_METHOD_REDIRECTS = frozenset({307, 308})
# Never logged as they are: what a credential travels in.
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key"})
# Characters a cookie value may hold as they are (RFC 6265 cookie-octet); others are percent-encoded.
_COOKIE_SAFE = "!#$&'()*+-./:<=>?@[]^_`{|}~"

# Turns the parsed result of a call into what it returns (a page), given the HTTP response it came in.
Post = Callable[[Any, httpx.Response], Any]

# Set by the raw/streaming response wrappers (see _response.py) around one call; read by `request`.
response_mode: contextvars.ContextVar[str] = contextvars.ContextVar("response_mode", default="parsed")


async def _async_sleep(seconds: float) -> None:
    import asyncio  # only async clients need it, and it is costly to import

    await asyncio.sleep(seconds)


def path_template(template: str, **values: object) -> str:
    """Fill a path template, percent-encoding each value so no id can change the path.

    `/` `?` `#` are encoded; a value that is exactly `.` or `..` is encoded too, since URL normalisation
    would otherwise treat it as a path step.
    """
    encoded: dict[str, str] = {}
    for name, value in values.items():
        # An array is sent in simple style: its items joined by commas.
        raw: object = value  # declared, so the negative isinstance below leaves it `object`
        if isinstance(raw, (list, tuple)):
            text = ",".join(to_str(item) for item in cast(Sequence[object], raw))
        else:
            text = to_str(raw)
        if not text:
            raise InvalidRequestError(f"Expected a non-empty value for `{name}` but received {value!r}")
        text = quote(text, safe="")
        if text in (".", ".."):
            text = text.replace(".", "%2E")
        encoded[name] = text
    return template.format_map(encoded)


class RequestArgs(TypedDict, total=False):
    """The keywords of `request` and `get_page` that describe the request: the fields of RequestOptions."""

    query: Mapping[str, object] | None
    headers: Mapping[str, object] | None
    cookies: Mapping[str, object] | None
    json: object
    data: Mapping[str, object] | None
    files: Mapping[str, object] | None
    content: object
    extra_headers: Headers | None
    extra_query: Query | None
    extra_body: Body | None
    timeout: Timeout | NotGiven
    security: Security | None
    errors: Mapping[str, Any] | None


@dataclass(frozen=True)
class RequestOptions:
    """One call as the resource method describes it, built once: every attempt (a retry, a renewed token)
    builds its request from it, and the next page is a copy with another page number."""

    method: str
    path: str
    query: Mapping[str, object] | None = None
    headers: Mapping[str, object] | None = None
    cookies: Mapping[str, object] | None = None
    json: object = NOT_GIVEN
    data: Mapping[str, object] | None = None
    files: Mapping[str, object] | None = None
    content: object = None
    extra_headers: Headers | None = None
    extra_query: Query | None = None
    extra_body: Body | None = None
    timeout: Timeout | NotGiven = NOT_GIVEN
    security: Security | None = None  # None: the client's default requirement
    # Error status ("404", "4XX", "default") -> the type the spec gives its body; the error's `parsed` holds it.
    errors: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Pagination(Generic[M, T]):
    """How a list reads its pages: the response type, its items, and the kind of pagination (see _pagination)."""

    cast_to: type[M]
    items: Callable[[M], Sequence[T] | None]
    paging: Paging


@dataclass
class _Attempts:
    """Where one call stands: the retries it has used, whether it has renewed a fetched token, and the
    time.monotonic() instants the call and its current attempt must end by."""

    deadline: float
    retries: int = 0
    renewed: bool = False
    started: float = 0.0
    attempt_deadline: float = math.inf


class _DeadlineStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body that raises ReadTimeout once its attempt's time is up: httpx's read timeout bounds
    each read, so a server that trickles a byte at a time would otherwise never be cut off."""

    def __init__(self, stream: httpx.SyncByteStream | httpx.AsyncByteStream, deadline: float, request: httpx.Request):
        self._stream = stream
        self._deadline = deadline
        self._request = request

    def _check(self) -> None:
        if time.monotonic() > self._deadline:
            raise httpx.ReadTimeout("The response took longer than the timeout", request=self._request)

    def __iter__(self) -> Iterator[bytes]:
        for chunk in cast(httpx.SyncByteStream, self._stream):
            self._check()
            yield chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in cast(httpx.AsyncByteStream, self._stream):
            self._check()
            yield chunk

    def close(self) -> None:
        cast(httpx.SyncByteStream, self._stream).close()

    async def aclose(self) -> None:
        await cast(httpx.AsyncByteStream, self._stream).aclose()


class _BaseClient(Generic[_HttpxClientT]):
    webhook_key: str | None = None  # set by clients of APIs that sign the webhooks they send
    _new_http_client: Callable[..., _HttpxClientT]  # the class of the connection pool made when none is passed

    def __init__(
        self,
        *,
        base_url: str | httpx.URL,
        headers: Mapping[str, str],
        security_schemes: Mapping[str, Scheme],
        security: Security,
        timeout: Timeout,
        max_retries: int,
        http_client: _HttpxClientT | None,
        deadline: float | None = None,
        idempotency_header: str | None = None,
        log_env: str | None = None,
    ) -> None:
        if max_retries < 0:
            raise ValueError(f"max_retries must be 0 or more, got {max_retries!r}")
        try:
            self.base_url = httpx.URL(str(base_url))
        except httpx.InvalidURL as exc:
            raise InvalidRequestError(f"base_url {str(base_url)!r} is not a URL: {exc}") from exc
        self.timeout = timeout
        self.max_retries = max_retries
        self.deadline = deadline  # seconds for a whole call: every attempt and every wait between them
        self.idempotency_header = idempotency_header
        self._log = _logger(log_env)
        self._base = str(base_url).rstrip("/")
        self._headers = dict(headers)
        self._security_schemes = security_schemes
        self._security = security
        # Client-credentials tokens by (scheme, scopes): the token and the time.monotonic() it is renewed at.
        self._tokens: dict[tuple[ClientCredentials, tuple[str, ...]], tuple[str, float]] = {}
        self._owns_http_client = http_client is None
        self._http_client: _HttpxClientT = (
            http_client if http_client is not None else self._new_http_client(follow_redirects=True)
        )

    def _start(self, options: RequestOptions) -> tuple[RequestOptions, _Attempts]:
        """The call as its attempts send it (with its idempotency key), and its deadline; refuses a closed
        client before anything else, as httpx would with a bare RuntimeError."""
        if self._http_client.is_closed:
            raise ClientClosedError(f"{options.method} {options.path}: the client is closed")
        deadline = math.inf if self.deadline is None else time.monotonic() + self.deadline
        header = self.idempotency_header
        if header is None or options.method in IDEMPOTENT_METHODS:
            return options, _Attempts(deadline)
        given = {
            k.lower()
            for source in (options.headers, options.extra_headers)
            if source
            for k, v in source.items()
            if v is not NOT_GIVEN
        }
        if header.lower() in given:
            return options, _Attempts(deadline)
        # One key per logical call: every retry sends the same one, so the server can tell them apart from a
        # second call.
        key = {header: str(uuid.uuid4())}
        return dataclasses.replace(options, headers={**(options.headers or {}), **key}), _Attempts(deadline)

    def _timeout(self, options: RequestOptions, attempts: _Attempts) -> httpx.Timeout:
        """httpx's per-phase timeout for this attempt; a number also sets the attempt's deadline, which the
        body is read within. Neither outlasts the call's deadline."""
        timeout = self.timeout if isinstance(options.timeout, NotGiven) else options.timeout
        now = time.monotonic()
        left = attempts.deadline - now
        attempts.started = now
        if isinstance(timeout, httpx.Timeout):
            attempts.attempt_deadline = attempts.deadline
            if math.isinf(left):
                return timeout
            phases = (timeout.connect, timeout.read, timeout.write, timeout.pool)
            connect, read, write, pool = (left if t is None else min(t, left) for t in phases)
            return httpx.Timeout(connect=connect, read=read, write=write, pool=pool)
        whole = min(math.inf if timeout is None else float(timeout), left)
        attempts.attempt_deadline = now + whole
        return httpx.Timeout(None if math.isinf(whole) else max(whole, 0.0))

    def _choose(self, options: RequestOptions) -> list[tuple[Scheme, tuple[str, ...]]]:
        """The schemes this call sends, by its security (None: the client's default); raises
        MissingCredentialsError before anything is sent when no alternative has all its credentials."""
        return choose(
            self._security_schemes,
            self._security if options.security is None else options.security,
            lambda option: getattr(self, option) is not None,
            f"{options.method} {options.path}",
        )

    def _values(self, scheme: Scheme) -> list[object]:
        return [getattr(self, option) for option in scheme.options]

    def _cached_token(self, key: tuple[ClientCredentials, tuple[str, ...]]) -> str | None:
        found = self._tokens.get(key)
        return found[0] if found is not None and time.monotonic() < found[1] else None

    def _token_request(self, scheme: ClientCredentials, scopes: tuple[str, ...]) -> httpx.Request:
        form = {"grant_type": "client_credentials"}
        if scopes:
            form["scope"] = " ".join(scopes)
        # RFC 6749, section 2.3.1: the client authenticates with HTTP Basic, each part form-encoded first.
        client_id, client_secret = (quote_plus(str(getattr(self, o))) for o in (scheme.client_id, scheme.client_secret))
        return self._http_client.build_request(
            "POST",
            httpx.URL(self._base + "/").join(scheme.token_url),
            data=form,
            headers={"Authorization": basic(client_id, client_secret), "Accept": "application/json"},
            timeout=self.timeout,
        )

    def _store_token(self, key: tuple[ClientCredentials, tuple[str, ...]], response: httpx.Response) -> str:
        if response.status_code >= 400:
            raise status_error(response, _error_body(response))
        answer = _error_body(response)
        fields = cast(dict[str, object], answer) if isinstance(answer, dict) else {}
        token = fields.get("access_token")
        if not isinstance(token, str) or not token:
            raise APIResponseValidationError(
                response, None, message=f"The token endpoint {response.request.url} answered without an access_token"
            )
        renew_at = math.inf  # no lifetime given: used until the API answers 401
        try:
            lifetime = float(cast(str, fields["expires_in"]))
        except (KeyError, TypeError, ValueError):
            pass
        else:
            # Renewed a little early (a tenth of its life, at most a minute), so it does not expire in flight.
            renew_at = time.monotonic() + lifetime - min(lifetime / 10, 60.0)
        self._tokens[key] = (token, renew_at)
        return token

    def _build_request(self, options: RequestOptions, auth: Auth, attempts: _Attempts) -> httpx.Request:
        try:
            return self._make_request(options, auth, self._timeout(options, attempts))
        except (TypeError, ValueError, httpx.InvalidURL) as exc:
            # A body JSON cannot hold (a set, NaN), a header value that is not text, a URL httpx refuses.
            raise InvalidRequestError(f"{options.method} {options.path}: cannot build the request: {exc}") from exc

    def _make_request(self, options: RequestOptions, auth: Auth, timeout: httpx.Timeout) -> httpx.Request:
        headers, cookies = options.headers, options.cookies
        merged_headers = self._headers
        if auth.headers or auth.cookies or headers or options.extra_headers or cookies:
            # Default headers come after the credentials' (they may replace one), call headers after both.
            merged_headers = {**auth.headers, **merged_headers}
            if headers:
                merged_headers.update({k: to_str(v) for k, v in headers.items() if v is not NOT_GIVEN})
            # A cookie or query parameter the call gives itself is sent instead of a credential of that name.
            given = {**auth.cookies, **{k: v for k, v in (cookies or {}).items() if v is not NOT_GIVEN}}
            pairs = [f"{k}={quote(to_str(v), safe=_COOKIE_SAFE)}" for k, v in given.items()]
            if pairs:
                existing = merged_headers.get("Cookie")  # from default_headers
                merged_headers["Cookie"] = "; ".join(([existing] if existing else []) + pairs)
            if options.extra_headers:
                merged_headers.update(options.extra_headers)
        params: QueryPairs = []
        query, extra_query = options.query, options.extra_query
        taken = {k for source in (query, extra_query) if source for k, v in source.items() if v is not NOT_GIVEN}
        for source in ({k: v for k, v in auth.query.items() if k not in taken}, query, extra_query):
            if source:
                for key, value in source.items():
                    add_query(params, key, value)
        content, json, extra_body = options.content, options.json, options.extra_body
        body: bytes | str | None = None if content is None or content is NOT_GIVEN else read_bytes(content)
        if json is not NOT_GIVEN:
            if isinstance(json, dict):
                # Keyword arguments left out are not sent; extra_body adds to (and overrides) the rest.
                fields = cast(dict[str, object], json)
                json = {**{k: v for k, v in fields.items() if v is not NOT_GIVEN}, **(extra_body or {})}
            body = dumps(json, allow_nan=False).encode()
            merged_headers = {**merged_headers, "Content-Type": "application/json"}
        form = None
        if options.data is not None:
            form = {k: form_value(v) for k, v in options.data.items() if v is not NOT_GIVEN}
            if extra_body:
                form.update({k: form_value(v) for k, v in extra_body.items()})
        return self._http_client.build_request(
            options.method,
            self._base + options.path,
            params=params or None,
            headers=merged_headers,
            content=body,
            data=form,
            files=file_parts(options.files) if options.files is not None else None,
            timeout=timeout,
        )

    def _after_attempt(
        self, attempts: _Attempts, request: httpx.Request, outcome: httpx.Response | httpx.TransportError, auth: Auth
    ) -> httpx.Response | float:
        """The response when it is final (the result, or an error to raise), else the seconds to wait before
        the next attempt; raises when no response came and none will. Sync and async calls share it, so their
        loops differ only by `await`."""
        self._log_attempt(attempts, request, outcome, auth)
        if isinstance(outcome, httpx.Response):
            if outcome.status_code == 401 and auth.fetched and not attempts.renewed:
                # The API refused a fetched token (revoked, or expired early): fetch a new one, once, at once;
                # that is not a retry.
                attempts.renewed = True
                for key in auth.fetched:
                    self._tokens.pop(key, None)
                return 0.0
            if outcome.status_code < 400 or not _should_retry(outcome):
                return outcome
            if not (_may_resend(request, outcome) or self._keyed(request)):
                return outcome
            delay = _retry_delay(attempts.retries, outcome)
            if not self._time_for_another(attempts, delay):
                return outcome
        elif isinstance(outcome, (httpx.LocalProtocolError, httpx.UnsupportedProtocol)):
            # The request cannot be sent at all (an illegal header value, a base URL without http(s)://):
            # every attempt would fail the same way, so say why at once instead of retrying.
            raise APIConnectionError(message=f"The request could not be sent: {outcome}", request=request) from outcome
        else:
            delay = _retry_delay(attempts.retries, None)
            resend = _may_resend(request, outcome) or self._keyed(request)
            if not resend or not self._time_for_another(attempts, delay):
                if isinstance(outcome, httpx.TimeoutException):
                    raise APITimeoutError(request) from outcome
                raise APIConnectionError(message=f"Connection error: {outcome!r}", request=request) from outcome
        attempts.retries += 1
        return delay

    def _keyed(self, request: httpx.Request) -> bool:
        """Whether the request carries an idempotency key, so the server does it once however often it is sent."""
        return self.idempotency_header is not None and self.idempotency_header in request.headers

    def _time_for_another(self, attempts: _Attempts, delay: float) -> bool:
        return attempts.retries < self.max_retries and time.monotonic() + delay < attempts.deadline

    def _log_attempt(
        self, attempts: _Attempts, request: httpx.Request, outcome: httpx.Response | httpx.TransportError, auth: Auth
    ) -> None:
        if not self._log.isEnabledFor(logging.INFO):
            return
        secrets = {name.lower() for name in auth.headers} | _SECRET_HEADERS
        url = (
            request.url.copy_with(
                params=[(k, "[redacted]" if k in auth.query else v) for k, v in request.url.params.multi_items()]
            )
            if auth.query
            else request.url
        )
        result = str(outcome.status_code) if isinstance(outcome, httpx.Response) else repr(outcome)
        elapsed = time.monotonic() - attempts.started
        self._log.info("%s %s -> %s (attempt %d, %.3f s)", request.method, url, result, attempts.retries + 1, elapsed)
        if self._log.isEnabledFor(logging.DEBUG):
            self._log.debug("request headers: %s", _redacted(request.headers, secrets))
            if isinstance(outcome, httpx.Response):
                self._log.debug("response headers: %s", _redacted(outcome.headers, secrets))

    @staticmethod
    def _result(
        response: httpx.Response,
        errors: Mapping[str, Any] | None,
        mode: str,
        parse: Callable[[httpx.Response], T],
        wrap: Callable[[httpx.Response, Callable[[httpx.Response], T]], object],
    ) -> T:
        """What the call returns for its final response: raised as an error, parsed, or wrapped unparsed for
        `with_raw_response`/`with_streaming_response` (whose `.parse()` does the same)."""
        if response.status_code >= 400 or response.is_redirect:
            # A redirect that reaches here was not followed: a 301/302/303 answering a call that is not a GET.
            body = _error_body(response)
            raise status_error(response, body, _parsed_error(response.status_code, body, errors))
        return parse(response) if mode == "parsed" else cast(T, wrap(response, parse))


def _parser(cast_to: type[T], post: Post | None) -> Callable[[httpx.Response], T]:
    """Decode the body into `cast_to`, then pass it through `post` (which turns a list's response into a page)."""
    if post is None:
        return lambda response: parse_response(response, cast_to)
    return lambda response: cast(T, post(parse_response(response, cast_to), response))


def _retry_delay(attempt: int, response: httpx.Response | None) -> float:
    if response is not None:
        retry_after = _retry_after(response.headers)
        if retry_after is not None and 0 <= retry_after <= MAX_RETRY_AFTER:
            return retry_after
    delay = min(INITIAL_RETRY_DELAY * 2.0**attempt, MAX_RETRY_DELAY)
    return delay * (1 - 0.25 * random.random())


def _may_resend(request: httpx.Request, outcome: httpx.Response | httpx.TransportError) -> bool:
    """Whether sending the request again cannot do twice what it asks: its method is idempotent, it provably
    never left (no connection was made), or the server says to retry (429/503 with Retry-After, or
    `x-should-retry: true`). An idempotency key also makes it safe; the caller checks that."""
    if request.method in IDEMPOTENT_METHODS:
        return True
    if isinstance(outcome, httpx.TransportError):
        return isinstance(outcome, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))
    if outcome.headers.get("x-should-retry") == "true":
        return True
    return outcome.status_code in (429, 503) and _retry_after(outcome.headers) is not None


def _logger(env_var: str | None) -> logging.Logger:
    """The package's logger; `<PREFIX>_LOG=info|debug` turns it on (with a handler to stderr if it has none)."""
    log = logging.getLogger(__name__.rpartition(".")[0] or __name__)
    level = {"info": logging.INFO, "debug": logging.DEBUG}.get(os.environ.get(env_var or "", "").lower())
    if level is not None:
        log.setLevel(level)
        if not log.handlers:
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
            log.addHandler(handler)
    return log


def _redacted(headers: httpx.Headers, secrets: set[str]) -> dict[str, str]:
    return {k: "[redacted]" if k.lower() in secrets else v for k, v in headers.items()}


def _follows(request: httpx.Request) -> bool:
    """GET and HEAD follow every redirect; other methods only those that keep the method (see `_send`)."""
    return request.method in ("GET", "HEAD")


def _should_retry(response: httpx.Response) -> bool:
    override: str | None = response.headers.get("x-should-retry")
    if override in ("true", "false"):
        return override == "true"
    return response.status_code in RETRYABLE_STATUSES or response.status_code >= 500


def parse_response(response: httpx.Response, cast_to: type[T]) -> T:
    """Decode a successful response into `cast_to`: a model, a JSON type, bytes, str, or None."""
    import pydantic

    result: object
    try:
        if cast_to is type(None):
            result = None
        elif cast_to is BinaryContent:
            result = BinaryContent(response.content)
        elif cast_to is str:
            result = response.text
        elif isinstance(cast_to, type) and issubclass(cast_to, pydantic.BaseModel):  # pyright: ignore[reportUnnecessaryIsInstance]  # list[X] is not a class
            result = cast_to.model_validate_json(response.content)
        else:
            result = _adapter(cast_to).validate_json(response.content or b"null")
    except pydantic.ValidationError as exc:
        raise APIResponseValidationError(
            response,
            _error_body(response),
            message=f"{response.request.method} {response.request.url}: response does not match the schema: {exc}",
        ) from exc
    return cast(T, result)


_adapters: dict[object, pydantic.TypeAdapter[Any]] = {}


def _adapter(cast_to: type[T]) -> pydantic.TypeAdapter[T]:
    import pydantic

    adapter = _adapters.get(cast_to)
    if adapter is None:
        adapter = _adapters[cast_to] = pydantic.TypeAdapter(cast_to)
    return adapter


def _parsed_error(status: int, body: object | None, errors: Mapping[str, Any] | None) -> APIErrorBody | None:
    """The error body as the type the spec declares for its status (exact, then `4XX`, then `default`); None
    when it declares none or the body does not match it (the error is raised all the same)."""
    import pydantic

    declared = errors or {}
    error_type = next((declared[k] for k in (str(status), f"{status // 100}XX", "default") if k in declared), None)
    if error_type is None or body is None:
        return None
    try:
        return cast("APIErrorBody", _adapter(error_type).validate_python(body))
    except pydantic.ValidationError:
        return None


def _error_body(response: httpx.Response) -> object | None:
    if not response.content:
        return None
    try:
        return cast(object, response.json())
    except ValueError:
        return response.text


def _retry_after(headers: httpx.Headers) -> float | None:
    """Seconds to wait, from `retry-after-ms`, or `retry-after` as seconds or as an HTTP date."""
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return float(value) * scale
        except ValueError:
            pass
        if name == "retry-after":
            date = email.utils.parsedate_tz(value)
            if date is not None:
                return float(email.utils.mktime_tz(date) - time.time())
    return None


class SyncAPIClient(_BaseClient[httpx.Client]):
    _new_http_client = httpx.Client

    def _authenticate(self, chosen: list[tuple[Scheme, tuple[str, ...]]]) -> Auth:
        """Credential values are read on every attempt, so a callable token can rotate between them."""
        auth = Auth()
        for scheme, scopes in chosen:
            if isinstance(scheme, ClientCredentials) and getattr(self, scheme.token) is None:
                key = (scheme, scopes)
                scheme.apply(auth, [self._cached_token(key) or self._fetch_token(key)])
                auth.fetched.append(key)
            else:
                scheme.apply(auth, [str(value() if callable(value) else value) for value in self._values(scheme)])
        return auth

    def _fetch_token(self, key: tuple[ClientCredentials, tuple[str, ...]]) -> str:
        request = self._token_request(*key)
        try:
            response = self._http_client.send(request)
        except httpx.TransportError as exc:
            raise APIConnectionError(request=request) from exc
        return self._store_token(key, response)

    def request(self, method: str, path: str, *, cast_to: type[T], **options: Unpack[RequestArgs]) -> T:
        """Send the request, retrying as configured, and return the parsed result."""
        return self._request(RequestOptions(method, path, **options), _parser(cast_to, None))

    def _request(
        self, options: RequestOptions, parse: Callable[[httpx.Response], T], streamed: bool = False
    ) -> T:
        """`streamed`: the body is read by `parse` as it arrives (a Stream), not before."""
        mode = response_mode.get()
        options, attempts = self._start(options)
        chosen = self._choose(options)
        while True:
            auth = self._authenticate(chosen)
            request = self._build_request(options, auth, attempts)
            outcome = self._send(request, mode, attempts, streamed)
            after = self._after_attempt(attempts, request, outcome, auth)
            if isinstance(after, httpx.Response):
                from ._response import APIResponse

                return self._result(after, options.errors, mode, parse, APIResponse)
            if isinstance(outcome, httpx.Response):
                outcome.close()
            time.sleep(after)

    def _send(
        self, request: httpx.Request, mode: str, attempts: _Attempts, streamed: bool
    ) -> httpx.Response | httpx.TransportError:
        """One attempt: the response (its body read unless streamed, within the attempt's deadline), or the
        transport error that ended it."""
        http = self._http_client
        try:
            response = http.send(request, stream=True, follow_redirects=_follows(request))
            for _ in range(http.max_redirects):
                if response.next_request is None or response.status_code not in _SAME_METHOD_REDIRECTS:
                    break
                response.close()
                response = http.send(response.next_request, stream=True, follow_redirects=False)
        except httpx.TransportError as exc:
            return exc
        except httpx.HTTPError as exc:  # too many redirects
            raise APIConnectionError(message=f"{exc}", request=request) from exc
        if (mode == "stream" or streamed) and response.status_code < 300:
            return response
        response.stream = _DeadlineStream(response.stream, attempts.attempt_deadline, request)
        try:
            response.read()
        except httpx.TransportError as exc:
            return exc
        except httpx.DecodingError as exc:
            raise APIResponseValidationError(response, None, message=f"Cannot decode the response: {exc}") from exc
        finally:
            response.close()
        return response

    def get_page(
        self,
        path: str,
        *,
        cast_to: type[M],
        items: Callable[[M], Sequence[T] | None],
        paging: Paging,
        **options: Unpack[RequestArgs],
    ) -> SyncPage[T]:
        """GET one page of a list; the page knows how to fetch the next one."""
        return self._page(RequestOptions("GET", path, **options), Pagination(cast_to, items, paging), frozenset())

    def _page(self, options: RequestOptions, pagination: Pagination[Any, T], seen: frozenset[str]) -> SyncPage[T]:
        from ._pagination import SyncPage

        # `post` turns the parsed response into the page (or, for a raw response, does so on `.parse()`).
        def page(response: object, http_response: httpx.Response) -> SyncPage[T]:
            return SyncPage(response, http_response, options, pagination, self._page, self._base, seen)

        return cast("SyncPage[T]", self._request(options, _parser(pagination.cast_to, page)))

    def request_stream(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[T],
        decode: str,
        done: str = "",
        events: Mapping[str, type[Any]] | None = None,
        **options: Unpack[RequestArgs],
    ) -> Stream[Any]:
        """Send the request and return its response's items as they arrive (`decode`: sse, jsonl or json-seq; for
        server-sent events, `cast_to` is each event's data, `events` that of the events it names, and `done` the data
        that ends the stream, if any)."""
        from ._streaming import Decoder, Stream

        def items(response: httpx.Response) -> Stream[Any]:
            return Stream(response, Decoder(decode, cast_to, done, events or {}))

        return self._request(RequestOptions(method, path, **options), items, streamed=True)

    def close(self) -> None:
        """Close the connection pool, unless it belongs to an `http_client` the caller passed in."""
        if self._owns_http_client:
            self._http_client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, exc_tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncAPIClient(_BaseClient[httpx.AsyncClient]):
    _new_http_client = httpx.AsyncClient

    async def _authenticate(self, chosen: list[tuple[Scheme, tuple[str, ...]]]) -> Auth:
        """Credential values are read on every attempt, so a callable token can rotate between them."""
        auth = Auth()
        for scheme, scopes in chosen:
            if isinstance(scheme, ClientCredentials) and getattr(self, scheme.token) is None:
                key = (scheme, scopes)
                scheme.apply(auth, [self._cached_token(key) or await self._fetch_token(key)])
                auth.fetched.append(key)
            else:
                scheme.apply(auth, [str(await _resolved(value)) for value in self._values(scheme)])
        return auth

    async def _fetch_token(self, key: tuple[ClientCredentials, tuple[str, ...]]) -> str:
        request = self._token_request(*key)
        try:
            response = await self._http_client.send(request)  # the body is read: the call is not streamed
        except httpx.TransportError as exc:
            raise APIConnectionError(request=request) from exc
        return self._store_token(key, response)

    async def request(self, method: str, path: str, *, cast_to: type[T], **options: Unpack[RequestArgs]) -> T:
        """Send the request, retrying as configured, and return the parsed result."""
        return await self._request(RequestOptions(method, path, **options), _parser(cast_to, None))

    async def _request(
        self, options: RequestOptions, parse: Callable[[httpx.Response], T], streamed: bool = False
    ) -> T:
        """`streamed`: the body is read by `parse` as it arrives (a Stream), not before."""
        mode = response_mode.get()
        options, attempts = self._start(options)
        chosen = self._choose(options)
        while True:
            auth = await self._authenticate(chosen)
            request = self._build_request(options, auth, attempts)
            outcome = await self._send(request, mode, attempts, streamed)
            after = self._after_attempt(attempts, request, outcome, auth)
            if isinstance(after, httpx.Response):
                from ._response import AsyncAPIResponse

                return self._result(after, options.errors, mode, parse, AsyncAPIResponse)
            if isinstance(outcome, httpx.Response):
                await outcome.aclose()
            await _async_sleep(after)

    async def _send(
        self, request: httpx.Request, mode: str, attempts: _Attempts, streamed: bool
    ) -> httpx.Response | httpx.TransportError:
        """The async twin of SyncAPIClient._send."""
        http = self._http_client
        try:
            response = await http.send(request, stream=True, follow_redirects=_follows(request))
            for _ in range(http.max_redirects):
                if response.next_request is None or response.status_code not in _SAME_METHOD_REDIRECTS:
                    break
                await response.aclose()
                response = await http.send(response.next_request, stream=True, follow_redirects=False)
        except httpx.TransportError as exc:
            return exc
        except httpx.HTTPError as exc:  # too many redirects
            raise APIConnectionError(message=f"{exc}", request=request) from exc
        if (mode == "stream" or streamed) and response.status_code < 300:
            return response
        response.stream = _DeadlineStream(response.stream, attempts.attempt_deadline, request)
        try:
            await response.aread()
        except httpx.TransportError as exc:
            return exc
        except httpx.DecodingError as exc:
            raise APIResponseValidationError(response, None, message=f"Cannot decode the response: {exc}") from exc
        finally:
            await response.aclose()
        return response

    def get_page(
        self,
        path: str,
        *,
        cast_to: type[M],
        items: Callable[[M], Sequence[T] | None],
        paging: Paging,
        **options: Unpack[RequestArgs],
    ) -> AsyncPaginator[T]:
        """GET one page of a list: await the result for the page, or `async for` over it."""
        from ._pagination import AsyncPaginator

        first = RequestOptions("GET", path, **options)
        pagination = Pagination(cast_to, items, paging)
        return AsyncPaginator(lambda: self._page(first, pagination, frozenset()))

    async def _page(
        self, options: RequestOptions, pagination: Pagination[Any, T], seen: frozenset[str]
    ) -> AsyncPage[T]:
        from ._pagination import AsyncPage

        def page(response: object, http_response: httpx.Response) -> AsyncPage[T]:
            return AsyncPage(response, http_response, options, pagination, self._page, self._base, seen)

        return cast("AsyncPage[T]", await self._request(options, _parser(pagination.cast_to, page)))

    async def request_stream(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[T],
        decode: str,
        done: str = "",
        events: Mapping[str, type[Any]] | None = None,
        **options: Unpack[RequestArgs],
    ) -> AsyncStream[Any]:
        """The async twin of `SyncAPIClient.request_stream`: await it for the stream, then `async for` over it."""
        from ._streaming import AsyncStream, Decoder

        def items(response: httpx.Response) -> AsyncStream[Any]:
            return AsyncStream(response, Decoder(decode, cast_to, done, events or {}))

        return await self._request(RequestOptions(method, path, **options), items, streamed=True)

    async def close(self) -> None:
        """Close the connection pool, unless it belongs to an `http_client` the caller passed in."""
        if self._owns_http_client:
            await self._http_client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, exc_tb: TracebackType | None
    ) -> None:
        await self.close()


async def _resolved(value: object) -> object:
    """A credential option of the async client: a callable is asked, and what it answers awaited if need be."""
    import inspect

    if callable(value):
        value = value()
        if inspect.isawaitable(value):
            value = await value
    return value



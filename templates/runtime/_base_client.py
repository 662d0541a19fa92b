from __future__ import annotations

import contextvars
import email.utils
import math
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypedDict, TypeVar, cast
from urllib.parse import quote, quote_plus

import httpx

from ._exceptions import APIConnectionError, APIResponseValidationError, APITimeoutError, status_error
from ._files import file_parts
from ._qs import DeepObject, Delimited, JsonParam, QueryPairs, add_query, form_value
from ._security import Auth, ClientCredentials, Scheme, Security, basic, choose
from ._serialize import dumps, read_bytes, to_str
from ._types import NOT_GIVEN, BinaryContent, Body, Headers, NotGiven, Query, Timeout

if TYPE_CHECKING:
    # pydantic is imported on first use, not with the package: `import <package>` stays fast.
    from typing import Self

    import pydantic
    from typing_extensions import Unpack

    from ._pagination import AsyncPage, AsyncPaginator, SyncPage

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

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
# A Retry-After longer than this is not obeyed: the normal backoff applies instead.
MAX_RETRY_AFTER = 60.0
RETRYABLE_STATUSES = frozenset({408, 409, 429})
# Characters a cookie value may hold as they are (RFC 6265 cookie-octet); others are percent-encoded.
_COOKIE_SAFE = "!#$&'()*+-./:<=>?@[]^_`{|}~"

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
            raise ValueError(f"Expected a non-empty value for `{name}` but received {value!r}")
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


@dataclass(frozen=True)
class Pagination(Generic[M, T]):
    """How a page-numbered list reads its pages: the response type, its items, and the page parameter."""

    cast_to: type[M]
    items: Callable[[M], Sequence[T] | None]
    page_param: str
    # Left out, the first page is the API's default, which the spec says is `first_page`: the request carries
    # only what the caller passed, like any other call.
    first_page: int


@dataclass
class _Attempts:
    """Where one call stands: the retries it has used, and whether it has renewed a fetched token."""

    retries: int = 0
    renewed: bool = False


class _BaseClient(Generic[_HttpxClientT]):
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
    ) -> None:
        if max_retries < 0:
            raise ValueError(f"max_retries must be 0 or more, got {max_retries!r}")
        self.base_url = httpx.URL(str(base_url))
        self.timeout = timeout
        self.max_retries = max_retries
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

    def _build_request(self, options: RequestOptions, auth: Auth) -> httpx.Request:
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
            timeout=self.timeout if isinstance(options.timeout, NotGiven) else options.timeout,
        )

    def _after_attempt(
        self, attempts: _Attempts, request: httpx.Request, outcome: httpx.Response | httpx.TransportError, auth: Auth
    ) -> httpx.Response | float:
        """The response when it is final (the result, or an error to raise), else the seconds to wait before
        the next attempt; raises when no response came and none will. Sync and async calls share it, so their
        loops differ only by `await`."""
        if isinstance(outcome, httpx.Response):
            if outcome.status_code == 401 and auth.fetched and not attempts.renewed:
                # The API refused a fetched token (revoked, or expired early): fetch a new one, once, at once;
                # that is not a retry.
                attempts.renewed = True
                for key in auth.fetched:
                    self._tokens.pop(key, None)
                return 0.0
            if outcome.status_code < 400 or attempts.retries >= self.max_retries or not _should_retry(outcome):
                return outcome
            delay = _retry_delay(attempts.retries, outcome)
        elif isinstance(outcome, (httpx.LocalProtocolError, httpx.UnsupportedProtocol)):
            # The request cannot be sent at all (an illegal header value, a base URL without http(s)://):
            # every attempt would fail the same way, so say why at once instead of retrying.
            raise APIConnectionError(message=f"The request could not be sent: {outcome}", request=request) from outcome
        elif attempts.retries >= self.max_retries:
            if isinstance(outcome, httpx.TimeoutException):
                raise APITimeoutError(request) from outcome
            raise APIConnectionError(request=request) from outcome
        else:
            delay = _retry_delay(attempts.retries, None)
        attempts.retries += 1
        return delay

    @staticmethod
    def _result(
        response: httpx.Response,
        mode: str,
        cast_to: type[T],
        post: Callable[[Any], Any] | None,
        wrap: Callable[[httpx.Response, type[T], Callable[[Any], Any] | None], object],
    ) -> T:
        """What the call returns for its final response: raised as an error, parsed (and passed through
        `post`), or wrapped unparsed for `with_raw_response`/`with_streaming_response`."""
        if response.status_code >= 400:
            raise status_error(response, _error_body(response))
        if mode == "parsed":
            result = parse_response(response, cast_to)
            return cast(T, post(result)) if post is not None else result
        return cast(T, wrap(response, cast_to, post))


def _retry_delay(attempt: int, response: httpx.Response | None) -> float:
    if response is not None:
        retry_after = _retry_after(response.headers)
        if retry_after is not None and 0 <= retry_after <= MAX_RETRY_AFTER:
            return retry_after
    delay = min(INITIAL_RETRY_DELAY * 2.0**attempt, MAX_RETRY_DELAY)
    return delay * (1 - 0.25 * random.random())


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
        return self._request(RequestOptions(method, path, **options), cast_to, None)

    def _request(self, options: RequestOptions, cast_to: type[T], post: Callable[[Any], Any] | None) -> T:
        mode = response_mode.get()
        chosen = self._choose(options)
        attempts = _Attempts()
        while True:
            auth = self._authenticate(chosen)
            request = self._build_request(options, auth)
            try:
                outcome: httpx.Response | httpx.TransportError = self._http_client.send(
                    request, stream=mode == "stream"
                )
            except httpx.TransportError as exc:
                outcome = exc
            after = self._after_attempt(attempts, request, outcome, auth)
            if isinstance(after, httpx.Response):
                if after.status_code >= 400:
                    after.read()
                from ._response import APIResponse

                return self._result(after, mode, cast_to, post, APIResponse)
            if isinstance(outcome, httpx.Response):
                outcome.close()
            time.sleep(after)

    def get_page(
        self,
        path: str,
        *,
        cast_to: type[M],
        items: Callable[[M], Sequence[T] | None],
        page_param: str,
        first_page: int,
        **options: Unpack[RequestArgs],
    ) -> SyncPage[T]:
        """GET one page of a page-numbered list; the page knows how to fetch the next one."""
        return self._page(RequestOptions("GET", path, **options), Pagination(cast_to, items, page_param, first_page))

    def _page(self, options: RequestOptions, pagination: Pagination[Any, T]) -> SyncPage[T]:
        from ._pagination import SyncPage

        # `post` turns the parsed response into the page (or, for a raw response, does so on `.parse()`).
        def page(response: object) -> SyncPage[T]:
            return SyncPage(response, options, pagination, self._page)

        return cast("SyncPage[T]", self._request(options, pagination.cast_to, page))

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
        return await self._request(RequestOptions(method, path, **options), cast_to, None)

    async def _request(self, options: RequestOptions, cast_to: type[T], post: Callable[[Any], Any] | None) -> T:
        mode = response_mode.get()
        chosen = self._choose(options)
        attempts = _Attempts()
        while True:
            auth = await self._authenticate(chosen)
            request = self._build_request(options, auth)
            try:
                outcome: httpx.Response | httpx.TransportError = await self._http_client.send(
                    request, stream=mode == "stream"
                )
            except httpx.TransportError as exc:
                outcome = exc
            after = self._after_attempt(attempts, request, outcome, auth)
            if isinstance(after, httpx.Response):
                if after.status_code >= 400:
                    await after.aread()
                from ._response import AsyncAPIResponse

                return self._result(after, mode, cast_to, post, AsyncAPIResponse)
            if isinstance(outcome, httpx.Response):
                await outcome.aclose()
            await _async_sleep(after)

    def get_page(
        self,
        path: str,
        *,
        cast_to: type[M],
        items: Callable[[M], Sequence[T] | None],
        page_param: str,
        first_page: int,
        **options: Unpack[RequestArgs],
    ) -> AsyncPaginator[T]:
        """GET one page of a page-numbered list: await the result for the page, or `async for` over it."""
        from ._pagination import AsyncPaginator

        first = RequestOptions("GET", path, **options)
        pagination = Pagination(cast_to, items, page_param, first_page)
        return AsyncPaginator(lambda: self._page(first, pagination))

    async def _page(self, options: RequestOptions, pagination: Pagination[Any, T]) -> AsyncPage[T]:
        from ._pagination import AsyncPage

        def page(response: object) -> AsyncPage[T]:
            return AsyncPage(response, options, pagination, self._page)

        return cast("AsyncPage[T]", await self._request(options, pagination.cast_to, page))

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



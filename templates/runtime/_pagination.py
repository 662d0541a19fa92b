from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast
from urllib.parse import parse_qsl, urlsplit

import httpx

from ._exceptions import PaginationError

if TYPE_CHECKING:
    from ._base_client import Pagination, RequestOptions

__all__ = ["AsyncPage", "AsyncPaginator", "Cursor", "NextUrl", "Offset", "PageNumber", "Paging", "SyncPage"]

T = TypeVar("T")
F = TypeVar("F")


def dig(value: object, path: tuple[str, ...]) -> object:
    """The value at `path` (attribute names of models, keys of mappings) inside `value`, or None."""
    for step in path:
        if isinstance(value, Mapping):
            value = cast(Mapping[str, object], value).get(step)
        else:
            value = getattr(value, step, None)
        if value is None:
            return None
    return value


# Each kind of pagination is a strategy: from one page, the request of the next (None: this is the last page)
# and the key that identifies it (a cursor, a URL; "" when the kind cannot repeat itself, like page numbers).
Next = tuple["RequestOptions", str] | None


@dataclass(frozen=True)
class PageNumber:
    """`?page=N`: the next page is N + 1, until a page comes back empty."""

    param: str
    # Left out, the first page is the API's default, which the spec says is `first`: the first request carries
    # only what the caller passed, like any other call.
    first: int = 1

    def next(self, page: _BasePage[Any, Any]) -> Next:
        if not page.items:
            return None
        given = page.query.get(self.param)
        number = given if isinstance(given, int) and not isinstance(given, bool) else self.first
        return page.with_query({self.param: number + 1}), ""


@dataclass(frozen=True)
class Offset:
    """`?offset=N&limit=L`: the next page starts after this one's items, until a page is empty, shorter than the
    limit asked for, or reaches the response's total."""

    param: str
    limit: str = ""  # the page-size parameter
    total: tuple[str, ...] = ()  # where the response says how many items there are in all

    def next(self, page: _BasePage[Any, Any]) -> Next:
        given = page.query.get(self.param)
        after = (given if isinstance(given, int) else 0) + len(page.items)
        limit = page.query.get(self.limit)
        total = dig(page.response, self.total) if self.total else None
        if not page.items or (isinstance(limit, int) and len(page.items) < limit):
            return None
        if isinstance(total, int) and after >= total:
            return None
        return page.with_query({self.param: after}), ""


@dataclass(frozen=True)
class Cursor:
    """`?cursor=X`: the next page's cursor is in the response (`token`) or is the last item's (`item_token`,
    as `starting_after=<id>`), until there is none or the response says the list is `done` (or has no `more`)."""

    param: str
    token: tuple[str, ...] = ()
    item_token: tuple[str, ...] = ()
    done: tuple[str, ...] = ()  # a boolean that is true on the last page
    more: tuple[str, ...] = ()  # a boolean that is true while another page follows

    def next(self, page: _BasePage[Any, Any]) -> Next:
        if (self.done and dig(page.response, self.done) is True) or (
            self.more and dig(page.response, self.more) is not True
        ):
            return None
        if self.item_token:
            token = dig(page.items[-1], self.item_token) if page.items else None
        else:
            token = dig(page.response, self.token)
        if token is None or token == "":
            return None
        if token == page.query.get(self.param):
            raise PaginationError(f"The API gave {self.param}={token} as the next page of itself; stopped")
        return page.with_query({self.param: token}), f"{self.param}={token}"


@dataclass(frozen=True)
class NextUrl:
    """The next page's URL, from the response (`body`, e.g. `next` or `links.next`) or, when `body` is empty,
    from the `Link` header's `rel="next"` (RFC 8288), until there is none."""

    body: tuple[str, ...] = ()

    def next(self, page: _BasePage[Any, Any]) -> Next:
        url = dig(page.response, self.body) if self.body else _link_next(page.http_response.headers)
        if not isinstance(url, str) or not url:
            return None
        return page.at_url(url)


Paging = PageNumber | Offset | Cursor | NextUrl

_LINK = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,]+)*)")


def _link_next(headers: httpx.Headers) -> str | None:
    for value in headers.get_list("link"):
        for match in _LINK.finditer(value):
            params = {
                key.strip().lower(): val.strip().strip('"')
                for key, _, val in (part.partition("=") for part in match.group(2).split(";") if part.strip())
            }
            if "next" in params.get("rel", "").lower().split():
                return match.group(1)
    return None


class _BasePage(Generic[T, F]):
    """One page of a list; `items` holds this page's items only, and iterating the page yields every item of
    every page from this one on, fetching the next page when the current one is used up.

    The next request is the first one's (headers, timeout, every option) with only the pagination changed, so no
    page is skipped; a cursor or URL the list already gave ends it with a PaginationError instead of looping, and
    so does a page whose body the list already gave (a server that ignores the page number or offset).
    """

    def __init__(
        self,
        response: Any,
        http_response: httpx.Response,
        options: RequestOptions,
        pagination: Pagination[Any, T],
        fetch: Callable[[RequestOptions, Pagination[Any, T], frozenset[str]], F],
        base_url: str,
        seen: frozenset[str],
    ) -> None:
        self.items = list(pagination.items(response) or [])
        self.response = response
        """The whole parsed response of this page."""
        self.http_response = http_response
        self._options = options
        self._pagination = pagination
        self._fetch = fetch
        self._base_url = base_url
        self._seen = seen
        self._body = "body:" + hashlib.sha256(http_response.content).hexdigest()
        if self.items and self._body in seen:
            raise PaginationError(
                "The API answered with the same page as before (does it ignore the page number or offset?);"
                " stopped instead of looping"
            )
        self._following: Next | PaginationError
        try:
            self._following = pagination.paging.next(self)
        except PaginationError as exc:  # raised when the next page is asked for: this page's items are good
            self._following = exc

    @property
    def query(self) -> Mapping[str, object]:
        return self._options.query or {}

    def with_query(self, changes: Mapping[str, object]) -> RequestOptions:
        return dataclasses.replace(self._options, query={**self.query, **changes})

    def at_url(self, url: str) -> tuple[RequestOptions, str]:
        """The request of a URL the API gave: relative ones resolved against this page's; only URLs under the
        client's base URL are followed, so credentials never go to another host."""
        absolute = str(self.http_response.request.url.join(url))
        if absolute == str(self.http_response.request.url):
            raise PaginationError(f"The API gave {absolute!r} as the next page of itself; stopped")
        rest = absolute[len(self._base_url) :]
        if not absolute.startswith(self._base_url) or rest[:1] not in ("", "/", "?"):
            raise PaginationError(f"The next page's URL {absolute!r} is not under the base URL {self._base_url!r}")
        parts = urlsplit(rest)
        query: dict[str, list[str]] = {}
        for key, value in parse_qsl(parts.query, keep_blank_values=True):
            query.setdefault(key, []).append(value)
        extra = {k: v for k, v in (self._options.extra_query or {}).items() if k not in query}
        options = dataclasses.replace(self._options, path=parts.path, query=query, extra_query=extra or None)
        return options, absolute

    def has_next_page(self) -> bool:
        return self._following is not None

    def _next(self) -> F:
        if self._following is None:
            raise PaginationError("This is the last page; check has_next_page() first")
        if isinstance(self._following, PaginationError):
            raise self._following
        options, key = self._following
        if key and key in self._seen:
            raise PaginationError(f"The API gave {key!r} as the next page again; stopped instead of looping")
        # A page number or offset never repeats itself, but a server that ignores it repeats the page: such a page
        # is known by its body.
        return self._fetch(options, self._pagination, self._seen | {key or self._body})

    def __repr__(self) -> str:
        return f"<{type(self).__name__} items={len(self.items)} has_next_page={self.has_next_page()}>"

    if not TYPE_CHECKING:
        # Code written for the official SDKs reads the response's fields off the page (`page.data`, `page.done`);
        # at run time that works, while type checkers see only the typed way, `page.response.data`.
        def __getattr__(self, name: str) -> Any:
            response = self.__dict__.get("response")
            if response is None or name.startswith("_"):
                raise AttributeError(name)
            return getattr(response, name)


class SyncPage(_BasePage[T, "SyncPage[T]"]):
    def get_next_page(self) -> SyncPage[T]:
        return self._next()

    def iter_pages(self) -> Iterator[SyncPage[T]]:
        page = self
        yield page
        while page.has_next_page():
            page = page.get_next_page()
            yield page

    def __iter__(self) -> Iterator[T]:
        for page in self.iter_pages():
            yield from page.items


class AsyncPage(_BasePage[T, "Awaitable[AsyncPage[T]]"]):
    """`async for item in page` walks every item of every following page."""

    async def get_next_page(self) -> AsyncPage[T]:
        return await self._next()

    async def iter_pages(self) -> AsyncIterator[AsyncPage[T]]:
        page = self
        yield page
        while page.has_next_page():
            page = await page.get_next_page()
            yield page

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.iter_pages():
            for item in page.items:
                yield item


class AsyncPaginator(Generic[T]):
    """What a list method of the async client returns: `await` it for the first page, or `async for` over it
    to walk every item of every page (`.iter_pages()` walks the pages)."""

    def __init__(self, first_page: Callable[[], Awaitable[AsyncPage[T]]]) -> None:
        self._first_page = first_page

    def __await__(self) -> Generator[Any, None, AsyncPage[T]]:
        return self._first_page().__await__()

    async def __aiter__(self) -> AsyncIterator[T]:
        page = await self
        async for item in page:
            yield item

    async def iter_pages(self) -> AsyncIterator[AsyncPage[T]]:
        page = await self
        async for each in page.iter_pages():
            yield each

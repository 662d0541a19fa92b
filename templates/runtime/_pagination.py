from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from ._base_client import Pagination, RequestOptions

__all__ = ["AsyncPage", "AsyncPaginator", "SyncPage"]

T = TypeVar("T")
F = TypeVar("F")


class _BasePage(Generic[T, F]):
    """One page of a page-numbered list; `items` holds this page's items only, and iterating the page yields
    every item of every page from this one on, fetching the next page when the current one is used up.

    Pages are numbered as the API numbers them, and the next page is always `page_number + 1`: a page is
    never skipped. The list ends at the first empty page.
    """

    def __init__(
        self,
        response: Any,
        options: RequestOptions,
        pagination: Pagination[Any, T],
        fetch: Callable[[RequestOptions, Pagination[Any, T]], F],
    ) -> None:
        self.items = list(pagination.items(response) or [])
        self.response = response
        """The whole parsed response of this page."""
        given = (options.query or {}).get(pagination.page_param)
        self.page_number = given if isinstance(given, int) and not isinstance(given, bool) else pagination.first_page
        self._options = options
        self._pagination = pagination
        self._fetch = fetch

    def has_next_page(self) -> bool:
        return bool(self.items)

    def _next(self) -> F:
        if not self.has_next_page():
            raise RuntimeError("This is the last page; check has_next_page() first")
        query = {**(self._options.query or {}), self._pagination.page_param: self.page_number + 1}
        return self._fetch(dataclasses.replace(self._options, query=query), self._pagination)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} page_number={self.page_number} items={len(self.items)}>"


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
    to walk every item of every page."""

    def __init__(self, first_page: Callable[[], Awaitable[AsyncPage[T]]]) -> None:
        self._first_page = first_page

    def __await__(self) -> Generator[Any, None, AsyncPage[T]]:
        return self._first_page().__await__()

    async def __aiter__(self) -> AsyncIterator[T]:
        page = await self
        async for item in page:
            yield item

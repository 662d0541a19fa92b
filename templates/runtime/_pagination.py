from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from typing import Any, Generic, TypeVar

__all__ = ["AsyncPage", "AsyncPaginator", "SyncPage"]

T = TypeVar("T")


class SyncPage(Generic[T]):
    """One page of a page-numbered list. Iterating it yields every item of every page from this one on,
    fetching the next page when the current one is used up; `items` holds this page's items only.

    Pages are numbered as the API numbers them, and the next page is always `page_number + 1`: a page is
    never skipped. The list ends at the first empty page.
    """

    def __init__(self, items: list[T], response: Any, page_number: int, fetch: Callable[[int], SyncPage[T]]) -> None:
        self.items = items
        self.response = response
        """The whole parsed response of this page."""
        self.page_number = page_number
        self._fetch = fetch

    def has_next_page(self) -> bool:
        return bool(self.items)

    def get_next_page(self) -> SyncPage[T]:
        if not self.has_next_page():
            raise RuntimeError("This is the last page; check has_next_page() first")
        return self._fetch(self.page_number + 1)

    def iter_pages(self) -> Iterator[SyncPage[T]]:
        page = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = page.get_next_page()

    def __iter__(self) -> Iterator[T]:
        for page in self.iter_pages():
            yield from page.items

    def __repr__(self) -> str:
        return f"<{type(self).__name__} page_number={self.page_number} items={len(self.items)}>"


class AsyncPage(Generic[T]):
    """The async twin of `SyncPage`: `async for item in page` walks every item of every following page."""

    def __init__(
        self, items: list[T], response: Any, page_number: int, fetch: Callable[[int], Awaitable[AsyncPage[T]]]
    ) -> None:
        self.items = items
        self.response = response
        """The whole parsed response of this page."""
        self.page_number = page_number
        self._fetch = fetch

    def has_next_page(self) -> bool:
        return bool(self.items)

    async def get_next_page(self) -> AsyncPage[T]:
        if not self.has_next_page():
            raise RuntimeError("This is the last page; check has_next_page() first")
        return await self._fetch(self.page_number + 1)

    async def iter_pages(self) -> AsyncIterator[AsyncPage[T]]:
        page = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = await page.get_next_page()

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.iter_pages():
            for item in page.items:
                yield item

    def __repr__(self) -> str:
        return f"<{type(self).__name__} page_number={self.page_number} items={len(self.items)}>"


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

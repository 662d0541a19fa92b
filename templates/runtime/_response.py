from __future__ import annotations

import functools
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Generator, Iterator
from contextlib import AbstractAsyncContextManager, AbstractContextManager, asynccontextmanager, contextmanager
from typing import Generic, ParamSpec, TypeVar, cast

import httpx

from ._base_client import response_mode

__all__ = [
    "APIResponse",
    "AsyncAPIResponse",
    "async_to_raw_response_wrapper",
    "async_to_streamed_response_wrapper",
    "to_raw_response_wrapper",
    "to_streamed_response_wrapper",
]

P = ParamSpec("P")
R = TypeVar("R")


class _BaseAPIResponse(Generic[R]):
    def __init__(self, http_response: httpx.Response, parse: Callable[[httpx.Response], R]) -> None:
        self.http_response = http_response
        self._parse = parse

    def _parsed(self) -> R:
        return self._parse(self.http_response)

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def url(self) -> httpx.URL:
        return self.http_response.url

    @property
    def request(self) -> httpx.Request:
        return self.http_response.request

    def __repr__(self) -> str:
        return f"<{type(self).__name__} [{self.status_code}] {self.request.method} {self.url}>"


class APIResponse(_BaseAPIResponse[R]):
    """The HTTP response of a call, before parsing: status, headers, body, and `parse()` for the typed result."""

    def parse(self) -> R:
        self.http_response.read()
        return self._parsed()

    def read(self) -> bytes:
        return self.http_response.read()

    def text(self) -> str:
        self.http_response.read()
        return self.http_response.text

    def json(self) -> object:
        self.http_response.read()
        return cast(object, self.http_response.json())

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        return self.http_response.iter_bytes(chunk_size)

    def close(self) -> None:
        self.http_response.close()


class AsyncAPIResponse(_BaseAPIResponse[R]):
    """The async twin of `APIResponse`."""

    async def parse(self) -> R:
        await self.http_response.aread()
        return self._parsed()

    async def read(self) -> bytes:
        return await self.http_response.aread()

    async def text(self) -> str:
        await self.http_response.aread()
        return self.http_response.text

    async def json(self) -> object:
        await self.http_response.aread()
        return cast(object, self.http_response.json())

    def iter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        return self.http_response.aiter_bytes(chunk_size)

    async def close(self) -> None:
        await self.http_response.aclose()


def to_raw_response_wrapper(method: Callable[P, R]) -> Callable[P, APIResponse[R]]:
    """The same call, returning the `APIResponse` (body already read) instead of the parsed result."""

    @functools.wraps(method)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> APIResponse[R]:
        token = response_mode.set("raw")
        try:
            return cast(APIResponse[R], method(*args, **kwargs))
        finally:
            response_mode.reset(token)

    return wrapped


def async_to_raw_response_wrapper(method: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[AsyncAPIResponse[R]]]:
    @functools.wraps(method)
    async def wrapped(*args: P.args, **kwargs: P.kwargs) -> AsyncAPIResponse[R]:
        token = response_mode.set("raw")
        try:
            return cast(AsyncAPIResponse[R], await method(*args, **kwargs))
        finally:
            response_mode.reset(token)

    return wrapped


def to_streamed_response_wrapper(method: Callable[P, R]) -> Callable[P, AbstractContextManager[APIResponse[R]]]:
    """The same call as a context manager whose `APIResponse` body is read only on demand (`iter_bytes()`)."""

    @contextmanager
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> Generator[APIResponse[R], None, None]:
        token = response_mode.set("stream")
        try:
            response = cast(APIResponse[R], method(*args, **kwargs))
        finally:
            response_mode.reset(token)
        try:
            yield response
        finally:
            response.close()

    return functools.wraps(method)(wrapped)


def async_to_streamed_response_wrapper(
    method: Callable[P, Awaitable[R]],
) -> Callable[P, AbstractAsyncContextManager[AsyncAPIResponse[R]]]:
    @asynccontextmanager
    async def wrapped(*args: P.args, **kwargs: P.kwargs) -> AsyncGenerator[AsyncAPIResponse[R], None]:
        token = response_mode.set("stream")
        try:
            response = cast(AsyncAPIResponse[R], await method(*args, **kwargs))
        finally:
            response_mode.reset(token)
        try:
            yield response
        finally:
            await response.close()

    return functools.wraps(method)(wrapped)

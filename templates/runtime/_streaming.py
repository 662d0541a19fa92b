from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import httpx

from ._exceptions import APIConnectionError, StreamError

if TYPE_CHECKING:
    from typing_extensions import Self  # noqa: UP035 - typing has it from 3.11; checkers may run as 3.10

__all__ = ["AsyncStream", "ServerSentEvent", "Stream"]

T = TypeVar("T")


@dataclass(frozen=True)
class ServerSentEvent(Generic[T]):
    """One event of a `text/event-stream` response, its `data` parsed as the spec describes it."""

    data: T
    event: str = "message"  # the type of event; "message" when the server names none
    id: str | None = None  # the last event id the server set, as a reconnection would send it
    retry: int | None = None  # the reconnection time in milliseconds, when this event set it


class Decoder:
    """Splits a streamed body into items as its bytes arrive: lines of JSON (`jsonl`), RFC 7464 JSON text
    sequences (`json-seq`), or server-sent events (`sse`, as the HTML standard parses them)."""

    def __init__(self, kind: str, cast_to: type[Any], done: str, events: Mapping[str, type[Any]]) -> None:
        self.kind = kind
        self.cast_to = cast_to
        self.events = events  # the data type of each event the spec names; others are read as `cast_to`
        self.done = done  # the data of a final event that only says the stream is over (`[DONE]`)
        self.finished = False
        self._partial = b""
        self._fields: dict[str, str] = {}
        self._data: list[str] = []
        self._last_id: str | None = None

    def feed(self, chunk: bytes) -> Iterator[Any]:
        """The items `chunk` completes, one at a time (an item that cannot be read raises after the ones before it
        were taken); a line is only read once its end has arrived."""
        lines = (self._partial + chunk).splitlines(keepends=True)
        self._partial = lines.pop() if lines and not lines[-1].endswith((b"\n", b"\r")) else b""
        if self._partial.endswith(b"\r"):  # a CR may be the first half of CRLF
            lines.append(self._partial)
            self._partial = b""
        for line in lines:
            if self.finished:
                return
            yield from self._line(line.rstrip(b"\r\n"))

    def end(self) -> list[Any]:
        """At the end of the body: a last JSON line without its newline still counts; an event the server did not
        end with a blank line does not (the HTML standard discards it)."""
        rest, self._partial = self._partial, b""
        return [] if self.finished or self.kind == "sse" else self._line(rest.rstrip(b"\r\n"))

    def _line(self, line: bytes) -> list[Any]:
        if self.kind != "sse":
            record = line.lstrip(b"\x1e").strip()  # json-seq: each record starts with RS
            return [self._parse(record, record.decode("utf-8", "replace"))] if record else []
        text = line.decode("utf-8", "replace")
        if not text:
            return self._dispatch()
        if text.startswith(":"):
            return []  # a comment, often sent to keep the connection alive
        name, _, value = text.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
        elif name in ("event", "retry") or (name == "id" and "\0" not in value):
            self._fields[name] = value
        return []

    def _dispatch(self) -> list[Any]:
        fields, data, self._fields, self._data = self._fields, self._data, {}, []
        self._last_id = fields.get("id", self._last_id)
        if not data:
            return []  # an event without data is not dispatched
        text = "\n".join(data)
        if self.done and text == self.done:
            self.finished = True
            return []
        retry = fields.get("retry", "")
        return [
            ServerSentEvent(
                data=self._parse(text.encode(), text, fields.get("event")),
                event=fields.get("event") or "message",
                id=self._last_id,
                retry=int(retry) if retry.isdigit() else None,
            )
        ]

    def _parse(self, raw: bytes, text: str, event: str | None = None) -> Any:
        import pydantic

        from ._base_client import _adapter  # pyright: ignore[reportPrivateUsage]

        cast_to = self.events.get(event or "message", self.cast_to)
        if cast_to is str:
            return text
        try:
            return _adapter(cast_to).validate_json(raw)
        except pydantic.ValidationError as exc:
            where = f"event {event!r}" if event else "item"
            raise StreamError(f"A streamed {where} does not match the schema: {text[:200]!r}: {exc}") from exc


class _BaseStream(Generic[T]):
    def __init__(self, response: httpx.Response, decoder: Decoder) -> None:
        self.response = response
        self._decoder = decoder

    def _cut(self, exc: Exception) -> APIConnectionError:
        return APIConnectionError(
            message=f"The stream was cut before it ended: {exc}", request=self.response.request
        )


class Stream(_BaseStream[T]):
    """The items of a streamed response, each read as it arrives. Use it in a `with` block (or call `close()`)
    to close the connection when you stop before the end."""

    def __iter__(self) -> Iterator[T]:
        try:
            for chunk in self.response.iter_bytes():
                yield from self._decoder.feed(chunk)
                if self._decoder.finished:
                    break
            yield from self._decoder.end()
        except httpx.TransportError as exc:
            raise self._cut(exc) from exc
        finally:
            self.response.close()

    def close(self) -> None:
        self.response.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, exc_tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncStream(_BaseStream[T]):
    """The async twin of `Stream`: `async for item in stream`, inside `async with stream:`."""

    async def __aiter__(self) -> AsyncIterator[T]:
        try:
            async for chunk in self.response.aiter_bytes():
                for item in self._decoder.feed(chunk):
                    yield item
                if self._decoder.finished:
                    break
            for item in self._decoder.end():
                yield item
        except httpx.TransportError as exc:
            raise self._cut(exc) from exc
        finally:
            await self.response.aclose()

    async def close(self) -> None:
        await self.response.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, exc_tb: TracebackType | None
    ) -> None:
        await self.close()

"""How a user walks pages and streams (generated/feature_pagination, generated/feature_streams), written for the type
checkers only: each `assert_type` fails tests/test_typecheck.py if the annotations degrade. It is never executed."""

from __future__ import annotations

from feature_pagination import AsyncFeaturePagination, FeaturePagination
from feature_pagination._pagination import AsyncPage, AsyncPaginator, SyncPage
from feature_pagination.types import Thing
from feature_streams import AsyncFeatureStreams, FeatureStreams
from feature_streams._streaming import AsyncStream, ServerSentEvent, Stream
from feature_streams.types import Chunk, Progress, Result
from typing_extensions import assert_type  # noqa: UP035 - the packages support 3.10


def pages(client: FeaturePagination) -> None:
    page = client.iterators.list(limit=10)
    assert_type(page, SyncPage[Thing])
    for thing in page:
        assert_type(thing, Thing)
    for each in client.link_header.list().iter_pages():
        assert_type(each.items, list[Thing])
    if page.has_next_page():
        assert_type(page.get_next_page(), SyncPage[Thing])


async def async_pages(client: AsyncFeaturePagination) -> None:
    paginator = client.cursors.list()
    assert_type(paginator, AsyncPaginator[Thing])
    async for thing in paginator:
        assert_type(thing, Thing)
    first = await client.offsets.list(limit=3)
    assert_type(first, AsyncPage[Thing])
    assert_type(await first.get_next_page(), AsyncPage[Thing])


def streams(client: FeatureStreams) -> None:
    with client.chat.create(prompt="hi") as stream:
        assert_type(stream, Stream[ServerSentEvent[Chunk]])
        for event in stream:
            assert_type(event.data, Chunk)
            assert_type(event.id, str | None)
    for job_event in client.jobs.retrieve_events("j"):
        assert_type(job_event.data, Progress | Result)
    for line in client.export_jsonl.retrieve():
        assert_type(line, Chunk)


async def async_streams(client: AsyncFeatureStreams) -> None:
    stream = await client.ticker.retrieve()
    assert_type(stream, AsyncStream[ServerSentEvent[str]])
    async with stream:
        async for event in stream:
            assert_type(event.data, str)

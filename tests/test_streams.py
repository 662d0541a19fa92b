"""Streamed responses (generated/feature_streams from specs/features/streams.yaml) against a server on 127.0.0.1
that sends its body in chunks: server-sent events (event, data, id, retry, multi-line data, comments, `[DONE]`),
JSON Lines, NDJSON and JSON text sequences, each item typed; a stream delivered as it arrives (the server holds
the next event back until the client has the first), cut mid-event, holding a malformed event, or left early.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import GENERATED, run_sdkforge
from tests.support.server import RecordingServer, server_fixture  # noqa: F401  (the `server` fixture)

if str(GENERATED) not in sys.path:
    sys.path.insert(0, str(GENERATED))

from feature_streams import APIConnectionError, AsyncFeatureStreams, FeatureStreams, NotFoundError, StreamError  # noqa: E402
from feature_streams._streaming import ServerSentEvent  # noqa: E402
from feature_streams.types import Chunk, Progress, Result  # noqa: E402

SSE = {"Content-Type": "text/event-stream"}


def chunk_event(index: int, text: str = "x") -> bytes:
    return f"data: {json.dumps({'index': index, 'text': text})}\n\n".encode()


def test_server_sent_events_are_parsed_and_typed(server: RecordingServer) -> None:
    server.reply(
        headers=SSE,
        chunks=(
            b": a comment, to keep the connection alive\n",
            b'event: delta\nid: 7\nretry: 1500\ndata: {"index": 0,\ndata:  "text": "a"}\n\n',  # data over two lines
            b"id: 8\r\n",  # CRLF line ends, and a line split across chunks
            b'data: {"index": 1, "te',
            b'xt": "b"}\r\n\r\n',
            b"event: ping\n\n",  # no data: not an event
            b"data: [DONE]\n\n",
            chunk_event(99),  # after the sentinel: never read
        ),
    )
    with FeatureStreams(base_url=server.url) as client:
        events = list(client.chat.create(prompt="hi"))
    assert events == [
        ServerSentEvent(data=Chunk(index=0, text="a"), event="delta", id="7", retry=1500),
        ServerSentEvent(data=Chunk(index=1, text="b"), event="message", id="8", retry=None),
    ]
    [request] = server.requests
    assert (request.method, request.path, json.loads(request.body)) == ("POST", "/chat", {"prompt": "hi"})
    assert request.headers["accept"] == "text/event-stream"


def test_events_are_delivered_as_they_arrive(server: RecordingServer) -> None:
    """The server sends the second event only once the client has the first (else it cuts the stream)."""
    got_first = threading.Event()
    server.reply(headers=SSE, chunks=(chunk_event(0), got_first, chunk_event(1)))
    seen = []
    with FeatureStreams(base_url=server.url) as client, client.chat.create(prompt="hi") as stream:
        for event in stream:
            seen.append(event.data.index)
            got_first.set()
    assert seen == [0, 1]


def test_a_stream_cut_mid_event_delivers_what_came_and_raises(server: RecordingServer) -> None:
    server.reply(headers=SSE, chunks=(chunk_event(0), b'data: {"index": 1, "text"'), cut=True)
    seen = []
    with FeatureStreams(base_url=server.url) as client:
        with pytest.raises(APIConnectionError, match="The stream was cut before it ended"):
            for event in client.chat.create(prompt="hi"):
                seen.append(event.data.index)
    assert seen == [0]


def test_a_malformed_event_raises_after_the_ones_before(server: RecordingServer) -> None:
    server.reply(headers=SSE, chunks=(chunk_event(0), b"data: {not json\n\n", chunk_event(2)))
    seen = []
    with FeatureStreams(base_url=server.url) as client:
        with pytest.raises(StreamError, match=r"A streamed item does not match the schema: '\{not json'"):
            for event in client.chat.create(prompt="hi"):
                seen.append(event.data.index)
    assert seen == [0]


def test_leaving_the_with_block_closes_the_connection(server: RecordingServer) -> None:
    left = threading.Event()
    server.reply(headers=SSE, chunks=(chunk_event(0), left, *[chunk_event(i) for i in range(1, 50)]))
    with FeatureStreams(base_url=server.url) as client:
        with client.chat.create(prompt="hi") as stream:
            first = next(iter(stream))
        left.set()
        assert first.data.index == 0
        assert stream.response.is_closed
        # The server's writes after the client left fail: the connection is gone, not drained.
        assert server.write_failed.wait(10.0)


def test_events_typed_per_event_name_async(server: RecordingServer) -> None:
    """The 3.2 itemSchema's oneOf: each event's data is typed by its contentSchema."""
    server.reply(
        headers=SSE,
        chunks=(
            b'event: progress\ndata: {"percent": 50}\n\n',
            b'event: progress\ndata: {"percent": 100}\n\n',
            b'event: result\ndata: {"url": "https://example.com/r"}\n\n',
        ),
    )

    async def walk() -> list[ServerSentEvent[Progress | Result]]:
        async with AsyncFeatureStreams(base_url=server.url) as client:
            async with await client.jobs.retrieve_events("job 1") as stream:
                return [event async for event in stream]

    events = asyncio.run(walk())
    assert [(e.event, e.data) for e in events] == [
        ("progress", Progress(percent=50)),
        ("progress", Progress(percent=100)),
        ("result", Result(url="https://example.com/r")),
    ]
    assert server.requests[0].target == "/jobs/job%201/events"


def test_async_stream_cut(server: RecordingServer) -> None:
    server.reply(headers=SSE, chunks=(b"data: one\n\n", b"data: tw"), cut=True)
    seen: list[str] = []

    async def walk() -> None:
        async with AsyncFeatureStreams(base_url=server.url) as client:
            async for event in await client.ticker.retrieve():
                seen.append(event.data)

    with pytest.raises(APIConnectionError, match="cut"):
        asyncio.run(walk())
    assert seen == ["one"]


def test_untyped_events_are_text_and_an_unended_event_is_dropped(server: RecordingServer) -> None:
    server.reply(headers=SSE, chunks=(b"data: tick\ndata: tock\n\n", b": c\n", b"data: [DONE]\n\n", b"data: half"))
    with FeatureStreams(base_url=server.url) as client:
        events = [event.data for event in client.ticker.retrieve()]
    # This API uses no [DONE] sentinel, so it is data; a last event without its blank line is not dispatched.
    assert events == ["tick\ntock", "[DONE]"]


@pytest.mark.parametrize(
    ("resource", "media_type", "body"),
    [
        (
            "export_jsonl",
            "application/jsonl",
            (b'{"index": 0, "text": "a"}\n{"index": 1,', b' "text": "b"}\n\n{"index": 2, "text": "c"}'),
        ),
        (
            "export_ndjson",
            "application/x-ndjson",
            (b'{"index": 0, "text": "a"}\r\n{"index": 1, "text": "b"}\r\n', b'{"index": 2, "text": "c"}\n'),
        ),
        (
            "export_seq",
            "application/json-seq",
            (b'\x1e{"index": 0, "text": "a"}\n\x1e{"index": 1, "text": "b"}\n', b'\x1e{"index": 2, "text": "c"}\n'),
        ),
    ],
)
def test_json_sequences_stream_typed_items(
    server: RecordingServer, resource: str, media_type: str, body: tuple[bytes, ...]
) -> None:
    server.reply(headers={"Content-Type": media_type}, chunks=body)
    server.reply(headers={"Content-Type": media_type}, chunks=body)
    expected = [Chunk(index=0, text="a"), Chunk(index=1, text="b"), Chunk(index=2, text="c")]
    with FeatureStreams(base_url=server.url) as client:
        assert list(getattr(client, resource).retrieve()) == expected

    async def walk() -> list[Chunk]:
        async with AsyncFeatureStreams(base_url=server.url) as client:
            return [item async for item in await getattr(client, resource).retrieve()]

    assert asyncio.run(walk()) == expected
    assert server.requests[0].headers["accept"] == media_type


def test_a_malformed_line_raises_after_the_lines_before(server: RecordingServer) -> None:
    server.reply(
        headers={"Content-Type": "application/jsonl"}, chunks=(b'{"index": 0, "text": "a"}\n{"index": "x"}\n',)
    )
    seen = []
    with FeatureStreams(base_url=server.url) as client:
        with pytest.raises(StreamError, match="does not match the schema"):
            for item in client.export_jsonl.retrieve():
                seen.append(item.index)
    assert seen == [0]


def test_raw_response_parses_to_the_stream(server: RecordingServer) -> None:
    server.reply(headers={**SSE, "X-Request-Id": "r1"}, chunks=(chunk_event(0), b"data: [DONE]\n\n"))
    with FeatureStreams(base_url=server.url) as client:
        raw = client.chat.with_raw_response.create(prompt="hi")
        assert raw.headers["x-request-id"] == "r1"
        assert [event.data for event in raw.parse()] == [Chunk(index=0, text="x")]


def test_an_error_status_is_raised_before_streaming(server: RecordingServer) -> None:
    server.reply(404, json={"message": "no such job"})
    with FeatureStreams(base_url=server.url, max_retries=0) as client:
        with pytest.raises(NotFoundError) as caught:
            client.jobs.retrieve_events("j")
    assert caught.value.body == {"message": "no such job"}


def test_an_item_schema_that_is_no_schema_is_bad_input(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(
        "openapi: 3.2.0\ninfo: {title: t, version: '1'}\npaths:\n  /e:\n    get:\n      responses:\n        '200':\n"
        "          description: ok\n          content:\n            application/jsonl:\n              itemSchema: 5\n",
        encoding="utf-8",
    )
    result = run_sdkforge("generate", spec, "--output", tmp_path / "out", "--package", "bad")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "sdkforge: error: bad.yaml#/paths/~1e/get/responses/200/content/application~1jsonl/itemSchema: not a schema"
    )


def test_the_event_name_picks_the_data_type(server: RecordingServer) -> None:
    """Data that would fit either member is read as the type its event names; data that does not fit its event's
    type is an error naming the event, not read as another member."""
    both = b'{"percent": 1, "url": "u"}'
    server.reply(
        headers=SSE,
        chunks=(
            b"event: result\ndata: " + both + b"\n\n",
            b"event: progress\ndata: " + both + b"\n\n",
            b'event: result\ndata: {"percent": 2}\n\n',
        ),
    )
    seen: list[object] = []
    with FeatureStreams(base_url=server.url) as client:
        with pytest.raises(StreamError, match="A streamed event 'result' does not match the schema"):
            for event in client.jobs.retrieve_events("j"):
                seen.append(event.data)
    assert [type(data) for data in seen] == [Result, Progress]

"""specs/features/operations.yaml against a recording server: what each parameter style, body kind and
response kind puts on the wire, and what the call returns. Uses the committed generated/feature_operations."""

from __future__ import annotations

import asyncio
import datetime as dt
import email.parser
import email.policy
import io
import json
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, unquote

import pytest

from tests.conftest import GENERATED
from tests.support.server import RecordedRequest, RecordingServer, server_fixture

sys.path.insert(0, str(GENERATED))

from feature_operations import ENVIRONMENTS, AsyncFeatureOperations, FeatureOperations, NotFoundError  # noqa: E402
from feature_operations.types import Item  # noqa: E402

server = server_fixture
ITEM = {"id": "i1", "name": "Lamp", "dimensions": {"width": 1, "height": 2}}


@pytest.fixture
def client(server: RecordingServer) -> Iterator[FeatureOperations]:
    with FeatureOperations(api_key="k-123", base_url=server.url, max_retries=0) as client:
        yield client


def query_pairs(request: RecordedRequest) -> list[tuple[str, str]]:
    return parse_qsl(request.query, keep_blank_values=True)


def test_api_key_header_environments_and_names_from_the_package() -> None:
    assert ENVIRONMENTS == {
        "production": "https://ops.example.com/api",
        "sandbox": "https://sandbox.ops.example.com/api",
    }
    assert str(FeatureOperations(api_key="k", environment="sandbox").base_url) == "https://sandbox.ops.example.com/api"


def test_query_styles_headers_and_cookies(client: FeatureOperations, server: RecordingServer) -> None:
    server.reply(json={"data": [], "total": 0})
    page = client.items.list(
        tags=["a", "b"],
        ids=[1, 2, 3],
        sizes=["s", "m"],
        words=["x", "y z"],
        filter={"color": "red", "min_price": 2.5},
        since="2024-01-01T00:00:00Z",
        include_archived=True,
        sort=None,
        limit=10,
        x_request_id="req-1",
        session="s e;s",
    )
    assert page.items == []
    request = server.requests[0]
    assert request.path == "/items"
    assert query_pairs(request) == [
        ("limit", "10"),
        ("tags", "a"),
        ("tags", "b"),
        ("ids", "1,2,3"),
        ("sizes", "s|m"),
        ("words", "x y z"),
        ("filter[color]", "red"),
        ("filter[min_price]", "2.5"),
        ("since", "2024-01-01T00:00:00Z"),
        ("include_archived", "true"),
        ("sort", ""),  # explicit None is sent (empty), NOT_GIVEN is left out
    ]
    assert request.headers["x-request-id"] == "req-1"
    assert request.headers["x-api-key"] == "k-123"
    assert request.headers["cookie"] == "session=s%20e%3Bs"


def test_omitted_parameters_are_not_sent(client: FeatureOperations, server: RecordingServer) -> None:
    server.reply(json={"data": []})
    client.items.list()
    request = server.requests[0]
    assert query_pairs(request) == []
    assert "x-request-id" not in request.headers and "cookie" not in request.headers


def test_pagination_from_page_one_follows_every_page(client: FeatureOperations, server: RecordingServer) -> None:
    for page in (1, 2):
        server.reply(json={"data": [{**ITEM, "id": f"{page}-{n}"} for n in range(2)]})
    server.reply(json={"data": []})
    ids = [item.id for item in client.items.list(limit=2)]
    assert ids == ["1-0", "1-1", "2-0", "2-1"]
    # The first request leaves the page to the API's default (1, says the spec); then 2, 3: none skipped.
    assert [dict(query_pairs(r)).get("page") for r in server.requests] == [None, "2", "3"]


def test_bare_array_pagination_from_page_zero_and_deprecation(
    client: FeatureOperations, server: RecordingServer
) -> None:
    server.reply(json=[{"row": 1}])
    server.reply(json=[])
    with pytest.warns(DeprecationWarning, match="GET /legacy/export is deprecated"):
        page = client.legacy.retrieve_export()
    assert [row.row for row in page.items] == [1]
    assert [row.row for row in page] == [1]
    assert [dict(query_pairs(r)).get("page") for r in server.requests] == [None, "1"]


def test_json_body_spread_into_keywords_with_nested_typed_dicts(
    client: FeatureOperations, server: RecordingServer
) -> None:
    server.reply(201, json=ITEM)
    item = client.items.create(
        name="Lamp",
        dimensions={"width": 1, "height": 2, "unit": "in"},
        available_from="2024-05-01",
        extra_body={"x": 1},
    )
    assert isinstance(item, Item) and item.dimensions is not None and item.dimensions.unit == "cm"  # spec default
    request = server.requests[0]
    assert request.method == "POST" and request.headers["content-type"] == "application/json"
    assert json.loads(request.body) == {
        "name": "Lamp",
        "dimensions": {"width": 1, "height": 2, "unit": "in"},
        "available_from": "2024-05-01",
        "x": 1,
    }


def test_not_given_and_explicit_null_differ_on_the_wire(client: FeatureOperations, server: RecordingServer) -> None:
    server.reply(json=ITEM, times=2)
    client.items.update("i1", name="New")
    client.items.update("i1", note=None)
    assert [json.loads(r.body) for r in server.requests] == [{"name": "New"}, {"note": None}]
    assert all(r.method == "PATCH" for r in server.requests)


def test_whole_body_argument_and_put_is_replace_beside_patch(
    client: FeatureOperations, server: RecordingServer
) -> None:
    server.reply(json=ITEM)
    client.items.replace("i1", body=["a", "b"])
    assert server.requests[0].method == "PUT" and json.loads(server.requests[0].body) == ["a", "b"]


def test_multipart_upload_with_files_and_fields(client: FeatureOperations, server: RecordingServer) -> None:
    server.reply(json=ITEM)
    client.items.photo.create(
        "i/1",
        photo=("lamp.png", io.BytesIO(b"\x89PNG..."), "image/png"),
        thumbnails=[b"t1", ("t2.png", b"t2")],
        caption="On",
        position=2,
    )
    request = server.requests[0]
    assert request.path == "/items/i%2F1/photo"
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + request.headers["content-type"].encode() + b"\r\n\r\n" + request.body
    )
    parts = [
        (p.get_param("name", header="content-disposition"), p.get_filename(), p.get_payload(decode=True))
        for p in message.iter_parts()
    ]
    assert ("photo", "lamp.png", b"\x89PNG...") in parts
    assert ("thumbnails", "t2.png", b"t2") in parts
    assert [p for p in parts if p[0] == "thumbnails"][0][2] == b"t1"
    assert ("caption", None, b"On") in parts and ("position", None, b"2") in parts


def test_form_urlencoded_body_without_auth(server: RecordingServer) -> None:
    server.reply(json={"token": "t"})
    client = FeatureOperations(api_key="k", base_url=server.url)
    assert client.login.create(username="ann", password="p&=w", remember=True).token == "t"
    request = server.requests[0]
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qsl(request.body.decode()) == [("username", "ann"), ("password", "p&=w"), ("remember", "true")]


def test_octet_stream_body(client: FeatureOperations, server: RecordingServer) -> None:
    server.reply(204)
    assert client.items.update_raw("i1", body=io.BytesIO(b"\x00\x01raw")) is None
    assert server.requests[0].body == b"\x00\x01raw" and server.requests[0].method == "PUT"


def test_bodiless_binary_and_text_responses(client: FeatureOperations, server: RecordingServer) -> None:
    server.reply(204)
    server.reply(headers={"Content-Type": "image/png"}, body=b"\x89PNG\x00")
    server.reply(headers={"Content-Type": "text/plain"}, body="line one\nline two")
    assert client.items.delete("i1") is None
    assert client.items.photo.retrieve("i1") == b"\x89PNG\x00"
    assert client.items.retrieve_notes("i1") == "line one\nline two"
    assert server.requests[1].headers["accept"] == "image/png"
    assert server.requests[2].headers["accept"] == "text/plain"


def test_streaming_a_binary_response(client: FeatureOperations, server: RecordingServer) -> None:
    server.reply(headers={"Content-Type": "image/png"}, body=b"x" * 100_000)
    with client.items.photo.with_streaming_response.retrieve("i1") as response:
        assert response.status_code == 200
        chunks = list(response.iter_bytes(4096))
    assert b"".join(chunks) == b"x" * 100_000 and len(chunks) > 1


def test_union_response(client: FeatureOperations, server: RecordingServer) -> None:
    server.reply(json=ITEM)
    server.reply(json=[ITEM, ITEM])
    one = client.search.retrieve(q="lamp")
    many = client.search.retrieve(q="lamps")
    assert isinstance(one, Item)
    assert isinstance(many, list) and len(many) == 2
    assert unquote(server.requests[1].query) == "q=lamps"


def test_error_response_from_another_file(client: FeatureOperations, server: RecordingServer) -> None:
    server.reply(404, json={"code": "missing", "message": "no such item", "details": [{"field": "id"}]})
    with pytest.raises(NotFoundError) as caught:
        client.items.retrieve("nope")
    assert caught.value.body == {"code": "missing", "message": "no such item", "details": [{"field": "id"}]}


def test_head_and_options_methods(client: FeatureOperations, server: RecordingServer) -> None:
    server.reply(200, times=2)
    assert client.items.head("i1") is None
    assert client.items.options("i1") is None
    assert [r.method for r in server.requests] == ["HEAD", "OPTIONS"]


def test_async_client_same_wire_requests(server: RecordingServer) -> None:
    server.reply(json={"data": [ITEM]})
    server.reply(json={"data": []})
    server.reply(json={"token": "t"})

    async def run() -> list[str]:
        async with AsyncFeatureOperations(api_key="k", base_url=server.url) as client:
            names = [item.name async for item in client.items.list(ids=[1, 2])]
            await client.login.create(username="a", password="b")
            return names

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert asyncio.run(run()) == ["Lamp"]
    assert [query_pairs(r) for r in server.requests[:2]] == [
        [("ids", "1,2")],
        [("page", "2"), ("ids", "1,2")],
    ]
    assert parse_qsl(server.requests[2].body.decode()) == [("username", "a"), ("password", "b")]


def test_binary_response_is_bytes_that_reads_like_a_file(
    client: FeatureOperations, server: RecordingServer, tmp_path: Path
) -> None:
    server.reply(headers={"Content-Type": "image/png"}, body=b"\x89PNG\x01")
    photo = client.items.photo.retrieve("i1")
    assert isinstance(photo, bytes) and photo == b"\x89PNG\x01"
    assert photo.read() == b"\x89PNG\x01"
    photo.write_to_file(tmp_path / "photo.png")
    assert (tmp_path / "photo.png").read_bytes() == b"\x89PNG\x01"


def test_naive_datetimes_are_sent_as_utc(client: FeatureOperations, server: RecordingServer) -> None:
    server.reply(json={"data": []}, times=2)
    client.items.list(since=dt.datetime(2024, 1, 2, 3, 4, 5))
    client.items.list(since=dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=2))))
    assert [dict(query_pairs(r))["since"] for r in server.requests] == [
        "2024-01-02T03:04:05+00:00",
        "2024-01-02T03:04:05+02:00",
    ]

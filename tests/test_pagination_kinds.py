"""Every kind of pagination, walked by a generated client against a server on 127.0.0.1 that pages seven items
three at a time: the exact sequence of requests and the items yielded, sync and async, with the first call's
options on every page; and the two real APIs that paginate in ways sdkforge did not (Dodo's `webhooks.list`
cursor, GitHub's `Link` header), generated from ../shared.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl

import pytest

from tests.conftest import GENERATED, shared_specs
from tests.support import corpus
from tests.support.server import RecordedRequest, RecordingServer, Reply, server_fixture  # noqa: F401

if str(GENERATED) not in sys.path:
    sys.path.insert(0, str(GENERATED))

from feature_pagination import AsyncFeaturePagination, FeaturePagination, PaginationError  # noqa: E402

IDS = [f"t{i}" for i in range(7)]
SIZE = 3
TRACE = {"X-Trace": "abc"}


def query_of(request: RecordedRequest) -> dict[str, str]:
    return dict(parse_qsl(request.query, keep_blank_values=True))


def chunk(start: int) -> list[dict[str, str]]:
    return [{"id": i} for i in IDS[start : start + SIZE]]


def answer(body: object, headers: dict[str, str] | None = None) -> Reply:
    return Reply(200, {"Content-Type": "application/json", **(headers or {})}, json.dumps(body).encode())


def after_cursor(token: str | None) -> int:
    """Where a page starting at cursor `c<n>` begins (no cursor: the first page)."""
    return int(token[1:]) if token else 0


def following(start: int) -> str | None:
    return f"c{start + SIZE}" if start + SIZE < len(IDS) else None


# --- one server side per kind: (what to answer a request, the queries the client must send, how to call) ----------


@dataclass(frozen=True)
class Kind:
    name: str
    respond: Callable[[RecordedRequest, str], Reply]  # the request and the server's base URL
    expected: list[dict[str, str]]  # the query of every request, in order
    call: Callable[[Any], Any]  # the list call on a client (sync or async)


def numbered(request: RecordedRequest, base: str) -> Reply:
    page = int(query_of(request).get("page", "1"))
    return answer({"items": chunk((page - 1) * SIZE)})


def offsets(request: RecordedRequest, base: str) -> Reply:
    query = query_of(request)
    start, limit = int(query.get("offset", "0")), int(query.get("limit", str(SIZE)))
    return answer({"data": [{"id": i} for i in IDS[start : start + min(limit, SIZE)]], "total": len(IDS)})


def cursors(request: RecordedRequest, base: str) -> Reply:
    start = after_cursor(query_of(request).get("cursor"))
    return answer({"data": chunk(start), "next_cursor": following(start)})


def iterators(request: RecordedRequest, base: str) -> Reply:
    start = after_cursor(query_of(request).get("iterator"))
    # Dodo's shape: `done` says the list is over; the last page still carries an iterator.
    return answer({"data": chunk(start), "done": following(start) is None, "iterator": following(start) or "end"})


def after(request: RecordedRequest, base: str) -> Reply:
    given = query_of(request).get("starting_after")
    start = IDS.index(given) + 1 if given else 0
    return answer({"object": "list", "data": chunk(start), "has_more": start + SIZE < len(IDS)})


def tokens(request: RecordedRequest, base: str) -> Reply:
    start = after_cursor(query_of(request).get("pageToken"))
    nxt = following(start)
    return answer({"items": chunk(start), **({"nextPageToken": nxt} if nxt else {})})


def next_urls(request: RecordedRequest, base: str) -> Reply:
    page = int(query_of(request).get("page", "1"))
    more = page * SIZE < len(IDS)
    return answer(
        {"count": 7, "next": f"{base}/next-urls?page={page + 1}" if more else None, "results": chunk((page - 1) * SIZE)}
    )


def linked(request: RecordedRequest, base: str) -> Reply:
    start = after_cursor(query_of(request).get("at"))
    nxt = following(start)
    return answer({"data": chunk(start), "links": {"self": "x", "next": f"/linked?at={nxt}" if nxt else None}})


def link_header(request: RecordedRequest, base: str) -> Reply:
    page = int(query_of(request).get("page", "1"))
    links = [f'<{base}/link-header?per_page=3&page=1>; rel="first"']
    if page * SIZE < len(IDS):
        links.append(f'<{base}/link-header?per_page=3&page={page + 1}>; rel="next"')
    return answer(chunk((page - 1) * SIZE), {"Link": ", ".join(links)})


def configured(request: RecordedRequest, base: str) -> Reply:
    start = after_cursor(query_of(request).get("from"))
    nxt = following(start)
    return answer({"things": chunk(start), "meta": {"continue_from": nxt or "stale", "finished": nxt is None}})


KINDS = [
    Kind(
        "page number",
        numbered,
        [{}, {"page": "2"}, {"page": "3"}, {"page": "4"}],
        lambda c: c.numbered.list(extra_headers=TRACE),
    ),
    Kind(
        "offset, short page",
        offsets,
        [{"limit": "3"}, {"limit": "3", "offset": "3"}, {"limit": "3", "offset": "6"}],
        lambda c: c.offsets.list(limit=3, extra_headers=TRACE),
    ),
    Kind(
        "offset, total", offsets, [{}, {"offset": "3"}, {"offset": "6"}], lambda c: c.offsets.list(extra_headers=TRACE)
    ),
    Kind(
        "cursor, next_cursor",
        cursors,
        [{}, {"cursor": "c3"}, {"cursor": "c6"}],
        lambda c: c.cursors.list(extra_headers=TRACE),
    ),
    Kind(
        "cursor, iterator and done",
        iterators,
        [{"limit": "3"}, {"limit": "3", "iterator": "c3"}, {"limit": "3", "iterator": "c6"}],
        lambda c: c.iterators.list(limit=3, extra_headers=TRACE),
    ),
    Kind(
        "cursor, starting_after the last id while has_more",
        after,
        [{}, {"starting_after": "t2"}, {"starting_after": "t5"}],
        lambda c: c.after.list(extra_headers=TRACE),
    ),
    Kind(
        "cursor, pageToken",
        tokens,
        [{}, {"pageToken": "c3"}, {"pageToken": "c6"}],
        lambda c: c.tokens.list(extra_headers=TRACE),
    ),
    Kind(
        "URL in the body",
        next_urls,
        [{}, {"page": "2"}, {"page": "3"}],
        lambda c: c.next_urls.list(extra_headers=TRACE),
    ),
    Kind("URL in links.next", linked, [{}, {"at": "c3"}, {"at": "c6"}], lambda c: c.linked.list(extra_headers=TRACE)),
    Kind(
        "Link header",
        link_header,
        [{"per_page": "3"}, {"per_page": "3", "page": "2"}, {"per_page": "3", "page": "3"}],
        lambda c: c.link_header.list(per_page=3, extra_headers=TRACE),
    ),
    Kind(
        "cursor configured per operation",
        configured,
        [{}, {"from": "c3"}, {"from": "c6"}],
        lambda c: c.configured.list(extra_headers=TRACE),
    ),
]


def serve(server: RecordingServer, kind: Kind) -> None:
    server.respond = lambda request: kind.respond(request, server.url)


def check(server: RecordingServer, kind: Kind, ids: list[str]) -> None:
    assert ids == IDS
    assert [query_of(r) for r in server.requests] == kind.expected
    assert all(r.method == "GET" and r.headers.get("x-trace") == "abc" for r in server.requests)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_sync_walks_every_item(server: RecordingServer, kind: Kind) -> None:
    serve(server, kind)
    with FeaturePagination(base_url=server.url) as client:
        ids = [thing.id for thing in kind.call(client)]
    check(server, kind, ids)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_async_walks_every_item(server: RecordingServer, kind: Kind) -> None:
    serve(server, kind)

    async def walk() -> list[str]:
        async with AsyncFeaturePagination(base_url=server.url) as client:
            return [thing.id async for thing in kind.call(client)]

    check(server, kind, asyncio.run(walk()))


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_pages_by_hand(server: RecordingServer, kind: Kind) -> None:
    """`iter_pages()` gives the pages, `has_next_page()`/`get_next_page()` walk them one at a time."""
    serve(server, kind)
    with FeaturePagination(base_url=server.url) as client:
        pages = [[t.id for t in page.items] for page in kind.call(client).iter_pages()]
        page = kind.call(client)
        by_hand = [[t.id for t in page.items]]
        while page.has_next_page():
            page = page.get_next_page()
            by_hand.append([t.id for t in page.items])
        with pytest.raises(PaginationError, match="last page"):
            page.get_next_page()
    walked = [ids for ids in pages if ids]  # a page-numbered list ends with an empty page
    assert walked == [IDS[0:3], IDS[3:6], IDS[6:]]
    assert by_hand == pages


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_async_pages(server: RecordingServer, kind: Kind) -> None:
    serve(server, kind)

    async def walk() -> tuple[list[list[str]], bool]:
        async with AsyncFeaturePagination(base_url=server.url) as client:
            pages = [[t.id for t in page.items] async for page in kind.call(client).iter_pages()]
            first = await kind.call(client)
            second = await first.get_next_page()
            return pages, second.has_next_page()

    pages, more = asyncio.run(walk())
    assert [ids for ids in pages if ids] == [IDS[0:3], IDS[3:6], IDS[6:]]
    assert more  # the second of three (or four) pages


def test_a_repeated_cursor_ends_with_an_error(server: RecordingServer) -> None:
    """A cycle (a -> b -> a): the cursor seen before ends the list with an error, after every page it gave."""
    cycle = {"": "a", "a": "b", "b": "a"}
    server.respond = lambda r: answer(
        {"data": [{"id": query_of(r).get("cursor", "")}], "next_cursor": cycle[query_of(r).get("cursor", "")]}
    )
    seen: list[str] = []
    with FeaturePagination(base_url=server.url) as client:
        with pytest.raises(PaginationError, match="'cursor=a' as the next page again"):
            for thing in client.cursors.list():
                seen.append(thing.id)
    assert seen == ["", "a", "b"]
    assert [r.query for r in server.requests] == ["", "cursor=a", "cursor=b"]


def test_a_repeated_url_ends_with_an_error(server: RecordingServer) -> None:
    cycle = {"": "1", "1": "2", "2": "1"}
    server.respond = lambda r: answer(
        {"data": [{"id": "x"}], "links": {"next": f"/linked?at={cycle[query_of(r).get('at', '')]}"}}
    )

    async def walk() -> list[str]:
        async with AsyncFeaturePagination(base_url=server.url) as client:
            return [thing.id async for thing in client.linked.list()]

    with pytest.raises(PaginationError, match="as the next page again"):
        asyncio.run(walk())
    assert [r.target for r in server.requests] == ["/linked", "/linked?at=1", "/linked?at=2"]


def test_a_url_elsewhere_is_not_followed(server: RecordingServer) -> None:
    """Credentials go only to the base URL: a next page on another host is an error, not a request."""
    server.reply(json={"data": [{"id": "a"}], "links": {"next": "http://198.51.100.1/linked?at=1"}}, times=None)
    with FeaturePagination(base_url=server.url) as client:
        page = client.linked.list()
        assert page.has_next_page()
        with pytest.raises(PaginationError, match="not under the base URL"):
            page.get_next_page()
    assert len(server.requests) == 1


def test_raw_response_of_a_page(server: RecordingServer) -> None:
    server.reply(json=chunk(0), headers={"Link": f'<{server.url}/link-header?page=2>; rel="next"'})
    server.reply(json=chunk(3))
    with FeaturePagination(base_url=server.url) as client:
        raw = client.link_header.with_raw_response.list()
        page = raw.parse()
        assert [t.id for t in page.items] == IDS[:3]
        assert [t.id for t in page.get_next_page().items] == IDS[3:6]
    assert [r.target for r in server.requests] == ["/link-header", "/link-header?page=2"]


# --- the real APIs ------------------------------------------------------------------------------------------------


def webhook(index: int) -> dict[str, object]:
    return {
        "id": f"ep_{index}",
        "created_at": "2025-01-01T00:00:00Z",
        "updated_at": "2025-01-01T00:00:00Z",
        "url": "https://example.com/hook",
        "description": "",
        "metadata": {},
    }


@pytest.fixture(scope="module")
def dodo(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    spec = shared_specs() / "dodopayments" / "dodo-1.53.2.yaml"
    return corpus.import_as(corpus.dodo(tmp_path_factory, spec), "dodo_1_53_2_pagination")


def test_dodo_webhooks_list_follows_the_iterator(dodo: ModuleType, server: RecordingServer) -> None:
    server.reply(json={"data": [webhook(0), webhook(1)], "done": False, "iterator": "it_2"})
    server.reply(json={"data": [webhook(2)], "done": True, "iterator": None, "prev_iterator": "it_0"})
    server.reply(json={"data": [webhook(3)], "done": False, "iterator": "it_9"})  # a second walk, async
    server.reply(json={"data": [], "done": True})
    with dodo.DodoPayments(bearer_token="t", base_url=server.url) as client:
        assert [w.id for w in client.webhooks.list(limit=2)] == ["ep_0", "ep_1", "ep_2"]

    async def walk() -> list[str]:
        async with dodo.AsyncDodoPayments(bearer_token="t", base_url=server.url) as client:
            return [w.id async for w in client.webhooks.list()]

    assert asyncio.run(walk()) == ["ep_3"]
    assert [r.target for r in server.requests] == [
        "/webhooks?limit=2",
        "/webhooks?limit=2&iterator=it_2",
        "/webhooks",
        "/webhooks?iterator=it_9",
    ]


@pytest.fixture(scope="module")
def github(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    spec = shared_specs() / "github" / "api.github.com.json.gz"
    return corpus.import_as(corpus.generated(tmp_path_factory, spec, "github_rest"), "github_rest_pagination")


def label(number: int) -> dict[str, object]:
    return {
        "id": number,
        "node_id": f"L{number}",
        "url": f"https://api.github.com/repos/octo/hello/labels/l{number}",
        "name": f"l{number}",
        "description": None,
        "color": "ffffff",
        "default": False,
    }


def test_github_follows_the_link_header(github: ModuleType, server: RecordingServer) -> None:
    """`GET /repos/{owner}/{repo}/labels` pages by `Link: <...>; rel="next"`: the client asks for exactly the URLs
    the header gives (not the first request's path: GitHub answers with /repositories/<id>/...), with the first
    call's headers, until a page has no `next`; async too."""
    second, third = (
        f"{server.url}/repositories/7/labels?per_page=2&page=2",
        f"{server.url}/repositories/7/labels?per_page=2&page=3",
    )
    for _ in range(2):
        server.reply(json=[label(1), label(2)], headers={"Link": f'<{second}>; rel="next", <{third}>; rel="last"'})
        server.reply(json=[label(3), label(4)], headers={"Link": f'<{third}>; rel="next", <{second}>; rel="prev"'})
        server.reply(json=[label(5)], headers={"Link": f'<{second}>; rel="prev"'})
    with github.GithubRest(base_url=server.url) as client:
        names = [
            label.name for label in client.repos.labels.list("hello", owner="octo", per_page=2, extra_headers=TRACE)
        ]

    async def walk() -> list[str]:
        async with github.AsyncGithubRest(base_url=server.url) as client:
            return [label.name async for label in client.repos.labels.list("hello", owner="octo", per_page=2)]

    assert names == asyncio.run(walk()) == ["l1", "l2", "l3", "l4", "l5"]
    expected = [
        "/repos/octo/hello/labels?per_page=2",
        "/repositories/7/labels?per_page=2&page=2",
        "/repositories/7/labels?per_page=2&page=3",
    ]
    assert [r.target for r in server.requests] == expected * 2
    assert [r.headers.get("x-trace") for r in server.requests[:3]] == ["abc"] * 3


def test_response_fields_read_off_the_page(server: RecordingServer) -> None:
    """As with the official SDKs' pages, `page.data` is the response's field (at run time; typed: `page.response`)."""
    server.reply(json={"data": chunk(0), "done": True, "iterator": None})
    with FeaturePagination(base_url=server.url) as client:
        page = client.iterators.list()
        assert page.data == page.response.data == page.items  # type: ignore[attr-defined]
        assert page.done is True  # type: ignore[attr-defined]
        with pytest.raises(AttributeError):
            page.nothing_of_the_sort  # type: ignore[attr-defined]  # noqa: B018


def test_a_cursor_that_names_its_own_page_ends_with_an_error(server: RecordingServer) -> None:
    """The caller's own cursor given back as the next one: that page again would loop."""
    server.reply(json={"data": [{"id": "a"}], "next_cursor": "c1"}, times=None)
    with FeaturePagination(base_url=server.url) as client:
        page = client.cursors.list(cursor="c1")
        assert [t.id for t in page.items] == ["a"] and page.has_next_page()
        with pytest.raises(PaginationError, match="as the next page of itself"):
            page.get_next_page()
    assert [r.query for r in server.requests] == ["cursor=c1"]


@pytest.mark.parametrize(
    ("kind", "call"),
    [("page number", lambda c: c.numbered.list()), ("offset", lambda c: c.offsets.list(limit=3))],
)
def test_a_server_that_ignores_the_page_ends_with_an_error(server: RecordingServer, kind: str, call: Any) -> None:
    """A page number or offset cannot repeat itself, but a server that ignores it answers every request with the
    first page: the repeated page ends the list with an error, its items not yielded twice, sync and async."""
    answered = [0]

    def first_page_always(request: RecordedRequest) -> Reply:
        answered[0] += 1  # bounded: after ten answers, an empty page (a client that loops stops there)
        return answer({"items": chunk(0), "data": chunk(0)} if answered[0] <= 10 else {"items": [], "data": []})

    server.respond = first_page_always
    seen: list[str] = []
    with FeaturePagination(base_url=server.url) as client:
        with pytest.raises(PaginationError, match="the same page as before"):
            for thing in call(client):
                seen.append(thing.id)
    assert seen == IDS[:SIZE]
    assert len(server.requests) == 2

    async def walk() -> list[str]:
        async with AsyncFeaturePagination(base_url=server.url) as client:
            return [thing.id async for thing in call(client)]

    with pytest.raises(PaginationError, match="the same page as before"):
        asyncio.run(walk())
    assert len(server.requests) == 4 and answered[0] == 4


def test_pages_whose_bodies_differ_are_all_walked(server: RecordingServer) -> None:
    """The same items on two pages, in different bodies (a list that shifted between requests), are not a loop."""
    server.respond = lambda r: answer({"items": chunk(0) if query_of(r).get("page", "1") != "3" else [], "n": r.query})
    with FeaturePagination(base_url=server.url) as client:
        assert [t.id for t in client.numbered.list()] == IDS[:SIZE] * 2
    assert [query_of(r) for r in server.requests] == [{}, {"page": "2"}, {"page": "3"}]

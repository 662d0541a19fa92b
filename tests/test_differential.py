"""Differential wire test over the Dodo Payments corpus (issue 3): every operation's Python `x-codeSamples` snippet
is run once with the official SDK (`dodopayments`) and once with the client generated from that spec version (only
the import line rewritten), against a recording server on 127.0.0.1; the requests must be the same call.

Also: page-numbered lists never skip a page. The official SDK asks for page 2 right after page 0 on these specs
(it starts counting at 1), so page 1 is never fetched; ours walks 0, 1, 2, ... and the test pins both behaviours.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs

import dodopayments
import pytest

from tests.conftest import shared_specs
from tests.support import corpus
from tests.support.differential import (
    OFFICIAL_IMPORT,
    OUR_IMPORT,
    Answer,
    Case,
    Run,
    always,
    code_sample_cases,
    compare,
    load_spec,
    query_order_differs,
    recorder,
    run_snippets,
    snippet_env,
    synthesize,
)
from tests.support.server import RecordedRequest, RecordingServer

# Every corpus version: generating and running one takes a few seconds.
VERSIONS = [
    "1.30.2",
    "1.32.0",
    "1.34.0",
    "1.37.0",
    "1.38.0",
    "1.40.0",
    "1.42.0",
    "1.42.5",
    "1.44.0",
    "1.47.0",
    "1.49.0",
    "1.51.0",
    "1.52.1",
    "1.52.4",
    "1.53.2",
]
NEWEST = VERSIONS[-1]
TOKEN = "tok_differential"
# How the official SDK fails on a sample it cannot run: it has no such method, or the sample lacks an argument its
# newer signature requires. Any other failure before sending means the harness is broken, and fails the test.
NOT_COMPARABLE = ("AttributeError: ", "TypeError: ")


def spec_path(version: str) -> Path:
    return shared_specs() / "dodopayments" / f"dodo-{version}.yaml"


@pytest.fixture(scope="session")
def generated_dodo(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """The client generated from one corpus version, generated once per session: the directory to put on the path
    (it holds the `dodo_payments` package)."""

    def get(version: str) -> Path:
        return corpus.dodo(tmp_path_factory, spec_path(version)).parent

    return get


# --- every code sample, both SDKs ----------------------------------------------------------------------------------


@dataclass
class Report:
    version: str
    compared: list[str] = field(default_factory=list)
    equal: list[str] = field(default_factory=list)
    not_comparable: list[tuple[str, str]] = field(default_factory=list)
    differences: list[tuple[str, list[str]]] = field(default_factory=list)
    query_order: list[str] = field(default_factory=list)
    ours_failed_after_sending: list[tuple[str, str]] = field(default_factory=list)

    def text(self) -> str:
        lines = [
            f"dodo-{self.version}: {len(self.compared)} compared, {len(self.equal)} equal, "
            f"{len(self.not_comparable)} not comparable"
        ]
        lines += [f"  not comparable {name}: {reason}" for name, reason in self.not_comparable]
        lines += [f"  DIFFERENT {name}: {line}" for name, found in self.differences for line in found]
        lines += [f"  query order differs (not a failure) {name}" for name in self.query_order]
        lines += [
            f"  ours failed after sending (not a failure) {name}: {error}"
            for name, error in self.ours_failed_after_sending
        ]
        return "\n".join(lines)


def compare_runs(version: str, cases: list[Case], official: list[Run], ours: list[Run]) -> Report:
    report = Report(version)
    for case, theirs, mine in zip(cases, official, ours, strict=True):
        if not theirs.requests and (theirs.error or "").startswith(NOT_COMPARABLE):
            # The official SDK lacks the method, or needs an argument the (older) sample does not pass.
            report.not_comparable.append((case.name, f"official SDK sent nothing: {theirs.error}"))
            continue
        report.compared.append(case.name)
        found: list[str] = []
        if not theirs.requests:
            found.append(f"official SDK sent nothing, and not for a missing method or argument: {theirs.error}")
        elif mine.error and not mine.requests:
            found.append(f"ours sent nothing: {mine.error}")
        elif len(mine.requests) != len(theirs.requests):
            found.append(f"official sent {len(theirs.requests)} requests, ours {len(mine.requests)}")
        for their_request, my_request in zip(theirs.requests, mine.requests, strict=False):
            found += compare(their_request, my_request)
            if query_order_differs(their_request, my_request):
                report.query_order.append(case.name)
        if found:
            report.differences.append((case.name, found))
        else:
            report.equal.append(case.name)
        if mine.error and mine.requests and not theirs.error:
            report.ours_failed_after_sending.append((case.name, mine.error))
    return report


@pytest.fixture(scope="session")
def official_runs() -> dict[tuple[str, Answer], Run]:
    """What the official SDK sends for each distinct (snippet, answer) of the whole corpus: most snippets are the
    same in many versions, so the official SDK runs each one once."""
    distinct = list(dict.fromkeys((case.source, case.answer) for version in VERSIONS for case in cases_of(version)))
    with RecordingServer(always(Answer(418))) as server:
        sources, answers = [source for source, _ in distinct], [answer for _, answer in distinct]
        runs = run_snippets(sources, server, answers, snippet_env(os.environ, server))
    return dict(zip(distinct, runs, strict=True))


def cases_of(version: str) -> list[Case]:
    cases = code_sample_cases(load_spec(spec_path(version)))
    assert cases, f"dodo-{version} has no Python code samples"
    for case in cases:
        assert case.source.count(OFFICIAL_IMPORT) == 1, case.source
    return cases


@pytest.mark.parametrize("version", VERSIONS)
def test_both_sdks_send_the_same_request_for_every_code_sample(
    version: str, generated_dodo: Callable[[str], Path], official_runs: dict[tuple[str, Answer], Run]
) -> None:
    cases = cases_of(version)
    ours_dir = generated_dodo(version)
    with RecordingServer(always(Answer(418))) as server:
        our_sources = [case.source.replace(OFFICIAL_IMPORT, OUR_IMPORT) for case in cases]
        ours = run_snippets(
            our_sources, server, [case.answer for case in cases], snippet_env(os.environ, server, ours_dir)
        )
    official = [official_runs[case.source, case.answer] for case in cases]
    report = compare_runs(version, cases, official, ours)
    print(report.text())
    assert report.compared, report.text()
    assert not report.differences, report.text()


# --- pagination ----------------------------------------------------------------------------------------------------

PAGE_COUNT = 3
PER_PAGE = 2


def load_package(directory: Path, name: str) -> ModuleType:
    return corpus.import_as(directory / "dodo_payments", name)


def page_number(request: RecordedRequest) -> int:
    """The page a request asks for; the spec says an absent `page_number` means page 0."""
    values = parse_qs(request.query).get("page_number", ["0"])
    return int(values[-1])


@pytest.fixture(name="pages")
def pages_fixture() -> Iterator[tuple[RecordingServer, list[str]]]:
    """A server for `GET /payments` that serves pages 0..2 of two payments each, then empty pages, by
    `page_number`; and the ids of all payments in order."""
    spec = load_spec(spec_path(NEWEST))
    schema = spec["paths"]["/payments"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    envelope: dict[str, Any] = synthesize(schema, spec)
    [item] = envelope["items"]
    ids = [f"pay_{page}_{index}" for page in range(PAGE_COUNT) for index in range(PER_PAGE)]

    def respond(request: RecordedRequest) -> Answer:
        if request.method != "GET" or request.path != "/payments":
            return Answer(404)
        number = page_number(request)
        on_page = ids[number * PER_PAGE : (number + 1) * PER_PAGE] if 0 <= number < PAGE_COUNT else []
        return Answer.json({**envelope, "items": [{**item, "payment_id": each} for each in on_page]})

    with recorder(respond) as server:
        yield server, ids


def walk_all(client_class: Any, base_url: str, asynchronous: bool) -> list[str]:
    """Iterate `client.payments.list()` to the end, as a user would, and return the payment ids."""
    if not asynchronous:
        with client_class(bearer_token=TOKEN, base_url=base_url, max_retries=0) as client:
            return [payment.payment_id for payment in client.payments.list()]

    async def walk() -> list[str]:
        async with client_class(bearer_token=TOKEN, base_url=base_url, max_retries=0) as client:
            return [payment.payment_id async for payment in client.payments.list()]

    return asyncio.run(walk())


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
def test_pagination_never_skips_a_page(
    pages: tuple[RecordingServer, list[str]], generated_dodo: Callable[[str], Path], asynchronous: bool
) -> None:
    server, ids = pages
    ours = load_package(generated_dodo(NEWEST), "dodo_payments_differential")
    our_class = ours.AsyncDodoPayments if asynchronous else ours.DodoPayments
    official_class = dodopayments.AsyncDodoPayments if asynchronous else dodopayments.DodoPayments

    our_ids = walk_all(our_class, server.url, asynchronous)
    our_pages = [page_number(request) for request in server.requests]
    del server.requests[:]
    official_ids = walk_all(official_class, server.url, asynchronous)
    official_pages = [page_number(request) for request in server.requests]
    print(f"ours requested pages {our_pages}, the official SDK requested pages {official_pages}")

    assert our_pages == [0, 1, 2, 3]
    assert our_ids == ids
    # The official SDK's next page is `(page_number or 1) + 1`: after page 0 it asks for page 2.
    assert official_pages == [0, 2, 3]
    assert official_ids == ids[:PER_PAGE] + ids[2 * PER_PAGE :]

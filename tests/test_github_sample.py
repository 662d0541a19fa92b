"""The whole GitHub REST API (issue 3): a sample of its operations, chosen by shape, called through the client
generated from api.github.com.json.gz against a Prism mock of the same spec.

Prism validates every request against the spec (a violation is answered with a 4xx naming it) and answers with the
spec's example (or, where the spec's own schema rejects that example, with a value it builds from the schema), so a
call passes when the generated client sends what the spec allows and turns the answer into the declared return type.

The sample is computed from the spec: every operation is classified by the SHAPES below, and from each shape's usable
operations (sorted by path and method; usable = it has a 2xx response and argument values can be synthesized) up to
PER_SHAPE are taken, evenly spread over the API. The first pick of each shape is also called through the async
client. The summary table (printed, and in the assertion message) counts each shape's operations in the spec, the
usable ones, the sampled ones and those that passed.
"""

from __future__ import annotations

import asyncio
import gzip
import inspect
import shlex
import shutil
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, get_args, get_origin

import httpx
import pydantic
import pytest

from generator.ir import Method, Resource
from generator.load import load
from generator.lower import Options, lower
from tests.support import corpus
from tests.support.prism import PrismMock, require_prism, require_shared_specs
from tests.support.synth import Synth, Unsynthesizable

PACKAGE = "github_rest"
IMPORT_NAME = "github_rest_prism_sample"  # a unique module name keeps it apart from any other github_rest imported
PER_SHAPE = 6
MIN_SAMPLE = 60
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
TEXT_BODY = "Hello **world**"
BINARY_BODY = b"\x89sdkforge\x00binary"

pytestmark = pytest.mark.xdist_group("github_prism")


# --- the operations, as the spec describes them -------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    path: str
    method: str  # lower case
    parameters: tuple[Mapping[str, Any], ...]  # path-level and operation-level, $refs resolved
    body_media: str  # "" without a body
    body_schema: Mapping[str, Any]
    success: tuple[tuple[str, Mapping[str, Any]], ...]  # (status, content by media type) of each 2xx response

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def pointer(self) -> str:
        return "/paths/" + self.path.replace("~", "~0").replace("/", "~1") + "/" + self.method

    def params_in(self, location: str) -> list[Mapping[str, Any]]:
        return [p for p in self.parameters if p["in"] == location]


def operations(document: Mapping[str, Any], synth: Synth) -> list[Operation]:
    found = []
    for path, item in sorted(document["paths"].items()):
        for method in HTTP_METHODS:
            if method not in item:
                continue
            node = item[method]
            merged = {}
            for param in [*item.get("parameters", []), *node.get("parameters", [])]:
                param = synth.resolve(param)
                merged[(param["name"], param["in"])] = param
            body = synth.resolve(node.get("requestBody", {}))
            media = min(body.get("content", {}), key=lambda m: ("json" not in m, m), default="")
            success = tuple(
                (str(code), synth.resolve(response).get("content", {}))
                for code, response in sorted(node.get("responses", {}).items())
                if str(code).startswith("2")
            )
            body_schema = body["content"][media].get("schema", {}) if media else {}
            found.append(Operation(path, method, tuple(merged.values()), media, body_schema, success))
    return found


# --- shapes: what a call exercises ---------------------------------------------------------------------------------

Shape = Callable[[Operation, Synth, Method], bool]


def _is_json(media: str) -> bool:
    return "json" in media


def _variants(synth: Synth, schema: Any) -> list[dict[str, Any]]:
    merged = synth.merged(schema)
    return [synth.merged(v) for v in [*merged.get("oneOf", []), *merged.get("anyOf", [])]]


def _kind(synth: Synth, schema: Any) -> str:
    kind = synth.merged(schema).get("type", "")
    return kind if isinstance(kind, str) else next((k for k in kind if k != "null"), "")


def _string_or_array(synth: Synth, schema: Any) -> bool:
    kinds = {_kind(synth, v) for v in _variants(synth, schema)}
    return {"string", "array"} <= kinds


def _nested_body(op: Operation, synth: Synth) -> bool:
    properties = synth.merged(op.body_schema).get("properties") or {}
    for prop in properties.values():
        prop = synth.merged(prop)
        items = synth.merged(prop.get("items", {}))
        if (prop.get("properties") and _kind(synth, prop) == "object") or items.get("properties"):
            return True
    return False


def _non_json_success(op: Operation) -> list[str]:
    return [m for _, content in op.success for m in content if not _is_json(m)]


SHAPES: dict[str, Shape] = {
    "query array (type: array)": lambda op, s, m: any(_kind(s, p["schema"]) == "array" for p in op.params_in("query")),
    "query oneOf [string, array]": lambda op, s, m: any(
        _string_or_array(s, p["schema"]) for p in op.params_in("query")
    ),
    "3+ path parameters": lambda op, s, m: len(op.params_in("path")) >= 3,
    "header parameters": lambda op, s, m: bool(op.params_in("header")),
    "JSON body, nested objects/arrays": lambda op, s, m: _is_json(op.body_media) and _nested_body(op, s),
    "union body (oneOf/anyOf)": lambda op, s, m: _is_json(op.body_media) and bool(_variants(s, op.body_schema)),
    "non-JSON body": lambda op, s, m: bool(op.body_media) and not _is_json(op.body_media),
    "multipart body": lambda op, s, m: op.body_media.startswith("multipart/"),
    "204, no response body": lambda op, s, m: (
        any(c == "204" for c, _ in op.success) and not any(content for _, content in op.success)
    ),
    "paginated list (page/per_page)": lambda op, s, m: m.pagination is not None,
    "union response (oneOf/anyOf)": lambda op, s, m: any(
        _variants(s, media.get("schema", {}))
        for _, content in op.success
        for t, media in content.items()
        if _is_json(t)
    ),
    "only non-JSON responses": lambda op, s, m: (
        bool(_non_json_success(op)) and all(not _is_json(t) for _, content in op.success for t in content)
    ),
    "JSON or non-JSON media (diff, patch, ...)": lambda op, s, m: (
        bool(_non_json_success(op)) and any(_is_json(t) for _, content in op.success for t in content)
    ),
    "DELETE": lambda op, s, m: op.method == "delete",
    "PUT": lambda op, s, m: op.method == "put",
    "PATCH": lambda op, s, m: op.method == "patch",
}

# Prism cannot serve operations without a 2xx response: it answers the spec's 302, whose Location is
# codeload.github.com, not 127.0.0.1. `choose` leaves them out, with that reason in the summary.
# Prism serves examples verbatim, and many of the spec's examples break the spec's own schemas (the `commit` example
# lacks `files[0].sha`, which `diff-entry` requires). No client can accept those answers, so for those operations
# Prism is asked to build the answer from the schema instead (`Prefer: dynamic=true`, made repeatable by --seed).
FROM_SCHEMA = {"Prefer": "dynamic=true"}
PRISM_SEED = "sdkforge"


def served_example(op: Operation, synth: Synth) -> tuple[Any, Any] | None:
    """(schema, example) of what Prism answers for `Accept: application/json`: the first example of the lowest 2xx
    response, served as is. None when Prism builds the answer from the schema instead."""
    content = op.success[0][1]
    media = "application/json" if "application/json" in content else next((m for m in content if _is_json(m)), "")
    if not media:
        return None
    node = content[media]
    if node.get("examples"):
        first = synth.resolve(next(iter(node["examples"].values())))
        if "value" in first:
            return node.get("schema", {}), first["value"]
    return (node.get("schema", {}), node["example"]) if "example" in node else None


# --- arguments -----------------------------------------------------------------------------------------------------


@dataclass
class Call:
    op: Operation
    chain: tuple[str, ...]  # client.<chain...>.<method>
    method: Method
    args: list[Any]
    kwargs: dict[str, Any]
    shapes: list[str] = field(default_factory=list)
    problem: str = ""  # why the call cannot be made as the spec describes it (a failure)
    bad_example: str = ""  # why the spec's schema rejects the spec's example (the answer then comes from the schema)

    def text(self) -> str:
        shown = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return _clip(f"client.{'.'.join(self.chain)}.{self.method.name}({', '.join(shown)})", 400)


def _array_first(synth: Synth, schema: Any) -> Any:
    """A query value that exercises array serialisation when the schema allows an array."""
    arrays = [v for v in _variants(synth, schema) if _kind(synth, v) == "array"]
    return synth.value(arrays[0] if arrays else schema)


def build_call(op: Operation, chain: tuple[str, ...], method: Method, synth: Synth) -> Call:
    """Required parameters, optional query arrays and per_page, and a body with every property two levels deep;
    values from the spec's schemas. Raises Unsynthesizable."""
    spec_params = {(p["name"], p["in"]): p for p in op.parameters}
    body = synth.value(op.body_schema) if _is_json(op.body_media) else None
    params = [p for p in method.params if p.location != "option"]
    passed: dict[str, Any] = {}
    for param in params:
        if param.location in ("path", "query", "header", "cookie"):
            schema = spec_params[(param.wire_name, param.location)].get("schema", {})
            wanted = param.required or (
                param.location == "query"
                and (
                    _kind(synth, schema) == "array" or _string_or_array(synth, schema) or param.wire_name == "per_page"
                )
            )
            if wanted:
                passed[param.py_name] = _array_first(synth, schema)
        elif param.location in ("body", "form") and isinstance(body, dict) and param.wire_name in body:
            passed[param.py_name] = body[param.wire_name]
        elif param.location == "file":
            passed[param.py_name] = ("upload.bin", BINARY_BODY)
        elif param.location == "whole":
            passed[param.py_name] = body if _is_json(op.body_media) else _raw_body(op.body_media)
    problem = ""
    if isinstance(body, dict) and not any(p.location == "whole" for p in params):
        spread = {p.wire_name for p in params if p.location in ("body", "form", "file")}
        missing = sorted(set(body) - spread)
        if missing:
            problem = f"body properties {missing} have no parameter in {method.name}()"
    names = [p.py_name for p in params]
    positional = [passed.pop(name) for name in names[: method.positional]]
    return Call(op, chain, method, positional, passed, problem=problem)


def _raw_body(media: str) -> Any:
    return TEXT_BODY if media.startswith("text/") else BINARY_BODY


# --- the sample ----------------------------------------------------------------------------------------------------


@dataclass
class Sample:
    calls: list[Call]
    candidates: dict[str, int]  # shape -> operations of that shape in the spec
    eligible: dict[str, int]
    left_out: dict[str, str]  # operation label -> why it cannot be in the sample


def methods_by_pointer(resources: tuple[Resource, ...]) -> dict[str, tuple[tuple[str, ...], Method]]:
    found: dict[str, tuple[tuple[str, ...], Method]] = {}

    def walk(resource: Resource, chain: tuple[str, ...]) -> None:
        for method in resource.methods:
            found[method.pointer] = (chain, method)
        for child in resource.children:
            walk(child, chain + (child.attr,))

    for resource in resources:
        walk(resource, (resource.attr,))
    return found


def choose(ops: list[Operation], by_pointer: Mapping[str, tuple[tuple[str, ...], Method]], synth: Synth) -> Sample:
    calls: dict[str, Call] = {}
    left_out: dict[str, str] = {}
    for op in ops:
        chain, method = by_pointer[op.pointer]
        if not op.success:
            left_out[op.label] = "no 2xx response: Prism answers the spec's 3xx, whose Location is not 127.0.0.1"
        else:
            try:
                calls[op.label] = build_call(op, chain, method, synth)
            except Unsynthesizable as problem:
                left_out[op.label] = f"no argument value: {problem}"
                continue
            if (served := served_example(op, synth)) and (wrong := synth.mismatch(*served, at="example")):
                calls[op.label].kwargs["extra_headers"] = FROM_SCHEMA
                calls[op.label].bad_example = wrong
    candidates: dict[str, int] = {}
    eligible: dict[str, int] = {}
    picked: dict[str, Call] = {}
    for shape, test in SHAPES.items():
        having = [op for op in ops if test(op, synth, by_pointer[op.pointer][1])]
        usable = [calls[op.label] for op in having if op.label in calls]
        candidates[shape], eligible[shape] = len(having), len(usable)
        count = min(PER_SHAPE, len(usable))
        # Evenly spread over the sorted list, so the picks come from all over the API, not the first paths only.
        for index in sorted({round(i * (len(usable) - 1) / max(count - 1, 1)) for i in range(count)}):
            picked[usable[index].op.label] = usable[index]
    for call in picked.values():  # every shape the picked operation has, not only the one it was picked for
        call.shapes = [s for s, test in SHAPES.items() if test(call.op, synth, call.method)]
    return Sample([picked[label] for label in sorted(picked)], candidates, eligible, left_out)


# --- Prism ---------------------------------------------------------------------------------------------------------


def seeded_prism(directory: Path) -> Path:
    """PrismMock runs `PRISM mock SPEC -h HOST -p 0`; this wrapper adds --seed, so answers built from a schema are
    the same on every run."""
    wrapper = directory / "prism-seeded"
    wrapper.write_text(f'#!/bin/sh\nexec {shlex.quote(str(require_prism()))} "$@" --seed {PRISM_SEED}\n')
    wrapper.chmod(0o755)
    return wrapper


# --- the generated package -----------------------------------------------------------------------------------------


def load_package(directory: Path, name: str) -> ModuleType:
    return corpus.import_as(directory / PACKAGE, name)


@dataclass
class GitHub:
    package: ModuleType
    sample: Sample
    base_url: str
    prism_startup: float  # seconds


@pytest.fixture(scope="session")
def github(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GitHub]:
    """Prism boots (the longest step, 10-40 s) while the package is generated and the spec lowered."""
    source = require_shared_specs("github", "api.github.com.json.gz")
    work = tmp_path_factory.mktemp("github-sample")
    spec_file = work / "api.github.com.json"
    with gzip.open(source, "rb") as packed, spec_file.open("wb") as unpacked:
        shutil.copyfileobj(packed, unpacked)
    prism = PrismMock(spec_file, work, prism=seeded_prism(work))
    started = time.monotonic()

    def boot() -> float:
        prism.start()
        return time.monotonic() - started

    with ThreadPoolExecutor(max_workers=1) as pool:
        booted = pool.submit(boot)
        try:
            out = corpus.generated(tmp_path_factory, source, PACKAGE).parent
            package = load_package(out, IMPORT_NAME)
            spec = load(source)
            synth = Synth(spec.raw)
            ops = operations(spec.raw, synth)
            by_pointer = methods_by_pointer(lower(spec, Options(PACKAGE)).resources)
            missing = [op.label for op in ops if op.pointer not in by_pointer]
            assert not missing, f"operations without a generated method: {missing}"
            sample = choose(ops, by_pointer, synth)
            startup = booted.result()
            yield GitHub(package, sample, prism.url, startup)
        finally:
            wait([booted])  # a failed setup still stops the Prism it started
            prism.stop()


# --- calling and checking ------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    call: Call
    client: str  # sync or async
    error: str = ""  # "" when the call passed


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"


def _only_here(request: httpx.Request) -> None:
    if request.url.host != "127.0.0.1":
        raise RuntimeError(f"refusing a request to {request.url}: tests only talk to 127.0.0.1")


def _describe(exc: BaseException, requests: list[httpx.Request]) -> str:
    """What went wrong, with the request as sent and Prism's verdict on it."""
    lines = [f"{type(exc).__name__}: {_clip(str(exc), 600)}"]
    if requests:
        request = requests[-1]
        lines.append(f"request: {request.method} {request.url}")
        if request.content:
            lines.append("request body: " + _clip(request.content.decode(errors="replace"), 600))
    response = getattr(exc, "response", None)
    if isinstance(response, httpx.Response):
        violations = response.headers.get("sl-violations")
        lines.append(f"response: {response.status_code} {response.headers.get('content-type', '')}")
        if violations:
            lines.append("Prism violations: " + _clip(violations, 800))
        else:
            lines.append("response body: " + _clip(response.text, 600))
    return "\n      ".join(lines)


def conforms(package: ModuleType, result: object, annotation: Any) -> None:
    """Raise unless `result` has the declared type: page classes with their items, else pydantic in strict mode
    (models must be instances of the class, lists lists of the item type, None None, bytes bytes)."""
    pages = (package._pagination.SyncPage, package._pagination.AsyncPage)
    origin = get_origin(annotation)
    if origin in pages or origin is package._pagination.AsyncPaginator:
        expected = package._pagination.AsyncPage if origin is package._pagination.AsyncPaginator else origin
        if not isinstance(result, expected):
            raise TypeError(f"expected {expected.__name__}, got {type(result).__name__}")
        result, annotation = result.items, list[get_args(annotation)[0]]  # type: ignore[misc]
    if annotation is package._types.BinaryContent:  # a bytes subclass, not a pydantic type
        if not isinstance(result, annotation):
            raise TypeError(f"expected BinaryContent, got {type(result).__name__}")
        return
    pydantic.TypeAdapter(annotation).validate_python(result, strict=True)


def return_type(function: Callable[..., Any]) -> object:
    """The method's return annotation, evaluated where it was written (the modules use postponed annotations)."""
    annotation = inspect.signature(function).return_annotation
    return eval(annotation, function.__globals__) if isinstance(annotation, str) else annotation


def target(client: object, call: Call) -> Callable[..., Any]:
    resource = client
    for attr in call.chain:
        resource = getattr(resource, attr)
    method: Callable[..., Any] = getattr(resource, call.method.name)
    return method


def run_sync(github: GitHub, calls: list[Call]) -> list[Outcome]:
    requests: list[httpx.Request] = []
    outcomes = []
    http = httpx.Client(follow_redirects=False, event_hooks={"request": [_only_here, requests.append]})
    client = github.package.GithubRest(base_url=github.base_url, max_retries=0, http_client=http)
    with http, client, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # deprecated operations warn; not under test here
        for call in calls:
            requests.clear()
            outcome = Outcome(call, "sync")
            try:
                if call.problem:
                    raise TypeError(call.problem)
                function = target(client, call)
                conforms(github.package, function(*call.args, **call.kwargs), return_type(function))
            except Exception as exc:
                outcome.error = _describe(exc, requests)
            outcomes.append(outcome)
    return outcomes


def run_async(github: GitHub, calls: list[Call]) -> list[Outcome]:
    requests: list[httpx.Request] = []

    async def only_here(request: httpx.Request) -> None:
        _only_here(request)
        requests.append(request)

    async def run() -> list[Outcome]:
        http = httpx.AsyncClient(follow_redirects=False, event_hooks={"request": [only_here]})
        client = github.package.AsyncGithubRest(base_url=github.base_url, max_retries=0, http_client=http)
        outcomes = []
        async with http, client:
            for call in calls:
                requests.clear()
                outcome = Outcome(call, "async")
                try:
                    if call.problem:
                        raise TypeError(call.problem)
                    function = target(client, call)
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", DeprecationWarning)
                        result = function(*call.args, **call.kwargs)
                    result = await result  # a coroutine, or an AsyncPaginator whose await gives the first page
                    conforms(github.package, result, return_type(function))
                except Exception as exc:
                    outcome.error = _describe(exc, requests)
                outcomes.append(outcome)
        return outcomes

    return asyncio.run(run())


def report(github: GitHub, outcomes: list[Outcome]) -> str:
    sample = github.sample
    sync = [o for o in outcomes if o.client == "sync"]
    lines = [
        f"GitHub sample against Prism ({github.base_url}, started in {github.prism_startup:.1f} s): "
        f"{len(sample.calls)} operations, {sum(not o.error for o in sync)} passed (sync); "
        f"{sum(o.client == 'async' for o in outcomes)} also async, "
        f"{sum(not o.error for o in outcomes if o.client == 'async')} passed",
        f"  {'shape':<44}{'in spec':>8}{'usable':>8}{'sampled':>8}{'passed':>8}",
    ]
    for shape in SHAPES:
        having = [o for o in sync if shape in o.call.shapes]
        lines.append(
            f"  {shape:<44}{sample.candidates[shape]:>8}{sample.eligible[shape]:>8}{len(having):>8}"
            f"{sum(not o.error for o in having):>8}"
        )
    from_schema = [c for c in sample.calls if c.bad_example]
    lines.append(
        f"  sampled operations whose example the spec's schema rejects, answered from the schema: {len(from_schema)}"
    )
    lines += [f"    {c.op.label}: {c.bad_example}" for c in from_schema]
    lines.append(f"  left out of the candidates: {len(sample.left_out)}")
    lines += [f"    {label}: {why}" for label, why in sorted(sample.left_out.items())]
    failed = [o for o in outcomes if o.error]
    lines.append(f"  failures: {len(failed)}")
    for outcome in failed:
        lines.append(f"  FAILED ({outcome.client}) {outcome.call.op.label} [{', '.join(outcome.call.shapes)}]")
        lines.append(f"      call: {outcome.call.text()}")
        lines.append(f"      {outcome.error}")
    return "\n".join(lines)


def test_github_sample_against_prism(github: GitHub) -> None:
    calls = github.sample.calls
    assert len(calls) >= MIN_SAMPLE, f"only {len(calls)} operations sampled:\n" + report(github, [])
    first_of_each_shape = {}
    for shape in SHAPES:
        having = [c for c in calls if shape in c.shapes]
        if having:
            first_of_each_shape[having[0].op.label] = having[0]
    outcomes = run_sync(github, calls) + run_async(github, list(first_of_each_shape.values()))
    text = report(github, outcomes)
    print(text)
    sampled_shapes = {shape for call in calls for shape in call.shapes}
    unsampled = [s for s in SHAPES if github.sample.eligible[s] and s not in sampled_shapes]
    assert not unsampled and not any(o.error for o in outcomes), text

"""A Prism sweep over the APIs.guru corpus: each spec generated through the real CLI, served by `prism mock -d`
(seeded, so answers repeat), and every operation called through the generated sync client.

    .venv/bin/python -m tests.corpus.prism_sweep                  # the first 40 specs -> tests/corpus/PRISM.md
    .venv/bin/python -m tests.corpus.prism_sweep --specs nba.com.json --out -

Arguments are synthesized from the spec (tests/corpus/sweep_synth.py) but passed as a user reading the generated
signature would: a parameter the signature makes optional is left out when the spec requires it (so Prism says
whether the signature is right), and passed, when a value can be made, when the spec makes it optional too. Each
operation ends in one class:

- ok: a 2xx, parsed into the method's declared return type;
- rejected: Prism refused the request the client built (4xx naming the violation, a wrong Accept or Content-Type,
  a security requirement the request does not meet);
- answer refused: a 2xx the spec allows, which the client could not turn into its return type;
- prism failed: Prism could not serve or judge (5xx, a crash, an answer breaking the spec's own schema, a known
  Prism limit such as arrays in form bodies), or the spec itself is at fault (no 2xx, a #fragment in the path);
- unsynthesizable: no argument value could be made (e.g. the spec's schema rejects its own enum);
- not called: the operation has no generated method (a generator bug);
- client error: the client raised before it had an answer (a generator bug).

Raw results go to `.corpus/<name of --out>.json`.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import inspect
import json
import re
import shlex
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType, SimpleNamespace, UnionType
from typing import Any, Union, get_args, get_origin

import httpx
import pydantic

from tests.corpus.run import CACHE, ROOT, fetch, listed
from tests.corpus.sweep_synth import SweepSynth, Unsynthesizable
from tests.support.corpus import import_as
from tests.support.prism import PRISM, PrismError, PrismMock

WORK = CACHE / "prism"
SEED = "sdkforge"
CREDENTIAL = "c3dlZXA6Y3JlZGVudGlhbA=="  # base64 of "sweep:credential": also passes as an HTTP Basic token
CALL_TIMEOUT = 10.0  # seconds per call
GENERATE_TIMEOUT = 300
RESTARTS = 4  # of a Prism that crashed, per spec
SPEC_BUDGET = 180  # seconds of calls per spec
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
CLIENT_OPTIONS = {"base_url", "environment", "timeout", "max_retries", "default_headers", "http_client"}
CLASSES = ("ok", "rejected", "answer refused", "prism failed", "unsynthesizable", "not called", "client error")
BODY_PREFERENCE = ("json", "multipart", "form", "binary", "text")  # the generator's choice among body media types
IGNORED_HEADERS = ("accept", "content-type", "authorization")  # header parameters OpenAPI says to ignore
TEXT_BODY = "Hello world"
BINARY_BODY = b"\x89sweep\x00binary"


# --- the operations, as the spec has them --------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    path: str
    method: str
    parameters: dict[tuple[str, str], Mapping[str, Any]]  # (name, in) -> parameter, $refs resolved
    body: Mapping[str, Any]  # the requestBody, resolved ({} without one)
    security: tuple[dict[str, Mapping[str, Any]], ...]  # alternatives: the schemes each needs together
    responses: Mapping[str, Any]  # status -> response

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def pointer(self) -> str:
        return "/paths/" + self.path.replace("~", "~0").replace("/", "~1") + "/" + self.method

    def success_media(self, synth: SweepSynth) -> list[str]:
        codes = [c for c in self.responses if str(c).startswith("2")] or ["default"]
        return [m for c in codes if c in self.responses for m in synth.resolve(self.responses[c]).get("content") or {}]


def operations(document: Mapping[str, Any], synth: SweepSynth) -> list[Operation]:
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    found = []
    for path, item in document.get("paths", {}).items():
        item = synth.resolve(item)
        for method in HTTP_METHODS:
            if isinstance(item.get(method), Mapping):
                node = item[method]
                params = {}
                for param in [*item.get("parameters", []), *node.get("parameters", [])]:
                    param = synth.resolve(param)
                    params[(param["name"], param["in"])] = param
                security = tuple(
                    {name: synth.resolve(schemes.get(name, {})) for name in alternative}
                    for alternative in node.get("security", document.get("security")) or []
                )
                body = synth.resolve(node.get("requestBody", {}))
                found.append(Operation(path, method, params, body, security, node.get("responses") or {}))
    return found


def media_kind(media: str) -> str:
    base = media.split(";")[0].strip().lower()
    if base in ("application/json", "*/*") or base.endswith("+json") or "/json" in base:
        return "json"
    if base == "multipart/form-data":
        return "multipart"
    if base == "application/x-www-form-urlencoded":
        return "form"
    return "text" if base.startswith("text/") else "binary"


@dataclass(frozen=True)
class Arg:
    """One parameter of a generated method, as the generator's IR has it."""

    py_name: str
    wire_name: str  # "" for a whole body
    location: str  # path, query, header, cookie, body (a JSON property), form, file, whole
    required: bool


@dataclass(frozen=True)
class Signature:
    """A generated method: client.<chain...>.<name>(...)."""

    chain: tuple[str, ...]
    name: str
    positional: int  # how many leading args are positional
    args: tuple[Arg, ...]


def describe(spec_file: Path, package: str) -> tuple[str, dict[str, Signature], dict[str, Any]]:
    """(client class name, generated method by operation pointer, the loaded document), from the generator's IR.

    Lowered in a fresh process, so it is the generator code the CLI just ran, even while the generator is edited."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.corpus.prism_sweep", "--describe", str(spec_file), package],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=GENERATE_TIMEOUT,
        check=True,
    )
    found = json.loads(done.stdout)
    methods = {
        pointer: Signature(tuple(m["chain"]), m["name"], m["positional"], tuple(Arg(**a) for a in m["args"]))
        for pointer, m in found["methods"].items()
    }
    return found["client"], methods, found["document"]


def _describe_main(spec_file: str, package: str) -> None:
    from generator.ir import Resource
    from generator.load import load
    from generator.lower import Options, lower

    spec = load(spec_file)
    sdk = lower(spec, Options(package))
    methods: dict[str, Any] = {}

    def walk(resource: Resource, chain: list[str]) -> None:
        for m in resource.methods:
            args = [
                vars(Arg(p.py_name, p.wire_name, p.location, p.required)) for p in m.params if p.location != "option"
            ]
            methods[m.pointer] = {"chain": chain, "name": m.name, "positional": m.positional, "args": args}
        for child in resource.children:
            walk(child, [*chain, child.attr])

    for resource in sdk.resources:
        walk(resource, [resource.attr])
    json.dump({"client": sdk.client_name, "methods": methods, "document": spec.raw}, sys.stdout, default=str)


# --- arguments -----------------------------------------------------------------------------------------------------


@dataclass
class Call:
    op: Operation
    method: Signature
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)
    left_out: list[str] = field(default_factory=list)  # required by the spec, optional in the signature
    overlapping: bool = False  # a value fits several oneOf variants; only its discriminator picks one

    def text(self) -> str:
        shown = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return _clip(f"client.{'.'.join(self.method.chain)}.{self.method.name}({', '.join(shown)})", 300)


@dataclass
class Body:
    """The request body in the media type the generator picks, with a value for it."""

    kind: str = ""  # "" without a body; else json, multipart, form, binary, text
    required: bool = False
    schema: Mapping[str, Any] = field(default_factory=dict)
    value: Any = None
    problem: str = ""  # why no value could be made

    @classmethod
    def of(cls, op: Operation, synth: SweepSynth) -> Body:
        content = op.body.get("content") or {}
        if not content:
            return cls()
        media = min(content, key=lambda m: (BODY_PREFERENCE.index(media_kind(m)), m))
        body = cls(media_kind(media), bool(op.body.get("required")), synth.merged(content[media].get("schema", {})))
        if body.kind == "binary":  # the spec sometimes describes raw bytes as base64 text
            body.value = b"c3RyaW5n" if body.schema.get("format") == "byte" else BINARY_BODY
        elif body.kind == "text" or not body.schema:
            body.value = TEXT_BODY
        else:
            try:
                body.value = checked(synth, body.schema)
            except Unsynthesizable as problem:
                body.problem = str(problem)
        return body


def checked(synth: SweepSynth, schema: Any) -> Any:
    """A synthesized value, refused when the spec's own schema rejects it (e.g. an enum of strings of type number)."""
    value = synth.value(schema)
    if wrong := synth.mismatch(schema, value):
        raise Unsynthesizable(f"the spec's schema rejects the value made from it: {wrong}")
    return value


Maker = Callable[[], Any] | None  # makes one argument's value; None: leave the optional argument out


def source(op: Operation, param: Arg, body: Body, synth: SweepSynth) -> tuple[bool, Maker]:
    """(does the spec require it, how to make its value) for one parameter of the generated method."""
    if param.location in ("path", "query", "header", "cookie"):
        named = [p for (name, _), p in op.parameters.items() if name == param.wire_name]  # moved: `/a?b={b}`
        spec = op.parameters.get((param.wire_name, param.location)) or (named or [{}])[0]
        maker = None if spec.get("deprecated") and not param.required else lambda: checked(synth, spec.get("schema"))
        return bool(spec.get("required")) or param.location == "path", maker
    if body.problem:

        def fail() -> Any:
            raise Unsynthesizable(body.problem)

        return body.required, fail
    if param.location == "whole":
        return body.required, lambda: body.value
    required = body.required and param.wire_name in (body.schema.get("required") or [])
    if param.location == "file":
        return required, lambda: ("upload.bin", BINARY_BODY)
    if isinstance(body.value, dict) and param.wire_name in body.value:
        return required, lambda: body.value[param.wire_name]
    prop = (body.schema.get("properties") or {}).get(param.wire_name, {})
    return required, (lambda: checked(synth, prop)) if param.required else None


def build_call(op: Operation, method: Signature, synth: SweepSynth) -> Call:
    """Raises Unsynthesizable when a value the call needs cannot be made."""
    synth.overlapping = False
    body = Body.of(op, synth)
    call = Call(op, method)
    params = list(method.args)
    for param in params:
        spec_required, make = source(op, param, body, synth)
        in_body = param.location in ("body", "form", "file", "whole")
        where = "body" if in_body and body.problem else f"{param.location} {param.wire_name or 'body'}"
        if param.required:
            try:
                call.kwargs[param.py_name] = make() if make else None
            except Unsynthesizable as problem:
                raise Unsynthesizable(f"{where}: {problem}") from None
        elif spec_required:
            call.left_out.append(where)
        elif make is not None:
            with contextlib.suppress(Unsynthesizable):
                call.kwargs[param.py_name] = make()
    spread = [p for p in params if p.location in ("body", "form", "file")]
    if any(p.py_name in call.kwargs for p in spread):  # a body is sent: it must hold every required property
        names = {p.wire_name for p in spread}
        call.left_out += [f"body {n} (no parameter)" for n in body.schema.get("required") or [] if n not in names]
    call.args = [call.kwargs.pop(p.py_name) for p in params[: method.positional]]
    call.overlapping = synth.overlapping
    return call


# --- calling -------------------------------------------------------------------------------------------------------


@dataclass
class Result:
    spec: str
    operation: str
    outcome: str
    reason: str = ""
    call: str = ""
    request: str = ""
    left_out: str = ""  # parameters the spec requires and the signature lets a caller leave out
    note: str = ""  # about a passing call: Prism's warnings, a static answer


_last = SimpleNamespace(request=None, violations="")  # the last request sent, the last answer's sl-violations


def _only_here(request: httpx.Request) -> None:
    if request.url.host != "127.0.0.1":
        raise RuntimeError(f"refusing a request to {request.url}: the sweep only talks to 127.0.0.1")
    _last.request = request


def _remember(response: httpx.Response) -> None:
    _last.violations = response.headers.get("sl-violations", "")


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


def return_type(function: Callable[..., Any]) -> Any:
    annotation = inspect.signature(function).return_annotation
    return eval(annotation, function.__globals__) if isinstance(annotation, str) else annotation


def conforms(package: ModuleType, result: object, annotation: Any) -> None:
    """Raise unless `result` has the declared type (a page: its items; else pydantic in strict mode)."""
    page = importlib.import_module(f"{package.__name__}._pagination").SyncPage
    binary = importlib.import_module(f"{package.__name__}._types").BinaryContent
    if get_origin(annotation) is page:
        if not isinstance(result, page):
            raise TypeError(f"expected SyncPage, got {type(result).__name__}")
        result, annotation = result.items, list[get_args(annotation)[0]]  # type: ignore[misc]
    members = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else (annotation,)
    if binary in members:  # bytes, not a pydantic type
        if not isinstance(result, tuple(type(None) if m is None else m for m in members)):
            raise TypeError(f"expected {annotation}, got {type(result).__name__}")
        return
    pydantic.TypeAdapter(annotation).validate_python(result, strict=True)


class Refused(Exception):
    """The call returned, but not a value of its declared return type."""


def _sent(request: httpx.Request | None) -> str:
    if request is None:
        return ""
    text = f"{request.method} {request.url.raw_path.decode(errors='replace')}"
    if kind := request.headers.get("content-type", ""):
        try:
            body = request.read().decode(errors="replace")
        except httpx.StreamError:
            body = "(a stream)"
        body = "".join(c if c.isprintable() or c.isspace() else "?" for c in body)  # binary bodies
        if boundary := re.search(r"boundary=([^;]+)", kind):  # random: not part of a repeatable report
            body = body.replace(boundary.group(1), "BOUNDARY")
        text += f" [{kind.split(';')[0]}] {body}"
    return _clip(text, 400)


def _problem(response: httpx.Response) -> tuple[str, list[dict[str, Any]], str]:
    """(Prism error code, violations, short text) of a Prism answer; code "" when the answer came from the spec."""
    try:
        violations = json.loads(response.headers.get("sl-violations", "[]"))
    except ValueError:
        violations = []
    try:
        body = response.json()
    except ValueError:
        body = response.text
    code = ""
    if isinstance(body, dict) and "stoplight.io/prism/errors#" in str(body.get("type", "")):
        code = str(body["type"]).rsplit("#", 1)[1]
        violations = violations or body.get("validation") or []
    if violations:
        text = "; ".join(f"{'.'.join(map(str, v.get('location', [])))}: {v.get('message', '')}" for v in violations[:4])
    elif code:
        text = f"{code}: {body.get('detail') or body.get('title') or ''}"
    else:
        text = json.dumps(body)
    return code, violations, _clip(f"{response.status_code} {text}", 500)


# --- classifying ---------------------------------------------------------------------------------------------------


def _meets(request: httpx.Request, scheme: Mapping[str, Any]) -> bool:
    """Does the request carry a credential of this security scheme?"""
    auth: str = request.headers.get("authorization", "").lower()
    kind = scheme.get("type")
    if kind == "http":
        return auth.startswith(str(scheme.get("scheme", "")).lower() + " ")
    if kind in ("oauth2", "openIdConnect"):
        return auth.startswith("bearer ")
    name, where = str(scheme.get("name", "")), scheme.get("in")
    if where == "query":
        return name in request.url.params
    if where == "cookie":
        return f"{name}=" in request.headers.get("cookie", "")
    return kind == "apiKey" and name in request.headers


def _security(call: Call, request: httpx.Request, text: str) -> tuple[str, str]:
    needs = " or ".join("+".join(alternative) or "none" for alternative in call.op.security) or "nothing"
    met = {name for a in call.op.security for name, scheme in a.items() if _meets(request, scheme)}
    if call.op.security and not any(a.keys() <= met for a in call.op.security):
        return "rejected", f"security: the spec asks for {needs}; the request carries {sorted(met) or 'no credential'}"
    return "prism failed", f"security: {text} (the spec asks for {needs})"


def _plain(media: str) -> str:
    return media.replace(" ", "").lower()


def _wrong_content_type(call: Call, request: httpx.Request) -> str:
    """Why the request's Content-Type is none of the body media types the spec declares ("" when it is one)."""
    declared = [_plain(m).split(";")[0] for m in call.op.body.get("content") or {}]
    has_body = request.headers.get("content-length", "0") != "0" or "transfer-encoding" in request.headers
    sent = _plain(request.headers.get("content-type", "")).split(";")[0]
    if not declared or not has_body or any(m == sent or m in ("*/*", sent.split("/")[0] + "/*") for m in declared):
        return ""
    return f"Content-Type {sent or '(none)'} is none of the spec's body media types {declared}"


def _not_acceptable(call: Call, request: httpx.Request, synth: SweepSynth, text: str) -> tuple[str, str]:
    media = call.op.success_media(synth)
    if not media:
        return "prism failed", f"the spec's answers have no body: {text}"
    if any(m.split(";")[0].strip() in ("*/*", "*") for m in media):
        return "prism failed", f"Prism cannot serve a `*/*` response: {text}"
    accepted = {_plain(m) for m in str(request.headers.get("accept")).split(",")}
    if accepted & {_plain(m) for m in media}:
        return "prism failed", f"Prism does not match a media type with parameters: {text}"
    return "rejected", f"Accept: {request.headers.get('accept')} names none of the answer's media types {media}: {text}"


def _prism_limit(call: Call, request: httpx.Request, synth: SweepSynth, violation: Mapping[str, Any]) -> str:
    """The Prism limitation behind a violation, or "" when the request is really at fault."""
    location = [str(x) for x in violation.get("location", [])]
    location = location[1:] if location[:1] == ["request"] else location
    message = str(violation.get("message", ""))
    quoted = re.search(r"property '([^']+)'", message)
    name = location[1] if len(location) > 1 else quoted.group(1) if quoted else ""
    where = location[0] if location else ""
    if where == "path" and (name, "path") not in call.op.parameters:
        return "Prism matched another path template"
    if where == "body" and message.endswith("must be object") and "xml" in request.headers.get("content-type", ""):
        return "Prism does not parse XML bodies"
    if where == "body" and message.endswith("must be array"):
        if media_kind(request.headers.get("content-type", "")) in ("form", "multipart"):
            return "Prism reads no arrays from form bodies (stoplightio/prism#2654)"
    if call.overlapping and "exactly one schema in oneOf" in message:
        return "Prism validates oneOf without the discriminator"
    if where == "header" and name.lower() in IGNORED_HEADERS:
        return "Prism enforces a header parameter that OpenAPI says to ignore"
    if where == "query" and re.search(r"\[|%5b", name, re.IGNORECASE):
        return "Prism cannot match query parameter names with brackets"
    if where == "query" and message.endswith("must be array,null"):
        return "Prism reads a single value as a string for a nullable array"
    param = call.op.parameters.get((name.split(".")[0], "query"))
    if where == "query" and param and synth.merged(param.get("schema", {})).get("type") == "object":
        return "Prism does not read object query parameters (style form, explode)"
    return ""


def _invalid_answer(op: Operation, response: httpx.Response, synth: SweepSynth) -> str:
    """Why the spec's schema for this answer rejects it ("" when it accepts it, or the answer is not JSON)."""
    status = str(response.status_code)
    found = op.responses.get(status) or op.responses.get(f"{status[0]}XX") or op.responses.get("default")
    content = synth.resolve(found).get("content") or {}
    media = response.headers.get("content-type", "").split(";")[0].strip()
    entry = content.get(media) or next((v for k, v in content.items() if media_kind(k) == "json"), None)
    try:
        value = response.json()
    except ValueError:
        return ""
    return synth.mismatch(entry.get("schema", {}), value, "answer") if isinstance(entry, Mapping) else ""


def classify(package: ModuleType, synth: SweepSynth, call: Call, exc: Exception) -> tuple[str, str]:
    if isinstance(exc, package.APIResponseValidationError):
        if exc.response.status_code == 204:
            return "prism failed", "the spec gives a 204 answer a body, which HTTP cannot carry"
        if wrong := _invalid_answer(call.op, exc.response, synth):
            return "prism failed", _clip(f"Prism's answer breaks the spec's own schema: {wrong}", 400)
        return "answer refused", _clip(f"{exc} | answer: {exc.response.text}", 600)
    if isinstance(exc, Refused):
        return "answer refused", _clip(str(exc), 600)
    if isinstance(exc, package.APIConnectionError):
        return "prism failed", f"{type(exc).__name__}: {exc.message}"
    if not isinstance(exc, package.APIStatusError):
        return "client error", _clip(f"{type(exc).__name__}: {exc}", 400)
    code, violations, text = _problem(exc.response)
    status, request = exc.response.status_code, exc.response.request
    if code in ("UNAUTHORIZED", "FORBIDDEN") or (not code and status in (401, 403)):
        return _security(call, request, text)
    if code == "NOT_ACCEPTABLE":
        return _not_acceptable(call, request, synth, text)
    if code in ("NO_PATH_MATCHED_ERROR", "NO_METHOD_MATCHED_ERROR") and re.search(r"[#?]", call.op.path):
        return "prism failed", f"the spec's path has a #fragment or ?query, which Prism cannot route: {text}"
    if wrong := _wrong_content_type(call, request):
        return "rejected", f"{wrong}: {text}"
    if code == "INVALID_CONTENT_TYPE":
        return "rejected", text
    if violations:  # Prism found the request at fault (answered with a 4xx or 5xx of the spec, or its own 422)
        limits = [_prism_limit(call, request, synth, v) for v in violations]
        return ("prism failed", f"{limits[0]}: {text}") if all(limits) else ("rejected", text)
    if status >= 500 or code:
        return "prism failed", text
    return "prism failed", f"Prism answered a non-2xx response of the spec: {text}"


def call_one(package: ModuleType, client: object, synth: SweepSynth, spec: str, call: Call) -> Result:
    result = Result(spec, call.op.label, "ok", call=call.text(), left_out=", ".join(call.left_out))
    target: Any = client
    for attr in (*call.method.chain, call.method.name):
        target = getattr(target, attr)
    extra: dict[str, Any] = {}
    for _ in range(2):  # a second time with a static answer, when Prism cannot build a dynamic one
        _last.request, _last.violations = None, ""
        try:
            answer = target(*call.args, **call.kwargs, **extra)
            try:
                conforms(package, answer, return_type(target))
            except (pydantic.ValidationError, TypeError) as problem:
                raise Refused(f"{type(problem).__name__}: {problem}") from None
            result.outcome, result.reason = "ok", ""
            result.note += f"Prism warned: {_clip(_last.violations, 300)}" if _last.violations else ""
            return result
        except Exception as exc:
            result.outcome, result.reason = classify(package, synth, call, exc)
            result.request = _sent(_last.request)
            if extra or not (result.outcome == "prism failed" and " UNKNOWN: " in result.reason):
                return result
            result.note = f"answered statically: the dynamic answer failed ({_clip(result.reason, 150)}); "
            extra = {"extra_headers": {"Prefer": "dynamic=false"}}
    return result


# --- one spec ------------------------------------------------------------------------------------------------------


def generate(spec: Path, out: Path, package: str) -> str:
    """'' when the CLI generated the package, else its first error line."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "generator", "generate", str(spec), "--output", str(out), "--package", package],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=GENERATE_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"timeout after {GENERATE_TIMEOUT} s"
    if done.returncode == 0:
        return ""
    lines = done.stderr.strip().splitlines() or [f"exit {done.returncode}"]
    return _clip(next((line for line in lines if "error" in line), lines[-1]), 400)


def seeded_prism(directory: Path) -> Path:
    """PrismMock runs `PRISM mock SPEC -h HOST -p 0`: this wrapper adds dynamic answers with a fixed seed."""
    wrapper = directory / "prism-seeded"
    wrapper.write_text(f'#!/bin/sh\nexec {shlex.quote(str(PRISM))} "$@" -d --seed {SEED}\n')
    wrapper.chmod(0o755)
    return wrapper


@dataclass
class Target:
    """What one spec's calls need: its file, the generated package and client, and values."""

    rel: str
    spec_file: Path
    module: ModuleType
    client_class: type
    credentials: dict[str, str]
    synth: SweepSynth


def _dead(prism: PrismMock) -> str:
    """ "" while Prism answers; else its last error line."""
    try:
        urllib.request.urlopen(prism.url, timeout=10).close()
    except urllib.error.HTTPError:
        return ""
    except OSError:
        lines = [line for line in prism.log().splitlines() if "Error" in line and not line.strip().startswith("at")]
        return _clip(lines[-1] if lines else "no message", 150)
    return ""


def run_calls(target: Target, calls: list[Call]) -> list[Result]:
    """The calls in order, one at a time (Prism's seeded answers depend on the order). A Prism that crashes is
    restarted (at most RESTARTS times), and a spec gets SPEC_BUDGET seconds (a slow Prism times every call out)."""
    results: list[Result] = []
    pending = list(calls)
    deadline = time.monotonic() + SPEC_BUDGET
    hooks: dict[str, list[Callable[..., Any]]] = {"request": [_only_here], "response": [_remember]}
    for _ in range(RESTARTS + 1):
        try:
            with (
                PrismMock(target.spec_file, WORK / "logs", prism=seeded_prism(WORK)) as prism,
                httpx.Client(timeout=CALL_TIMEOUT, follow_redirects=False, event_hooks=hooks) as http,
                target.client_class(
                    base_url=prism.url, max_retries=0, timeout=CALL_TIMEOUT, http_client=http, **target.credentials
                ) as client,
            ):
                while pending and time.monotonic() < deadline:
                    result = call_one(target.module, client, target.synth, target.rel, pending.pop(0))
                    results.append(result)
                    if result.reason.startswith("APIConnectionError") and (crash := _dead(prism)):
                        result.reason = f"Prism crashed on this request ({crash})"
                        break
                else:
                    why = f"not called: the spec's {SPEC_BUDGET} s ran out (Prism answers slowly)"
                    return results + [Result(target.rel, c.op.label, "prism failed", why) for c in pending]
        except PrismError as problem:
            why = f"Prism did not start: {_clip(str(problem).splitlines()[0], 300)}"
            return results + [Result(target.rel, c.op.label, "prism failed", why) for c in pending]
    why = f"not called: Prism crashed {RESTARTS + 1} times"
    return results + [Result(target.rel, c.op.label, "prism failed", why) for c in pending]


def sweep_spec(index: int, rel: str, api: Path) -> dict[str, Any]:
    spec_file = api / rel
    package = f"sweep_{index:04d}"
    out = WORK / "out"
    started = time.monotonic()
    summary: dict[str, Any] = {"index": index, "spec": rel, "generated": True, "error": "", "results": []}
    if error := generate(spec_file, out, package):
        summary.update(generated=False, error=error)
        return summary
    client_name, by_pointer, document = describe(spec_file, package)
    synth = SweepSynth(document)
    calls: list[Call] = []
    results: list[Result] = []
    for op in operations(document, synth):
        if op.pointer not in by_pointer:
            results.append(Result(rel, op.label, "not called", "no generated method for " + op.pointer))
            continue
        try:
            calls.append(build_call(op, by_pointer[op.pointer], synth))
        except (Unsynthesizable, RecursionError) as problem:
            results.append(Result(rel, op.label, "unsynthesizable", _clip(str(problem) or "recursion", 300)))
    module = import_as(out / package, package)
    client_class = getattr(module, client_name)
    credentials = {
        name: CREDENTIAL
        for name, p in inspect.signature(client_class).parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY and name not in CLIENT_OPTIONS
    }
    results += run_calls(Target(rel, spec_file, module, client_class, credentials, synth), calls)
    summary["results"] = [asdict(r) for r in sorted(results, key=lambda r: r.operation)]
    summary["seconds"] = round(time.monotonic() - started, 1)
    return summary


# --- the report ----------------------------------------------------------------------------------------------------


def report(summaries: list[dict[str, Any]], minutes: float, raw: Path) -> str:
    totals: Counter[str] = Counter()
    rows = []
    for s in summaries:
        counts = Counter(r["outcome"] for r in s["results"])
        totals.update(counts)
        if not s["generated"]:
            rows.append(f"| {s['spec']} | does not generate: {s['error'].replace('|', '/')[:160]} |" + " |" * 7)
        else:
            cells = " | ".join(str(counts[c]) for c in CLASSES)
            rows.append(f"| {s['spec']} | {len(s['results'])} | {cells} |")
    generated = sum(s["generated"] for s in summaries)
    lines = [
        "# Prism sweep (`python -m tests.corpus.prism_sweep`)",
        "",
        f"{len(summaries)} specs of `../shared/corpus/apisguru-dev.txt`, {generated} generated; every operation "
        f"called through the sync client against `prism mock -d --seed {SEED}`; {minutes:.1f} min. "
        f"Raw results: `{raw.relative_to(ROOT)}`. The classes are described in `tests/corpus/prism_sweep.py`.",
        "",
        "Totals: " + ", ".join(f"{c} {totals[c]}" for c in CLASSES) + f" (of {sum(totals.values())} operations).",
        "",
        "| spec | ops | " + " | ".join(CLASSES) + " |",
        "|---|" + "---:|" * (len(CLASSES) + 1),
        *rows,
    ]
    for outcome in CLASSES[1:]:
        cases = [(s["spec"], r) for s in summaries for r in s["results"] if r["outcome"] == outcome]
        if cases:
            lines += ["", f"## {outcome} ({len(cases)})", ""]
        for spec, r in cases:
            left = f" Left out: {r['left_out']}." if r["left_out"] else ""
            sent = f" Sent: `{r['request']}`." if r["request"] else ""
            lines.append(f"- {spec} `{r['operation']}`: {r['reason']}{left}{sent}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    if argv is None and sys.argv[1:2] == ["--describe"]:  # the helper process of `describe`
        _describe_main(*sys.argv[2:4])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--specs", nargs="*", help="these list entries (or spec files) instead of the first --limit")
    parser.add_argument("--out", default=str(ROOT / "tests" / "corpus" / "PRISM.md"), help="'-' for stdout")
    args = parser.parse_args(argv)
    if not PRISM.exists():
        subprocess.run(["make", str(PRISM.relative_to(ROOT))], cwd=ROOT, check=True)
    api = fetch()
    specs = args.specs or listed(args.limit)
    indices = {rel: i for i, rel in enumerate(listed())}
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    warnings.simplefilter("ignore")  # deprecated operations warn on every call
    started = time.monotonic()
    summaries = []
    for done, rel in enumerate(specs, 1):
        try:
            summary = sweep_spec(indices.get(rel, 9000 + done), rel, api)
        except Exception as exc:  # noqa: BLE001 - a bug of the sweep on one spec must not end the whole run
            error = f"sweep error: {type(exc).__name__}: {_clip(str(exc), 300)}"
            summary = {"index": done, "spec": rel, "generated": False, "error": error, "results": []}
        summaries.append(summary)
        counts = Counter(r["outcome"] for r in summary["results"])
        shown = summary["error"] or ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        print(f"[{done}/{len(specs)}] {rel} ({summary.get('seconds', 0)} s): {shown}", flush=True)
    raw = CACHE / f"{'prism_sweep' if args.out == '-' else Path(args.out).stem}.json"
    raw.write_text(json.dumps(summaries, indent=1), encoding="utf-8")
    text = report(summaries, (time.monotonic() - started) / 60, raw)
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

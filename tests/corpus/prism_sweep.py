"""A Prism sweep over the APIs.guru corpus: each spec generated through the real CLI, served by `prism mock -d`
(seeded, so answers repeat), and every operation called through the generated sync client.

    .venv/bin/python -m tests.corpus.prism_sweep                       # the first 40 specs -> tests/corpus/PRISM.md
    .venv/bin/python -m tests.corpus.prism_sweep --specs nba.com.json --out -

Arguments are synthesized from the spec, but passed as a user reading the generated signature would: a parameter
the signature makes optional is left out when the spec requires it (so Prism tells whether the signature lied), and
passed (when a value can be made) when the spec makes it optional too. Each operation ends in one class:

- ok: a 2xx, parsed into the method's declared return type;
- rejected: Prism refused the request (4xx with `sl-violations`, or no route matched);
- answer refused: a 2xx that the client could not parse into its return type;
- prism failed: Prism could not serve (5xx, no 2xx in the spec, a security check the dummy credentials failed);
- unsynthesizable: no argument value could be made;
- not called: the operation has no generated method (a generator bug);
- client error: the client raised before any answer (a generator bug).

Raw results go to `.corpus/prism_sweep.json`.
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
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from re import _parser as sre  # type: ignore[attr-defined]
from types import ModuleType
from typing import Any, get_args, get_origin

import httpx
import pydantic

from generator.ir import Method, Param, Resource
from generator.load import load
from generator.lower import Options, lower
from tests.corpus.run import CACHE, ROOT, fetch, listed
from tests.support.corpus import import_as
from tests.support.prism import PRISM, PrismError, PrismMock
from tests.support.synth import Synth, Unsynthesizable

WORK = CACHE / "prism"
RAW = CACHE / "prism_sweep.json"
SEED = "sdkforge"
CREDENTIAL = "c3dlZXA6Y3JlZGVudGlhbA=="  # base64 of "sweep:credential": also a valid HTTP Basic token
CALL_TIMEOUT = 20.0  # seconds per call
GENERATE_TIMEOUT = 300
THREADS = 4
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
CLIENT_OPTIONS = {"base_url", "environment", "timeout", "max_retries", "default_headers", "http_client"}
CLASSES = ("ok", "rejected", "answer refused", "prism failed", "unsynthesizable", "not called", "client error")
PLAIN_HEADERS = {"host", "accept", "accept-encoding", "connection", "user-agent", "content-type", "content-length"}
BODY_PREFERENCE = ("json", "multipart", "form", "binary", "text")  # the generator's choice among body media
TEXT_BODY = "Hello world"
BINARY_BODY = b"\x89sweep\x00binary"


# --- values ------------------------------------------------------------------------------------------------------

_MORE_FORMATS = {"byte": "c3RyaW5n", "duration": "P1D", "int32": "1", "int64": "1", "uint64": "1", "double": "1.5"}


class SweepSynth(Synth):
    """Synth, plus strings for a `pattern` (built from the parsed regex), a few more formats, and a validator that
    knows discriminators (a tag must name one of the variants)."""

    overlapping = False  # a value made so far relies on a discriminator to pick its oneOf variant

    def resolve(self, schema: Any) -> Any:
        """Also through arrays: `#/paths/~1a/get/parameters/0`."""
        for _ in range(50):
            ref = schema.get("$ref") if isinstance(schema, Mapping) else None
            if not isinstance(ref, str) or not ref.startswith("#"):
                return super().resolve(schema)
            schema = self.document
            for token in filter(None, ref[1:].split("/")):
                token = token.replace("~1", "/").replace("~0", "~")
                schema = schema[int(token)] if isinstance(schema, list) else schema[token]
        raise Unsynthesizable("a $ref cycle")

    def mismatch(self, schema: Any, value: Any, at: str = "value") -> str:
        node = self.resolve(schema)
        tag = (node.get("discriminator") or {}).get("propertyName")
        if not tag or not isinstance(value, dict) or not _variant_refs(node):
            return super().mismatch(schema, value, at)
        chosen = _chosen(node, value.get(tag))
        if chosen is None:
            return f"{at}.{tag} = {value.get(tag)!r} names no variant of the discriminator"
        rest = {k: v for k, v in node.items() if k not in ("oneOf", "anyOf", "discriminator")}
        return super().mismatch(rest, value, at) or self.mismatch({"$ref": chosen}, value, at)

    def _variant(self, schema: Mapping[str, Any], key: str, depth: int, request: bool) -> Any:
        """A discriminated union: the first variant that can be made, with its tag; preferably one that only this
        variant accepts, for validators that ignore the discriminator (Prism does)."""
        tag = (schema.get("discriminator") or {}).get("propertyName")
        tagged = []
        for ref in _variant_refs(schema) if tag else []:
            try:
                value = self._value({"$ref": ref}, depth, request)
            except Unsynthesizable:
                continue
            names = [*(schema["discriminator"].get("mapping") or {}), ref.rsplit("/", 1)[-1]]
            for name in names:
                candidate = {**value, tag: name} if isinstance(value, dict) and _chosen(schema, name) == ref else None
                if candidate is None or self.mismatch(schema, candidate):
                    continue
                if not Synth.mismatch(self, schema, candidate):
                    return candidate
                tagged.append(candidate)
        if tagged:
            self.overlapping = True
            return tagged[0]
        return super()._variant(schema, key, depth, request)

    def _string(self, schema: Mapping[str, Any]) -> str:
        fmt = str(schema.get("format", ""))
        plain = {k: v for k, v in schema.items() if k != "pattern"}
        text = super()._string({**plain, "format": "none"} if fmt in _MORE_FORMATS else plain)
        if fmt in _MORE_FORMATS:
            text = _MORE_FORMATS[fmt]
        pattern = schema.get("pattern")
        if not pattern or _matches(pattern, text):
            return text
        low, high = int(schema.get("minLength", 0)), schema.get("maxLength")
        for extra in range(0, max(low, 1) + 1):  # longer repeats until minLength is met
            try:
                text = _sample(sre.parse(_python_regex(pattern)), extra)
            except (re.error, RecursionError) as problem:
                raise Unsynthesizable(f"a string matching {pattern!r}: {problem}") from None
            if len(text) >= low and (high is None or len(text) <= int(high)) and _matches(pattern, text):
                return text
        raise Unsynthesizable(f"a string matching {pattern!r} of length {low}..{high}")


_PROPERTIES = {"L": r"\w", "N": r"\d", "Z": r"\s"}  # Unicode property escapes, roughly (Python's re has none)


def _python_regex(pattern: str) -> str:
    return re.sub(r"\\p\{([LNZ])[a-z]?\}", lambda m: _PROPERTIES[m.group(1)], pattern)


def _variant_refs(schema: Mapping[str, Any]) -> list[str]:
    return [v["$ref"] for v in schema.get("oneOf") or schema.get("anyOf") or [] if "$ref" in v]


def _chosen(schema: Mapping[str, Any], tag: object) -> str | None:
    """The $ref a discriminator tag selects: through the mapping, else by the component's name."""
    target = (schema["discriminator"].get("mapping") or {}).get(tag)
    if isinstance(target, str):
        return target if target.startswith("#") else f"#/components/schemas/{target}"
    return next((ref for ref in _variant_refs(schema) if ref.rsplit("/", 1)[-1] == tag), None)


def _matches(pattern: str, text: str) -> bool:
    try:
        return re.search(_python_regex(pattern), text) is not None
    except re.error:
        return False


def _sample(items: Any, extra: int) -> str:
    """A string the parsed regex matches, taking `min + extra` rounds of each repeat (lookarounds are ignored and
    the result checked afterwards)."""
    out = []
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "NOT_LITERAL":
            out.append("b" if arg == ord("a") else "a")
        elif name == "ANY":
            out.append("a")
        elif name == "IN":
            out.append(_member(arg))
        elif name == "CATEGORY":
            out.append(_CATEGORY[str(arg)])
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = arg
            out.append(_sample(sub, extra) * min(high, low + extra))
        elif name in ("SUBPATTERN", "ATOMIC_GROUP"):
            out.append(_sample(arg[-1], extra))
        elif name == "BRANCH":
            out.append(_sample(arg[1][0], extra))
        elif name not in ("AT", "ASSERT", "ASSERT_NOT"):
            raise re.error(f"no sample for {name}")
    return "".join(out)


_CATEGORY = {
    "CATEGORY_DIGIT": "0",
    "CATEGORY_NOT_DIGIT": "a",
    "CATEGORY_WORD": "a",
    "CATEGORY_NOT_WORD": "-",
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": "a",
}
_TESTS: dict[str, Callable[[str], bool]] = {
    "CATEGORY_DIGIT": str.isdigit,
    "CATEGORY_NOT_DIGIT": lambda c: not c.isdigit(),
    "CATEGORY_WORD": lambda c: c.isalnum() or c == "_",
    "CATEGORY_NOT_WORD": lambda c: not (c.isalnum() or c == "_"),
    "CATEGORY_SPACE": str.isspace,
    "CATEGORY_NOT_SPACE": lambda c: not c.isspace(),
}


def _member(items: Any) -> str:
    """A character of the class `[...]`: the first one it names, or for `[^...]` a common one it leaves out."""
    negated = bool(items) and str(items[0][0]) == "NEGATE"

    def inside(char: str) -> bool:
        for op, arg in items:
            name = str(op)
            if (name == "LITERAL" and char == chr(arg)) or (name == "RANGE" and arg[0] <= ord(char) <= arg[1]):
                return True
            if name == "CATEGORY" and _TESTS[str(arg)](char):
                return True
        return False

    for char in "a0A_-. xZ9":
        if inside(char) != negated:
            return char
    op, arg = items[0]
    if str(op) == "LITERAL":
        return chr(arg)
    if str(op) == "RANGE":
        return chr(arg[0])
    raise re.error("no member for a character class")


# --- the operations, as the spec has them --------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    path: str
    method: str
    parameters: dict[tuple[str, str], Mapping[str, Any]]  # (name, in) -> parameter, $refs resolved
    body: Mapping[str, Any]  # the requestBody, resolved ({} without one)
    security: tuple[tuple[str, ...], ...]  # alternatives, each the schemes it needs together
    responses: Mapping[str, Any]  # status -> response, as in the spec

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def pointer(self) -> str:
        return "/paths/" + self.path.replace("~", "~0").replace("/", "~1") + "/" + self.method


def operations(document: Mapping[str, Any], synth: Synth) -> list[Operation]:
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
                security = tuple(tuple(r) for r in node.get("security", document.get("security")) or [])
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


def methods_by_pointer(resources: tuple[Resource, ...]) -> dict[str, tuple[tuple[str, ...], Method]]:
    found: dict[str, tuple[tuple[str, ...], Method]] = {}

    def walk(resource: Resource, chain: tuple[str, ...]) -> None:
        for method in resource.methods:
            found[method.pointer] = (chain, method)
        for child in resource.children:
            walk(child, (*chain, child.attr))

    for resource in resources:
        walk(resource, (resource.attr,))
    return found


# --- arguments -----------------------------------------------------------------------------------------------------


@dataclass
class Call:
    op: Operation
    chain: tuple[str, ...]
    method: Method
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)
    left_out: list[str] = field(default_factory=list)  # required by the spec, optional in the signature
    overlapping: bool = False  # a value fits several oneOf variants, and only the discriminator picks one

    def text(self) -> str:
        shown = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return _clip(f"client.{'.'.join(self.chain)}.{self.method.name}({', '.join(shown)})", 300)


@dataclass
class Body:
    """The request body as the generator picks it (its preferred media type), with a value for it."""

    kind: str = ""  # "" without a body; else json, multipart, form, binary, text
    required: bool = False
    schema: Mapping[str, Any] = field(default_factory=dict)
    value: Any = None
    problem: str = ""  # why no value could be made

    @classmethod
    def of(cls, op: Operation, synth: Synth) -> Body:
        content = op.body.get("content") or {}
        if not content:
            return cls()
        media = min(content, key=lambda m: (BODY_PREFERENCE.index(media_kind(m)), m))
        body = cls(media_kind(media), bool(op.body.get("required")), synth.merged(content[media].get("schema", {})))
        if body.kind in ("text", "binary") or not body.schema:
            body.value = TEXT_BODY if body.kind == "text" else BINARY_BODY
            return body
        try:
            body.value = checked(synth, body.schema)
        except Unsynthesizable as problem:
            body.problem = str(problem)
        return body


def checked(synth: Synth, schema: Any) -> Any:
    """A synthesized value, refused when the spec's own schema rejects it (e.g. an enum of strings of type number)."""
    value = synth.value(schema)
    if wrong := synth.mismatch(schema, value):
        raise Unsynthesizable(f"the spec's schema rejects the value made from it: {wrong}")
    return value


Maker = Callable[[], Any] | None  # makes the value of one argument; None: leave an optional one out


def source(op: Operation, param: Param, body: Body, synth: Synth) -> tuple[bool, Maker]:
    """(does the spec require it, how to make its value) for one parameter of the generated method."""
    if param.location in ("path", "query", "header", "cookie"):
        spec = op.parameters[(param.wire_name, param.location)]
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


def build_call(op: Operation, chain: tuple[str, ...], method: Method, synth: SweepSynth) -> Call:
    """Raises Unsynthesizable when a value the call needs cannot be made."""
    synth.overlapping = False
    body = Body.of(op, synth)
    call = Call(op, chain, method)
    params = [p for p in method.params if p.location != "option"]
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
    if any(p.py_name in call.kwargs for p in spread):  # a body is sent: the spec's required properties must be in it
        names = {p.wire_name for p in spread}
        missing = [name for name in body.schema.get("required") or [] if name not in names]
        call.left_out += [f"body {name} (no parameter)" for name in missing]
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


_last = threading.local()  # per worker thread: the last request sent and the last response's sl-violations


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
    if annotation is binary:
        if not isinstance(result, annotation):
            raise TypeError(f"expected BinaryContent, got {type(result).__name__}")
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


def _invalid_answer(op: Operation, response: httpx.Response, synth: Synth) -> str:
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


def classify(package: ModuleType, synth: Synth, call: Call, exc: Exception) -> tuple[str, str]:
    if isinstance(exc, package.APIResponseValidationError) and (wrong := _invalid_answer(call.op, exc.response, synth)):
        return "prism failed", _clip(
            f"Prism's answer breaks the spec's own schema ({wrong}), so the client refused it", 400
        )
    if isinstance(exc, Refused | package.APIResponseValidationError):
        answer = f" | answer: {_clip(exc.response.text, 200)}" if hasattr(exc, "response") else ""
        return "answer refused", _clip(f"{type(exc).__name__}: {exc}{answer}", 600)
    if isinstance(exc, package.APIConnectionError):
        return "prism failed", f"{type(exc).__name__}: {exc.message}"
    if not isinstance(exc, package.APIStatusError):
        return "client error", _clip(f"{type(exc).__name__}: {exc}", 400)
    code, violations, text = _problem(exc.response)
    status, request = exc.response.status_code, exc.response.request
    if code in ("UNAUTHORIZED", "FORBIDDEN") or (not code and status in (401, 403)):
        needs = " or ".join("+".join(r) or "none" for r in call.op.security) or "nothing"
        sent = sorted(h for h in request.headers if h.lower() not in PLAIN_HEADERS)
        return "prism failed", f"security: {text}; the spec asks for {needs}; sent headers {sent}"
    if code == "NOT_ACCEPTABLE" and request.headers.get("accept") == "application/json":
        return "prism failed", f"Prism cannot serve JSON for a `*/*` (or other) response media type: {text}"
    if status >= 500 or code == "NO_RESPONSE_DEFINED":
        return "prism failed", text
    if code in ("NO_PATH_MATCHED_ERROR", "NO_METHOD_MATCHED_ERROR") and "#" in call.op.path:
        return "prism failed", f"the spec's path has a #fragment, which no request carries: {text}"
    if not violations and not code:
        return "prism failed", f"Prism answered a non-2xx response of the spec: {text}"
    path_params = {name for name, where in call.op.parameters if where == "path"}
    elsewhere = [
        v for v in violations if v.get("location", [])[1:2] == ["path"] and v["location"][2] not in path_params
    ]
    if elsewhere:
        return "prism failed", f"Prism matched another path template: {text}"
    form = media_kind(request.headers.get("content-type", "")) in ("form", "multipart")
    if form and violations and all(str(v.get("message", "")).endswith("must be array") for v in violations):
        return "prism failed", f"Prism reads no arrays from form bodies (stoplightio/prism#2654): {text}"
    if call.overlapping and any("exactly one schema in oneOf" in str(v.get("message")) for v in violations):
        return "prism failed", f"Prism validates oneOf without the discriminator: {text}"
    return "rejected", text


def call_one(package: ModuleType, client: object, synth: Synth, spec: str, call: Call) -> Result:
    result = Result(spec, call.op.label, "ok", call=call.text(), left_out=", ".join(call.left_out))
    target: Any = client
    for attr in (*call.chain, call.method.name):
        target = getattr(target, attr)
    extra: dict[str, Any] = {}
    for _ in range(2):  # a second time with a static answer, when Prism cannot build a dynamic one
        _last.request, _last.violations = None, ""
        try:
            answer = target(*call.args, **call.kwargs, **extra)
            try:
                conforms(package, answer, return_type(target))
            except (pydantic.ValidationError, TypeError) as problem:
                raise Refused(str(problem)) from None
            result.outcome, result.reason = "ok", ""
            result.note += f"Prism warned: {_clip(_last.violations, 300)}" if _last.violations else ""
            break
        except Exception as exc:
            result.outcome, result.reason = classify(package, synth, call, exc)
            result.request = _sent(_last.request)
            dynamic_failed = "dynamic response" in result.reason or "Maximum call stack" in result.reason
            if extra or not (result.outcome == "prism failed" and dynamic_failed):
                break
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


def sweep_spec(index: int, rel: str, api: Path) -> dict[str, Any]:
    spec_file = api / rel
    package = f"sweep_{index:04d}"
    out = WORK / "out"
    started = time.monotonic()
    summary: dict[str, Any] = {"index": index, "spec": rel, "generated": True, "error": "", "results": []}
    if error := generate(spec_file, out, package):
        summary.update(generated=False, error=error)
        return summary
    spec = load(spec_file)
    sdk = lower(spec, Options(package))
    by_pointer = methods_by_pointer(sdk.resources)
    synth = SweepSynth(spec.raw)
    module = import_as(out / package, package)
    calls: list[Call] = []
    results: list[Result] = []
    for op in operations(spec.raw, synth):
        if op.pointer not in by_pointer:
            results.append(Result(rel, op.label, "not called", "no generated method for " + op.pointer))
            continue
        try:
            calls.append(build_call(op, *by_pointer[op.pointer], synth))
        except Unsynthesizable as problem:
            results.append(Result(rel, op.label, "unsynthesizable", _clip(str(problem), 300)))
    client_class = getattr(module, sdk.client_name)
    credentials = {
        name: CREDENTIAL
        for name, p in inspect.signature(client_class).parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY and name not in CLIENT_OPTIONS
    }
    hooks = {"request": [_only_here], "response": [_remember]}
    crash = ""
    try:
        with (
            PrismMock(spec_file, WORK / "logs", prism=seeded_prism(WORK)) as prism,
            httpx.Client(timeout=CALL_TIMEOUT, follow_redirects=False, event_hooks=hooks) as http,
            client_class(
                base_url=prism.url, max_retries=0, timeout=CALL_TIMEOUT, http_client=http, **credentials
            ) as client,
            ThreadPoolExecutor(THREADS) as pool,
        ):
            results += pool.map(lambda call: call_one(module, client, synth, rel, call), calls)
            crash = next((line for line in prism.log().splitlines() if "FATAL ERROR" in line), "")
    except PrismError as problem:
        first = _clip(str(problem).splitlines()[0], 300)
        results += [Result(rel, call.op.label, "prism failed", f"Prism did not start: {first}") for call in calls]
    for result in results:
        if crash and result.reason.startswith("APIConnectionError"):
            result.reason = f"Prism crashed ({_clip(crash, 120)}): {result.reason}"
    summary["results"] = [asdict(r) for r in sorted(results, key=lambda r: r.operation)]
    summary["seconds"] = round(time.monotonic() - started, 1)
    return summary


# --- the report ----------------------------------------------------------------------------------------------------


def report(summaries: list[dict[str, Any]], minutes: float) -> str:
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
        f"Raw results: `{RAW.relative_to(ROOT)}`.",
        "",
        "Totals: " + ", ".join(f"{c} {totals[c]}" for c in CLASSES) + f" (of {sum(totals.values())} operations).",
        "",
        "| spec | ops | " + " | ".join(CLASSES) + " |",
        "|---|" + "---:|" * (len(CLASSES) + 1),
        *rows,
        "",
        "## Not ok",
        "",
    ]
    for s in summaries:
        for r in s["results"]:
            if r["outcome"] != "ok":
                left = f" Left out: {r['left_out']}." if r["left_out"] else ""
                sent = f" Sent: `{r['request']}`." if r["request"] else ""
                lines.append(f"- {s['spec']} `{r['operation']}` **{r['outcome']}**: {r['reason']}{left}{sent}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--specs", nargs="*", help="these list entries instead of the first --limit")
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
    RAW.write_text(json.dumps(summaries, indent=1), encoding="utf-8")
    text = report(summaries, (time.monotonic() - started) / 60)
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

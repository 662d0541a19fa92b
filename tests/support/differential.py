"""Differential wire testing: run a spec's Python `x-codeSamples` with the official SDK (`dodopayments`) and with a
generated client, against a recording server on 127.0.0.1, and compare the requests they sent.

The pieces, each usable on its own:
- `recorder`: the recording server of tests/support/server.py, answering through a `respond` callback.
- `synthesize`: a minimal valid JSON value for a schema (examples first, then required properties only).
- `code_sample_cases`: one `Case` per operation with a Python sample: the snippet and the answer the recorder gives.
- `run_snippets`: all snippets of one SDK in one subprocess (`python -m tests.support.differential` is that
  subprocess: it reads one JSON-encoded snippet per line and answers one JSON line per snippet).
- `compare`: the differences between two recorded requests, as readable lines.
"""

from __future__ import annotations

import contextlib
import io
import json
import socket
import ssl
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

import yaml

from tests.support.server import RecordedRequest, RecordingServer, Reply

OFFICIAL_IMPORT = "from dodopayments import"
OUR_IMPORT = "from dodo_payments import"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SAMPLE_TOKEN = "tok_from_environment"
BINARY = b"%PDF-1.4\n%sdkforge differential\n"  # any non-JSON success body, e.g. the invoice PDFs
# Canonical values for string formats; anything else gets a plain string.
STRING_FORMATS = {
    "date-time": "2025-01-02T03:04:05Z",
    "date": "2025-01-02",
    "time": "03:04:05",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "email": "someone@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "ipv4": "127.0.0.1",
}


# --- the recording server ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """A reply the recording server gives; hashable, so runs can be keyed by it."""

    status: int = 200
    content_type: str | None = None
    body: bytes = b""

    @classmethod
    def json(cls, value: object) -> Answer:
        return cls(200, "application/json", json.dumps(value).encode())

    def reply(self) -> Reply:
        return Reply(self.status, {"Content-Type": self.content_type} if self.content_type else {}, self.body)


def recorder(respond: Callable[[RecordedRequest], Answer]) -> RecordingServer:
    """A recording server (tests/support/server.py) that answers every request with `respond(request)`."""
    return RecordingServer(lambda request: respond(request).reply())


def always(answer: Answer) -> Callable[[RecordedRequest], Reply]:
    return lambda request: answer.reply()


# --- answers synthesized from the spec -----------------------------------------------------------------------------


def load_spec(path: Path) -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    spec = yaml.load(path.read_text(), Loader=loader)
    assert isinstance(spec, dict), path
    return spec


def resolve(spec: Mapping[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), f"only local $refs are followed: {ref}"
    node: Any = spec
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def synthesize(schema: Mapping[str, Any], spec: Mapping[str, Any], seen: frozenset[str] = frozenset()) -> Any:
    """A minimal value valid for `schema`: its example if it has one, else required properties only, the first
    enum value, the first non-null variant of a oneOf/anyOf, one item per array. `seen` stops $ref cycles."""
    if "$ref" in schema:
        ref = schema["$ref"]
        return None if ref in seen else synthesize(resolve(spec, ref), spec, seen | {ref})
    if "example" in schema:
        return schema["example"]
    if isinstance(schema.get("examples"), list) and schema["examples"]:
        return schema["examples"][0]
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return next((value for value in schema["enum"] if value is not None), None)
    for key in ("oneOf", "anyOf"):
        if key in schema:
            variants = [variant for variant in schema[key] if variant.get("type") != "null"] or schema[key]
            return synthesize(variants[0], spec, seen)
    if "allOf" in schema:
        parts = [synthesize(part, spec, seen) for part in schema["allOf"]]
        if all(isinstance(part, dict) for part in parts):
            return {key: value for part in parts for key, value in part.items()}
        return parts[-1]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((each for each in kind if each != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else None
    if kind == "object":
        properties = schema.get("properties", {})
        return {
            name: synthesize(properties[name], spec, seen) for name in schema.get("required", []) if name in properties
        }
    if kind == "array":
        return [synthesize(schema.get("items", {}), spec, seen)] * max(1, schema.get("minItems", 1))
    if kind == "string":
        text = STRING_FORMATS.get(schema.get("format", ""), "string")
        return text.ljust(schema.get("minLength", 0), "x")
    if kind in ("integer", "number"):
        low = schema.get("minimum", 0)
        exclusive = schema.get("exclusiveMinimum")
        if exclusive is True:  # OpenAPI 3.0: a flag on `minimum`; 3.1: the bound itself
            low += 1
        elif isinstance(exclusive, int | float) and not isinstance(exclusive, bool):
            low = exclusive + 1
        return int(low) if kind == "integer" else float(low)
    if kind == "boolean":
        return False
    return None


def success_answer(operation: Mapping[str, Any], spec: Mapping[str, Any]) -> Answer:
    """200 with the operation's first 2xx response body: JSON from its example or schema, other media as bytes."""
    successes = sorted((str(status), response) for status, response in operation.get("responses", {}).items())
    response = next((response for status, response in successes if status.startswith("2")), None)
    if response is None:
        return Answer()
    if "$ref" in response:
        response = resolve(spec, response["$ref"])
    content: Mapping[str, Any] = response.get("content") or {}
    media_type = next((name for name in content if "json" in name), None)
    if media_type is None:
        return Answer(200, next(iter(content), None), BINARY if content else b"")
    media = content[media_type]
    if "example" in media:
        return Answer.json(media["example"])
    if media.get("examples"):
        example = next(iter(media["examples"].values()))
        return Answer.json(resolve(spec, example["$ref"])["value"] if "$ref" in example else example["value"])
    return Answer.json(synthesize(media.get("schema", {}), spec))


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    source: str
    """The Python sample as written for the official SDK."""
    answer: Answer

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"


def code_sample_cases(spec: Mapping[str, Any]) -> list[Case]:
    cases: list[Case] = []
    for path, item in spec["paths"].items():
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            for sample in operation.get("x-codeSamples", []):
                if sample.get("lang", "").lower() == "python":
                    cases.append(Case(method.upper(), path, sample["source"], success_answer(operation, spec)))
    return cases


# --- running the snippets ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    error: str | None
    """How the snippet failed (`Type: message`), or None when it ran to the end."""
    requests: list[RecordedRequest] = field(default_factory=list)


def run_snippets(
    sources: Sequence[str], server: RecordingServer, answers: Sequence[Answer], env: Mapping[str, str]
) -> list[Run]:
    """Run every snippet in one subprocess, in order; the server answers snippet i's requests with answers[i]."""
    root = Path(__file__).resolve().parent.parent.parent
    runner = subprocess.Popen(
        [sys.executable, "-m", "tests.support.differential"],
        cwd=root,
        env=dict(env),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert runner.stdin is not None and runner.stdout is not None
    runs: list[Run] = []
    try:
        for source, answer in zip(sources, answers, strict=True):
            server.respond = always(answer)
            before = len(server.requests)
            runner.stdin.write(json.dumps(source) + "\n")
            runner.stdin.flush()
            line = runner.stdout.readline()
            assert line, f"the snippet runner died at snippet {len(runs)}:\n{source}"
            runs.append(Run(json.loads(line)["error"], server.requests[before:]))
    finally:
        runner.stdin.close()
        runner.wait(timeout=60)
    return runs


def _only_loopback() -> None:
    """A snippet that ignored the base URL would reach the real API: refuse every host but 127.0.0.1 instead."""
    resolve_host = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("127.0.0.1", b"127.0.0.1"):
            raise OSError(f"differential runner: refusing to resolve {host!r}; only 127.0.0.1 may be reached")
        return resolve_host(host, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo


def _share_tls_contexts() -> None:
    """Every snippet builds a client, and loading the CA bundle into a new TLS context is most of that cost; plain
    HTTP to 127.0.0.1 never uses TLS, so one context per set of arguments serves every client."""
    create = ssl.create_default_context
    made: dict[str, ssl.SSLContext] = {}

    def create_default_context(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        key = repr((args, sorted(kwargs.items())))
        if key not in made:
            made[key] = create(*args, **kwargs)
        return made[key]

    ssl.create_default_context = create_default_context


def _serve_snippets() -> None:
    _only_loopback()
    _share_tls_contexts()
    out = sys.stdout
    for line in iter(sys.stdin.readline, ""):
        error: str | None = None
        # A fresh namespace per snippet; its prints are not part of the protocol.
        with contextlib.redirect_stdout(io.StringIO()):
            try:
                exec(compile(json.loads(line), "<x-codeSamples>", "exec"), {"__name__": "__snippet__"})
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
        out.write(json.dumps({"error": error}) + "\n")
        out.flush()


# --- comparing -----------------------------------------------------------------------------------------------------


def json_or_bytes(body: bytes) -> object:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body


def compare(official: RecordedRequest, ours: RecordedRequest) -> list[str]:
    """What differs between two requests on the wire, one line each; empty when they are the same call.
    Query order is not a difference (see `query_order_differs`)."""
    differences: list[str] = []
    if official.method != ours.method:
        differences.append(f"method: official {official.method}, ours {ours.method}")
    if unquote(official.path) != unquote(ours.path):
        differences.append(f"decoded path: official {unquote(official.path)!r}, ours {unquote(ours.path)!r}")
    elif official.path != ours.path:
        differences.append(f"raw path: official {official.path!r}, ours {ours.path!r}")
    official_query = Counter(parse_qsl(official.query, keep_blank_values=True))
    our_query = Counter(parse_qsl(ours.query, keep_blank_values=True))
    if official_query != our_query:
        differences.append(
            f"query: only official {sorted((official_query - our_query).elements())}, "
            f"only ours {sorted((our_query - official_query).elements())}"
        )
    official_body, our_body = json_or_bytes(official.body), json_or_bytes(ours.body)
    if official_body != our_body:
        differences.append(f"body: official {official_body!r}, ours {our_body!r}")
    official_auth, our_auth = official.headers.get("authorization", ""), ours.headers.get("authorization", "")
    if not (official_auth.startswith("Bearer ") and our_auth == official_auth):
        differences.append(f"authorization: official {official_auth!r}, ours {our_auth!r}")
    return differences


def query_order_differs(official: RecordedRequest, ours: RecordedRequest) -> bool:
    official_pairs = parse_qsl(official.query, keep_blank_values=True)
    our_pairs = parse_qsl(ours.query, keep_blank_values=True)
    return Counter(official_pairs) == Counter(our_pairs) and official_pairs != our_pairs


def snippet_env(base: Mapping[str, str], server: RecordingServer, pythonpath: Path | None = None) -> dict[str, str]:
    env = {key: value for key, value in base.items() if not key.startswith("DODO_PAYMENTS_")}
    env.pop("PYTHONPATH", None)
    env["DODO_PAYMENTS_BASE_URL"] = server.url
    # Older samples take the token from the environment instead of passing one.
    env["DODO_PAYMENTS_API_KEY"] = SAMPLE_TOKEN
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return env


if __name__ == "__main__":
    _serve_snippets()

"""The spec's Python `x-codeSamples`, run in batches against a server, with each outcome classified.

A batch runs in ONE subprocess (this file run as a script): every snippet is exec'd in a fresh namespace, its
output swallowed, its exception recorded. httpx's `send` is wrapped (it still sends) to record each request the
snippet made and Prism's verdict on it (status, `sl-violations` header, error body), so every failure can be
attributed: to the SDK, to the request it built, or to Prism itself.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
OFFICIAL_PACKAGE = "dodopayments"
SNIPPET_TIMEOUT = 180  # seconds; retries with backoff against a slow mock stay far below this
BATCH_TIMEOUT = 1800
_OFFICIAL_IMPORT = re.compile(rf"^from {OFFICIAL_PACKAGE} import (.+)$", re.MULTILINE)
# What Prism answers (500) when the spec's only success media type is one it cannot serialize, e.g. application/pdf.
PRISM_NO_SERIALIZER = "Cannot find serializer for"


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    samples: tuple[str, ...]
    """The sources of its Python code samples."""
    success_media_types: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def json_success(self) -> bool:
        """Whether some success response is JSON (or has no body), i.e. something Prism can always produce."""
        return not self.success_media_types or any("json" in media for media in self.success_media_types)

    def matches(self, method: str, url: str) -> bool:
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(self.path))
        return method == self.method and re.fullmatch(pattern, urlsplit(url).path) is not None


def load_operations(spec: Path) -> list[Operation]:
    document = yaml.safe_load(spec.read_text())
    operations = []
    for path, item in document["paths"].items():
        for method in HTTP_METHODS:
            if (operation := item.get(method)) is None:
                continue
            samples = tuple(s["source"] for s in operation.get("x-codeSamples", []) if s["lang"] == "Python")
            media = {
                media_type
                for status, response in operation.get("responses", {}).items()
                if str(status).startswith("2")
                for media_type in (response.get("content") or {})
            }
            operations.append(Operation(method.upper(), path, samples, tuple(sorted(media))))
    return operations


def our_source(source: str, package: str) -> str:
    """The snippet with its one import of the official SDK pointed at `package`; nothing else changes."""
    rewritten, count = _OFFICIAL_IMPORT.subn(rf"from {package} import \1", source)
    if count != 1 or OFFICIAL_PACKAGE in rewritten:
        raise ValueError(f"expected exactly one `from {OFFICIAL_PACKAGE} import ...` line in:\n{source}")
    return rewritten


def call_path(source: str) -> str:
    """The SDK method a snippet calls, e.g. `invoices.payments.retrieve` for `client.invoices.payments.retrieve(...)`."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            dotted = ast.unparse(node.func)
            if dotted.startswith("client."):
                return dotted.removeprefix("client.")
    raise ValueError(f"no `client.<...>(...)` call in:\n{source}")


@dataclass(frozen=True)
class Snippet:
    key: str
    source: str


@dataclass
class Exchange:
    method: str
    url: str
    status: int | None
    """None when no response came (the error is in `error`)."""
    violations: list[dict[str, Any]] = field(default_factory=list)
    """Prism's `sl-violations`: each rule of the spec the request broke, with severity and message."""
    request_body: str = ""
    response_body: str = ""
    """Only for error statuses."""
    error: str = ""


def wire(exchange: Exchange) -> tuple[str, str, list[tuple[str, str]], object]:
    """What the server sees of a request, in a form equal for equal requests: method, path, sorted query, JSON body."""
    url = urlsplit(exchange.url)
    body = exchange.request_body.strip()
    try:
        decoded: object = json.loads(body) if body else None
    except ValueError:
        decoded = body
    return exchange.method, url.path, sorted(parse_qsl(url.query, keep_blank_values=True)), decoded


@dataclass
class Outcome:
    key: str
    error_type: str | None
    """The exception's class name, None when the snippet ran to the end."""
    error: str
    exchanges: list[Exchange]
    output: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.error_type is None


@dataclass
class Batch:
    outcomes: list[Outcome]
    modules: dict[str, str]
    """Where each SDK package the snippets imported was loaded from."""


class Verdict(StrEnum):
    PASS = "pass"
    PRISM_CANNOT_SERVE = "Prism cannot produce the success response (non-JSON media type)"
    REJECTED = "Prism rejected the request (4xx or spec violations)"
    SERVER_ERROR = "Prism answered 5xx for another reason"
    SDK_ERROR = "exception in the SDK or the snippet, not caused by the server"
    WRONG_OPERATION = "ran, but sent no successful request to this operation"


def classify(outcome: Outcome, operation: Operation) -> Verdict:
    exchanges = outcome.exchanges
    if any(exchange.violations or (exchange.status or 0) in range(400, 500) for exchange in exchanges):
        return Verdict.REJECTED
    if outcome.ok:
        hit = any(e.status in range(200, 300) and operation.matches(e.method, e.url) for e in exchanges)
        return Verdict.PASS if hit else Verdict.WRONG_OPERATION
    last = exchanges[-1] if exchanges else None
    if last is not None and last.status is not None and last.status >= 500:
        if (
            PRISM_NO_SERIALIZER in last.response_body
            and not operation.json_success
            and operation.matches(last.method, last.url)
        ):
            return Verdict.PRISM_CANNOT_SERVE
        return Verdict.SERVER_ERROR
    return Verdict.SDK_ERROR


def describe(outcome: Outcome, source: str) -> str:
    """Everything needed to reproduce and judge a failure: the snippet, the exception, each request and verdict."""
    lines = [f"{outcome.key}: {outcome.error_type}: {outcome.error}", "  snippet:"]
    lines += [f"    {line}" for line in source.splitlines()]
    for exchange in outcome.exchanges:
        lines.append(f"  request: {exchange.method} {exchange.url} -> {exchange.status or exchange.error}")
        if exchange.request_body:
            lines.append(f"    body: {exchange.request_body[:2000]}")
        if exchange.response_body:
            lines.append(f"    answer: {exchange.response_body[:1000]}")
        lines += [f"    violation ({v.get('severity')}): {v.get('message')}" for v in exchange.violations]
    return "\n".join(lines)


def snippet_env(base_url: str, pythonpath: Iterable[Path] = ()) -> dict[str, str]:
    """A clean environment: no inherited DODO_PAYMENTS_* or proxy settings, the mock as the server for both SDKs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DODO_PAYMENTS_") and "proxy" not in k.lower()}
    env.pop("PYTHONPATH", None)
    env |= {
        "DODO_PAYMENTS_BASE_URL": base_url,
        # Prism only checks that a bearer token is present; snippets that hardcode one send theirs instead.
        "DODO_PAYMENTS_API_KEY": "tok_prism_samples",
        "NO_PROXY": "127.0.0.1,localhost",
    }
    if paths := os.pathsep.join(map(str, pythonpath)):
        env["PYTHONPATH"] = paths
    return env


def _run_script(mode: str, job: object, env: Mapping[str, str], result_file: Path) -> Any:
    completed = subprocess.run(
        [sys.executable, __file__, mode, str(result_file)],
        input=json.dumps(job),
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=BATCH_TIMEOUT,
        check=False,
    )
    if completed.returncode != 0 or not result_file.exists():
        raise RuntimeError(f"the snippet runner failed ({completed.returncode}):\n{completed.stderr[-4000:]}")
    return json.loads(result_file.read_text())


def run_batch(snippets: Sequence[Snippet], env: Mapping[str, str], result_file: Path) -> Batch:
    """Run every snippet in one subprocess with `env`; one Outcome per snippet, in order."""
    raw = _run_script("run", [asdict(snippet) for snippet in snippets], env, result_file)
    outcomes = [
        Outcome(**{**item, "exchanges": [Exchange(**exchange) for exchange in item["exchanges"]]})
        for item in raw["outcomes"]
    ]
    return Batch(outcomes, raw["modules"])


def resolve_call_paths(client: str, paths: Sequence[str], env: Mapping[str, str], result_file: Path) -> list[bool]:
    """Which `client.<path>` exist and are callable on `client` ("package.ClassName"), imported with `env`."""
    return list(_run_script("resolve", {"client": client, "paths": list(paths)}, env, result_file))


@dataclass
class SampleRun:
    """One code sample, run once with our client and once with the official SDK, against the same mock."""

    operation: Operation
    source: str
    ours: Outcome
    ours_verdict: Verdict
    official: Outcome
    official_verdict: Verdict


@dataclass
class VersionRun:
    samples: list[SampleRun]
    ours: Batch
    official: Batch

    def passes(self, side: str) -> int:
        return sum(getattr(sample, f"{side}_verdict") is Verdict.PASS for sample in self.samples)


def run_samples(operations: Sequence[Operation], package_dir: Path, base_url: str, work_dir: Path) -> VersionRun:
    """Every Python sample of `operations`: one batch with the generated package at `package_dir` (its import line
    rewritten), one batch with the official SDK (the sample unchanged), both against `base_url`."""
    pairs = [(operation, source) for operation in operations for source in operation.samples]
    package = package_dir.name
    ours = run_batch(
        [Snippet(op.key, our_source(source, package)) for op, source in pairs],
        snippet_env(base_url, [package_dir.parent]),
        work_dir / "ours.json",
    )
    official = run_batch(
        [Snippet(op.key, source) for op, source in pairs], snippet_env(base_url), work_dir / "official.json"
    )
    samples = [
        SampleRun(op, source, our, classify(our, op), their, classify(their, op))
        for (op, source), our, their in zip(pairs, ours.outcomes, official.outcomes, strict=True)
    ]
    return VersionRun(samples, ours, official)


# The runner: what the subprocess executes. Standard library and httpx only.


def _record_exchanges(log: list[dict[str, Any]]) -> None:
    import httpx

    def record(request: httpx.Request, response: httpx.Response | None, error: BaseException | None) -> None:
        try:
            body = request.content.decode(errors="replace")
        except httpx.RequestNotRead:
            body = "<streamed>"
        entry: dict[str, Any] = {"method": request.method, "url": str(request.url), "request_body": body[:20000]}
        if response is None:
            log.append({**entry, "status": None, "error": repr(error)})
            return
        violations = json.loads(response.headers.get("sl-violations", "[]"))
        text = ""
        if response.status_code >= 400:
            text = response.read().decode(errors="replace")[:4000]
        log.append({**entry, "status": response.status_code, "violations": violations, "response_body": text})

    original_send, original_async_send = httpx.Client.send, httpx.AsyncClient.send

    def send(self: httpx.Client, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        try:
            response = original_send(self, request, **kwargs)
        except BaseException as error:
            record(request, None, error)
            raise
        record(request, response, None)
        return response

    async def async_send(self: httpx.AsyncClient, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        try:
            response = await original_async_send(self, request, **kwargs)
        except BaseException as error:
            record(request, None, error)
            raise
        if response.status_code >= 400:
            await response.aread()
        record(request, response, None)
        return response

    httpx.Client.send = send  # type: ignore[method-assign]
    httpx.AsyncClient.send = async_send  # type: ignore[method-assign]


def _run_snippets(job: list[dict[str, str]]) -> dict[str, Any]:
    import contextlib
    import io
    import signal
    import time

    def too_slow(signum: int, frame: object) -> None:
        raise TimeoutError(f"the snippet ran for more than {SNIPPET_TIMEOUT} s")

    signal.signal(signal.SIGALRM, too_slow)
    exchanges: list[dict[str, Any]] = []
    _record_exchanges(exchanges)
    outcomes = []
    for snippet in job:
        exchanges.clear()
        output = io.StringIO()
        error_type, error = None, ""
        signal.alarm(SNIPPET_TIMEOUT)
        started = time.monotonic()
        try:
            with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
                exec(compile(snippet["source"], snippet["key"], "exec"), {"__name__": "__main__"})
        except BaseException as exc:  # a snippet may even call sys.exit; record it like any failure
            error_type, error = type(exc).__name__, str(exc)[:4000]
        finally:
            signal.alarm(0)
        outcomes.append(
            {
                "key": snippet["key"],
                "error_type": error_type,
                "error": error,
                "exchanges": list(exchanges),
                "output": output.getvalue()[-2000:],
                "seconds": round(time.monotonic() - started, 3),
            }
        )
    modules = {
        name: str(getattr(sys.modules[name], "__file__", ""))
        for name in sorted(sys.modules)
        if "." not in name and name.replace("_", "") == OFFICIAL_PACKAGE
    }
    return {"outcomes": outcomes, "modules": modules}


def _resolve(job: dict[str, Any]) -> list[bool]:
    import importlib

    module_name, class_name = job["client"].rsplit(".", 1)
    client = getattr(importlib.import_module(module_name), class_name)(bearer_token="x", base_url="http://127.0.0.1:9")
    found = []
    for dotted in job["paths"]:
        target: object = client
        try:
            for part in dotted.split("."):
                target = getattr(target, part)
        except AttributeError:
            target = None
        found.append(callable(target))
    return found


if __name__ == "__main__":
    # The script's folder is tests/support; take it off the path so nothing there shadows the packages under test.
    sys.path.pop(0)
    mode, result_path = sys.argv[1], Path(sys.argv[2])
    work = json.load(sys.stdin)
    result = _run_snippets(work) if mode == "run" else _resolve(work)
    result_path.write_text(json.dumps(result))

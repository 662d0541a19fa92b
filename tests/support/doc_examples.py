"""Runs every ```python block of a generated package's README.md, each as its own program, against a recording
server on 127.0.0.1 that answers every operation with a valid response (built by the package's own `testing`).

    python -m tests.support.doc_examples PACKAGE_DIR   (PACKAGE_DIR's parent and the checkout on sys.path)

Prints one JSON line: for each block, how many requests reached the server. A block that fails raises here.
Blocks that handle NotFoundError get a 404 for every request, so their `except` branch is the one that runs.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
import typing
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pydantic

from tests.support.server import RecordedRequest, RecordingServer, Reply

BLOCK = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def python_blocks(markdown: str) -> list[str]:
    return [match.group(1) for match in BLOCK.finditer(markdown)]


def answering_fake(package: ModuleType, not_found: bool) -> Any:
    """A Fake on which every method answers a built instance of what it returns (or raises NotFoundError)."""
    testing = importlib.import_module(f"{package.__name__}.testing")
    fake = testing.Fake()
    client = fake.client()
    for key, double in fake.methods.items():
        if not_found:
            double.raises(package.NotFoundError)
            continue
        *path, name = key.split(".")
        target: Any = client
        for attr in path:
            target = getattr(target, attr)
        returns = typing.get_type_hints(getattr(target, name))["return"]
        if hasattr(double, "returns_pages"):
            double.returns_pages([[built(testing, typing.get_args(returns)[0])]])
        else:
            double.returns(built(testing, returns))
    return fake


def built(testing: ModuleType, annotation: Any) -> object:
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return testing.build(annotation)
    return None if annotation is type(None) else testing.build._minimal(annotation)


def respond_with(fake: Any, base_url: str) -> Any:
    def respond(recorded: RecordedRequest) -> Reply:
        request = httpx.Request(recorded.method, base_url + recorded.target, headers=dict(recorded.headers))
        response = fake._handle(request)
        return Reply(response.status_code, dict(response.headers), response.read())

    return respond


def run(package_dir: Path) -> list[int]:
    package = importlib.import_module(package_dir.name)
    readme = (package_dir / "README.md").read_text(encoding="utf-8")
    counts: list[int] = []
    for block in python_blocks(readme):
        server = RecordingServer()
        with server:
            server.respond = respond_with(answering_fake(package, "except NotFoundError" in block), server.url)
            credentials = {c: "test-token" for c in re.findall(r"from \$(\w+)", readme)}
            prefix = re.search(r"`(\w+)BASE_URL`", readme)
            assert prefix is not None, "the README names no BASE_URL variable"
            env = {**os.environ, **credentials, f"{prefix.group(1)}BASE_URL": server.url}
            result = subprocess.run(
                [sys.executable, "-c", block], env=env, capture_output=True, text=True, check=False, timeout=60
            )
            assert result.returncode == 0, f"this README block failed:\n{block}\n{result.stderr}"
            counts.append(len(server.requests))
    return counts


if __name__ == "__main__":
    print(json.dumps(run(Path(sys.argv[1]))))

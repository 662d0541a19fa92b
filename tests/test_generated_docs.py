"""README.md and api.md of generated packages: their examples run against a recording server on 127.0.0.1, api.md
lists every method the client has with its real signature, and spec text cannot inject Markdown or HTML."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import GENERATED, ROOT, generate, shared_specs
from tests.support import corpus
from tests.support.doc_examples import python_blocks

PACKAGES = sorted(p.parent.name for p in GENERATED.glob("*/__init__.py"))


@pytest.fixture(scope="module")
def dodo_1_53_2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = shared_specs() / "dodopayments" / "dodo-1.53.2.yaml"
    if not spec.exists():
        pytest.skip(f"{spec} is absent")
    return corpus.dodo(tmp_path_factory, spec)


def run_readme(package_dir: Path) -> list[int]:
    result = subprocess.run(
        [sys.executable, "-m", "tests.support.doc_examples", str(package_dir)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(package_dir.parent), str(ROOT)])},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return list(json.loads(result.stdout))


def check_requests(package_dir: Path, counts: list[int]) -> None:
    blocks = python_blocks((package_dir / "README.md").read_text(encoding="utf-8"))
    assert len(counts) == len(blocks) >= 6
    for block, count in zip(blocks, counts, strict=True):
        # The testing example runs on the fake, the webhooks one on a body it holds; every other one calls the API.
        assert count == 0 if "testing.Fake()" in block or "client.webhooks." in block else count >= 1, block


@pytest.mark.parametrize("package", PACKAGES)
def test_every_readme_example_of_the_committed_packages_runs(package: str) -> None:
    check_requests(GENERATED / package, run_readme(GENERATED / package))


def test_every_readme_example_of_dodo_1_53_2_runs(dodo_1_53_2: Path) -> None:
    counts = run_readme(dodo_1_53_2)
    check_requests(dodo_1_53_2, counts)
    readme = (dodo_1_53_2 / "README.md").read_text(encoding="utf-8")
    assert "## Pagination" in readme and "| `bearer_token` | `DODO_PAYMENTS_API_KEY` |" in readme
    assert "| `live_mode` | `https://live.dodopayments.com/` |" in readme


SIGNATURES = """\
import inspect, json, sys
import {package} as package
from {package} import testing

client = package.{client}(base_url="http://127.0.0.1:9", **{{c: "x" for c in sys.argv[1:]}})
found = {{}}
for key in testing.Fake().methods:
    *path, name = key.split(".")
    target = client
    for attr in path:
        target = getattr(target, attr)
    method = getattr(target, name)
    found[key] = [p for p in inspect.signature(method).parameters
                  if p not in ("extra_headers", "extra_query", "extra_body", "timeout")]
print(json.dumps(found))
"""


def api_sections(api_md: str) -> dict[str, list[str]]:
    """`client.a.b` -> the parameter names of its printed signature."""
    sections = re.findall(r"^### `client\.([\w.]+)`.*?\n```python\n\w+\((.*?)\) -> ", api_md, re.MULTILINE | re.DOTALL)
    return {key: re.findall(r"(\w+): ", params) for key, params in sections}


@pytest.mark.parametrize("where", ["seed", "dodo-1.53.2"])
def test_api_md_lists_every_method_with_its_signature(where: str, request: pytest.FixtureRequest) -> None:
    package_dir = GENERATED / "dodo_payments" if where == "seed" else request.getfixturevalue("dodo_1_53_2")
    script = SIGNATURES.format(package="dodo_payments", client="DodoPayments")
    result = subprocess.run(
        [sys.executable, "-c", script, "bearer_token"],
        env={**os.environ, "PYTHONPATH": str(package_dir.parent)},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    actual = json.loads(result.stdout)
    documented = api_sections((package_dir / "api.md").read_text(encoding="utf-8"))
    assert documented == actual
    assert len(actual) >= (1 if where == "seed" else 60)


def test_api_md_links_resolve() -> None:
    package_dir = GENERATED / "dodo_payments"
    links = re.findall(r"\]\(([^)]+)\)", (package_dir / "api.md").read_text(encoding="utf-8"))
    assert links and all((package_dir / link).is_file() for link in links), links


HOSTILE = """\
openapi: 3.0.3
info: {title: "Evil <script>alert(1)</script> *bold*", version: "1"}
servers: [{url: "https://api.example.com"}]
paths:
  /things/{thing_id}:
    get:
      summary: "# Heading [link](javascript:alert(1)) | cell <img src=x onerror=alert(1)>"
      parameters:
        - {name: thing_id, in: path, required: true, schema: {type: string}, example: "a\\"); import os; os.system('x') #"}
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object}}}}}
"""


def test_spec_text_is_escaped_in_the_docs(tmp_path: Path) -> None:
    (tmp_path / "hostile.yaml").write_text(HOSTILE, encoding="utf-8")
    package_dir = generate(tmp_path / "hostile.yaml", tmp_path / "out", "hostile_sdk")
    readme = (package_dir / "README.md").read_text(encoding="utf-8")
    api = (package_dir / "api.md").read_text(encoding="utf-8")
    for text in (readme, api):
        assert "<script>" not in text and "<img" not in text
        assert not re.search(r"(?<!\\)\]\(javascript", text)  # an escaped bracket makes no link
    assert "\n\\# Heading \\[link\\](javascript:alert(1)) \\| cell &lt;img src=x onerror=alert(1)&gt;\n" in api
    # The example value is a Python string literal in the code: the README's examples still run as written.
    check_requests(package_dir, run_readme(package_dir))
    assert any("import os; os.system" in block for block in python_blocks(readme))


def test_the_webhooks_section_without_a_signature_scheme_says_nothing_is_checked(tmp_path: Path) -> None:
    package_dir = generate(ROOT / "specs" / "features" / "webhooks.yaml", tmp_path / "out", "hooks")
    readme = (package_dir / "README.md").read_text(encoding="utf-8")
    assert "## Webhooks" in readme and "It checks no signature" in readme
    assert "unsafe_unwrap(body)" in readme and ".unwrap(" not in readme
    check_requests(package_dir, run_readme(package_dir))

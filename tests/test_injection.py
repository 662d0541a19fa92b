"""Nothing a spec says can inject code: every string from the spec reaches the output escaped, as data.

The hostile spec below puts code-shaped text in every place a spec string lands in the generated package:
titles, descriptions, names of properties, parameters, schemas and security schemes, enum values, defaults,
server URLs and path segments. Generating it must give a package that compiles, passes mypy, imports without
running any of it, and carries each string unchanged as data.
"""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import generate

PAYLOAD = "\"\"\"'''\n# }}{{ \\\"\\n\\x00 ${x} \x00\x7f\u2028; __import__('os').system('touch PWNED') #"
SENTINEL = "PWNED"


def hostile_spec() -> dict[str, object]:
    text = PAYLOAD
    return {
        "openapi": "3.1.0",
        "info": {"title": text, "version": text, "description": text},
        "servers": [{"url": "https://api.example.com/" + text.replace("\n", ""), "description": text}],
        "security": [{text: []}],
        "paths": {
            "/things/{thing_id}/" + "x'\"y": {
                "post": {
                    "operationId": text,
                    "summary": text,
                    "description": text,
                    "parameters": [
                        {"name": "thing_id", "in": "path", "required": True, "schema": {"type": "string"}},
                        {
                            "name": text,
                            "in": "query",
                            "description": text,
                            "schema": {"type": "string", "default": text},
                        },
                        {"name": "X-" + text.replace("\n", ""), "in": "header", "schema": {"type": "string"}},
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Hostile"}}},
                    },
                    "responses": {
                        "200": {
                            "description": text,
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Hostile"}}},
                        }
                    },
                }
            }
        },
        "components": {
            "securitySchemes": {text: {"type": "apiKey", "in": "header", "name": text.replace("\n", "")}},
            "schemas": {
                "Hostile": {
                    "type": "object",
                    "title": text,
                    "description": text,
                    "required": [text],
                    "properties": {
                        text: {"type": "string", "description": text, "default": text},
                        "choice": {"type": "string", "enum": [text, "plain"], "description": text},
                        "constant": {"const": text},
                        "nested": {"$ref": "#/components/schemas/" + text.replace("/", "_").replace("~", "_")},
                    },
                },
                text.replace("/", "_").replace("~", "_"): {
                    "type": "object",
                    "description": text,
                    "properties": {"value": {"type": "integer", "default": 1}},
                },
            },
        },
    }


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    spec = root / "hostile.json"
    spec.write_text(json.dumps(hostile_spec()), encoding="utf-8")
    return generate(spec, root / "out", "hostile")


def test_the_package_compiles_and_passes_mypy(package: Path) -> None:
    for module in package.rglob("*.py"):
        compile(module.read_text(encoding="utf-8"), str(module), "exec")  # raises on a syntax break-out
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--config-file", "/dev/null", "hostile"],
        cwd=package.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout


def test_importing_and_using_it_runs_nothing_from_the_spec(package: Path) -> None:
    probe = f"""
import json, sys
sys.path.insert(0, {str(package.parent)!r})
import hostile, hostile.types
from hostile.types import Hostile
from hostile.resources import things
hostile_model = Hostile.model_validate({{{PAYLOAD!r}: "v", "choice": {PAYLOAD!r}, "constant": {PAYLOAD!r}}})
fields = {{name: field.alias or name for name, field in Hostile.model_fields.items()}}
print(json.dumps({{
    "doc": Hostile.__doc__,
    "choice": hostile_model.choice,
    "constant": hostile_model.constant,
    "aliases": sorted(fields.values()),
    "version": hostile.__version__,
    "environments": list(hostile.ENVIRONMENTS.values()),
}}))
"""
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=package.parent, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert not (package.parent / SENTINEL).exists() and not Path(SENTINEL).exists()
    seen = json.loads(result.stdout)
    assert seen["choice"] == PAYLOAD and seen["constant"] == PAYLOAD  # enum values and consts are data
    assert PAYLOAD in seen["aliases"]  # the property keeps its wire name
    assert seen["version"] == PAYLOAD
    assert inspect.cleandoc(seen["doc"]) == inspect.cleandoc(PAYLOAD)  # the docstring holds the text itself


def test_comments_stay_comments(package: Path) -> None:
    """Spec text in `#` comments (the file header) is flattened to one line."""
    for module in package.rglob("*.py"):
        header = module.read_text(encoding="utf-8").split("\n", 2)
        assert header[0].startswith("# Generated by sdkforge from hostile.json")
        assert not header[1].strip() or header[1].startswith(("#", '"""', "from"))

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


# --- what the fuzzer (tests/test_fuzz.py) found: each a minimized document -------------------------------------

LONE = "\ud800"  # a lone surrogate: JSON text can spell it ("\ud800"), UTF-8 cannot


def fuzz_findings_spec() -> dict[str, object]:
    obj = {"type": "object"}
    return {
        "openapi": "3.1.0",
        "info": {"title": f"T{LONE}", "version": f"1{LONE}", "description": 'ends in quotes """'},
        "paths": {
            # a resource named like a keyword (`as`), and one like a name the client class body uses (`int`)
            "/as": {"get": {"responses": {"204": {"description": "x"}}}},
            # parameters named like the builtins the method body's `cast_to` names
            "/n/{int}": {
                "get": {
                    "parameters": [
                        {"name": "int", "in": "path", "required": True, "schema": {"type": "integer"}},
                        {"name": "str", "in": "query", "schema": {"type": "string"}},
                    ],
                    "responses": {
                        "200": {
                            "description": "x",
                            "content": {"application/json": {"schema": {"type": ["integer", "string", "null"]}}},
                        },
                        "201": {"description": "x", "content": {"application/json": {"schema": {"type": "integer"}}}},
                    },
                }
            },
            "/int": {
                "get": {
                    "parameters": [
                        # deepObject on a scalar: sent in form style (DeepObject takes a mapping)
                        {"name": "n", "in": "query", "style": "deepObject", "schema": {"type": "integer"}},
                        # spec text with a line break in a warning: each warning stays one line
                        {"name": "p\nq", "in": "path", "required": True, "schema": {"type": "string"}},
                    ],
                    "responses": {
                        # two nullable responses, one an enum: no `type[Literal[...]]` for mypy
                        "200": {
                            "description": "x",
                            "content": {
                                "application/json": {"schema": {"type": ["boolean", "null"], "enum": [True, None]}}
                            },
                        },
                        "201": {
                            "description": "x",
                            "content": {"application/json": {"schema": {"type": ["string", "null"]}}},
                        },
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "False": obj,  # class names that are keywords
                "None": obj,
                "__getattr__": obj,  # types/getattr.py would replace the builtin types/__init__ calls
                "Surrogates": {
                    "type": "object",
                    "description": f"{LONE} in a class docstring",
                    "properties": {
                        f"name{LONE}": {"type": "string"},  # no JSON text can carry it: left out of the model
                        "choice": {"type": "string", "enum": [f"a{LONE}", "b"]},  # no Literal: str
                        "big": {"type": "integer", "enum": [2**64, 1]},  # mypy refuses the Literal: int
                        "_": {"type": "string"},  # pydantic refuses a field `_`
                        "quoted": {"type": "string", "description": 'ends in quotes """'},
                    },
                },
            }
        },
    }


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("findings")
    spec = root / "findings.json"
    spec.write_text(json.dumps(fuzz_findings_spec()), encoding="ascii")
    result = subprocess.run(
        [sys.executable, "-m", "generator", "generate", str(spec), "--output", str(root / "out"), "--package", "found"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return root / "out" / "found", result.stderr


def test_fuzz_findings_compile_and_pass_mypy(findings: tuple[Path, str]) -> None:
    package, _ = findings
    for module in package.rglob("*.py"):
        compile(module.read_text(encoding="utf-8"), str(module), "exec")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--config-file", "/dev/null", "found"],
        cwd=package.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout


def test_fuzz_findings_import_and_validate(findings: tuple[Path, str]) -> None:
    package, stderr = findings
    probe = f"""
import json, sys
sys.path.insert(0, {str(package.parent)!r})
import found
from found.types import Surrogates, False_, None_, Getattr
from found.resources import as_
client = found.Found(base_url="http://127.0.0.1:9")
value = Surrogates.model_validate({{"choice": "a\\ud800", "big": 2**64, "_": "u", "quoted": "q"}})
print(json.dumps({{
    "doc": Surrogates.__doc__,
    "quoted": Surrogates.model_fields["quoted"].description,
    "fields": sorted(Surrogates.model_fields),
    "choice": value.choice, "big": value.big, "underscore": value.field,
    "resources": [type(client.as_).__name__, type(client.int_).__name__],
    "classes": [False_.__name__, None_.__name__, Getattr.__name__],
}}))
"""
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["doc"].strip() == "\\ud800 in a class docstring"  # the escape as text: __doc__ must be UTF-8
    assert seen["fields"] == ["big", "choice", "field", "quoted"]  # the surrogate-named property left out
    assert (seen["choice"], seen["big"], seen["underscore"]) == ("a\ud800", 2**64, "u")
    assert seen["resources"] == ["AsResource", "IntResource"] and seen["classes"] == ["False_", "None_", "Getattr"]
    assert "widened [property] /components/schemas/Surrogates/properties/name\\ud800" in stderr
    assert "widened [enum] /components/schemas/Surrogates/properties/choice" in stderr
    assert "widened [enum] /components/schemas/Surrogates/properties/big" in stderr
    assert "style 'deepObject' applies to objects" in stderr
    assert all(line.startswith("sdkforge: ") for line in stderr.split("\n") if line), stderr


def test_docstrings_ending_in_quotes_keep_their_text() -> None:
    from generator.lower.printing import docstring

    for text in ('ends in """', 'a"', 'a\\"', 'a""', '""""', "x\\", f"x{LONE}"):
        source = '"""' + docstring(text) + '"""'
        compile(source, "<doc>", "eval")
        assert eval(source) == text.replace(LONE, "\\ud800")  # noqa: S307 - our own literal

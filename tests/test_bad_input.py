"""Bad input: exit 2, one `sdkforge: error: FILE#POINTER: message` line on stderr, no traceback, and an existing
output directory left exactly as it was."""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import SEED_SPEC, generate, run_sdkforge

PACKAGE = "pets"

PETS_GET = """\
openapi: 3.0.3
info: {title: Pets, version: "1.0"}
paths:
  /pets:
    get:
      operationId: list_pets
      responses:
        '200':
          description: the pets
          content:
            application/json:
              schema:
                $ref: '%s'
"""
RESPONSE_POINTER = "#/paths/~1pets/get/responses/200/content/application~1json/schema"

# name -> (files to write, the spec to pass, the exact error line after "sdkforge: error: ", or its start + "...")
CASES: dict[str, tuple[dict[str, str | bytes], str, str]] = {
    "missing file": ({}, "absent.yaml", "absent.yaml: file not found"),
    "directory": ({"folder/x.yaml": "openapi: 3.0.3\n"}, "folder", "folder: cannot read file..."),
    "invalid YAML": (
        {"bad.yaml": 'openapi: 3.0.3\ninfo: {title: t, version: "1"\npaths: {}\n'},
        "bad.yaml",
        "bad.yaml: invalid YAML at line 3, column 1: ...",
    ),
    "invalid JSON": (
        {"bad.json": '{"openapi": "3.0.3", "info": }'},
        "bad.json",
        "bad.json: invalid JSON at line 1, column 30: Expecting value",
    ),
    "not UTF-8": (
        {"latin1.yaml": "openapi: 3.0.3\ninfo: {title: caf\xe9}\n".encode("latin-1")},
        "latin1.yaml",
        "latin1.yaml: not UTF-8 text...",
    ),
    "corrupt gzip": (
        {"spec.json.gz": gzip.compress(b'{"openapi": "3.0.3"}')[:-6]},
        "spec.json.gz",
        "spec.json.gz: corrupt gzip data...",
    ),
    "empty file": ({"empty.yaml": ""}, "empty.yaml", "empty.yaml: not an OpenAPI document..."),
    "a YAML list": ({"list.yaml": "- openapi: 3.0.3\n"}, "list.yaml", "list.yaml: not an OpenAPI document..."),
    "no openapi field": (
        {"plain.yaml": "info: {title: t, version: '1'}\npaths: {}\n"},
        "plain.yaml",
        "plain.yaml: not an OpenAPI document (no 'openapi' field)",
    ),
    "Swagger 2.0": (
        {"swagger.yaml": "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n"},
        "swagger.yaml",
        "swagger.yaml#/swagger: Swagger 2.0 is not supported...",
    ),
    "OpenAPI 3.3.0": (
        {"v33.yaml": "openapi: 3.3.0\ninfo: {title: t, version: '1'}\npaths: {}\n"},
        "v33.yaml",
        "v33.yaml#/openapi: OpenAPI version '3.3.0' is not supported...",
    ),
    "OpenAPI 2.9": (
        {"v29.yaml": "openapi: 2.9\ninfo: {title: t, version: '1'}\npaths: {}\n"},
        "v29.yaml",
        "v29.yaml#/openapi: OpenAPI version 2.9 is not supported...",
    ),
    "dangling $ref": (
        {"specs/dangling.yaml": PETS_GET % "#/components/schemas/Pet"},
        "specs/dangling.yaml",
        f"specs/dangling.yaml{RESPONSE_POINTER}: $ref '#/components/schemas/Pet' not found",
    ),
    "response without description (3.0)": (
        {
            "nodesc.yaml": "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n    get:\n      responses:\n        '200': {}\n"
        },
        "nodesc.yaml",
        "nodesc.yaml#/paths/~1pets/get/responses/200: required field 'description' is missing",
    ),
    "paths is not a mapping": (
        {"paths.yaml": "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: [/pets]\n"},
        "paths.yaml",
        "paths.yaml#/paths: ...",
    ),
    "$ref to a missing file": (
        {"api.yaml": PETS_GET % "common/absent.yaml#/Pet"},
        "api.yaml",
        f"api.yaml{RESPONSE_POINTER}: $ref 'common/absent.yaml#/Pet': file not found",
    ),
    "dangling $ref into another file": (
        {"api.yaml": PETS_GET % "common/pets.yaml#/Dog", "common/pets.yaml": "Pet: {type: object}\n"},
        "api.yaml",
        f"api.yaml{RESPONSE_POINTER}: $ref 'common/pets.yaml#/Dog' not found",
    ),
    "dangling $ref inside another file": (
        {
            "api.yaml": PETS_GET % "common/pets.yaml#/Pet",
            "common/pets.yaml": "Pet:\n  type: object\n  properties:\n    owner: {$ref: '#/Owner'}\n",
        },
        "api.yaml",
        "common/pets.yaml#/Pet/properties/owner: $ref '#/Owner' not found",
    ),
    "invalid YAML in another file": (
        {"api.yaml": PETS_GET % "common/pets.yaml#/Pet", "common/pets.yaml": "Pet: [unclosed\n"},
        "api.yaml",
        f"api.yaml{RESPONSE_POINTER}: $ref 'common/pets.yaml#/Pet': invalid YAML...",
    ),
}


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Content and modification time of every file: `untouched` means not even rewritten with the same bytes."""
    return {
        path.relative_to(root).as_posix(): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def good_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A package generated from a good spec, copied into each test's output directory."""
    out = tmp_path_factory.mktemp("good")
    generate(SEED_SPEC, out, PACKAGE)
    return out


@pytest.mark.parametrize("case", CASES)
def test_bad_input(case: str, tmp_path: Path, good_output: Path) -> None:
    files, spec, expected = CASES[case]
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    out = tmp_path / "out"
    shutil.copytree(good_output, out)
    before = snapshot(out)

    for command in ("generate", "check"):
        result = run_sdkforge(command, spec, "--output", "out", "--package", PACKAGE, cwd=tmp_path)
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        assert "Traceback" not in result.stdout + result.stderr
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        line = lines[0]
        if expected.endswith("..."):
            assert line.startswith("sdkforge: error: " + expected[:-3]), line
            assert len(line) > len("sdkforge: error: " + expected[:-3]), "the message says what is wrong"
        else:
            assert line == "sdkforge: error: " + expected
    assert snapshot(out) == before


def test_bad_input_leaves_no_output_behind(tmp_path: Path) -> None:
    """Nothing is created either: not the output directory, not the package."""
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "dangling.yaml").write_text(PETS_GET % "#/components/schemas/Pet", encoding="utf-8")
    result = run_sdkforge("generate", "specs/dangling.yaml", "--output", "out", "--package", PACKAGE, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert sorted(os.listdir(tmp_path)) == ["specs"]

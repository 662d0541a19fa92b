"""Never silent: what cannot be expressed is an error, or, with --skip-unsupported, left out and listed."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_sdkforge

SPEC = """\
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /content-param:
    get:
      parameters:
        - name: q
          in: query
          content:
            application/json:
              schema: {type: object}
      responses:
        '200': {description: ok}
  /not-schema:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                not: {type: string}
  /fine:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/UsesWeird'}
components:
  schemas:
    Weird:
      not: {type: string}
    UsesWeird:
      type: object
      properties:
        w: {$ref: '#/components/schemas/Weird'}
"""

SKIPPED = [
    "/components/schemas/Weird: typed as object, /components/schemas/Weird: 'not' schemas cannot be expressed as Python types",
    "GET /content-param: left out, /paths/~1content-param/get/parameters/0: parameters described by 'content' are not supported",
    "GET /not-schema: left out, /paths/~1not-schema/get/responses/200/content/application~1json/schema: 'not' schemas cannot be expressed as Python types",
]


def write_spec(tmp_path: Path) -> Path:
    spec = tmp_path / "unsupported.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    return spec


def test_unsupported_is_an_error_naming_the_pointer(tmp_path: Path) -> None:
    result = run_sdkforge("generate", write_spec(tmp_path), "-o", tmp_path / "out", "-p", "pkg")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "sdkforge: error: unsupported.yaml#/components/schemas/Weird: 'not' schemas cannot be expressed as Python "
        "types (--skip-unsupported leaves it out)"
    ]
    assert not (tmp_path / "out").exists()


def test_skip_unsupported_lists_every_skipped_pointer(tmp_path: Path) -> None:
    result = run_sdkforge("generate", write_spec(tmp_path), "-o", tmp_path / "out", "-p", "pkg", "--skip-unsupported")
    assert result.returncode == 0, result.stderr
    reported = sorted(
        line.removeprefix("sdkforge: pkg: skipped ") for line in result.stderr.splitlines() if " skipped " in line
    )
    assert reported == SKIPPED
    package = tmp_path / "out" / "pkg"
    init = (package / "__init__.py").read_text(encoding="utf-8")
    for line in SKIPPED:
        assert f"# - {line}\n" in init
    resources = {p.stem for p in (package / "resources").glob("*.py")}
    assert resources == {"__init__", "fine"}  # the two unsupported operations are really gone
    assert "Weird: TypeAlias = object" in (package / "types" / "weird.py").read_text(encoding="utf-8")

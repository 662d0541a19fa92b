"""Never silent, never refused for one schema: what Python types cannot say exactly is typed by the nearest
wider type and listed (stderr and the package); `--strict` makes each widening an error instead."""

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

WIDENED = [
    "[not] /components/schemas/Weird: 'not' only narrows the type; dropped",
    "[not] /paths/~1not-schema/get/responses/200/content/application~1json/schema: 'not' only narrows the type;"
    " dropped",
]


def write_spec(tmp_path: Path) -> Path:
    spec = tmp_path / "unsupported.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    return spec


def test_widenings_are_listed_and_nothing_is_left_out(tmp_path: Path) -> None:
    result = run_sdkforge("generate", write_spec(tmp_path), "-o", tmp_path / "out", "-p", "pkg")
    assert result.returncode == 0, result.stderr
    reported = sorted(
        line.removeprefix("sdkforge: pkg: widened ") for line in result.stderr.splitlines() if " widened " in line
    )
    assert reported == WIDENED
    package = tmp_path / "out" / "pkg"
    init = (package / "__init__.py").read_text(encoding="utf-8")
    for line in WIDENED:
        assert f"# - {line}\n" in init
    resources = {p.stem for p in (package / "resources").glob("*.py")}
    assert resources == {"__init__", "content_param", "not_schema", "fine"}  # every operation is there
    assert "Weird: TypeAlias = object" in (package / "types" / "weird.py").read_text(encoding="utf-8")
    content_param = (package / "resources" / "content_param.py").read_text(encoding="utf-8")
    assert 'query={"q": JsonParam(q)}' in content_param  # a `content` parameter is sent as JSON text


def test_strict_refuses_the_first_widening(tmp_path: Path) -> None:
    result = run_sdkforge("generate", write_spec(tmp_path), "-o", tmp_path / "out", "-p", "pkg", "--strict")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "sdkforge: error: unsupported.yaml#/components/schemas/Weird: 'not' only narrows the type; dropped"
        " (a widening; --strict refuses it)"
    ]
    assert not (tmp_path / "out").exists()


def test_strict_from_the_config(tmp_path: Path) -> None:
    spec = write_spec(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.sdkforge]\nstrict = true\n\n[[tool.sdkforge.targets]]\nspec = "unsupported.yaml"\n'
        'output = "out"\npackage = "pkg"\n',
        encoding="utf-8",
    )
    result = run_sdkforge("generate", cwd=tmp_path)
    assert result.returncode == 2 and "--strict refuses it" in result.stderr, result.stderr
    assert spec.exists() and not (tmp_path / "out").exists()


TOLERATED = """\
openapi: 3.0.3
info: {title: t}
paths:
  /pets/{pet_id}:
    get:
      operationId: getPet
      security: [{Missing: []}]
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  kind: {type: animal}
                  size: {type: integer, pattern: 0}
                  tags: {type: array, items: [{type: string}]}
                  owner: {$ref: '#/components/schemas/Owner', nullable: true}
  /pets:
    get:
      operationId: getPet
      responses:
        '200': {description: ok}
components:
  schemas:
    Owner: {type: object, properties: {name: {type: string}}}
"""


def test_harmless_mistakes_are_repaired_with_a_warning_each(tmp_path: Path) -> None:
    spec = tmp_path / "tolerated.yaml"
    spec.write_text(TOLERATED, encoding="utf-8")
    result = run_sdkforge("generate", spec, "-o", tmp_path / "out", "-p", "pkg")
    assert result.returncode == 0, result.stderr
    warnings = [
        line.removeprefix("sdkforge: pkg: warning: ") for line in result.stderr.splitlines() if "warning" in line
    ]
    pointer = "tolerated.yaml#/paths/~1pets~1{pet_id}/get"
    schema = f"{pointer}/responses/200/content/application~1json/schema/properties"
    assert sorted(warnings) == sorted(
        [
            "tolerated.yaml#/info/version: missing; version 0.0.0 assumed",
            f"{schema}/kind/type: unknown type 'animal'; any value allowed",
            f"{schema}/tags/items: a list of item schemas; read as prefixItems",
            "tolerated.yaml#/paths/~1pets/get/operationId: duplicate operationId 'getPet'",
            f"{pointer}/security/0/Missing: names no security scheme; ignored",
            f"{schema}/size/pattern: a value of the wrong type; ignored",
            "tolerated.yaml#/paths/~1pets~1{pet_id}/get: path parameter 'pet_id' is not declared; a required str argument",
        ]
    )
    resource = (tmp_path / "out" / "pkg" / "resources" / "pets.py").read_text(encoding="utf-8")
    assert "pet_id: str," in resource
    model = next((tmp_path / "out" / "pkg" / "types").glob("pets_retrieve_response.py")).read_text(encoding="utf-8")
    assert "owner: Owner | None = None" in model and "kind: object | None = None" in model


def test_an_internal_error_is_one_line_and_exit_3(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from generator import cli, render

    spec = tmp_path / "tolerated.yaml"
    spec.write_text(TOLERATED, encoding="utf-8")

    def broken(*args: object, **kwargs: object) -> object:
        raise KeyError("boom")

    monkeypatch.setattr(render, "render", broken)
    assert cli.main(["generate", str(spec), "-o", str(tmp_path / "out"), "-p", "pkg"]) == 3
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("sdkforge: error: internal error while lowering ")
    assert "KeyError: 'boom'" in lines[0] and "please report it" in lines[0] and "--debug" in lines[0]
    assert not (tmp_path / "out").exists()


def test_a_response_keyed_star_is_any_media_type(tmp_path: Path) -> None:
    spec = tmp_path / "star.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /doc:\n    get:\n      responses:\n"
        "        '200':\n          description: ok\n          content:\n            '*':\n"
        "              schema: {type: string, format: binary}\n",
        encoding="utf-8",
    )
    result = run_sdkforge("generate", spec, "-o", tmp_path / "out", "-p", "pkg")
    assert result.returncode == 0, result.stderr
    resource = (tmp_path / "out" / "pkg" / "resources" / "doc.py").read_text(encoding="utf-8")
    assert "-> BinaryContent:" in resource and '"Accept": "*"' not in resource

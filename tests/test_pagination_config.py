"""Pagination is detected from the parameters and the response shape, or configured per target."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_sdkforge

SPEC = """\
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /things:
    get:
      parameters:
        - {name: %s, in: query, schema: {type: integer, minimum: 1}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: array, items: {type: string}}
"""


def generate(tmp_path: Path, param: str, pagination: str | None) -> str:
    (tmp_path / "spec.yaml").write_text(SPEC % param, encoding="utf-8")
    config = '[[tool.sdkforge.targets]]\nspec = "spec.yaml"\noutput = "out"\npackage = "pkg"\n'
    if pagination is not None:
        config += f"pagination = {pagination}\n"
    (tmp_path / "pyproject.toml").write_text(config, encoding="utf-8")
    result = run_sdkforge("generate", "--config", tmp_path / "pyproject.toml")
    assert result.returncode == 0, result.stderr
    return (tmp_path / "out" / "pkg" / "resources" / "things.py").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("param", "pagination", "paginated"),
    [
        ("page", None, True),  # detected by name
        ("p", None, False),  # not a page-number name
        ("p", '{page_params = ["p"]}', True),  # configured
        ("page", "{page_params = []}", False),  # detection turned off
    ],
)
def test_detected_or_configured(tmp_path: Path, param: str, pagination: str | None, paginated: bool) -> None:
    source = generate(tmp_path, param, pagination)
    assert ("-> SyncPage[str]:" in source) is paginated
    assert (f'paging=PageNumber("{param}", first=1),' in source) is paginated
    assert ("-> builtins.list[str]:" in source) is not paginated  # the method `list` shadows the builtin


def test_bad_pagination_setting_is_reported(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(SPEC % "page", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        '[[tool.sdkforge.targets]]\nspec = "spec.yaml"\noutput = "out"\npackage = "pkg"\npagination = {page_params = "p"}\n',
        encoding="utf-8",
    )
    result = run_sdkforge("generate", "--config", tmp_path / "pyproject.toml")
    assert result.returncode == 2
    assert result.stderr.strip().endswith(
        "#/tool/sdkforge/targets/0/pagination: expected {page_params = [names of page-number parameters]}"
    )


CURSOR_SPEC = """\
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /things:
    get:
      operationId: listThings
      parameters:
        - {name: from, in: query, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  data: {type: array, items: {type: string}}
                  meta: {type: object, properties: {next: {type: string}}}
"""


@pytest.mark.parametrize(
    ("pagination", "paging"),
    [
        (None, None),  # `from` is no cursor name detection knows
        ('{cursor_params = ["from"]}', None),  # a cursor parameter, but no token field detection knows
        (
            '{operations = {listThings = {kind = "cursor", param = "from", token = "meta.next"}}}',
            'paging=Cursor("from", token=("meta", "next")),',
        ),
        (
            '{operations = {"GET /things" = {kind = "url", body = "meta.next"}}}',
            'paging=NextUrl(body=("meta", "next")),',
        ),
        ('{operations = {"GET /things" = {kind = "link"}}}', "paging=NextUrl(),"),
    ],
)
def test_other_kinds_configured(tmp_path: Path, pagination: str | None, paging: str | None) -> None:
    (tmp_path / "spec.yaml").write_text(CURSOR_SPEC, encoding="utf-8")
    config = '[[tool.sdkforge.targets]]\nspec = "spec.yaml"\noutput = "out"\npackage = "pkg"\n'
    if pagination is not None:
        config += f"pagination = {pagination}\n"
    (tmp_path / "pyproject.toml").write_text(config, encoding="utf-8")
    result = run_sdkforge("generate", "--config", tmp_path / "pyproject.toml")
    assert result.returncode == 0, result.stderr
    source = (tmp_path / "out" / "pkg" / "resources" / "things.py").read_text(encoding="utf-8")
    assert (paging in source) if paging else ("paging=" not in source)


@pytest.mark.parametrize(
    ("pagination", "message"),
    [
        (
            '{operations = {listThings = {kind = "sideways"}}}',
            "#/tool/sdkforge/targets/0/pagination/operations/listThings: expected kind =",
        ),
        ('{operations = {listThings = {kind = "cursor"}}}', 'a cursor pagination needs param = "the query parameter"'),
        (
            '{operations = {listThings = {kind = "cursor", param = "from", token = "meta.nope"}}}',
            "the response has no field 'meta.nope'",
        ),
        ('{colour = ["x"]}', "#/tool/sdkforge/targets/0/pagination/colour: unknown setting"),
    ],
)
def test_bad_operation_settings_are_reported(tmp_path: Path, pagination: str, message: str) -> None:
    (tmp_path / "spec.yaml").write_text(CURSOR_SPEC, encoding="utf-8")
    config = (
        f'[[tool.sdkforge.targets]]\nspec = "spec.yaml"\noutput = "out"\npackage = "pkg"\npagination = {pagination}\n'
    )
    (tmp_path / "pyproject.toml").write_text(config, encoding="utf-8")
    result = run_sdkforge("generate", "--config", tmp_path / "pyproject.toml")
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1

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
    assert (f'page_param="{param}",' in source and "first_page=1," in source) is paginated
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

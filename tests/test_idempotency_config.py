"""The idempotency header a client puts its keys in: a header parameter of the spec named like Idempotency-Key,
or the target's `idempotency_header` setting; none otherwise (then a POST is never resent after it may have
arrived)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_sdkforge

SPEC = """\
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /things:
    post:
      parameters: %s
      responses:
        '200': {description: ok}
"""


def client_source(tmp_path: Path, parameters: str, setting: str | None = None) -> str:
    (tmp_path / "spec.yaml").write_text(SPEC % parameters, encoding="utf-8")
    config = '[[tool.sdkforge.targets]]\nspec = "spec.yaml"\noutput = "out"\npackage = "pkg"\n'
    if setting is not None:
        config += f"idempotency_header = {setting}\n"
    (tmp_path / "pyproject.toml").write_text(config, encoding="utf-8")
    result = run_sdkforge("generate", "--config", tmp_path / "pyproject.toml")
    assert result.returncode == 0, result.stderr
    return (tmp_path / "out" / "pkg" / "_client.py").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("parameters", "setting", "header"),
    [
        ("[{name: Idempotency-Key, in: header, schema: {type: string}}]", None, '"Idempotency-Key"'),
        ("[{name: x-idempotency-key, in: header, schema: {type: string}}]", None, '"x-idempotency-key"'),
        ("[{name: Idempotency-Key, in: query, schema: {type: string}}]", None, "None"),  # not a header
        ("[{name: Request-Id, in: header, schema: {type: string}}]", None, "None"),
        ("[]", None, "None"),
        ("[]", '"X-Request-Key"', '"X-Request-Key"'),  # configured
    ],
)
def test_detected_or_configured(tmp_path: Path, parameters: str, setting: str | None, header: str) -> None:
    source = client_source(tmp_path, parameters, setting)
    assert source.count(f"idempotency_header={header},") == 2  # sync and async


def test_a_bad_setting_is_one_line_with_the_pointer(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(SPEC % "[]", encoding="utf-8")
    config = '[[tool.sdkforge.targets]]\nspec = "spec.yaml"\noutput = "out"\npackage = "pkg"\n'
    (tmp_path / "pyproject.toml").write_text(config + 'idempotency_header = "a\\"); import os #"\n', encoding="utf-8")
    result = run_sdkforge("generate", "--config", tmp_path / "pyproject.toml")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].endswith("#/tool/sdkforge/targets/0/idempotency_header: expected a header name")
    assert not (tmp_path / "out").exists()

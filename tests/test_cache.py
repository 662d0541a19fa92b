"""The build cache: a regenerate or check over output that is already what the spec gives reads it back from
disk; anything a build reads that changes, or an edited output file, makes it build again."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SPECS, run_sdkforge, tree


@pytest.fixture
def cache_dir(tmp_path: Path) -> Iterator[Path]:
    """The cache on, in a folder of this test (the rest of the suite runs with it off: conftest)."""
    folder = tmp_path / "cache"
    saved = dict(os.environ)
    os.environ.pop("SDKFORGE_CACHE", None)
    os.environ["SDKFORGE_CACHE_DIR"] = str(folder)
    try:
        yield folder
    finally:
        os.environ.clear()
        os.environ.update(saved)


def project(tmp_path: Path) -> Path:
    """The operations feature spec and the file its `$ref`s read, in a folder of their own."""
    folder = tmp_path / "spec"
    folder.mkdir()
    for name in ("operations.yaml", "common.yaml"):
        shutil.copy(SPECS / "features" / name, folder / name)
    return folder / "operations.yaml"


def generate(spec: Path, out: Path, *extra: str) -> str:
    result = run_sdkforge("generate", spec, "--output", out, "--package", "ops", *extra)
    assert result.returncode == 0, result.stderr
    return result.stderr


def entry(cache_dir: Path) -> dict[str, dict[str, str]]:
    (path,) = cache_dir.glob("*.json")
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_a_build_records_the_hash_of_every_file_and_every_file_the_spec_read(tmp_path: Path, cache_dir: Path) -> None:
    spec = project(tmp_path)
    generate(spec, tmp_path / "out")
    recorded = entry(cache_dir)
    assert set(recorded["files"]) == set(tree(tmp_path / "out" / "ops"))
    assert set(recorded["sources"]) == {str(spec.resolve()), str(spec.resolve().parent / "common.yaml")}


def test_a_hit_prints_the_notes_the_build_printed(tmp_path: Path, cache_dir: Path) -> None:
    spec = tmp_path / "jsonschema.yaml"
    shutil.copy(SPECS / "features" / "jsonschema.yaml", spec)
    first = generate(spec, tmp_path / "out")
    again = generate(spec, tmp_path / "out")
    notes = [line for line in first.splitlines() if "written" not in line]
    assert len(notes) > 5  # warnings and widenings
    assert [line for line in again.splitlines() if "written" not in line] == notes


def test_the_cache_is_what_answers_a_hit(tmp_path: Path, cache_dir: Path) -> None:
    """An entry doctored to bless an edited file: a cached check believes it; --no-cache and
    SDKFORGE_CACHE=off build and see the drift."""
    spec, out = project(tmp_path), tmp_path / "out"
    generate(spec, out)
    edited = out / "ops" / "_client.py"
    edited.write_text(edited.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    (path,) = cache_dir.glob("*.json")
    doctored = entry(cache_dir)
    doctored["files"]["_client.py"] = hashlib.sha256(edited.read_bytes()).hexdigest()
    path.write_text(json.dumps(doctored), encoding="utf-8")
    check = ["check", spec, "--output", out, "--package", "ops"]
    assert run_sdkforge(*check).returncode == 0
    assert run_sdkforge(*check, "--no-cache").returncode == 1
    os.environ["SDKFORGE_CACHE"] = "off"
    assert run_sdkforge(*check).returncode == 1


@pytest.mark.parametrize("change", ["edited output", "deleted output", "root spec", "referenced file", "settings"])
def test_anything_a_build_depends_on_makes_it_build_again(tmp_path: Path, cache_dir: Path, change: str) -> None:
    spec, out = project(tmp_path), tmp_path / "out"
    generate(spec, out)
    fresh = tmp_path / "fresh"
    extra: tuple[str, ...] = ()
    if change == "edited output":
        (out / "ops" / "_client.py").write_text("broken\n", encoding="utf-8")
    elif change == "deleted output":
        (out / "ops" / "_client.py").unlink()
    elif change == "root spec":
        spec.write_text(spec.read_text(encoding="utf-8").replace("title:", "title: Renamed", 1), encoding="utf-8")
    elif change == "referenced file":
        common = spec.parent / "common.yaml"
        common.write_text(common.read_text(encoding="utf-8") + "\n# a comment changes the bytes\n", encoding="utf-8")
    else:
        extra = ("--client-name", "Renamed")
    stderr = generate(spec, out, *extra)
    assert "0 written" not in stderr
    os.environ["SDKFORGE_CACHE"] = "off"
    generate(spec, fresh, *extra)
    assert tree(out / "ops") == tree(fresh / "ops")


def test_a_cache_that_cannot_be_written_is_only_slower(tmp_path: Path, cache_dir: Path) -> None:
    cache_dir.write_text("a file where the folder would be", encoding="utf-8")
    spec, out = project(tmp_path), tmp_path / "out"
    generate(spec, out)
    (out / "ops" / "_client.py").write_text("broken\n", encoding="utf-8")
    assert "1 written" in generate(spec, out)
    assert cache_dir.is_file()

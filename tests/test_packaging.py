"""The wheel carries the templates, and sdkforge installed from it in a fresh venv writes the same package."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import GENERATED, ROOT, SEED_SPEC, run_sdkforge, tree

PIP = [sys.executable, "-m", "pip", "--quiet", "--disable-pip-version-check"]


def run(command: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.mark.xdist_group("packaging")
def test_wheel_installs_and_generates_the_same_package(tmp_path: Path) -> None:
    # One test on purpose: building the wheel and the venv is the slow part, and each step needs the one before.
    dist = tmp_path / "dist"
    run([*PIP, "wheel", ".", "--no-deps", "--wheel-dir", dist], cwd=ROOT)
    (wheel,) = dist.glob("sdkforge-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"generator/templates/sdk/{p.name}" for p in (ROOT / "templates" / "sdk").glob("*.j2")}
    expected |= {f"generator/templates/runtime/{p.name}" for p in (ROOT / "templates" / "runtime").glob("*.py")}
    assert len(expected) > 10
    assert expected <= names, sorted(expected - names)
    assert "generator/cli.py" in names and not any(n.startswith(("tests/", "generated/")) for n in names)

    # A venv without pip of its own (fast to make); our pip installs into it, with the wheel's declared
    # dependencies, so a missing dependency shows up here.
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp_path)
    python = venv / "bin" / "python"
    run([*PIP, "--python", python, "install", wheel], cwd=tmp_path)

    # Run outside the source tree, with a config of its own naming the spec as ours does (headers name it so).
    work = tmp_path / "work"
    (work / "specs").mkdir(parents=True)
    shutil.copy2(SEED_SPEC, work / "specs" / SEED_SPEC.name)
    (work / "pyproject.toml").write_text(
        f'[[tool.sdkforge.targets]]\nspec = "specs/{SEED_SPEC.name}"\noutput = "out"\npackage = "dodo_payments"\n',
        encoding="utf-8",
    )
    where = run([python, "-c", "import generator; print(generator.__file__)"], cwd=work)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout
    run([venv / "bin" / "sdkforge", "generate"], cwd=work)

    installed = tree(work / "out" / "dodo_payments")
    shutil.rmtree(work / "out")
    from_source = run_sdkforge("generate", cwd=work)
    assert from_source.returncode == 0, from_source.stderr
    assert installed and installed == tree(work / "out" / "dodo_payments"), "the wheel differs from the source"
    assert installed == tree(GENERATED / "dodo_payments"), "generated/ is stale (run `make generate`)"

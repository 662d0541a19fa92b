"""Issue 3, proof 1: every spec of the corpus generates (nothing skipped), imports (every module, every model
built), lints clean, and passes `mypy --strict` and pyright with 0 errors, without any configuration of ours."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SHARED_SPECS
from tests.support import corpus

BIN = Path(sys.executable).parent
DODO_VERSIONS = sorted(p.stem.removeprefix("dodo-") for p in (SHARED_SPECS / "dodopayments").glob("dodo-*.yaml"))
CASES = [("dodo", v) for v in DODO_VERSIONS] + [("github", "rest")]

# Imports every module of the package, builds every pydantic model and walks the client's whole resource
# tree (which imports every resource lazily); prints what it saw.
IMPORT_ALL = ROOT / "tests" / "corpus" / "import_all.py"


def case_id(case: tuple[str, str]) -> str:
    return f"{case[0]}-{case[1]}"


def package_for(case: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not SHARED_SPECS.is_dir():
        pytest.skip(f"the shared spec corpus is not at {SHARED_SPECS}")
    if case[0] == "dodo":
        return corpus.dodo(tmp_path_factory, SHARED_SPECS / "dodopayments" / f"dodo-{case[1]}.yaml")
    return corpus.generated(tmp_path_factory, SHARED_SPECS / "github" / "api.github.com.json.gz", corpus.GITHUB_PACKAGE)


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, marks=pytest.mark.xdist_group(case_id(c) if c[0] == "github" else f"dodo-{c[1]}")) for c in CASES],
    ids=case_id,
)
def test_generates_imports_and_type_checks(
    case: tuple[str, str], tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    package = package_for(case, tmp_path_factory)
    init = (package / "__init__.py").read_text(encoding="utf-8")
    assert "Left out of this package" not in init, "generation skipped something"
    assert "Typed more widely than the spec says" not in init, "a schema of this corpus was widened"

    seen = subprocess.run(
        [sys.executable, str(IMPORT_ALL), str(package.parent), package.name],
        capture_output=True,
        text=True,
        check=False,
    )
    assert seen.returncode == 0, seen.stderr[-4000:]
    counts = json.loads(seen.stdout)
    python_files = sum(1 for _ in package.rglob("*.py"))
    assert counts["modules"] == python_files - sum(1 for _ in package.glob("*.py")) - 2  # all types/ and resources/
    assert counts["models"] > 20 and counts["resources"] > 10, counts

    lint = subprocess.run(
        [BIN / "ruff", "check", "--isolated", "--line-length=120", "--target-version=py310", "--select=E,F,W,I,UP,B"]
        + ["--ignore=E501,UP007,UP013,UP035", "--quiet", str(package)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout[-4000:]

    # One cache per xdist worker, shared by every package that worker checks: httpx and pydantic are analysed
    # once, and no two processes write one cache.
    cache = ROOT / ".mypy_cache" / f"corpus-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\n", encoding="utf-8")
    mypy = subprocess.run(
        [BIN / "mypy", "--strict", "--config-file", config, "--cache-dir", cache, package.name],
        cwd=package.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert mypy.returncode == 0, mypy.stdout[-4000:]
    assert f"Success: no issues found in {python_files} source files" in mypy.stdout

    (tmp_path / "pyrightconfig.json").write_text("{}", encoding="utf-8")
    pyright = subprocess.run(
        [BIN / "pyright", "--outputjson", "--pythonpath", sys.executable, str(package)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(pyright.stdout)
    assert report["summary"]["filesAnalyzed"] == python_files, report["summary"]
    errors = [d for d in report["generalDiagnostics"] if d["severity"] == "error"]
    assert not errors, json.dumps(errors[:20], indent=1)

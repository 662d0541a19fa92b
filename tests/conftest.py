"""Shared fixtures: paths, the shared spec corpus, and generating a spec into a temporary directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# The suite tests what a build gives, so the build cache is off (tests/test_cache.py turns it on where it tests it);
# every sdkforge process a test starts inherits this.
os.environ["SDKFORGE_CACHE"] = "off"

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "generated"
SPECS = ROOT / "specs"
SHARED_SPECS = ROOT.parent / "shared" / "specs"
SEED_SPEC = SPECS / "credit-balance-1.102.0.yaml"


def shared_specs() -> Path:
    """The read-only corpus next to the checkout; tests that need it skip when it is absent."""
    if not SHARED_SPECS.is_dir():
        pytest.skip(f"the shared spec corpus is not at {SHARED_SPECS}")
    return SHARED_SPECS


def run_sdkforge(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """The real command line, in a subprocess: exit codes and stderr are part of what is tested."""
    return subprocess.run(
        [sys.executable, "-m", "generator", *map(str, args)], cwd=cwd, capture_output=True, text=True, check=False
    )


def generate(spec: Path, out: Path, package: str, *extra: str) -> Path:
    result = run_sdkforge("generate", spec, "--output", out, "--package", package, *extra)
    assert result.returncode == 0, result.stderr
    return out / package


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root (bytecode caches left out) by relative path."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }

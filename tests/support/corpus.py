"""Corpus packages generated once per test run and shared by every test and xdist worker that needs them."""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import generate

DODO_PACKAGE = "dodo_payments"
GITHUB_PACKAGE = "github_rest"


def shared_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's temp root, common to all xdist workers (each worker's own basetemp sits below it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if base.name.startswith("popen-gw") else base


@contextmanager
def locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def generated(tmp_path_factory: pytest.TempPathFactory, spec: Path, package: str, *args: str) -> Path:
    """`spec` generated as `package` (with extra CLI `args`), by whichever worker asks first."""
    key = hashlib.sha256("\0".join([str(spec), package, *args]).encode()).hexdigest()[:16]
    out = shared_base(tmp_path_factory) / "corpus" / f"{spec.stem}-{key}"
    with locked(out.with_suffix(".lock")):
        if not (out / package / "__init__.py").exists():
            generate(spec, out, package, *args)
    return out / package


def dodo(tmp_path_factory: pytest.TempPathFactory, spec: Path) -> Path:
    """A Dodo version as the official SDK's call shape has it: with the committed override table, and its
    webhooks checked as Dodo signs them (Standard Webhooks)."""
    return generated(
        tmp_path_factory, spec, DODO_PACKAGE, "--overrides", DODO_PACKAGE, "--webhook-scheme", "standard-webhooks"
    )


def import_as(package: Path, name: str) -> ModuleType:
    """Import the generated package at `package` under the module name `name`: its imports are relative, and a
    unique name keeps it apart from another package of the same name this process has imported."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        name, package / "__init__.py", submodule_search_locations=[str(package)]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module

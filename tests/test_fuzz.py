"""The property-based fuzzer (issue 7): random OpenAPI documents (tests/fuzz/strategies.py) with hostile names and
strings from all of Unicode. Each must be refused with exit 2 and one line, or generate a package that compiles,
imports, round-trips random instances of its schemas through its models, and passes `mypy --strict` (one mypy run
over every package of the run, at its end).

`make test` runs SDKFORGE_FUZZ_EXAMPLES examples (default 100) derandomized: the same documents on every run.
`make fuzz` runs 500 with a fresh seed. SDKFORGE_FUZZ_SEED=<int> replays one seed; =random draws a new one.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from tests.fuzz.checks import check_outcome, component_classes, import_everything, round_trip, run_cli, write_spec
from tests.fuzz.strategies import Document, documents

EXAMPLES = int(os.environ.get("SDKFORGE_FUZZ_EXAMPLES", "100"))
SEED = os.environ.get("SDKFORGE_FUZZ_SEED", "")
# SDKFORGE_FUZZ_SHRINK=0 reports the first failing document as found (shrinking one can take minutes).
PHASES = [
    p for p in Phase if os.environ.get("SDKFORGE_FUZZ_SHRINK", "1") != "0" or p not in (Phase.shrink, Phase.explain)
]
INSTANCES = 3  # per component and example


def _settings(test: Callable[..., None]) -> Callable[..., None]:
    configured = settings(
        max_examples=EXAMPLES,
        derandomize=not SEED,
        database=None,
        deadline=None,
        print_blob=True,
        phases=PHASES,
        suppress_health_check=list(HealthCheck),
    )(test)
    if SEED and SEED != "random":
        configured = hypothesis_seed(int(SEED))(configured)
    return configured


class Run:
    """One fuzzing run: every example writes its spec and package under `root`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.counter = itertools.count()
        self.generated = 0
        self.refused = 0
        (root / "specs").mkdir()
        (root / "packages").mkdir()

    def example(self, doc: Document, as_yaml: bool, data: st.DataObject) -> None:
        package = f"fuzz_{next(self.counter)}"
        spec = write_spec(doc, self.root / "specs" / package, as_yaml=as_yaml)
        package_dir = self.root / "packages" / package
        code, stderr = run_cli(spec, self.root / "packages", package)
        if not check_outcome(code, stderr, spec, package_dir):
            self.refused += 1
            return
        self.generated += 1
        types = import_everything(package_dir).types
        for key, target in component_classes(doc, types).items():
            for _ in range(INSTANCES):
                instance = data.draw(doc.components[key].values(doc, 0), label=f"instance of {key!r}")
                round_trip(target, instance)

    def mypy(self) -> subprocess.CompletedProcess[str]:
        """One mypy run over every package of the run (each is its own top-level package)."""
        packages = sorted(p.name for p in (self.root / "packages").iterdir() if (p / "__init__.py").is_file())
        args = [arg for name in packages for arg in ("-p", name)]
        return subprocess.run(
            [sys.executable, "-m", "mypy", "--strict", "--config-file", "/dev/null", *args],
            cwd=self.root / "packages",
            capture_output=True,
            text=True,
            check=False,
        )


def test_random_documents_are_refused_or_generate_working_packages(tmp_path: Path) -> None:
    """Every example is checked as it is drawn (exit code, stderr, compile, import, round trip); then one
    `mypy --strict` run covers every package generated (much cheaper than one per example: a shared cache)."""
    run = Run(tmp_path)

    @_settings
    @given(doc=documents(), as_yaml=st.integers(0, 3).map(lambda n: n == 0), data=st.data())
    def examples(doc: Document, as_yaml: bool, data: st.DataObject) -> None:
        run.example(doc, as_yaml, data)

    examples()
    print(f"fuzz: {EXAMPLES} examples, {run.generated} packages generated, {run.refused} documents refused")
    # Most documents are valid OpenAPI: a fuzzer whose documents were mostly refused would test little.
    assert run.generated > 0 and run.generated >= run.refused, f"{run.generated} generated, {run.refused} refused"
    result = run.mypy()
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr

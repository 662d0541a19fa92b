"""A slice of the APIs.guru corpus (tests/corpus/slice.txt: 40 real specs, at least one of each class that once
failed: refused schemas, tolerated mistakes, import failures, internal errors): each generates with the real CLI,
imports (every module, every model, the whole resource tree), and passes `mypy --strict` and pyright.
The whole corpus is `make corpus`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.corpus import run

SLICE = Path(__file__).parent / "corpus" / "slice.txt"

pytestmark = pytest.mark.xdist_group("corpus_slice")


def test_the_slice_generates_imports_and_type_checks(tmp_path: Path) -> None:
    if not run.LIST.is_file():
        pytest.skip(f"the shared corpus list is not at {run.LIST}")
    if not (run.CACHE / "package" / "api").is_dir():
        pytest.skip("the corpus is not fetched (make .corpus/package/api)")
    specs = [line.strip() for line in SLICE.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(specs) == 40 and set(specs) <= set(run.listed())
    results = run.run(specs, tmp_path / "out", jobs=1, typecheck_first=len(specs))
    failures = [
        f"{r['spec']}: {r['outcome']} {r['message']} (mypy {r.get('mypy')}, pyright {r.get('pyright')})"
        for r in results
        if r["outcome"] != "generated" or r.get("mypy") != 0 or r.get("pyright") != 0
    ]
    assert not failures, "\n".join(failures)
    widened = {kind for r in results for kind in r["widened"]}
    assert {"allOf", "enum", "not", "recursion"} <= widened, widened

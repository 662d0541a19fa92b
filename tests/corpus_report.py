"""The Dodo Payments corpus, version by version: how many Python code samples run against our generated client and
against the official SDK (same samples, same Prism mock), and how many of the samples' call paths exist in our
client generated without and with the `dodo_payments` override table.

    python -m tests.corpus_report [--jobs N]

Prints a Markdown table, then every sample that did not pass, grouped by cause.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import generate
from tests.support.prism import PRISM, SHARED_SPECS, PrismMock
from tests.support.samples import (
    Verdict,
    VersionRun,
    call_path,
    load_operations,
    resolve_call_paths,
    run_samples,
    snippet_env,
)

PACKAGE = "dodo_payments"
_MOCK_URL = re.compile(r"http://127\.0\.0\.1:\d+")  # each mock has its own port; group failures across versions
CLIENT = f"{PACKAGE}.DodoPayments"


@dataclass
class Row:
    version: str
    operations: int
    run: VersionRun
    paths_plain: int
    paths_overridden: int
    missing_plain: list[str]
    """Call paths of samples that exist only with the override table."""

    @property
    def snippets(self) -> int:
        return len(self.run.samples)

    def counts(self) -> tuple[int, ...]:
        return (
            self.operations,
            self.snippets,
            self.run.passes("ours"),
            self.run.passes("official"),
            self.paths_plain,
            self.paths_overridden,
        )


def report_version(spec: Path, work: Path) -> Row:
    operations = load_operations(spec)
    sampled = [operation for operation in operations if operation.samples]
    paths = [call_path(source) for operation in sampled for source in operation.samples]
    found = {}
    for name, extra in (("plain", ()), ("overridden", ("--overrides", PACKAGE))):
        package_dir = generate(spec, work / name, PACKAGE, *extra)
        env = snippet_env("http://127.0.0.1:9", [package_dir.parent])
        found[name] = resolve_call_paths(CLIENT, paths, env, work / f"paths-{name}.json")
    with PrismMock(spec, work) as prism:
        run = run_samples(sampled, work / "overridden" / PACKAGE, prism.url, work)
    missing = [path for path, there in zip(paths, found["plain"], strict=True) if not there]
    return Row(
        spec.stem.removeprefix("dodo-"), len(operations), run, sum(found["plain"]), sum(found["overridden"]), missing
    )


def _version_key(spec: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in spec.stem.removeprefix("dodo-").split("."))


def table(rows: list[Row]) -> str:
    lines = [
        "| version | operations | Python samples | ours pass | official SDK pass | call paths, no overrides"
        " | call paths, with overrides |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    totals = tuple(sum(column) for column in zip(*(row.counts() for row in rows), strict=True))
    for version, (ops, snippets, ours, official, plain, overridden) in [
        *((row.version, row.counts()) for row in rows),
        ("all", totals),
    ]:
        lines.append(
            f"| {version} | {ops} | {snippets} | {ours} | {official} | {plain}/{snippets} | {overridden}/{snippets} |"
        )
    return "\n".join(lines)


def overridden_paths(rows: list[Row]) -> str:
    versions: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        for path in row.missing_plain:
            versions[path].append(row.version)
    lines = ["Call paths that exist only with the override table:"]
    lines += [f"- `{path}` ({len(found)} versions)" for path, found in sorted(versions.items())]
    return "\n".join(lines)


def failures(rows: list[Row]) -> str:
    """Each distinct (SDK, operation, cause) that did not pass, with the versions where it happens."""
    groups: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for row in rows:
        for sample in row.run.samples:
            for side, outcome, verdict in (
                ("ours", sample.ours, sample.ours_verdict),
                ("official", sample.official, sample.official_verdict),
            ):
                if verdict is not Verdict.PASS:
                    message = _MOCK_URL.sub("", outcome.error.splitlines()[0])[:160]
                    cause = f"{verdict.value}: {outcome.error_type}: {message}"
                    if outcome.exchanges and outcome.exchanges[-1].violations:
                        cause += f" ({len(outcome.exchanges[-1].violations)} spec violations)"
                    groups[side, sample.operation.key, cause].append(row.version)
    lines = ["Samples that did not pass:"]
    for (side, key, cause), versions in sorted(groups.items()):
        lines.append(f"- {side}, `{key}` in {', '.join(versions)}: {cause}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.corpus_report", description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="versions in parallel (default 2)")
    args = parser.parse_args(argv)
    specs = sorted((SHARED_SPECS / "dodopayments").glob("dodo-*.yaml"), key=_version_key)
    if not specs or not PRISM.exists():
        print(f"needs the corpus at {SHARED_SPECS / 'dodopayments'} and Prism at {PRISM}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="corpus-report-") as tmp:
        works = [Path(tmp) / spec.stem for spec in specs]
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            rows = list(pool.map(report_version, specs, works))
    print(table(rows), overridden_paths(rows), failures(rows), sep="\n\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The type-check oracle of the change report, over consecutive Dodo versions.

For a bump OLD -> NEW: a usage file of OLD's whole surface (tests/support/usage.py), `mypy --strict` on it
against NEW's package, and the report `generator.changes` gives for the two manifests. Every error must fall on
a line whose `where` a breaking change explains, and every breaking change must have an error on such a line.

Rerun it (prints the per-bump table and the 1.52.4 -> 1.53.2 report): `.venv/bin/python -m tests.support.bumps`
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from generator import changes
from tests.support.usage import build

BIN = Path(sys.executable).parent
ERROR = re.compile(r"^usage\.py:(\d+): error: (.*)$")


@dataclass
class Bump:
    old: str
    new: str
    changes: list[changes.Change]
    errors: dict[int, str]  # line -> message
    unexplained: list[str] = field(default_factory=list)  # errors no breaking change explains
    silent: list[str] = field(default_factory=list)  # breaking changes with no error

    @property
    def breaking(self) -> list[changes.Change]:
        return [c for c in self.changes if c.breaking]

    @property
    def mismatches(self) -> int:
        return len(self.unexplained) + len(self.silent)

    def row(self) -> str:
        return (
            f"| {self.old} -> {self.new} | {len(self.changes)} | {len(self.breaking)} | {len(self.errors)} "
            f"| {self.mismatches} |"
        )


def explains(where: str, tags: tuple[str, ...]) -> bool:
    return any(related(where, tag) for tag in tags)


def related(where: str, tag: str) -> bool:
    """A change at `where` can make the line exercising `tag` fail: one is inside the other (a new required key
    fails every dict of its type), or both are arguments of one method (a new required argument fails every
    call)."""
    if where == tag or tag.startswith((where + ".", where + "(")) or where.startswith((tag + ".", tag + "(")):
        return True
    return "(" in where and "(" in tag and where.split("(")[0] == tag.split("(")[0]


def manifest(package: Path) -> dict[str, object]:
    document: dict[str, object] = json.loads((package / "surface.json").read_text(encoding="utf-8"))
    return document


def mypy_errors(source: str, package: Path, cache: Path) -> dict[int, str]:
    """`mypy --strict` on `source` with `package` importable; errors inside the package are not looked at (other
    tests type-check the packages themselves)."""
    with tempfile.TemporaryDirectory(prefix="sdkforge-usage-") as tmp:
        (Path(tmp) / "usage.py").write_text(source, encoding="utf-8")
        result = subprocess.run(
            [BIN / "mypy", "--strict", "--follow-imports=silent", "--cache-dir", cache, "--no-error-summary"]
            + ["--hide-error-context", "--show-error-codes", "usage.py"],
            cwd=tmp,
            env={**os.environ, "MYPYPATH": str(package.parent)},
            capture_output=True,
            text=True,
            check=False,
        )
    assert result.returncode in (0, 1), result.stderr[-2000:]
    errors: dict[int, str] = {}
    for line in result.stdout.splitlines():
        match = ERROR.match(line)
        if match:
            errors.setdefault(int(match[1]), match[2])
    assert errors or result.returncode == 0, result.stdout[-2000:]
    return errors


def oracle(old_package: Path, new_package: Path, cache: Path) -> Bump:
    old, new = manifest(old_package), manifest(new_package)
    usage = build(old)
    found = changes.compare(old, new)
    bump = Bump(str(old["version"]), str(new["version"]), found, mypy_errors(usage.source, new_package, cache))
    breaking = [c for c in found if c.breaking]
    for line, message in sorted(bump.errors.items()):
        tags = usage.tags.get(line, ())
        if not any(explains(c.where, tags) for c in breaking):
            bump.unexplained.append(f"line {line} {tags}: {message} | {usage.lines[line - 1][:160]}")
    for change in breaking:
        if not any(explains(change.where, usage.tags.get(line, ())) for line in bump.errors):
            bump.silent.append(f"{change.where} {change.kind}: {change.old} -> {change.new}")
    return bump


def main() -> None:
    from tests.conftest import SHARED_SPECS, generate

    specs = sorted((SHARED_SPECS / "dodopayments").glob("dodo-*.yaml"), key=version_key)
    if not specs:
        raise SystemExit(f"needs the Dodo specs at {SHARED_SPECS / 'dodopayments'}")
    with tempfile.TemporaryDirectory(prefix="sdkforge-bumps-") as tmp:
        packages = [
            generate(s, Path(tmp) / s.stem, "dodo_payments", "--overrides", "dodo_payments", "-q") for s in specs
        ]
        print("| bump | changes | breaking | mypy errors | mismatches |\n|---|---|---|---|---|")
        for old, new in zip(packages, packages[1:], strict=False):
            bump = oracle(old, new, Path(tmp) / "mypy-cache")
            print(bump.row())
            for line in bump.unexplained + bump.silent:
                print(f"  mismatch: {line}")
        print()
        sys.stdout.write(
            changes.as_markdown(
                manifest(packages[-2]),
                manifest(packages[-1]),
                changes.compare(manifest(packages[-2]), manifest(packages[-1])),
            )
        )


def version_key(spec: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in spec.stem.removeprefix("dodo-").split("."))


if __name__ == "__main__":
    main()

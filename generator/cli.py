"""`sdkforge generate|check [SPEC] ...` and `sdkforge diff OLD NEW`: exit 0 when done (or up to date), 1 when
`check` finds drift or, with `--fail-on breaking`, the surface changes in a breaking way; 2 for bad input.
Errors are one line on stderr, never a traceback."""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import cache, changes, emit, surface
from .background import Background
from .config import (
    WEBHOOK_SCHEMES,
    Target,
    find_pyproject,
    label_for,
    overrides_for,
    read_settings,
    targets_from_settings,
)
from .errors import InternalError, SpecError
from .limits import recursion_headroom

if TYPE_CHECKING:
    # Imported where used: a run the cache answers needs neither the spec's object model nor the templates.
    from .ir import Sdk
    from .load import Spec


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sdkforge", description="Generate a typed Python SDK from an OpenAPI spec.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("generate", "write the package(s), and report what changed in their public surface"),
        ("check", "write nothing; exit 1 with a diff when the files on disk differ from what generate writes"),
    ):
        command = commands.add_parser(name, help=text, description=text)
        command.add_argument(
            "spec", nargs="?", help="OpenAPI file (YAML, JSON, or gzipped); default: every target in pyproject.toml"
        )
        command.add_argument("-o", "--output", help="directory the package goes in (as OUTPUT/PACKAGE/)")
        command.add_argument("--target", help="only the configured target of this package name")
        _generation_options(command)
    text = "compare the public surface of two versions: each a spec or a surface.json manifest"
    command = commands.add_parser("diff", help=text, description=text)
    command.add_argument("old", help="the old spec or surface.json (e.g. the committed package's)")
    command.add_argument("new", help="the new spec or surface.json")
    command.add_argument("--format", choices=("markdown", "json"), default="markdown", help="report format")
    _generation_options(command)
    return parser


def _generation_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("-p", "--package", help="Python package name")
    command.add_argument("--client-name", help="client class name (default: from the package name)")
    command.add_argument("--env-prefix", help="environment variable prefix (default: from the package name)")
    command.add_argument("--version", dest="sdk_version", help="package version (default: the spec's info.version)")
    command.add_argument("--formatter", choices=("ruff", "black"), help="code formatter (default: ruff)")
    command.add_argument("--overrides", help="name of an override table in [tool.sdkforge.overrides]")
    command.add_argument(
        "--strict",
        action="store_true",
        help="refuse (exit 2) any schema that Python types can only express more widely than the spec",
    )
    command.add_argument(
        "--ref-root",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help="a folder besides the spec's own whose files a $ref may read (repeatable)",
    )
    command.add_argument(
        "--webhook-scheme",
        choices=WEBHOOK_SCHEMES,
        help="how the API signs its webhooks: generates webhooks.unwrap() (default: only unsafe_unwrap)",
    )
    command.add_argument(
        "--fail-on", choices=("breaking",), help="exit 1 when the public surface changes in a breaking way"
    )
    command.add_argument("-q", "--quiet", action="store_true", help="print errors and diffs only")
    command.add_argument("--debug", action="store_true", help="show the traceback of an internal error")
    command.add_argument(
        "--no-cache", action="store_true", help="build even when the output on disk is known to be up to date"
    )
    command.add_argument("--config", type=Path, help="pyproject.toml to read [tool.sdkforge] from")


def resolve_targets(args: argparse.Namespace) -> list[Target]:
    pyproject = args.config or find_pyproject(Path.cwd())
    settings = read_settings(pyproject)
    where = str(pyproject) if pyproject else "pyproject.toml"
    if args.spec is None:
        targets = targets_from_settings(settings, pyproject.parent if pyproject else Path.cwd(), where)
        if not targets:
            raise SpecError(where, "/tool/sdkforge/targets", "no SPEC given and no targets configured")
        if args.target:
            targets = [t for t in targets if t.package == args.target]
            if not targets:
                raise SpecError(where, "/tool/sdkforge/targets", f"no target has package {args.target!r}")
    else:
        if not args.output or not args.package:
            raise SpecError(args.spec, "", "--output and --package are required with SPEC")
        spec = Path(args.spec)
        targets = [
            Target(
                spec=spec,
                spec_label=label_for(spec, Path.cwd()),
                source=spec.name,
                output=Path(args.output),
                package=args.package,
                formatter=settings.get("formatter", "ruff"),
                ref_roots=tuple(args.ref_root),
            )
        ]
    targets = [_with_flags(t, args, settings, where) for t in targets]
    for target in targets:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", target.package) or target.package in ("types", "resources"):
            raise SpecError(target.spec_label, "", f"package name {target.package!r} is not a valid Python identifier")
        if target.client_name is not None and not target.client_name.isidentifier():
            raise SpecError(
                target.spec_label, "", f"client name {target.client_name!r} is not a valid Python identifier"
            )
    return targets


def _with_flags(target: Target, args: argparse.Namespace, settings: dict[str, Any], where: str) -> Target:
    """The target with what the command line says instead."""
    replaced: dict[str, object] = {}
    for flag, key in (
        ("client_name", "client_name"),
        ("env_prefix", "env_prefix"),
        ("sdk_version", "version"),
        ("formatter", "formatter"),
        ("webhook_scheme", "webhook_scheme"),
    ):
        if getattr(args, flag):
            replaced[key] = getattr(args, flag)
    if args.overrides:
        replaced["overrides"] = overrides_for(args.overrides, settings, where)
    if args.strict:
        replaced["strict"] = True
    return dataclasses.replace(target, **replaced)  # type: ignore[arg-type]


def lower_target(target: Target, spec: Spec | None = None) -> Sdk:
    """Load (unless given the spec) and lower: the IR. Raises SpecError on bad input."""
    from .lower import Options, lower

    if spec is None:
        spec = load_target(target)
    # Every setting lowering reads is the target's field of the same name.
    options = Options(**{f.name: getattr(target, f.name) for f in dataclasses.fields(Options)})
    # Lowering recurses once per nesting level of the schemas, which the limits bound, but several frames deep.
    # (Not while loading: the JSON parser recurses in C, and the load is bounded by MAX_DEPTH already.)
    with recursion_headroom():
        return lower(spec, options)


def load_target(target: Target) -> Spec:
    from .load import load

    return load(target.spec, display_name=target.spec_label, ref_roots=target.ref_roots)


def build(target: Target, quiet: bool = False, cached: bool = False) -> tuple[dict[str, str], DiskReport]:
    """Everything up to writing: load, lower, render, format, and the new manifest compared with the one on disk;
    or, when `cached`, the files on disk if the cache knows them for what a build would give. Raises SpecError on
    bad input."""
    key = cache.key(target) if cached else ""
    known = cache.lookup(target, key) if cached else None
    previous = target.package_dir / surface.FILE
    if known is not None:
        files, notes = known
        report = compare_with_disk(previous, files[surface.FILE])
    else:
        from .render import render

        spec = load_target(target)
        sdk = lower_target(target, spec)

        def manifest() -> tuple[str, DiskReport]:
            text = surface.text(sdk)
            return text, compare_with_disk(previous, text)

        with (
            recursion_headroom(),
            emit.Formatting(target.formatter) as formatting,
            Background(manifest) as manifest_and_report,
        ):
            for batch in render(sdk):
                formatting.add(batch)
            files = formatting.result()
            files[surface.FILE], report = manifest_and_report.result()
        notes = [
            f"{prefix}{line}"
            for prefix, lines in (("warning: ", sdk.warnings), ("widened ", sdk.widened), ("skipped ", sdk.skipped))
            for line in lines
        ]
        if cached:
            cache.record(key, files, notes, spec.sources)
    for note in notes if not quiet else ():
        print(f"sdkforge: {target.package}: {note}", file=sys.stderr)
    return files, report


def main(argv: list[str] | None = None) -> int:
    # A short-lived batch process building large acyclic structures: the cycle collector only costs time.
    gc.disable()
    args = build_parser().parse_args(argv)
    current = getattr(args, "spec", None) or getattr(args, "old", None) or "pyproject.toml"
    try:
        if args.command == "diff":
            return run_diff(args)
        targets = resolve_targets(args)
        # Every target is built before anything is written: bad input leaves all output untouched.
        built = []
        for target in targets:
            current = target.spec_label
            started = time.perf_counter()
            files, report = build(target, args.quiet, cached=not args.no_cache)
            built.append((target, files, report, time.perf_counter() - started))
        for target, *_ in built:
            if args.command == "generate" and not emit.owned_by_us(target.package_dir):
                raise SpecError(
                    target.spec_label,
                    "",
                    f"{target.package_dir} exists and was not generated by sdkforge; not overwriting it",
                )
    except (SpecError, emit.FormatterError) as exc:
        print(f"sdkforge: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - a bug: one line and exit 3, the traceback only when asked for
        if args.debug:
            raise
        if not isinstance(exc, InternalError):
            exc = InternalError(current, "", exc)
        print(f"sdkforge: error: {exc}", file=sys.stderr)
        return 3
    return _report_and_write(built, args)


def _report_and_write(built: list[tuple[Target, dict[str, str], DiskReport, float]], args: argparse.Namespace) -> int:
    """The exit status: 2 when something cannot be written, 1 when `check` finds drift or `--fail-on` a break."""
    status = 0
    for target, files, report, seconds in built:
        breaking = print_report(target, report, args)
        if breaking is None:
            return 2
        if args.fail_on and breaking:
            status = 1
        if args.command == "check":
            outcome = check_target(target, files, args.quiet)
        else:
            outcome = write_target(target, files, seconds if not args.quiet else None)
        if outcome == 2:
            return 2
        status = max(status, outcome)
    return status


def check_target(target: Target, files: dict[str, str], quiet: bool) -> int:
    difference = emit.diff(files, target.package_dir, str(target.package_dir))
    if difference:
        sys.stdout.write(difference)
        print(f"sdkforge: {target.package_dir} is out of date with {target.spec_label}", file=sys.stderr)
        return 1
    if not quiet:
        print(f"sdkforge: {target.package_dir} is up to date with {target.spec_label}", file=sys.stderr)
    return 0


def write_target(target: Target, files: dict[str, str], seconds: float | None) -> int:
    """Writes the package; prints a summary unless `seconds` is None (quiet)."""
    try:
        written, unchanged, removed = emit.write(files, target.package_dir)
    except OSError as exc:
        print(f"sdkforge: error: {target.package_dir}: cannot write: {exc.strerror or exc}", file=sys.stderr)
        return 2
    if seconds is not None:
        print(
            f"sdkforge: {target.package_dir}: {written} written, {unchanged} unchanged, {removed} removed"
            f" ({len(files)} files, {seconds:.2f} s)",
            file=sys.stderr,
        )
    return 0


@dataclass(frozen=True)
class DiskReport:
    """The new manifest compared with the one on disk; all empty when there is nothing to report (a first
    generation, or the same surface from the same spec)."""

    markdown: str = ""  # the change report
    version: str = ""  # the new manifest's API version: the changelog entry's heading
    changed: bool = False  # whether the surface changed (the spec may have changed alone)
    breaking: bool = False
    unreadable: bool = False  # the file on disk is not a manifest this sdkforge can read (edited by hand?)


def compare_with_disk(previous: Path, text: str) -> DiskReport:
    """`text`, the new manifest, against the one at `previous`."""
    try:
        on_disk = previous.read_text(encoding="utf-8")
        if on_disk == text:
            return DiskReport()
        old = json.loads(on_disk)
    except (OSError, ValueError):
        return DiskReport()  # a first generation, or output of an sdkforge without manifests: nothing to compare
    new = json.loads(text)
    try:
        found = changes.compare(old, new)
        same_spec = old.get("spec") == new.get("spec")
    except (AttributeError, KeyError, TypeError, ValueError):
        return DiskReport(unreadable=True)
    if not found and same_spec:
        return DiskReport()
    markdown = changes.as_markdown(old, new, found)
    return DiskReport(markdown, str(new["version"]), bool(found), any(c.breaking for c in found))


def print_report(target: Target, report: DiskReport, args: argparse.Namespace) -> bool | None:
    """Prints the change report, and appends it to the changelog on generate. Whether something breaks; None
    when the changelog cannot be written."""
    if report.unreadable:
        previous = target.package_dir / surface.FILE
        print(f"sdkforge: warning: {previous} is not a manifest sdkforge can read; no change report", file=sys.stderr)
        return False
    if not report.markdown:
        return False
    if not args.quiet and (args.command == "generate" or args.fail_on):  # check's own output is the diff
        sys.stdout.write(report.markdown)
    if args.command == "generate" and target.changelog is not None and report.changed:
        try:
            with target.changelog.open("a", encoding="utf-8") as handle:
                handle.write(f"\n## {report.version}\n\n" + report.markdown.split("\n", 1)[1].lstrip("\n"))
        except OSError as exc:
            print(f"sdkforge: error: {target.changelog}: cannot write: {exc.strerror or exc}", file=sys.stderr)
            return None
    return report.breaking


def run_diff(args: argparse.Namespace) -> int:
    sides = [_read_manifest(Path(args.old)), _read_manifest(Path(args.new))]
    package = args.package or next((side["package"] for side in sides if side is not None), "sdk")
    settings = read_settings(args.config or find_pyproject(Path.cwd()))
    documents = []
    for given, side in zip((args.old, args.new), sides, strict=True):
        if side is None:
            target = Target(
                Path(given), given, Path("."), package, source=Path(given).name, ref_roots=tuple(args.ref_root)
            )
            target = _with_flags(target, args, settings, "pyproject.toml")
            side = surface.manifest(lower_target(target))
        documents.append(side)
    old, new = documents
    found = changes.compare(old, new)
    render_report = changes.as_json if args.format == "json" else changes.as_markdown
    sys.stdout.write(render_report(old, new, found))
    return 1 if args.fail_on and any(c.breaking for c in found) else 0


def _read_manifest(path: Path) -> dict[str, Any] | None:
    """The manifest at `path`, or None when it is a spec (a JSON spec has no manifest key)."""
    if path.suffix != ".json":
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # load() reports it, naming the file
    return document if isinstance(document, dict) and "sdkforge_manifest" in document else None


def run() -> None:
    """The console entry point: `main`, then an exit that skips freeing the spec's objects one by one (GitHub's:
    0.45 s, a fifth of the run); the kernel reclaims the memory at once. Output is flushed first."""
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    run()

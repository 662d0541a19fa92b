"""`sdkforge generate|check [SPEC] ...`: exit 0 when done (or up to date), 1 when `check` finds drift,
2 for bad input. Errors are one line on stderr, never a traceback."""

from __future__ import annotations

import argparse
import dataclasses
import gc
import re
import sys
import time
from pathlib import Path

from . import emit
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
from .load import load
from .lower import Options, lower
from .render import render


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sdkforge", description="Generate a typed Python SDK from an OpenAPI spec.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("generate", "write the package(s)"),
        ("check", "write nothing; exit 1 with a diff when the files on disk differ from what generate writes"),
    ):
        command = commands.add_parser(name, help=text, description=text)
        command.add_argument(
            "spec", nargs="?", help="OpenAPI file (YAML, JSON, or gzipped); default: every target in pyproject.toml"
        )
        command.add_argument("-o", "--output", help="directory the package goes in (as OUTPUT/PACKAGE/)")
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
        command.add_argument("--debug", action="store_true", help="show the traceback of an internal error")
        command.add_argument("--config", type=Path, help="pyproject.toml to read [tool.sdkforge] from")
    return parser


def resolve_targets(args: argparse.Namespace) -> list[Target]:
    pyproject = args.config or find_pyproject(Path.cwd())
    settings = read_settings(pyproject)
    where = str(pyproject) if pyproject else "pyproject.toml"
    if args.spec is None:
        targets = targets_from_settings(settings, pyproject.parent if pyproject else Path.cwd(), where)
        if not targets:
            raise SpecError(where, "/tool/sdkforge/targets", "no SPEC given and no targets configured")
    else:
        if not args.output or not args.package:
            raise SpecError(args.spec, "", "--output and --package are required with SPEC")
        spec = Path(args.spec)
        targets = [
            Target(
                spec=spec,
                spec_label=label_for(spec, Path.cwd()),
                output=Path(args.output),
                package=args.package,
                formatter=settings.get("formatter", "ruff"),
                ref_roots=tuple(args.ref_root),
            )
        ]
    changes: dict[str, object] = {}
    for flag, key in (
        ("client_name", "client_name"),
        ("env_prefix", "env_prefix"),
        ("sdk_version", "version"),
        ("formatter", "formatter"),
        ("webhook_scheme", "webhook_scheme"),
    ):
        if getattr(args, flag):
            changes[key] = getattr(args, flag)
    if args.overrides:
        changes["overrides"] = overrides_for(args.overrides, settings, where)
    if args.strict:
        changes["strict"] = True
    targets = [dataclasses.replace(t, **changes) for t in targets]  # type: ignore[arg-type]
    for target in targets:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", target.package) or target.package in ("types", "resources"):
            raise SpecError(target.spec_label, "", f"package name {target.package!r} is not a valid Python identifier")
        if target.client_name is not None and not target.client_name.isidentifier():
            raise SpecError(
                target.spec_label, "", f"client name {target.client_name!r} is not a valid Python identifier"
            )
    return targets


def build(target: Target) -> dict[str, str]:
    """Everything up to writing: load, lower, render, format. Raises SpecError on bad input."""
    spec = load(target.spec, display_name=target.spec_label, ref_roots=target.ref_roots)
    options = Options(
        package=target.package,
        client_name=target.client_name,
        env_prefix=target.env_prefix,
        version=target.version,
        overrides=target.overrides,
        strict=target.strict,
        page_params=target.page_params,
        webhook_scheme=target.webhook_scheme,
        pagination_names=target.pagination_names,
        pagination_operations=target.pagination_operations,
        idempotency_header=target.idempotency_header,
    )
    # Lowering recurses once per nesting level of the schemas, which the limits bound, but several frames deep.
    # (Not while loading: the JSON parser recurses in C, and the load is bounded by MAX_DEPTH already.)
    with recursion_headroom():
        sdk = lower(spec, options)
        files = emit.format_sources(render(sdk), target.formatter)
    for line in sdk.warnings:
        print(f"sdkforge: {target.package}: warning: {line}", file=sys.stderr)
    for line in sdk.widened:
        print(f"sdkforge: {target.package}: widened {line}", file=sys.stderr)
    for line in sdk.skipped:
        print(f"sdkforge: {target.package}: skipped {line}", file=sys.stderr)
    return files


def main(argv: list[str] | None = None) -> int:
    # A short-lived batch process building large acyclic structures: the cycle collector only costs time.
    gc.disable()
    args = build_parser().parse_args(argv)
    current = args.spec or "pyproject.toml"
    try:
        targets = resolve_targets(args)
        # Every target is built before anything is written: bad input leaves all output untouched.
        built = []
        for target in targets:
            current = target.spec_label
            started = time.perf_counter()
            built.append((target, build(target), time.perf_counter() - started))
        for target, _, _ in built:
            if args.command == "generate" and not emit.owned_by_us(target.package_dir):
                raise SpecError(
                    target.spec_label,
                    "",
                    f"{target.package_dir} exists and was not generated by sdkforge; not overwriting it",
                )
    except SpecError as exc:
        print(f"sdkforge: error: {exc}", file=sys.stderr)
        return 2
    except emit.FormatterError as exc:
        print(f"sdkforge: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - a bug: one line and exit 3, the traceback only when asked for
        if args.debug:
            raise
        if not isinstance(exc, InternalError):
            exc = InternalError(current, "", exc)
        print(f"sdkforge: error: {exc}", file=sys.stderr)
        return 3
    status = 0
    for target, files, seconds in built:
        if args.command == "check":
            difference = emit.diff(files, target.package_dir, str(target.package_dir))
            if difference:
                sys.stdout.write(difference)
                print(f"sdkforge: {target.package_dir} is out of date with {target.spec_label}", file=sys.stderr)
                status = 1
            else:
                print(f"sdkforge: {target.package_dir} is up to date with {target.spec_label}", file=sys.stderr)
        else:
            try:
                written, unchanged, removed = emit.write(files, target.package_dir)
            except OSError as exc:
                print(f"sdkforge: error: {target.package_dir}: cannot write: {exc.strerror or exc}", file=sys.stderr)
                return 2
            print(
                f"sdkforge: {target.package_dir}: {written} written, {unchanged} unchanged, {removed} removed"
                f" ({len(files)} files, {seconds:.2f} s)",
                file=sys.stderr,
            )
    return status


if __name__ == "__main__":
    raise SystemExit(main())

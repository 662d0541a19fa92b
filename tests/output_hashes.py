"""`python -m tests.output_hashes > hashes.txt`: one line per generated file, `sha256  package/path`, for every
target in pyproject.toml and every spec in ../shared/specs (Dodo Payments x15 with its override table, GitHub).
Nothing is written to disk. Run it before and after a change that must leave the output as it is, and diff."""

from __future__ import annotations

import dataclasses
import hashlib
import sys

from generator.cli import build
from generator.config import Target, overrides_for, read_settings, targets_from_settings
from tests.conftest import ROOT, SHARED_SPECS


def targets() -> list[Target]:
    settings = read_settings(ROOT / "pyproject.toml")
    configured = targets_from_settings(settings, ROOT, "pyproject.toml")
    dodo_overrides = overrides_for("dodo_payments", settings, "pyproject.toml")
    shared = []
    for spec in sorted((SHARED_SPECS / "dodopayments").glob("*.yaml")):
        shared.append(
            dataclasses.replace(
                configured[0],
                spec=spec,
                spec_label=spec.name,
                package="dodo_payments",
                overrides=dodo_overrides,
                version=None,
                webhook_scheme="standard-webhooks",
            )
        )
    for spec in sorted((SHARED_SPECS / "github").glob("*.json*")):
        shared.append(dataclasses.replace(configured[0], spec=spec, spec_label=spec.name, package="github"))
    return [*configured, *shared]


def main() -> int:
    for target in targets():
        files, _ = build(target)
        label = f"{target.spec_label}:{target.package}"
        for path in sorted(files):
            digest = hashlib.sha256(files[path].encode("utf-8")).hexdigest()
            sys.stdout.write(f"{digest}  {label}/{path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

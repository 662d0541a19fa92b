"""A usage file for the type-check oracle of the change report: from an old package's surface manifest, Python
that uses the whole old surface in ordinary ways. Type-checked against a newer package, each mypy error falls on
a line tagged with the `where` it exercises, and must be explained by a breaking change the report gives there.

One statement per line (the file is never formatted), so an error's line number names what failed. Values of
the old types are `cast("<old annotation>", None)`: the annotation as the old package printed it, with names
the new package resolves.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from generator.changes import READ, SEND, sides

PRELUDE = """\
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any, Literal, Optional, Union, cast
from uuid import UUID

from pydantic import Discriminator, Field, Tag

from {package}._models import *
from {package}._pagination import *
from {package}._streaming import *
from {package}._types import *
"""


@dataclass
class Usage:
    lines: list[str]
    tags: dict[int, tuple[str, ...]]  # line number (1-based) -> the `where`s it exercises

    def add(self, statement: str, *where: str, indent: int = 0) -> None:
        self.lines.append(" " * indent + statement)
        self.tags[len(self.lines)] = where

    @property
    def source(self) -> str:
        return "\n".join(self.lines) + "\n"


def build(manifest: dict[str, Any]) -> Usage:
    package = manifest["package"]
    usage = Usage(PRELUDE.format(package=package).splitlines(), {})
    for name in manifest["exports"]:
        usage.add(f"from {package} import {name}", name)
    for name, definition in sorted(manifest["types"].items()):
        source = "types" if definition["exported"] else f"types.{definition['module']}"
        usage.add(f"from {package}.{source} import {name}", f"types.{name}")
    _calls(usage, manifest)
    _error_body(usage, manifest)
    used = sides(manifest)
    for name, definition in sorted(manifest["types"].items()):
        {"model": _reads, "typeddict": _builds, "alias": _alias}[definition["kind"]](
            usage, name, definition, used.get(name, {READ, SEND})
        )
    return usage


def value(annotation: str) -> str:
    return f"cast({annotation!r}, None)"


def _calls(usage: Usage, manifest: dict[str, Any]) -> None:
    usage.lines += ["", "", f"def use_client(client: {manifest['client']}) -> None:"]
    for path, method in sorted(manifest["methods"].items()):
        params = method["params"]
        positional = [value(p["annotation"]) for p in params if p["kind"] == "positional"]
        keyword = {p["name"]: value(p["annotation"]) for p in params if p["kind"] == "keyword" and p["required"]}
        call = f"client.{path}({{}})"
        arguments = [*positional, *(f"{name}={v}" for name, v in keyword.items())]
        result = "" if method["returns"] == "None" else f"_{len(usage.lines)}: {method['returns']} = "
        usage.add(result + call.format(", ".join(arguments)), path, indent=4)
        for p in params:
            if p["kind"] == "keyword" and not p["required"]:
                optional = f"{p['name']}={value(p['annotation'])}"
                usage.add(call.format(", ".join([*arguments, optional])), path, f"{path}({p['name']})", indent=4)
    usage.lines.append("    pass")


def _error_body(usage: Usage, manifest: dict[str, Any]) -> None:
    """A handler holds what a new error's `parsed` gives in the old type (tagged with the types it names too: a
    removed one fails the line by its name alone)."""
    if "error_body" not in manifest:
        return
    names = sorted(set(_model_names(manifest["error_body"]["type"])))
    usage.add(f"from {manifest['package']}._error_body import APIErrorBody")
    usage.lines += ["", "", "def read_error_body(parsed: APIErrorBody | None) -> None:"]
    annotation = f"{manifest['error_body']['annotation']} | None"
    usage.add(
        f"_parsed: {annotation} = parsed", "APIStatusError.parsed", *(f"types.{name}" for name in names), indent=4
    )


def _model_names(expr: Any) -> Iterator[str]:
    if isinstance(expr, dict):
        if expr.get("kind") == "ModelRef":
            yield expr["name"]
        for value in expr.values():
            yield from _model_names(value)
    elif isinstance(expr, list):
        for value in expr:
            yield from _model_names(value)


def _reads(usage: Usage, name: str, definition: dict[str, Any], _: set[str]) -> None:
    usage.lines += ["", ""]
    usage.add(f"def read_{name}(value: {name}) -> None:", f"types.{name}")
    for field, spec in sorted(definition["fields"].items()):
        usage.add(f"_{field}: {spec['annotation']} = value.{field}", f"types.{name}.{field}", indent=4)
    usage.lines.append("    pass")


def _builds(usage: Usage, name: str, definition: dict[str, Any], _: set[str]) -> None:
    fields = sorted(definition["fields"].items())
    required = [f"{key!r}: {value(spec['annotation'])}" for key, spec in fields if spec["required"]]
    usage.add(f"_{name}: {name} = {{{', '.join(required)}}}", f"types.{name}")
    for index, (key, spec) in enumerate(fields):
        if not spec["required"]:
            entries = ", ".join([*required, f"{key!r}: {value(spec['annotation'])}"])
            # The required keys are built too: a change to them fails this line as well.
            usage.add(f"_{name}_{index}: {name} = {{{entries}}}", f"types.{name}", f"types.{name}.{key}")


def _alias(usage: Usage, name: str, definition: dict[str, Any], used: set[str]) -> None:
    """A reader holds the new values in the old type; a sender passes old values as the new type."""
    if READ in used:
        usage.add(f"_read_{name}: {definition['annotation']} = cast({name!r}, None)", f"types.{name}")
    if SEND in used:
        usage.add(f"_send_{name}: {name} = {value(definition['annotation'])}", f"types.{name}")

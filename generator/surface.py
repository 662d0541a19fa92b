"""The package's public surface as one JSON document (`surface.json` in the package), built from the IR.

What a caller can touch: the client's resources and methods with their parameters, every named type with its
fields or keys, the exported names, and what an API error's `parsed` can hold. `sdkforge diff` compares two of
these (generator/changes.py). Type expressions are written as their IR dataclasses, generically, so new kinds of
expression appear without a change here.
"""

from __future__ import annotations

import ast
import dataclasses
import json
from functools import cache
from typing import Any

from .ir import Alias, Field, Location, Method, Model, Nullable, Resource, Sdk, TypedDictDef, TypeExpr, walk_resources

FORMAT = 1  # bumped when a reader of an older manifest would misread this one
FILE = "surface.json"


def text(sdk: Sdk) -> str:
    return dumps(manifest(sdk))


def manifest(sdk: Sdk) -> dict[str, Any]:
    exported = {name for name, _ in sdk.type_exports}
    types: dict[str, Any] = {}
    for module in sdk.type_modules:
        for definition in module.definitions:
            entry = _definition(definition)
            types[definition.name] = {**entry, "module": module.name, "exported": definition.name in exported}
    return {
        "sdkforge_manifest": FORMAT,
        "package": sdk.package,
        "client": sdk.client_name,
        "version": ast.literal_eval(sdk.version),
        "spec": {"version": sdk.spec_version, "sha256": sdk.spec_sha256},
        "exports": sorted(sdk.exports),
        "resources": {path: sorted(name for name, _ in _named(r)) for path, r in walk_resources(sdk.resources)},
        "methods": {
            f"{path}.{name}": _method(method) for path, r in walk_resources(sdk.resources) for name, method in _named(r)
        },
        "error_body": {"annotation": sdk.error_body.annotation, "type": encode(sdk.error_body.type)},
        "types": types,
    }


def dumps(document: dict[str, Any]) -> str:
    """Sorted JSON, one line per method, type and other entry of a top-level table: a bump's diff shows what
    changed, and the compact lines are written by json's C encoder (an indented dump of GitHub's takes seconds)."""
    lines = []
    for key, value in sorted(document.items()):
        if isinstance(value, dict) and value:
            entries = ",\n".join(f"  {json.dumps(k)}: {_compact(v)}" for k, v in sorted(value.items()))
            lines.append(f" {json.dumps(key)}: {{\n{entries}\n }}")
        else:
            lines.append(f" {json.dumps(key)}: {_compact(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def _compact(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


@cache  # the same expressions recur thousands of times in a large API; the result is only read
def encode(expr: TypeExpr) -> Any:
    """A type expression as plain JSON: {"kind": its class, and its fields}."""
    fields = {f.name: _plain(getattr(expr, f.name)) for f in dataclasses.fields(expr)}
    return {"kind": type(expr).__name__, **fields}


def _plain(value: object) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return encode(value)  # type: ignore[arg-type]
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


def _named(resource: Resource) -> list[tuple[str, Method]]:
    """Its methods under each name a caller may call them by: each method's own and its aliases."""
    return [(name, method) for method in resource.methods for name in (method.name, *method.aliases)]


def _method(method: Method) -> dict[str, Any]:
    params = [
        {
            "name": p.py_name,
            "kind": "positional" if index < method.positional else "keyword",
            "location": str(p.location),
            "annotation": p.annotation,
            "required": p.required,
            "type": encode(p.type),
        }
        for index, p in enumerate(method.params)
        if p.location is not Location.OPTION  # the runtime's per-call options, the same on every method
    ]
    return {"http": method.http_method, "params": params, "returns": method.returns}


def _definition(definition: Model | TypedDictDef | Alias) -> dict[str, Any]:
    if isinstance(definition, Alias):
        return {"kind": "alias", "annotation": definition.annotation, "type": encode(definition.type)}
    fields = {f.py_name if isinstance(definition, Model) else f.wire_name: _field(f) for f in definition.fields}
    return {"kind": definition.kind, "fields": fields}


def _field(field: Field) -> dict[str, Any]:
    annotation = field.annotation
    if annotation.startswith(("'", '"')):  # a functional TypedDict's quoted annotation
        annotation = ast.literal_eval(annotation)
    if annotation.startswith("NotRequired[") and annotation.endswith("]"):
        annotation = annotation.removeprefix("NotRequired[")[:-1]
    # A model field that may be absent reads as None; a TypedDict key that may be absent is just left out.
    nullable = isinstance(field.type, Nullable) or (not field.required and annotation.endswith("| None"))
    return {"annotation": annotation, "required": field.required, "nullable": nullable, "type": encode(field.type)}

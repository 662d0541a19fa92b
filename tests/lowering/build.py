"""Tiny specs as dicts, lowered through the public path (load, then lower), and views of the resulting IR."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from generator.ir import Alias, Definition, Field, Method, Model, Param, Sdk, TypedDictDef, walk_resources
from generator.load import load
from generator.lower import Options, lower

Json = dict[str, Any]

OK: Json = {"204": {"description": "no content"}}


def json_response(schema: Json, code: str = "200") -> Json:
    return {code: {"description": "ok", "content": {"application/json": {"schema": schema}}}}


# A GET on a collection is `list` only when its response holds a list (resources.py); these are the two shapes.
LIST = json_response({"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}}}})
ONE = json_response({"type": "object", "properties": {"id": {"type": "string"}}})


def operation(responses: Json | None = None, **fields: Any) -> Json:
    return {"responses": responses or OK, **fields}


def document(paths: Json | None = None, schemas: Json | None = None, version: str = "3.1.0", **extra: Any) -> Json:
    doc: Json = {"openapi": version, "info": {"title": "t", "version": "1"}, "paths": paths or {}}
    if schemas is not None:
        doc["components"] = {"schemas": schemas}
    doc.update(extra)
    return doc


def lower_document(
    tmp_path: Path,
    doc: Json,
    *,
    overrides: Mapping[str, tuple[str, ...]] | None = None,
    page_params: tuple[str, ...] | None = None,
) -> Sdk:
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(json.dumps(doc), encoding="utf-8")
    options = Options(package="p", overrides=overrides or {}, page_params=page_params)
    return lower(load(spec_file), options)


# --- views of the IR --------------------------------------------------------------------------------------


def methods(sdk: Sdk) -> dict[str, Method]:
    """Every method by its call path from the client: `customers.wallets.list`."""
    return {f"{where}.{m.name}": m for where, resource in walk_resources(sdk.resources) for m in resource.methods}


def operation_label(method: Method) -> str:
    """`GET /customers/{id}` back from the method's JSON pointer (`/paths/~1customers~1{id}/get`)."""
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in method.pointer.split("/")[1:]]
    assert tokens[0] == "paths", method.pointer
    path, verb = tokens[1], tokens[-1]
    return f"{verb if tokens[2] == 'additionalOperations' else verb.upper()} {path}"


def placements(sdk: Sdk) -> dict[str, str]:
    """`METHOD /path` -> `resource.method`, for every operation in the SDK."""
    return {operation_label(m): dotted for dotted, m in methods(sdk).items()}


def method(sdk: Sdk, label: str) -> Method:
    found = [m for m in methods(sdk).values() if operation_label(m) == label]
    assert len(found) == 1, (label, sorted(placements(sdk)))
    return found[0]


def definitions(sdk: Sdk) -> dict[str, Definition]:
    return {d.name: d for module in sdk.type_modules for d in module.definitions}


def definition_module(sdk: Sdk, name: str) -> str:
    return next(m.name for m in sdk.type_modules for d in m.definitions if d.name == name)


def model(sdk: Sdk, name: str) -> Model:
    found = definitions(sdk)[name]
    assert isinstance(found, Model), found
    return found


def typed_dict(sdk: Sdk, name: str) -> TypedDictDef:
    found = definitions(sdk)[name]
    assert isinstance(found, TypedDictDef), found
    return found


def alias(sdk: Sdk, name: str) -> Alias:
    found = definitions(sdk)[name]
    assert isinstance(found, Alias), found
    return found


def field(definition: Model | TypedDictDef, wire_name: str) -> Field:
    found = [f for f in definition.fields if f.wire_name == wire_name]
    assert len(found) == 1, (wire_name, [f.wire_name for f in definition.fields])
    return found[0]


def arguments(m: Method) -> list[Param]:
    """The parameters that come from the spec (the per-call options such as `timeout` left out)."""
    return [p for p in m.params if p.location != "option"]


def argument(m: Method, wire_name: str, location: str | None = None) -> Param:
    found = [p for p in arguments(m) if p.wire_name == wire_name and location in (None, p.location)]
    assert len(found) == 1, (wire_name, location, [(p.wire_name, p.location) for p in m.params])
    return found[0]


def widened_kinds(sdk: Sdk) -> dict[str, set[str]]:
    """Pointer -> the kinds of widening recorded there (`Sdk.widened` lines read `[kind] pointer: reason`)."""
    found: dict[str, set[str]] = {}
    for line in sdk.widened:
        kind, _, rest = line.partition("] ")
        found.setdefault(rest.split(": ", 1)[0], set()).add(kind.removeprefix("["))
    return found

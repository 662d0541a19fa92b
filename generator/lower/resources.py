"""Paths to the resource tree: which resource each operation lives on, and its method name.

Static segments become nested resources and a path parameter marks an item.
- On a collection, GET is `list` (`retrieve` when the response is one object with no array of objects in
  it) and POST is `create`.
- On an item, GET is `retrieve`, PUT/PATCH `update` (PUT is `replace` when there is a PATCH too), DELETE
  `delete`.
- A trailing static segment holding a single operation and nothing below it is an action on the resource
  before it: POST keeps the segment's name (`subscriptions.change_plan`), other verbs prefix it
  (`payments.retrieve_line_items`).
A per-target override table moves or renames operations: {"METHOD /path" or operationId: "a.b.method"}.
Collisions fall back to the operationId, then a numeric suffix, in document order.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

from .names import identifier, snake

COLLECTION_VERBS = {"get": "list", "post": "create", "put": "update", "patch": "update", "delete": "delete"}
ITEM_VERBS = {"get": "retrieve", "put": "update", "patch": "update", "delete": "delete", "post": "update"}
ACTION_PREFIX = {
    "get": "retrieve",
    "put": "update",
    "patch": "update",
    "delete": "delete",
    "head": "head",
    "options": "options",
    "trace": "trace",
}
RESERVED_ATTRS = {"with_raw_response", "with_streaming_response", "_client", "self"}


@dataclass(frozen=True)
class OperationKey:
    path: str
    method: str  # lower case
    operation_id: str | None
    returns_collection: bool = True  # the success response is an array, or an object holding an array of objects

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"


@dataclass(frozen=True)
class Placement:
    resource: tuple[str, ...]  # attribute names from the client down
    method: str


def is_parameter(segment: str) -> bool:
    return "{" in segment


def place_operations(operations: list[OperationKey], overrides: Mapping[str, str]) -> dict[OperationKey, Placement]:
    """Where every operation goes; deterministic in the order operations are given."""
    parents = {op.path.rstrip("/")[:i] for op in operations for i, c in enumerate(op.path.rstrip("/")) if c == "/"}
    counts: dict[str, int] = {}
    verbs: dict[str, set[str]] = {}
    for op in operations:
        counts[op.path] = counts.get(op.path, 0) + 1
        verbs.setdefault(op.path, set()).add(op.method)
    placements: dict[OperationKey, Placement] = {}
    for op in operations:
        override = overrides.get(op.label) or (overrides.get(op.operation_id) if op.operation_id else None)
        if override:
            *resource, method = override.split(".")
            placements[op] = Placement(tuple(resource), method)
        else:
            placements[op] = _default_placement(op, parents, counts, verbs[op.path])
    return _resolve_collisions(operations, placements, overrides)


def _default_placement(op: OperationKey, parents: set[str], counts: dict[str, int], verbs: set[str]) -> Placement:
    segments = [s for s in op.path.split("/") if s]
    statics = [s for s in segments if not is_parameter(s)]
    resource = [_attr(s) for s in statics]
    if not segments:
        return Placement(("root",), COLLECTION_VERBS.get(op.method, op.method))
    last = segments[-1]
    if is_parameter(last):
        if op.method == "put" and "patch" in verbs:
            return Placement(tuple(resource) or ("root",), "replace")  # PATCH is the update then
        return Placement(tuple(resource) or ("root",), ITEM_VERBS.get(op.method, op.method))
    has_children = op.path.rstrip("/") in parents
    if len(statics) > 1 and counts[op.path] == 1 and not has_children:
        action = _attr(last)
        name = action if op.method == "post" else f"{ACTION_PREFIX.get(op.method, op.method)}_{action}"
        return Placement(tuple(resource[:-1]), name)
    if op.method == "get" and not op.returns_collection:
        return Placement(tuple(resource), "retrieve")
    return Placement(tuple(resource), COLLECTION_VERBS.get(op.method, op.method))


def _attr(segment: str) -> str:
    name = identifier(snake(segment) or segment, fallback="resource")
    return name + "_" if name in RESERVED_ATTRS else name


def _resolve_collisions(
    operations: list[OperationKey], placements: dict[OperationKey, Placement], overrides: Mapping[str, str]
) -> dict[OperationKey, Placement]:
    """Two operations with one name on one resource, or a method named like a child resource: the later
    one (in document order) takes its operationId's name, then a numeric suffix. Overridden names stay."""
    children: set[tuple[str, ...]] = set()
    for placement in placements.values():
        for depth in range(1, len(placement.resource) + 1):
            children.add(placement.resource[:depth])
    taken: set[tuple[tuple[str, ...], str]] = set()
    ordered = sorted(operations, key=lambda op: not (overrides.get(op.label) or overrides.get(op.operation_id or "")))
    resolved: dict[OperationKey, Placement] = {}
    for op in ordered:
        placement = placements[op]
        name = placement.method
        fallback = [identifier(snake(op.operation_id), fallback="call")] if op.operation_id else []
        for candidate in itertools.chain([name], fallback, (f"{name}_{n}" for n in itertools.count(2))):
            key = (placement.resource, candidate)
            if (
                key not in taken
                and placement.resource + (candidate,) not in children
                and candidate not in RESERVED_ATTRS
            ):
                break
        taken.add((placement.resource, candidate))
        resolved[op] = Placement(placement.resource, candidate)
    return {op: resolved[op] for op in operations}

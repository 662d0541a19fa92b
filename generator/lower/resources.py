"""Paths to the resource tree: which resource each operation lives on, and its method name.

Static segments become nested resources and a path parameter marks an item.
- On a collection, GET is `list` (`retrieve` when the response is one object with no array of objects in
  it) and POST is `create`.
- On an item, GET is `retrieve`, PUT/PATCH `update` (PUT is `replace` when there is a PATCH too), DELETE
  `delete`.
- QUERY (OpenAPI 3.2: a safe request with a body) is `query` on a collection and on an item.
- A method from a Path Item's `additionalOperations` (OpenAPI 3.2; COPY, LINK, ...) is named after the method,
  snake-cased (`copy`, `link`), on a collection and on an item.
- A trailing static segment holding a single operation and nothing below it is an action on the resource
  before it: POST keeps the segment's name (`subscriptions.change_plan`), other verbs prefix it
  (`payments.retrieve_line_items`, `documents.query_search`, `files.copy_archive`).
A per-target override table moves or renames operations: {"METHOD /path" or operationId: "a.b.method"}.
Collisions fall back to the operationId, then a numeric suffix, in document order.

Tags do not shape the tree, not even OpenAPI 3.2's tag `parent`/`kind` hierarchy: the call shape stays a
function of the paths (and the override table), so it matches the official SDKs the corpus compares against, and
it does not move when a spec goes from 3.1 to 3.2 or regroups its documentation. Tags are navigation: an
operation may carry several, `kind` is free-form (`nav`, `badge`, `audience`), and the one case where the paths
say nothing (`/` or `/{id}`, placed on `root`) is rare and one line in the override table.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from ..pointers import pointer
from .names import identifier, module_name, snake

COLLECTION_VERBS = {
    "get": "list",
    "post": "create",
    "put": "update",
    "patch": "update",
    "delete": "delete",
    "query": "query",
}
ITEM_VERBS = {
    "get": "retrieve",
    "put": "update",
    "patch": "update",
    "delete": "delete",
    "post": "update",
    "query": "query",
}
ACTION_PREFIX = {
    "get": "retrieve",
    "put": "update",
    "patch": "update",
    "delete": "delete",
    "head": "head",
    "options": "options",
    "trace": "trace",
    "query": "query",
}
# `cached_property` too: a resource of that name would replace the decorator for the class body after it.
RESERVED_ATTRS = {"with_raw_response", "with_streaming_response", "_client", "self", "cached_property"}
# What the client object has besides its resources (runtime base class and the generated client), and the names
# its class body uses in annotations after the resources (a resource `int` would hide `max_retries: int`).
CLIENT_ATTRS = {
    "request",
    "get_page",
    "request_stream",
    "close",
    "with_options",
    "base_url",
    "timeout",
    "max_retries",
    "environment",
} | {
    "str",
    "int",
    "httpx",
}


@dataclass(frozen=True)
class OperationKey:
    path: str
    method: str  # the Path Item field (lower case), or an `additionalOperations` key as the spec gives it
    operation_id: str | None
    returns_collection: bool = True  # the success response is an array, or an object holding an array of objects
    additional: bool = False  # from `additionalOperations` (OpenAPI 3.2)

    @property
    def route(self) -> str:
        """The path without the query string a path key may carry (`/search?q={q}`)."""
        return self.path.partition("?")[0]

    @property
    def label(self) -> str:
        return f"{self.method if self.additional else self.method.upper()} {self.path}"

    @property
    def pointer(self) -> str:
        where = ("additionalOperations", self.method) if self.additional else (self.method,)
        return pointer("paths", self.path, *where)

    @property
    def verb(self) -> str:
        """The method as the naming tables know it: `get`, ..., `query`, or a snake-cased extension method."""
        return identifier(snake(self.method), fallback="call") if self.additional else self.method


@dataclass(frozen=True)
class Placement:
    resource: tuple[str, ...]  # attribute names from the client down
    method: str


def is_parameter(segment: str) -> bool:
    return "{" in segment


def place_operations(operations: list[OperationKey], overrides: Mapping[str, str]) -> dict[OperationKey, Placement]:
    """Where every operation goes; deterministic in the order operations are given."""
    parents = {op.route.rstrip("/")[:i] for op in operations for i, c in enumerate(op.route.rstrip("/")) if c == "/"}
    counts = Counter(op.path for op in operations)
    patched = {op.path for op in operations if op.method == "patch"}
    placements: dict[OperationKey, Placement] = {}
    for op in operations:
        override = overrides.get(op.label) or (overrides.get(op.operation_id) if op.operation_id else None)
        if override:
            *resource, method = override.split(".")
            placements[op] = Placement(_guarded([_reserved_safe(r) for r in resource]), method)
        else:
            placements[op] = _default_placement(op, parents, counts, op.path in patched)
    return _resolve_collisions(operations, placements, overrides)


def _default_placement(op: OperationKey, parents: set[str], counts: Counter[str], has_patch: bool) -> Placement:
    segments = [s for s in op.route.split("/") if s]
    statics = [s for s in segments if not is_parameter(s)]
    resource = list(_guarded([_attr(s) for s in statics]))
    if not segments:
        return Placement(("root",), COLLECTION_VERBS.get(op.verb, op.verb))
    last = segments[-1]
    if is_parameter(last):
        if op.verb == "put" and has_patch:
            return Placement(tuple(resource) or ("root",), "replace")  # PATCH is the update then
        return Placement(tuple(resource) or ("root",), ITEM_VERBS.get(op.verb, op.verb))
    has_children = op.route.rstrip("/") in parents
    if len(statics) > 1 and counts[op.path] == 1 and not has_children:
        action = _attr(last)
        name = action if op.verb == "post" else f"{ACTION_PREFIX.get(op.verb, op.verb)}_{action}"
        return Placement(tuple(resource[:-1]), name)
    if op.verb == "get" and not op.returns_collection:
        return Placement(tuple(resource), "retrieve")
    return Placement(tuple(resource), COLLECTION_VERBS.get(op.verb, op.verb))


def _attr(segment: str) -> str:
    return _reserved_safe(module_name(identifier(snake(segment) or segment, fallback="resource")))


def _reserved_safe(name: str) -> str:
    return name + "_" if name in RESERVED_ATTRS else name


def _guarded(resource: list[str]) -> tuple[str, ...]:
    """A top-level resource must not hide what the client itself has (`timeout`, `close`, ...), whether the
    path or an override names it."""
    if resource and resource[0] in CLIENT_ATTRS:
        resource = [resource[0] + "_", *resource[1:]]
    return tuple(resource)


def _resolve_collisions(
    operations: list[OperationKey], placements: dict[OperationKey, Placement], overrides: Mapping[str, str]
) -> dict[OperationKey, Placement]:
    """Two operations with one name on one resource, or a method named like a child resource: the later
    one (in document order) takes its operationId's name, then a numeric suffix. Overridden names stay."""
    children = {p.resource[:depth] for p in placements.values() for depth in range(1, len(p.resource) + 1)}
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
        taken.add(key)
        resolved[op] = Placement(placement.resource, candidate)
    return {op: resolved[op] for op in operations}

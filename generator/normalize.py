"""The raw document made fit for openapi-pydantic and for lowering, in one walk that follows the OpenAPI grammar.

- References: a `$ref` is resolved only where the grammar allows a Reference Object (or, in a schema, a schema
  `$ref`); anywhere else (examples, defaults, enums, extensions) it is data. Fragments are decoded
  (`~1`, `%7B`), chains are followed to the final target, and every target must exist. References into other
  files are bundled: schemas into `components/schemas` under a name (keeping recursion and class names), other
  objects inlined. Local references to non-schema objects stay references, to a non-reference target.
- Repairs of harmless mistakes that other tools accept (boolean schemas where openapi-pydantic wants objects,
  `examples` of the wrong shape, `$ref` siblings, security requirements naming no scheme, a missing
  `info.version`): each is a warning naming its pointer.
"""

from __future__ import annotations

import copy
import re
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import SpecError
from .limits import MAX_INLINE_NESTING, MAX_INLINED_NODES
from .pointers import MISSING, decode_fragment, escape, pointer, resolve, tokens

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace", "query")

# Which kind of object each field of an object holds: (shape, kind), shape "one", "map" or "list".
_PARAMETER = {"schema": ("one", "schema"), "content": ("map", "media"), "examples": ("map", "example")}
GRAMMAR: dict[str, dict[str, tuple[str, str]]] = {
    "document": {
        "paths": ("map", "path_item"),
        "webhooks": ("map", "path_item"),
        "x-webhooks": ("map", "path_item"),
        "components": ("one", "components"),
    },
    "components": {
        "schemas": ("map", "schema"),
        "responses": ("map", "response"),
        "parameters": ("map", "parameter"),
        "examples": ("map", "example"),
        "requestBodies": ("map", "request_body"),
        "headers": ("map", "header"),
        "securitySchemes": ("map", "security_scheme"),
        "links": ("map", "link"),
        "callbacks": ("map", "callback"),
        "pathItems": ("map", "path_item"),
        "mediaTypes": ("map", "media"),  # 3.2
    },
    "path_item": {
        **{method: ("one", "operation") for method in HTTP_METHODS},
        "parameters": ("list", "parameter"),
        "additionalOperations": ("map", "operation"),
    },
    "operation": {
        "parameters": ("list", "parameter"),
        "requestBody": ("one", "request_body"),
        "responses": ("map", "response"),
        "callbacks": ("map", "callback"),
    },
    "parameter": _PARAMETER,
    "header": _PARAMETER,
    "request_body": {"content": ("map", "media")},
    "media": {
        "schema": ("one", "schema"),
        "itemSchema": ("one", "schema"),
        "examples": ("map", "example"),
        "encoding": ("map", "encoding"),
    },
    "encoding": {"headers": ("map", "header")},
    "response": {"headers": ("map", "header"), "content": ("map", "media"), "links": ("map", "link")},
    "example": {},
    "link": {},
    "security_scheme": {},
    "callback": {},  # every key is an expression holding a path item (see _children)
    "schema": {
        **{
            key: ("one", "schema")
            for key in (
                "items",
                "additionalProperties",
                "not",
                "contains",
                "propertyNames",
                "if",
                "then",
                "else",
                "unevaluatedItems",
                "unevaluatedProperties",
                "additionalItems",
                "contentSchema",
            )
        },
        **{key: ("list", "schema") for key in ("allOf", "oneOf", "anyOf", "prefixItems")},
        **{key: ("map", "schema") for key in ("properties", "patternProperties", "$defs", "definitions")},
        "dependentSchemas": ("map", "schema"),
    },
}
# Where the grammar allows a Reference Object; the component table its targets usually live in.
_REFERABLE = {
    "path_item",
    "parameter",
    "header",
    "request_body",
    "response",
    "example",
    "link",
    "callback",
    "security_scheme",
    "media",  # 3.2
}
# Keys a 3.1 Reference Object may carry beside `$ref`; any other sibling of a schema `$ref` constrains or
# annotates the referenced schema, which `allOf: [{$ref}]` with the siblings says exactly.
_REFERENCE_FIELDS = {"$ref", "summary", "description"}
MAX_WARNINGS_PER_KIND = 20


class Normalizer:
    def __init__(
        self,
        read: Callable[[Path], Any],
        locate: Callable[[str, Path], Path],
        shown: Callable[[Path], str],
        root_file: Path,
        version: str,
    ):
        self.read = read  # parsed content of a file (cached by the caller)
        self.locate = locate  # the file a reference names, relative to the file it is in; ValueError if refused
        self.shown = shown
        self.root_file = root_file
        self.version = version
        self.warnings: list[str] = []
        self._warned: dict[str, int] = {}
        self.root: dict[str, Any] = {}
        self.schemas: dict[str, Any] = {}
        self.bundled_names: dict[tuple[Path, str], str] = {}
        self._inlining: list[tuple[Path, str]] = []
        self._inlined_nodes = 0
        self._unwalked: deque[tuple[str, Path, str]] = deque()  # bundled schemas: name, file, fragment

    # --- entry point ------------------------------------------------------------------------------------------

    def run(self, root: dict[str, Any]) -> dict[str, Any]:
        self.root = root
        self._document_repairs(root)
        components = root.get("components")
        self.schemas = dict(components.get("schemas") or {}) if isinstance(components, dict) else {}
        self._walk(root, "document", self.root_file, [])
        # Bundled schemas are walked here, not where they are first referenced: a chain of references from
        # schema to schema in another file would otherwise recurse once per link.
        while self._unwalked:
            name, file, fragment = self._unwalked.popleft()
            self.schemas[name] = self._schema(self.schemas[name], file, tokens(fragment))
        if self.bundled_names:
            merged = dict(root.get("components") or {})
            walked = merged.get("schemas") or {}
            merged["schemas"] = {**walked, **{name: self.schemas[name] for name in self.bundled_names.values()}}
            root["components"] = merged
        self._security_repairs(root)
        return root

    def warn(self, kind: str, file: Path, path: list[str | int], message: str) -> None:
        count = self._warned.get(kind, 0) + 1
        self._warned[kind] = count
        if count <= MAX_WARNINGS_PER_KIND:
            self.warnings.append(f"{self.shown(file)}#{pointer(*path)}: {message}")
        elif count == MAX_WARNINGS_PER_KIND + 1:
            self.warnings.append(f"(further '{kind}' repairs not listed)")

    # --- the walk ---------------------------------------------------------------------------------------------

    def _walk(self, node: Any, kind: str, file: Path, path: list[str | int]) -> Any:
        """The node, repaired and with its references resolved; the root document is edited in place."""
        if kind == "schema":
            return self._schema(node, file, path)
        if not isinstance(node, dict):
            return node
        if isinstance(node.get("$ref"), str) and kind in _REFERABLE:
            return self._reference(node, kind, file, path)
        if kind in ("parameter", "header", "media"):
            self._examples_map(node, file, path)
        for key, (shape, child) in self._children(node, kind):
            value = node[key]
            path.append(key)
            if shape == "one":
                node[key] = self._walk(value, child, file, path)
            elif shape == "map" and isinstance(value, dict):
                for name in list(value):
                    path.append(name)
                    if name.startswith("x-") and key in _EXTENSIBLE_MAPS:
                        value.pop(name)  # an extension of the Paths or Responses object, not an entry
                    elif not isinstance(value[name], dict) and child != "schema":
                        self.warn("shape", file, path, "is not an object; ignored")
                        value.pop(name)
                    else:
                        value[name] = self._walk(value[name], child, file, path)
                    path.pop()
            elif shape == "list" and isinstance(value, list):
                for index, item in enumerate(value):
                    path.append(index)
                    value[index] = self._walk(item, child, file, path)
                    path.pop()
            path.pop()
        return node

    def _children(self, node: dict[str, Any], kind: str) -> list[tuple[str, tuple[str, str]]]:
        if kind == "callback":
            for key in [k for k, v in node.items() if not isinstance(v, dict)]:
                node.pop(key)  # an extension, or not a path item at all
            return [(key, ("one", "path_item")) for key in node if not key.startswith("x-")]
        fields = GRAMMAR[kind]
        return [(key, fields[key]) for key in node if key in fields]

    # --- references to objects other than schemas -------------------------------------------------------------

    def _reference(self, node: dict[str, Any], kind: str, file: Path, path: list[str | int]) -> Any:
        target_file, fragment, target = self._target(node["$ref"], file, path, optional=kind == "example")
        if target is MISSING:  # an example we cannot find is not worth refusing the spec for
            self.warn("example", file, path, f"$ref {node['$ref']!r} not found; example left out")
            return {}
        if target_file == self.root_file and kind != "callback":  # openapi-pydantic takes no callback $ref
            return {"$ref": "#" + _encode_fragment(fragment)}  # local: lowering resolves it (the target is walked)
        key = (target_file, fragment)
        if key in self._inlining:
            raise SpecError(self.shown(file), pointer(*path), f"$ref {node['$ref']!r} refers to itself")
        if len(self._inlining) >= MAX_INLINE_NESTING:
            raise SpecError(
                self.shown(file),
                pointer(*path),
                f"$ref {node['$ref']!r}: references inlined inside each other more than {MAX_INLINE_NESTING} deep",
            )
        self._inlined_nodes += _size(target)
        if self._inlined_nodes > MAX_INLINED_NODES:
            raise SpecError(
                self.shown(file),
                pointer(*path),
                f"$ref {node['$ref']!r}: inlining references copies more than {MAX_INLINED_NODES:,} nodes",
            )
        self._inlining.append(key)
        try:
            # Parameters, responses and the like are not recursive: a copy is the simplest faithful form.
            return self._walk(copy.deepcopy(target), kind, target_file, tokens(fragment))
        finally:
            self._inlining.pop()

    def _target(
        self, ref: str, file: Path, path: list[str | int], optional: bool = False, schema: bool = False
    ) -> tuple[Path, str, Any]:
        """The file, decoded fragment and node a reference finally points at, following chains of references
        (a chain of schemas stops at a component of the root document: it has a name of its own)."""
        seen: set[tuple[Path, str]] = set()
        while True:
            target_part, _, raw_fragment = ref.partition("#")
            where = (self.shown(file), pointer(*path))
            try:
                target_file = self.locate(target_part, file) if target_part else file
            except ValueError as refused:
                raise SpecError(*where, f"$ref {ref!r}: {refused}") from None
            fragment = decode_fragment(raw_fragment)
            if (target_file, fragment) in seen:
                raise SpecError(*where, f"$ref {ref!r} is part of a cycle of references")
            seen.add((target_file, fragment))
            try:
                document = self.root if target_file == self.root_file else self.read(target_file)
            except SpecError as exc:
                if optional:
                    return target_file, fragment, MISSING
                raise SpecError(*where, f"$ref {ref!r}: {exc.message}") from None
            target = resolve(document, fragment)
            if target is MISSING:
                if optional:
                    return target_file, fragment, MISSING
                raise SpecError(*where, f"$ref {ref!r} not found")
            named = schema and target_file == self.root_file and _COMPONENT_SCHEMA.fullmatch(fragment) is not None
            if named or not (isinstance(target, dict) and isinstance(target.get("$ref"), str)):
                return target_file, fragment, target
            ref, file, path = target["$ref"], target_file, tokens(fragment)

    # --- schemas ----------------------------------------------------------------------------------------------

    def _schema(self, node: Any, file: Path, path: list[str | int]) -> Any:
        if isinstance(node, bool):
            # JSON Schema's boolean schemas: `true` allows anything, `false` nothing.
            return {} if node else {"not": {}}
        if not isinstance(node, dict):
            return node
        if isinstance(node.get("$ref"), str):
            return self._schema_reference(node, file, path)
        self._schema_repairs(node, file, path)
        for key, (shape, _) in self._children(node, "schema"):
            value = node[key]
            path.append(key)
            if shape == "one":
                if not (isinstance(value, bool) and key == "additionalProperties"):  # the one that may be bool
                    node[key] = self._schema(value, file, path)
            else:  # a map or a list: _schema_repairs dropped any keyword of another shape
                for name in list(value) if shape == "map" else range(len(value)):
                    path.append(name)
                    value[name] = self._schema(value[name], file, path)
                    path.pop()
            path.pop()
        return node

    def _schema_reference(self, node: dict[str, Any], file: Path, path: list[str | int]) -> Any:
        target_file, fragment, target = self._target(node["$ref"], file, path, schema=True)
        if target_file == self.root_file:
            ref = "#" + _encode_fragment(fragment)
        else:
            ref = "#/components/schemas/" + escape(self._bundle_schema(target_file, fragment, target))
        siblings = {k: v for k, v in node.items() if k != "$ref" and not k.startswith("x-")}
        if set(siblings) - _REFERENCE_FIELDS or (siblings and self.version == "3.0"):
            # Next to `$ref`, 3.1 applies the siblings to the referenced schema (3.0 says to ignore them, but
            # authors write `nullable` or `readOnly` there and mean it): an allOf of one says exactly that.
            self._schema_repairs(siblings, file, path)
            merged = {**siblings, "allOf": [*siblings.get("allOf", []), {"$ref": ref}]}
            return self._schema(merged, file, path)
        return {"$ref": ref, **siblings}

    def _bundle_schema(self, file: Path, fragment: str, target: Any) -> str:
        key = (file, fragment)
        if key in self.bundled_names:
            return self.bundled_names[key]
        base = fragment.rsplit("/", 1)[-1] or file.stem  # a whole file, or a fragment ending in `/`: the stem
        name, counter = base, 2
        while name in self.schemas:
            name, counter = f"{base}{counter}", counter + 1
        self.bundled_names[key] = name
        self.schemas[name] = copy.deepcopy(target)
        self._unwalked.append((name, file, fragment))
        return name

    def _schema_repairs(self, node: dict[str, Any], file: Path, path: list[str | int]) -> None:
        """Each keyword a schema has, checked by its own repair (`_SCHEMA_REPAIRS`): a schema node has a few of
        the 25 keywords that need one, and GitHub's spec has 42,000 nodes."""
        if isinstance(node.get("items"), list):
            self.warn("tuple-items", file, [*path, "items"], "a list of item schemas; read as prefixItems")
            node["prefixItems"] = node.pop("items")
        for key in [key for key in node if key in _SCHEMA_REPAIRS]:
            _SCHEMA_REPAIRS[key](self, node, key, file, path)
        if node.get("items") is False:  # after the shapes: it counts the (repaired) prefixItems
            node.pop("items")
            node["maxItems"] = len(node["prefixItems"]) if isinstance(node.get("prefixItems"), list) else 0

    def _shape(self, node: dict[str, Any], key: str, file: Path, path: list[str | int]) -> bool:
        """Whether the keyword holding schemas has a shape it may have; one that does not is repaired or dropped."""
        shape, expected = _SCHEMA_SHAPES[key]
        value = node[key]
        if isinstance(value, expected):
            return True
        if shape == "list" and isinstance(value, dict) and all(k.isdigit() for k in value):
            # Pointers into it (`allOf/3`) keep working.
            self.warn("shape", file, [*path, key], f"'{key}' must be a list; read as one")
            node[key] = [value.get(str(i), {}) for i in range(max(map(int, value), default=-1) + 1)]
            return True
        self.warn("shape", file, [*path, key], f"'{key}' has the wrong shape; ignored")
        node.pop(key)
        return False

    def _narrowing_only(self, node: dict[str, Any], key: str, file: Path, path: list[str | int]) -> None:
        if self._shape(node, key, file, path) and isinstance(node[key], bool):
            node.pop(key)  # only narrows what the rest of the schema allows

    def _properties(self, node: dict[str, Any], key: str, file: Path, path: list[str | int]) -> None:
        properties = node[key]
        if not self._shape(node, key, file, path) or not any(isinstance(v, bool) for v in properties.values()):
            return
        kept: dict[str, Any] = {}
        for name, value in properties.items():
            where = [*path, "properties", name]
            if not isinstance(value, bool):
                kept[name] = value
            elif name in ("additionalProperties", "unevaluatedProperties"):
                self.warn("boolean-keyword", file, where, "a keyword written inside properties")
                if name == "additionalProperties":  # a boolean unevaluatedProperties is dropped (_narrowing_only)
                    node.setdefault(name, value)
            elif value:
                kept[name] = {}
            else:
                # A property whose schema is `false` can never be present.
                self.warn("boolean-schema", file, where, "a property that is never allowed; left out")
        node["properties"] = kept

    def _examples(self, node: dict[str, Any], key: str, file: Path, path: list[str | int]) -> None:
        examples = node[key]
        if examples is not None and not isinstance(examples, list):
            self.warn("examples", file, [*path, "examples"], "schema examples must be a list")
            node["examples"] = list(examples.values()) if isinstance(examples, dict) else [examples]

    def _list(self, node: dict[str, Any], key: str, file: Path, path: list[str | int]) -> None:
        if not isinstance(node[key], list):
            self.warn("shape", file, [*path, key], f"'{key}' must be a list; ignored")
            node.pop(key)
        elif key == "required":
            node["required"] = [r for r in node["required"] if isinstance(r, str)]

    def _type(self, node: dict[str, Any], key: str, file: Path, path: list[str | int]) -> None:
        declared = node[key]
        if isinstance(declared, str) and declared not in _JSON_TYPES:
            self.warn("type", file, [*path, "type"], f"unknown type {declared!r}; any value allowed")
            node.pop("type")
        elif isinstance(declared, list):
            known = [t for t in declared if t in _JSON_TYPES]
            if known:
                node["type"] = known
            else:
                node.pop("type")

    def _examples_map(self, node: dict[str, Any], file: Path, path: list[str | int]) -> None:
        examples = node.get("examples")
        if examples is None or (isinstance(examples, dict) and all(isinstance(v, dict) for v in examples.values())):
            return
        self.warn("examples", file, [*path, "examples"], "must map names to Example objects; values wrapped")
        if isinstance(examples, dict):
            values: Any = examples.items()
        else:
            values = enumerate(examples, 1) if isinstance(examples, list) else [("example", examples)]
        node["examples"] = {
            str(name): value if isinstance(value, dict) and set(value) <= _EXAMPLE_FIELDS else {"value": value}
            for name, value in values
        }

    # --- whole-document repairs -------------------------------------------------------------------------------

    def _document_repairs(self, root: dict[str, Any]) -> None:
        info = root.get("info")
        if not isinstance(info, dict):
            self.warn("info", self.root_file, ["info"], "missing; an empty title and version 0.0.0 assumed")
            root["info"] = info = {}
        if info.get("title") is None:
            info["title"] = ""
        if info.get("version") is None or isinstance(info.get("version"), (dict, list)):
            self.warn("info", self.root_file, ["info", "version"], "missing; version 0.0.0 assumed")
            info["version"] = "0.0.0"
        elif not isinstance(info["version"], str):
            info["version"] = str(info["version"])
        if root.get("paths") is None and "webhooks" not in root and "components" not in root:
            root["paths"] = {}
        operation_ids: set[str] = set()
        for path, method, operation in _operations(root):
            operation_id = operation.get("operationId")
            if operation_id is None:
                continue
            if not isinstance(operation_id, str):
                operation["operationId"] = operation_id = str(operation_id)
            if operation_id in operation_ids:
                where: list[str | int] = ["paths", path, method, "operationId"]
                self.warn("operationId", self.root_file, where, f"duplicate operationId {operation_id!r}")
            operation_ids.add(operation_id)

    def _security_repairs(self, root: dict[str, Any]) -> None:
        components = root.get("components")
        schemes = (components.get("securitySchemes") if isinstance(components, dict) else None) or {}

        def repaired(requirements: Any, path: list[str | int]) -> Any:
            if not isinstance(requirements, list):
                return requirements
            kept = []
            for index, requirement in enumerate(requirements):
                if not isinstance(requirement, dict):
                    continue
                for name in [n for n in requirement if n not in schemes]:
                    self.warn("security", self.root_file, [*path, index, name], "names no security scheme; ignored")
                    requirement.pop(name)
                kept.append(requirement)
            return kept

        if "security" in root:
            root["security"] = repaired(root["security"], ["security"])
        for path, method, operation in _operations(root):
            if "security" in operation:
                operation["security"] = repaired(operation["security"], ["paths", path, method, "security"])


_EXTENSIBLE_MAPS = {"paths", "webhooks", "responses"}
# Each schema keyword that holds schemas, with the Python types its value may have; looked up per schema node.
_SCHEMA_SHAPES: dict[str, tuple[str, type | tuple[type, ...]]] = {
    key: (shape, {"list": list, "map": dict}.get(shape, (dict, bool))) for key, (shape, _) in GRAMMAR["schema"].items()
}
_SCHEMA_REPAIRS: dict[str, Callable[[Normalizer, dict[str, Any], str, Path, list[str | int]], Any]] = {
    **{key: Normalizer._shape for key in _SCHEMA_SHAPES},
    **{key: Normalizer._narrowing_only for key in ("unevaluatedProperties", "unevaluatedItems", "additionalItems")},
    "properties": Normalizer._properties,
    "examples": Normalizer._examples,
    "required": Normalizer._list,
    "enum": Normalizer._list,
    "type": Normalizer._type,
}
_JSON_TYPES = {"string", "number", "integer", "boolean", "array", "object", "null"}
_EXAMPLE_FIELDS = {"summary", "description", "value", "externalValue", "dataValue", "serializedValue", "$ref"}
_COMPONENT_SCHEMA = re.compile(r"/components/schemas/[^/]+")


def _operations(root: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """Each operation under `paths`: its path, its method and the Operation object."""
    paths = root.get("paths")
    return [
        (path, method, item[method])
        for path, item in (paths.items() if isinstance(paths, dict) else ())
        if isinstance(item, dict)
        for method in HTTP_METHODS
        if isinstance(item.get(method), dict)
    ]


def _encode_fragment(fragment: str) -> str:
    return fragment if fragment.startswith("/") or not fragment else "/" + fragment


def _size(node: Any) -> int:
    count, pending = 0, [node]
    while pending:
        item = pending.pop()
        count += 1
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return count

"""Read an OpenAPI document (YAML or JSON), bundle external `$ref`s, and parse it with openapi-pydantic.

Everything wrong with the input becomes a SpecError naming the file and the JSON pointer.
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydantic
import yaml
from openapi_pydantic.v3 import v3_0, v3_1

from .errors import SpecError, escape_pointer_token, pointer

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _SpecYamlLoader(_BaseLoader):  # type: ignore[misc]
    """YAML as OpenAPI means it: timestamps stay strings, and only true/false are booleans (YAML 1.2 core),
    so `enum: [yes, no]` or `example: 2024-01-01` reach the IR as the strings the author wrote."""


_SpecYamlLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _first in "tTfF":
    _SpecYamlLoader.yaml_implicit_resolvers.setdefault(_first, []).append(
        ("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"))
    )

OpenAPI = v3_0.OpenAPI | v3_1.OpenAPI


@dataclass(frozen=True)
class Spec:
    """A loaded document: the parsed object model plus the raw (bundled) data for extensions and pointers."""

    file: str  # as shown in messages and file headers
    openapi_version: str  # "3.0" or "3.1"
    api: OpenAPI
    raw: dict[str, Any]
    sha256: str  # of the root file and every file it references, in load order


def load(path: str | Path, display_name: str | None = None) -> Spec:
    path = Path(path)
    shown = display_name or str(path)
    documents = _Documents(root=path.resolve(), shown_root=shown)
    raw = documents.get(path.resolve())
    if not isinstance(raw, dict):
        raise SpecError(shown, "", "not an OpenAPI document (the top level is not a mapping)")
    version = _openapi_version(raw, shown)
    raw = _Bundler(documents, raw).bundle()
    model = v3_0.OpenAPI if version == "3.0" else v3_1.OpenAPI
    try:
        api = model.model_validate(raw)
    except pydantic.ValidationError as exc:
        where, message = _describe_validation_error(exc, raw)
        raise SpecError(shown, where, message) from None
    return Spec(file=shown, openapi_version=version, api=api, raw=raw, sha256=documents.digest())


def _openapi_version(raw: dict[str, Any], shown: str) -> str:
    if "swagger" in raw:
        raise SpecError(
            shown, "/swagger", f"Swagger {raw['swagger']} is not supported; convert the document to OpenAPI 3.0 or 3.1"
        )
    declared = raw.get("openapi")
    if declared is None:
        raise SpecError(shown, "", "not an OpenAPI document (no 'openapi' field)")
    match = re.fullmatch(r"3\.([01])\.\d+(-.+)?", str(declared))
    if not match:
        raise SpecError(shown, "/openapi", f"OpenAPI version {declared!r} is not supported (3.0.x and 3.1.x are)")
    return f"3.{match.group(1)}"


class _Documents:
    """Every file the spec is made of, each read and parsed once."""

    def __init__(self, root: Path, shown_root: str) -> None:
        self.root = root
        self.shown_root = shown_root
        self._parsed: dict[Path, Any] = {}
        self._bytes: list[bytes] = []

    def shown(self, path: Path) -> str:
        if path == self.root:
            return self.shown_root
        try:
            return str(Path(self.shown_root).parent / path.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def get(self, path: Path) -> Any:
        if path not in self._parsed:
            self._parsed[path] = self._read(path)
        return self._parsed[path]

    def digest(self) -> str:
        hasher = hashlib.sha256()
        for data in self._bytes:
            hasher.update(data)
        return hasher.hexdigest()

    def _read(self, path: Path) -> Any:
        shown = self.shown(path)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise SpecError(shown, "", "file not found") from None
        except OSError as exc:
            raise SpecError(shown, "", f"cannot read file: {exc.strerror}") from None
        self._bytes.append(data)
        if data[:2] == b"\x1f\x8b":
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError) as exc:
                raise SpecError(shown, "", f"corrupt gzip data: {exc}") from None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SpecError(shown, "", f"not UTF-8 text (byte {exc.start})") from None
        if path.suffix.lower() == ".json" or path.name.lower().endswith(".json.gz") or text.lstrip().startswith("{"):
            try:
                return json.loads(text)
            except json.JSONDecodeError as exc:
                raise SpecError(
                    shown, "", f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
                ) from None
        try:
            return _normalise_yaml(yaml.load(text, Loader=_SpecYamlLoader))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            problem = getattr(exc, "problem", None) or str(exc)
            raise SpecError(shown, "", f"invalid YAML{where}: {problem}") from None


def _normalise_yaml(node: Any) -> Any:
    """YAML allows keys JSON does not (`200:` is an int); OpenAPI means strings."""
    if isinstance(node, dict):
        return {_yaml_key(k): _normalise_yaml(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_normalise_yaml(v) for v in node]
    return node


def _yaml_key(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(key)


# Keys under which a `$ref` points at a Schema, so a schema from another file is bundled into
# components/schemas under a name (keeping recursion and class names); other external targets are inlined.
_SCHEMA_SLOTS = {"schema", "items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else"}
_SCHEMA_LISTS = {"allOf", "oneOf", "anyOf", "prefixItems"}
_SCHEMA_MAPS = {"properties", "patternProperties", "$defs", "definitions", "schemas", "dependentSchemas"}


class _Bundler:
    """Checks every `$ref` and rewrites references into other files as local ones."""

    def __init__(self, documents: _Documents, root: dict[str, Any]) -> None:
        self.documents = documents
        self.root = root
        self.schemas: dict[str, Any] = dict(root.get("components", {}).get("schemas", {}) or {})
        self.bundled_names: dict[tuple[Path, str], str] = {}

    def bundle(self) -> dict[str, Any]:
        self._walk(self.root, self.documents.root, [], in_schema=False)
        if self.bundled_names:
            components = dict(self.root.get("components") or {})
            components["schemas"] = self.schemas
            self.root["components"] = components
        return self.root

    def _walk(self, node: Any, file: Path, path: list[str | int], in_schema: bool) -> Any:
        """Returns the node, rewritten where it held an external `$ref` (the root document is edited in place)."""
        if isinstance(node, list):
            for index, item in enumerate(node):
                path.append(index)
                node[index] = self._walk(item, file, path, in_schema)
                path.pop()
            return node
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str):
            return self._reference(node, ref, file, path, in_schema)
        parent_key = path[-1] if path else None
        grandparent_key = path[-2] if len(path) > 1 else None
        for key, value in node.items():
            if isinstance(value, (dict, list)):
                child_is_schema = (
                    key in _SCHEMA_SLOTS
                    or key in _SCHEMA_LISTS
                    or (in_schema and parent_key in _SCHEMA_MAPS)
                    or (parent_key in _SCHEMA_MAPS and grandparent_key is not None)
                )
                path.append(key)
                node[key] = self._walk(value, file, path, child_is_schema or key in _SCHEMA_MAPS)
                path.pop()
        return node

    def _reference(self, node: dict[str, Any], ref: str, file: Path, path: list[str | int], in_schema: bool) -> Any:
        target_file, _, fragment = ref.partition("#")
        target_path = (file.parent / target_file).resolve() if target_file else file
        shown, holder = self.documents.shown(file), pointer(*path)
        if target_path == self.documents.root:
            if _resolve_pointer(self.root, fragment) is _MISSING:
                raise SpecError(shown, holder, f"$ref '{ref}' not found")
            return node if not target_file and file == target_path else {**node, "$ref": "#" + fragment}
        try:
            document = self.documents.get(target_path)
        except SpecError as exc:
            raise SpecError(shown, holder, f"$ref '{ref}': {exc.message}") from None
        target = _resolve_pointer(document, fragment)
        if target is _MISSING:
            raise SpecError(shown, holder, f"$ref '{ref}' not found")
        if in_schema:
            name = self._bundle_schema(target_path, fragment, target)
            return {"$ref": "#/components/schemas/" + escape_pointer_token(name)}
        # Parameters, responses and the like are not recursive: a copy is the simplest faithful form.
        return self._walk(copy.deepcopy(target), target_path, _pointer_tokens(fragment), in_schema=False)

    def _bundle_schema(self, file: Path, fragment: str, target: Any) -> str:
        key = (file, fragment)
        if key in self.bundled_names:
            return self.bundled_names[key]
        base = fragment.rsplit("/", 1)[-1] if fragment.strip("/") else file.stem
        base = base.replace("~1", "/").replace("~0", "~") or file.stem
        name, counter = base, 2
        while name in self.schemas:
            name, counter = f"{base}{counter}", counter + 1
        self.bundled_names[key] = name
        self.schemas[name] = {}  # reserve before walking, so a recursive schema refers to itself
        self.schemas[name] = self._walk(copy.deepcopy(target), file, _pointer_tokens(fragment), in_schema=True)
        return name


_MISSING: Any = object()


def _pointer_tokens(fragment: str) -> list[str | int]:
    """The decoded tokens of a `$ref` fragment, so errors inside another file point from that file's root."""
    if fragment in ("", "/") or not fragment.startswith("/"):
        return []
    return [
        re.sub(r"%([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), token.replace("~1", "/").replace("~0", "~"))
        for token in fragment[1:].split("/")
    ]


def _resolve_pointer(document: Any, fragment: str) -> Any:
    if fragment in ("", "/"):
        return document
    if not fragment.startswith("/"):
        return _MISSING
    node = document
    for token in map(str, _pointer_tokens(fragment)):
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return _MISSING
    return node


def _describe_validation_error(exc: pydantic.ValidationError, raw: Any) -> tuple[str, str]:
    """openapi-pydantic reports locations with union member names mixed in; keep only real document keys.
    Among the alternatives a union produced, the one that got deepest into the document explains best."""
    best: tuple[int, str, str] | None = None
    for error in exc.errors():
        node, tokens = raw, []
        for item in error["loc"]:
            key: str | int = item
            if isinstance(node, dict) and str(item) in node:
                key = str(item)
            elif isinstance(node, list) and isinstance(item, int) and item < len(node):
                key = item
            else:
                continue
            node = node[key]
            tokens.append(key)
        message = error["msg"]
        if error["type"] == "missing":
            message = f"required field '{error['loc'][-1]}' is missing"
        elif isinstance(error.get("input"), (str, int, float, bool)) or error.get("input") is None:
            message = f"{message} (got {error.get('input')!r})"
        candidate = (len(tokens), pointer(*tokens), message)
        if best is None or candidate[0] > best[0]:
            best = candidate
    assert best is not None
    return best[1], best[2]

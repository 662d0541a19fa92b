"""Read an OpenAPI document (YAML or JSON), bundle external `$ref`s, and parse it with openapi-pydantic.

Everything wrong with the input becomes a SpecError naming the file and the JSON pointer.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pydantic
import yaml
from openapi_pydantic.v3 import v3_0, v3_1
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, CollectionStartEvent
from yaml.nodes import MappingNode, Node, SequenceNode
from yaml.resolver import Resolver

from .errors import SpecError
from .limits import MAX_ALIAS_NODES, MAX_DEPTH
from .normalize import Normalizer
from .openapi32 import OpenAPI as OpenAPI32
from .openapi32 import check_path_items, to_31_shape
from .pointers import pointer

try:  # libyaml's parser, with PyYAML's composer (below): libyaml's own composer recurses in C and can crash
    from yaml._yaml import CParser

    class _Parser(Composer, CParser, SafeConstructor, Resolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _Parser = yaml.SafeLoader  # type: ignore[assignment,misc]


class _LimitExceeded(Exception):
    def __init__(self, path: list[str | int], message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


class _SpecYamlLoader(_Parser):
    """YAML as OpenAPI means it: timestamps stay strings, and only true/false are booleans (YAML 1.2 core),
    so `enum: [yes, no]` or `example: 2024-01-01` reach the IR as the strings the author wrote.

    Composition is bounded before anything is built: nesting deeper than MAX_DEPTH, an alias inside its own
    anchor (a cycle), and aliases that together repeat more than MAX_ALIAS_NODES nodes (a "billion laughs"
    bomb expands 1 KB into 10^9 nodes) are refused."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._path: list[str | int] = []
        self._open_anchors: set[str] = set()
        self._alias_nodes = 0
        # Per node (by id; the nodes live as long as the loader): how many nodes it stands for with aliases
        # expanded, and how many levels of mappings and lists it holds.
        self._extent: dict[int, tuple[int, int]] = {}

    def compose_node(self, parent: Any, index: Any) -> Any:
        event: Any = self.peek_event()
        token = index if isinstance(index, int) else getattr(index, "value", "")
        self._path.append(token if isinstance(token, (str, int)) else "")
        try:
            if isinstance(event, AliasEvent):
                return self._alias(event.anchor)
            if isinstance(event, CollectionStartEvent) and len(self._path) > MAX_DEPTH:
                raise _LimitExceeded(self._path[1:], f"nested more than {MAX_DEPTH} levels deep")
            if event.anchor is not None:
                self._open_anchors.add(event.anchor)
            node: Any = super().compose_node(parent, index)
            self._open_anchors.discard(event.anchor)
            self._measure(node)
            return node
        finally:
            self._path.pop()

    def _alias(self, anchor: Any) -> Any:
        node = self.anchors.get(anchor)
        if node is not None:
            where = self._path[1:]
            if anchor in self._open_anchors:
                raise _LimitExceeded(where, f"the alias *{anchor} is inside its own anchor (a cycle)")
            size, height = self._extent[id(node)]
            self._alias_nodes += size
            if self._alias_nodes > MAX_ALIAS_NODES:
                raise _LimitExceeded(where, f"YAML aliases repeat more than {MAX_ALIAS_NODES:,} nodes")
            if len(self._path) - 1 + height > MAX_DEPTH:
                raise _LimitExceeded(where, f"the alias *{anchor} nests more than {MAX_DEPTH} levels deep")
        return super().compose_node(None, None)  # type: ignore[arg-type]

    def _measure(self, node: Node) -> None:
        if isinstance(node, MappingNode):
            children = [part for pair in node.value for part in pair]
        elif isinstance(node, SequenceNode):
            children = node.value
        else:
            self._extent[id(node)] = (1, 0)
            return
        extents = [self._extent[id(child)] for child in children]
        self._extent[id(node)] = (1 + sum(size for size, _ in extents), 1 + max((h for _, h in extents), default=0))


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
    openapi_version: str  # "3.0", "3.1" or "3.2" (read with the 3.1 model, see openapi32.py)
    api: OpenAPI
    raw: dict[str, Any]  # what `api` was validated from: for 3.2, the copy put onto the 3.1 shape
    sha256: str  # of the root file and every file it references, in load order
    warnings: tuple[str, ...] = ()  # repairs made to the document before validation, each with its pointer
    sources: tuple[Path, ...] = ()  # every file read, the root first


def load(path: str | Path, display_name: str | None = None, ref_roots: tuple[Path, ...] = ()) -> Spec:
    """`ref_roots`: folders besides the spec's own whose files a `$ref` may read."""
    path = Path(path)
    shown = display_name or str(path)
    documents = _Documents(root=path.resolve(), shown_root=shown, ref_roots=ref_roots)
    raw = documents.get(path.resolve())
    if not isinstance(raw, dict):
        raise SpecError(shown, "", "not an OpenAPI document (the top level is not a mapping)")
    version = _openapi_version(raw, shown)
    normalizer = Normalizer(documents.get, documents.locate, documents.shown, documents.root, version)
    raw = normalizer.run(raw)
    check_path_items(raw, version, shown)
    if version == "3.2":
        raw = to_31_shape(raw, shown)
    model: type[OpenAPI] = v3_0.OpenAPI if version == "3.0" else OpenAPI32 if version == "3.2" else v3_1.OpenAPI
    api = _validate(model, raw, shown, normalizer.warnings)
    return Spec(
        file=shown,
        openapi_version=version,
        api=api,
        raw=raw,
        sha256=documents.digest(),
        warnings=tuple(normalizer.warnings),
        sources=documents.sources(),
    )


def _openapi_version(raw: dict[str, Any], shown: str) -> str:
    if "swagger" in raw:
        raise SpecError(
            shown, "/swagger", f"Swagger {raw['swagger']} is not supported; convert the document to OpenAPI 3.x"
        )
    declared = raw.get("openapi")
    if declared is None:
        raise SpecError(shown, "", "not an OpenAPI document (no 'openapi' field)")
    match = re.fullmatch(r"3\.([012])\.\d+(-.+)?", str(declared))
    if not match:
        raise SpecError(
            shown, "/openapi", f"OpenAPI version {declared!r} is not supported (3.0.x, 3.1.x and 3.2.x are)"
        )
    return f"3.{match.group(1)}"


_URI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


class _Documents:
    """Every file the spec is made of, each read and parsed once."""

    def __init__(self, root: Path, shown_root: str, ref_roots: tuple[Path, ...]) -> None:
        self.root = root
        self.shown_root = shown_root
        # A spec is untrusted: it may read the files of its own folder tree (symlinks resolved), nothing else.
        self.readable = (root.parent, *(folder.resolve() for folder in ref_roots))
        self._parsed: dict[Path, Any] = {}
        self._bytes: list[bytes] = []

    def shown(self, path: Path) -> str:
        if path == self.root:
            return self.shown_root
        try:
            return str(Path(self.shown_root).parent / path.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def locate(self, reference: str, base: Path) -> Path:
        if _URI_SCHEME.match(reference):
            raise ValueError(
                "URLs are not followed (nothing is fetched at generation time); save the file beside the spec"
            )
        target = (base.parent / unquote(reference)).resolve()
        if not any(target.is_relative_to(folder) for folder in self.readable):
            raise ValueError(
                f"{unquote(reference)!r} leads outside the spec's folder"
                " (list the folder under ref_roots in the target's config, or pass --ref-root, to allow it)"
            )
        return target

    def get(self, path: Path) -> Any:
        if path not in self._parsed:
            self._parsed[path] = self._read(path)
        return self._parsed[path]

    def sources(self) -> tuple[Path, ...]:
        return tuple(self._parsed)

    def digest(self) -> str:
        hasher = hashlib.sha256()
        for data in self._bytes:
            hasher.update(data)
        return hasher.hexdigest()

    def _text(self, path: Path, shown: str) -> str:
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
        # The BOM by hand: the utf-8-sig codec decodes three times slower than plain utf-8 (13 MB: 0.16 s).
        body = data.removeprefix(codecs.BOM_UTF8)
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SpecError(shown, "", f"not UTF-8 text (byte {exc.start + len(data) - len(body)})") from None

    def _read(self, path: Path) -> Any:
        shown = self.shown(path)
        text = self._text(path, shown)
        is_json = path.suffix.lower() == ".json" or path.name.lower().endswith(".json.gz")
        try:
            if is_json or text.lstrip().startswith("{"):
                document = json.loads(text)
                _check_depth(document, 1)
                return document
            return _normalise_yaml(yaml.load(text, Loader=_SpecYamlLoader))  # type: ignore[arg-type]
        except json.JSONDecodeError as exc:
            raise SpecError(shown, "", f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            problem = getattr(exc, "problem", None) or str(exc)
            raise SpecError(shown, "", f"invalid YAML{where}: {problem}") from None
        except _LimitExceeded as exc:
            raise SpecError(shown, pointer(*exc.path), exc.message) from None
        except RecursionError:  # json's parser gives up near Python's recursion limit, far beyond MAX_DEPTH
            raise SpecError(
                shown, _json_pointer_at_depth(text, MAX_DEPTH + 1), f"nested more than {MAX_DEPTH} levels deep"
            ) from None
        except ValueError as exc:  # an integer literal longer than Python converts (sys.get_int_max_str_digits)
            raise SpecError(shown, "", f"cannot read a value: {exc}") from None


def _check_depth(node: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise _LimitExceeded([], f"nested more than {MAX_DEPTH} levels deep")
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        if isinstance(value, (dict, list)):
            try:
                _check_depth(value, depth + 1)
            except _LimitExceeded as exc:
                exc.path.insert(0, key)
                raise


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},:]')


def _json_pointer_at_depth(text: str, depth: int) -> str:
    """Where JSON text first nests `depth` levels deep (only read when json itself gave up)."""
    path: list[str | int] = []
    key: str | int = ""
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            path.append(key)
            if len(path) == depth:
                return pointer(*path[1:])
            key = 0 if token == "[" else ""
        elif token in "]}":
            key = path.pop() if path else ""
        elif token == ",":
            key = key + 1 if isinstance(key, int) else ""
        elif token != ":" and not isinstance(key, int):
            key = json.loads(token)
    return ""


def _normalise_yaml(node: Any) -> Any:
    """YAML allows keys JSON does not (`200:` is an int); OpenAPI means strings. (The depth is bounded by the
    loader, so this recursion is too.)"""
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


# Fields that only annotate or constrain: a value of the wrong type there (`pattern: 0`, `title: 5`) is dropped
# with a warning rather than refusing the spec.
_DROPPABLE = {
    "description", "summary", "title", "pattern", "format", "minLength", "maxLength", "minimum", "maximum",
    "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minItems", "maxItems", "uniqueItems", "minProperties",
    "maxProperties", "deprecated", "readOnly", "writeOnly", "nullable", "example", "externalDocs", "xml",
    "termsOfService", "contact", "license", "tags", "servers", "discriminator", "style", "explode",
    "allowReserved", "allowEmptyValue", "required", "contentEncoding", "contentMediaType", "$schema", "$id",
    "$comment", "$anchor", "encoding", "links", "headers", "examples", "default", "const", "enum",
}  # fmt: skip
MAX_REPAIR_ROUNDS = 5


def _validate(model: Any, raw: dict[str, Any], shown: str, warnings: list[str]) -> Any:
    for _ in range(MAX_REPAIR_ROUNDS):
        try:
            return model.model_validate(raw)
        except pydantic.ValidationError as exc:
            # A union (Schema or Reference) fails once per alternative: the one that got deepest is the real one.
            located = [_location(error, raw) for error in exc.errors()]
            deepest = max(map(len, located))
            dropped = [_drop_offending(tokens, raw) for tokens in located if len(tokens) == deepest]
            if not all(dropped):
                where, message = _describe_validation_error(exc, raw)
                raise SpecError(shown, where, message) from None
            warnings.extend(f"{shown}#{p}: a value of the wrong type; ignored" for p in dict.fromkeys(dropped))
    raise SpecError(shown, "", f"still invalid after {MAX_REPAIR_ROUNDS} rounds of repairs")


def _location(error: Any, raw: Any) -> list[str | int]:
    """The document keys of an error's location (openapi-pydantic mixes union member names in)."""
    node, tokens = raw, []
    for item in error["loc"]:
        key: str | int
        if isinstance(node, dict) and str(item) in node:
            key = str(item)
        elif isinstance(node, list) and isinstance(item, int) and item < len(node):
            key = item
        else:
            continue
        node = node[key]
        tokens.append(key)
    return tokens


def _drop_offending(tokens: list[str | int], raw: Any) -> str:
    """Drops the annotation field an error lies in and returns its pointer; "" when the error is elsewhere."""
    for depth in range(len(tokens) - 1, -1, -1):
        key = tokens[depth]
        if isinstance(key, str) and key in _DROPPABLE:
            holder = raw
            for token in tokens[:depth]:
                holder = holder[token]
            if isinstance(holder, dict):
                holder.pop(key, None)
                return pointer(*tokens[: depth + 1])
    return ""


def _describe_validation_error(exc: pydantic.ValidationError, raw: Any) -> tuple[str, str]:
    """openapi-pydantic reports locations with union member names mixed in; keep only real document keys.
    Among the alternatives a union produced, the one that got deepest into the document explains best."""
    located = [(_location(error, raw), error) for error in exc.errors()]
    tokens, error = max(located, key=lambda pair: len(pair[0]))  # the first of the deepest
    message = error["msg"]
    if error["type"] == "missing":
        message = f"required field '{error['loc'][-1]}' is missing"
    elif isinstance(error.get("input"), (str, int, float, bool)) or error.get("input") is None:
        message = f"{message} (got {error.get('input')!r})"
    return pointer(*tokens), message

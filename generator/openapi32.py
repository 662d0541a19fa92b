"""OpenAPI 3.2 documents read with openapi-pydantic's 3.1 object model (it has no 3.2 one).

3.2 is a superset of 3.1, and the 3.1 models keep unknown keys in `model_extra`, so most additions load as they
are: tag `parent`/`kind`/`summary`, `$self`, server `name`, media type `itemSchema`/`itemEncoding`/
`prefixEncoding`, example `dataValue`/`serializedValue`, response `summary`, discriminator `defaultMapping`,
security scheme `deprecated`/`oauth2MetadataUrl`, the `deviceAuthorization` OAuth flow, `components/mediaTypes`.

`itemSchema` stays where it is, not turned into `schema: {type: array, items: ...}`: a sequential media type
(JSON Lines, NDJSON, JSON text sequences, server-sent events) is not one JSON document, so parsing it as an array
would fail on the first response. A media type with no `schema` gives the body as it came: `BinaryContent` for
JSON Lines and other binary kinds, `str` for `text/event-stream`; the caller splits the stream into items (for
a component item schema, `Item.model_validate_json(line)` with the generated model).

What the generator acts on, or what 3.1 validation would refuse or misread, is dealt with here:
- `OpenAPI`: the 3.1 model, with the Path Item's `query` operation and `additionalOperations` (method as sent
  on the wire -> Operation) parsed like `get` (in `paths`, `components/pathItems` and `webhooks`).
- `to_31_shape`: a copy of the raw document with the 3.2 shapes 3.1 cannot hold rewritten onto 3.1 ones
  (or refused, where no 3.1 shape sends the same request).
- `check_path_items`: the rules of `additionalOperations` keys, and 3.2 fields in an older document.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from openapi_pydantic.v3 import v3_1

from .errors import SpecError
from .normalize import HTTP_METHODS  # the Path Item fields that hold an operation
from .pointers import pointer, resolve

# RFC 9110 section 5.6.2: a method is a token.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# Where the querystring location is recorded once a parameter says `in: query` (see to_31_shape).
QUERYSTRING_MARK = "x-sdkforge-in"
FORM = "application/x-www-form-urlencoded"


class PathItem(v3_1.PathItem):
    query: v3_1.Operation | None = None
    additionalOperations: dict[str, v3_1.Operation] | None = None


class Components(v3_1.Components):
    pathItems: dict[str, PathItem | v3_1.Reference] | None = None  # type: ignore[assignment]


class OpenAPI(v3_1.OpenAPI):
    openapi: str = "3.2.0"  # type: ignore[assignment]  # 3.1 allows only its own patch versions
    paths: dict[str, PathItem] | None = None  # type: ignore[assignment]
    webhooks: dict[str, PathItem | v3_1.Reference] | None = None  # type: ignore[assignment]
    components: Components | None = None


def to_31_shape(raw: dict[str, Any], shown: str) -> dict[str, Any]:
    """A copy of a (bundled) 3.2 document that the 3.1 models read as the author meant:
    - a Media Type Object given as a Reference (to `components/mediaTypes`) is replaced by a copy of its target,
      as 3.1 has no reference there and would read `{$ref}` as a media type without a schema;
    - a Response Object without `description` (optional since 3.2) gets its `summary`, or "";
    - a parameter `in: querystring` is the whole query string, serialised from one value by its `content`. As
      `application/x-www-form-urlencoded` of an object, that is what 3.1 says with `in: query`, `style: form`,
      `explode: true` and the object as `schema` (each property a `key=value` pair, the name unused), so it
      becomes that, marked `x-sdkforge-in: querystring` (its schema's pointer is then `.../parameters/N/schema`).
      Any other querystring (JSON, JSONPath, form data with an `encoding`) has no 3.1 shape that sends the same
      URL, and is refused at its pointer rather than sent as one `name=value` pair.
    Otherwise pointers into the copy are those of the document: values change, keys stay where they were."""
    document = copy.deepcopy(raw)
    _Shape(document, shown).walk(document, "document", [])
    return document


def check_path_items(raw: dict[str, Any], version: str, shown: str) -> None:
    """`additionalOperations` keys are methods other than the fixed fields' (RFC 9110 tokens); a 3.0/3.1 document
    using `query` or `additionalOperations` is told to say `openapi: 3.2.x` instead of losing the operation."""
    for where, item in _path_items(raw):
        if version != "3.2":
            for key in ("query", "additionalOperations"):
                if key in item:
                    raise SpecError(
                        shown, pointer(*where, key), f"'{key}' is an OpenAPI 3.2 field; declare 'openapi: 3.2.0'"
                    )
            continue
        operations = item.get("additionalOperations")
        if not isinstance(operations, dict):
            continue
        for method in operations:
            if not _TOKEN.fullmatch(method):
                raise SpecError(
                    shown, pointer(*where, "additionalOperations", method), "not an HTTP method name (RFC 9110 token)"
                )
            if method.lower() in HTTP_METHODS:
                raise SpecError(
                    shown,
                    pointer(*where, "additionalOperations", method),
                    f"{method} is described by the Path Item's '{method.lower()}' field, not additionalOperations",
                )


def _path_items(raw: dict[str, Any]) -> list[tuple[tuple[str, ...], dict[str, Any]]]:
    found: list[tuple[tuple[str, ...], dict[str, Any]]] = []
    components = raw.get("components")
    for where, table in (
        (("paths",), raw.get("paths")),
        (("webhooks",), raw.get("webhooks")),
        (("components", "pathItems"), components.get("pathItems") if isinstance(components, dict) else None),
    ):
        if isinstance(table, dict):
            found.extend(((*where, key), item) for key, item in table.items() if isinstance(item, dict))
    return found


# Which fields lead to parameters, responses and media types: (field, shape, kind), shape "one", "map" or "list".
_GRAMMAR: dict[str, tuple[tuple[str, str, str], ...]] = {
    "document": (("paths", "map", "path_item"), ("webhooks", "map", "path_item"), ("components", "one", "components")),
    "components": (
        ("parameters", "map", "parameter"),
        ("responses", "map", "response"),
        ("requestBodies", "map", "content_holder"),
        ("headers", "map", "content_holder"),
        ("pathItems", "map", "path_item"),
        ("callbacks", "map", "callback"),
        ("mediaTypes", "map", "media"),
    ),
    "path_item": (
        *((method, "one", "operation") for method in HTTP_METHODS),
        ("additionalOperations", "map", "operation"),
        ("parameters", "list", "parameter"),
    ),
    "operation": (
        ("parameters", "list", "parameter"),
        ("requestBody", "one", "content_holder"),
        ("responses", "map", "response"),
        ("callbacks", "map", "callback"),
    ),
    "parameter": (("content", "map", "media"),),
    "content_holder": (("content", "map", "media"),),  # request bodies and headers
    "response": (("headers", "map", "content_holder"), ("content", "map", "media")),
    "media": (
        ("encoding", "map", "encoding"),
        ("prefixEncoding", "list", "encoding"),
        ("itemEncoding", "one", "encoding"),
    ),
    "encoding": (("headers", "map", "content_holder"),),
}


class _Shape:
    def __init__(self, document: dict[str, Any], shown: str) -> None:
        self.document = document
        self.shown = shown

    def walk(self, node: Any, kind: str, path: list[str | int]) -> Any:
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            if kind != "media":
                return node  # the target is walked where it is declared
            node = self._media_target(node)
        if kind == "callback":
            for key, value in node.items():
                if not key.startswith("x-"):
                    node[key] = self.walk(value, "path_item", [*path, key])
            return node
        if kind == "response" and "description" not in node:
            summary = node.get("summary")
            node["description"] = summary if isinstance(summary, str) else ""
        for key, shape, child in _GRAMMAR.get(kind, ()):
            value = node.get(key)
            if shape == "one":
                if key in node:
                    node[key] = self.walk(value, child, [*path, key])
            elif shape == "map" and isinstance(value, dict):
                for name in value:
                    value[name] = self.walk(value[name], child, [*path, key, name])
            elif shape == "list" and isinstance(value, list):
                value[:] = [self.walk(item, child, [*path, key, index]) for index, item in enumerate(value)]
        if kind == "parameter" and node.get("in") == "querystring":
            self._querystring(node, path)
        return node

    def _querystring(self, node: dict[str, Any], path: list[str | int]) -> None:
        content = node.get("content")
        media_type, media = next(iter(content.items())) if isinstance(content, dict) and content else ("", None)
        where = pointer(*path, "content", media_type) if media_type else pointer(*path)
        problem = ""
        if not isinstance(media, dict):
            problem = "without content"
        elif media_type.split(";")[0].strip().lower() != FORM:
            problem = f"of {media_type}"
        elif "encoding" in media:
            problem = "with an encoding"
        elif "schema" not in media:
            problem = "without a schema"
        if problem or not isinstance(media, dict):
            raise SpecError(
                self.shown,
                where,
                f"a querystring parameter {problem} is not supported (only {FORM} of an object schema)",
            )
        node.update({"in": "query", "style": "form", "explode": True, "schema": media["schema"]})
        node[QUERYSTRING_MARK] = "querystring"
        del node["content"]

    def _media_target(self, node: dict[str, Any]) -> dict[str, Any]:
        """A copy of what a local Media Type reference points at (loading checked that it exists)."""
        seen: set[str] = set()
        while isinstance(node.get("$ref"), str) and node["$ref"].startswith("#") and node["$ref"] not in seen:
            seen.add(node["$ref"])
            target = resolve(self.document, node["$ref"][1:])
            if not isinstance(target, dict):
                return node
            node = copy.deepcopy(target)
        return node

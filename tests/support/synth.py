"""Valid JSON values for OpenAPI schemas, to call a generated client against a validating mock server (Prism).

    synth = Synth(document)              # the whole OpenAPI document as plain data ($refs stay local pointers)
    synth.value(schema)                  # a value the schema accepts, or raises Unsynthesizable
    synth.fits(schema, value)            # a small validator: is `value` accepted by `schema`?
    synth.mismatch(schema, value)        # ... and why not ("" when it is)

Deterministic: the same schema always gives the same value. Preference order: a valid `example`/`examples`/
`default`, then `const`, then the first `enum` value, then a value built from the type and its constraints
(formats, minimum/maximum, lengths). Objects get their required properties, and every property down to
`depth_all` levels (so nested objects and arrays are exercised); arrays get their minimum number of items (at least
one); `oneOf`/`anyOf` take the first variant whose value the other `oneOf` variants reject; `allOf` is merged.
Strings with a `pattern` and no usable example raise Unsynthesizable: guessing a match is not worth the code.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["Synth", "Unsynthesizable"]

_FORMATS: dict[str, str] = {
    "date-time": "2024-01-02T03:04:05Z",
    "date": "2024-01-02",
    "time": "03:04:05Z",
    "uuid": "123e4567-e89b-12d3-a456-426614174000",
    "uri": "https://example.com/a",
    "url": "https://example.com/a",
    "uri-reference": "https://example.com/a",
    "email": "user@example.com",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
}
_MAX_DEPTH = 12  # a schema that requires itself (through required properties or items) has no finite value


class Unsynthesizable(Exception):
    """The schema asks for something this synthesizer does not produce (e.g. a string matching a pattern)."""


class Synth:
    def __init__(self, document: Mapping[str, Any], *, depth_all: int = 2) -> None:
        self.document = document
        self.depth_all = depth_all

    # --- references and merging ---------------------------------------------------------------------------

    def resolve(self, schema: Any) -> Any:
        """Follow local `$ref`s ("#/a/b") until a node that is not a reference."""
        seen = 0
        while isinstance(schema, Mapping) and "$ref" in schema:
            ref = schema["$ref"]
            if not isinstance(ref, str) or not ref.startswith("#"):
                raise Unsynthesizable(f"non-local $ref {ref!r}")
            node: Any = self.document
            for token in filter(None, ref[1:].split("/")):
                node = node[token.replace("~1", "/").replace("~0", "~")]
            schema, seen = node, seen + 1
            if seen > 50:
                raise Unsynthesizable(f"$ref cycle at {ref!r}")
        return schema if isinstance(schema, Mapping) else {}

    def merged(self, schema: Any) -> dict[str, Any]:
        """The schema with its `allOf` parts folded in: properties and required lists united."""
        out: dict[str, Any] = dict(self.resolve(schema))
        for part in out.pop("allOf", None) or []:
            part = self.merged(part)
            properties = {**part.get("properties", {}), **out.get("properties", {})}
            required = list(dict.fromkeys([*part.get("required", []), *out.get("required", [])]))
            out = {**part, **out}
            if properties:
                out["properties"] = properties
            if required:
                out["required"] = required
        return out

    # --- values -------------------------------------------------------------------------------------------

    def value(self, schema: Any, *, request: bool = True) -> Any:
        """A value `schema` accepts. `request` leaves out readOnly properties (they are never sent)."""
        return self._value(schema, 0, request)

    def _value(self, schema: Any, depth: int, request: bool) -> Any:
        if depth > _MAX_DEPTH:
            raise Unsynthesizable(f"nested deeper than {_MAX_DEPTH} levels")
        schema = self.merged(schema)
        for candidate in self._given(schema):
            if self.fits(schema, candidate):
                return candidate
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return next((v for v in schema["enum"] if v is not None), schema["enum"][0])
        for key in ("oneOf", "anyOf"):
            if schema.get(key):
                return self._variant(schema, key, depth, request)
        kind = _type_of(schema)
        if kind == "object":
            return self._object(schema, depth, request)
        if kind == "array":
            count = max(1, int(schema.get("minItems", 1)))
            if schema.get("uniqueItems") and count > 1:
                raise Unsynthesizable("several unique array items")
            return [self._value(schema.get("items", {}), depth + 1, request) for _ in range(count)]
        if kind == "integer":
            return int(self._number(schema, integer=True))
        if kind == "number":
            return self._number(schema, integer=False)
        if kind == "boolean":
            return True
        if kind == "null":
            return None
        return self._string(schema)

    def _given(self, schema: Mapping[str, Any]) -> list[Any]:
        candidates = []
        if "example" in schema:
            candidates.append(schema["example"])
        if isinstance(schema.get("examples"), list):
            candidates.extend(schema["examples"])
        if "default" in schema:
            candidates.append(schema["default"])
        return candidates

    def _variant(self, schema: Mapping[str, Any], key: str, depth: int, request: bool) -> Any:
        variants = schema[key]
        ordered = sorted(variants, key=lambda v: _type_of(self.merged(v)) == "null")  # null only as a last resort
        last: Unsynthesizable | None = None
        for variant in ordered:
            try:
                value = self._value({"allOf": [_without(schema, key), variant]}, depth, request)
            except Unsynthesizable as problem:
                last = problem
                continue
            # oneOf means exactly one: a value that several variants accept is rejected by a validator.
            if key == "anyOf" or sum(self.fits(v, value) for v in variants) == 1:
                return value
        raise last or Unsynthesizable(f"no {key} variant gives a value only it accepts")

    def _object(self, schema: Mapping[str, Any], depth: int, request: bool) -> dict[str, Any]:
        properties: Mapping[str, Any] = schema.get("properties") or {}
        required = set(schema.get("required") or [])
        out: dict[str, Any] = {}
        for name in sorted(properties):
            prop = self.merged(properties[name])
            if request and prop.get("readOnly"):
                continue
            if name in required or (depth < self.depth_all and not prop.get("deprecated")):
                try:
                    out[name] = self._value(prop, depth + 1, request)
                except Unsynthesizable:
                    if name in required:
                        raise
        for name in sorted(required - set(out)):  # required but not described: any string will do
            out[name] = "string"
        return out

    def _number(self, schema: Mapping[str, Any], *, integer: bool) -> float:
        low = schema.get("minimum")
        high = schema.get("maximum")
        exclusive_low = schema.get("exclusiveMinimum")
        exclusive_high = schema.get("exclusiveMaximum")
        if isinstance(exclusive_low, bool):  # 3.0 style: a flag on minimum
            exclusive_low = low if exclusive_low else None
        if isinstance(exclusive_high, bool):
            exclusive_high = high if exclusive_high else None
        value = 1.0
        if low is not None and value < float(low):
            value = float(low)
        if exclusive_low is not None and value <= float(exclusive_low):
            value = float(exclusive_low) + 1
        if high is not None and value > float(high):
            value = float(high)
        if exclusive_high is not None and value >= float(exclusive_high):
            value = float(exclusive_high) - 1
        step = schema.get("multipleOf")
        if step:
            value = math.ceil(value / float(step)) * float(step)
        return math.ceil(value) if integer else value

    def _string(self, schema: Mapping[str, Any]) -> str:
        if schema.get("pattern"):
            raise Unsynthesizable(f"a string matching {schema['pattern']!r}")
        text = _FORMATS.get(str(schema.get("format", "")), "string")
        low = int(schema.get("minLength", 0))
        high = schema.get("maxLength")
        text = text + "x" * max(0, low - len(text))
        return text[: int(high)] if high is not None and not schema.get("format") else text

    # --- validation ---------------------------------------------------------------------------------------

    def fits(self, schema: Any, value: Any) -> bool:
        return not self.mismatch(schema, value)

    def mismatch(self, schema: Any, value: Any, at: str = "value") -> str:
        """Why `schema` rejects `value` ("" when it accepts it). Checks types, enum, const, required,
        additionalProperties: false, item and property schemas, lengths, bounds, patterns and the combinators;
        not formats."""
        schema = self.resolve(schema)
        if value is None and (schema.get("nullable") or _null_allowed(schema)):
            return ""
        if "const" in schema and value != schema["const"]:
            return f"{at} is not {schema['const']!r}"
        if "enum" in schema and value not in schema["enum"]:
            return f"{at} = {value!r} is not one of {schema['enum']!r}"
        for part in schema.get("allOf", []):
            if found := self.mismatch(part, value, at):
                return found
        if "oneOf" in schema and sum(self.fits(v, value) for v in schema["oneOf"]) != 1:
            return f"{at} does not match exactly one oneOf variant"
        if "anyOf" in schema and not any(self.fits(v, value) for v in schema["anyOf"]):
            return f"{at} matches no anyOf variant"
        kinds = _types(schema)
        if kinds and not any(_is_type(value, kind) for kind in kinds):
            return f"{at} is not of type {'/'.join(kinds)} (it is {type(value).__name__})"
        if isinstance(value, str):
            if not schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", math.inf):
                return f"{at} has a length outside minLength/maxLength"
            if "pattern" in schema and not _matches(schema["pattern"], value):
                return f"{at} does not match {schema['pattern']!r}"
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if not schema.get("minimum", -math.inf) <= value <= schema.get("maximum", math.inf):
                return f"{at} is outside minimum/maximum"
        if isinstance(value, list):
            if not schema.get("minItems", 0) <= len(value) <= schema.get("maxItems", math.inf):
                return f"{at} has a length outside minItems/maxItems"
            for index, item in enumerate(value if "items" in schema else []):
                if found := self.mismatch(schema["items"], item, f"{at}[{index}]"):
                    return found
        if isinstance(value, dict):
            properties = schema.get("properties") or {}
            missing = [name for name in schema.get("required", []) if name not in value]
            if missing:
                return f"{at} lacks the required {', '.join(missing)}"
            for name, prop in properties.items():
                if name in value and (found := self.mismatch(prop, value[name], f"{at}.{name}")):
                    return found
            if schema.get("additionalProperties", True) is False and any(n not in properties for n in value):
                return f"{at} has properties the schema does not allow"
        return ""


def _types(schema: Mapping[str, Any]) -> list[str]:
    declared = schema.get("type")
    if declared is None:
        return []
    return [declared] if isinstance(declared, str) else [t for t in declared if isinstance(t, str)]


def _type_of(schema: Mapping[str, Any]) -> str:
    """The first non-null declared type, else what the keywords suggest."""
    declared = [t for t in _types(schema) if t != "null"]
    if declared:
        return declared[0]
    if _types(schema) == ["null"]:
        return "null"
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return "string"


def _matches(pattern: str, value: str) -> bool:
    try:
        return re.search(pattern, value) is not None
    except re.error:  # an ECMA-262 construct Python lacks: do not judge
        return True


def _null_allowed(schema: Mapping[str, Any]) -> bool:
    return "null" in _types(schema)


def _is_type(value: Any, kind: str) -> bool:
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, {"string": str, "boolean": bool, "array": list, "object": dict, "null": type(None)}[kind])


def _without(schema: Mapping[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k != key}

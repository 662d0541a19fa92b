"""`Synth` (tests/support/synth.py), extended for real-world specs in the Prism sweep (tests/corpus/prism_sweep.py).

What it adds, each a gap the sweep ran into:
- strings for a `pattern`, built from the parsed regex (`\\p{L}`-style escapes approximated), and a few more formats;
- `allOf` parts that both describe a property are combined (`allOf` of the two), not the first one kept;
- `minProperties` met (maps such as AWS tag maps);
- discriminated unions: a variant with its tag; the validator picks the variant by the tag, as OpenAPI says;
- the validator also checks `additionalProperties` schemas, a few formats, and integers JavaScript cannot hold exactly;
- `$ref`s into arrays (`#/paths/~1a/get/parameters/0`).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping
from re import _parser as sre  # type: ignore[attr-defined]
from typing import Any

from tests.support.synth import Synth, Unsynthesizable

__all__ = ["SweepSynth", "Unsynthesizable"]

_MORE_FORMATS = {"byte": "c3RyaW5n", "duration": "P1D", "decimal": "1.5", "int32": "1", "int64": "1", "uint64": "1"}
_FORMAT_CHECKS = {
    "date": re.compile(r"\d{4}-\d\d-\d\d"),
    "date-time": re.compile(r"\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:?\d\d)"),
    "decimal": re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?"),
    "byte": re.compile(r"([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?"),
}
_SAFE_INTEGER = 2**53 - 1  # Prism (JavaScript) cannot check integers beyond this
_PROPERTIES = {"p{L": r"\w", "p{N": r"\d", "p{Z": r"\s", "P{C": r"\S"}  # Unicode property escapes, roughly


class SweepSynth(Synth):
    overlapping = False  # set when a value relies on a discriminator to pick its oneOf variant

    def resolve(self, schema: Any) -> Any:
        for _ in range(50):
            ref = schema.get("$ref") if isinstance(schema, Mapping) else None
            if not isinstance(ref, str) or not ref.startswith("#"):
                return super().resolve(schema)
            schema = self.document
            for token in filter(None, ref[1:].split("/")):
                token = token.replace("~1", "/").replace("~0", "~")
                schema = schema[int(token)] if isinstance(schema, list) else schema[token]
        raise Unsynthesizable("a $ref cycle")

    def merged(self, schema: Any) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.resolve(schema))
        for part in out.pop("allOf", None) or []:
            part = self.merged(part)
            for key, value in part.items():
                if key not in out:
                    out[key] = value
                elif key == "properties":
                    both = {n: {"allOf": [value[n], s]} if n in value else s for n, s in out[key].items()}
                    out[key] = {**value, **both}
                elif key == "required":
                    out[key] = list(dict.fromkeys([*value, *out[key]]))
                elif key == "items" and value != out[key]:
                    out[key] = {"allOf": [value, out[key]]}
        return out

    # --- validation ---------------------------------------------------------------------------------------

    def mismatch(self, schema: Any, value: Any, at: str = "value") -> str:
        node = self.resolve(schema)
        tag = (node.get("discriminator") or {}).get("propertyName")
        if tag and isinstance(value, dict) and _variant_refs(node):
            chosen = _chosen(node, value.get(tag))
            if chosen is None:
                return f"{at}.{tag} = {value.get(tag)!r} names no variant of the discriminator"
            rest = {k: v for k, v in node.items() if k not in ("oneOf", "anyOf", "discriminator")}
            return self.mismatch(rest, value, at) or self.mismatch({"$ref": chosen}, value, at)
        if found := super().mismatch(schema, value, at):
            return found
        check = _FORMAT_CHECKS.get(str(node.get("format")))
        if isinstance(value, str) and check and not check.fullmatch(value):
            return f"{at} = {value!r} is not a {node['format']}"
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _SAFE_INTEGER:
            return f"{at} = {value} is beyond 2**53"
        extra = node.get("additionalProperties")
        if isinstance(value, dict) and isinstance(extra, Mapping):
            named = node.get("properties") or {}
            for key in value.keys() - named.keys():
                if found := self.mismatch(extra, value[key], f"{at}.{key}"):
                    return found
        return ""

    # --- values -------------------------------------------------------------------------------------------

    def _variant(self, schema: Mapping[str, Any], key: str, depth: int, request: bool) -> Any:
        """A discriminated union: the first variant that can be made, with its tag; preferably one no other
        variant accepts, for validators that ignore the discriminator (Prism does)."""
        tag = (schema.get("discriminator") or {}).get("propertyName")
        tagged = []
        for ref in _variant_refs(schema) if tag else []:
            try:
                value = self._value({"$ref": ref}, depth, request)
            except Unsynthesizable:
                continue
            for name in [*(schema["discriminator"].get("mapping") or {}), ref.rsplit("/", 1)[-1]]:
                candidate = {**value, tag: name} if isinstance(value, dict) and _chosen(schema, name) == ref else None
                if candidate is None or self.mismatch(schema, candidate):
                    continue
                if not Synth.mismatch(self, schema, candidate):
                    return candidate
                tagged.append(candidate)
        if tagged:
            self.overlapping = True
            return tagged[0]
        return super()._variant(schema, key, depth, request)

    def _object(self, schema: Mapping[str, Any], depth: int, request: bool) -> dict[str, Any]:
        out = super()._object(schema, depth, request)
        wanted = int(schema.get("minProperties", 0))
        properties: Mapping[str, Any] = schema.get("properties") or {}
        for name in sorted(properties.keys() - out.keys()):
            if len(out) >= wanted:
                break
            with contextlib.suppress(Unsynthesizable):
                out[name] = self._value(properties[name], depth + 1, request)
        extra = schema.get("additionalProperties", True)
        for index in range(wanted - len(out) if extra is not False else 0):
            out[f"key{index}"] = self._value(extra if isinstance(extra, Mapping) else {}, depth + 1, request)
        return out

    def _string(self, schema: Mapping[str, Any]) -> str:
        fmt = str(schema.get("format", ""))
        plain = {k: v for k, v in schema.items() if k != "pattern"}
        text = _MORE_FORMATS[fmt] if fmt in _MORE_FORMATS else super()._string(plain)
        pattern = schema.get("pattern")
        if not pattern or _matches(pattern, text):
            return text
        low, high = int(schema.get("minLength", 0)), schema.get("maxLength")
        for extra in range(0, max(low, 1) + 1):  # longer repeats until minLength is met
            try:
                text = _sample(sre.parse(_python_regex(pattern)), extra)
            except (re.error, RecursionError) as problem:
                raise Unsynthesizable(f"a string matching {pattern!r}: {problem}") from None
            if len(text) >= low and (high is None or len(text) <= int(high)) and _matches(pattern, text):
                return text
        raise Unsynthesizable(f"a string matching {pattern!r} of length {low}..{high}")


# --- discriminators --------------------------------------------------------------------------------------------


def _variant_refs(schema: Mapping[str, Any]) -> list[str]:
    return [v["$ref"] for v in schema.get("oneOf") or schema.get("anyOf") or [] if "$ref" in v]


def _chosen(schema: Mapping[str, Any], tag: object) -> str | None:
    """The $ref a discriminator tag selects: through the mapping, else by the component's name."""
    target = (schema["discriminator"].get("mapping") or {}).get(tag)
    if isinstance(target, str):
        return target if target.startswith("#") else f"#/components/schemas/{target}"
    return next((ref for ref in _variant_refs(schema) if ref.rsplit("/", 1)[-1] == tag), None)


# --- strings for a regex ---------------------------------------------------------------------------------------


def _python_regex(pattern: str) -> str:
    return re.sub(r"\\([pP]\{[A-Z])[a-z]?\}", lambda m: _PROPERTIES.get(m.group(1), m.group(0)), pattern)


def _matches(pattern: str, text: str) -> bool:
    try:
        return re.search(_python_regex(pattern), text) is not None
    except re.error:
        return False


def _sample(items: Any, extra: int) -> str:
    """A string the parsed regex matches, taking `min + extra` rounds of each repeat (lookarounds are ignored; the
    caller checks the result)."""
    out = []
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "NOT_LITERAL":
            out.append("b" if arg == ord("a") else "a")
        elif name == "ANY":
            out.append("a")
        elif name == "IN":
            out.append(_member(arg))
        elif name == "CATEGORY":
            out.append(_CATEGORY[str(arg)])
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = arg
            out.append(_sample(sub, extra) * min(high, low + extra))
        elif name in ("SUBPATTERN", "ATOMIC_GROUP"):
            out.append(_sample(arg[-1], extra))
        elif name == "BRANCH":
            out.append(_sample(arg[1][0], extra))
        elif name not in ("AT", "ASSERT", "ASSERT_NOT"):
            raise re.error(f"no sample for {name}")
    return "".join(out)


_CATEGORY = {
    "CATEGORY_DIGIT": "0",
    "CATEGORY_NOT_DIGIT": "a",
    "CATEGORY_WORD": "a",
    "CATEGORY_NOT_WORD": "-",
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": "a",
}
_IN_CATEGORY: dict[str, Callable[[str], bool]] = {
    "CATEGORY_DIGIT": str.isdigit,
    "CATEGORY_NOT_DIGIT": lambda c: not c.isdigit(),
    "CATEGORY_WORD": lambda c: c.isalnum() or c == "_",
    "CATEGORY_NOT_WORD": lambda c: not (c.isalnum() or c == "_"),
    "CATEGORY_SPACE": str.isspace,
    "CATEGORY_NOT_SPACE": lambda c: not c.isspace(),
}


def _member(items: Any) -> str:
    """A character of the class `[...]`: a common one it names, or for `[^...]` a common one it leaves out."""
    negated = bool(items) and str(items[0][0]) == "NEGATE"

    def inside(char: str) -> bool:
        for op, arg in items:
            name = str(op)
            if (name == "LITERAL" and char == chr(arg)) or (name == "RANGE" and arg[0] <= ord(char) <= arg[1]):
                return True
            if name == "CATEGORY" and _IN_CATEGORY[str(arg)](char):
                return True
        return False

    for char in "a0A_-. xZ9":
        if inside(char) != negated:
            return char
    op, arg = items[0]
    if str(op) in ("LITERAL", "RANGE"):
        return chr(arg if str(op) == "LITERAL" else arg[0])
    raise re.error("no member for a character class")

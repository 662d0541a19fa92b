"""Source text from IR values: annotations (with the imports they need), literals and docstrings."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from ..ir import DictOf, ListOf, LiteralOf, ModelRef, Nullable, Primitive, TupleOf, TypeExpr, UnionOf

# Where each name an annotation may use comes from; builtins need no import.
_SOURCES = {
    "datetime": "datetime",
    "date": "datetime",
    "time": "datetime",
    "UUID": "uuid",
    "Decimal": "decimal",
    "Any": "typing",
    "Optional": "typing",
    "Union": "typing",
    "Literal": "typing",
    "Annotated": "typing",
    "TypeAlias": "typing",
    "TypedDict": "typing",
    "Sequence": "collections.abc",
    "Mapping": "collections.abc",
    "Field": "pydantic",
    "Discriminator": "pydantic",
    "Tag": "pydantic",
}
IMPORTABLE_NAMES = frozenset(_SOURCES)


@dataclass
class Imports:
    """Names a module needs: stdlib/third-party `from X import Y`, and package-relative ones."""

    names: set[tuple[str, str]] = field(default_factory=set)  # (module, name); module may be relative

    def add(self, module: str, name: str) -> None:
        self.names.add((module, name))

    def need(self, name: str) -> None:
        if name in _SOURCES:
            self.names.add((_SOURCES[name], name))

    def update(self, other: Imports) -> None:
        self.names |= other.names

    def lines(self, exclude_module: str | None = None) -> tuple[str, ...]:
        """Grouped and sorted as isort/ruff would: stdlib, third party, then relative."""
        by_module: dict[str, set[str]] = {}
        for module, name in self.names:
            if module != exclude_module:
                by_module.setdefault(module, set()).add(name)

        def group(module: str) -> int:
            if module.startswith("."):
                return 2
            return 1 if module.split(".")[0] in ("httpx", "pydantic", "typing_extensions") else 0

        def dots(module: str) -> int:
            return len(module) - len(module.lstrip("."))

        # isort order: relative imports furthest first (`..x` before `.y`), then by name.
        ordered = sorted(by_module, key=lambda m: (group(m), -dots(m), natural(m)))
        lines: list[str] = []
        previous_group = None
        for module in ordered:
            if previous_group is not None and group(module) != previous_group:
                lines.append("")  # a blank line between groups, as isort writes them
            previous_group = group(module)
            names = sorted(by_module[module], key=lambda n: (not n.isupper(), not n[:1].isupper(), natural(n)))
            if module == "":
                lines.extend(f"import {n}" for n in names)
            else:
                lines.append(f"from {module} import {', '.join(names)}")
        return tuple(lines)


@cache
def natural(text: str) -> tuple[tuple[int, str | int], ...]:
    """Sort key as isort and ruff order imports: case-insensitive, numbers as numbers (`x2` before `x10`)."""
    return tuple((1, int(part)) if part.isdigit() else (0, part) for part in re.split(r"(\d+)", text.lower()) if part)


class AnnotationPrinter:
    """Prints TypeExprs for one side of the API: responses are precise, request inputs are permissive
    (any Sequence/Mapping, and strings wherever a formatted string is parsed)."""

    def __init__(self, model_module: dict[str, str], package_prefix: str, *, input_side: bool) -> None:
        self.model_module = model_module  # class name -> types module stem
        self.package_prefix = package_prefix  # relative path from the printing module to the package root
        self.input_side = input_side

    def print(self, expr: TypeExpr, imports: Imports, home: str | None = None) -> str:
        return self._print(expr, imports, home)

    def print_value(self, expr: TypeExpr, imports: Imports) -> str:
        """The type as a runtime value (for `cast_to=`): unions spelled with typing.Union, which type
        checkers accept as values whatever the members are (`Annotated[...] | None` they reject)."""
        self._as_value = True
        try:
            return self._print(expr, imports, None)
        finally:
            self._as_value = False

    _as_value = False

    def _print(self, expr: TypeExpr, imports: Imports, home: str | None) -> str:
        if isinstance(expr, Primitive):
            if self.input_side and expr.name in ("datetime", "date", "time", "UUID", "Decimal"):
                imports.need(expr.name)
                return f"str | {expr.name}"
            imports.need(expr.name)
            return expr.name
        if isinstance(expr, ModelRef):
            module = self.model_module[expr.name]
            if module != home:
                imports.add(f"{self.package_prefix}types.{module}" if home is None else f".{module}", expr.name)
            return expr.name
        if isinstance(expr, ListOf):
            outer = "Sequence" if self.input_side else "list"
            imports.need(outer)
            return f"{outer}[{self._print(expr.item, imports, home)}]"
        if isinstance(expr, TupleOf):
            return f"tuple[{', '.join(self._print(item, imports, home) for item in expr.items)}]"
        if isinstance(expr, DictOf):
            outer = "Mapping" if self.input_side else "dict"
            imports.need(outer)
            return f"{outer}[str, {self._print(expr.value, imports, home)}]"
        if isinstance(expr, LiteralOf):
            imports.need("Literal")
            return f"Literal[{', '.join(literal(v) for v in expr.values)}]"
        if isinstance(expr, Nullable):
            if self._as_value:
                imports.need("Union")
                return f"Union[{self._print(expr.inner, imports, home)}, None]"
            return f"{self._print(expr.inner, imports, home)} | None"
        if isinstance(expr, UnionOf):
            if expr.discriminator and not self.input_side:
                return self._discriminated(expr, imports, home)
            members = [self._print(m, imports, home) for m in expr.members]
            if self._as_value:
                imports.need("Union")
                return f"Union[{', '.join(members)}]"
            return " | ".join(members)
        raise TypeError(expr)

    def _discriminated(self, expr: UnionOf, imports: Imports, home: str | None) -> str:
        """pydantic picks the member by the tag property's value; a callable discriminator works whether or not
        the members type their tag property as a Literal, and maps many tag values to one member."""
        for name in ("Annotated", "Tag", "Discriminator"):
            imports.need(name)
        imports.add(f"{self.package_prefix}_models" if home is None else ".._models", "discriminate")
        members: list[str] = []
        mapping: list[str] = []
        for member, tags in zip(expr.members, expr.tags, strict=True):
            printed = self._print(member, imports, home)
            members.append(f"Annotated[{printed}, Tag({literal(printed)})]")
            mapping.extend(f"{literal(tag)}: {literal(printed)}" for tag in tags)
        assert expr.discriminator is not None
        selector = f"discriminate({literal(expr.discriminator)}, {{{', '.join(mapping)}}})"
        return f"Annotated[{' | '.join(members)}, Discriminator({selector})]"


def literal(value: object) -> str:
    """Python source for a JSON value; repr() of str/int/float/bool is always a safe, valid literal."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(str(k))}: {literal(v)}" for k, v in value.items()) + "}"
    return repr(json.dumps(value, default=str))


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A lone surrogate (JSON's `"\ud800"`) has no UTF-8 form: neither the file nor a class's `__doc__` could hold it.
# Docstrings and comments show it as the text of its escape.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def _surrogate_text(match: re.Match[str]) -> str:
    return f"\\\\u{ord(match.group()):04x}"


@cache
def docstring(*parts: str | None) -> str:
    """The body of a docstring from spec text, escaped so it can never close the string or break the file."""
    text = "\n\n".join(p.strip() for p in parts if p and p.strip())
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    text = _SURROGATE.sub(_surrogate_text, _CONTROL.sub(_escape, text))
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    body = text[:-1]
    if text.endswith('"') and (len(body) - len(body.rstrip("\\"))) % 2 == 0:
        text = body + '\\"'  # a bare quote would run into the closing one (an escaped one, from `\"\"\"`, would not)
    return text


def comment(text: str) -> str:
    """One line of spec text that is safe inside a `#` comment."""
    return " ".join(_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", _CONTROL.sub(" ", text)).split())


def join_imports(*groups: Iterable[str]) -> tuple[str, ...]:
    return tuple(line for group in groups for line in group)

"""Source text from IR values: annotations (with the imports they need), literals and docstrings."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

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
            plain = [n for n in names if " as " not in n]  # `X as Y` takes a line of its own, as isort writes it
            if module == "":
                lines.extend(f"import {n}" for n in plain)
            elif plain:
                lines.append(f"from {module} import {', '.join(plain)}")
            lines.extend(f"from {module} import {n}" for n in names if " as " in n)
        return tuple(lines)


def dunder_all(names: Iterable[str]) -> tuple[str, ...]:
    """Sorted as ruff's default rules want an `__all__` (RUF022): constants, classes, the rest; naturally."""
    return tuple(sorted(names, key=lambda n: (not n.isupper(), not n[:1].isupper(), _natural_cased(n))))


def _natural_cased(text: str) -> tuple[tuple[int, str | int], ...]:
    return tuple((1, int(part)) if part.isdigit() else (0, part) for part in re.split(r"(\d+)", text) if part)


@cache
def natural(text: str) -> tuple[tuple[int, str | int], ...]:
    """Sort key as isort and ruff order imports: case-insensitive, numbers as numbers (`x2` before `x10`)."""
    return _natural_cased(text.lower())


# Builtins a class member or parameter of the same name would hide where an annotation is evaluated.
SHADOWABLE = frozenset({"list", "dict", "str", "int", "float", "bool", "bytes", "object", "type"})
# Types of the package's runtime (`_types.py`) that annotations use.
# (And `union`, which builds a union as a run-time value.)
RUNTIME_TYPES = frozenset({"FileTypes", "FileContent", "BinaryContent", "NoneType", "union"})
PARSED_STRINGS = frozenset({"datetime", "date", "time", "UUID", "Decimal"})


class AnnotationPrinter:
    """Prints TypeExprs as annotations for one module and one side of the API, by a table from node class to
    printing function (as sqlglot's generator dispatches): responses are precise, request inputs permissive
    (any Sequence/Mapping, and strings wherever a formatted string is parsed), and the value form (for
    `cast_to=`) spells unions with typing.Union. Each form overrides a few entries of the table, and a printer
    knows which builtins its scope hides, so nothing it prints needs to be read again."""

    def __init__(
        self,
        model_module: dict[str, str],
        package_prefix: str,
        *,
        input_side: bool,
        shadowed: Iterable[str] = (),
        as_value: bool = False,
        open_enums: Mapping[str, str] | None = None,
    ) -> None:
        self.model_module = model_module  # class name -> types module stem
        self.package_prefix = package_prefix  # relative path from the printing module to the package root
        self.input_side = input_side
        # Where a response is read, enums are open (see `unknown_of`): for each enum alias, its unknown type.
        # None where they stay closed: request inputs, and aliases, which both sides share.
        self.open_enums = open_enums
        self.shadowed = frozenset(shadowed) & SHADOWABLE
        self.as_value = as_value
        self._table = {**_OUTPUT, **(_INPUT if input_side else {}), **(_VALUE if as_value else {})}
        self._used: set[str] = set()  # the names the annotation being printed uses (see print_with_names)
        self.annotation = self  # a value printer's annotation printer, for what sits inside brackets

    def scoped(self, shadowed: Iterable[str], *, as_value: bool = False) -> AnnotationPrinter:
        """The same printer for a scope where `shadowed` names (class members, parameters) hide builtins (and
        with `as_value`, its value form)."""
        return AnnotationPrinter(
            self.model_module,
            self.package_prefix,
            input_side=self.input_side,
            shadowed=shadowed,
            as_value=as_value or self.as_value,
            open_enums=self.open_enums,
        )

    def print(self, expr: TypeExpr, imports: Imports, home: str | None = None) -> str:
        return self._table[type(expr)](self, expr, imports, home)

    def print_with_names(self, expr: TypeExpr, imports: Imports, home: str | None = None) -> tuple[str, set[str]]:
        """The annotation and every name it uses (a field named like one of them would hide it)."""
        self._used = set()
        return self.print(expr, imports, home), self._used

    def print_value(self, expr: TypeExpr, imports: Imports) -> str:
        """The type as a runtime value (for `cast_to=`): unions spelled with typing.Union, which type
        checkers accept as values whatever the members are (`Annotated[...] | None` they reject)."""
        value = self.scoped(self.shadowed, as_value=True)
        value.annotation = self
        return value.print(expr, imports)

    def name(self, name: str, imports: Imports) -> str:
        """A type's name as this scope must spell it, with its import."""
        self._used.add(name)
        if name in self.shadowed:
            imports.add("", "builtins")
            self._used.add("builtins")
            return f"builtins.{name}"
        if name in RUNTIME_TYPES:
            imports.add(f"{self.package_prefix}_types", name)
        else:
            imports.need(name)
        return name

    def name_used(self, name: str) -> None:
        self._used.add(name)

    def runtime_model(self, name: str, imports: Imports, home: str | None) -> str:
        """A name from the runtime's `_models` (types modules sit one package deeper)."""
        imports.add(f"{self.package_prefix}_models" if home is None else ".._models", name)
        self._used.add(name)
        return name

    def opened(self, printed: str, unknown: str | None, imports: Imports, home: str | None) -> str:
        """An enum's annotation where a response is read: its known values, or the unknown type of its base."""
        if unknown is None or self.open_enums is None or self.input_side:
            return printed
        other = self.runtime_model(unknown, imports, home)
        if self.as_value:
            return f"{self.name('Union', imports)}[{printed}, {other}]"
        return f"{printed} | {other}"

    def discriminated(self, expr: UnionOf, imports: Imports, home: str | None) -> str:
        """pydantic picks the member by the tag property's value; a callable discriminator works whether or not
        the members type their tag property as a Literal, and maps many tag values to one member."""
        for name in ("Annotated", "Tag", "Discriminator"):
            self.name(name, imports)
        self.runtime_model("discriminate", imports, home)
        members: list[str] = []
        mapping: list[str] = []
        for member, tags in zip(expr.members, expr.tags, strict=True):
            printed = self.print(member, imports, home)
            members.append(f"Annotated[{printed}, Tag({literal(printed)})]")
            mapping.extend(f"{literal(tag)}: {literal(printed)}" for tag in tags)
        assert expr.discriminator is not None
        # A tag the spec does not list (a member the server added since) selects an explicit unknown member
        # that keeps the payload, never a wrong one.
        unknown = self.runtime_model("UnknownVariant", imports, home)
        keep = self.runtime_model("keep_tag", imports, home)
        # (The tag comes last: pydantic reads it from the outermost schema, which keep_tag's validator wraps.)
        members.append(f"Annotated[{unknown}, {keep}({literal(expr.discriminator)}), Tag({literal(unknown)})]")
        selector = f"discriminate({literal(expr.discriminator)}, {{{', '.join(mapping)}}})"
        return f"Annotated[{union_source(members)}, Discriminator({selector})]"


def _primitive(p: AnnotationPrinter, expr: Primitive, imports: Imports, home: str | None) -> str:
    return p.name(expr.name, imports)


def _model_ref(p: AnnotationPrinter, expr: ModelRef, imports: Imports, home: str | None) -> str:
    module = p.model_module[expr.name]
    p.name_used(expr.name)
    if module != home:
        imports.add(f"{p.package_prefix}types.{module}" if home is None else f".{module}", expr.name)
    return p.opened(expr.name, (p.open_enums or {}).get(expr.name), imports, home)


def _list(p: AnnotationPrinter, expr: ListOf, imports: Imports, home: str | None) -> str:
    return f"{p.name('list', imports)}[{p.print(expr.item, imports, home)}]"


def _tuple(p: AnnotationPrinter, expr: TupleOf, imports: Imports, home: str | None) -> str:
    p.name_used("tuple")
    return f"tuple[{', '.join(p.print(item, imports, home) for item in expr.items)}]"


def _dict(p: AnnotationPrinter, expr: DictOf, imports: Imports, home: str | None) -> str:
    return f"{p.name('dict', imports)}[{p.name('str', imports)}, {p.print(expr.value, imports, home)}]"


def _literal(p: AnnotationPrinter, expr: LiteralOf, imports: Imports, home: str | None) -> str:
    p.name("Literal", imports)
    return p.opened(f"Literal[{', '.join(literal(v) for v in expr.values)}]", unknown_of(expr), imports, home)


def unknown_of(expr: TypeExpr | None) -> str | None:
    """The runtime type of the values an enum may gain, when it is one: two or more strings, or integers.
    A single value is a tag or a constant (a discriminated union's members tell themselves apart by it), so it
    stays as it is."""
    if not isinstance(expr, LiteralOf) or len(expr.values) < 2:
        return None
    if all(isinstance(v, str) for v in expr.values):
        return "UnknownStr"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in expr.values):
        return "UnknownInt"
    return None


def _nullable(p: AnnotationPrinter, expr: Nullable, imports: Imports, home: str | None) -> str:
    p.name_used("None")
    return f"{p.print(expr.inner, imports, home)} | None"


def _union(p: AnnotationPrinter, expr: UnionOf, imports: Imports, home: str | None) -> str:
    if expr.discriminator and not p.input_side:  # a request needs no discriminator
        return p.discriminated(expr, imports, home)
    return union_source([p.print(m, imports, home) for m in _merged_literals(expr.members)])


# Type checkers parse `A | B | ...` as a chain of binary operations, and pyright stops at a depth of about 256
# (GitHub's 270 webhook events): longer unions are printed as a union of parenthesized unions of this many.
UNION_CHUNK = 64


def union_source(members: list[str]) -> str:
    if len(members) <= UNION_CHUNK:
        return " | ".join(members)
    chunks = [members[i : i + UNION_CHUNK] for i in range(0, len(members), UNION_CHUNK)]
    return " | ".join("(" + " | ".join(chunk) + ")" for chunk in chunks)


def _merged_literals(members: tuple[TypeExpr, ...]) -> tuple[TypeExpr, ...]:
    """Literal members as one `Literal[...]`, where the first stands (ruff's default rules flag several: PYI030)."""
    values = tuple(v for m in members if isinstance(m, LiteralOf) for v in m.values)
    if sum(isinstance(m, LiteralOf) for m in members) < 2:
        return members
    first = next(i for i, m in enumerate(members) if isinstance(m, LiteralOf))
    rest = [m for m in members if not isinstance(m, LiteralOf)]
    unique = tuple(value for _, value in dict.fromkeys((type(v), v) for v in values))  # 1 and True differ here
    return (*rest[:first], LiteralOf(unique), *rest[first:])


def _input_primitive(p: AnnotationPrinter, expr: Primitive, imports: Imports, home: str | None) -> str:
    if expr.name in PARSED_STRINGS:
        return f"{p.name('str', imports)} | {p.name(expr.name, imports)}"
    return p.name(expr.name, imports)


def _input_list(p: AnnotationPrinter, expr: ListOf, imports: Imports, home: str | None) -> str:
    return f"{p.name('Sequence', imports)}[{p.print(expr.item, imports, home)}]"


def _input_dict(p: AnnotationPrinter, expr: DictOf, imports: Imports, home: str | None) -> str:
    return f"{p.name('Mapping', imports)}[{p.name('str', imports)}, {p.print(expr.value, imports, home)}]"


# Values are evaluated at run time, where `X | Y` works on every typing form from Python 3.10 on; type checkers
# refuse it on some (`Annotated[...] | None`), and ruff's default rules flag `Union[...]` (UP007): the runtime's
# `union(...)` builds it.
def _value_nullable(p: AnnotationPrinter, expr: Nullable, imports: Imports, home: str | None) -> str:
    p.name_used("None")
    return f"{p.name('union', imports)}({p.print(expr.inner, imports, home)}, None)"


def _value_union(p: AnnotationPrinter, expr: UnionOf, imports: Imports, home: str | None) -> str:
    if expr.discriminator and not p.input_side:
        return p.discriminated(expr, imports, home)
    members = ", ".join(p.print(m, imports, home) for m in _merged_literals(expr.members))
    return f"{p.name('union', imports)}({members})"


_Printer = Callable[[AnnotationPrinter, Any, Imports, "str | None"], str]
_OUTPUT: dict[type, _Printer] = {
    Primitive: _primitive,
    ModelRef: _model_ref,
    ListOf: _list,
    TupleOf: _tuple,
    DictOf: _dict,
    LiteralOf: _literal,
    Nullable: _nullable,
    UnionOf: _union,
}
_INPUT: dict[type, _Printer] = {
    Primitive: _input_primitive,
    ListOf: _input_list,
    DictOf: _input_dict,
}


def _value_container(p: AnnotationPrinter, expr: TypeExpr, imports: Imports, home: str | None) -> str:
    """Inside brackets a type checker reads a type, not a value: `list[A | None]`, never `list[union(A, None)]`."""
    return p.annotation.print(expr, imports, home)


_VALUE: dict[type, _Printer] = {
    Nullable: _value_nullable,
    UnionOf: _value_union,
    ListOf: _value_container,
    DictOf: _value_container,
    TupleOf: _value_container,
}


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
SURROGATE = re.compile("[\ud800-\udfff]")


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
    text = SURROGATE.sub(_surrogate_text, _CONTROL.sub(_escape, text))
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    body = text[:-1]
    if text.endswith('"') and (len(body) - len(body.rstrip("\\"))) % 2 == 0:
        text = body + '\\"'  # a bare quote would run into the closing one (an escaped one, from `\"\"\"`, would not)
    return text


def comment(text: str) -> str:
    """One line of spec text that is safe inside a `#` comment."""
    return " ".join(SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", _CONTROL.sub(" ", text)).split())


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
# What makes a line a heading, list item, rule or setext underline when it starts it (a digit is no escape: the
# dot after it is).
_MARKDOWN_BLOCK = re.compile(r"^(?:([#+=-])|(\d+)([.)]))")


def code_span(text: str) -> str:
    """Spec text (a URL, a file name) as a Markdown code span: one line, no backtick to end it early."""
    one_line = SURROGATE.sub(lambda m: f"U+{ord(m.group()):04X}", _CONTROL.sub(" ", " ".join(text.split())))
    return "`" + (one_line.replace("`", "'") or " ") + "`"


def markdown(text: str) -> str:
    """Spec text as one line of Markdown that shows as written: no markup, links, HTML or table breaks of its own."""
    one_line = SURROGATE.sub(lambda m: f"U+{ord(m.group()):04X}", _CONTROL.sub(" ", " ".join(text.split())))
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", one_line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
    return _MARKDOWN_BLOCK.sub(lambda m: "\\" + m[1] if m[1] else m[2] + "\\" + m[3], escaped)

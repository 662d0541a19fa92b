"""Random OpenAPI documents, each schema built together with a strategy for the instances it allows.

A schema is drawn as a `Node`: `spec()` is the JSON the document holds, `values(doc, depth)` a strategy of JSON
values that schema allows (so the round trip in checks.py only feeds models what their schema permits). Nodes
cover every keyword lowering handles (generator/lower/types.py): types and type lists, nullable (3.0 and 3.1
spellings), enum and const (Literal-able and not), formats, objects with required/optional/readOnly/writeOnly
properties and defaults, additionalProperties, patternProperties, arrays, prefixItems, allOf (object merges
and typed pieces), oneOf/anyOf, discriminated unions with and without mapping, $ref to components (recursion
included: only through optional properties and arrays, so instances stay finite), not/if/then/else.
Strings (names, descriptions, enum values, examples, defaults, path segments) come from all of Unicode, lone
surrogates and the hostile tokens below included.
"""

from __future__ import annotations

import datetime as dt
import keyword
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pydantic
from hypothesis import strategies as st

MAX_DEPTH = 3  # instances: deeper than this, objects keep only required properties and arrays are empty

# Text that has broken generators: quotes and docstring ends, template syntax, escapes, line breaks of every
# kind, bidi controls, lone surrogates, Python keywords, dunders, pydantic and runtime names.
HOSTILE = (
    '"""',
    "'''",
    '"',
    "'",
    "{{",
    "}}",
    "{{ x }}",
    "{%",
    "%}",
    "{#",
    "\\",
    "\\n",
    "\\x00",
    "\\u2028",
    "\n",
    "\r",
    "\r\n",
    "\t",
    "\x00",
    "\x1b",
    "\x7f",
    "\x85",
    "\u2028",
    "\u2029",
    "\u200b",
    "\u200e",
    "\u200f",
    "\u202e",
    "\u2066",
    "\ufeff",
    "\ud800",
    "\udfff",
    "\U0001f600",
    "#",
    "# type: ignore",
    "${x}",
    "%s",
    "%(x)s",
    "~",
    "~1",
    "/",
    "%25",
    "*",
    "+1",
    "-",
    "_",
    "__",
    "0",
    "1a",
    " ",
    "é",
    "ǅ",
    "ß",
    "Ⅸ",
    "٣",
    "ﬁ",
    "__import__('os')",
    "__init__",
    "__class__",
    "__dict__",
    "__all__",
    "__getattr__",
    "model_config",
    "model_fields",
    "model_dump",
    "validate",
    "self",
    "cls",
    "None",
    "True",
    "type",
    "list",
    "str",
    "int",
    "object",
    "id",
    "Field",
    "BaseModel",
    "Literal",
    "TypeAlias",
    "NotGiven",
    "NOT_GIVEN",
    "Optional",
    "typing",
    "pydantic",
    *keyword.kwlist,
    *keyword.softkwlist,
)
WORDS = ("pet", "Pet", "name", "petId", "pet_id", "pet-id", "Pet Name", "items", "data", "value", "kind", "x")

surrogates = st.integers(0xD800, 0xDFFF).map(chr)
any_character = st.one_of(st.characters(codec=None), surrogates, st.sampled_from("\x00\n\r\t\x85\u2028\u202e"))


def text(min_size: int = 0, max_size: int = 4, *, surrogate_free: bool = False) -> st.SearchStrategy[str]:
    """Any string: hostile tokens and arbitrary characters (lone surrogates included unless asked not to)."""
    chars = st.characters(codec="utf-8") if surrogate_free else any_character
    token = st.sampled_from(HOSTILE)
    if surrogate_free:
        token = token.filter(lambda t: t.encode("utf-8", "surrogatepass") == t.encode("utf-8", "ignore"))
    piece = st.one_of(token, st.text(chars, min_size=1, max_size=3))
    return st.lists(piece, min_size=min_size, max_size=max_size).map(lambda pieces: _pairs_joined("".join(pieces)))


def _pairs_joined(text: str) -> str:
    """A high and a low surrogate side by side are one character once written as JSON (`"\ud83d\ude00"`) and
    read back: the strategies use the string the generator will read."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def names() -> st.SearchStrategy[str]:
    """Names of schemas, properties, parameters, operations: plain ones and hostile ones."""
    return st.one_of(st.sampled_from(WORDS), st.sampled_from(HOSTILE), text(min_size=1, max_size=3))


json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), text()
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(text(), inner, max_size=3)),
    max_leaves=6,
)
# Instances are what a server sends: JSON text, which cannot hold a lone surrogate (RFC 8259 section 8.2, and
# pydantic's parser refuses one). Only values the spec itself lists (enum, const) may carry one.
value_text = text(surrogate_free=True)
instance_json = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), value_text),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(value_text, inner, max_size=3)),
    max_leaves=6,
)


def _json_text(adapter: pydantic.TypeAdapter[Any], values: st.SearchStrategy[Any]) -> st.SearchStrategy[str]:
    """Values of a format as the text pydantic dumps them: the form a round trip gives back."""
    return values.map(lambda v: adapter.dump_python(v, mode="json"))


_TIMEZONES = st.one_of(
    st.none(),
    st.just(dt.UTC),
    st.integers(-23 * 60 + 1, 23 * 60 - 1).map(lambda m: dt.timezone(dt.timedelta(minutes=m))),
)
FORMAT_VALUES: dict[str, st.SearchStrategy[str]] = {
    "date-time": _json_text(pydantic.TypeAdapter(dt.datetime), st.datetimes(timezones=_TIMEZONES)),
    "date": _json_text(pydantic.TypeAdapter(dt.date), st.dates()),
    "time": _json_text(pydantic.TypeAdapter(dt.time), st.times()),
    "uuid": st.uuids().map(str),
    "decimal": _json_text(
        pydantic.TypeAdapter(Decimal), st.decimals(allow_nan=False, allow_infinity=False, places=3).map(Decimal)
    ),
    # bytes from text: a JSON string of binary content is its UTF-8 (a lone surrogate has none)
    "binary": text(surrogate_free=True),
    "byte": text(surrogate_free=True),
    "email": text(surrogate_free=True),
    "uri": text(surrogate_free=True),
    "password": text(surrogate_free=True),
}

_ = uuid  # st.uuids() gives uuid.UUID values


# --- nodes ------------------------------------------------------------------------------------------------


@dataclass
class Document:
    version: str  # "3.0", "3.1", "3.2"
    raw: dict[str, Any]
    components: dict[str, Node]  # component key -> its node, in document order


class Node:
    nullable: bool = False

    def spec(self) -> dict[str, Any]:
        raise NotImplementedError

    def values(self, doc: Document, depth: int) -> st.SearchStrategy[Any]:
        inner = self.non_null(doc, depth)
        return st.one_of(st.none(), inner) if self.nullable else inner

    def non_null(self, doc: Document, depth: int) -> st.SearchStrategy[Any]:
        raise NotImplementedError


def _nullable(spec: dict[str, Any], version: str) -> dict[str, Any]:
    """The same schema with null allowed, in the spelling of the version."""
    if version == "3.0":
        return {**spec, "nullable": True}
    kind = spec.get("type")
    if isinstance(kind, str):
        return {**spec, "type": [kind, "null"]}
    if isinstance(kind, list):
        return {**spec, "type": [*kind, "null"]}
    return {"anyOf": [spec, {"type": "null"}]}


@dataclass
class Scalar(Node):
    kind: str  # string, integer, number, boolean
    version: str
    fmt: str | None = None
    nullable: bool = False
    extra: dict[str, Any] = field(default_factory=dict)  # annotations and narrowing keywords

    def spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"type": self.kind, **self.extra}
        if self.fmt:
            spec["format"] = self.fmt
        return _nullable(spec, self.version) if self.nullable else spec

    def non_null(self, doc: Document, depth: int) -> st.SearchStrategy[Any]:
        if self.kind == "string":
            return FORMAT_VALUES.get(self.fmt or "", value_text)
        if self.kind == "integer":
            return st.integers()
        if self.kind == "number":
            return st.one_of(st.integers(-(2**53), 2**53), st.floats(allow_nan=False, allow_infinity=False))
        return st.booleans()


@dataclass
class TypeList(Node):
    """3.1: `type: [string, integer, ...]`."""

    kinds: list[str]
    version: str

    def spec(self) -> dict[str, Any]:
        return {"type": list(self.kinds)}

    def non_null(self, doc: Document, depth: int) -> st.SearchStrategy[Any]:
        members = [Scalar(k, self.version).non_null(doc, depth) for k in self.kinds if k != "null"]
        if "null" in self.kinds:
            members.append(st.none())
        return st.one_of(members)


@dataclass
class AnyValue(Node):
    extra: dict[str, Any] = field(default_factory=dict)

    def spec(self) -> dict[str, Any]:
        return dict(self.extra)

    def non_null(self, doc: Document, depth: int) -> st.SearchStrategy[Any]:
        return instance_json


@dataclass
class Enum(Node):
    values_: list[Any]
    kind: str | None  # the declared type, or none
    version: str
    nullable: bool = False

    def spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"enum": list(self.values_)}
        if self.kind:
            spec["type"] = self.kind
        if self.nullable:
            spec = _nullable(spec, self.version)
            spec["enum"] = [*self.values_, None]  # null must be listed too for the enum to allow it
        return spec

    def non_null(self, doc: Document, depth: int) -> st.SearchStrategy[Any]:
        return st.sampled_from(self.values_)


@dataclass
class Const(Node):
    value: Any

    def spec(self) -> dict[str, Any]:
        return {"const": self.value}

    def non_null(self, doc: Document, depth: int) -> st.SearchStrategy[Any]:
        return st.just(self.value)


@dataclass
class Prop:
    name: str
    node: Node
    required: bool
    extra: dict[str, Any] = field(default_factory=dict)  # description, default, readOnly, writeOnly, ...


@dataclass
class Obj(Node):
    props: list[Prop]
    version: str
    additional: Any = None  # None (unsaid), True, False, or a Node
    nullable: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"type": "object", **self.extra}
        if self.props:
            spec["properties"] = {p.name: {**p.node.spec(), **p.extra} for p in self.props}
            required = [p.name for p in self.props if p.required]
            if required:
                spec["required"] = required
        if isinstance(self.additional, Node):
            spec["additionalProperties"] = self.additional.spec()
        elif self.additional is not None:
            spec["additionalProperties"] = self.additional
        return _nullable(spec, self.version) if self.nullable else spec

    def non_null(self, doc: Document, depth: int, *, extras: bool = True) -> st.SearchStrategy[Any]:
        # A name with a lone surrogate cannot be sent (JSON text cannot carry it), required or not.
        sendable = [p for p in self.props if utf8(p.name)]
        required = {p.name: p.node.values(doc, depth + 1) for p in sendable if p.required}
        optional = {} if depth > MAX_DEPTH else {p.name: p.node.values(doc, depth + 1) for p in sendable}
        for name in required:
            optional.pop(name, None)
        declared = st.fixed_dictionaries(required, optional=optional)
        if not extras or self.additional is False or depth > MAX_DEPTH:
            return declared
        value = self.additional.values(doc, depth + 1) if isinstance(self.additional, Node) else instance_json
        known = {p.name for p in self.props}
        more = st.dictionaries(value_text.filter(lambda k: k not in known and _not_a_field_name(k)), value, max_size=2)
        return st.tuples(declared, more).map(lambda pair: {**pair[1], **pair[0]})


@dataclass
class Dict(Node):
    """`additionalProperties` (or `patternProperties`) without properties: a mapping."""

    value: Node
    pattern: bool = False  # 3.1: patternProperties with a catch-all pattern

    def spec(self) -> dict[str, Any]:
        if self.pattern:
            return {"type": "object", "patternProperties": {"": self.value.spec()}, "additionalProperties": False}
        return {"type": "object", "additionalProperties": self.value.spec()}

    def non_null(self, doc: Document, depth: int) -> st.SearchStrategy[Any]:
        if depth > MAX_DEPTH:  # the value's strategy is not even built: a self-referencing one would recurse
            return st.just({})
        return st.dictionaries(value_text, self.value.values(doc, depth + 1), max_size=2)


@dataclass
class Arr(Node):
    item: Node | None
    version: str
    nullable: bool = False

    def spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"type": "array"}
        if self.item is not None:
            spec["items"] = self.item.spec()
        return _nullable(spec, self.version) if self.nullable else spec

    def non_null(self, doc: Document, depth: int) -> st.SearchStrategy[Any]:
        if depth > MAX_DEPTH:  # as Dict: an item strategy built here could recurse without end
            return st.just([])
        item = self.item.values(doc, depth + 1) if self.item is not None else instance_json
        return st.lists(item, max_size=3)


@dataclass
class Tuple(Node):
    """3.1 prefixItems: of fixed length (a tuple), or of varying length (widened to a list)."""

    items: list[Node]
    fixed: bool
    rest: Node | None = None  # `items` after the prefix, when not fixed

    def spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"type": "array", "prefixItems": [i.spec() for i in self.items]}
        if self.fixed:
            spec["minItems"] = spec["maxItems"] = len(self.items)
        elif self.rest is not None:
            spec["items"] = self.rest.spec()
        return spec

    def non_null(self, doc: Document, depth: int) -> st.SearchStrategy[Any]:
        prefix = st.tuples(*(i.values(doc, depth + 1) for i in self.items)).map(list)
        if self.fixed:
            return prefix
        rest = self.rest.values(doc, depth + 1) if self.rest is not None else instance_json
        return st.tuples(prefix, st.integers(0, len(self.items)), st.lists(rest, max_size=2)).map(
            lambda t: t[0][: t[1]] + (t[2] if t[1] == len(self.items) else [])
        )


@dataclass
class Union(Node):
    keyword: str  # oneOf, anyOf
    members: list[Node]
    extra: dict[str, Any] = field(default_factory=dict)

    def spec(self) -> dict[str, Any]:
        return {self.keyword: [m.spec() for m in self.members], **self.extra}

    def non_null(self, doc: Document, depth: int) -> st.SearchStrategy[Any]:
        return st.one_of([m.values(doc, depth) for m in self.members])


@dataclass
class Ref(Node):
    key: str

    def spec(self) -> dict[str, Any]:
        token = self.key.replace("~", "~0").replace("/", "~1").replace("%", "%25")
        return {"$ref": "#/components/schemas/" + token}

    def values(self, doc: Document, depth: int) -> st.SearchStrategy[Any]:
        return st.deferred(lambda: doc.components[self.key].values(doc, depth + 1))

    def target(self, doc: Document) -> Node:
        return doc.components[self.key]


@dataclass
class AllOf(Node):
    """Pieces that are objects (inline, or references to object components) with disjoint properties; or one
    typed piece (usually a reference) and pieces that only annotate."""

    parts: list[Node]
    objects: bool

    def spec(self) -> dict[str, Any]:
        return {"allOf": [p.spec() for p in self.parts]}

    def non_null(self, doc: Document, depth: int) -> st.SearchStrategy[Any]:
        if not self.objects:
            return self.parts[0].values(doc, depth)
        pieces: list[st.SearchStrategy[Any]] = []
        for part in self.parts:
            target = part.target(doc) if isinstance(part, Ref) else part
            assert isinstance(target, Obj)
            pieces.append(target.non_null(doc, depth + 1, extras=False))
        merged = st.tuples(*pieces).map(lambda ds: {k: v for d in ds for k, v in d.items()})
        known = {p.name for part in self.parts for p in _obj(part, doc).props}
        more = st.dictionaries(
            value_text.filter(lambda k: k not in known and _not_a_field_name(k)), instance_json, max_size=2
        )
        return st.tuples(merged, more).map(lambda pair: {**pair[1], **pair[0]})


def _not_a_field_name(key: str) -> bool:
    """Keys an object's extra (undeclared) fields may have in instances. A known limit of the models: they are
    populated by name too, so an undeclared key that is the Python name of a renamed field (`pet_id` beside the
    declared `pet-id`) is read into that field. Python names are ASCII identifiers; other keys are safe."""
    return not (key.isidentifier() and key.isascii())


def utf8(text: str) -> bool:
    """Can the text be written as UTF-8 (no lone surrogates)?"""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _obj(node: Node, doc: Document) -> Obj:
    target = node.target(doc) if isinstance(node, Ref) else node
    assert isinstance(target, Obj)
    return target


@dataclass
class Discriminated(Node):
    """oneOf of references to object components that each require the tag property with their own values."""

    variants: list[str]  # component keys
    prop: str
    tags: dict[str, list[str]]  # component key -> tag values that select it
    mapping: dict[str, str] | None  # the spec's discriminator mapping, when given

    def spec(self) -> dict[str, Any]:
        discriminator: dict[str, Any] = {"propertyName": self.prop}
        if self.mapping is not None:
            discriminator["mapping"] = {tag: Ref(key).spec()["$ref"] for tag, key in self.mapping.items()}
        return {"oneOf": [Ref(k).spec() for k in self.variants], "discriminator": discriminator}

    def non_null(self, doc: Document, depth: int) -> st.SearchStrategy[Any]:
        options = [
            st.tuples(doc.components[key].non_null(doc, depth + 1), st.sampled_from(self.tags[key])).map(
                lambda pair: {**pair[0], self.prop: pair[1]}
            )
            for key in self.variants
        ]
        return st.one_of(options)


# --- drawing nodes ----------------------------------------------------------------------------------------


@dataclass
class Ctx:
    version: str
    keys: list[str]  # every component key
    built: dict[str, Node]  # components drawn so far

    def earlier(self) -> list[str]:
        """Components a required position may reference: already drawn, so the reference cannot loop."""
        return [k for k in self.keys if k in self.built]

    def objects(self) -> list[str]:
        return [k for k, n in self.built.items() if isinstance(n, Obj) and not n.nullable and n.additional is None]


STRING_FORMATS = [None, None, "date-time", "date", "time", "uuid", "decimal", "binary", "byte", "email", "uri"]


def _annotations(draw: st.DrawFn, version: str) -> dict[str, Any]:
    """Keywords that describe but do not constrain, with hostile text."""
    extra: dict[str, Any] = {}
    if draw(st.integers(0, 3)) == 0:
        extra["description"] = draw(text())
    if draw(st.integers(0, 5)) == 0:
        extra["title"] = draw(text())
    if draw(st.integers(0, 5)) == 0:
        extra["example"] = draw(json_values)
    if version != "3.0" and draw(st.integers(0, 6)) == 0:
        extra["examples"] = draw(st.lists(json_values, max_size=2))
    if draw(st.integers(0, 8)) == 0:
        extra["deprecated"] = True
    return extra


@st.composite
def scalar(draw: st.DrawFn, version: str) -> Node:
    kind = draw(st.sampled_from(["string", "string", "integer", "number", "boolean"]))
    fmt = None
    if kind == "string":
        fmt = draw(st.sampled_from(STRING_FORMATS))
    elif kind == "integer":
        fmt = draw(st.sampled_from([None, "int32", "int64"]))
    elif kind == "number":
        fmt = draw(st.sampled_from([None, "float", "double"]))
    extra = _annotations(draw, version)
    other = {"string": "integer", "integer": "string", "number": "string", "boolean": "string"}[kind]
    narrowing = draw(st.integers(0, 6))
    if narrowing == 0:
        extra["not"] = {"type": other}  # every value of this schema satisfies it
    elif narrowing == 1 and version != "3.0":
        extra["if"] = {"type": other}  # never holds, so `then` never applies and `else` always does
        extra["then"] = {"type": other}
        extra["else"] = {}
    return Scalar(kind, version, fmt, nullable=draw(st.integers(0, 4)) == 0, extra=extra)


@st.composite
def enum(draw: st.DrawFn, version: str) -> Node:
    kind = draw(st.sampled_from(["string", "string", "integer", "boolean", "number", None]))
    if kind == "string":
        values: list[Any] = draw(st.lists(text(), min_size=1, max_size=4, unique=True))
    elif kind == "integer":
        values = draw(st.lists(st.integers(), min_size=1, max_size=4, unique=True))
    elif kind == "boolean":
        values = draw(st.lists(st.booleans(), min_size=1, max_size=2, unique=True))
    elif kind == "number":
        values = draw(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=3, unique=True))
    else:  # mixed JSON types, some of which a Literal cannot hold
        values = draw(
            st.lists(
                st.one_of(text(), st.integers(), st.booleans(), st.floats(allow_nan=False, allow_infinity=False)),
                min_size=1,
                max_size=4,
                unique_by=lambda v: (type(v), v),
            )
        )
    return Enum(values, kind, version, nullable=draw(st.integers(0, 4)) == 0)


@st.composite
def const(draw: st.DrawFn) -> Node:
    return Const(
        draw(st.one_of(text(), st.integers(), st.booleans(), st.floats(allow_nan=False, allow_infinity=False)))
    )


def _default_for(draw: st.DrawFn, node: Node) -> dict[str, Any]:
    """A default the property's schema allows (only for schemas whose values need no document)."""
    if isinstance(node, (Scalar, Enum, Const)) or (isinstance(node, Arr) and isinstance(node.item, (Scalar, Enum))):
        if draw(st.integers(0, 3)) == 0:
            return {"default": draw(node.values(Document("", {}, {}), MAX_DEPTH))}
    return {}


@st.composite
def obj(draw: st.DrawFn, ctx: Ctx, depth: int, *, additional: bool = True, avoid: frozenset[str] = frozenset()) -> Obj:
    props: list[Prop] = []
    seen: set[str] = set(avoid)
    for _ in range(draw(st.integers(0, 4))):
        name = draw(names())
        if name in seen:
            continue
        seen.add(name)
        required = draw(st.booleans())
        node = draw(schema(ctx, depth + 1, recursive_ok=not required))
        extra: dict[str, Any] = _default_for(draw, node)
        if draw(st.integers(0, 2)) == 0:
            extra["description"] = draw(text())
        flag = draw(st.integers(0, 7))
        if flag == 0:
            extra["readOnly"] = True
        elif flag == 1:
            extra["writeOnly"] = True
        if isinstance(node, Ref) and extra and ctx.version == "3.0":
            extra = {}  # siblings of a 3.0 $ref are ignored (mostly); keep the reference plain
        props.append(Prop(name, node, required, extra))
    extra_props: Any = None
    if additional:
        choice = draw(st.integers(0, 5))
        if choice == 0:
            extra_props = False
        elif choice == 1:
            extra_props = True
        elif choice == 2:
            extra_props = draw(schema(ctx, depth + 1, recursive_ok=True))
    return Obj(props, ctx.version, extra_props, nullable=False, extra=_annotations(draw, ctx.version))


@st.composite
def schema(draw: st.DrawFn, ctx: Ctx, depth: int, *, recursive_ok: bool = False) -> Node:
    """Any schema; a reference to any component (itself and later ones too) only where `recursive_ok`."""
    v31 = ctx.version != "3.0"
    leaves = ["scalar", "scalar", "scalar", "enum", "any"] + (["const", "typelist"] if v31 else [])
    if ctx.earlier():
        leaves += ["ref", "ref"]
    if recursive_ok and ctx.keys:
        leaves += ["anyref"]
    shapes = ["object", "object", "dict", "array", "array", "union", "allof"] + (["tuple"] if v31 else [])
    kind = draw(st.sampled_from(leaves + (shapes if depth < 3 else [])))
    if kind == "scalar":
        return draw(scalar(ctx.version))
    if kind == "enum":
        return draw(enum(ctx.version))
    if kind == "const":
        return draw(const())
    if kind == "any":
        return AnyValue(_annotations(draw, ctx.version))
    if kind == "typelist":
        kinds = draw(
            st.lists(
                st.sampled_from(["string", "integer", "number", "boolean", "null"]), min_size=2, max_size=3, unique=True
            )
        )
        return TypeList(kinds, ctx.version)
    if kind == "ref":
        return Ref(draw(st.sampled_from(ctx.earlier())))
    if kind == "anyref":
        return Ref(draw(st.sampled_from(ctx.keys)))
    if kind == "object":
        node = draw(obj(ctx, depth))
        node.nullable = draw(st.integers(0, 4)) == 0
        return node
    if kind == "dict":
        return Dict(draw(schema(ctx, depth + 1, recursive_ok=True)), pattern=v31 and draw(st.booleans()))
    if kind == "array":
        item = draw(st.one_of(st.none(), schema(ctx, depth + 1, recursive_ok=True)))
        return Arr(item, ctx.version, nullable=draw(st.integers(0, 4)) == 0)
    if kind == "tuple":
        items = draw(st.lists(schema(ctx, depth + 1), min_size=1, max_size=3))
        fixed = draw(st.booleans())
        rest = None if fixed else draw(st.one_of(st.none(), schema(ctx, depth + 1)))
        return Tuple(items, fixed, rest)
    if kind == "union":
        members = draw(st.lists(schema(ctx, depth + 1), min_size=1, max_size=3))
        return Union(draw(st.sampled_from(["oneOf", "anyOf"])), members, _annotations(draw, ctx.version))
    # allOf
    objects = ctx.objects()
    if draw(st.booleans()) and (objects or depth < 2):
        parts: list[Node] = []
        taken: set[str] = set()
        for _ in range(draw(st.integers(1, 3))):
            fresh = [k for k in objects if not ({p.name for p in _props(ctx, k)} & taken)]
            if bool(fresh) and draw(st.booleans()):
                key = draw(st.sampled_from(fresh))
                parts.append(Ref(key))
            else:
                parts.append(draw(obj(ctx, depth + 1, additional=False, avoid=frozenset(taken))))
            taken |= {p.name for p in _obj_built(parts[-1], ctx).props}
        return AllOf(parts, objects=True)
    named = [Ref(k) for k in ctx.earlier() if isinstance(ctx.built[k], (Scalar, Enum, Const))]
    typed = draw(st.one_of(scalar(ctx.version), enum(ctx.version), *([st.sampled_from(named)] if named else [])))
    notes: list[Node] = [AnyValue({"description": draw(text())}) for _ in range(draw(st.integers(0, 2)))]
    return AllOf([typed, *notes], objects=False)


def _props(ctx: Ctx, key: str) -> list[Prop]:
    node = ctx.built[key]
    return node.props if isinstance(node, Obj) else []


def _obj_built(node: Node, ctx: Ctx) -> Obj:
    target = ctx.built[node.key] if isinstance(node, Ref) else node
    assert isinstance(target, Obj)
    return target


@st.composite
def discriminated(draw: st.DrawFn, ctx: Ctx, taken: set[str]) -> dict[str, Node]:
    """Two or three object components with a tag property each, and a union component over them."""
    prop = draw(names().filter(utf8))  # the tag is in every instance: it must be sendable
    count = draw(st.integers(2, 3))
    keys = draw(st.lists(names().filter(lambda k: k not in taken), min_size=count + 1, max_size=count + 1, unique=True))
    union_key, variant_keys = keys[0], keys[1:]
    all_tags = draw(st.lists(text(min_size=1).filter(utf8), min_size=count * 2, max_size=count * 2, unique=True))
    use_mapping = draw(st.booleans())
    nodes: dict[str, Node] = {}
    tags: dict[str, list[str]] = {}
    for index, key in enumerate(variant_keys):
        own = all_tags[2 * index : 2 * index + draw(st.integers(1, 2))]
        tags[key] = own
        body = draw(obj(ctx, 1, additional=False, avoid=frozenset({prop})))
        tag: dict[str, Any] = {"type": "string", "enum": own}
        if ctx.version != "3.0" and len(own) == 1 and draw(st.booleans()):
            tag = {"const": own[0]}
        tag_node: Node = Const(own[0]) if "const" in tag else Enum(own, "string", ctx.version)
        body.props.insert(0, Prop(prop, tag_node, True))
        body.additional = None
        nodes[key] = body
    mapping = {t: k for k, ts in tags.items() for t in ts} if use_mapping else None
    nodes[union_key] = Discriminated(variant_keys, prop, tags, mapping)
    return nodes


# --- operations -------------------------------------------------------------------------------------------

METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]


@st.composite
def parameter(draw: st.DrawFn, ctx: Ctx, location: str, name: str) -> dict[str, Any]:
    param: dict[str, Any] = {"name": name, "in": location}
    if location == "path":
        param["required"] = True
        param["schema"] = draw(st.one_of(scalar(ctx.version), enum(ctx.version))).spec()
        return param
    if draw(st.integers(0, 2)) == 0:
        param["required"] = draw(st.booleans())
    if draw(st.integers(0, 3)) == 0:
        param["description"] = draw(text())
    if draw(st.integers(0, 8)) == 0:
        param["deprecated"] = True
    if draw(st.integers(0, 6)) == 0:
        param["content"] = {"application/json": {"schema": draw(schema(ctx, 2)).spec()}}
        return param
    shape = draw(st.sampled_from(["scalar", "scalar", "enum", "array", "object", "ref", "any"]))
    if shape == "scalar":
        node: Node = draw(scalar(ctx.version))
    elif shape == "enum":
        node = draw(enum(ctx.version))
    elif shape == "array":
        node = Arr(draw(st.one_of(scalar(ctx.version), enum(ctx.version))), ctx.version)
    elif shape == "object":
        node = draw(obj(ctx, 2))
    elif shape == "ref" and ctx.keys:
        node = Ref(draw(st.sampled_from(ctx.keys)))
    else:
        node = AnyValue()
    param["schema"] = node.spec()
    styles = {
        "query": ["form", "spaceDelimited", "pipeDelimited", "deepObject"],
        "header": ["simple"],
        "cookie": ["form"],
    }[location]
    if draw(st.booleans()):
        param["style"] = draw(st.sampled_from(styles))
    if draw(st.booleans()):
        param["explode"] = draw(st.booleans())
    return param


@st.composite
def request_body(draw: st.DrawFn, ctx: Ctx) -> dict[str, Any]:
    media = draw(
        st.sampled_from(
            [
                "application/json",
                "application/json",
                "application/x-www-form-urlencoded",
                "multipart/form-data",
                "application/octet-stream",
                "text/plain",
            ]
        )
    )
    if media == "application/json":
        node: Node = draw(schema(ctx, 1))
    elif media in ("application/x-www-form-urlencoded", "multipart/form-data"):
        objects = ctx.objects()
        if bool(objects) and draw(st.booleans()):
            node = Ref(draw(st.sampled_from(objects)))
        else:
            node = draw(obj(ctx, 2))
            if media == "multipart/form-data" and draw(st.booleans()):
                node.props.append(Prop(draw(names()), Scalar("string", ctx.version, "binary"), draw(st.booleans())))
    elif media == "application/octet-stream":
        node = Scalar("string", ctx.version, "binary")
    else:
        node = Scalar("string", ctx.version)
    body: dict[str, Any] = {"content": {media: {"schema": node.spec()}}}
    if draw(st.booleans()):
        body["required"] = draw(st.booleans())
    if draw(st.integers(0, 3)) == 0:
        body["description"] = draw(text())
    return body


@st.composite
def responses(draw: st.DrawFn, ctx: Ctx) -> dict[str, Any]:
    codes = draw(
        st.lists(
            st.sampled_from(["200", "201", "204", "default", "400", "404", "2XX"]), min_size=1, max_size=3, unique=True
        )
    )
    out: dict[str, Any] = {}
    for code in codes:
        response: dict[str, Any] = {"description": draw(text())}
        media = draw(
            st.sampled_from(["application/json", "application/json", "text/plain", "application/octet-stream", None])
        )
        if code != "204" and media is not None:
            node: Node = draw(schema(ctx, 1)) if media == "application/json" else Scalar("string", ctx.version)
            response["content"] = {media: {"schema": node.spec()}}
        out[code] = response
    return out


def _path_segment() -> st.SearchStrategy[str]:
    return text(max_size=3).map(lambda s: "".join(c for c in s if c not in "/{}?#"))


@st.composite
def paths(draw: st.DrawFn, ctx: Ctx) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for _ in range(draw(st.integers(0, 3))):
        segments: list[str] = []
        params: list[str] = []
        for _ in range(draw(st.integers(1, 3))):
            if draw(st.integers(0, 2)) == 0:
                name = draw(names().filter(lambda n: "{" not in n and "}" not in n and "/" not in n))
                if name not in params:
                    params.append(name)
                    segments.append("{" + name + "}")
                    continue
            segments.append(draw(_path_segment()))
        path = "/" + "/".join(segments)
        if path in out:
            continue
        item: dict[str, Any] = {}
        declared = [draw(parameter(ctx, "path", name)) for name in params if draw(st.integers(0, 5)) != 0]
        at_item = draw(st.booleans())
        if at_item and declared:
            item["parameters"] = declared
        methods = draw(
            st.lists(
                st.sampled_from(METHODS + (["query"] if ctx.version == "3.2" else [])),
                min_size=1,
                max_size=3,
                unique=True,
            )
        )
        for method in methods:
            operation: dict[str, Any] = {"responses": draw(responses(ctx))}
            if draw(st.booleans()):
                operation["operationId"] = draw(names())
            if draw(st.integers(0, 2)) == 0:
                operation["summary"] = draw(text())
            if draw(st.integers(0, 2)) == 0:
                operation["description"] = draw(text())
            if draw(st.integers(0, 8)) == 0:
                operation["deprecated"] = True
            parameters = [] if at_item else list(declared)
            seen = {(p["name"], p["in"]) for p in declared}
            for _ in range(draw(st.integers(0, 3))):
                location = draw(st.sampled_from(["query", "query", "header", "cookie"]))
                name = draw(names())
                if (name, location) in seen:
                    continue
                seen.add((name, location))
                parameters.append(draw(parameter(ctx, location, name)))
            if parameters:
                operation["parameters"] = parameters
            if method in ("post", "put", "patch", "query") and draw(st.integers(0, 3)) != 0:
                operation["requestBody"] = draw(request_body(ctx))
            item[method] = operation
        out[path] = item
    return out


# --- documents --------------------------------------------------------------------------------------------


@st.composite
def documents(draw: st.DrawFn) -> Document:
    version = draw(st.sampled_from(["3.0", "3.1", "3.1", "3.2"]))
    keys = draw(st.lists(names(), max_size=5, unique=True))
    ctx = Ctx(version, list(keys), {})
    for key in keys:
        kind = draw(st.integers(0, 2))
        ctx.built[key] = draw(obj(ctx, 0)) if kind else draw(schema(ctx, 0, recursive_ok=False))
    if draw(st.integers(0, 2)) == 0:
        group = draw(discriminated(ctx, set(ctx.keys)))
        ctx.keys += list(group)
        ctx.built.update(group)
    raw: dict[str, Any] = {
        "openapi": {"3.0": "3.0.3", "3.1": "3.1.0", "3.2": "3.2.0"}[version],
        "info": {"title": draw(text()), "version": draw(text())},
        "paths": draw(paths(ctx)),
    }
    if draw(st.booleans()):
        raw["info"]["description"] = draw(text())
    if ctx.built:
        raw["components"] = {"schemas": {key: node.spec() for key, node in ctx.built.items()}}
    return Document(version, raw, dict(ctx.built))

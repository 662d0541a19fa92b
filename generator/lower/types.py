"""Schemas to type expressions and named definitions (models, request TypedDicts, aliases).

Every component schema gets a definition named from its key; inline objects, enums and discriminated
unions get one named from where they appear (parent + property). Each definition exists in up to two
forms: the output form (pydantic model) and, when used in a request, the input form (a TypedDict).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from openapi_pydantic.v3 import v3_0, v3_1

from ..ir import DictOf, ListOf, LiteralOf, ModelRef, Nullable, Primitive, TupleOf, TypeExpr, UnionOf, rebuild, walk
from ..limits import MAX_FIELDS, MAX_SCHEMA_NESTING
from ..pointers import component_key, escape, resolve
from ..pointers import pointer as make_pointer
from .names import Namespace, class_name, pascal
from .printing import PARSED_STRINGS, SURROGATE
from .problems import Unsupported, Widenings

Schema = v3_0.Schema | v3_1.Schema
Reference = v3_0.Reference | v3_1.Reference

OBJECT = Primitive("object")
NONE = Primitive("None")

_STRING_FORMATS = {
    "date-time": Primitive("datetime"),
    "date": Primitive("date"),
    "time": Primitive("time"),
    "uuid": Primitive("UUID"),
    "decimal": Primitive("Decimal"),
    "binary": Primitive("bytes"),
}
_PRIMITIVES = {"integer": Primitive("int"), "number": Primitive("float"), "boolean": Primitive("bool"), "null": NONE}
_NUMBERS = (Primitive("int"), Primitive("float"))
_DECIMAL = Primitive("Decimal")


@dataclass
class PropertyDraft:
    wire_name: str
    type: TypeExpr
    required: bool
    nullable: bool
    default: object  # _NO_DEFAULT when the schema gives none
    description: str
    deprecated: bool
    read_only: bool
    write_only: bool
    example: object = None  # the schema's `example` (or first of `examples`); None when it gives none


@dataclass
class DefinitionDraft:
    """A named type while lowering; module.py turns it into IR once every name is known."""

    name: str
    kind: str  # model, typeddict, alias
    pointer: str
    description: str = ""
    properties: list[PropertyDraft] = field(default_factory=list)
    type: TypeExpr | None = None  # for aliases
    deprecated: bool = False
    owner: str | None = None  # the definition whose module this inline one lives in
    input_side: bool = False  # a request-side form: TypedDicts, and aliases over them


NO_DEFAULT: Any = object()


REFERENCE_TYPES = (v3_0.Reference, v3_1.Reference)


def is_reference(node: object) -> bool:
    # By exact class: isinstance of a pydantic model class goes through ABCMeta, 9x slower (120,000 calls).
    return type(node) in REFERENCE_TYPES


def spec_value(node: Any, name: str) -> Any:
    """`getattr(node, name, None)` for a spec object: a field of its model, else the same key among its extra
    fields, else None. A keyword the model lacks (`examples` in a 3.0 schema) costs pydantic an exception, 1.8 µs;
    GitHub's schemas ask 45,000 times."""
    extra = getattr(node, "__pydantic_extra__", _NOT_A_MODEL)
    if extra is _NOT_A_MODEL:
        return getattr(node, name, None)
    value = node.__dict__.get(name)
    return extra.get(name) if value is None and extra else value


_NOT_A_MODEL: Any = object()


def _as_reference(schema: Any) -> Any:
    """openapi-pydantic 3.1 reads every component as a Schema, so one that only names another (`$ref`, with a
    description at most) keeps its `$ref` among the extra fields: read it as the Reference it is."""
    extra = getattr(schema, "model_extra", None) or {}
    if isinstance(schema, v3_1.Schema) and isinstance(extra.get("$ref"), str):
        return v3_1.Reference.model_validate(schema.model_dump(by_alias=True, exclude_unset=True))
    return schema


class SchemaLowering:
    def __init__(self, api: Any, raw: dict[str, Any], class_names: Namespace, widenings: Widenings) -> None:
        self.api = api
        self.widenings = widenings
        self.raw = raw
        self.at = ""  # the component being lowered, for internal errors
        self.is_31 = isinstance(api, v3_1.OpenAPI)
        self.names = class_names
        self.definitions: dict[str, DefinitionDraft] = {}
        self._components: dict[str, Any] = {
            key: _as_reference(schema) for key, schema in ((api.components and api.components.schemas) or {}).items()
        }
        self._component_names = {key: self.names.claim(class_name(key)) for key in self._components}
        self._memo: dict[tuple[str, bool], TypeExpr] = {}
        self._in_progress: set[tuple[str, bool]] = set()
        self._nesting = 0  # schemas being lowered inside one another (see MAX_SCHEMA_NESTING)
        self._fields_merged = 0
        self._parsed_refs: dict[str, Any] = {}
        # Keyed by id(); the schema is kept in the value so the id cannot be reused while cached.
        self._types_memo: dict[int, tuple[Schema, tuple[list[str], bool]]] = {}

    # --- entry points -------------------------------------------------------------------------------------

    def lower_components(self) -> None:
        """Every component gets its output form, used or not: the package is the whole API's vocabulary."""
        for key in self._components:
            self.at = make_pointer("components", "schemas", key)
            self.component(key, input_side=False)
        self.at = ""

    def webhook_event(self, ptr: str, hint: str) -> str:
        """Lowers the body schema of a webhook (response side: the API sends it) and returns the `$ref` that
        names it in a union."""
        node = resolve(self.raw, ptr, through_refs=True)
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):
            return str(node["$ref"])
        self.at = ptr
        self._schema(self._parse_pointer(ptr, ptr, "#" + ptr), hint, ptr, input_side=False, owner=None)
        return "#" + ptr

    def named_union(self, name: str, refs: list[str], ptr: str, description: str) -> ModelRef:
        """A named alias of the union of the schemas `refs` name, discriminated where they have a tag."""
        model = v3_1 if self.is_31 else v3_0
        schema = model.Schema.model_validate({"oneOf": [{"$ref": ref} for ref in refs], "description": description})
        union = self._union(schema, name, ptr, input_side=False, owner=None, name_unions=True)
        if isinstance(union, ModelRef) and self.definitions[union.name].pointer == ptr:
            return union  # a discriminated union is named already
        alias = self.names.claim(class_name(name))
        self.definitions[alias] = DefinitionDraft(alias, "alias", ptr, description, type=union)
        return ModelRef(alias)

    def type_of(self, node: Any, hint: str, ptr: str, *, input_side: bool, owner: str | None = None) -> TypeExpr:
        """The type of a schema (or reference) found at `ptr`; new names are built from `hint`."""
        if is_reference(node):
            return self._reference(node.ref, ptr, input_side)
        return self._schema(node, hint, ptr, input_side, owner)

    def component(self, key: str, *, input_side: bool) -> TypeExpr:
        ptr = make_pointer("components", "schemas", key)
        memo_key = (ptr, input_side)
        if memo_key in self._memo:
            return self._memo[memo_key]
        name = self._component_names[key]
        if input_side:
            # The input twin shares the output's name when both are the same printed type (enums, primitives).
            output = self.component(key, input_side=False)
            if not self._needs_input_form(output):
                self._memo[memo_key] = output
                return output
            name = self.names.claim(f"{name}Param")
        ref = ModelRef(name)
        self._memo[memo_key] = ref
        # An input twin lives in its output's module: one file per component, not two.
        owner = self._component_names[key] if input_side else None
        target = self._components[key]
        self._deeper(ptr)
        try:
            if is_reference(target):
                # A component that only names another schema is an alias of it.
                self.definitions[name] = DefinitionDraft(
                    name, "alias", ptr, target.description or "" if self.is_31 else "", input_side=input_side
                )
                self.definitions[name].type = self._reference(target.ref, ptr, input_side)
                return ref
            self._define(name, target, ptr, input_side, owner=owner, named=not input_side)
        finally:
            self._nesting -= 1
        return ref

    def _deeper(self, ptr: str) -> None:
        """Lowering recurses once per schema inside a schema, and once per component a $ref leads to that is not
        lowered yet: bounded, so that no spec can exhaust the stack. The caller steps back up in a `finally` (a
        context manager here cost 35 ms over GitHub's 40,000 schemas)."""
        if self._nesting >= MAX_SCHEMA_NESTING:
            raise Unsupported(
                ptr, f"schemas nest more than {MAX_SCHEMA_NESTING:,} levels deep here (counting each $ref followed)"
            )
        self._nesting += 1

    def break_alias_cycles(self) -> None:
        """A type alias cannot contain itself without a class in between (`Tree = list[Tree]`, or `A = list[B]`
        with `B = A | None`): Python evaluates an alias when its module is imported. The occurrence that closes
        such a cycle is typed as any value, as a recursive inline schema's is."""
        aliases = {name: d for name, d in self.definitions.items() if d.kind == "alias" and d.type is not None}
        on_path: set[str] = set()
        finished: set[str] = set()

        def visit(name: str) -> None:
            on_path.add(name)
            draft = aliases[name]
            assert draft.type is not None
            closing = set()
            for ref in {node.name for node in walk(draft.type) if isinstance(node, ModelRef) and node.name in aliases}:
                if ref in on_path:
                    closing.add(ref)
                elif ref not in finished:
                    visit(ref)
            if closing:

                def widen(expr: TypeExpr) -> TypeExpr | None:
                    if isinstance(expr, ModelRef) and expr.name in closing:
                        return OBJECT
                    if isinstance(expr, UnionOf) and not expr.discriminator:  # `str | object` is `object`
                        return union_of([rebuild(member, widen) for member in expr.members])
                    return None

                draft.type = rebuild(draft.type, widen)
                self.widenings.add(
                    draft.pointer, "recursion", "a schema that contains itself; the inner occurrence is any value"
                )
            on_path.discard(name)
            finished.add(name)

        for name in aliases:
            if name not in finished:
                visit(name)

    # --- references ---------------------------------------------------------------------------------------

    def _reference(self, ref: str, ptr: str, input_side: bool) -> TypeExpr:
        key = component_key(ref)
        if key is not None and key in self._components:
            result = self.component(key, input_side=input_side)
            return Nullable(result) if self._is_nullable_class(key, result) else result
        target_ptr = ref[1:]
        memo_key = (target_ptr, input_side)
        if memo_key in self._memo:
            return self._memo[memo_key]
        schema = self._parse_pointer(target_ptr, ptr, ref)
        hint = class_name(target_ptr.rsplit("/", 1)[-1])
        return self._schema(schema, hint, target_ptr, input_side, owner=None)

    def _is_nullable_class(self, key: str, result: TypeExpr) -> bool:
        """A nullable object component is a class; `None` is added where it is used (an alias, such as a
        nullable enum, carries its own `| None`)."""
        target = self._components[key]
        if is_reference(target) or not isinstance(result, ModelRef):
            return False
        draft = self.definitions.get(result.name)
        return draft is not None and draft.kind != "alias" and self._types(target)[1]

    def _parse_pointer(self, target_ptr: str, ptr: str, ref: str) -> Any:
        if target_ptr not in self._parsed_refs:
            # Loading checked that every reference has a target; a webhook's body may be named through a `$ref`.
            node = resolve(self.raw, target_ptr, through_refs=True)
            model = v3_1.Schema if self.is_31 else v3_0.Schema
            if isinstance(node, dict) and "$ref" in node:
                model = v3_1.Reference if self.is_31 else v3_0.Reference  # type: ignore[assignment]
            self._parsed_refs[target_ptr] = model.model_validate(node)
        parsed = self._parsed_refs[target_ptr]
        if is_reference(parsed):
            raise Unsupported(ptr, f"$ref '{ref}' points at another $ref")
        return parsed

    # --- schemas ------------------------------------------------------------------------------------------

    def _schema(self, schema: Schema, hint: str, ptr: str, input_side: bool, owner: str | None) -> TypeExpr:
        memo_key = (ptr, input_side)
        if memo_key in self._memo:
            return self._memo[memo_key]
        if memo_key in self._in_progress:
            # Objects are named before their properties are lowered, so only a schema that is not an object
            # (an array or union of itself) gets here; the inner occurrence is typed as any value.
            self.widenings.add(ptr, "recursion", "a schema that contains itself; the inner occurrence is any value")
            return OBJECT
        self._deeper(ptr)
        self._in_progress.add(memo_key)
        try:
            result = self._schema_uncached(schema, hint, ptr, input_side, owner)
        finally:
            self._nesting -= 1
            self._in_progress.discard(memo_key)
        self._memo[memo_key] = result
        return result

    def _schema_uncached(self, schema: Schema, hint: str, ptr: str, input_side: bool, owner: str | None) -> TypeExpr:
        types, nullable = self._types(schema)
        return _or_none(self._non_null_type(schema, types, hint, ptr, input_side, owner), nullable)

    def _non_null_type(
        self,
        schema: Schema,
        types: list[str],
        hint: str,
        ptr: str,
        input_side: bool,
        owner: str | None,
        name_unions: bool = True,
    ) -> TypeExpr:
        self._dropped_keywords(schema, ptr)
        fields_set = schema.model_fields_set
        literal_values: list[Any] | None = None
        if "const" in fields_set and schema.const is not None:  # type: ignore[union-attr]
            literal_values = [schema.const]  # type: ignore[union-attr]
        elif schema.enum is not None:
            literal_values = [v for v in schema.enum if v is not None]
            if not literal_values:
                return NONE
        if literal_values is not None:
            if all(_is_literal_value(v) for v in literal_values):
                # Deduplicated by type too: `True == 1`, but `enum: [1, true]` allows both.
                return LiteralOf(tuple({(type(v), v): v for v in literal_values}.values()))
            keyword = "const" if schema.enum is None else "enum"
            self.widenings.add(ptr, keyword, f"{keyword} values that a Literal cannot hold; typed by their JSON type")
            if not types:
                return union_of([value_type(v) for v in literal_values])
        if schema.allOf:
            return self._all_of(schema, hint, ptr, input_side, owner)
        if (schema.oneOf or schema.anyOf) and not schema.properties:
            return self._union(schema, hint, ptr, input_side, owner, name_unions)
        if len(types) > 1:
            members = [self._single_type(schema, t, hint, ptr, input_side, owner) for t in types]
            return union_of(members)
        return self._single_type(schema, types[0] if types else "", hint, ptr, input_side, owner)

    def _single_type(
        self, schema: Schema, kind: str, hint: str, ptr: str, input_side: bool, owner: str | None
    ) -> TypeExpr:
        if kind == "string":
            return _STRING_FORMATS.get(schema.schema_format or "", Primitive("str"))  # `byte` too: base64 text
        if kind in _PRIMITIVES:
            return _PRIMITIVES[kind]
        if kind == "array" or (not kind and schema.items is not None):
            return self._array(schema, hint, ptr, input_side, owner)
        if kind == "object" or (
            not kind
            and (schema.properties or schema.additionalProperties not in (None, False) or _pattern_properties(schema))
        ):
            return self._object(schema, hint, ptr, input_side, owner)
        return OBJECT

    def _types(self, schema: Schema) -> tuple[list[str], bool]:
        """The JSON types a schema allows, without null, and whether null is allowed (3.0 and 3.1 spellings)."""
        key = id(schema)
        if key not in self._types_memo:
            self._types_memo[key] = (schema, self._compute_types(schema))
        return self._types_memo[key][1]

    def _compute_types(self, schema: Schema) -> tuple[list[str], bool]:
        declared = schema.type
        if declared is None:
            kinds: list[str] = []
        elif isinstance(declared, list):
            kinds = [str(getattr(t, "value", t)) for t in declared]
        else:
            kinds = [str(getattr(declared, "value", declared))]
        nullable = "null" in kinds or (not self.is_31 and bool(schema.nullable))  # type: ignore[union-attr]
        if schema.enum is not None and None in schema.enum:
            nullable = True
        return [k for k in kinds if k != "null"] or ([] if not kinds else ["null"]), nullable

    def _array(self, schema: Schema, hint: str, ptr: str, input_side: bool, owner: str | None) -> TypeExpr:
        prefix = spec_value(schema, "prefixItems")
        if prefix:
            return self._tuple(schema, [self._parsed(item) for item in prefix], hint, ptr, input_side, owner)
        if schema.items is None:
            return ListOf(OBJECT)
        item_hint = hint if hint.endswith("Item") else f"{hint}Item"
        return ListOf(self.type_of(schema.items, item_hint, ptr + "/items", input_side=input_side, owner=owner))

    def _tuple(
        self, schema: Schema, prefix: list[Any], hint: str, ptr: str, input_side: bool, owner: str | None
    ) -> TypeExpr:
        items = [
            self.type_of(
                item, f"{hint}Item{index + 1}", f"{ptr}/prefixItems/{index}", input_side=input_side, owner=owner
            )
            for index, item in enumerate(prefix)
        ]
        if (schema.minItems or 0) >= len(items) and schema.maxItems == len(items):
            return TupleOf(tuple(items))
        # Shorter or longer arrays are allowed too: a list of any of the item types says that (more widely).
        if schema.maxItems is not None and schema.maxItems <= len(items):
            pass  # no item beyond the positional ones (`items: false` is read as this)
        elif schema.items is not None:
            items.append(self.type_of(schema.items, f"{hint}Item", ptr + "/items", input_side=input_side, owner=owner))
        else:
            items.append(OBJECT)
        self.widenings.add(ptr, "prefixItems", "an array of varying length whose items have positions; a list")
        return ListOf(union_of(items))

    def _object(self, schema: Schema, hint: str, ptr: str, input_side: bool, owner: str | None) -> TypeExpr:
        extra = schema.additionalProperties
        if not schema.properties:
            values = [
                (f"{ptr}/patternProperties/{escape(pattern)}", self._parsed(node))
                for pattern, node in _pattern_properties(schema)
            ]
            if isinstance(extra, (v3_0.Schema, v3_1.Schema, v3_0.Reference, v3_1.Reference)):
                values.append((ptr + "/additionalProperties", extra))
            elif extra is None or extra is True or not values:
                values.append(("", None))
            members = [
                self.type_of(node, f"{hint}Value", value_ptr, input_side=input_side, owner=owner)
                if node is not None
                else OBJECT
                for value_ptr, node in values
            ]
            return DictOf(union_of(members))
        name = self.names.claim(class_name(hint) + ("Param" if input_side and not hint.endswith("Param") else ""))
        self._memo[(ptr, input_side)] = ModelRef(name)  # before its properties: an inline schema may contain itself
        self._define(name, schema, ptr, input_side, owner=owner, named=False)
        return ModelRef(name)

    def _all_of(self, schema: Schema, hint: str, ptr: str, input_side: bool, owner: str | None) -> TypeExpr:
        """A value of an allOf satisfies every piece, so the type of any one piece is sound; objects merge their
        properties. Pieces that only add constraints types cannot express (lengths, patterns) change nothing."""
        parts = list(self._flatten_all_of(schema, ptr))
        nullable = any(self._types(s)[1] and not self._types(s)[0] for _, s in parts)
        objects = [(p, s) for p, s in parts if self._is_object(s)]
        typed = [(p, s) for p, s in parts if not self._is_object(s) and _is_typed(s)]
        if objects:  # _define reports typed pieces beside the objects as a widening
            pieces = list(schema.allOf or [])
            if len(parts) == 1 and len(pieces) == 1 and is_reference(pieces[0]) and not schema.properties:
                # `allOf: [$ref]` is the usual way to attach a description to a reference: it is the same type.
                return self.type_of(pieces[0], hint, ptr + "/allOf/0", input_side=input_side, owner=owner)
            name = self.names.claim(class_name(hint) + ("Param" if input_side else ""))
            self._memo[(ptr, input_side)] = ModelRef(name)
            self._define(name, schema, ptr, input_side, owner=owner, named=False)
            return ModelRef(name)
        if not parts:
            return OBJECT
        # The most telling piece types the whole: a named one, else one that lists its values, else the first.
        primary_ptr, primary = min(
            typed or parts, key=lambda part: (not part[0].startswith("/components/"), part[1].enum is None)
        )
        kinds = {tuple(self._types(s)[0]) for _, s in typed}
        if len(typed) > 1 and (len(kinds) > 1 or sum(s.enum is not None for _, s in typed) > 1):
            self.widenings.add(ptr, "allOf", f"allOf of several typed schemas; typed by {primary_ptr}")
        result = self._piece_type(primary_ptr, primary, hint, input_side, owner)
        # A piece that allows only null (3.0 authors write `nullable: true` there) means the whole may be null.
        return _or_none(result, nullable)

    def _piece_type(self, part_ptr: str, part: Schema, hint: str, input_side: bool, owner: str | None) -> TypeExpr:
        """An allOf piece's type; a component piece by its reference, so it keeps its name."""
        if re.fullmatch(r"/components/schemas/[^/]+", part_ptr):
            return self._reference("#" + part_ptr, part_ptr, input_side)
        return self._schema(part, hint, part_ptr, input_side, owner)

    def _union(
        self, schema: Schema, hint: str, ptr: str, input_side: bool, owner: str | None, name_unions: bool
    ) -> TypeExpr:
        keyword = "oneOf" if schema.oneOf else "anyOf"
        variants = list(schema.oneOf or schema.anyOf or [])
        members: list[TypeExpr] = []
        for index, variant in enumerate(variants):
            variant_ptr = f"{ptr}/{keyword}/{index}"
            variant_hint = self._variant_hint(variant, hint, index)
            members.append(self.type_of(variant, variant_hint, variant_ptr, input_side=input_side, owner=owner))
        union = union_of(members)
        if not isinstance(union, (UnionOf, Nullable)) or input_side:
            return union
        inner = union.inner if isinstance(union, Nullable) else union
        if not isinstance(inner, UnionOf):
            return union
        # The variant each member came from (two variants may name one type; a nested union adds members).
        first_variant: dict[TypeExpr, Any] = {}
        for member, variant in zip(members, variants, strict=True):
            first_variant.setdefault(member.inner if isinstance(member, Nullable) else member, variant)
        if any(member not in first_variant for member in inner.members):
            return union
        discriminated = self._discriminate(schema, inner, [first_variant[m] for m in inner.members], ptr)
        if discriminated is None:
            return union
        if not name_unions:
            return Nullable(discriminated) if isinstance(union, Nullable) else discriminated
        # A discriminated union is always named: its annotation is long and it needs runtime support.
        alias = self.names.claim(class_name(hint))
        self.definitions[alias] = DefinitionDraft(
            alias, "alias", ptr, description=schema.description or "", type=discriminated, owner=owner
        )
        ref: TypeExpr = ModelRef(alias)
        return Nullable(ref) if isinstance(union, Nullable) else ref

    def _variant_hint(self, variant: Any, hint: str, index: int) -> str:
        title = getattr(variant, "title", None)
        return f"{hint}{pascal(title)}" if title and pascal(title) else f"{hint}Variant{index + 1}"

    # --- discriminators -----------------------------------------------------------------------------------

    def _discriminate(self, schema: Schema, union: UnionOf, variants: list[Any], ptr: str) -> UnionOf | None:
        """Members selected by a tag property: the spec's `discriminator`, or a property every member
        declares with a single distinct const/enum value."""
        if not all(isinstance(m, ModelRef) and self.definitions.get(m.name, None) is not None for m in union.members):
            return None
        drafts = [self.definitions[m.name] for m in union.members]  # type: ignore[union-attr]
        if any(d.kind != "model" for d in drafts):
            return None
        spec_discriminator = schema.discriminator
        if spec_discriminator is not None:
            prop = spec_discriminator.propertyName
            mapping = spec_discriminator.mapping or {}
            tags: list[tuple[str, ...]] = []
            for member, variant, draft in zip(union.members, variants, drafts, strict=True):
                values = [k for k, target in mapping.items() if is_reference(variant) and target == variant.ref]
                values += [k for k, target in mapping.items() if target == getattr(member, "name", None)]
                if not values:
                    values = list(_tag_values(draft, prop)) or (
                        [variant.ref.rsplit("/", 1)[-1]] if is_reference(variant) else []
                    )
                if not values:
                    self.widenings.add(
                        ptr, "discriminator", f"no '{prop}' value selects {draft.name}; an undiscriminated union"
                    )
                    return None
                tags.append(tuple(dict.fromkeys(values)))
            return UnionOf(union.members, prop, tuple(tags))
        for prop in _common_required_properties(drafts):
            implied = [_tag_values(d, prop) for d in drafts]
            flat = [v for vs in implied for v in vs]
            if all(implied) and len(flat) == len(set(flat)):
                return UnionOf(union.members, prop, tuple(implied))
        return None

    # --- definitions --------------------------------------------------------------------------------------

    def _define(self, name: str, schema: Schema, ptr: str, input_side: bool, owner: str | None, named: bool) -> None:
        """Fill the definition for `name`. Registered before its properties are lowered, so recursion ends."""
        draft = DefinitionDraft(
            name, "typeddict" if input_side else "model", ptr, owner=None if named else owner, input_side=input_side
        )
        self.definitions[name] = draft
        self._dropped_keywords(schema, ptr)
        draft.description = schema.description or ""
        draft.deprecated = bool(schema.deprecated)
        home = name if named else (owner or name)
        hint = name.removesuffix("Param") if input_side else name  # names inside get their own suffix
        if schema.allOf or self._is_object(schema):
            parts = list(self._flatten_all_of(schema, ptr)) if schema.allOf else [(ptr, schema)]
            if schema.allOf and not any(self._is_object(s) for _, s in parts):
                types, nullable = self._types(schema)
                draft.kind = "alias"
                target = self._non_null_type(schema, types, hint, ptr, input_side, home, name_unions=False)
                draft.type = _or_none(target, nullable)
                return
            if schema.allOf and any(not self._is_object(s) and _is_typed(s) for _, s in parts):
                self.widenings.add(ptr, "allOf", "allOf of an object and non-object schemas; typed by the object")
            draft.properties = self._merged_properties(parts, name, input_side, home)
            draft.properties += self._variant_properties(schema, ptr, draft.properties, name, input_side, home)
            if schema.allOf and not draft.description:
                draft.description = next((s.description for _, s in parts if s.description), "") or ""
            return
        types, nullable = self._types(schema)
        target = self._non_null_type(schema, types, hint, ptr, input_side, home, name_unions=False)
        draft.kind = "alias"
        draft.type = _or_none(target, nullable)

    def _merged_properties(
        self, parts: list[tuple[str, Schema]], name: str, input_side: bool, home: str
    ) -> list[PropertyDraft]:
        merged: dict[str, PropertyDraft] = {}
        pointers: dict[str, str] = {}
        required: set[str] = set()
        for part_ptr, part in parts:
            self._fields_merged += len(part.properties or {})
            if self._fields_merged > MAX_FIELDS:
                # Each allOf repeats the fields of its pieces, so models can hold quadratically many fields in all.
                raise Unsupported(part_ptr, f"the models of this spec would hold more than {MAX_FIELDS:,} fields")
            required.update(part.required or [])
            for wire, prop in (part.properties or {}).items():
                pointers[wire] = f"{part_ptr}/properties/{escape(wire)}"
                merged[wire] = self._property(wire, prop, pointers[wire], name, input_side, home)
        for wire in required & merged.keys():
            merged[wire].required = True
        kept = [p for p in merged.values() if not (p.read_only if input_side else p.write_only)]
        if not input_side:
            for p in [p for p in kept if SURROGATE.search(p.wire_name)]:
                # No JSON text can carry the name (RFC 8259 8.2; pydantic's parser refuses it), and pydantic
                # cannot hold it as an alias: no response can have the field.
                self.widenings.add(
                    pointers[p.wire_name], "property", "a name with a lone surrogate; left out of the response model"
                )
                kept.remove(p)
        return kept

    def _property(self, wire: str, prop: Any, ptr: str, name: str, input_side: bool, home: str) -> PropertyDraft:
        resolved = self._resolve(prop)
        hint = f"{name.removesuffix('Param')}{pascal(wire) or 'Property'}"
        prop_type = self.type_of(prop, hint, ptr, input_side=input_side, owner=home)
        return PropertyDraft(
            wire_name=wire,
            type=prop_type,
            required=False,
            nullable=isinstance(prop_type, Nullable) or prop_type == NONE,
            default=resolved.default if resolved is not None and "default" in resolved.model_fields_set else NO_DEFAULT,
            description=_description(prop),
            deprecated=bool(resolved is not None and resolved.deprecated),
            read_only=bool(resolved is not None and resolved.readOnly),
            write_only=bool(resolved is not None and resolved.writeOnly),
            example=_schema_example(resolved),
        )

    def _variant_properties(
        self, schema: Schema, ptr: str, known: list[PropertyDraft], name: str, input_side: bool, home: str
    ) -> list[PropertyDraft]:
        """`properties` beside `oneOf`/`anyOf` states which combinations are valid (often just "at least one
        of these is required"). Types cannot say that; every property a variant adds is kept, optional."""
        keyword = "oneOf" if schema.oneOf else "anyOf"
        seen = {p.wire_name for p in known}
        added: list[PropertyDraft] = []
        for index, node in enumerate(schema.oneOf or schema.anyOf or []):
            variant_ptr, variant = self._followed(node, f"{ptr}/{keyword}/{index}")
            for prop in self._merged_properties([(variant_ptr, variant)], name, input_side, home):
                if prop.wire_name not in seen:
                    seen.add(prop.wire_name)
                    prop.required = False
                    added.append(prop)
        return added

    def _flatten_all_of(self, schema: Schema, ptr: str) -> list[tuple[str, Schema]]:
        """The schemas an allOf merges, depth first, with nested allOfs and references followed. Each is merged
        once: allOf is idempotent, and a piece reached twice (`A: allOf [B, B]`, `B: allOf [C, C]`, ...) would
        otherwise be merged exponentially often."""
        parts: list[tuple[str, Schema]] = []
        seen = {ptr}
        pending = [(ptr, schema)]
        while pending:
            part_ptr, part = pending.pop()
            if not part.allOf:
                parts.append((part_ptr, part))
                continue
            own = part.model_copy(update={"allOf": None})
            if own.properties or own.required:
                parts.append((part_ptr, own))
            pieces = []
            for index, node in enumerate(part.allOf):
                piece_ptr, piece = self._followed(node, f"{part_ptr}/allOf/{index}")
                if piece_ptr not in seen:
                    seen.add(piece_ptr)
                    pieces.append((piece_ptr, piece))
            pending.extend(reversed(pieces))
        return parts

    def _deref(self, ref: str, ptr: str) -> tuple[str, Schema]:
        seen: set[str] = set()
        # A component that only names another: follow it.
        while (key := component_key(ref)) is not None and key in self._components and ref not in seen:
            seen.add(ref)
            target = self._components[key]
            if not is_reference(target):
                return make_pointer("components", "schemas", key), target
            ref, ptr = target.ref, make_pointer("components", "schemas", key)
        return ref[1:], self._parse_pointer(ref[1:], ptr, ref)

    def _followed(self, node: Any, ptr: str) -> tuple[str, Schema]:
        """The pointer and schema of the node at `ptr`, a reference followed to its target."""
        return self._deref(node.ref, ptr) if is_reference(node) else (ptr, node)

    def _resolve(self, node: Any) -> Schema | None:
        try:
            return self._followed(node, "")[1]
        except Unsupported:
            return None

    def _parsed(self, node: Any) -> Any:
        """A schema from a field the 3.0 model does not know (kept as plain data), as a schema object."""
        if not isinstance(node, dict):
            return node
        version = v3_1 if self.is_31 else v3_0
        return (version.Reference if "$ref" in node else version.Schema).model_validate(node)

    def _dropped_keywords(self, schema: Schema, ptr: str) -> None:
        # Looked up in the set of given fields: 3.0 schemas have no `if`, and a missing attribute is slow to probe.
        for field_name in sorted(_NARROWING.keys() & schema.model_fields_set):
            spelled = _NARROWING[field_name]
            self.widenings.add(ptr, spelled, f"'{spelled}' only narrows the type; dropped")

    def _is_object(self, schema: Schema) -> bool:
        types, _ = self._types(schema)
        if ((schema.oneOf or schema.anyOf) and not schema.properties) or schema.enum is not None:
            return False
        return bool(schema.properties) or (types == ["object"] and not schema.additionalProperties)

    def _needs_input_form(self, output: TypeExpr) -> bool:
        """Input and output print differently once a model (TypedDict vs pydantic) or container is inside."""
        return any(self._prints_differently(node) for node in walk(output))

    def _prints_differently(self, node: TypeExpr) -> bool:
        if isinstance(node, ModelRef):
            draft = self.definitions.get(node.name)
            return (
                draft is None
                or draft.kind != "alias"
                or (draft.type is not None and self._needs_input_form(draft.type))
            )
        if isinstance(node, (ListOf, DictOf)):
            return True
        return isinstance(node, Primitive) and node.name in PARSED_STRINGS


# Keywords that only narrow what the rest of a schema allows: dropping them widens the type soundly.
_NARROWING = {
    "schema_not": "not",
    "schema_if": "if",
    "then": "if",
    "schema_else": "if",
    "dependentSchemas": "dependentSchemas",
}


def _is_literal_value(value: object) -> bool:
    if isinstance(value, str):
        # pydantic cannot build a Literal of a string with a lone surrogate (JSON's "\ud800"): no UTF-8 form
        return not SURROGATE.search(value)
    if isinstance(value, int):
        return abs(value) < 2**63  # mypy refuses a Literal of an integer that needs more than 64 bits
    return isinstance(value, bool)


def _or_none(expr: TypeExpr, nullable: bool) -> TypeExpr:
    """`expr | None` when nullable, once: a type that holds null already (or is null) stays as it is."""
    return Nullable(expr) if nullable and expr != NONE and not isinstance(expr, Nullable) else expr


def value_type(value: object) -> TypeExpr:
    """The widest type of a JSON value's kind."""
    if isinstance(value, bool):
        return Primitive("bool")
    if isinstance(value, (int, float)):
        return Primitive("float") if isinstance(value, float) else Primitive("int")
    if isinstance(value, str):
        return Primitive("str")
    if isinstance(value, list):
        return ListOf(OBJECT)
    if isinstance(value, dict):
        return DictOf(OBJECT)
    return NONE


def _pattern_properties(schema: Schema) -> list[tuple[str, Any]]:
    return list((spec_value(schema, "patternProperties") or {}).items())


def _is_typed(schema: Schema) -> bool:
    """Does the piece say what kind of value it is (rather than only constrain or annotate one)?"""
    fields = schema.model_fields_set
    return bool(schema.type is not None and schema.type != "null" and schema.type != ["null"]) or bool(
        fields & {"enum", "const", "oneOf", "anyOf", "items", "properties", "additionalProperties", "prefixItems"}
    )


def union_of(members: list[TypeExpr]) -> TypeExpr:
    flat: list[TypeExpr] = []
    nullable = False
    for member in members:
        if isinstance(member, Nullable):
            nullable, member = True, member.inner
        if member == NONE:
            nullable = True
            continue
        inner_members = member.members if isinstance(member, UnionOf) and not member.discriminator else (member,)
        for inner in inner_members:
            if inner not in flat:
                flat.append(inner)
    if OBJECT in flat:
        flat = [OBJECT]
    numbers = [i for i, member in enumerate(flat) if member in _NUMBERS]
    if _DECIMAL in flat and numbers and flat.index(_DECIMAL) < numbers[-1]:
        # pydantic's smart union breaks a tie by order: before the numbers, a Decimal would take a JSON number
        # (and dump it as a string). After them it still takes a decimal string.
        flat.insert(numbers[-1], flat.pop(flat.index(_DECIMAL)))
    core: TypeExpr = NONE if not flat else flat[0] if len(flat) == 1 else UnionOf(tuple(flat))
    return _or_none(core, nullable)


def _schema_example(schema: Any) -> object:
    if schema is None:
        return None
    if spec_value(schema, "example") is not None:
        return schema.example
    examples = spec_value(schema, "examples")
    return examples[0] if isinstance(examples, list) and examples else None


def _description(node: Any) -> str:
    """A property's own description; a referenced schema's description documents that schema, not the field."""
    return getattr(node, "description", None) or ""


def _tag_values(draft: DefinitionDraft, prop: str) -> tuple[str, ...]:
    for p in draft.properties:
        if p.wire_name == prop and p.required and isinstance(p.type, LiteralOf):
            return tuple(str(v) for v in p.type.values if isinstance(v, str))
    return ()


def _common_required_properties(drafts: list[DefinitionDraft]) -> list[str]:
    first = [p.wire_name for p in drafts[0].properties if p.required and isinstance(p.type, LiteralOf)]
    return [
        name for name in first if all(any(p.wire_name == name and p.required for p in d.properties) for d in drafts[1:])
    ]

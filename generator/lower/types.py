"""Schemas to type expressions and named definitions (models, request TypedDicts, aliases).

Every component schema gets a definition named from its key; inline objects, enums and discriminated
unions get one named from where they appear (parent + property). Each definition exists in up to two
forms: the output form (pydantic model) and, when used in a request, the input form (a TypedDict).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from openapi_pydantic.v3 import v3_0, v3_1

from ..errors import pointer as make_pointer
from ..ir import DictOf, ListOf, LiteralOf, ModelRef, Nullable, Primitive, TypeExpr, UnionOf
from .names import Namespace, class_name, pascal
from .problems import Unsupported

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
    return isinstance(node, REFERENCE_TYPES)


class SchemaLowering:
    def __init__(self, api: Any, raw: dict[str, Any], class_names: Namespace, skip_unsupported: bool = False) -> None:
        self.api = api
        self.skip_unsupported = skip_unsupported
        self.skipped: list[str] = []
        self.raw = raw
        self.is_31 = isinstance(api, v3_1.OpenAPI)
        self.names = class_names
        self.definitions: dict[str, DefinitionDraft] = {}
        self._components: dict[str, Any] = dict((api.components and api.components.schemas) or {})
        self._component_names = {key: self.names.claim(class_name(key)) for key in self._components}
        self._memo: dict[tuple[str, bool], TypeExpr] = {}
        self._in_progress: set[tuple[str, bool]] = set()
        self._parsed_refs: dict[str, Any] = {}
        # Keyed by id(); the schema is kept in the value so the id cannot be reused while cached.
        self._types_memo: dict[int, tuple[Schema, tuple[list[str], bool]]] = {}

    # --- entry points -------------------------------------------------------------------------------------

    def lower_components(self) -> None:
        """Every component gets its output form, used or not: the package is the whole API's vocabulary."""
        for key in self._components:
            self.component(key, input_side=False)

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
        try:
            self._define(name, self._components[key], ptr, input_side, owner=owner, named=not input_side)
        except Unsupported as problem:
            if not self.skip_unsupported:
                raise
            # What refers to this component still works: it becomes "any JSON value", and says why.
            reason = f"{problem.pointer}: {problem.reason}"
            self.definitions[name] = DefinitionDraft(name, "alias", ptr, f"Left out ({reason}).", type=OBJECT)
            self.skipped.append(f"{ptr}: typed as object, {reason}")
        return ref

    # --- references ---------------------------------------------------------------------------------------

    def _reference(self, ref: str, ptr: str, input_side: bool) -> TypeExpr:
        prefix = "#/components/schemas/"
        if ref.startswith(prefix) and "/" not in ref[len(prefix) :]:
            key = ref[len(prefix) :].replace("~1", "/").replace("~0", "~")
            if key in self._components:
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
            node: Any = self.raw
            for token in target_ptr.lstrip("/").split("/"):
                token = token.replace("~1", "/").replace("~0", "~")
                node = node[int(token)] if isinstance(node, list) else node[token]
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
            raise Unsupported(ptr, "schema refers to itself without a named component in between")
        self._in_progress.add(memo_key)
        try:
            result = self._schema_uncached(schema, hint, ptr, input_side, owner)
        finally:
            self._in_progress.discard(memo_key)
        self._memo[memo_key] = result
        return result

    def _schema_uncached(self, schema: Schema, hint: str, ptr: str, input_side: bool, owner: str | None) -> TypeExpr:
        types, nullable = self._types(schema)
        result = self._non_null_type(schema, types, hint, ptr, input_side, owner)
        if nullable and result != NONE and not isinstance(result, Nullable):
            return Nullable(result)
        return result

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
        _check_expressible(schema, ptr)
        fields_set = schema.model_fields_set
        if "const" in fields_set and schema.const is not None:  # type: ignore[union-attr]
            return self._literal([schema.const], ptr)  # type: ignore[union-attr]
        if schema.enum is not None:
            values = [v for v in schema.enum if v is not None]
            if not values:
                return NONE
            if all(isinstance(v, float) and not isinstance(v, bool) for v in values):
                return Primitive("float")
            return self._literal(values, ptr)
        if schema.allOf:
            return self._all_of(schema, hint, ptr, input_side, owner)
        if (schema.oneOf or schema.anyOf) and not schema.properties:
            return self._union(schema, hint, ptr, input_side, owner, name_unions)
        if len(types) > 1:
            members = [self._single_type(schema, t, hint, ptr, input_side, owner) for t in types]
            return _union_of(members)
        return self._single_type(schema, types[0] if types else "", hint, ptr, input_side, owner)

    def _single_type(
        self, schema: Schema, kind: str, hint: str, ptr: str, input_side: bool, owner: str | None
    ) -> TypeExpr:
        if kind == "string":
            if schema.schema_format == "byte":
                return Primitive("str")  # base64 text
            return _STRING_FORMATS.get(schema.schema_format or "", Primitive("str"))
        if kind in _PRIMITIVES:
            return _PRIMITIVES[kind]
        if kind == "array" or (not kind and schema.items is not None):
            return self._array(schema, hint, ptr, input_side, owner)
        if kind == "object" or (not kind and (schema.properties or schema.additionalProperties not in (None, False))):
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

    def _literal(self, values: list[Any], ptr: str) -> TypeExpr:
        for value in values:
            if not isinstance(value, (str, int, bool)):
                raise Unsupported(ptr, f"enum/const value {value!r} cannot be a Literal")
        return LiteralOf(tuple(dict.fromkeys(values)))

    def _array(self, schema: Schema, hint: str, ptr: str, input_side: bool, owner: str | None) -> TypeExpr:
        if "prefixItems" in schema.model_fields_set:
            raise Unsupported(ptr, "tuple schemas ('prefixItems') are not supported")
        if schema.items is None:
            return ListOf(OBJECT)
        item_hint = hint if hint.endswith("Item") else f"{hint}Item"
        return ListOf(self.type_of(schema.items, item_hint, ptr + "/items", input_side=input_side, owner=owner))

    def _object(self, schema: Schema, hint: str, ptr: str, input_side: bool, owner: str | None) -> TypeExpr:
        extra = schema.additionalProperties
        if not schema.properties:
            if isinstance(extra, (v3_0.Schema, v3_1.Schema, v3_0.Reference, v3_1.Reference)):
                return DictOf(
                    self.type_of(
                        extra, f"{hint}Value", ptr + "/additionalProperties", input_side=input_side, owner=owner
                    )
                )
            return DictOf(OBJECT)
        name = self.names.claim(class_name(hint) + ("Param" if input_side and not hint.endswith("Param") else ""))
        self._define(name, schema, ptr, input_side, owner=owner, named=False)
        return ModelRef(name)

    def _all_of(self, schema: Schema, hint: str, ptr: str, input_side: bool, owner: str | None) -> TypeExpr:
        parts = list(self._flatten_all_of(schema, ptr))
        objects = [(p, s) for p, s in parts if self._is_object(s)]
        others = [(p, s) for p, s in parts if not self._is_object(s) and not _is_empty(s)]
        if others and objects:
            raise Unsupported(ptr, "allOf mixes object and non-object schemas")
        if not objects:
            if len(parts) == 1 or len(others) == 1:
                part_ptr, part = (others or parts)[0]
                return self._schema(part, hint, part_ptr, input_side, owner)
            raise Unsupported(ptr, "allOf of several non-object schemas cannot be merged")
        if len(parts) == 1 and len(schema.allOf or []) == 1 and is_reference(schema.allOf[0]) and not schema.properties:  # type: ignore[index]
            # `allOf: [$ref]` is the usual way to attach a description to a reference: it is the same type.
            return self.type_of(schema.allOf[0], hint, ptr + "/allOf/0", input_side=input_side, owner=owner)  # type: ignore[index]
        name = self.names.claim(class_name(hint) + ("Param" if input_side else ""))
        self._define(name, schema, ptr, input_side, owner=owner, named=False)
        return ModelRef(name)

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
        union = _union_of(members)
        if not isinstance(union, (UnionOf, Nullable)) or input_side:
            return union
        inner = union.inner if isinstance(union, Nullable) else union
        if not isinstance(inner, UnionOf):
            return union
        discriminated = self._discriminate(schema, inner, variants, ptr)
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
                    raise Unsupported(ptr, f"discriminator '{prop}': no tag value selects member {draft.name}")
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
        _check_expressible(schema, ptr)
        draft.description = schema.description or ""
        draft.deprecated = bool(schema.deprecated)
        home = name if named else (owner or name)
        hint = name.removesuffix("Param") if input_side else name  # names inside get their own suffix
        if schema.allOf or self._is_object(schema):
            parts = list(self._flatten_all_of(schema, ptr)) if schema.allOf else [(ptr, schema)]
            if schema.allOf and not self._is_object_parts(parts):
                types = self._types(schema)[0]
                draft.kind = "alias"
                draft.type = self._non_null_type(schema, types, hint, ptr, input_side, home, name_unions=False)
                return
            draft.properties = self._merged_properties(parts, name, input_side, home)
            draft.properties += self._variant_properties(schema, ptr, draft.properties, name, input_side, home)
            if schema.allOf and not draft.description:
                draft.description = next((s.description for _, s in parts if s.description), "") or ""
            return
        types, nullable = self._types(schema)
        target = self._non_null_type(schema, types, hint, ptr, input_side, home, name_unions=False)
        draft.kind = "alias"
        draft.type = Nullable(target) if nullable and target != NONE else target

    def _merged_properties(
        self, parts: list[tuple[str, Schema]], name: str, input_side: bool, home: str
    ) -> list[PropertyDraft]:
        merged: dict[str, PropertyDraft] = {}
        required: set[str] = set()
        for part_ptr, part in parts:
            required.update(part.required or [])
            for wire, prop in (part.properties or {}).items():
                prop_ptr = f"{part_ptr}/properties/{wire.replace('~', '~0').replace('/', '~1')}"
                resolved = self._resolve(prop)
                prop_type = self.type_of(
                    prop,
                    f"{name.removesuffix('Param')}{pascal(wire) or 'Property'}",
                    prop_ptr,
                    input_side=input_side,
                    owner=home,
                )
                nullable = isinstance(prop_type, Nullable) or prop_type == NONE
                merged[wire] = PropertyDraft(
                    wire_name=wire,
                    type=prop_type,
                    required=False,
                    nullable=nullable,
                    default=resolved.default
                    if resolved is not None and "default" in resolved.model_fields_set
                    else NO_DEFAULT,
                    description=_description(prop),
                    deprecated=bool(resolved is not None and resolved.deprecated),
                    read_only=bool(resolved is not None and resolved.readOnly),
                    write_only=bool(resolved is not None and resolved.writeOnly),
                )
        for wire in required:
            if wire in merged:
                merged[wire].required = True
        kept = [p for p in merged.values() if not (p.read_only if input_side else p.write_only)]
        return kept

    def _variant_properties(
        self, schema: Schema, ptr: str, known: list[PropertyDraft], name: str, input_side: bool, home: str
    ) -> list[PropertyDraft]:
        """`properties` beside `oneOf`/`anyOf` states which combinations are valid (often just "at least one
        of these is required"). Types cannot say that; every property a variant adds is kept, optional."""
        keyword = "oneOf" if schema.oneOf else "anyOf"
        seen = {p.wire_name for p in known}
        added: list[PropertyDraft] = []
        for index, node in enumerate(schema.oneOf or schema.anyOf or []):
            variant_ptr, variant = (
                self._deref(node.ref, f"{ptr}/{keyword}/{index}")
                if isinstance(node, REFERENCE_TYPES)
                else (f"{ptr}/{keyword}/{index}", node)
            )
            for prop in self._merged_properties([(variant_ptr, variant)], name, input_side, home):
                if prop.wire_name not in seen:
                    seen.add(prop.wire_name)
                    prop.required = False
                    added.append(prop)
        return added

    def _flatten_all_of(self, schema: Schema, ptr: str) -> Iterator[tuple[str, Schema]]:
        """The schemas an allOf merges, with nested allOfs and references followed."""
        own = schema.model_copy(update={"allOf": None})
        if own.properties or own.required:
            yield ptr, own
        for index, node in enumerate(schema.allOf or []):
            part_ptr, part = (
                self._deref(node.ref, f"{ptr}/allOf/{index}")
                if isinstance(node, REFERENCE_TYPES)
                else (f"{ptr}/allOf/{index}", node)
            )
            if part.allOf:
                yield from self._flatten_all_of(part, part_ptr)
            else:
                yield part_ptr, part

    def _deref(self, ref: str, ptr: str) -> tuple[str, Schema]:
        prefix = "#/components/schemas/"
        key = ref[len(prefix) :].replace("~1", "/").replace("~0", "~") if ref.startswith(prefix) else None
        if key is not None and key in self._components:
            target = self._components[key]
            target_ptr = make_pointer("components", "schemas", key)
            if is_reference(target):
                return self._deref(target.ref, target_ptr)
            return target_ptr, target
        return ref[1:], self._parse_pointer(ref[1:], ptr, ref)

    def _resolve(self, node: Any) -> Schema | None:
        if is_reference(node):
            try:
                return self._deref(node.ref, "")[1]
            except Unsupported:
                return None
        return node  # type: ignore[no-any-return]

    def _is_object(self, schema: Schema) -> bool:
        types, _ = self._types(schema)
        if ((schema.oneOf or schema.anyOf) and not schema.properties) or schema.enum is not None:
            return False
        return bool(schema.properties) or (types == ["object"] and not schema.additionalProperties)

    def _is_object_parts(self, parts: list[tuple[str, Schema]]) -> bool:
        return any(self._is_object(s) for _, s in parts)

    def _needs_input_form(self, output: TypeExpr) -> bool:
        """Input and output print differently once a model (TypedDict vs pydantic) or container is inside."""
        if isinstance(output, ModelRef):
            draft = self.definitions.get(output.name)
            return (
                draft is None
                or draft.kind != "alias"
                or (draft.type is not None and self._needs_input_form(draft.type))
            )
        if isinstance(output, (ListOf, DictOf)):
            return True
        if isinstance(output, Nullable):
            return self._needs_input_form(output.inner)
        if isinstance(output, UnionOf):
            return any(self._needs_input_form(m) for m in output.members)
        if isinstance(output, Primitive):
            return output.name in ("datetime", "date", "time", "UUID", "Decimal")
        return False


_INEXPRESSIBLE = frozenset({"schema_not", "schema_if"})


def _check_expressible(schema: Schema, ptr: str) -> None:
    # Looked up in the set of given fields: 3.0 schemas have no `if`, and a missing attribute is slow to probe.
    for unsupported in sorted(_INEXPRESSIBLE & schema.model_fields_set):
        keyword = unsupported.removeprefix("schema_")
        raise Unsupported(ptr, f"'{keyword}' schemas cannot be expressed as Python types")


def _union_of(members: list[TypeExpr]) -> TypeExpr:
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
    core: TypeExpr = NONE if not flat else flat[0] if len(flat) == 1 else UnionOf(tuple(flat))
    return Nullable(core) if nullable and core != NONE else core


def _is_empty(schema: Schema) -> bool:
    return not (schema.model_fields_set - {"description", "title", "example", "examples", "deprecated"})


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

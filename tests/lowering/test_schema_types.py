"""Schemas to the IR (generator/lower/types.py, printed by modules.py): types, names of definitions, widenings.

Most cases put the schema under test as the required property `v` of a component `Holder` and read the field of
the `Holder` model: its IR type (`Field.type`) and its printed annotation (`Field.annotation`), response side.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from generator.ir import (
    DictOf,
    Field,
    ListOf,
    LiteralOf,
    Model,
    ModelRef,
    Nullable,
    Primitive,
    Sdk,
    TupleOf,
    TypeExpr,
    UnionOf,
)
from tests.lowering.build import (
    Json,
    alias,
    definition_module,
    definitions,
    document,
    field,
    lower_document,
    model,
    typed_dict,
    widened_kinds,
)

STR, INT, FLOAT, BOOL, OBJECT, NONE = (Primitive(n) for n in ("str", "int", "float", "bool", "object", "None"))
HOLDER_V = "/components/schemas/Holder/properties/v"
PET = {"type": "object", "properties": {"name": {"type": "string"}}}


def holder(tmp_path: Path, schema: Json, version: str = "3.1.0", others: Json | None = None) -> tuple[Field, Sdk]:
    schemas = {"Holder": {"type": "object", "required": ["v"], "properties": {"v": schema}}, **(others or {})}
    sdk = lower_document(tmp_path, document(schemas=schemas, version=version))
    return field(model(sdk, "Holder"), "v"), sdk


def case(schema: Json, expr: TypeExpr, annotation: str, rule: str, **marks: Any) -> Any:
    return pytest.param(schema, expr, annotation, id=f"rule: {rule}", **marks)


# --- scalars, formats, null -----------------------------------------------------------------------------------

SCALARS = [
    case({"type": "string"}, STR, "str", "string is str"),
    case({"type": "integer"}, INT, "int", "integer is int"),
    case({"type": "integer", "format": "int64"}, INT, "int", "integer formats are int"),
    case({"type": "number"}, FLOAT, "float", "number is float"),
    case({"type": "number", "format": "double"}, FLOAT, "float", "number formats are float"),
    case({"type": "boolean"}, BOOL, "bool", "boolean is bool"),
    case({}, OBJECT, "object", "an empty schema is any value"),
    case({"type": "null"}, NONE, "None", "null is None"),
    case({"type": "string", "format": "date-time"}, Primitive("datetime"), "datetime", "format date-time"),
    case({"type": "string", "format": "date"}, Primitive("date"), "date", "format date"),
    case({"type": "string", "format": "time"}, Primitive("time"), "time", "format time"),
    case({"type": "string", "format": "uuid"}, Primitive("UUID"), "UUID", "format uuid"),
    case({"type": "string", "format": "decimal"}, Primitive("Decimal"), "Decimal", "string format decimal"),
    case({"type": "string", "format": "binary"}, Primitive("bytes"), "bytes", "format binary is bytes"),
    case({"type": "string", "format": "byte"}, STR, "str", "format byte is base64 text, a str"),
    case({"type": "string", "format": "email"}, STR, "str", "an unknown string format is str"),
    case({"type": "string", "contentEncoding": "base64"}, STR, "str", "contentEncoding is a str"),
]


@pytest.mark.parametrize(("schema", "expr", "annotation"), SCALARS)
def test_scalar(tmp_path: Path, schema: Json, expr: TypeExpr, annotation: str) -> None:
    found, sdk = holder(tmp_path, schema)
    assert (found.type, found.annotation) == (expr, annotation)
    assert sdk.widened == ()


NULLABLE = [
    pytest.param(
        "3.0.3", {"type": "string", "nullable": True}, Nullable(STR), "str | None", id="rule: 3.0 nullable: true"
    ),
    pytest.param(
        "3.1.0", {"type": ["string", "null"]}, Nullable(STR), "str | None", id="rule: 3.1 type list with null"
    ),
    pytest.param(
        "3.1.0", {"type": "string", "nullable": True}, STR, "str", id="rule: 3.1 has no nullable keyword; ignored"
    ),
    pytest.param(
        "3.1.0", {"anyOf": [{"type": "string"}, {"type": "null"}]}, Nullable(STR), "str | None", id="rule: anyOf null"
    ),
    pytest.param(
        "3.1.0", {"enum": ["a", None]}, Nullable(LiteralOf(("a",))), "Literal['a'] | None", id="rule: null in an enum"
    ),
    pytest.param(
        "3.0.3",
        {"type": "string", "enum": ["a", None], "nullable": True},
        Nullable(LiteralOf(("a",))),
        "Literal['a'] | None",
        id="rule: 3.0 nullable enum",
    ),
    pytest.param("3.1.0", {"enum": [None]}, NONE, "None", id="rule: an enum of only null is None"),
]


@pytest.mark.parametrize(("version", "schema", "expr", "annotation"), NULLABLE)
def test_nullable(tmp_path: Path, version: str, schema: Json, expr: TypeExpr, annotation: str) -> None:
    found, _ = holder(tmp_path, schema, version)
    assert (found.type, found.annotation) == (expr, annotation)


COMPONENT_NULLABLE = [
    pytest.param(
        {"nullable": True, "allOf": [{"$ref": "#/components/schemas/Name"}]},
        Nullable(ModelRef("Name")),
        id="rule: a nullable allOf component of a non-object holds null too",
    ),
    pytest.param(
        {"nullable": True, "oneOf": [{"type": "string"}, {"type": "integer", "nullable": True}]},
        Nullable(UnionOf((STR, INT))),
        id="rule: a nullable component whose member is nullable holds null once",
    ),
]


@pytest.mark.parametrize(("schema", "expr"), COMPONENT_NULLABLE)
def test_nullable_component(tmp_path: Path, schema: Json, expr: TypeExpr) -> None:
    schemas = {"Name": {"type": "string", "enum": ["a", "b"]}, "Holder": schema}
    sdk = lower_document(tmp_path, document(schemas=schemas, version="3.0.3"))
    assert alias(sdk, "Holder").type == expr


def test_type_list_is_a_union_of_its_types(tmp_path: Path) -> None:
    found, _ = holder(tmp_path, {"type": ["string", "integer", "null"]})
    assert found.type == Nullable(UnionOf((STR, INT)))
    assert found.annotation == "str | int | None"


def test_optional_field_without_default_is_none_by_default(tmp_path: Path) -> None:
    schemas = {"Holder": {"type": "object", "properties": {"v": {"type": "string"}, "w": {"type": ["string", "null"]}}}}
    sdk = lower_document(tmp_path, document(schemas=schemas))
    v, w = field(model(sdk, "Holder"), "v"), field(model(sdk, "Holder"), "w")
    assert (v.required, v.annotation, v.value) == (False, "str | None", "None")
    assert (w.required, w.annotation, w.value) == (False, "str | None", "None")  # `| None` not added twice


def test_optional_field_with_default_keeps_the_default(tmp_path: Path) -> None:
    schemas = {"Holder": {"type": "object", "properties": {"v": {"type": "integer", "default": 3}}}}
    sdk = lower_document(tmp_path, document(schemas=schemas))
    v = field(model(sdk, "Holder"), "v")
    assert (v.annotation, v.value) == ("int", "3")


# --- enums and const -----------------------------------------------------------------------------------------

# Holder is a response model: an enum of strings or integers there also takes the values it may gain.
ENUMS = [
    case({"enum": ["a", "b"]}, LiteralOf(("a", "b")), "Literal['a', 'b'] | UnknownStr", "an enum is an open Literal"),
    case(
        {"type": "string", "enum": ["b", "a", "b"]},
        LiteralOf(("b", "a")),
        "Literal['b', 'a'] | UnknownStr",
        "enum values once",
    ),
    case({"enum": [1, 2]}, LiteralOf((1, 2)), "Literal[1, 2] | UnknownInt", "an integer enum is open"),
    case({"enum": [True]}, LiteralOf((True,)), "Literal[True]", "a boolean enum is a Literal"),
    case({"const": "x"}, LiteralOf(("x",)), "Literal['x']", "a scalar const is a one-value Literal"),
    case({"const": 3}, LiteralOf((3,)), "Literal[3]", "an integer const is a Literal"),
    case({"enum": ["a", 1]}, LiteralOf(("a", 1)), "Literal['a', 1]", "a mixed str/int enum is one Literal"),
    case(
        {"enum": [1, True]},
        LiteralOf((1, True)),
        "Literal[1, True]",
        "1 and true are different enum values",
    ),
    case(
        {"enum": [0, False, "a"]},
        LiteralOf((0, False, "a")),
        "Literal[0, False, 'a']",
        "0 and false are different enum values",
    ),
]


@pytest.mark.parametrize(("schema", "expr", "annotation"), ENUMS)
def test_enum(tmp_path: Path, schema: Json, expr: TypeExpr, annotation: str) -> None:
    found, sdk = holder(tmp_path, schema)
    assert (found.type, found.annotation) == (expr, annotation)
    assert sdk.widened == ()


WIDE_ENUMS = [
    pytest.param({"enum": [1.5, 2.5]}, FLOAT, "enum", id="rule: float enum values are typed float"),
    pytest.param({"enum": [1, 1.5]}, UnionOf((INT, FLOAT)), "enum", id="rule: int and float values: their JSON types"),
    pytest.param({"enum": [2**63]}, INT, "enum", id="rule: an integer past 64 bits is typed int (mypy refuses it)"),
    pytest.param({"enum": [[1], "a"]}, UnionOf((ListOf(OBJECT), STR)), "enum", id="rule: array enum values are lists"),
    pytest.param({"const": {"a": 1}}, DictOf(OBJECT), "const", id="rule: an object const is a dict"),
    pytest.param({"type": "number", "enum": [1.5]}, FLOAT, "enum", id="rule: a typed float enum keeps its type"),
]


@pytest.mark.parametrize(("schema", "expr", "kind"), WIDE_ENUMS)
def test_enum_values_a_literal_cannot_hold_are_widened(tmp_path: Path, schema: Json, expr: TypeExpr, kind: str) -> None:
    found, sdk = holder(tmp_path, schema)
    assert found.type == expr
    assert widened_kinds(sdk) == {HOLDER_V: {kind}}


def test_named_enum_is_an_alias_of_a_literal(tmp_path: Path) -> None:
    found, sdk = holder(tmp_path, {"$ref": "#/components/schemas/Kind"}, others={"Kind": {"enum": ["a", "b"]}})
    assert found.type == ModelRef("Kind")
    kind = alias(sdk, "Kind")
    assert (kind.type, kind.annotation) == (LiteralOf(("a", "b")), "Literal['a', 'b']")


def test_nullable_named_enum_carries_its_own_none(tmp_path: Path) -> None:
    others = {"Kind": {"type": ["string", "null"], "enum": ["a", None]}}
    found, sdk = holder(tmp_path, {"$ref": "#/components/schemas/Kind"}, others=others)
    assert found.type == ModelRef("Kind")  # not Nullable(...) again where it is used
    assert alias(sdk, "Kind").type == Nullable(LiteralOf(("a",)))


# --- arrays, dicts, tuples ----------------------------------------------------------------------------------

CONTAINERS = [
    case({"type": "array", "items": {"type": "string"}}, ListOf(STR), "list[str]", "array is a list"),
    case({"type": "array"}, ListOf(OBJECT), "list[object]", "array without items is a list of any value"),
    case({"items": {"type": "integer"}}, ListOf(INT), "list[int]", "items alone make an array"),
    case(
        {"type": "array", "items": {"type": "array", "items": {"type": "string", "format": "uuid"}}},
        ListOf(ListOf(Primitive("UUID"))),
        "list[list[UUID]]",
        "arrays nest",
    ),
    case({"type": "object"}, DictOf(OBJECT), "dict[str, object]", "object without properties is a dict"),
    case(
        {"type": "object", "additionalProperties": {"type": "integer"}},
        DictOf(INT),
        "dict[str, int]",
        "additionalProperties types the values",
    ),
    case(
        {"type": "object", "additionalProperties": True},
        DictOf(OBJECT),
        "dict[str, object]",
        "additionalProperties true is any value",
    ),
    case(
        {"additionalProperties": {"type": "boolean"}},
        DictOf(BOOL),
        "dict[str, bool]",
        "additionalProperties alone makes an object",
    ),
    case(
        {"type": "object", "patternProperties": {"^a": {"type": "string"}, "^b": {"type": "integer"}}},
        DictOf(OBJECT),
        "dict[str, object]",
        "patternProperties with other keys allowed is dict of any value",
    ),
    case(
        {
            "type": "object",
            "patternProperties": {"^a": {"type": "string"}, "^b": {"type": "integer"}},
            "additionalProperties": False,
        },
        DictOf(UnionOf((STR, INT))),
        "dict[str, str | int]",
        "patternProperties alone type the values",
    ),
    case(
        {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "minItems": 2, "maxItems": 2},
        TupleOf((STR, INT)),
        "tuple[str, int]",
        "prefixItems of fixed length is a tuple",
    ),
    case(
        {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "minItems": 2, "items": False},
        TupleOf((STR, INT)),
        "tuple[str, int]",
        "prefixItems with items false and minItems is a tuple",
    ),
]


@pytest.mark.parametrize(("schema", "expr", "annotation"), CONTAINERS)
def test_container(tmp_path: Path, schema: Json, expr: TypeExpr, annotation: str) -> None:
    found, sdk = holder(tmp_path, schema)
    assert (found.type, found.annotation) == (expr, annotation)
    assert sdk.widened == ()


VARYING_TUPLES = [
    pytest.param(
        {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]},
        ListOf(OBJECT),
        id="rule: prefixItems of varying length, any further items: a list of any value",
    ),
    pytest.param(
        {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "items": {"type": "boolean"}},
        ListOf(UnionOf((STR, INT, BOOL))),
        id="rule: prefixItems of varying length: a list of the item types and items",
    ),
    pytest.param(
        {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "items": False},
        ListOf(UnionOf((STR, INT))),
        id="rule: prefixItems of varying length with no further items: a list of the item types",
    ),
]


@pytest.mark.parametrize(("schema", "expr"), VARYING_TUPLES)
def test_prefix_items_of_varying_length_is_a_widened_list(tmp_path: Path, schema: Json, expr: TypeExpr) -> None:
    found, sdk = holder(tmp_path, schema)
    assert found.type == expr
    assert widened_kinds(sdk) == {HOLDER_V: {"prefixItems"}}


# --- unions and discriminators --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schema", "expr", "annotation"),
    [
        case(
            {"oneOf": [{"type": "string"}, {"type": "integer"}]}, UnionOf((STR, INT)), "str | int", "oneOf is a union"
        ),
        case(
            {"anyOf": [{"type": "string"}, {"type": "integer"}]}, UnionOf((STR, INT)), "str | int", "anyOf is a union"
        ),
        case({"oneOf": [{"type": "string"}, {"type": "string"}]}, STR, "str", "a union's members are unique"),
        case({"oneOf": [{"type": "string"}, {}]}, OBJECT, "object", "a union with any value is any value"),
        case(
            {"oneOf": [{"type": "string"}, {"oneOf": [{"type": "integer"}, {"type": "boolean"}]}]},
            UnionOf((STR, INT, BOOL)),
            "str | int | bool",
            "nested unions are flattened",
        ),
        case(
            {"oneOf": [{"type": "integer"}, {"type": ["string", "null"]}]},
            Nullable(UnionOf((INT, STR))),
            "int | str | None",
            "a nullable member makes the union nullable",
        ),
    ],
)
def test_union(tmp_path: Path, schema: Json, expr: TypeExpr, annotation: str) -> None:
    found, _ = holder(tmp_path, schema)
    assert (found.type, found.annotation) == (expr, annotation)


def tagged(tag: str, *values: str) -> Json:
    """An object with a required tag property that holds one of `values`."""
    kind: Json = {"const": values[0]} if len(values) == 1 else {"enum": list(values)}
    return {"type": "object", "required": [tag], "properties": {tag: kind, "name": {"type": "string"}}}


def test_union_of_objects_without_tags_is_undiscriminated(tmp_path: Path) -> None:
    others = {"A": PET, "B": {"type": "object", "properties": {"size": {"type": "integer"}}}}
    schema = {"oneOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}]}
    found, _ = holder(tmp_path, schema, others=others)
    assert found.type == UnionOf((ModelRef("A"), ModelRef("B")))
    assert found.annotation == "A | B"


def test_discriminator_with_mapping_is_a_named_tagged_union(tmp_path: Path) -> None:
    others = {"Cat": tagged("kind", "cat"), "Dog": tagged("kind", "dog")}
    schema = {
        "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
        "discriminator": {
            "propertyName": "kind",
            "mapping": {"cat": "#/components/schemas/Cat", "kitty": "#/components/schemas/Cat"},
        },
    }
    found, sdk = holder(tmp_path, schema, others=others)
    # Discriminated unions are always named: the annotation is long and needs runtime support.
    assert isinstance(found.type, ModelRef)
    union = alias(sdk, found.type.name).type
    assert union == UnionOf((ModelRef("Cat"), ModelRef("Dog")), "kind", (("cat", "kitty"), ("dog",)))


def test_discriminator_without_mapping_takes_the_tag_values_of_the_members(tmp_path: Path) -> None:
    others = {"Cat": tagged("kind", "cat", "lion"), "Dog": tagged("kind", "dog")}
    schema = {
        "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
        "discriminator": {"propertyName": "kind"},
    }
    found, sdk = holder(tmp_path, schema, others=others)
    assert isinstance(found.type, ModelRef)
    assert alias(sdk, found.type.name).type == UnionOf(
        (ModelRef("Cat"), ModelRef("Dog")), "kind", (("cat", "lion"), ("dog",))
    )


def test_discriminator_falls_back_to_the_component_names(tmp_path: Path) -> None:
    others = {"Cat": PET, "Dog": PET}
    schema = {
        "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
        "discriminator": {"propertyName": "petType"},
    }
    found, sdk = holder(tmp_path, schema, others=others)
    assert isinstance(found.type, ModelRef)
    assert alias(sdk, found.type.name).type == UnionOf(
        (ModelRef("Cat"), ModelRef("Dog")), "petType", (("Cat",), ("Dog",))
    )


def test_implied_discriminator_from_one_value_tags(tmp_path: Path) -> None:
    others = {"Cat": tagged("type", "cat"), "Dog": tagged("type", "dog")}
    schema = {"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}]}
    found, sdk = holder(tmp_path, schema, others=others)
    assert isinstance(found.type, ModelRef)
    assert alias(sdk, found.type.name).type == UnionOf((ModelRef("Cat"), ModelRef("Dog")), "type", (("cat",), ("dog",)))


def test_no_implied_discriminator_when_tags_overlap(tmp_path: Path) -> None:
    others = {"Cat": tagged("type", "pet"), "Dog": tagged("type", "pet")}
    schema = {"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}]}
    found, _ = holder(tmp_path, schema, others=others)
    assert found.type == UnionOf((ModelRef("Cat"), ModelRef("Dog")))


def test_discriminator_no_tag_of_which_selects_a_member_is_widened_to_a_plain_union(tmp_path: Path) -> None:
    schema = {
        "oneOf": [
            {"type": "object", "properties": {"a": {"type": "string"}}},
            {"type": "object", "properties": {"b": {"type": "string"}}},
        ],
        "discriminator": {"propertyName": "kind"},
    }
    found, sdk = holder(tmp_path, schema)
    assert isinstance(found.type, UnionOf) and found.type.discriminator is None
    assert all(isinstance(m, ModelRef) for m in found.type.members)
    assert widened_kinds(sdk) == {HOLDER_V: {"discriminator"}}


def test_inline_union_members_are_named_from_their_titles_or_positions(tmp_path: Path) -> None:
    schema = {
        "oneOf": [
            {"title": "by card", "type": "object", "properties": {"card": {"type": "string"}}},
            {"type": "object", "properties": {"iban": {"type": "string"}}},
        ]
    }
    found, _ = holder(tmp_path, schema)
    assert found.type == UnionOf((ModelRef("HolderVByCard"), ModelRef("HolderVVariant2")))


def test_discriminated_union_on_the_request_side_is_a_plain_union(tmp_path: Path) -> None:
    others = {"Cat": tagged("kind", "cat"), "Dog": tagged("kind", "dog")}
    schema = {
        "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
        "discriminator": {"propertyName": "kind"},
    }
    sdk = request_body_sdk(tmp_path, schema, others)
    body = typed_dict(sdk, "PetsCreateParamsParam")
    assert field(body, "pet").type == UnionOf((ModelRef("CatParam"), ModelRef("DogParam")))


# --- objects, allOf, $ref -----------------------------------------------------------------------------------


def test_inline_object_is_a_model_named_from_parent_and_property(tmp_path: Path) -> None:
    found, sdk = holder(tmp_path, {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}})
    assert (found.type, found.annotation) == (ModelRef("HolderV"), "HolderV")
    inner = model(sdk, "HolderV")
    assert [(f.wire_name, f.required) for f in inner.fields] == [("a", True)]
    assert definition_module(sdk, "HolderV") == definition_module(sdk, "Holder")  # inline lives with its user


def test_reference_to_a_component_is_a_model_ref_from_its_own_module(tmp_path: Path) -> None:
    found, sdk = holder(tmp_path, {"$ref": "#/components/schemas/Pet"}, others={"Pet": PET})
    assert (found.type, found.annotation) == (ModelRef("Pet"), "Pet")
    holder_module = next(m for m in sdk.type_modules if m.name == definition_module(sdk, "Holder"))
    assert f"from .{definition_module(sdk, 'Pet')} import Pet" in holder_module.imports


@pytest.mark.parametrize(
    ("version", "schema", "pet"),
    [
        pytest.param(
            "3.0.3", {"$ref": "#/components/schemas/Pet"}, {**PET, "nullable": True}, id="rule: 3.0 nullable object"
        ),
        pytest.param(
            "3.1.0",
            {"$ref": "#/components/schemas/Pet"},
            {**PET, "type": ["object", "null"]},
            id="rule: 3.1 object|null",
        ),
        pytest.param(
            "3.0.3",
            {"$ref": "#/components/schemas/Pet", "nullable": True},
            PET,
            id="rule: 3.0 nullable beside $ref kept",
        ),
        pytest.param(
            "3.1.0",
            {"anyOf": [{"$ref": "#/components/schemas/Pet"}, {"type": "null"}]},
            PET,
            id="rule: 3.1 anyOf $ref and null",
        ),
    ],
)
def test_nullable_reference_to_an_object_is_the_class_or_none(
    tmp_path: Path, version: str, schema: Json, pet: Json
) -> None:
    found, sdk = holder(tmp_path, schema, version, others={"Pet": pet})
    assert (found.type, found.annotation) == (Nullable(ModelRef("Pet")), "Pet | None")
    assert isinstance(definitions(sdk)["Pet"], Model)  # the class itself stays a model; `None` is added where used


@pytest.mark.parametrize(
    ("version", "animal"),
    [
        pytest.param("3.0.3", {"$ref": "#/components/schemas/Pet"}, id="rule: 3.0 component that is a $ref"),
        pytest.param(
            "3.1.0",
            {"$ref": "#/components/schemas/Pet"},
            id="rule: 3.1 component that is a $ref",
        ),
        pytest.param(
            "3.1.0",
            {"$ref": "#/components/schemas/Pet", "description": "An animal."},
            id="rule: 3.1 component that is a $ref with a description",
        ),
    ],
)
def test_component_that_names_another_is_an_alias_of_it(tmp_path: Path, version: str, animal: Json) -> None:
    found, sdk = holder(
        tmp_path, {"$ref": "#/components/schemas/Animal"}, version, others={"Pet": PET, "Animal": animal}
    )
    assert found.type == ModelRef("Animal")
    assert alias(sdk, "Animal").type == ModelRef("Pet")


def test_all_of_one_reference_is_that_type(tmp_path: Path) -> None:
    found, sdk = holder(
        tmp_path, {"allOf": [{"$ref": "#/components/schemas/Pet"}], "description": "x"}, others={"Pet": PET}
    )
    assert found.type == ModelRef("Pet")
    assert sdk.widened == ()


def test_all_of_objects_merges_their_properties_and_required(tmp_path: Path) -> None:
    others = {"Pet": {**PET, "required": ["name"]}}
    schema = {
        "allOf": [
            {"$ref": "#/components/schemas/Pet"},
            {"type": "object", "required": ["age"], "properties": {"age": {"type": "integer"}}},
        ]
    }
    found, sdk = holder(tmp_path, schema, others=others)
    assert found.type == ModelRef("HolderV")
    merged = model(sdk, "HolderV")
    assert [(f.wire_name, f.type, f.required) for f in merged.fields] == [("name", STR, True), ("age", INT, True)]
    assert sdk.widened == ()


def test_all_of_in_a_component_merges_into_that_component(tmp_path: Path) -> None:
    schemas = {
        "Pet": PET,
        "Dog": {"allOf": [{"$ref": "#/components/schemas/Pet"}, {"properties": {"bark": {"type": "boolean"}}}]},
    }
    sdk = lower_document(tmp_path, document(schemas=schemas))
    assert [f.wire_name for f in model(sdk, "Dog").fields] == ["name", "bark"]


def test_all_of_required_in_one_piece_makes_a_property_of_another_required(tmp_path: Path) -> None:
    schema = {"allOf": [{"$ref": "#/components/schemas/Pet"}, {"required": ["name"]}]}
    found, sdk = holder(tmp_path, schema, others={"Pet": PET})
    assert isinstance(found.type, ModelRef)
    assert field(model(sdk, found.type.name), "name").required


def test_all_of_a_type_and_constraints_is_the_type(tmp_path: Path) -> None:
    found, sdk = holder(tmp_path, {"allOf": [{"type": "string"}, {"minLength": 1}]})
    assert found.type == STR
    assert sdk.widened == ()


def test_all_of_nullable_piece_makes_the_whole_nullable(tmp_path: Path) -> None:
    found, _ = holder(tmp_path, {"allOf": [{"type": "string"}, {"nullable": True}]}, "3.0.3")
    assert found.type == Nullable(STR)


# --- recursion ----------------------------------------------------------------------------------------------


def test_recursive_component_refers_to_itself(tmp_path: Path) -> None:
    node = {
        "type": "object",
        "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}},
    }
    sdk = lower_document(tmp_path, document(schemas={"Node": node}))
    assert field(model(sdk, "Node"), "children").type == ListOf(ModelRef("Node"))
    assert sdk.widened == ()


def test_mutually_recursive_components_share_a_module(tmp_path: Path) -> None:
    schemas = {
        "A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
        "B": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}},
        "C": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}},
    }
    sdk = lower_document(tmp_path, document(schemas=schemas))
    assert definition_module(sdk, "A") == definition_module(sdk, "B")  # imports between modules never cycle
    assert definition_module(sdk, "C") != definition_module(sdk, "A")


def test_recursive_inline_object_gets_a_name_from_where_it_is(tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Holder/properties/v"}}}
    found, sdk = holder(tmp_path, schema)
    assert found.type == ModelRef("HolderV")
    assert field(model(sdk, "HolderV"), "next").type == ModelRef("HolderV")
    assert sdk.widened == ()


@pytest.mark.parametrize(
    ("schemas", "name", "expr"),
    [
        pytest.param(
            {
                "H": {
                    "type": "object",
                    "properties": {"v": {"type": "array", "items": {"$ref": "#/components/schemas/H/properties/v"}}},
                }
            },
            None,
            ListOf(OBJECT),
            id="rule: an inline array that contains itself: the inner occurrence is any value",
        ),
        pytest.param(
            {"Tree": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}}},
            "Tree",
            ListOf(OBJECT),
            id="rule: a component array that contains itself: the inner occurrence is any value",
        ),
        pytest.param(
            {"U": {"oneOf": [{"type": "string"}, {"$ref": "#/components/schemas/U"}]}},
            "U",
            OBJECT,  # `str | <any value>` is any value
            id="rule: a component union that contains itself: the inner occurrence is any value",
        ),
    ],
)
def test_array_or_union_that_contains_itself_is_widened(
    tmp_path: Path, schemas: Json, name: str | None, expr: TypeExpr
) -> None:
    sdk = lower_document(tmp_path, document(schemas=schemas))
    found = field(model(sdk, "H"), "v").type if name is None else alias(sdk, name).type
    assert found == expr
    assert "recursion" in set().union(*widened_kinds(sdk).values())


@pytest.mark.parametrize(
    "schemas",
    [
        pytest.param({"Pet": PET, "Kind": {"enum": ["a"]}}, id="rule: a model and an alias"),
        pytest.param(
            {"Node": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Node"}}}},
            id="rule: a recursive model",
        ),
        pytest.param(
            {"Tree": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}}},
            id="rule: a recursive alias",
        ),
    ],
)
def test_every_definition_is_in_exactly_one_module_once(tmp_path: Path, schemas: Json) -> None:
    sdk = lower_document(tmp_path, document(schemas=schemas))
    names = [d.name for m in sdk.type_modules for d in m.definitions]
    assert sorted(names) == sorted(set(names)) and set(schemas) <= set(names)
    assert len(sdk.type_exports) == len(set(sdk.type_exports))


# --- narrowing keywords and other widenings ------------------------------------------------------------------

NARROWING = [
    pytest.param({"not": {"type": "string"}}, OBJECT, {"not"}, id="rule: not alone is dropped: any value"),
    pytest.param({"type": "integer", "not": {"const": 3}}, INT, {"not"}, id="rule: not is dropped, the rest kept"),
    pytest.param(
        {"type": "string", "if": {"minLength": 2}, "then": {"maxLength": 3}, "else": {"maxLength": 9}},
        STR,
        {"if"},
        id="rule: if/then/else is dropped",
    ),
    pytest.param(
        {"type": "object", "dependentSchemas": {"a": {"required": ["b"]}}, "properties": {"a": {"type": "string"}}},
        ModelRef("HolderV"),
        {"dependentSchemas"},
        id="rule: dependentSchemas is dropped",
    ),
    pytest.param(
        {"allOf": [{"$ref": "#/components/schemas/Kind"}, {"type": "integer"}]},
        ModelRef("Kind"),
        {"allOf"},
        id="rule: allOf of different types is typed by the named piece",
    ),
    pytest.param(
        {"allOf": [{"type": "string", "enum": ["a"]}, {"type": "integer"}]},
        LiteralOf(("a",)),
        {"allOf"},
        id="rule: allOf of different types is typed by the piece with an enum",
    ),
    pytest.param(
        {"allOf": [{"type": "object", "properties": {"b": {"type": "integer"}}}, {"type": "string"}]},
        ModelRef("HolderV"),
        {"allOf"},
        id="rule: allOf of an object and a non-object is the object",
    ),
]


@pytest.mark.parametrize(("schema", "expr", "kinds"), NARROWING)
def test_widened(tmp_path: Path, schema: Json, expr: TypeExpr, kinds: set[str]) -> None:
    found, sdk = holder(tmp_path, schema, others={"Kind": {"type": "string", "enum": ["a", "b"]}})
    assert found.type == expr
    assert widened_kinds(sdk) == {HOLDER_V: kinds}


def test_widened_lines_name_kind_pointer_and_reason(tmp_path: Path) -> None:
    _, sdk = holder(tmp_path, {"not": {"type": "string"}})
    assert sdk.widened == (f"[not] {HOLDER_V}: 'not' only narrows the type; dropped",)


# --- the request side ------------------------------------------------------------------------------------------


def request_body_sdk(tmp_path: Path, pet_schema: Json, others: Json | None = None) -> Sdk:
    body = {"type": "object", "required": ["pet"], "properties": {"pet": pet_schema}}
    paths = {
        "/pets": {
            "post": {
                "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
                "responses": {"204": {"description": "ok"}},
            }
        }
    }
    return lower_document(tmp_path, document(paths, schemas=others or {}))


def test_request_side_of_a_component_is_a_typed_dict_twin(tmp_path: Path) -> None:
    others = {
        "Pet": {
            "type": "object",
            "required": ["name"],
            "properties": {"name": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}},
        }
    }
    sdk = request_body_sdk(tmp_path, {"$ref": "#/components/schemas/Pet"}, others)
    assert field(typed_dict(sdk, "PetsCreateParamsParam"), "pet").type == ModelRef("PetParam")
    twin = typed_dict(sdk, "PetParam")
    assert [(f.wire_name, f.annotation) for f in twin.fields] == [
        ("name", "str"),
        ("tags", "NotRequired[Sequence[str]]"),
    ]
    assert definition_module(sdk, "PetParam") == definition_module(sdk, "Pet")  # one file per component


def test_request_side_accepts_strings_for_parsed_formats(tmp_path: Path) -> None:
    others = {
        "Event": {"type": "object", "required": ["at"], "properties": {"at": {"type": "string", "format": "date-time"}}}
    }
    sdk = request_body_sdk(tmp_path, {"$ref": "#/components/schemas/Event"}, others)
    assert field(typed_dict(sdk, "EventParam"), "at").annotation == "str | datetime"
    assert field(model(sdk, "Event"), "at").annotation == "datetime"


def test_request_side_needs_no_twin_for_an_enum(tmp_path: Path) -> None:
    sdk = request_body_sdk(tmp_path, {"$ref": "#/components/schemas/Kind"}, {"Kind": {"enum": ["a", "b"]}})
    assert field(typed_dict(sdk, "PetsCreateParamsParam"), "pet").type == ModelRef("Kind")
    assert "KindParam" not in definitions(sdk)


def test_read_only_is_left_out_of_the_request_side_write_only_of_the_response_side(tmp_path: Path) -> None:
    others = {
        "Pet": {
            "type": "object",
            "properties": {
                "id": {"type": "string", "readOnly": True},
                "password": {"type": "string", "writeOnly": True},
                "name": {"type": "string"},
            },
        }
    }
    sdk = request_body_sdk(tmp_path, {"$ref": "#/components/schemas/Pet"}, others)
    assert [f.wire_name for f in model(sdk, "Pet").fields] == ["id", "name"]
    assert [f.wire_name for f in typed_dict(sdk, "PetParam").fields] == ["password", "name"]


def test_bundled_schemas_without_a_name_of_their_own_are_named_after_their_file(tmp_path: Path) -> None:
    other = {"a": {"": {"type": "object", "properties": {"x": {"type": "string"}}}}, "b": {"": {"type": "integer"}}}
    (tmp_path / "other.json").write_text(json.dumps(other), encoding="utf-8")
    schemas = {
        "Holder": {
            "type": "object",
            "required": ["a", "b"],
            "properties": {"a": {"$ref": "other.json#/a/"}, "b": {"$ref": "other.json#/b/"}},
        }
    }
    sdk = lower_document(tmp_path, document(schemas=schemas))
    holder_model = model(sdk, "Holder")
    assert (field(holder_model, "a").annotation, field(holder_model, "b").annotation) == ("Other", "Other2")


DECIMAL_UNIONS = [
    pytest.param(
        [{"type": "string", "format": "decimal"}, {"type": ["number", "string"]}],
        "float | Decimal | str",
        id="rule: Decimal follows the numbers of a union, so a JSON number stays a number (pydantic breaks ties by order)",
    ),
    pytest.param(
        [{"type": "string", "format": "decimal"}, {"type": "integer"}],
        "int | Decimal",
        id="rule: Decimal follows int too",
    ),
    pytest.param(
        [{"type": "string", "format": "decimal"}, {"type": "string"}],
        "Decimal | str",
        id="rule: without numbers, the spec's order stays",
    ),
]


@pytest.mark.parametrize(("members", "annotation"), DECIMAL_UNIONS)
def test_decimal_in_a_union(tmp_path: Path, members: list[Json], annotation: str) -> None:
    found, _ = holder(tmp_path, {"anyOf": members})
    assert found.annotation == annotation

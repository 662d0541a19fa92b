"""Names from spec strings (generator/lower/names.py): casing, keywords, digits, signs, unicode, collisions."""

from __future__ import annotations

import keyword
from pathlib import Path

import pytest

from generator.lower.names import (
    BASE_MODEL_ATTRIBUTES,
    MAX_MODULE_NAME,
    Namespace,
    class_name,
    field_name,
    identifier,
    module_name,
    pascal,
    snake,
)
from tests.lowering.build import (
    LIST,
    Json,
    document,
    field,
    json_response,
    lower_document,
    model,
    operation,
    typed_dict,
)


def is_ascii_identifier(name: str) -> bool:
    return name.isidentifier() and name.isascii() and not keyword.iskeyword(name)


# --- snake and pascal: words from any spelling ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("camelCase", "camel_case", id="rule: camelCase splits at the capital"),
        pytest.param("PascalCase", "pascal_case", id="rule: PascalCase splits at the capital"),
        pytest.param("kebab-case", "kebab_case", id="rule: hyphens separate words"),
        pytest.param("Test Mode Server", "test_mode_server", id="rule: spaces separate words"),
        pytest.param("dotted.name/with~seps", "dotted_name_with_seps", id="rule: punctuation separates words"),
        pytest.param("HTTPServer", "http_server", id="rule: an acronym ends before the next word"),
        pytest.param("userID", "user_id", id="rule: a trailing acronym is one word"),
        pytest.param("ID", "id", id="rule: an all-caps word is lower-cased"),
        pytest.param("snake_case", "snake_case", id="rule: snake_case is kept"),
        pytest.param("v2Beta", "v2_beta", id="rule: digits stay with the word before them"),
        pytest.param("page2", "page2", id="rule: trailing digits stay with their word"),
        pytest.param("3dSecure", "3d_secure", id="rule: a leading number keeps its letters"),
        pytest.param("__init__", "init", id="rule: dunder underscores are separators"),
        pytest.param("+1", "plus_1", id="rule: a leading + is the word plus"),
        pytest.param("-1", "minus_1", id="rule: a leading - is the word minus"),
        pytest.param("@1", "at_1", id="rule: a leading @ before a non-letter is the word at"),
        pytest.param("$2", "dollar_2", id="rule: a leading $ before a non-letter is the word dollar"),
        pytest.param("%", "percent", id="rule: a leading % is the word percent"),
        pytest.param("@type", "type", id="rule: a sign before a letter is a separator"),
        pytest.param("-", "minus", id="rule: a sign alone is its word"),
        pytest.param("-abc", "abc", id="rule: a sign before letters is a separator"),
        pytest.param("", "", id="rule: empty text has no words"),
        pytest.param("...", "", id="rule: separators alone have no words"),
        pytest.param("--", "minus", id="rule: a sign before a separator is still its word"),
        pytest.param("日本", "", id="rule: non-ASCII letters are not words"),
    ],
)
def test_snake(text: str, expected: str) -> None:
    assert snake(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("credit_entitlements", "CreditEntitlements", id="rule: snake_case words are capitalised"),
        pytest.param("test mode", "TestMode", id="rule: spaced words are joined"),
        pytest.param("HTTPServer", "HttpServer", id="rule: acronyms are one capitalised word"),
        pytest.param("+1", "Plus1", id="rule: signs become words"),
        pytest.param("", "", id="rule: empty text gives empty"),
    ],
)
def test_pascal(text: str, expected: str) -> None:
    assert pascal(text) == expected


def test_non_ascii_letters_never_reach_a_name() -> None:
    for text in ("café", "naïve", "ünïcode", "Straße", "日本語"):
        assert snake(text).isascii() and pascal(text).isascii()
        assert is_ascii_identifier(identifier(text))


# --- identifier, field_name, class_name ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fallback", "expected"),
    [
        pytest.param("fooBar", "value", "fooBar", id="rule: an ASCII identifier is kept as given"),
        pytest.param("_private", "value", "_private", id="rule: a leading underscore is kept"),
        pytest.param("__dunder__", "value", "__dunder__", id="rule: a dunder identifier is kept"),
        pytest.param("class", "value", "class_", id="rule: a keyword gets a trailing underscore"),
        pytest.param("None", "value", "None_", id="rule: None/True/False are keywords"),
        pytest.param("match", "value", "match", id="rule: soft keywords are valid names"),
        pytest.param("x-request-id", "value", "x_request_id", id="rule: a non-identifier is snake-cased"),
        pytest.param("1st", "value", "value_1st", id="rule: a leading digit is prefixed with the fallback"),
        pytest.param("2fa", "param", "param_2fa", id="rule: the fallback is the caller's"),
        pytest.param("", "value", "value", id="rule: empty text is the fallback"),
        pytest.param("日本", "field", "field", id="rule: text with no ASCII word is the fallback"),
        pytest.param("café", "value", "caf", id="rule: a non-ASCII identifier is snake-cased to ASCII"),
        pytest.param("+1", "value", "plus_1", id="rule: +1 is plus_1"),
        pytest.param("-1", "value", "minus_1", id="rule: -1 is minus_1"),
        pytest.param("def-", "value", "def_", id="rule: a keyword reached by snake-casing gets an underscore"),
    ],
)
def test_identifier(text: str, fallback: str, expected: str) -> None:
    assert identifier(text, fallback=fallback) == expected
    assert is_ascii_identifier(expected)


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        pytest.param("name", "name", id="rule: a plain field keeps its name"),
        pytest.param("createdAt", "createdAt", id="rule: a camelCase field is kept (aliased only when it must be)"),
        pytest.param("_id", "id", id="rule: a leading underscore is private in pydantic; stripped"),
        pytest.param("__v", "v", id="rule: leading underscores are all stripped"),
        pytest.param("_", "field", id="rule: an underscore alone is the fallback"),
        pytest.param("__", "field", id="rule: underscores alone are the fallback"),
        pytest.param("model_config", "model_config_", id="rule: the model_ prefix is reserved by pydantic"),
        pytest.param("model_", "model__", id="rule: model_ itself is reserved"),
        pytest.param("modelName", "modelName", id="rule: only model_ with the underscore is reserved"),
        pytest.param("schema", "schema_", id="rule: a BaseModel attribute is not shadowed"),
        pytest.param("json", "json_", id="rule: json is a BaseModel attribute"),
        pytest.param("class", "class_", id="rule: a keyword field gets an underscore"),
        pytest.param("+1", "plus_1", id="rule: +1 as a field is plus_1"),
        pytest.param("-1", "minus_1", id="rule: -1 as a field is minus_1"),
        pytest.param("1", "field_1", id="rule: a digit field is prefixed"),
        pytest.param("", "field", id="rule: an empty field name is the fallback"),
        pytest.param("content-type", "content_type", id="rule: a non-identifier field is snake-cased"),
    ],
)
def test_field_name(wire: str, expected: str) -> None:
    assert field_name(wire) == expected


def test_no_base_model_attribute_is_a_field_name() -> None:
    for name in sorted(BASE_MODEL_ATTRIBUTES):
        assert field_name(name) == name + "_"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Pet", "Pet", id="rule: a capitalised identifier is kept"),
        pytest.param("PetV2", "PetV2", id="rule: kept exactly, digits and all"),
        pytest.param("pet", "Pet", id="rule: a lower-case name is PascalCased"),
        pytest.param("pet-store", "PetStore", id="rule: separators join into PascalCase"),
        pytest.param("pet_store.v1", "PetStoreV1", id="rule: dots join too"),
        pytest.param("_Private", "Private", id="rule: a leading underscore is not kept in a class name"),
        pytest.param("1Password", "Model1Password", id="rule: a leading digit is prefixed with the fallback"),
        pytest.param("", "Model", id="rule: empty is the fallback"),
        pytest.param("日本", "Model", id="rule: no ASCII word is the fallback"),
        pytest.param("None", "None_", id="rule: a keyword class name gets an underscore"),
        pytest.param("True", "True_", id="rule: True is a keyword class name"),
        pytest.param("+1", "Plus1", id="rule: +1 as a class is Plus1"),
        pytest.param("-1", "Minus1", id="rule: -1 as a class is Minus1"),
    ],
)
def test_class_name(text: str, expected: str) -> None:
    assert class_name(text) == expected


# --- module_name --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("payments", "payments", id="rule: a short name is kept"),
        pytest.param("as_", "as_", id="rule: a keyword's trailing underscore is kept (it makes it importable)"),
        pytest.param("a" * MAX_MODULE_NAME, "a" * MAX_MODULE_NAME, id="rule: the maximum length is kept"),
        pytest.param("a" * 200, "a" * MAX_MODULE_NAME, id="rule: a long name is cut to the maximum"),
        pytest.param("a" * 119 + "_b" + "c" * 50, "a" * 119, id="rule: a cut does not end in an underscore"),
        pytest.param("class" + "_" * 200, "class_", id="rule: a cut that is a keyword gets an underscore back"),
    ],
)
def test_module_name(text: str, expected: str) -> None:
    assert module_name(text) == expected
    assert len(expected) <= MAX_MODULE_NAME


# --- Namespace.claim: collisions ------------------------------------------------------------------------------


def test_namespace_first_claimant_keeps_the_name_later_ones_are_numbered_from_2() -> None:
    names = Namespace()
    assert [names.claim("Pet") for _ in range(4)] == ["Pet", "Pet2", "Pet3", "Pet4"]


def test_namespace_lower_case_names_are_numbered_after_an_underscore() -> None:
    names = Namespace()
    assert [names.claim("list") for _ in range(3)] == ["list", "list_2", "list_3"]


def test_namespace_a_trailing_underscore_is_part_of_the_stem() -> None:
    names = Namespace()
    assert [names.claim("class_") for _ in range(3)] == ["class_", "class_2", "class_3"]


def test_namespace_reserved_names_are_never_handed_out() -> None:
    names = Namespace({"BaseModel", "Pet2"})
    assert names.claim("BaseModel") == "BaseModel2"
    assert [names.claim("Pet"), names.claim("Pet")] == ["Pet", "Pet3"]
    assert "Pet2" in names and "Pet3" in names and "Pet4" not in names


def test_namespace_a_claimed_number_is_not_given_twice() -> None:
    names = Namespace()
    assert [names.claim("Pet"), names.claim("Pet2"), names.claim("Pet")] == ["Pet", "Pet2", "Pet3"]


def test_namespace_names_are_unique_whatever_is_claimed() -> None:
    names = Namespace()
    wanted = ["a", "a", "a_2", "a", "A", "A", "A2", "a_", "a_", "x_3", "x", "x", "x"]
    claimed = [names.claim(w) for w in wanted]
    assert len(set(claimed)) == len(claimed)
    assert claimed[0] == "a" and claimed[4] == "A"  # first claimants keep their names


# --- the same rules where the lowering applies them ----------------------------------------------------------


def test_components_with_one_class_name_are_numbered_in_document_order(tmp_path: Path) -> None:
    # Each component has its own property, to tell which name it got.
    schemas = {
        key: {"type": "object", "properties": {prop: {"type": "string"}}}
        for key, prop in (("pet", "first"), ("Pet", "second"), ("pet-", "third"))
    }
    sdk = lower_document(tmp_path, document(schemas=schemas))
    named = {name: [f.wire_name for f in model(sdk, name).fields] for name in ("Pet", "Pet2", "Pet3")}
    assert named == {"Pet": ["first"], "Pet2": ["second"], "Pet3": ["third"]}


def test_a_component_does_not_take_a_runtime_class_name(tmp_path: Path) -> None:
    schemas = {"BaseModel": {"type": "object", "properties": {"n": {"type": "string"}}}}
    sdk = lower_document(tmp_path, document(schemas=schemas))
    assert {d.name for m in sdk.type_modules for d in m.definitions} == {"BaseModel2"}


def test_inline_types_are_named_after_resource_and_method_and_a_top_level_resource_owns_its_name(
    tmp_path: Path,
) -> None:
    """rule: an operation's inline types are named after its resource and method (`HooksCreateResponse`); where
    an earlier operation has those, after its whole resource path. A top-level resource's operation has no longer
    name, so it keeps the short one even when a nested resource's operation comes first in the document."""

    def returning(marker: str) -> Json:
        created = json_response({"type": "object", "properties": {marker: {"type": "string"}}})
        return {"get": operation(LIST), "post": operation(created)}  # with a list, the POST is `create`

    paths = {
        "/orgs/{org}/hooks": returning("of_orgs"),
        "/repos/{repo}/hooks": returning("of_repos"),
        "/hooks": returning("of_the_top_level"),
        "/orgs/{org}/members": returning("of_members"),
    }
    sdk = lower_document(tmp_path, document(paths))
    named = {
        name: [f.wire_name for f in model(sdk, name).fields]
        for name in ("HooksCreateResponse", "OrgsHooksCreateResponse", "ReposHooksCreateResponse")
    }
    assert named == {
        "HooksCreateResponse": ["of_the_top_level"],
        "OrgsHooksCreateResponse": ["of_orgs"],
        "ReposHooksCreateResponse": ["of_repos"],
    }
    assert [f.wire_name for f in model(sdk, "MembersCreateResponse").fields] == ["of_members"]  # no one else's


@pytest.mark.parametrize(
    ("wire", "py_name"),
    [
        pytest.param("+1", "plus_1", id="rule: field +1 is plus_1, aliased"),
        pytest.param("-1", "minus_1", id="rule: field -1 is minus_1, aliased"),
        pytest.param("class", "class_", id="rule: a keyword field is aliased"),
        pytest.param("_id", "id", id="rule: a private-looking field is aliased"),
        pytest.param("model_version", "model_version_", id="rule: a model_ field is aliased"),
        pytest.param("str", "str_", id="rule: a field named like a type the model uses is renamed"),
    ],
)
def test_model_fields_get_safe_names_and_keep_the_wire_name_as_alias(tmp_path: Path, wire: str, py_name: str) -> None:
    schemas = {"Thing": {"type": "object", "required": [wire], "properties": {wire: {"type": "string"}}}}
    sdk = lower_document(tmp_path, document(schemas=schemas))
    found = field(model(sdk, "Thing"), wire)
    assert found.py_name == py_name
    assert f"alias={wire!r}" in found.value


def test_two_wire_names_with_one_python_name_are_numbered(tmp_path: Path) -> None:
    props = {"pet-id": {"type": "string"}, "pet_id": {"type": "string"}, "petId": {"type": "string"}}
    sdk = lower_document(tmp_path, document(schemas={"Thing": {"type": "object", "properties": props}}))
    thing = model(sdk, "Thing")
    names = {f.wire_name: f.py_name for f in thing.fields}
    assert names["pet_id"] == "pet_id"  # named as on the wire: it claims its name first
    assert names["petId"] == "petId"
    assert names["pet-id"] not in ("pet_id", "petId")
    assert len(set(names.values())) == 3


def test_typed_dict_keys_are_wire_names(tmp_path: Path) -> None:
    body = {"type": "object", "properties": {"+1": {"type": "string"}, "class": {"type": "string"}}}
    paths = {
        "/things": {
            "post": {
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/T"}}}},
                "responses": {"204": {"description": "ok"}},
            }
        }
    }
    sdk = lower_document(tmp_path, document(paths, schemas={"T": body}))
    request = typed_dict(sdk, "TParam")
    assert request.functional  # neither key is an identifier: the functional form
    assert [f.wire_name for f in request.fields] == ["+1", "class"]
    assert field(request, "+1").py_name == "'+1'"


def test_the_error_body_union_names_every_declared_error_type_once_and_keeps_its_alias_name(tmp_path: Path) -> None:
    """rule: `APIStatusError.parsed` is typed by the union of the error bodies of every operation, sorted, each
    once; a component named like the union's alias (`APIErrorBody`) is renamed, as runtime names are."""
    error = {"type": "object", "properties": {"message": {"type": "string"}}}
    schemas = {"Zed": error, "APIErrorBody": error}

    def failing(*refs: str) -> Json:
        return {
            "responses": {
                "200": {"description": "ok"},
                **{
                    str(400 + i): {"description": "no", "content": {"application/json": {"schema": {"$ref": ref}}}}
                    for i, ref in enumerate(refs)
                },
            }
        }

    paths = {
        "/a": {"get": failing("#/components/schemas/Zed")},
        "/b": {"get": failing("#/components/schemas/APIErrorBody", "#/components/schemas/Zed")},
    }
    sdk = lower_document(tmp_path, document(paths=paths, schemas=schemas))
    assert sdk.error_body.annotation == "APIErrorBody2 | Zed"
    assert "from .types.zed import Zed" in sdk.error_body.imports
    (tmp_path / "none").mkdir()
    undeclared = lower_document(tmp_path / "none", document(paths={"/a": {"get": operation()}}))
    assert undeclared.error_body.annotation == "None"

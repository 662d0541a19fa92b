"""The resource tree (generator/lower/resources.py): `METHOD /path -> resource.method`.

Each case is a set of operations, given as `"METHOD /path"` and the operation's extra fields, and the place every
one of them must land. Only the operations of the case are in the spec: whether a path has siblings or children
changes the rule that applies, so the table states every case whole.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator.config import overrides_for
from generator.errors import SpecError
from tests.lowering.build import (
    LIST,
    ONE,
    Json,
    document,
    json_response,
    lower_document,
    method,
    methods,
    operation,
    placements,
)

LIST_SCHEMA = {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}}}}
STRINGS = {"type": "array", "items": {"type": "string"}}
STANDARD_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace", "query"}
ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}


def paths_of(operations: dict[str, Json]) -> Json:
    """{"GET /a/{id}": {...}} as the `paths` object; path parameters the template names are declared."""
    paths: Json = {}
    for label, fields in operations.items():
        verb, path = label.split(" ", 1)
        item = paths.setdefault(path, {})
        names = [part.split("}")[0] for part in path.partition("?")[0].split("{")[1:]]
        declared: Json = {"parameters": [{**ID, "name": name} for name in names]} if names else {}
        op = operation(**(declared | fields))
        if verb.lower() in STANDARD_METHODS:
            item[verb.lower()] = op
        else:  # OpenAPI 3.2 `additionalOperations`, keyed by the method as sent
            item.setdefault("additionalOperations", {})[verb] = op
    return paths


def place(tmp_path: Path, operations: dict[str, Json], version: str = "3.1.0", **options: Any) -> dict[str, str]:
    return placements(lower_document(tmp_path, document(paths_of(operations), version=version), **options))


def case(operations: dict[str, Json], expected: dict[str, str], rule: str) -> Any:
    return pytest.param(operations, expected, id=f"rule: {rule}")


TABLE = [
    # --- collections and items ---------------------------------------------------------------------------------
    case({"GET /customers": {"responses": LIST}}, {"GET /customers": "customers.list"}, "collection GET is list"),
    case({"POST /customers": {}}, {"POST /customers": "customers.create"}, "collection POST is create"),
    case(
        {"GET /balance": {"responses": ONE}},
        {"GET /balance": "balance.retrieve"},
        "collection GET returning one object with no array in it is retrieve",
    ),
    case(
        {"GET /tags": {"responses": json_response({"type": "array", "items": {"type": "string"}})}},
        {"GET /tags": "tags.list"},
        "collection GET returning an array is list",
    ),
    case(
        {"GET /invoices": {"responses": json_response({"type": "object", "properties": {"data": LIST_SCHEMA}})}},
        {"GET /invoices": "invoices.list"},
        "collection GET returning an object holding an array of objects is list",
    ),
    case(
        {"GET /invoices": {"responses": json_response({"type": "object", "properties": {"ids": STRINGS}})}},
        {"GET /invoices": "invoices.retrieve"},
        "collection GET returning an object holding only an array of strings is retrieve",
    ),
    case(
        {"PUT /settings": {}, "DELETE /settings": {}},
        {"PUT /settings": "settings.update", "DELETE /settings": "settings.delete"},
        "collection PUT is update, collection DELETE is delete",
    ),
    case({"GET /customers/{id}": {}}, {"GET /customers/{id}": "customers.retrieve"}, "item GET is retrieve"),
    case({"PUT /customers/{id}": {}}, {"PUT /customers/{id}": "customers.update"}, "item PUT is update"),
    case({"PATCH /customers/{id}": {}}, {"PATCH /customers/{id}": "customers.update"}, "item PATCH is update"),
    case({"DELETE /customers/{id}": {}}, {"DELETE /customers/{id}": "customers.delete"}, "item DELETE is delete"),
    case(
        {"PUT /customers/{id}": {}, "PATCH /customers/{id}": {}},
        {"PUT /customers/{id}": "customers.replace", "PATCH /customers/{id}": "customers.update"},
        "item PUT beside PATCH is replace",
    ),
    case(
        {"GET /customers": {"responses": LIST}, "POST /customers": {}, "GET /customers/{id}": {}},
        {
            "GET /customers": "customers.list",
            "POST /customers": "customers.create",
            "GET /customers/{id}": "customers.retrieve",
        },
        "a collection and its item are one resource",
    ),
    case({"HEAD /files/{id}": {}}, {"HEAD /files/{id}": "files.head"}, "other item verbs keep their name"),
    case({"OPTIONS /files": {}}, {"OPTIONS /files": "files.options"}, "other collection verbs keep their name"),
    # --- nested resources ---------------------------------------------------------------------------------------
    case(
        {"GET /customers/{id}/wallets": {"responses": LIST}, "POST /customers/{id}/wallets": {}},
        {
            "GET /customers/{id}/wallets": "customers.wallets.list",
            "POST /customers/{id}/wallets": "customers.wallets.create",
        },
        "static segments after a parameter nest a resource",
    ),
    case(
        {"GET /customers/{id}/wallets": {"responses": LIST}, "GET /customers/{id}/wallets/{wallet_id}": {}},
        {
            "GET /customers/{id}/wallets": "customers.wallets.list",
            "GET /customers/{id}/wallets/{wallet_id}": "customers.wallets.retrieve",
        },
        "a segment with something below it is a resource, not an action",
    ),
    case(
        {"GET /a/b/c/d": {"responses": LIST}, "POST /a/b/c/d": {}},
        {"GET /a/b/c/d": "a.b.c.d.list", "POST /a/b/c/d": "a.b.c.d.create"},
        "consecutive static segments nest",
    ),
    case(
        {
            "GET /credit-entitlements/{id}/ledgerEntries": {"responses": LIST},
            "POST /credit-entitlements/{id}/ledgerEntries": {},
        },
        {
            "GET /credit-entitlements/{id}/ledgerEntries": "credit_entitlements.ledger_entries.list",
            "POST /credit-entitlements/{id}/ledgerEntries": "credit_entitlements.ledger_entries.create",
        },
        "segments are snake-cased (kebab-case, camelCase)",
    ),
    # --- actions ------------------------------------------------------------------------------------------------
    case(
        {"POST /subscriptions/{id}/change-plan": {}},
        {"POST /subscriptions/{id}/change-plan": "subscriptions.change_plan"},
        "a lone trailing static segment is an action; POST keeps its name",
    ),
    case(
        {"GET /payments/{id}/line-items": {"responses": LIST}},
        {"GET /payments/{id}/line-items": "payments.retrieve_line_items"},
        "an action by GET is prefixed retrieve_",
    ),
    case(
        {"DELETE /carts/{id}/items": {}, "PATCH /carts/{id}/coupon": {}},
        {"DELETE /carts/{id}/items": "carts.delete_items", "PATCH /carts/{id}/coupon": "carts.update_coupon"},
        "an action by DELETE/PATCH is prefixed delete_/update_",
    ),
    case(
        {"POST /events/ingest": {}},
        {"POST /events/ingest": "events.ingest"},
        "an action needs no path parameter before it",
    ),
    # --- the root, and path keys with a query string ---------------------------------------------------------
    case({"GET /": {"responses": LIST}}, {"GET /": "root.list"}, "the path / is the root resource"),
    case({"GET /{id}": {}}, {"GET /{id}": "root.retrieve"}, "an item with no static segment is on root"),
    case(
        {
            "GET /search?q={q}": {
                "responses": LIST,
                "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
            }
        },
        {"GET /search?q={q}": "search.list"},
        "the query string of a path key does not shape the tree",
    ),
    # --- names that must not be taken ------------------------------------------------------------------------
    case(
        {"GET /timeout": {"responses": LIST}, "POST /with_options": {}},
        {"GET /timeout": "timeout_.list", "POST /with_options": "with_options_.create"},
        "a top-level resource does not hide a client attribute",
    ),
    case(
        {"GET /a/{id}/timeout": {"responses": LIST}, "POST /a/{id}/timeout": {}},
        {"GET /a/{id}/timeout": "a.timeout.list", "POST /a/{id}/timeout": "a.timeout.create"},
        "client attributes are free below the top level",
    ),
    case(
        {
            "GET /self": {"responses": LIST},
            "GET /x/{id}/with_raw_response": {"responses": LIST},
            "POST /x/{id}/with_raw_response": {},
        },
        {
            "GET /self": "self_.list",
            "GET /x/{id}/with_raw_response": "x.with_raw_response_.list",
            "POST /x/{id}/with_raw_response": "x.with_raw_response_.create",
        },
        "reserved attribute names get a trailing underscore",
    ),
    case(
        {"POST /jobs/{id}/self": {}},
        {"POST /jobs/{id}/self": "jobs.self_"},
        "an action named like a reserved attribute gets a trailing underscore",
    ),
    case(
        {"GET /class": {"responses": LIST}, "GET /2fa": {"responses": LIST}},
        {"GET /class": "class_.list", "GET /2fa": "resource_2fa.list"},
        "segments that are keywords or start with a digit become identifiers",
    ),
    case(
        {"GET /" + "x" * 200: {"responses": LIST}},
        {"GET /" + "x" * 200: "x" * 120 + ".list"},
        "a long segment is cut to a module name of 120 characters",
    ),
    # --- collisions ---------------------------------------------------------------------------------------------
    case(
        {"GET /items": {"responses": LIST}, "GET /items/": {"responses": LIST, "operationId": "listAllItems"}},
        {"GET /items": "items.list", "GET /items/": "items.list_all_items"},
        "collision: the later operation takes its operationId's name",
    ),
    case(
        {"GET /items": {"responses": LIST}, "GET /items/": {"responses": LIST}},
        {"GET /items": "items.list", "GET /items/": "items.list_2"},
        "collision without operationId: a numeric suffix",
    ),
    case(
        {
            "GET /items": {"responses": LIST, "operationId": "getItems"},
            "GET /items/": {"responses": LIST, "operationId": "getItems2"},
        },
        {"GET /items": "items.list", "GET /items/": "items.get_items2"},
        "collision: the first operation in document order keeps the name",
    ),
    case(
        {"POST /a/{id}/b": {}, "GET /a/b/c": {"responses": LIST}},
        {"POST /a/{id}/b": "a.b_2", "GET /a/b/c": "a.b.retrieve_c"},
        "a method named like a child resource is renamed",
    ),
    case(
        {"POST /a/{id}/b": {"operationId": "touch-b"}, "GET /a/b/c": {"responses": LIST}},
        {"POST /a/{id}/b": "a.touch_b", "GET /a/b/c": "a.b.retrieve_c"},
        "a method named like a child resource takes its operationId's name",
    ),
    case(
        {"GET /items": {"responses": LIST}, "GET /items/": {"responses": LIST, "operationId": "class"}},
        {"GET /items": "items.list", "GET /items/": "items.class_"},
        "an operationId fallback is made an identifier",
    ),
    case(
        {"GET /items": {"responses": LIST}, "GET /items/": {"responses": LIST, "operationId": "self"}},
        {"GET /items": "items.list", "GET /items/": "items.list_2"},
        "an operationId fallback that is reserved is skipped",
    ),
]


@pytest.mark.parametrize(("operations", "expected"), TABLE)
def test_placement(tmp_path: Path, operations: dict[str, Json], expected: dict[str, str]) -> None:
    assert place(tmp_path, operations) == expected


# --- OpenAPI 3.2 methods -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operations", "expected"),
    [
        case(
            {"QUERY /documents": {"responses": LIST}},
            {"QUERY /documents": "documents.query"},
            "QUERY is query on a collection",
        ),
        case({"QUERY /documents/{id}": {}}, {"QUERY /documents/{id}": "documents.query"}, "QUERY is query on an item"),
        case(
            {"QUERY /documents": {"responses": LIST}, "QUERY /documents/{id}": {}},
            {"QUERY /documents": "documents.query", "QUERY /documents/{id}": "documents.query_2"},
            "collision: QUERY on a collection and its item share one resource, the later one is numbered",
        ),
        case(
            {"COPY /files/{id}": {}, "LINK /files": {}},
            {"COPY /files/{id}": "files.copy", "LINK /files": "files.link"},
            "additionalOperations are named after the method",
        ),
        case(
            {"COPY /files/{id}/archive": {}, "QUERY /documents/{id}/search": {}},
            {
                "COPY /files/{id}/archive": "files.copy_archive",
                "QUERY /documents/{id}/search": "documents.query_search",
            },
            "an action by another verb is prefixed with it",
        ),
    ],
)
def test_placement_openapi_32(tmp_path: Path, operations: dict[str, Json], expected: dict[str, str]) -> None:
    assert place(tmp_path, operations, version="3.2.0") == expected


# --- the override table ------------------------------------------------------------------------------------


def test_override_by_method_and_path_moves_and_renames(tmp_path: Path) -> None:
    found = place(
        tmp_path,
        {"GET /checkout/supported_countries": {"responses": LIST}},
        overrides={"GET /checkout/supported_countries": ("misc.list_supported_countries",)},
    )
    assert found == {"GET /checkout/supported_countries": "misc.list_supported_countries"}


def test_override_by_operation_id(tmp_path: Path) -> None:
    found = place(
        tmp_path,
        {"POST /checkouts": {"operationId": "createCheckout"}},
        overrides={"createCheckout": ("checkout_sessions.create",)},
    )
    assert found == {"POST /checkouts": "checkout_sessions.create"}


def test_override_keeps_its_name_and_the_default_placement_yields(tmp_path: Path) -> None:
    found = place(
        tmp_path,
        {"GET /customers": {"responses": LIST, "operationId": "listCustomers"}, "GET /clients": {"responses": LIST}},
        overrides={"GET /clients": ("customers.list",)},
    )
    assert found == {"GET /customers": "customers.list_customers", "GET /clients": "customers.list"}


def test_override_aliases_are_other_names_of_the_method(tmp_path: Path) -> None:
    sdk = lower_document(
        tmp_path,
        document(paths_of({"DELETE /products/{id}": {}})),
        overrides={"DELETE /products/{id}": ("products.archive", "products.delete")},
    )
    assert list(methods(sdk)) == ["products.archive"]
    assert method(sdk, "DELETE /products/{id}").aliases == ("delete",)


def test_override_with_no_names_leaves_the_operation_out(tmp_path: Path) -> None:
    sdk = lower_document(
        tmp_path,
        document(paths_of({"POST /docs-only": {}, "POST /kept": {}})),
        overrides={"POST /docs-only": ()},
    )
    assert placements(sdk) == {"POST /kept": "kept.create"}
    assert [line for line in sdk.skipped if line.startswith("POST /docs-only")]


def test_override_matching_nothing_is_a_warning(tmp_path: Path) -> None:
    sdk = lower_document(tmp_path, document(paths_of({"POST /kept": {}})), overrides={"GET /gone": ("gone.list",)})
    assert placements(sdk) == {"POST /kept": "kept.create"}
    assert any("'GET /gone'" in line and "matches no operation" in line for line in sdk.warnings)


@pytest.mark.parametrize(
    "target",
    [
        pytest.param("misc.class", id="rule: an override method that is a keyword is refused"),
        pytest.param("import.create", id="rule: an override resource that is a keyword is refused"),
        pytest.param("misc.not-a-name", id="rule: an override name that is not an identifier is refused"),
        pytest.param("toplevel", id="rule: an override without a resource is refused"),
    ],
)
def test_override_names_must_be_python_names(target: str) -> None:
    """Overrides are checked once, when the configuration is read: the error names the file and the entry."""
    with pytest.raises(SpecError) as error:
        overrides_for({"POST /x": target}, {}, "pyproject.toml", "/tool/sdkforge/targets/0/overrides")
    assert str(error.value) == (
        "pyproject.toml#/tool/sdkforge/targets/0/overrides/POST ~1x: expected 'resource.method' (Python names, not"
        " keywords) or a list of them"
    )


def test_override_alias_that_is_already_a_method_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="already taken"):
        place(
            tmp_path,
            {"DELETE /products/{id}": {}, "GET /products/{id}": {}},
            overrides={"DELETE /products/{id}": ("products.archive", "products.retrieve")},
        )


def test_override_aliases_on_another_resource_are_refused() -> None:
    with pytest.raises(SpecError) as error:
        overrides_for({"POST /x": ["a.go", "b.go"]}, {"overrides": {}}, "pyproject.toml")
    assert str(error.value) == "pyproject.toml#/tool/sdkforge/overrides/POST ~1x: aliases must be on resource 'a'"


def test_a_named_override_table_is_read_from_the_overrides_tables() -> None:
    settings = {"overrides": {"api": {"getX": "misc.get_x"}}}
    assert overrides_for("api", settings, "pyproject.toml") == {"getX": ("misc.get_x",)}
    with pytest.raises(SpecError, match="no override table named 'other'"):
        overrides_for("other", settings, "pyproject.toml")


# --- what the tree says besides placements -------------------------------------------------------------------


def test_tags_do_not_shape_the_tree(tmp_path: Path) -> None:
    found = place(tmp_path, {"GET /pets": {"responses": LIST, "tags": ["animals"]}, "POST /pets": {"tags": ["zoo"]}})
    assert found == {"GET /pets": "pets.list", "POST /pets": "pets.create"}


def test_a_nested_resource_whose_class_name_is_taken_is_qualified_by_its_parents(tmp_path: Path) -> None:
    sdk = lower_document(
        tmp_path,
        document(
            paths_of(
                {
                    "GET /payments": {"responses": LIST},
                    "GET /invoices/{id}/payments": {"responses": LIST},
                    "POST /invoices/{id}/payments": {},
                }
            )
        ),
    )
    (invoices,) = [r for r in sdk.resources if r.attr == "invoices"]
    (payments,) = [r for r in sdk.resources if r.attr == "payments"]
    assert payments.class_name == "PaymentsResource"
    assert [(c.attr, c.class_name) for c in invoices.children] == [("payments", "InvoicesPaymentsResource")]


def test_resource_modules_follow_the_tree(tmp_path: Path) -> None:
    sdk = lower_document(
        tmp_path,
        document(paths_of({"GET /customers/{id}/wallets": {"responses": LIST}, "POST /customers/{id}/wallets": {}})),
    )
    (customers,) = sdk.resources
    assert customers.module == "resources.customers"
    assert [c.module for c in customers.children] == ["resources.customers.wallets"]
    assert customers.methods == ()  # a resource may hold only children


def test_an_override_resource_does_not_hide_a_client_attribute(tmp_path: Path) -> None:
    """rule: a top-level resource named like a client attribute gets `_`, whether a path or an override names it."""
    found = place(tmp_path, {"POST /x": {}, "GET /timeout": {}}, overrides={"POST /x": ("timeout.create",)})
    assert found == {"POST /x": "timeout_.create", "GET /timeout": "timeout_.retrieve"}

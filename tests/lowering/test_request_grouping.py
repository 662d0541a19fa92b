"""Request grouping (generator/lower/operations.py and methods.py): which argument goes where on the wire, and in
what order the signature takes them.

The assertions are on `Param.location` (the wire location), `Param.required`, the order of `Method.params` and
`Method.positional`. The request IR is about to be redesigned (issue 9, point 1): where only printed call
arguments say something, `sent_in` reads the minimal fact from them, and is the one place to change.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator.ir import ListOf, Method, Model, ModelRef, Primitive, Sdk
from tests.lowering.build import (
    LIST,
    Json,
    argument,
    arguments,
    definitions,
    document,
    json_response,
    lower_document,
    method,
    operation,
    widened_kinds,
)

STR: Json = {"type": "string"}
INT: Json = {"type": "integer"}


def param(name: str, where: str, schema: Json | None = None, **fields: Any) -> Json:
    found: Json = {"name": name, "in": where, **fields}
    if where == "path":
        found["required"] = True
    if schema is not None or "content" not in fields:
        found["schema"] = schema if schema is not None else STR
    return found


def body(media_type: str, schema: Json, required: bool = False) -> Json:
    return {"required": required, "content": {media_type: {"schema": schema}}}


def lower_one(tmp_path: Path, path: str, verb: str, op: Json, path_item: Json | None = None, **options: Any) -> Method:
    sdk = lower_document(tmp_path, document({path: {**(path_item or {}), verb: op}}), **options)
    return method(sdk, f"{verb.upper()} {path}")


def lower_sdk(tmp_path: Path, path: str, verb: str, op: Json) -> tuple[Sdk, Method]:
    sdk = lower_document(tmp_path, document({path: {verb: op}}))
    return sdk, method(sdk, f"{verb.upper()} {path}")


def locations(m: Method) -> dict[str, str]:
    """wire name -> location, for the arguments that come from the spec."""
    return {p.wire_name: p.location for p in arguments(m)}


def sent_in(m: Method, keyword: str) -> str:
    """What the request's group for `keyword` holds, as `{key: value, ...}` ("" when it sends none)."""
    for group in m.request.groups:
        if group.keyword == keyword:
            return "{" + ", ".join(f"{sent.key}: {sent.value}" for sent in group.entries) + "}"
    if m.request.body is not None and m.request.body.keyword == keyword:
        return m.request.body.entries[0].value
    return ""


# --- parameters by location ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "wire", "py_name"),
    [
        pytest.param("query", "limit", "limit", id="rule: a query parameter is sent in the query"),
        pytest.param("header", "X-Request-Id", "x_request_id", id="rule: a header parameter is sent as a header"),
        pytest.param("cookie", "session", "session", id="rule: a cookie parameter is sent as a cookie"),
    ],
)
def test_parameter_location(tmp_path: Path, where: str, wire: str, py_name: str) -> None:
    m = lower_one(tmp_path, "/items", "get", operation(LIST, parameters=[param(wire, where)]))
    found = argument(m, wire)
    assert (found.location, found.py_name, found.required) == (where, py_name, False)
    assert found.default == "NOT_GIVEN"  # left out and None differ on the wire


def test_path_parameters_are_required_and_the_last_one_is_positional(tmp_path: Path) -> None:
    op = operation(parameters=[param("org", "path"), param("repo", "path"), param("q", "query", required=True)])
    m = lower_one(tmp_path, "/orgs/{org}/repos/{repo}", "get", op)
    assert locations(m) == {"repo": "path", "org": "path", "q": "query"}
    assert [p.wire_name for p in arguments(m)] == ["repo", "org", "q"]  # positional, then required keyword-only
    assert m.positional == 1
    assert all(p.required for p in arguments(m))


def test_a_path_parameter_is_required_even_if_the_spec_says_not(tmp_path: Path) -> None:
    m = lower_one(tmp_path, "/items/{id}", "get", operation(parameters=[{**param("id", "path"), "required": False}]))
    assert argument(m, "id").required


def test_no_path_parameter_nothing_positional(tmp_path: Path) -> None:
    m = lower_one(tmp_path, "/items", "get", operation(LIST, parameters=[param("q", "query", required=True)]))
    assert m.positional == 0


def test_signature_order_positional_required_optional_then_options(tmp_path: Path) -> None:
    op = operation(
        parameters=[param("a", "query"), param("id", "path"), param("b", "header", required=True)],
        requestBody=body("application/json", {"type": "object", "required": ["c"], "properties": {"d": STR, "c": STR}}),
    )
    m = lower_one(tmp_path, "/items/{id}", "post", op)
    assert [p.wire_name for p in arguments(m)] == ["id", "b", "c", "a", "d"]
    assert [p.py_name for p in m.params if p.location == "option"] == [
        "extra_headers",
        "extra_query",
        "extra_body",
        "timeout",
    ]
    assert m.params[-4:] == tuple(p for p in m.params if p.location == "option")


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("Accept", id="rule: an Accept header parameter is ignored (OpenAPI)"),
        pytest.param("content-type", id="rule: a Content-Type header parameter is ignored (OpenAPI)"),
        pytest.param("Authorization", id="rule: an Authorization header parameter is ignored (OpenAPI)"),
        pytest.param("Content-Length", id="rule: a header the HTTP layer computes is left out"),
        pytest.param("Host", id="rule: Host is computed, left out"),
    ],
)
def test_headers_the_client_sets_are_not_arguments(tmp_path: Path, header: str) -> None:
    m = lower_one(
        tmp_path, "/items", "get", operation(LIST, parameters=[param(header, "header"), param("X-Kept", "header")])
    )
    assert locations(m) == {"X-Kept": "header"}


def test_operation_parameters_override_path_item_parameters(tmp_path: Path) -> None:
    item = {"parameters": [param("q", "query", INT), param("shared", "header")]}
    m = lower_one(
        tmp_path, "/items", "get", operation(LIST, parameters=[param("q", "query", STR, required=True)]), item
    )
    assert locations(m) == {"q": "query", "shared": "header"}
    assert argument(m, "q").type == Primitive("str") and argument(m, "q").required


def test_one_name_in_two_locations_is_two_arguments(tmp_path: Path) -> None:
    op = operation(parameters=[param("id", "path"), param("id", "query")])
    m = lower_one(tmp_path, "/items/{id}", "get", op)
    assert {(p.wire_name, p.location) for p in arguments(m)} == {("id", "path"), ("id", "query")}
    assert argument(m, "id", "path").py_name == "id"  # the path parameter, first, keeps the name
    assert argument(m, "id", "query").py_name == "id_2"


@pytest.mark.parametrize(
    ("wire", "py_name"),
    [
        pytest.param("timeout", "timeout_", id="rule: a parameter named like a per-call option is renamed"),
        pytest.param("extra_headers", "extra_headers_", id="rule: extra_headers is an option"),
        pytest.param("self", "self_", id="rule: self is taken"),
        pytest.param("cast", "cast_", id="rule: a global the method body uses is taken"),
        pytest.param("class", "class_", id="rule: a keyword parameter gets an underscore"),
        pytest.param("page[size]", "page_size", id="rule: a non-identifier parameter is snake-cased"),
        pytest.param("1st", "param_1st", id="rule: a parameter starting with a digit is prefixed"),
    ],
)
def test_parameter_names(tmp_path: Path, wire: str, py_name: str) -> None:
    m = lower_one(tmp_path, "/items", "get", operation(LIST, parameters=[param(wire, "query")]))
    found = argument(m, wire)
    assert (found.py_name, found.wire_name, found.location) == (py_name, wire, "query")


def test_parameter_named_like_a_class_it_uses_is_renamed(tmp_path: Path) -> None:
    doc = document(
        {
            "/items": {
                "get": operation(LIST, parameters=[param("Filter", "query", {"$ref": "#/components/schemas/Filter"})])
            }
        },
        schemas={"Filter": {"type": "string", "enum": ["a", "b"]}},
    )
    m = method(lower_document(tmp_path, doc), "GET /items")
    assert argument(m, "Filter").py_name == "Filter_"


def test_parameter_without_schema_is_a_widened_str(tmp_path: Path) -> None:
    sdk, m = lower_sdk(tmp_path, "/items", "get", operation(LIST, parameters=[{"name": "q", "in": "query"}]))
    assert argument(m, "q").type == Primitive("str")
    assert widened_kinds(sdk) == {"/paths/~1items/get/parameters/0": {"parameter"}}


# --- the path template -------------------------------------------------------------------------------------


def test_undeclared_path_parameter_is_a_required_str(tmp_path: Path) -> None:
    sdk, m = lower_sdk(tmp_path, "/items/{id}", "get", operation())
    found = argument(m, "id")
    assert (found.location, found.type, found.required) == ("path", Primitive("str"), True)
    assert any("'id' is not declared" in w for w in sdk.warnings)


def test_declared_path_parameter_missing_from_the_path_is_left_out(tmp_path: Path) -> None:
    sdk, m = lower_sdk(tmp_path, "/items", "get", operation(LIST, parameters=[param("id", "path")]))
    assert arguments(m) == []
    assert any("'id' does not appear in the path" in w for w in sdk.warnings)


def test_path_key_with_a_query_string(tmp_path: Path) -> None:
    op = operation(LIST, parameters=[param("q", "query", required=True)])
    m = lower_one(tmp_path, "/search?q={q}&format=json", "get", op)
    assert locations(m) == {"q": "query"}
    assert "'format': 'json'" in sent_in(m, "query")  # the fixed pair goes with every call
    assert m.request.path == "'/search'"  # and not in the path


# --- parameter serialisation (only strings say this today) ------------------------------------------------


def test_parameter_described_by_content_is_sent_as_json_text(tmp_path: Path) -> None:
    content = {"application/json": {"schema": {"type": "object", "properties": {"a": STR}}}}
    m = lower_one(tmp_path, "/items", "get", operation(LIST, parameters=[param("filter", "query", content=content)]))
    assert argument(m, "filter").location == "query"
    assert "JsonParam(filter)" in sent_in(m, "query")


def test_array_query_parameter_without_explode_is_delimited(tmp_path: Path) -> None:
    ids = param("ids", "query", {"type": "array", "items": INT}, explode=False)
    pipes = param("tags", "query", {"type": "array", "items": STR}, style="pipeDelimited", explode=False)
    m = lower_one(tmp_path, "/items", "get", operation(LIST, parameters=[ids, pipes]))
    assert "Delimited(ids, ',')" in sent_in(m, "query")
    assert "Delimited(tags, '|')" in sent_in(m, "query")


def test_exploded_array_query_parameter_is_sent_as_is(tmp_path: Path) -> None:
    m = lower_one(
        tmp_path, "/items", "get", operation(LIST, parameters=[param("ids", "query", {"type": "array", "items": INT})])
    )
    assert "'ids': ids" in sent_in(m, "query")


def test_deep_object_query_parameter(tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {"color": STR}}
    m = lower_one(
        tmp_path, "/items", "get", operation(LIST, parameters=[param("filter", "query", schema, style="deepObject")])
    )
    assert "DeepObject(filter)" in sent_in(m, "query")


def test_deep_object_style_on_a_scalar_is_sent_as_form_with_a_warning(tmp_path: Path) -> None:
    sdk, m = lower_sdk(
        tmp_path, "/items", "get", operation(LIST, parameters=[param("q", "query", STR, style="deepObject")])
    )
    assert "DeepObject" not in sent_in(m, "query")
    assert any("deepObject" in w for w in sdk.warnings)


# --- request bodies ------------------------------------------------------------------------------------------

OBJECT_BODY: Json = {
    "type": "object",
    "required": ["name"],
    "properties": {"name": STR, "private": {"type": "boolean"}},
}
UPLOAD: Json = {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": {"type": "string", "format": "binary"},
        "pages": {"type": "array", "items": {"type": "string", "format": "binary"}},
        "note": STR,
    },
}


@pytest.mark.parametrize(
    ("media_type", "schema", "expected"),
    [
        pytest.param(
            "application/json",
            OBJECT_BODY,
            {"name": "body", "private": "body"},
            id="rule: a JSON object body is one argument per property",
        ),
        pytest.param(
            "application/vnd.api+json",
            OBJECT_BODY,
            {"name": "body", "private": "body"},
            id="rule: a +json media type is JSON",
        ),
        pytest.param(
            "multipart/form-data",
            UPLOAD,
            {"file": "file", "pages": "file", "note": "form"},
            id="rule: multipart: binary properties are files, the others form fields",
        ),
        pytest.param(
            "application/x-www-form-urlencoded",
            OBJECT_BODY,
            {"name": "form", "private": "form"},
            id="rule: a form-urlencoded body is form fields",
        ),
        pytest.param(
            "application/json",
            {"type": "array", "items": STR},
            {"": "whole"},
            id="rule: a JSON body that is not an object is one argument, the whole body",
        ),
        pytest.param(
            "application/octet-stream",
            {"type": "string", "format": "binary"},
            {"": "whole"},
            id="rule: a binary body is the whole body",
        ),
        pytest.param("text/plain", STR, {"": "whole"}, id="rule: a text body is the whole body"),
        pytest.param(
            "application/json",
            {"type": "object"},
            {"": "whole"},
            id="rule: a JSON object body with no properties is the whole body",
        ),
    ],
)
def test_body_location(tmp_path: Path, media_type: str, schema: Json, expected: dict[str, str]) -> None:
    m = lower_one(tmp_path, "/items", "post", operation(requestBody=body(media_type, schema)))
    assert locations(m) == expected


def test_body_fields_required_as_the_schema_says(tmp_path: Path) -> None:
    m = lower_one(
        tmp_path, "/items", "post", operation(requestBody=body("application/json", OBJECT_BODY, required=True))
    )
    assert (argument(m, "name").required, argument(m, "private").required) == (True, False)


def test_optional_body_whose_schema_requires_fields_still_requires_them(tmp_path: Path) -> None:
    m = lower_one(
        tmp_path, "/items", "post", operation(requestBody=body("application/json", OBJECT_BODY, required=False))
    )
    assert argument(m, "name").required  # an optional body only means the call may send none


def test_whole_body_is_required_as_the_request_body_says(tmp_path: Path) -> None:
    schema = {"type": "array", "items": STR}
    required = lower_one(tmp_path, "/a", "post", operation(requestBody=body("application/json", schema, True)))
    optional = lower_one(tmp_path, "/a", "post", operation(requestBody=body("application/json", schema, False)))
    assert (argument(required, "").required, argument(optional, "").required) == (True, False)
    assert argument(required, "").py_name == "body"


def test_file_fields_are_typed_as_files(tmp_path: Path) -> None:
    m = lower_one(tmp_path, "/up", "post", operation(requestBody=body("multipart/form-data", UPLOAD, required=True)))
    assert argument(m, "file").type == Primitive("FileTypes")
    assert argument(m, "pages").type == ListOf(Primitive("FileTypes"))
    assert argument(m, "note").type == Primitive("str")


@pytest.mark.parametrize(
    ("media_type", "schema", "body_type"),
    [
        pytest.param(
            "application/octet-stream", {"type": "string", "format": "binary"}, "FileContent", id="rule: binary"
        ),
        pytest.param(
            "image/png", {"type": "string", "format": "binary"}, "FileContent", id="rule: any other type is binary"
        ),
        pytest.param("text/plain", STR, "str", id="rule: a text body is a str"),
    ],
)
def test_body_sent_as_given_with_its_content_type(
    tmp_path: Path, media_type: str, schema: Json, body_type: str
) -> None:
    m = lower_one(tmp_path, "/blob", "put", operation(requestBody=body(media_type, schema, required=True)))
    assert argument(m, "").type == Primitive(body_type)
    assert f"'Content-Type': '{media_type}'" in sent_in(m, "headers")


def test_multipart_body_that_is_not_an_object_is_widened_to_the_encoded_body(tmp_path: Path) -> None:
    op = operation(requestBody=body("multipart/form-data", {"type": "array", "items": STR}))
    sdk, m = lower_sdk(tmp_path, "/up", "post", op)
    assert locations(m) == {"": "whole"}
    assert argument(m, "").type == Primitive("FileContent")
    assert widened_kinds(sdk) == {"/paths/~1up/post/requestBody/content/multipart~1form-data": {"body"}}


def test_json_is_preferred_when_a_body_offers_several_media_types(tmp_path: Path) -> None:
    content = {
        "multipart/form-data": {"schema": UPLOAD},
        "application/json": {"schema": OBJECT_BODY},
        "application/x-www-form-urlencoded": {"schema": OBJECT_BODY},
    }
    m = lower_one(tmp_path, "/items", "post", operation(requestBody={"content": content}))
    assert set(locations(m).values()) == {"body"}


def test_multipart_is_preferred_over_form(tmp_path: Path) -> None:
    content = {"application/x-www-form-urlencoded": {"schema": OBJECT_BODY}, "multipart/form-data": {"schema": UPLOAD}}
    m = lower_one(tmp_path, "/items", "post", operation(requestBody={"content": content}))
    assert locations(m) == {"file": "file", "pages": "file", "note": "form"}


def test_body_properties_and_parameters_with_one_name_are_two_arguments(tmp_path: Path) -> None:
    op = operation(parameters=[param("name", "query")], requestBody=body("application/json", OBJECT_BODY))
    m = lower_one(tmp_path, "/items", "post", op)
    assert argument(m, "name", "query").py_name == "name"
    assert argument(m, "name", "body").py_name == "name_2"


def test_body_referenced_from_components(tmp_path: Path) -> None:
    doc = document(
        {"/items": {"post": operation(requestBody={"$ref": "#/components/requestBodies/NewItem"})}},
        components={"requestBodies": {"NewItem": body("application/json", OBJECT_BODY)}},
    )
    m = method(lower_document(tmp_path, doc), "POST /items")
    assert locations(m) == {"name": "body", "private": "body"}


def test_body_property_referencing_a_component_takes_its_request_form(tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {"owner": {"$ref": "#/components/schemas/Owner"}}}
    doc = document(
        {"/items": {"post": operation(requestBody=body("application/json", schema))}},
        schemas={"Owner": {"type": "object", "properties": {"name": STR}}},
    )
    m = method(lower_document(tmp_path, doc), "POST /items")
    assert argument(m, "owner").type == ModelRef("OwnerParam")


# --- per-call options ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "has_extra_body"),
    [
        pytest.param(operation(requestBody=body("application/json", OBJECT_BODY)), True, id="rule: JSON fields"),
        pytest.param(operation(requestBody=body("multipart/form-data", UPLOAD)), True, id="rule: multipart fields"),
        pytest.param(
            operation(requestBody=body("application/json", {"type": "object", "properties": {}}, required=True)),
            False,
            id="rule: a whole JSON body takes no extra properties",
        ),
        pytest.param(
            operation(requestBody=body("application/octet-stream", {"type": "string", "format": "binary"})),
            False,
            id="rule: a binary body takes no extra properties",
        ),
        pytest.param(operation(), False, id="rule: no body, no extra_body"),
    ],
)
def test_extra_body_only_where_the_body_is_built_from_arguments(tmp_path: Path, op: Json, has_extra_body: bool) -> None:
    m = lower_one(tmp_path, "/items", "post", op)
    options = [p.py_name for p in m.params if p.location == "option"]
    assert options == ["extra_headers", "extra_query"] + (["extra_body"] if has_extra_body else []) + ["timeout"]


# --- pagination ----------------------------------------------------------------------------------------------


def page_of_items() -> Json:
    item = {"type": "object", "properties": {"id": STR}}
    return json_response({"type": "object", "properties": {"items": {"type": "array", "items": item}, "total": INT}})


def test_page_number_pagination_from_an_integer_page_parameter(tmp_path: Path) -> None:
    op = operation(page_of_items(), parameters=[param("page", "query", {"type": "integer", "minimum": 0})])
    m = lower_one(tmp_path, "/items", "get", op)
    assert m.pagination is not None
    assert (m.pagination.kind, m.pagination.param, m.pagination.items) == ("PageNumber", "page", "items")
    assert m.pagination.settings == (("first", "0"),)
    assert argument(m, "page").location == "query"


@pytest.mark.parametrize(
    ("page", "page_params"),
    [
        pytest.param(param("page", "query", STR), None, id="rule: a string page parameter is no page number"),
        pytest.param(param("cursor", "query", INT), None, id="rule: only page-number names paginate"),
        pytest.param(param("page", "query", INT), (), id="rule: an empty page_params list turns detection off"),
        pytest.param(param("page", "header", INT), None, id="rule: a page number is a query parameter"),
    ],
)
def test_no_pagination(tmp_path: Path, page: Json, page_params: tuple[str, ...] | None) -> None:
    m = lower_one(tmp_path, "/items", "get", operation(page_of_items(), parameters=[page]), page_params=page_params)
    assert m.pagination is None


def test_configured_page_parameter_name(tmp_path: Path) -> None:
    op = operation(page_of_items(), parameters=[param("p", "query", INT)])
    m = lower_one(tmp_path, "/items", "get", op, page_params=("p",))
    assert m.pagination is not None and m.pagination.param == "p"


def list_response(**properties: Json) -> Json:
    item = {"type": "object", "required": ["id"], "properties": {"id": STR}}
    return json_response({"type": "object", "properties": {"data": {"type": "array", "items": item}, **properties}})


@pytest.mark.parametrize(
    ("parameters", "response", "expected"),
    [
        pytest.param(
            [param("iterator", "query", STR)],
            list_response(iterator=STR, done={"type": "boolean"}),
            ("Cursor", "iterator", (("token", '("iterator",)'), ("done", '("done",)'))),
            id="rule: a cursor parameter and a field that gives the next one",
        ),
        pytest.param(
            [param("starting_after", "query", STR)],
            list_response(has_more={"type": "boolean"}),
            ("Cursor", "starting_after", (("item_token", '("id",)'), ("more", '("has_more",)'))),
            id="rule: no cursor field, but has_more and items with ids: the last item's id",
        ),
        pytest.param(
            [param("starting_after", "query", STR)],
            list_response(),
            None,
            id="rule: a cursor parameter with nothing that says the next one is no pagination",
        ),
        pytest.param(
            [param("page", "query", INT)],
            list_response(next={"type": "string", "format": "uri"}),
            ("NextUrl", "", (("body", '("next",)'),)),
            id="rule: a URL the server gives beats a page number the client counts",
        ),
        pytest.param(
            [param("page", "query", INT)],
            list_response(next=STR),
            ("PageNumber", "page", (("first", "1"),)),
            id="rule: a bare `next` that nothing says is a URL may be a token: not followed",
        ),
        pytest.param(
            [param("page", "query", {"type": "integer", "minimum": float("inf")})],
            list_response(),
            ("PageNumber", "page", (("first", "1"),)),
            id="rule: a page minimum that is no whole number (YAML's .inf) leaves the first page at 1",
        ),
        pytest.param(
            [param("offset", "query", INT), param("limit", "query", INT)],
            list_response(total=INT),
            ("Offset", "offset", (("total", '("total",)'), ("limit", '"limit"'))),
            id="rule: offset and limit, with the total",
        ),
        pytest.param(
            [param("offset", "query", STR)],
            list_response(),
            None,
            id="rule: an offset that is not an integer is no offset",
        ),
    ],
)
def test_pagination_kind_detection(
    tmp_path: Path,
    parameters: list[Json],
    response: Json,
    expected: tuple[str, str, tuple[tuple[str, str], ...]] | None,
) -> None:
    m = lower_one(tmp_path, "/items", "get", operation(response, parameters=parameters))
    # Settings are Python literals as printed before formatting (single-quoted); compared in ruff's quotes.
    settings = tuple((k, v.replace("'", '"')) for k, v in m.pagination.settings) if m.pagination else ()
    found = None if m.pagination is None else (m.pagination.kind, m.pagination.param, settings)
    assert found == expected


@pytest.mark.parametrize(
    ("version", "content", "decode", "item"),
    [
        pytest.param(
            "3.1.0",
            {"text/event-stream": {"schema": {"type": "object", "properties": {"data": STR}}}},
            "'sse'",
            Primitive("str"),
            id="rule: a server-sent event stream is read where a $ref path item keeps it",
        ),
        pytest.param(
            "3.2.0",
            {"application/jsonl": {"itemSchema": {"type": "object", "properties": {"n": INT}}}},
            "'jsonl'",
            ModelRef("EventsRetrieveItem"),
            id="rule: a 3.2 itemSchema is read where a $ref path item keeps it",
        ),
    ],
)
def test_a_stream_under_a_referenced_path_item(
    tmp_path: Path, version: str, content: Json, decode: str, item: Primitive | ModelRef
) -> None:
    doc = document({"/events": {"$ref": "#/components/pathItems/Events"}}, version=version)
    responses = {"200": {"description": "ok", "content": content}}
    doc["components"] = {"pathItems": {"Events": {"get": operation(responses, operationId="listEvents")}}}
    m = method(lower_document(tmp_path, doc), "GET /events")
    assert m.request.call == "request_stream"
    assert ("decode", decode) in m.request.stream  # a literal as printed, before formatting
    assert m.result == item


@pytest.mark.parametrize(
    "via",
    [
        pytest.param("path item", id="rule: a webhook whose path item is a $ref is kept"),
        pytest.param("request body", id="rule: a webhook whose request body is a $ref is kept"),
    ],
)
def test_a_webhook_through_a_reference(tmp_path: Path, via: str) -> None:
    body = {"content": {"application/json": {"schema": {"type": "object", "properties": {"id": STR}}}}}
    components: Json = {"requestBodies": {"Paid": body}}
    post = operation(requestBody={"$ref": "#/components/requestBodies/Paid"} if via == "request body" else body)
    if via == "path item":
        components["pathItems"] = {"Paid": {"post": post}}
        doc = document(webhooks={"paid": {"$ref": "#/components/pathItems/Paid"}}, components=components)
    else:
        doc = document(webhooks={"paid": {"post": post}}, components=components)
    event = definitions(lower_document(tmp_path, doc))["PaidWebhookEvent"]
    assert isinstance(event, Model)
    assert [f.wire_name for f in event.fields] == ["id"]


def test_a_deprecated_parameter_or_body_field_says_so_in_the_docstring(tmp_path: Path) -> None:
    body = {
        "content": {
            "application/json": {
                "schema": {"type": "object", "properties": {"old": {**STR, "deprecated": True, "description": "Gone."}}}
            }
        }
    }
    parameters = [param("q", "query", deprecated=True), param("kept", "query", description="Still here.")]
    doc = document({"/items": {"post": operation(parameters=parameters, requestBody=body)}})
    docstring = method(lower_document(tmp_path, doc), "POST /items").doc
    assert "q: Deprecated." in docstring
    assert "old: Deprecated. Gone." in docstring
    assert "kept: Still here." in docstring

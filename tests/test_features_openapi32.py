"""OpenAPI 3.2: specs/features/openapi32.yaml against a recording server (the QUERY method and
`additionalOperations` on the wire; `itemSchema` streams; a media type given by reference), and loading a 3.2
document with the 3.2-only fields. Uses the committed generated/feature_openapi32."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_pydantic.v3 import v3_1

from generator.errors import SpecError
from generator.load import load
from generator.lower import Options, lower
from generator.openapi32 import to_31_shape
from tests.conftest import GENERATED, SPECS
from tests.support.server import RecordingServer, server_fixture

sys.path.insert(0, str(GENERATED))

from feature_openapi32 import AsyncFeatureOpenapi32, FeatureOpenapi32  # noqa: E402
from feature_openapi32.types import Document, Match  # noqa: E402

server = server_fixture
DOCUMENT = {"id": "d1", "title": "Plan", "status": "draft"}


@pytest.fixture
def client(server: RecordingServer) -> Iterator[FeatureOpenapi32]:
    with FeatureOpenapi32(bearer_token="tok", base_url=server.url, max_retries=0) as client:
        yield client


# --- on the wire ----------------------------------------------------------------------------------------------


def test_query_method_on_a_collection_sends_its_body(client: FeatureOpenapi32, server: RecordingServer) -> None:
    server.reply(json=[DOCUMENT])
    found = client.documents.query(status="draft")
    assert found == [Document.model_validate(DOCUMENT)]
    request = server.requests[0]
    assert (request.method, request.target) == ("QUERY", "/documents")
    assert request.headers["content-type"] == "application/json"
    assert request.headers["authorization"] == "Bearer tok"
    assert json.loads(request.body) == {"status": "draft"}  # title_contains left out, not sent


def test_query_on_a_trailing_segment_is_an_action(client: FeatureOpenapi32, server: RecordingServer) -> None:
    server.reply(json=[{"line": 3, "text": "budget"}])
    matches = client.documents.query_search("d/1", text="budget", limit=5, extra_body={"fuzzy": True})
    assert matches == [Match(line=3, text="budget")]
    request = server.requests[0]
    assert (request.method, request.path) == ("QUERY", "/documents/d%2F1/search")
    assert json.loads(request.body) == {"text": "budget", "limit": 5, "fuzzy": True}


def test_additional_operation_with_a_header(client: FeatureOpenapi32, server: RecordingServer) -> None:
    server.reply(201, json={**DOCUMENT, "id": "d2"})
    copied = client.documents.copy("d1", Destination="/documents/d2")
    assert isinstance(copied, Document) and copied.id == "d2"
    request = server.requests[0]
    assert (request.method, request.target, request.body) == ("COPY", "/documents/d1", b"")
    assert request.headers["destination"] == "/documents/d2"


def test_additional_operation_with_a_body_and_no_content(client: FeatureOpenapi32, server: RecordingServer) -> None:
    server.reply(204)
    assert client.documents.link("d1", target_id="d9") is None
    request = server.requests[0]
    assert (request.method, request.path) == ("LINK", "/documents/d1")
    assert json.loads(request.body) == {"target_id": "d9"}


def test_async_client_sends_the_same_methods(server: RecordingServer) -> None:
    server.reply(json=[DOCUMENT])
    server.reply(204)

    async def run() -> list[Document]:
        async with AsyncFeatureOpenapi32(bearer_token="tok", base_url=server.url, max_retries=0) as client:
            found = await client.documents.query(title_contains="Pl")
            await client.documents.link("d1", target_id="d2", relation="next")
            return found

    assert asyncio.run(run()) == [Document.model_validate(DOCUMENT)]
    assert [(r.method, r.path, json.loads(r.body)) for r in server.requests] == [
        ("QUERY", "/documents", {"title_contains": "Pl"}),
        ("LINK", "/documents/d1", {"target_id": "d2", "relation": "next"}),
    ]


def test_raw_response_of_a_query(client: FeatureOpenapi32, server: RecordingServer) -> None:
    server.reply(json=[], headers={"X-Total": "0"})
    raw = client.documents.with_raw_response.query()
    assert raw.status_code == 200 and raw.headers["x-total"] == "0" and raw.parse() == []
    assert server.requests[0].method == "QUERY" and json.loads(server.requests[0].body) == {}


def test_querystring_parameter_of_form_data_is_the_query_string(
    client: FeatureOpenapi32, server: RecordingServer
) -> None:
    server.reply(json=[DOCUMENT], times=2)
    assert client.archive.list(criteria={"status": "draft", "title_contains": "a&b"}) == [
        Document.model_validate(DOCUMENT)
    ]
    client.archive.list()
    assert [r.target for r in server.requests] == ["/archive?status=draft&title_contains=a%26b", "/archive"]


def test_media_type_reference_is_read_as_its_target(client: FeatureOpenapi32, server: RecordingServer) -> None:
    server.reply(json=[DOCUMENT])
    assert client.documents.list() == [Document.model_validate(DOCUMENT)]


def test_item_schema_streams_yield_typed_items(client: FeatureOpenapi32, server: RecordingServer) -> None:
    """A sequential media type described by `itemSchema` streams its items, each typed by it (tests/test_streams.py
    has the streaming itself: chunks, cuts, malformed items)."""
    lines = b'{"id":"d1","title":"Plan"}\n{"id":"d2","title":"Memo"}\n'
    server.reply(body=lines, headers={"Content-Type": "application/jsonl"})
    with client.documents.retrieve_export() as exported:
        assert [document.title for document in exported] == ["Plan", "Memo"]
    events = "event: created\ndata: d1\n\n"
    server.reply(body=events, headers={"Content-Type": "text/event-stream"})
    assert [(e.event, e.data) for e in client.events.retrieve()] == [("created", "d1")]
    assert server.requests[1].headers["accept"] == "text/event-stream"


# --- loading --------------------------------------------------------------------------------------------------

DOCUMENT_32: dict[str, Any] = {
    "openapi": "3.2.0",
    "$self": "https://example.com/api/openapi.yaml",
    "info": {"title": "t", "version": "1"},
    "servers": [{"url": "https://example.com", "name": "prod"}],
    "tags": [{"name": "a", "summary": "A", "kind": "nav"}, {"name": "b", "parent": "a", "kind": "badge"}],
    "paths": {
        "/search": {
            "get": {
                "parameters": [
                    {
                        "name": "filter",
                        "in": "querystring",
                        "content": {"application/x-www-form-urlencoded": {"schema": {"type": "object"}}},
                    }
                ],
                "responses": {"200": {"summary": "Found."}},
            },
        },
        "/things/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "query": {
                "requestBody": {"content": {"application/json": {"$ref": "#/components/mediaTypes/Thing"}}},
                "responses": {
                    "200": {
                        "description": "Things, one per line.",
                        "content": {
                            "application/jsonl": {
                                "itemSchema": {"$ref": "#/components/schemas/Thing"},
                                "itemEncoding": {"contentType": "application/json"},
                            }
                        },
                    }
                },
            },
            "additionalOperations": {"PURGE": {"responses": {"204": {"description": "Gone."}}}},
        },
    },
    "components": {
        "mediaTypes": {
            "Thing": {
                "schema": {"$ref": "#/components/schemas/Thing"},
                "examples": {"one": {"dataValue": {"id": "t1"}, "serializedValue": '{"id":"t1"}'}},
            }
        },
        "schemas": {
            "Thing": {
                "type": "object",
                "properties": {"id": {"type": "string"}, "kind": {"type": "string"}},
                "discriminator": {"propertyName": "kind", "defaultMapping": "Thing"},
            }
        },
        "securitySchemes": {
            "device": {
                "type": "oauth2",
                "deprecated": True,
                "oauth2MetadataUrl": "https://example.com/.well-known/oauth-authorization-server",
                "flows": {
                    "deviceAuthorization": {
                        "deviceAuthorizationUrl": "https://example.com/device",
                        "tokenUrl": "https://example.com/token",
                        "scopes": {},
                    }
                },
            }
        },
    },
}


def write(tmp_path: Path, document: dict[str, Any], name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def test_a_32_document_with_the_32_fields_loads(tmp_path: Path) -> None:
    spec = load(write(tmp_path, DOCUMENT_32))
    assert spec.openapi_version == "3.2" and isinstance(spec.api, v3_1.OpenAPI)
    api: Any = spec.api
    assert api.model_extra["$self"] == "https://example.com/api/openapi.yaml"
    assert api.servers[0].model_extra == {"name": "prod"}
    assert [(t.name, t.model_extra) for t in api.tags] == [
        ("a", {"summary": "A", "kind": "nav"}),
        ("b", {"parent": "a", "kind": "badge"}),
    ]
    scheme = api.components.securitySchemes["device"]
    assert scheme.model_extra["deprecated"] is True and "oauth2MetadataUrl" in scheme.model_extra
    assert scheme.flows.model_extra["deviceAuthorization"]["deviceAuthorizationUrl"] == "https://example.com/device"
    assert api.components.schemas["Thing"].discriminator.model_extra == {"defaultMapping": "Thing"}
    # The QUERY operation and additionalOperations are parsed like `get`.
    item = api.paths["/things/{id}"]
    assert isinstance(item.query, v3_1.Operation)
    assert set(item.additionalOperations) == {"PURGE"}
    assert isinstance(item.additionalOperations["PURGE"], v3_1.Operation)
    streamed = item.query.responses["200"].content["application/jsonl"]
    assert streamed.media_type_schema is None and streamed.model_extra["itemSchema"] == {
        "$ref": "#/components/schemas/Thing"
    }
    # A media type reference reads as its target (3.1 has no reference there).
    body = item.query.requestBody.content["application/json"]
    assert body.media_type_schema.ref == "#/components/schemas/Thing"
    assert body.examples["one"].model_extra == {"dataValue": {"id": "t1"}, "serializedValue": '{"id":"t1"}'}
    # A response may go without description since 3.2; its summary stands in.
    assert api.paths["/search"].get.responses["200"].description == "Found."


def test_the_31_shape_is_a_copy() -> None:
    original = json.dumps(DOCUMENT_32, sort_keys=True)
    shaped = to_31_shape(DOCUMENT_32, "spec.yaml")
    assert json.dumps(DOCUMENT_32, sort_keys=True) == original
    # A querystring of form data is what 3.1 says with an exploded form object.
    assert shaped["paths"]["/search"]["get"]["parameters"][0] == {
        "name": "filter",
        "in": "query",
        "style": "form",
        "explode": True,
        "schema": {"type": "object"},
        "x-sdkforge-in": "querystring",
    }


def test_querystring_parameter_lowers_to_an_exploded_object(tmp_path: Path) -> None:
    sdk = lower(load(write(tmp_path, DOCUMENT_32)), Options(package="q"))
    (method,) = next(r for r in sdk.resources if r.attr == "search").methods
    (query,) = [group for group in method.request.groups if group.keyword == "query"]
    assert [(sent.key, sent.value) for sent in query.entries] == [("'filter'", "filter")]


def test_methods_of_a_32_document(tmp_path: Path) -> None:
    document = json.loads(json.dumps(DOCUMENT_32))
    del document["paths"]["/search"]
    document["paths"]["/things/{id}"]["additionalOperations"]["Purge"] = {"responses": {"204": {"description": "-"}}}
    sdk = lower(load(write(tmp_path, document)), Options(package="m"))
    (things,) = sdk.resources
    assert [(m.name, m.http_method) for m in things.methods] == [
        ("query", "QUERY"),
        ("purge", "PURGE"),
        ("purge_2", "PURGE"),
    ]
    assert any("'Purge' method is sent as 'PURGE'" in w for w in sdk.warnings)


@pytest.mark.parametrize(
    ("change", "pointer", "message"),
    [
        (
            lambda d: d["paths"]["/things/{id}"]["additionalOperations"].update(POST={"responses": {}}),
            "/paths/~1things~1{id}/additionalOperations/POST",
            "POST is described by the Path Item's 'post' field, not additionalOperations",
        ),
        (
            lambda d: d["paths"]["/things/{id}"]["additionalOperations"].update({"CO PY": {"responses": {}}}),
            "/paths/~1things~1{id}/additionalOperations/CO PY",
            "not an HTTP method name (RFC 9110 token)",
        ),
        (
            lambda d: d.update(openapi="3.1.0"),
            "/paths/~1things~1{id}/query",
            "'query' is an OpenAPI 3.2 field; declare 'openapi: 3.2.0'",
        ),
        (
            lambda d: d["paths"]["/search"]["get"]["parameters"][0].update(content={"application/json": {}}),
            "/paths/~1search/get/parameters/0/content/application~1json",
            "a querystring parameter of application/json is not supported"
            " (only application/x-www-form-urlencoded of an object schema)",
        ),
        (
            lambda d: d.update(openapi="3.3.0"),
            "/openapi",
            "OpenAPI version '3.3.0' is not supported (3.0.x, 3.1.x and 3.2.x are)",
        ),
        (
            lambda d: d["paths"]["/things/{id}"]["query"]["responses"]["200"].update(content=[]),
            "/paths/~1things~1{id}/query/responses/200/content",
            "Input should be a valid dictionary",
        ),
    ],
)
def test_bad_32_input_names_its_pointer(tmp_path: Path, change: Any, pointer: str, message: str) -> None:
    document = json.loads(json.dumps(DOCUMENT_32))
    change(document)
    with pytest.raises(SpecError) as caught:
        load(write(tmp_path, document))
    assert (caught.value.pointer, caught.value.message) == (pointer, message)
    assert "\n" not in str(caught.value) and str(caught.value).startswith(str(tmp_path / "spec.yaml") + "#")


def test_feature_spec_declares_32() -> None:
    assert load(SPECS / "features" / "openapi32.yaml").openapi_version == "3.2"

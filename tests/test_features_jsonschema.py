"""specs/features/jsonschema.yaml: JSON Schema mechanisms and tolerant loading, on the committed
generated/feature_jsonschema: what each schema becomes, what is widened (and listed), and what goes on the wire."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl

import pydantic
import pytest

from tests.conftest import GENERATED, SPECS, run_sdkforge
from tests.support.server import RecordingServer, server_fixture

sys.path.insert(0, str(GENERATED))

from feature_jsonschema import FeatureJsonschema  # noqa: E402
from feature_jsonschema.types import Conflicting, MaybeShort, Nested, Shapes, Short, Tagged, TreeNode  # noqa: E402

server = server_fixture
SPEC = SPECS / "features" / "jsonschema.yaml"
PACKAGE = GENERATED / "feature_jsonschema"


@pytest.fixture
def client(server: RecordingServer) -> Iterator[FeatureJsonschema]:
    with FeatureJsonschema(bearer_token="t", base_url=server.url, max_retries=0) as client:
        yield client


def field_types(model: type[pydantic.BaseModel]) -> dict[str, str]:
    return {name: str(info.annotation).replace("typing.", "") for name, info in model.model_fields.items()}


def test_json_schema_keywords_become_the_nearest_python_types() -> None:
    types = field_types(Shapes)
    assert types["id_or_number"] == "str | int | None"
    assert types["pair"] == "tuple[str, int] | None"
    assert types["loose_pair"] == "list[str | bool] | None"
    assert types["const_string"] == "Optional[Literal['fixed']]"
    assert types["const_object"] == "dict[str, object] | None"
    assert types["mixed_enum"] == "str | int | list[object] | None"
    assert types["float_enum"] == "float | None"
    assert types["labels"] == "dict[str, str | int] | None"
    assert types["open_labels"] == "dict[str, object] | None"
    assert types["encoded"] == "str | None"
    assert types["not_empty"] == "str | None"
    assert "never_sent" not in types and "additionalProperties" not in types
    assert Short is str and MaybeShort is str  # allOf of constraints on one type is that type
    assert Tagged.model_fields.keys() == {"label"}


def test_every_value_the_spec_allows_is_accepted() -> None:
    shapes = Shapes.model_validate(
        {
            "id_or_number": 7,
            "pair": ["a", 1],
            "loose_pair": ["a", True, False],
            "const_object": {"a": 1},
            "mixed_enum": [3],
            "float_enum": 1.5,
            "labels": {"x-a": "b", "n-c": 2},
            "open_labels": {"x-a": "b", "other": [1]},
            "not_empty": "z",
            "conditional": {"country": "US", "zip": "12345"},
            "anything": {"deep": [None]},
            "conflicting": "small",
            "nested": [[[1], "x"]],
            "widget": {"id": "w", "kind": "large"},
        }
    )
    assert shapes.pair == ("a", 1)
    assert shapes.conditional is not None and shapes.conditional.model_extra == {"zip": "12345"}
    with pytest.raises(pydantic.ValidationError):
        Shapes.model_validate({"pair": ["a", 1, 2]})  # the tuple is exact: two items, no more
    assert Conflicting is not None and Nested == list[list[object]]


def test_inline_recursion_gets_named_classes() -> None:
    tree = TreeNode.model_validate(
        {
            "name": "root",
            "children": [{"depth": 1, "next": {"depth": 2}}],
            "branches": {"leaves": [{"leaves": []}]},
        }
    )
    assert tree.children is not None and tree.children[0].next is not None
    assert tree.children[0].next.depth == 2
    assert tree.branches is not None and tree.branches.leaves is not None
    assert type(tree.branches.leaves[0]) is type(tree.branches)


def test_widenings_are_listed_in_the_package_and_on_stderr(tmp_path: Path) -> None:
    head = (PACKAGE / "__init__.py").read_text(encoding="utf-8").split('"""', 1)[0]
    listed = [line for line in head.splitlines() if line.startswith("# - [")]
    kinds = sorted({line.split("]", 1)[0].removeprefix("# - [") for line in listed})
    assert kinds == ["allOf", "body", "const", "dependentSchemas", "enum", "if", "not", "prefixItems", "recursion"]
    assert "# - [not] /components/schemas/Shapes/properties/not_empty: 'not' only narrows the type; dropped" in listed

    result = run_sdkforge("generate", SPEC, "--output", tmp_path, "--package", "pkg")
    assert result.returncode == 0, result.stderr
    widened = [line for line in result.stderr.splitlines() if line.startswith("sdkforge: pkg: widened [")]
    assert len(widened) == len(listed)
    warnings = "\n".join(line for line in result.stderr.splitlines() if ": warning: " in line)
    assert "#/paths/~1filters/get/security/1/Undefined: names no security scheme" in warnings
    assert "examples/shipped: $ref 'examples/not-shipped.yaml#/Widgets' not found; example left out" in warnings
    assert "path parameter 'region' is not declared; a required str argument" in warnings


def test_strict_turns_every_widening_into_an_error(tmp_path: Path) -> None:
    result = run_sdkforge("generate", SPEC, "--output", tmp_path, "--package", "pkg", "--strict")
    assert result.returncode == 2
    assert result.stderr.startswith("sdkforge: error: specs/features/jsonschema.yaml#/") or "#/" in result.stderr
    assert "--strict refuses it" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "pkg").exists()


def test_optional_body_still_requires_what_its_schema_requires(
    client: FeatureJsonschema, server: RecordingServer
) -> None:
    import inspect

    signature = inspect.signature(client.shapes.create)
    assert signature.parameters["name"].default is inspect.Parameter.empty
    server.reply(json={}, status=201)
    client.shapes.create(name="n", code=("a", 1))
    assert json.loads(server.requests[0].body) == {"name": "n", "code": ["a", 1]}


def test_path_key_with_a_query_string(client: FeatureJsonschema, server: RecordingServer) -> None:
    server.reply(json=["hit"])
    assert client.search.list(q="lamp", limit=5) == ["hit"]
    request = server.requests[0]
    assert request.path == "/search"
    assert sorted(parse_qsl(request.query)) == [("format", "json"), ("limit", "5"), ("q", "lamp")]


def test_content_parameter_and_object_without_explode(client: FeatureJsonschema, server: RecordingServer) -> None:
    server.reply(status=204)
    client.filters.retrieve(where={"field": "size", "equals": 3}, color={"R": 100, "G": 200})
    pairs = parse_qsl(server.requests[0].query)
    assert pairs == [("where", '{"field":"size","equals":3}'), ("color", "R,100,G,200")]


def test_undeclared_path_parameter_and_raw_multipart(client: FeatureJsonschema, server: RecordingServer) -> None:
    server.reply(status=204)
    body = b"--b\r\nContent-Disposition: form-data; name=f\r\n\r\nx\r\n--b--\r\n"
    client.regions.files("eu/1", body=body, extra_headers={"Content-Type": "multipart/form-data; boundary=b"})
    request = server.requests[0]
    assert request.target == "/regions/eu%2F1/files"
    assert request.body == body and request.headers["content-type"] == "multipart/form-data; boundary=b"


def test_references_chains_percent_encoding_and_path_items(client: FeatureJsonschema, server: RecordingServer) -> None:
    server.reply(json={"name": "root"})
    assert client.tree.retrieve("n1", limit=2).name == "root"  # limit: a chain of $refs to a parameter
    assert server.requests[0].target == "/tree/n1?limit=2"
    server.reply(json=[{"id": "w", "kind": "small"}])
    assert [w.kind for w in client.widgets.list()] == ["small"]  # a path item in components/pathItems


def test_generation_is_clean_of_internal_errors_and_exit_codes(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(SPEC.read_text(encoding="utf-8").replace("$ref: '#/components/schemas/Kind'", "$ref: '#/nope'"))
    result = run_sdkforge("generate", broken, "--output", tmp_path, "--package", "pkg")
    assert result.returncode == 2 and "$ref '#/nope' not found" in result.stderr


def test_array_path_parameter_vendor_json_and_computed_headers(
    client: FeatureJsonschema, server: RecordingServer
) -> None:
    import inspect

    assert "content_length" not in inspect.signature(client.labels.retrieve).parameters
    server.reply(json=["a"], headers={"Content-Type": "application/vnd.api+json"})
    assert client.labels.retrieve(["x y", "z/1"]) == ["a"]
    request = server.requests[0]
    assert request.target == "/labels/x%20y%2Cz%2F1"
    assert request.headers["accept"] == "application/vnd.api+json"


def test_a_required_empty_object_body_is_sent(client: FeatureJsonschema, server: RecordingServer) -> None:
    server.reply(status=204)
    server.reply(status=204)
    client.ping.create()
    client.ping.create(extra_body={"trace": True})
    assert [json.loads(r.body) for r in server.requests] == [{}, {"trace": True}]

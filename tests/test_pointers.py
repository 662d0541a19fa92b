"""pointers: the one resolver every stage uses (RFC 6901, and `$ref`s followed on request), and the path key an
operation's pointer names."""

from __future__ import annotations

from generator.pointers import MISSING, path_key, pointer, resolve

DOCUMENT = {
    "paths": {"/a": {"$ref": "#/components/pathItems/A"}, "/b": {"$ref": "#/paths/~1b"}},
    "components": {"pathItems": {"A": {"get": {"summary": "here"}}}},
    "list": [{"x": 1}],
}


def test_a_pointer_resolves_as_written() -> None:
    assert resolve(DOCUMENT, "/list/0/x") == 1
    assert resolve(DOCUMENT, "") is DOCUMENT
    assert resolve(DOCUMENT, "/paths/~1a/$ref") == "#/components/pathItems/A"
    assert resolve(DOCUMENT, "/list/1") is MISSING
    assert resolve(DOCUMENT, "no-slash") is MISSING


def test_a_reference_is_followed_only_when_asked_and_only_where_nothing_else_is() -> None:
    assert resolve(DOCUMENT, "/paths/~1a/get/summary") is MISSING
    assert resolve(DOCUMENT, "/paths/~1a/get/summary", through_refs=True) == "here"
    # The reference object itself is still reachable: a token it holds is not followed through.
    assert resolve(DOCUMENT, "/paths/~1a/$ref", through_refs=True) == "#/components/pathItems/A"


def test_a_reference_to_itself_ends() -> None:
    assert resolve(DOCUMENT, "/paths/~1b/get", through_refs=True) is MISSING


def test_the_path_key_of_an_operation_pointer_is_unescaped_whatever_it_holds() -> None:
    for key in ("/pets/{id}", "/a~b/c", "/search?q={q}", "/"):
        for where in (("get",), ("additionalOperations", "COPY")):
            assert path_key(pointer("paths", key, *where)) == key

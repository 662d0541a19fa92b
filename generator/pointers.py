"""JSON pointers (RFC 6901) and the `$ref` fragments that carry them, for every stage: one place that escapes,
unescapes, percent-decodes and resolves them."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

MISSING: Any = object()  # what `resolve` returns where nothing is
MAX_REF_HOPS = 64  # a chain of references `resolve` follows at one step


def escape(token: str | int) -> str:
    text = str(token)
    return text.replace("~", "~0").replace("/", "~1") if "~" in text or "/" in text else text


def unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def pointer(*tokens: str | int) -> str:
    return "".join("/" + escape(t) for t in tokens)


def tokens(pointer: str) -> list[str | int]:
    """The unescaped tokens of a pointer (`""` and `"/"` are the whole document)."""
    if pointer in ("", "/") or not pointer.startswith("/"):
        return []
    return [unescape(token) for token in pointer[1:].split("/")]


def path_key(operation: str) -> str:
    """The Paths Object key an operation's pointer names: `/pets/{id}` for `/paths/~1pets~1{id}/get`."""
    return str(tokens(operation)[1])


def decode_fragment(fragment: str) -> str:
    """A URI fragment holding a JSON pointer is percent-encoded UTF-8 (RFC 6901, section 6; RFC 3986)."""
    return unquote(fragment)


def resolve(document: Any, pointer: str, through_refs: bool = False) -> Any:
    """The node a (decoded) pointer points at, or MISSING (`""` and `"/"`: the document, as `tokens` says).

    `through_refs`: a local `$ref` met on the way is followed where the pointer would otherwise find nothing.
    Lowering names what it reads by where the spec uses it (`/paths/~1a/get/...`), and a Path Item (or
    other object) given there as a `$ref` keeps its content elsewhere."""
    if pointer and not pointer.startswith("/"):
        return MISSING
    node = document
    for token in map(str, tokens(pointer)):
        for _ in range(MAX_REF_HOPS if through_refs else 0):  # loading checked that references do not cycle
            ref = node.get("$ref") if isinstance(node, dict) and token not in node else None
            if not (isinstance(ref, str) and ref.startswith("#")):
                break
            node = resolve(document, ref[1:])
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return MISSING
    return node


def component_key(ref: str, kind: str = "schemas") -> str | None:
    """`X` for `#/components/<kind>/X` (unescaped); None for a reference anywhere else."""
    prefix = f"#/components/{kind}/"
    if not ref.startswith(prefix) or "/" in ref[len(prefix) :]:
        return None
    return unescape(ref[len(prefix) :])

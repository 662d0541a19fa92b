"""Streamed responses: which decoder reads a media type, and what type each item (or each event's data) has.

The item type comes from the 3.2 `itemSchema`, else the media type's `schema`. For server-sent events the item is
an event: when its schema describes the event's fields (`data` with a `contentSchema`, as 3.2 writes it, or a
`oneOf` of such events, one per event name), the data is typed by the `contentSchema`(s); a schema that is not
event-shaped types the data itself (what most 3.0/3.1 specs mean by `schema` under `text/event-stream`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..ir import Primitive, TypeExpr
from ..pointers import MAX_REF_HOPS, resolve
from .types import union_of

STR = Primitive("str")
OBJECT = Primitive("object")
DONE = "[DONE]"


@dataclass(frozen=True)
class StreamDraft:
    decode: str  # the runtime decoder: sse, jsonl, json-seq
    item_type: TypeExpr  # of each item; for sse, of each event's data
    done: str  # the data of a final event that only ends the stream ("" for none)
    events: tuple[tuple[str, TypeExpr], ...] = ()  # per event name, its data's type (a `oneOf` of named events)


def stream_kind(media_type: str) -> str:
    base = media_type.split(";")[0].strip().lower()
    if base == "text/event-stream":
        return "sse"
    if base.endswith("/json-seq"):
        return "json-seq"
    if base.endswith(("/jsonl", "/x-ndjson", "/jsonlines", "/x-jsonlines", "/ndjson")):
        return "jsonl"
    return ""


def lower_stream(
    raw: Any, media_type: str, media_ptr: str, type_at: Callable[[str], TypeExpr], description: str
) -> StreamDraft | None:
    """`raw` is the whole document, `type_at` lowers the schema at a pointer."""
    kind = stream_kind(media_type)
    media = resolve(raw, media_ptr, through_refs=True)
    if not kind or not isinstance(media, dict):
        return None
    key = "itemSchema" if "itemSchema" in media else "schema" if "schema" in media else ""
    done = DONE if DONE in description or DONE in str(media.get("example", "")) + str(media.get("examples", "")) else ""
    if not key:
        return StreamDraft(kind, STR if kind == "sse" else OBJECT, done)
    ptr = f"{media_ptr}/{key}"
    if kind != "sse":
        return StreamDraft(kind, type_at(ptr), done)
    data, events = _event_data(raw, ptr, type_at)
    return StreamDraft(kind, data, done, events)


def _event_data(
    raw: Any, ptr: str, type_at: Callable[[str], TypeExpr]
) -> tuple[TypeExpr, tuple[tuple[str, TypeExpr], ...]]:
    """The data's type, and per event name the type of its data when each member of a `oneOf` names its event."""
    ptr, schema = _follow(raw, ptr)
    field = "oneOf" if "oneOf" in schema else "anyOf"
    members = schema.get(field)
    pointers = [f"{ptr}/{field}/{i}" for i in range(len(members))] if isinstance(members, list) else []
    if pointers and all(_is_event(_follow(raw, member)[1]) for member in pointers):
        types = [_data_of(raw, member, type_at) for member in pointers]
        names = [_event_name(_follow(raw, member)[1]) for member in pointers]
        named = len(set(names)) == len(names) and all(names)
        return union_of(types), tuple(zip(names, types, strict=True)) if named else ()
    if _is_event(schema):
        return _data_of(raw, ptr, type_at), ()
    return type_at(ptr), ()


def _event_name(schema: Any) -> str:
    """The one event name a member allows (`event: {const: progress}`, or an enum of one), else ""."""
    event = schema["properties"].get("event")
    if not isinstance(event, dict):
        return ""
    values = [event["const"]] if "const" in event else event.get("enum")
    return values[0] if isinstance(values, list) and len(values) == 1 and isinstance(values[0], str) else ""


def _is_event(schema: Any) -> bool:
    """A schema of the event's fields: an object whose `data` property is a string (the wire form)."""
    properties = schema.get("properties") if isinstance(schema, dict) else None
    data = properties.get("data") if isinstance(properties, dict) else None
    return isinstance(data, dict) and (data.get("type") == "string" or "contentSchema" in data)


def _data_of(raw: Any, ptr: str, type_at: Callable[[str], TypeExpr]) -> TypeExpr:
    ptr, _ = _follow(raw, ptr)
    data_ptr = f"{ptr}/properties/data"
    data = resolve(raw, data_ptr, through_refs=True)
    return type_at(f"{data_ptr}/contentSchema") if "contentSchema" in data else STR


def _follow(raw: Any, ptr: str) -> tuple[str, Any]:
    """The schema at `ptr`, through local `$ref`s (loading has checked that they resolve and do not cycle)."""
    node = resolve(raw, ptr, through_refs=True)
    for _ in range(MAX_REF_HOPS):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#")):
            break
        ptr = node["$ref"][1:]
        node = resolve(raw, ptr)
    return ptr, node

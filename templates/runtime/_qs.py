"""Query strings and form fields: OpenAPI's parameter styles, flattened into ordered (name, value) pairs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import cast

from ._serialize import dumps, to_str
from ._types import NOT_GIVEN, NotGiven

__all__ = ["DeepObject", "Delimited", "JsonParam", "add_query", "form_value"]

QueryPairs = list[tuple[str, str | int | float | bool | None]]


class Delimited:
    """A query array sent as one value joined by `delimiter` (OpenAPI `explode: false` and its kin); an object
    is its keys and values in turn."""

    __slots__ = ("delimiter", "values")

    def __init__(self, values: object, delimiter: str = ",") -> None:
        self.values = values
        self.delimiter = delimiter


class JsonParam:
    """A query parameter described by `content: application/json`: its value sent as JSON text."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value


class DeepObject:
    """A query object sent as `name[key]=value` pairs (OpenAPI `style: deepObject`)."""

    __slots__ = ("value",)

    def __init__(self, value: Mapping[str, object] | NotGiven) -> None:
        self.value = value


def add_query(params: QueryPairs, key: str, value: object) -> None:
    if value is NOT_GIVEN:
        return
    if isinstance(value, Delimited):
        items = value.values
        if isinstance(items, NotGiven):
            return
        if isinstance(items, Mapping):
            items = [item for pair in cast(Mapping[str, object], items).items() for item in pair]
        elif not isinstance(items, (list, tuple)):
            items = [items]  # a union of a scalar and an array: the scalar alone
        params.append((key, value.delimiter.join(to_str(v) for v in cast(Sequence[object], items))))
    elif isinstance(value, JsonParam):
        if value.value is not NOT_GIVEN:
            params.append((key, dumps(value.value)))
    elif isinstance(value, DeepObject):
        if not isinstance(value.value, NotGiven):
            for sub_key, sub_value in value.value.items():
                add_query(params, f"{key}[{sub_key}]", sub_value)
    elif isinstance(value, Mapping):
        # An exploded form object: each property is a parameter of its own.
        for sub_key, sub_value in cast(Mapping[str, object], value).items():
            add_query(params, sub_key, sub_value)
    elif isinstance(value, (list, tuple)):
        params.extend((key, to_str(v)) for v in cast(Sequence[object], value))
    else:
        params.append((key, to_str(value)))


def form_value(value: object) -> str | list[str]:
    """A form field (urlencoded or a multipart text part): an array repeats the field, an object is JSON."""
    if isinstance(value, (list, tuple)):
        return [to_str(v) for v in cast(Sequence[object], value)]
    structured: object = value  # declared, so narrowing below does not make it Mapping[Unknown, Unknown]
    if isinstance(structured, Mapping) or hasattr(structured, "model_dump"):
        return dumps(value)
    return to_str(value)

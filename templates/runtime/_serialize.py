"""Python values as the wire spells them: text for paths, queries, headers and forms; plain data for JSON."""

from __future__ import annotations

import base64
import datetime as _dt
import json as _json
import uuid
from collections.abc import Mapping, Sequence
from enum import Enum
from typing import cast

from ._types import NOT_GIVEN

_UTC = _dt.timezone(_dt.timedelta(0))  # not `datetime.UTC`: that is Python 3.11+

__all__ = ["dumps", "jsonable", "read_bytes", "to_str"]


def to_str(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return _isoformat(value)
    if isinstance(value, Enum):
        return to_str(value.value)
    return str(value)


def _isoformat(value: _dt.datetime | _dt.date | _dt.time) -> str:
    """RFC 3339 needs an offset on a date-time; a naive datetime is taken to be UTC, never local time (which
    would make the same call mean different instants on different machines)."""
    if isinstance(value, _dt.datetime) and value.utcoffset() is None:
        value = value.replace(tzinfo=_UTC)
    return value.isoformat()


def dumps(value: object, *, allow_nan: bool = True) -> str:
    """Compact JSON text of `jsonable(value)`."""
    return _json.dumps(jsonable(value), separators=(",", ":"), allow_nan=allow_nan)


def jsonable(value: object) -> object:
    """Plain JSON data from what a caller may pass: dicts, lists, models, dates, UUIDs, decimals, enums."""
    if value is None or isinstance(value, (str, int, float)):
        return value
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in cast(Mapping[object, object], value).items() if v is not NOT_GIVEN}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in cast(Sequence[object], value)]
    import pydantic

    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return _isoformat(value)
    from decimal import Decimal

    if isinstance(value, (uuid.UUID, Decimal)):
        return str(value)
    if isinstance(value, Enum):
        return jsonable(value.value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    raise TypeError(f"Object of type {type(value).__name__} cannot be sent as JSON")


def read_bytes(content: object) -> bytes:
    if isinstance(content, (bytes, bytearray)):
        return bytes(content)
    if isinstance(content, str):
        return content.encode()
    read = getattr(content, "read", None)
    if read is None:
        raise TypeError(f"Expected bytes or a binary file object, got {type(content).__name__}")
    data = read()
    return data.encode() if isinstance(data, str) else bytes(data)

"""Multipart file parts, as httpx takes them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from ._serialize import read_bytes
from ._types import NOT_GIVEN

__all__ = ["file_parts"]


def file_parts(files: Mapping[str, object]) -> list[tuple[str, Any]]:
    """httpx file tuples; a list under one name becomes repeated parts. File objects are read up front so a
    retried request sends the same bytes."""
    parts: list[tuple[str, Any]] = []
    for name, value in files.items():
        if value is NOT_GIVEN:
            continue
        items = cast(list[object], value) if isinstance(value, list) else [value]
        for item in items:
            parts.append((name, _file_part(item)))
    return parts


def _file_part(item: object) -> object:
    if isinstance(item, tuple):
        filename, content, *rest = cast(tuple[object, ...], item)
        return (filename, read_bytes(content), *rest)
    name = getattr(item, "name", None)
    return (str(name).replace("\\", "/").rsplit("/", 1)[-1] if name else None, read_bytes(item))

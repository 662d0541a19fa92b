from __future__ import annotations

import importlib
import os
import typing
from collections.abc import Mapping
from typing import IO, TYPE_CHECKING, Any, Final, Literal, final

import httpx

if TYPE_CHECKING:
    from typing_extensions import NotRequired  # noqa: UP035 - typing has it from 3.11; checkers may run as 3.10
else:
    # Not a version check or a typing_extensions import, which ruff's default rules (Python 3.11+) flag; on 3.10
    # typing_extensions is there, as pydantic depends on it.
    NotRequired = getattr(typing, "NotRequired", None) or importlib.import_module("typing_extensions").NotRequired

__all__ = [
    "NOT_GIVEN",
    "BinaryContent",
    "Body",
    "FileContent",
    "FileTypes",
    "Headers",
    "NoneType",
    "NotGiven",
    "NotRequired",
    "Query",
    "Timeout",
    "union",
]


@final  # one instance, never subclassed
class NotGiven:
    """The type of `NOT_GIVEN`: marks an argument the caller left out, as distinct from an explicit `None`.

    ```py
    client.things.update("id", name=None)  # sends {"name": null}
    client.things.update("id")  # sends {}
    ```
    """

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        # One instance, so `is NOT_GIVEN` holds even after copy or pickle.
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __reduce__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()

Headers = Mapping[str, str]
Query = Mapping[str, object]
Timeout = float | httpx.Timeout | None

FileContent = IO[bytes] | bytes
# A file part: the content alone, or (filename, content) or (filename, content, content type).
FileTypes = FileContent | tuple[str | None, FileContent] | tuple[str | None, FileContent, str | None]

Body = Mapping[str, Any]


class BinaryContent(bytes):
    """A binary response body (a PDF, an image...): it is `bytes`, and also reads like a file."""

    def read(self) -> bytes:
        return bytes(self)

    def write_to_file(self, path: str | os.PathLike[str]) -> None:
        with open(path, "wb") as file:
            file.write(self)


# `cast_to` of operations without a response body (types.NoneType is 3.10+, spelled out for clarity).
NoneType = type(None)


def union(*members: Any) -> Any:
    """`A | B | ...` as a run-time value (what a method's response is parsed as): Python accepts `|` on every
    typing form from 3.10 on, type checkers not on all (`Annotated[...] | None`); `Union[...]`, which they
    accept, ruff's default rules flag."""
    result = members[0]
    for member in members[1:]:
        result = result | member
    return result

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import IO, Any, Final, Literal, Union

import httpx

if sys.version_info >= (3, 11):
    from typing import NotRequired
else:  # pydantic depends on typing_extensions, so it is there on 3.10
    from typing_extensions import NotRequired

__all__ = [
    "NOT_GIVEN",
    "BinaryContent",
    "Body",
    "NoneType",
    "FileContent",
    "FileTypes",
    "Headers",
    "NotGiven",
    "NotRequired",
    "Query",
    "Timeout",
]


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
Timeout = Union[float, httpx.Timeout, None]

FileContent = Union[IO[bytes], bytes]
# A file part: the content alone, or (filename, content) or (filename, content, content type).
FileTypes = Union[FileContent, tuple[str | None, FileContent], tuple[str | None, FileContent, str | None]]

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

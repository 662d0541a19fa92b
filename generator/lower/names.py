"""Python identifiers from spec strings: casing, keywords, and collisions, always deterministic."""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable
from functools import cache

# Attributes of pydantic.BaseModel a field must not shadow. Fixed here rather than read from pydantic at run
# time so the output does not depend on the installed pydantic version.
BASE_MODEL_ATTRIBUTES = frozenset(
    {
        "construct",
        "copy",
        "dict",
        "fields",
        "from_orm",
        "json",
        "parse_file",
        "parse_obj",
        "parse_raw",
        "schema",
        "schema_json",
        "update_forward_refs",
        "validate",
    }
)

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+\d*|[A-Z]+\d*|\d+[a-z]*")
_SEPARATORS = re.compile(r"[^0-9A-Za-z]+")
_SIGNS = {"+": "plus", "-": "minus", "@": "at", "$": "dollar", "#": "number", "%": "percent", "*": "star"}


@cache
def words(text: str) -> tuple[str, ...]:
    """Split any spelling (camelCase, kebab-case, `Test Mode Server`, `+1`) into lower-case words."""
    found: list[str] = []
    stripped = text.strip()
    if stripped[:1] in _SIGNS and not stripped[1:2].isalpha():
        found.append(_SIGNS[stripped[0]])
    for chunk in _SEPARATORS.split(text):
        found.extend(word.lower() for word in _WORD.findall(chunk))
    return tuple(found)


@cache
def snake(text: str) -> str:
    return "_".join(words(text))


# File systems refuse names over 255 bytes; a module named from a longer schema name or path segment is cut
# (the Namespace that hands it out keeps it unique). Real names are far shorter: GitHub's longest is 77.
MAX_MODULE_NAME = 120


def module_name(text: str) -> str:
    """A name that is also a file name: ASCII (snake case or identifier), at most MAX_MODULE_NAME characters."""
    if len(text) <= MAX_MODULE_NAME:
        return text  # as given: the trailing `_` of a keyword (`as_`) is what makes it importable
    cut = text[:MAX_MODULE_NAME].rstrip("_") or text[:MAX_MODULE_NAME]
    return cut + "_" if keyword.iskeyword(cut) else cut


@cache
def pascal(text: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in words(text))


@cache
def identifier(text: str, fallback: str = "value") -> str:
    """A valid, non-keyword Python identifier that keeps `text` when it already is one."""
    name = text if text.isidentifier() and text.isascii() else snake(text)
    if not name:
        name = fallback
    if name[0].isdigit():
        name = f"{fallback}_{name}"
    if keyword.iskeyword(name):
        name += "_"
    return name


def class_name(text: str, fallback: str = "Model") -> str:
    if text.isidentifier() and text.isascii() and text[0].isupper():
        name = text
    else:
        name = pascal(text) or fallback
        if name[0].isdigit():
            name = fallback + name
    return name + "_" if keyword.iskeyword(name) else name  # `False`, `None`, `True`


@cache
def field_name(wire: str) -> str:
    """Pydantic treats a leading underscore as private and reserves `model_`; both are renamed."""
    name = identifier(wire.lstrip("_") or "field", fallback="field")  # `_` and `__` are all underscore
    if name.startswith("model_") or name in BASE_MODEL_ATTRIBUTES:
        name += "_"
    return name


class Namespace:
    """Hands out unique names in one scope; the first claimant of a name keeps it."""

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self._taken = set(reserved)
        self._next_number: dict[str, int] = {}

    def claim(self, wanted: str) -> str:
        stem = wanted.rstrip("_") + ("_" if wanted[:1].islower() else "")
        # Counting on from the last number given to this stem (names are never released) keeps a spec of n
        # colliding names linear, not quadratic.
        name, counter = wanted, self._next_number.get(stem, 2)
        while name in self._taken:
            name, counter = f"{stem}{counter}", counter + 1
        self._taken.add(name)
        if name != wanted:
            self._next_number[stem] = counter
        return name

    def __contains__(self, name: str) -> bool:
        return name in self._taken

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import pydantic

__all__ = ["BaseModel", "discriminate"]


class BaseModel(pydantic.BaseModel):
    """Base of every response model.

    Fields the schema does not list are kept (`model_extra`), so a newer API never breaks an older client;
    fields can be set by their Python name or their wire name. Validation schemas are built on first use,
    which keeps importing the package fast.
    """

    model_config = pydantic.ConfigDict(
        extra="allow",
        populate_by_name=True,
        defer_build=True,
        protected_namespaces=(),
    )


def discriminate(prop: str, mapping: dict[str, str]) -> Callable[[object], str | None]:
    """For `pydantic.Discriminator`: the member a value belongs to, from its tag property (`prop` is the wire
    name: a key of the data when validating, the field of that alias when serializing a model)."""

    def member(value: object) -> str | None:
        if isinstance(value, dict):
            tag = cast(dict[str, object], value).get(prop)
        elif isinstance(value, pydantic.BaseModel):
            name = _field_of_alias(type(value), prop)
            tag = getattr(value, name) if name is not None else (value.model_extra or {}).get(prop)
        else:
            tag = None
        return mapping.get(tag) if isinstance(tag, str) else None

    return member


def _field_of_alias(model: type[pydantic.BaseModel], alias: str) -> str | None:
    for name, info in model.model_fields.items():
        if (info.alias or name) == alias:
            return name
    return None

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
    """For `pydantic.Discriminator`: the member a value belongs to, from its tag property."""

    def member(value: object) -> str | None:
        fields = cast(dict[str, object], value if isinstance(value, dict) else getattr(value, "__dict__", {}))
        tag = fields.get(prop)
        return mapping.get(tag) if isinstance(tag, str) else None

    return member

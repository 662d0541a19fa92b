from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import pydantic
from pydantic_core import core_schema

__all__ = ["UNKNOWN_TAG", "BaseModel", "UnknownInt", "UnknownStr", "UnknownVariant", "discriminate", "keep_tag"]

# The member `discriminate` picks for a tag the union does not list: the UnknownVariant it ends with.
UNKNOWN_TAG = "UnknownVariant"


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
        if not isinstance(tag, str):
            return None  # no tag at all is a malformed value, not a newer one
        return mapping.get(tag, UNKNOWN_TAG)

    return member


class _Unknown:
    """An enum value this client does not know (the server added it after the client was generated): kept as
    the value it is, of a type distinct from the known values' Literal, so a `match` can tell them apart."""

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: pydantic.GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        base = core_schema.str_schema(strict=True) if issubclass(cls, str) else core_schema.int_schema(strict=True)
        return core_schema.no_info_after_validator_function(
            cls, base, serialization=core_schema.plain_serializer_function_ser_schema(_plain)
        )


def _plain(value: object) -> object:
    return str(value) if isinstance(value, str) else int(cast(int, value))


class UnknownStr(_Unknown, str):
    """A string enum value outside the known ones."""


class UnknownInt(_Unknown, int):
    """An integer enum value outside the known ones."""


class UnknownVariant(BaseModel):
    """A member of a tagged union this client does not know (the server is newer): never mistaken for a known
    member. `tag` is the tag it came with, `raw` its payload as received."""

    _tag: str = pydantic.PrivateAttr(default="")

    @property
    def tag(self) -> str:
        return self._tag

    @property
    def raw(self) -> dict[str, object]:
        return dict(self.model_extra or {})

    @classmethod
    def tagged_by(cls, prop: str) -> Any:
        """Annotated metadata of a union's UnknownVariant: records the value of its tag property `prop`."""

        def record(value: UnknownVariant) -> UnknownVariant:
            tag = value.raw.get(prop)
            value._tag = tag if isinstance(tag, str) else ""
            return value

        return pydantic.AfterValidator(record)


keep_tag = UnknownVariant.tagged_by


def _field_of_alias(model: type[pydantic.BaseModel], alias: str) -> str | None:
    for name, info in model.model_fields.items():
        if (info.alias or name) == alias:
            return name
    return None

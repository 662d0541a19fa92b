"""How a user reads open enums and unions (generated/feature_schemas), written for the type checkers only.

tests/test_typecheck.py runs mypy --strict and pyright on this file: a `match` over the known values of an
open enum, or the known members of an open union, needs a fallback arm for what the server may add, and the
checkers must still see the known values. It is never executed.
"""

from __future__ import annotations

from typing import Literal

from feature_schemas._models import UnknownInt, UnknownStr, UnknownVariant
from feature_schemas.types import Dog, Toy, ToyBall, ToyRope, Zoo, ZooStatus
from typing_extensions import assert_never, assert_type  # noqa: UP035 - the packages support 3.10


def describe_status(zoo: Zoo) -> str:
    assert_type(zoo.status, Literal["open", "closed", "under-renovation"] | UnknownStr | None)
    match zoo.status:
        case "open" | "closed":
            return "known"
        case "under-renovation":
            return "works"
        case None:
            return "unknown to the server"
        case UnknownStr():
            return f"newer than this client: {zoo.status}"
        case _:
            assert_never(zoo.status)


def known_status(value: ZooStatus) -> str:
    # A request-side enum is closed: its alias holds only the known values.
    match value:
        case "open" | "closed" | "under-renovation":
            return value
        case _:
            assert_never(value)


def rating(zoo: Zoo) -> int:
    assert_type(zoo.rating, Literal[1, 2, 3, 4, 5] | UnknownInt | None)
    return int(zoo.rating or 0)


def toy_size(toy: Toy) -> float:
    match toy:
        case ToyBall():
            return toy.diameter
        case ToyRope():
            return toy.length
        case UnknownVariant():
            assert_type(toy.tag, str)
            assert_type(toy.raw, dict[str, object])
            return 0.0
        case _:
            assert_never(toy)


def dog_toy(dog: Dog) -> float:
    return toy_size(dog.toy) if dog.toy is not None else 0.0

"""How a user reads a typed error body (generated/feature_hostile), written for the type checkers only.

tests/test_typecheck.py runs mypy --strict and pyright on this file: `err.parsed` is typed by the error bodies the
spec declares (`Error` for 400 and 404, `ServerError` for 5XX), so a `match` over them needs no cast and the
checkers see each model's fields. It is never executed.
"""

from __future__ import annotations

from feature_hostile import APIStatusError, FeatureHostile, NotFoundError
from feature_hostile.types import Error, ServerError
from typing_extensions import assert_never, assert_type  # noqa: UP035 - the packages support 3.10


def pay(client: FeatureHostile) -> str:
    try:
        client.payments.create(amount=100, currency="eur")
    except NotFoundError as err:
        assert_type(err.parsed, Error | ServerError | None)  # every APIStatusError carries the same union
        return "not found"
    except APIStatusError as err:
        match err.parsed:
            case Error(code=code, message=message):
                return f"{code}: {message}"
            case ServerError():
                return f"incident {err.parsed.incident}"
            case None:
                return f"undeclared: {err.body!r}"
            case _:
                assert_never(err.parsed)
    return "paid"

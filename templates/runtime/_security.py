"""Security schemes as the client applies them: the credentials each needs and where each goes on the wire.

`_client.py` describes the API's schemes with these classes, and each operation names the ones it needs in
OpenAPI's own shape (a list of alternatives, each a map of scheme name to scopes). Only option names ever
reach a message or a repr, never a credential's value.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

from ._exceptions import MissingCredentialsError, SDKError

__all__ = [
    "ApiKey",
    "Auth",
    "ClientCredentials",
    "HttpBasic",
    "HttpToken",
    "Scheme",
    "Security",
    "choose",
    "credential",
    "required_credential",
]

T = TypeVar("T")

Security = Sequence[Mapping[str, Sequence[str]]]
"""Alternatives, the first whose credentials are all set is used; `[]` needs nothing, `{}` is anonymous."""


class Auth:
    """What one request carries for its security requirement; its repr names them and shows no value."""

    __slots__ = ("cookies", "fetched", "headers", "query")

    def __init__(self) -> None:
        self.headers: dict[str, str] = {}
        self.query: dict[str, str] = {}
        self.cookies: dict[str, str] = {}
        # Client-credentials tokens this request uses (their cache keys): dropped and fetched again on a 401.
        self.fetched: list[tuple[ClientCredentials, tuple[str, ...]]] = []

    def __repr__(self) -> str:
        return f"<Auth headers={sorted(self.headers)} query={sorted(self.query)} cookies={sorted(self.cookies)}>"


def basic(username: str, password: str) -> str:
    """RFC 7617: base64 of `username:password`, UTF-8."""
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@dataclass(frozen=True)
class ApiKey:
    location: Literal["header", "query", "cookie"]
    name: str
    option: str

    @property
    def options(self) -> tuple[str, ...]:
        return (self.option,)

    def apply(self, auth: Auth, values: Sequence[str]) -> None:
        {"header": auth.headers, "query": auth.query, "cookie": auth.cookies}[self.location][self.name] = values[0]


@dataclass(frozen=True)
class HttpBasic:
    username: str
    password: str

    @property
    def options(self) -> tuple[str, ...]:
        return (self.username, self.password)

    def apply(self, auth: Auth, values: Sequence[str]) -> None:
        auth.headers["Authorization"] = basic(values[0], values[1])


@dataclass(frozen=True)
class HttpToken:
    """`Authorization: <scheme> <token>`: HTTP bearer (or another scheme), OAuth2 and OpenID Connect tokens."""

    scheme: str
    option: str

    @property
    def options(self) -> tuple[str, ...]:
        return (self.option,)

    def apply(self, auth: Auth, values: Sequence[str]) -> None:
        auth.headers["Authorization"] = f"{self.scheme} {values[0]}"


@dataclass(frozen=True)
class ClientCredentials:
    """OAuth2 with a client-credentials flow: a token given as `token` is sent as it is; otherwise one is fetched
    from `token_url` (relative to the base URL) with `client_id` and `client_secret`, and cached."""

    token: str
    client_id: str
    client_secret: str
    token_url: str

    @property
    def options(self) -> tuple[str, ...]:
        return (self.token,)

    def apply(self, auth: Auth, values: Sequence[str]) -> None:
        auth.headers["Authorization"] = f"Bearer {values[0]}"


Scheme = ApiKey | HttpBasic | HttpToken | ClientCredentials


def _satisfied(scheme: Scheme, is_set: Callable[[str], bool]) -> bool:
    if isinstance(scheme, ClientCredentials) and not is_set(scheme.token):
        return is_set(scheme.client_id) and is_set(scheme.client_secret)
    return all(is_set(option) for option in scheme.options)


def _describe(scheme: Scheme) -> str:
    described = " and ".join(scheme.options)
    if isinstance(scheme, ClientCredentials):
        described += f" (or {scheme.client_id} and {scheme.client_secret})"
    return described


def choose(
    schemes: Mapping[str, Scheme], security: Security, is_set: Callable[[str], bool], label: str
) -> list[tuple[Scheme, tuple[str, ...]]]:
    """The schemes (with their scopes) of the first alternative whose credentials are all set. An empty
    alternative (`{}`, anonymous access) is the last resort wherever it stands: credentials the caller gave
    are sent when some alternative takes them."""
    if not security:
        return []
    for requirement in sorted(security, key=lambda alternative: not alternative):
        chosen = [(schemes[name], tuple(scopes)) for name, scopes in requirement.items()]
        if all(_satisfied(scheme, is_set) for scheme, _ in chosen):
            return chosen
    wanted = ", or ".join(" and ".join(_describe(schemes[name]) for name in requirement) for requirement in security)
    raise MissingCredentialsError(f"{label} needs credentials this client was not given: set {wanted}")


def credential(value: T | None, env_var: str) -> T | str | None:
    """The option as passed, else from the environment (set but empty is not a credential)."""
    return value if value is not None else (os.environ.get(env_var) or None)


def required_credential(value: T | None, option: str, env_var: str) -> T | str:
    found = credential(value, env_var)
    if found is None:
        raise SDKError(
            f"The {option} client option must be set either by passing {option} to the client"
            f" or by setting the {env_var} environment variable"
        )
    return found

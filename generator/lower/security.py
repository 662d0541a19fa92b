"""Security schemes and requirements to the IR: the client's credential options, the runtime objects that put
each scheme on the wire, and each operation's requirement (passed by the method only where it differs from the
client's default)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..ir import Credential, Security, SecurityScheme
from .names import Namespace, identifier, snake
from .printing import literal

# Names the client's constructor and `with_options` already use, or read inside them.
_RESERVED = {
    "self",
    "base_url",
    "environment",
    "timeout",
    "max_retries",
    "default_headers",
    "http_client",
    "copy",
    "keep_url",
    "clone",
    "credential",
    "required_credential",
    "os",
    "httpx",
    "type",
    "dict",
    "isinstance",
    "super",
}

Requirement = dict[str, list[str]]  # scheme name -> scopes


@dataclass(frozen=True)
class _Slot:
    """A credential a scheme reads: its option name by kind, and whether it is a token (may be a callable)."""

    kind: str
    token: bool = False


def _kind(scheme: Any) -> str:
    return str(getattr(scheme.type, "value", scheme.type))


def _client_credentials_url(scheme: Any) -> str | None:
    flow = getattr(getattr(scheme, "flows", None), "clientCredentials", None)  # None has neither attribute
    url = getattr(flow, "tokenUrl", None)
    return str(url) if url else None


def _stated(declared: list[list[Requirement] | None]) -> list[list[Requirement]]:
    """Each operation's requirement. Where neither the operation nor the document has `security`, the spec states
    none (unlike `security: []`): what most operations need is sent when it is set, and nothing otherwise, as the
    official SDKs do (Dodo's license endpoints)."""
    stated = Counter(literal(r) for r in declared if r is not None).most_common(1)
    usual = next(r for r in declared if r is not None and literal(r) == stated[0][0]) if stated else []
    unstated = usual if {} in usual else [*usual, {}]
    return [r if r is not None else unstated for r in declared]


def _slots(scheme: Any) -> tuple[_Slot, ...]:
    kind = _kind(scheme)
    if kind == "apiKey":
        return (_Slot("api_key"),)
    if kind == "http" and (scheme.scheme or "").lower() == "basic":
        return (_Slot("username"), _Slot("password"))
    if kind == "oauth2" and _client_credentials_url(scheme):
        return (_Slot("bearer_token", token=True), _Slot("client_id"), _Slot("client_secret"))
    if kind in ("http", "oauth2", "openIdConnect"):
        return (_Slot("bearer_token", token=True),)
    return ()  # mutualTLS: the TLS connection carries it (an `http_client` with a certificate), not a request


class SecurityLowering:
    def __init__(self, api: Any, env_prefix: str, warnings: list[str]) -> None:
        self.schemes: dict[str, Any] = dict((api.components and api.components.securitySchemes) or {})
        self.default: list[Any] | None = api.security
        self.env_prefix = env_prefix
        self.warnings = warnings

    def requirement(self, operation: Any, pointer: str) -> list[Requirement] | None:
        """The operation's security, else the document's, or None when neither says; names of no usable scheme
        are left out (that alternative then needs nothing from them)."""
        security = operation.security if operation.security is not None else self.default
        if security is None:
            return None
        kept: list[Requirement] = []
        for alternative in security:
            requirement: Requirement = {}
            for name, scopes in alternative.items():
                if name in self.schemes and _slots(self.schemes[name]):
                    requirement[name] = [str(s) for s in scopes or []]
                elif name in self.schemes:
                    self.warnings.append(f"{pointer}/security: {name!r} ({_kind(self.schemes[name])}) is not sent")
                else:  # loading repairs this in Path Item fields, not yet in `additionalOperations`
                    self.warnings.append(f"{pointer}/security: {name!r} names no security scheme; ignored")
            kept.append(requirement)
        return kept

    def build(
        self, declared: list[list[Requirement] | None], taken: Iterable[str], *, webhook_key: bool = False
    ) -> tuple[Security, list[str]]:
        """The client's security and, per operation in the given order, the `security=` source it passes
        ("" for the client's default). With `webhook_key`, the client also takes the key that checks the
        signatures of the webhooks the API sends (never sent with a request)."""
        requirements = _stated(declared)
        used = [name for requirement in requirements for alternative in requirement for name in alternative]
        names = list(dict.fromkeys(n for n in self.schemes if n in used))  # in the order components give
        options = self._options(names, set(taken) | ({"webhook_key"} if webhook_key else set()))
        credentials = self._credentials(names, options, requirements, used)
        if webhook_key:
            # Never sent: it checks the signatures of what the API sends.
            meaning = "the key `webhooks.unwrap` checks signatures with"
            credentials.append(Credential("webhook_key", self.env_prefix + "WEBHOOK_KEY", False, "str", "str", meaning))
        printed = [literal(requirement) for requirement in requirements]
        default = Counter(printed).most_common(1)[0][0] if printed else "[]"
        runtime = sorted({self._source(name, options[name]).split("(")[0] for name in names})
        helpers = sorted({"required_credential" if c.required else "credential" for c in credentials})
        security = Security(
            credentials=tuple(credentials),
            schemes=tuple(SecurityScheme(literal(n), self._source(n, options[n])) for n in names),
            default=default,
            abc_import="from collections.abc import "
            + ("Awaitable, Callable, Mapping" if any(c.annotation != "str" for c in credentials) else "Mapping"),
            runtime_import="from ._security import " + ", ".join([*runtime, "Scheme", "Security", *helpers]),
        )
        return security, ["" if p == default else p for p in printed]

    def _credentials(
        self,
        names: list[str],
        options: dict[str, list[tuple[str, _Slot]]],
        requirements: list[list[Requirement]],
        used: list[str],
    ) -> list[Credential]:
        main = max(names, key=used.count) if names else None
        named_api_key = any(o == "api_key" for slots in options.values() for o, _ in slots)
        credentials: list[Credential] = []
        for name in names:
            for position, (option, slot) in enumerate(options[name]):
                # The API's main credential keeps the variable every version read, unless an `api_key` option
                # of another scheme would then share it.
                is_main = name == main and position == 0 and slot.kind in ("api_key", "bearer_token")
                env = "API_KEY" if is_main and (not named_api_key or option == "api_key") else option.upper()
                required = bool(requirements) and all(self._needs(r, option, options) for r in requirements)
                credentials.append(
                    Credential(
                        option=option,
                        env_var=self.env_prefix + env,
                        required=required,
                        annotation="str | Callable[[], str]" if slot.token else "str",
                        async_annotation="str | Callable[[], str | Awaitable[str]]" if slot.token else "str",
                        meaning="a credential; required"
                        if required
                        else "a credential, for the operations that use it",
                    )
                )
        return credentials

    def _options(self, names: list[str], taken: set[str]) -> dict[str, list[tuple[str, _Slot]]]:
        """Each scheme's options, named by kind; where two schemes would take the same name, by the scheme."""
        wanted = Counter(slot.kind for name in names for slot in _slots(self.schemes[name]))
        namespace = Namespace(_RESERVED | taken)
        options: dict[str, list[tuple[str, _Slot]]] = {}
        for name in names:
            slots = _slots(self.schemes[name])
            options[name] = []
            for slot in slots:
                option = slot.kind
                if wanted[slot.kind] > 1:
                    option = snake(name) if len(slots) == 1 else f"{snake(name)}_{slot.kind}"
                options[name].append((namespace.claim(identifier(option, "credential")), slot))
        return options

    def _needs(self, requirement: list[Requirement], option: str, options: dict[str, list[tuple[str, _Slot]]]) -> bool:
        """Every alternative needs the option: a client-credentials scheme needs none of its options alone."""
        return bool(requirement) and all(
            any(
                option in [o for o, _ in options[name]] and _client_credentials_url(self.schemes[name]) is None
                for name in alternative
            )
            for alternative in requirement
        )

    def _source(self, name: str, options: list[tuple[str, _Slot]]) -> str:
        scheme = self.schemes[name]
        kind = _kind(scheme)
        first = literal(options[0][0])
        if kind == "apiKey":
            location = str(getattr(scheme.security_scheme_in, "value", scheme.security_scheme_in))
            return f"ApiKey(location={literal(location)}, name={literal(scheme.name)}, option={first})"
        if options[0][1].kind == "username":
            return f"HttpBasic(username={first}, password={literal(options[1][0])})"
        token_url = _client_credentials_url(scheme)
        if token_url:
            return (
                f"ClientCredentials(token={first}, client_id={literal(options[1][0])},"
                f" client_secret={literal(options[2][0])}, token_url={literal(token_url)})"
            )
        written = scheme.scheme if kind == "http" and scheme.scheme else "bearer"
        prefix = "Bearer" if written.lower() == "bearer" else written[:1].upper() + written[1:]
        return f"HttpToken(scheme={literal(prefix)}, option={first})"

"""specs/features/security.yaml against real servers on 127.0.0.1: the credentials each operation puts on the
wire (headers, query, cookies) for each set of client options, the error when none fits, and OAuth2 client
credentials against a local token endpoint. Uses the committed generated/feature_security."""

from __future__ import annotations

import asyncio
import base64
import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote_plus

import pytest

from tests.conftest import GENERATED, generate
from tests.support.server import RecordedRequest, RecordingServer, Reply, server_fixture

sys.path.insert(0, str(GENERATED))

from feature_security import (  # noqa: E402
    AsyncFeatureSecurity,
    AuthenticationError,
    FeatureSecurity,
    MissingCredentialsError,
    SDKError,
)

server = server_fixture
OK = {"ok": True}
AUTH_HEADERS = ("authorization", "x-app-key", "x-app-token", "cookie")
EVERY = {
    "app_key": "ak-1",
    "app_token": "at-1",
    "query_key": "qk-1",
    "cookie_key": "ck-1",
    "username": "ada-l",  # not hex digits alone: an object's address in a repr could hold them
    "password": "pa:ss wörd",
    "bearer": "bt-1",
    "legacy": "lt-1",
    "oidc": "ot-1",
    "partner_bearer_token": "pt-1",
}
BASIC = "Basic " + base64.b64encode("ada-l:pa:ss wörd".encode()).decode()


@pytest.fixture(autouse=True)
def no_credentials_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("FEATURE_SECURITY_"):
            monkeypatch.delenv(name)


def sent(request: RecordedRequest) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """What a request carried that could be a credential: those headers, and the whole query."""
    headers = {name: value for name, value in request.headers.items() if name in AUTH_HEADERS}
    return headers, parse_qsl(request.query, keep_blank_values=True)


def only(*names: str) -> dict[str, str]:
    return {name: EVERY[name] for name in names}


CASES: list[tuple[str, Callable[[FeatureSecurity], object], dict[str, str], dict[str, str], list[tuple[str, str]]]] = [
    ("document default", lambda c: c.default.retrieve(), EVERY, {"x-app-key": "ak-1"}, []),
    ("query key", lambda c: c.keys.retrieve_query(), EVERY, {}, [("key", "qk-1")]),
    (
        "query key and another parameter",
        lambda c: c.keys.retrieve_query(page=2),
        EVERY,
        {},
        [("key", "qk-1"), ("page", "2")],
    ),
    # The declared parameter of the same name, when given, is sent instead of the credential: one value.
    ("query key named like a parameter", lambda c: c.keys.retrieve_query(key="mine"), EVERY, {}, [("key", "mine")]),
    ("cookie key", lambda c: c.keys.retrieve_cookie(), EVERY, {"cookie": "session_key=ck-1"}, []),
    (
        "cookie key and a cookie parameter",
        lambda c: c.keys.retrieve_cookie(theme="dark"),
        EVERY,
        {"cookie": "session_key=ck-1; theme=dark"},
        [],
    ),
    ("two keys together", lambda c: c.pair.retrieve(), EVERY, {"x-app-key": "ak-1", "x-app-token": "at-1"}, []),
    ("basic", lambda c: c.basic.retrieve(), EVERY, {"authorization": BASIC}, []),
    ("bearer", lambda c: c.tokens.retrieve_bearer(), EVERY, {"authorization": "Bearer bt-1"}, []),
    ("another http scheme", lambda c: c.tokens.retrieve_legacy(), EVERY, {"authorization": "Token lt-1"}, []),
    ("openIdConnect", lambda c: c.tokens.retrieve_oidc(), EVERY, {"authorization": "Bearer ot-1"}, []),
    ("oauth2 token given", lambda c: c.reports.retrieve(), EVERY, {"authorization": "Bearer pt-1"}, []),
    ("additionalOperations", lambda c: c.reports.copy("r1"), EVERY, {"authorization": BASIC}, []),
    (
        "alternatives: the first",
        lambda c: c.alternatives.retrieve(),
        EVERY,
        {"x-app-key": "ak-1", "x-app-token": "at-1"},
        [],
    ),
    # app_key alone does not complete the first alternative, so the next one whose options are set is sent.
    (
        "alternatives: the second",
        lambda c: c.alternatives.retrieve(),
        only("app_key", "username", "password", "bearer"),
        {"authorization": BASIC},
        [],
    ),
    (
        "alternatives: the third",
        lambda c: c.alternatives.retrieve(),
        only("app_key", "username", "bearer"),
        {"authorization": "Bearer bt-1"},
        [],
    ),
    ("security: []", lambda c: c.health.retrieve(), EVERY, {}, []),
    ("optional auth, key set", lambda c: c.catalog.retrieve(), EVERY, {"x-app-key": "ak-1"}, []),
    ("optional auth, nothing set", lambda c: c.catalog.retrieve(), {}, {}, []),
]


@pytest.mark.parametrize(("call", "options", "headers", "query"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_operation_sends_exactly_its_credentials(
    server: RecordingServer,
    call: Callable[[FeatureSecurity], object],
    options: dict[str, str],
    headers: dict[str, str],
    query: list[tuple[str, str]],
) -> None:
    server.reply(json=OK)
    with FeatureSecurity(base_url=server.url, max_retries=0, **options) as client:  # type: ignore[arg-type]
        call(client)
    assert sent(server.requests[0]) == (headers, query)


@pytest.mark.parametrize(("call", "options", "headers", "query"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_the_async_client_sends_the_same(
    server: RecordingServer,
    call: Callable[[Any], Any],
    options: dict[str, str],
    headers: dict[str, str],
    query: list[tuple[str, str]],
) -> None:
    server.reply(json=OK)

    async def main() -> None:
        async with AsyncFeatureSecurity(base_url=server.url, max_retries=0, **options) as client:  # type: ignore[arg-type]
            await call(client)

    asyncio.run(main())
    assert sent(server.requests[0]) == (headers, query)


def test_a_call_no_set_credential_satisfies_raises_before_sending(server: RecordingServer) -> None:
    with FeatureSecurity(base_url=server.url, max_retries=0, app_key="SECRET-ak", bearer="SECRET-bt") as client:
        with pytest.raises(MissingCredentialsError) as basic:
            client.basic.retrieve()
        with pytest.raises(MissingCredentialsError) as pair:
            client.pair.retrieve()
        with pytest.raises(MissingCredentialsError) as reports:
            client.reports.retrieve()
    assert server.requests == []
    assert isinstance(basic.value, SDKError)
    assert str(basic.value) == "GET /basic needs credentials this client was not given: set username and password"
    assert str(pair.value).endswith("set app_key and app_token")
    assert str(reports.value).endswith("set partner_bearer_token (or client_id and client_secret)")
    assert "SECRET" not in str(basic.value) + str(pair.value) + str(reports.value)


def test_the_error_names_every_alternative(server: RecordingServer) -> None:
    async def main() -> None:
        async with AsyncFeatureSecurity(base_url=server.url, max_retries=0, app_key="k") as client:
            await client.alternatives.retrieve()

    with pytest.raises(
        MissingCredentialsError, match=r"set app_key and app_token, or username and password, or bearer$"
    ):
        asyncio.run(main())
    assert server.requests == []


def test_no_option_is_required_when_some_operation_needs_none(server: RecordingServer) -> None:
    server.reply(json=OK)
    with FeatureSecurity(base_url=server.url, max_retries=0) as client:
        assert client.health.retrieve().ok is True
    assert sent(server.requests[0]) == ({}, [])


def test_options_default_from_the_environment(server: RecordingServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # The main credential (the scheme most operations use) keeps <PREFIX>_API_KEY; the others are named after
    # their option.
    monkeypatch.setenv("FEATURE_SECURITY_API_KEY", "ak-env")
    monkeypatch.setenv("FEATURE_SECURITY_APP_TOKEN", "at-env")
    monkeypatch.setenv("FEATURE_SECURITY_USERNAME", "ada-l")
    monkeypatch.setenv("FEATURE_SECURITY_PASSWORD", "pa:ss wörd")
    monkeypatch.setenv("FEATURE_SECURITY_BEARER", "")  # set but empty is not a credential
    server.reply(json=OK, times=3)
    with FeatureSecurity(base_url=server.url, max_retries=0) as client:
        assert client.bearer is None
        client.pair.retrieve()
        client.basic.retrieve()
        with pytest.raises(MissingCredentialsError):
            client.tokens.retrieve_bearer()
        client.with_options(app_key="ak-explicit").default.retrieve()
    assert [sent(r)[0] for r in server.requests] == [
        {"x-app-key": "ak-env", "x-app-token": "at-env"},
        {"authorization": BASIC},
        {"x-app-key": "ak-explicit"},
    ]


def test_with_options_changes_credentials_and_keeps_the_others(server: RecordingServer) -> None:
    server.reply(json=OK, times=3)
    with FeatureSecurity(base_url=server.url, max_retries=0, bearer="old", app_key="ak-1") as client:
        changed = client.with_options(bearer="new")
        changed.tokens.retrieve_bearer()
        changed.default.retrieve()
        client.tokens.retrieve_bearer()
    assert [sent(r)[0] for r in server.requests] == [
        {"authorization": "Bearer new"},
        {"x-app-key": "ak-1"},
        {"authorization": "Bearer old"},
    ]


def test_a_token_option_may_be_a_callable_read_on_every_request(server: RecordingServer) -> None:
    tokens = iter(["t1", "t2"])
    server.reply(json=OK, times=2)
    with FeatureSecurity(base_url=server.url, max_retries=0, bearer=lambda: next(tokens)) as client:
        client.tokens.retrieve_bearer()
        client.tokens.retrieve_bearer()
    assert [r.headers["authorization"] for r in server.requests] == ["Bearer t1", "Bearer t2"]


def test_the_async_client_takes_an_async_token_callable(server: RecordingServer) -> None:
    calls: list[int] = []

    async def fresh_token() -> str:
        calls.append(1)
        return f"async-{len(calls)}"

    server.reply(json=OK, times=3)

    async def main() -> None:
        async with AsyncFeatureSecurity(base_url=server.url, max_retries=0, oidc=fresh_token) as client:
            await client.tokens.retrieve_oidc()
            await client.tokens.retrieve_oidc()
            await client.with_options(oidc=lambda: "plain").tokens.retrieve_oidc()

    asyncio.run(main())
    assert [r.headers["authorization"] for r in server.requests] == ["Bearer async-1", "Bearer async-2", "Bearer plain"]


def test_credentials_never_appear_in_repr_or_errors(server: RecordingServer) -> None:
    server.reply(401, json={"error": "nope"})
    client = FeatureSecurity(base_url=server.url, max_retries=0, **EVERY)  # type: ignore[arg-type]
    with pytest.raises(AuthenticationError) as refused:
        client.basic.retrieve()
    client.close()
    shown = repr(client) + str(refused.value) + repr(refused.value) + repr(refused.value.request)
    for value in [*EVERY.values(), BASIC.split()[1]]:
        assert value not in shown


# --- OAuth2 client credentials --------------------------------------------------------------------------------

CLIENT_ID = "partner app"
CLIENT_SECRET = "s3cr:et/+"  # characters that must be form-encoded before the Basic header (RFC 6749, 2.3.1)
TOKEN_AUTH = "Basic " + base64.b64encode(f"{quote_plus(CLIENT_ID)}:{quote_plus(CLIENT_SECRET)}".encode()).decode()


class AuthorizationServer:
    """A token endpoint (POST /oauth/token) and the API on one real server: tokens tok-1, tok-2, ... live
    `lifetime` seconds; the API answers 401 to the tokens in `rejected`."""

    def __init__(self, lifetime: int | None = 3600) -> None:
        self.lifetime = lifetime
        self.issued = 0
        self.rejected: set[str] = set()
        self.server = RecordingServer(respond=self.respond)

    def respond(self, request: RecordedRequest) -> Reply:
        json_headers = {"Content-Type": "application/json"}
        if request.path == "/oauth/token":
            if request.headers.get("authorization") != TOKEN_AUTH:
                return Reply(401, json_headers, json.dumps({"error": "invalid_client"}).encode())
            self.issued += 1
            answer: dict[str, object] = {"access_token": f"tok-{self.issued}", "token_type": "Bearer"}
            if self.lifetime is not None:
                answer["expires_in"] = self.lifetime
            return Reply(200, json_headers, json.dumps(answer).encode())
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if token in self.rejected:
            return Reply(401, json_headers, json.dumps({"error": "invalid_token"}).encode())
        return Reply(200, json_headers, json.dumps(OK).encode())

    def token_requests(self) -> list[RecordedRequest]:
        return [r for r in self.server.requests if r.path == "/oauth/token"]

    def api_requests(self) -> list[RecordedRequest]:
        return [r for r in self.server.requests if r.path != "/oauth/token"]

    def assert_the_secret_never_reached_the_api(self) -> None:
        for request in self.api_requests():
            carried = request.target + " ".join(request.headers.values()) + request.body.decode()
            assert CLIENT_SECRET not in carried and quote_plus(CLIENT_SECRET) not in carried
            assert TOKEN_AUTH.split()[1] not in carried


@pytest.fixture
def authorization() -> Iterator[AuthorizationServer]:
    auth = AuthorizationServer()
    with auth.server:
        yield auth


def partner(auth: AuthorizationServer) -> FeatureSecurity:
    return FeatureSecurity(
        base_url=auth.server.url + "/api", client_id=CLIENT_ID, client_secret=CLIENT_SECRET, max_retries=0
    )


def test_client_credentials_token_is_fetched_once_and_reused(authorization: AuthorizationServer) -> None:
    with partner(authorization) as client:
        client.reports.retrieve()
        client.reports.retrieve()
        client.reports.create()  # other scopes: a token of its own
        client.reports.create()
    first, second = authorization.token_requests()
    assert (first.method, first.headers["authorization"]) == ("POST", TOKEN_AUTH)
    assert first.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qsl(first.body.decode()) == [("grant_type", "client_credentials"), ("scope", "reports:read")]
    assert parse_qsl(second.body.decode()) == [
        ("grant_type", "client_credentials"),
        ("scope", "reports:read reports:write"),
    ]
    assert [(r.method, r.target, r.headers["authorization"]) for r in authorization.api_requests()] == [
        ("GET", "/api/reports", "Bearer tok-1"),
        ("GET", "/api/reports", "Bearer tok-1"),
        ("POST", "/api/reports", "Bearer tok-2"),
        ("POST", "/api/reports", "Bearer tok-2"),
    ]
    authorization.assert_the_secret_never_reached_the_api()


def test_client_credentials_token_is_refreshed_when_it_expires() -> None:
    auth = AuthorizationServer(lifetime=1)
    with auth.server, partner(auth) as client:
        client.reports.retrieve()
        client.reports.retrieve()  # well within its second
        time.sleep(1.0)  # renewed a tenth of its life early
        client.reports.retrieve()
    assert [r.headers["authorization"] for r in auth.api_requests()] == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]
    assert len(auth.token_requests()) == 2


def test_client_credentials_token_is_refreshed_once_after_a_401(authorization: AuthorizationServer) -> None:
    authorization.rejected = {"tok-1"}  # revoked on the server's side before it expired
    with partner(authorization) as client:
        assert client.reports.retrieve().ok is True
        client.reports.retrieve()
        authorization.rejected = {"tok-2", "tok-3"}
        with pytest.raises(AuthenticationError):
            client.reports.retrieve()  # a fresh token refused too: one refresh, then the error
    assert [r.headers["authorization"] for r in authorization.api_requests()] == [
        "Bearer tok-1",
        "Bearer tok-2",
        "Bearer tok-2",
        "Bearer tok-2",
        "Bearer tok-3",
    ]
    assert len(authorization.token_requests()) == 3
    authorization.assert_the_secret_never_reached_the_api()


def test_a_given_token_is_not_refreshed(authorization: AuthorizationServer) -> None:
    authorization.rejected = {"mine"}
    with FeatureSecurity(
        base_url=authorization.server.url, partner_bearer_token="mine", client_id=CLIENT_ID, client_secret=CLIENT_SECRET
    ) as client:
        with pytest.raises(AuthenticationError):
            client.reports.retrieve()
    assert authorization.token_requests() == []
    assert len(authorization.api_requests()) == 1


def test_a_refused_token_request_is_an_authentication_error(authorization: AuthorizationServer) -> None:
    with FeatureSecurity(
        base_url=authorization.server.url, client_id=CLIENT_ID, client_secret="wrong-secret", max_retries=0
    ) as client:
        with pytest.raises(AuthenticationError) as refused:
            client.reports.retrieve()
    assert "wrong-secret" not in str(refused.value)
    assert authorization.api_requests() == []


def test_async_client_credentials(authorization: AuthorizationServer) -> None:
    authorization.rejected = {"tok-2"}

    async def main() -> None:
        async with AsyncFeatureSecurity(
            base_url=authorization.server.url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, max_retries=0
        ) as client:
            await client.reports.retrieve()
            await client.reports.retrieve()
            await client.reports.create()  # tok-2, refused: refreshed once to tok-3
            await client.reports.create()

    asyncio.run(main())
    assert [(r.method, r.headers["authorization"]) for r in authorization.api_requests()] == [
        ("GET", "Bearer tok-1"),
        ("GET", "Bearer tok-1"),
        ("POST", "Bearer tok-2"),
        ("POST", "Bearer tok-3"),
        ("POST", "Bearer tok-3"),
    ]
    assert len(authorization.token_requests()) == 3
    authorization.assert_the_secret_never_reached_the_api()


UNDECLARED = """\
openapi: 3.1.0
info: {title: Undeclared, version: '1'}
paths:
  /private:
    get:
      security: [{Token: []}]
      responses: {'204': {description: Done.}}
  /public:
    get:
      responses: {'204': {description: Done.}}
  /anonymous:
    get:
      security: []
      responses: {'204': {description: Done.}}
components:
  securitySchemes:
    Token: {type: http, scheme: bearer}
"""


def test_an_operation_whose_spec_states_no_security_sends_the_usual_credential_when_set(
    tmp_path: Path, server: RecordingServer
) -> None:
    # Neither the operation nor the document has `security`: unlike `security: []`, that states nothing, and
    # the official SDKs send their credential anyway (Dodo's license endpoints); without one nothing is sent.
    spec = tmp_path / "undeclared.yaml"
    spec.write_text(UNDECLARED, encoding="utf-8")
    generate(spec, tmp_path / "out", "undeclared_security")
    sys.path.insert(0, str(tmp_path / "out"))
    try:
        import undeclared_security  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(tmp_path / "out"))
    server.reply(status=204, times=3)
    with undeclared_security.UndeclaredSecurity(base_url=server.url, bearer_token="t", max_retries=0) as client:
        client.public.retrieve()
        client.anonymous.retrieve()
    with undeclared_security.UndeclaredSecurity(base_url=server.url, max_retries=0) as client:
        client.public.retrieve()
        with pytest.raises(undeclared_security.MissingCredentialsError):
            client.private.retrieve()
    assert [sent(r)[0] for r in server.requests] == [{"authorization": "Bearer t"}, {}, {}]

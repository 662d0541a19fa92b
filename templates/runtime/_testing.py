from __future__ import annotations

import datetime as _dt
import re
import types
import typing
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar
from urllib.parse import unquote

import httpx
import pydantic

from ._exceptions import STATUS_ERRORS, APIConnectionError, APIError, APITimeoutError, InternalServerError

__all__ = ["Builder", "Examples", "FakeAPI", "MethodFake", "PagedMethodFake", "RecordedCall", "Route", "UndeclaredCallError"]

R = TypeVar("R")
ItemT = TypeVar("ItemT")
ModelT = TypeVar("ModelT", bound=pydantic.BaseModel)
# The spec's example values of models' fields, by model and Python field name.
Examples = Mapping[type[pydantic.BaseModel], Mapping[str, object]]
Answer = Callable[[httpx.Request], httpx.Response]


class UndeclaredCallError(AssertionError):
    """The code under test called an operation the test declared no answer for (or no operation at all)."""


@dataclass(frozen=True)
class RecordedCall:
    """One request the code under test made, as the fake transport received it."""

    method: str
    path: str
    """Percent-decoded, without the query: `/payments/pay_9`."""
    path_params: dict[str, str]
    """The path template's parameters by their name in the spec."""
    query: dict[str, str]
    headers: httpx.Headers
    body: Any
    """The JSON body decoded; the raw bytes when it is not JSON; None when there is none."""
    request: httpx.Request


@dataclass(frozen=True)
class Route:
    """Which operation a request is: its method and a regex of its path template (one group per parameter)."""

    method: str
    pattern: str
    params: tuple[str, ...]
    key: str  # the method on the client: `payments.retrieve`


class MethodFake(Generic[R]):
    """What the fake API answers to one method of the client, and the calls it received.

    Each call takes the next declared answer; the last one keeps answering every further call.
    """

    def __init__(self, fake: FakeAPI, key: str) -> None:
        self.key = key
        self.calls: list[RecordedCall] = []
        self._answers: list[Answer] = []
        fake.methods[key] = self

    def returns(self, value: R, *, status: int = 200, headers: Mapping[str, str] | None = None) -> None:
        """Answer with `value`, sent as the API would send it (a model as its JSON, by wire names)."""
        self._answers.append(lambda request: _response(status, value, headers))

    def raises(self, error: type[APIError], *, status: int | None = None, body: object = None) -> None:
        """Make the call raise `error`: a status error is answered with its status (or `status`), a
        connection error or timeout is raised by the transport."""
        self._answers.append(lambda request: _failure(request, error, status, body))

    def answers(self, status: int, json: object = None, *, headers: Mapping[str, str] | None = None) -> None:
        """Answer with this status and JSON body, whatever the schema says."""
        self._answers.append(lambda request: httpx.Response(status, json=json, headers=headers))

    def respond(self, request: httpx.Request) -> httpx.Response:
        """The next declared answer to `request` (the fake transport calls this)."""
        if not self._answers:
            raise UndeclaredCallError(
                f"{self.key} was called ({request.method} {request.url.path}) but the test declared no answer for it:"
                f" declare one first, e.g. fake.{self.key}.returns(...), .raises(NotFoundError) or .answers(404, {{}})"
            )
        return (self._answers.pop(0) if len(self._answers) > 1 else self._answers[0])(request)


class PagedMethodFake(MethodFake[R], Generic[R, ItemT]):
    """A page-numbered list: `returns_pages` answers each page number with its items, then an empty page."""

    def __init__(
        self, fake: FakeAPI, key: str, *, page_param: str, first_page: int, page: Callable[[list[ItemT]], object]
    ) -> None:
        super().__init__(fake, key)
        self._page_param = page_param
        self._first_page = first_page
        self._page = page

    def returns_pages(self, pages: Sequence[Sequence[ItemT]]) -> None:
        def answer(request: httpx.Request) -> httpx.Response:
            given = request.url.params.get(self._page_param)
            index = int(given) - self._first_page if given is not None and given.isdigit() else 0
            items = list(pages[index]) if 0 <= index < len(pages) else []
            return _response(200, self._page(items), None)

        self._answers.append(answer)


class FakeAPI:
    """The API as a test declares it: a transport for the client's `http_client`, routing each request to the
    method it calls by the route table generated from the spec."""

    def __init__(self, routes: Sequence[Route]) -> None:
        self._routes = [(route, re.compile(route.pattern)) for route in routes]
        self.methods: dict[str, MethodFake[Any]] = {}
        """Every method's double, by its name on the client (`payments.retrieve`)."""
        self.calls: list[RecordedCall] = []
        """Every call, in the order they were made."""

    def _handle(self, request: httpx.Request) -> httpx.Response:
        raw_path = request.url.raw_path.decode("ascii").partition("?")[0]
        for route, pattern in self._routes:
            match = pattern.fullmatch(raw_path) if route.method == request.method else None
            if match is not None:
                method = self.methods[route.key]
                values = {name: unquote(value) for name, value in zip(route.params, match.groups(), strict=True)}
                call = RecordedCall(
                    request.method,
                    request.url.path,
                    values,
                    dict(request.url.params),
                    request.headers,
                    _body(request),
                    request,
                )
                self.calls.append(call)
                method.calls.append(call)
                return method.respond(request)
        raise UndeclaredCallError(f"{request.method} {raw_path} is no operation of this API")

    def transport(self) -> httpx.MockTransport:
        """The fake as a transport (sync and async), for an `httpx.Client` or `httpx.AsyncClient` of your own."""
        return httpx.MockTransport(self._handle)

    def http_client(self) -> httpx.Client:
        return httpx.Client(transport=self.transport())

    def async_http_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self.transport())


def _body(request: httpx.Request) -> object:
    content = request.read()
    if not content:
        return None
    if "json" in request.headers.get("content-type", ""):
        import json

        return json.loads(content)
    return content


def _response(status: int, value: object, headers: Mapping[str, str] | None) -> httpx.Response:
    """`value` on the wire: nothing for None, text for a str, bytes as they are, anything else as JSON."""
    if value is None:
        return httpx.Response(204 if status == 200 else status, headers=headers)
    if isinstance(value, bytes):
        return httpx.Response(
            status, content=value, headers={"Content-Type": "application/octet-stream", **(headers or {})}
        )
    if isinstance(value, str):
        return httpx.Response(status, text=value, headers=headers)
    import pydantic_core

    return httpx.Response(status, json=pydantic_core.to_jsonable_python(value, by_alias=True), headers=headers)


def _failure(request: httpx.Request, error: type[APIError], status: int | None, body: object) -> httpx.Response:
    if issubclass(error, APITimeoutError):
        raise httpx.ReadTimeout("timed out (declared by the test)", request=request)
    if issubclass(error, APIConnectionError):
        raise httpx.ConnectError("connection refused (declared by the test)", request=request)
    if status is None:
        by_error: dict[type[APIError], int] = {cls: code for code, cls in STATUS_ERRORS.items()}
        by_error[InternalServerError] = 500
        if error not in by_error:
            raise TypeError(f"{error.__name__} has no status of its own: pass raises(..., status=...)")
        status = by_error[error]
    return httpx.Response(
        status, json=body if body is not None else {"message": f"{error.__name__} (declared by the test)"}
    )


class Builder:
    """`build(Model, **fields)`: a valid `Model` with the fields given, the spec's examples for the others (when
    they all fit), their defaults, and a minimal value for each required one still missing (the first member of
    a union, the first value of a Literal, an empty list, ...)."""

    def __init__(self, examples: Examples) -> None:
        self._examples = examples

    def __call__(self, model: type[ModelT], /, **overrides: Any) -> ModelT:
        fields = model.model_fields
        unknown = sorted(set(overrides) - set(fields))
        if unknown:
            raise TypeError(f"{model.__name__} has no field {unknown[0]!r}; its fields are {sorted(fields)}")
        required = [name for name, info in fields.items() if info.is_required() and name not in overrides]
        # The annotations resolved: a field may name a class defined further down its module.
        hints = typing.get_type_hints(model, include_extras=True) if required else {}
        minimal = {name: self._minimal(hints.get(name, fields[name].annotation)) for name in required}
        try:
            return model.model_validate({**minimal, **self._examples.get(model, {}), **overrides})
        except pydantic.ValidationError:
            return model.model_validate({**minimal, **overrides})  # an example the schema itself rejects

    def _minimal(self, annotation: Any) -> object:
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin is typing.Annotated:
            return self._minimal(args[0])
        if origin in (typing.Union, types.UnionType):
            return None if type(None) in args else self._minimal(args[0])
        if origin is typing.Literal:
            return args[0]
        if origin is tuple:
            return tuple(self._minimal(arg) for arg in args if arg is not Ellipsis)
        if origin in (list, set, frozenset, Sequence):
            return []
        if origin in (dict, Mapping):
            return {}
        if annotation in _MINIMAL:
            return _MINIMAL[annotation]
        if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
            nested: type[pydantic.BaseModel] = annotation
            return self(nested)
        return None


_MINIMAL: dict[object, object] = {
    str: "string",
    int: 0,
    float: 0.0,
    bool: False,
    bytes: b"",
    Decimal: Decimal(0),
    _dt.datetime: _dt.datetime(2000, 1, 1, tzinfo=_dt.timezone(_dt.timedelta(0))),  # UTC: `datetime.UTC` is 3.11+
    _dt.date: _dt.date(2000, 1, 1),
    _dt.time: _dt.time(0, 0),
    uuid.UUID: uuid.UUID(int=0),
    type(None): None,
    object: None,
    Any: None,
}


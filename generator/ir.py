"""The intermediate representation: what the generated package contains, with every decision already taken.

Plain frozen dataclasses, nothing else. Strings meant to be printed into Python source (annotations,
literals, docstrings, import lines) are final here: templates print them and never compute.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

# --- Type expressions: the structure behind every printed annotation -------------------------------------


@dataclass(frozen=True)
class Primitive:
    name: str  # str, int, float, bool, bytes, object, None, datetime, date, time, UUID, Decimal


@dataclass(frozen=True)
class ModelRef:
    name: str  # a Definition in types/


@dataclass(frozen=True)
class ListOf:
    item: TypeExpr


@dataclass(frozen=True)
class TupleOf:
    items: tuple[TypeExpr, ...]  # a JSON array of exactly these, in order (`prefixItems`)


@dataclass(frozen=True)
class DictOf:
    value: TypeExpr


@dataclass(frozen=True)
class UnionOf:
    members: tuple[TypeExpr, ...]
    discriminator: str | None = None  # wire name of the tag property; members are then ModelRefs
    tags: tuple[tuple[str, ...], ...] = ()  # per member, the tag values that select it


@dataclass(frozen=True)
class LiteralOf:
    values: tuple[str | int | bool, ...]


@dataclass(frozen=True)
class Nullable:
    inner: TypeExpr


TypeExpr = Primitive | ModelRef | ListOf | TupleOf | DictOf | UnionOf | LiteralOf | Nullable


def children(expr: TypeExpr) -> tuple[TypeExpr, ...]:
    """The type expressions directly inside `expr`."""
    if isinstance(expr, ListOf):
        return (expr.item,)
    if isinstance(expr, DictOf):
        return (expr.value,)
    if isinstance(expr, Nullable):
        return (expr.inner,)
    if isinstance(expr, TupleOf):
        return expr.items
    if isinstance(expr, UnionOf):
        return expr.members
    return ()


def walk(expr: TypeExpr) -> Iterator[TypeExpr]:
    """`expr` and every expression inside it, outermost first."""
    pending = [expr]
    while pending:
        node = pending.pop()
        yield node
        pending.extend(reversed(children(node)))


def rebuild(expr: TypeExpr, change: Callable[[TypeExpr], TypeExpr | None]) -> TypeExpr:
    """`expr` with every inner expression for which `change` returns a replacement replaced, outermost first."""
    replaced = change(expr)
    if replaced is not None:
        return replaced
    if isinstance(expr, ListOf):
        return ListOf(rebuild(expr.item, change))
    if isinstance(expr, DictOf):
        return DictOf(rebuild(expr.value, change))
    if isinstance(expr, Nullable):
        return Nullable(rebuild(expr.inner, change))
    if isinstance(expr, TupleOf):
        return TupleOf(tuple(rebuild(item, change) for item in expr.items))
    if isinstance(expr, UnionOf):
        return dataclasses.replace(expr, members=tuple(rebuild(member, change) for member in expr.members))
    return expr


# --- Definitions in types/ --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    wire_name: str
    py_name: str
    type: TypeExpr
    annotation: str
    required: bool
    value: str  # right-hand side of the declaration ("" when there is none), e.g. `None` or `Field(alias="+1")`
    doc: str  # docstring body, already escaped; "" for none
    example: str = ""  # Python literal of the schema's example, "" when it gives none


@dataclass(frozen=True)
class Model:
    """A pydantic model: a response or component object."""

    kind: ClassVar[str] = "model"
    name: str
    fields: tuple[Field, ...]
    doc: str
    deprecated: bool = False


@dataclass(frozen=True)
class TypedDictDef:
    """A request-side object: callers pass plain dicts, checked statically; keys are wire names."""

    kind: ClassVar[str] = "typeddict"
    name: str
    fields: tuple[Field, ...]
    doc: str
    functional: bool  # keys that are not identifiers need the `TypedDict("Name", {...})` form


@dataclass(frozen=True)
class Alias:
    """A named type that is not a class: an enum as Literal, a union, a list, a primitive."""

    kind: ClassVar[str] = "alias"
    name: str
    type: TypeExpr
    annotation: str
    doc: str


Definition = Model | TypedDictDef | Alias


@dataclass(frozen=True)
class TypeModule:
    """One file in types/: a definition and the inline ones only it uses; mutually recursive ones share a file."""

    name: str  # module file stem
    imports: tuple[str, ...]  # complete import lines
    definitions: tuple[Definition, ...]
    exports: tuple[str, ...]  # __all__, in the order ruff's default rules want


# --- Operations -------------------------------------------------------------------------------------------


class Location(StrEnum):
    """Where an argument goes on the wire."""

    PATH = "path"
    QUERY = "query"
    HEADER = "header"
    COOKIE = "cookie"
    BODY = "body"  # a property of the JSON body
    FORM = "form"  # a field of a form or multipart body
    FILE = "file"  # a file of a multipart body
    WHOLE = "whole"  # the entire body
    OPTION = "option"  # a per-call option of the client (extra_headers, timeout, ...), not sent as such


@dataclass(frozen=True)
class Param:
    py_name: str
    wire_name: str  # "" for a whole request body
    location: Location
    type: TypeExpr
    annotation: str
    required: bool
    default: str  # source of the default ("" when required)
    example: str = ""  # Python literal of the spec's example value, "" when the spec gives none


@dataclass(frozen=True)
class Pagination:
    """A list's kind of pagination, as data: the runtime strategy and what it reads and changes."""

    kind: str  # the runtime strategy: PageNumber, Offset, Cursor, NextUrl
    items: str  # wire name of the response property holding the items; "" when the response is the array
    item_type: TypeExpr
    param: str  # wire name of the query parameter the next page changes; "" for a URL
    # The strategy's other settings: (keyword, Python literal), e.g. ("token", '("iterator",)'), ("first", "1").
    settings: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Sent:
    """One entry of a request group: the value sent under a wire name."""

    key: str  # Python literal of the wire name
    value: str  # Python expression: the argument (in its encoder, e.g. `Delimited(ids, ",")`) or a constant


@dataclass(frozen=True)
class Group:
    keyword: str  # the runtime's keyword for it: query, cookies, json, data, files, headers
    entries: tuple[Sent, ...]


@dataclass(frozen=True)
class PageRequest:
    items: str  # Python expression of `response`'s items (`response.data`)
    paging: str  # Python expression of the strategy, e.g. `Cursor("iterator", token=("iterator",), done=("done",))`


@dataclass(frozen=True)
class Request:
    """What a method sends, grouped by wire location, in the order the runtime call takes it."""

    call: str  # the client method: request, get_page for a paginated list (always a GET), or request_stream
    http_method: str  # Python literal; "" for get_page
    path: str  # Python literal: the path, or the template that path_args fill
    path_args: tuple[str, ...]  # parameters filled into the path template, in template order
    groups: tuple[Group, ...]  # only those sent: a required empty JSON body is a json group with no entries
    body: Group | None  # the whole body: keyword json or content, one entry with no key
    cast_to: str
    page: PageRequest | None
    stream: tuple[tuple[str, str], ...]  # for request_stream: (keyword, Python literal), e.g. ("decode", '"sse"')
    options: tuple[str, ...]  # per-call options passed on
    security: str  # Python source of the operation's requirement; "" for the client's default
    errors: str = ""  # Python source: error status ("404", "4XX", "default") -> the type its body is parsed into


@dataclass(frozen=True)
class Method:
    name: str
    http_method: str  # upper case
    params: tuple[Param, ...]  # in signature order
    positional: int  # how many leading params are positional
    request: Request
    returns: str  # annotation of the result
    async_returns: str  # the same for the async client
    doc: str  # docstring body, escaped
    deprecated: str  # Python literal of the deprecation warning, "" when not deprecated
    pointer: str  # JSON pointer of the operation
    pagination: Pagination | None
    aliases: tuple[str, ...] = ()  # other names bound to the same method (override table)
    summary: str = ""  # one line of Markdown: the operation's summary, escaped
    result: TypeExpr = Primitive("None")  # what the call returns, parsed (a paginated list: its page's response)


@dataclass(frozen=True)
class Child:
    attr: str  # attribute on the parent
    class_name: str  # of the child in the form the parent is in (PaymentsResource, AsyncPaymentsResourceWith...)


@dataclass(frozen=True)
class MethodForm:
    """A method as one form of its resource (sync or async) declares and calls it."""

    method: Method
    define: str  # "def" or "async def" (an async list returns its paginator without awaiting)
    await_: str  # "" or "await "
    returns: str


@dataclass(frozen=True)
class WrapperClass:
    """`with_raw_response` / `with_streaming_response`: the same methods, returning the HTTP response."""

    attr: str  # the property on the resource class
    class_name: str
    doc: str
    function: str  # the runtime wrapper applied to each method
    children: tuple[Child, ...]  # the children's wrapper classes of this kind


@dataclass(frozen=True)
class ResourceForm:
    """The sync or the async form of a resource: every name and keyword its classes are printed with."""

    class_name: str
    base: str  # the runtime base class
    methods: tuple[MethodForm, ...]
    children: tuple[Child, ...]
    wrappers: tuple[WrapperClass, ...]


@dataclass(frozen=True)
class Webhooks:
    """`unsafe_unwrap`, and `unwrap` when a signature scheme is configured, on the `webhooks` resource."""

    event: str  # annotation of the union of every event, as the resource module prints it
    verify: str  # the runtime function that checks a signature; "" when no scheme is configured
    scheme: str  # the scheme's name, for docstrings


@dataclass(frozen=True)
class Resource:
    attr: str  # attribute on the parent: client.<attr>
    class_name: str  # sync class; the async one is Async<class_name>
    module: str  # dotted module path inside the package, e.g. resources.credit_entitlements.balances
    path: str  # its file inside the package: resources/x.py, or resources/x/__init__.py when it has children
    methods: tuple[Method, ...]
    children: tuple[Resource, ...]
    forms: tuple[ResourceForm, ...]  # sync, then async
    exports: tuple[str, ...]  # __all__
    imports: tuple[str, ...]  # complete import lines for the module
    type_checking_imports: tuple[str, ...]  # child resource classes, imported lazily at run time
    webhooks: Webhooks | None  # on the top-level `webhooks` resource of an API that documents webhooks


def walk_resources(resources: tuple[Resource, ...], parent: str = "") -> Iterator[tuple[str, Resource]]:
    """Every resource of the tree, parents first, with its dotted path from the client (`customers.wallets`)."""
    for resource in resources:
        path = f"{parent}.{resource.attr}" if parent else resource.attr
        yield path, resource
        yield from walk_resources(resource.children, path)


# --- The package ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Environment:
    name: str
    url: str  # Python literal source


@dataclass(frozen=True)
class Credential:
    """One constructor option of the client that holds a credential."""

    option: str  # constructor parameter and attribute, e.g. api_key, username, bearer_token
    env_var: str  # read when the parameter is omitted
    required: bool  # every operation needs it: the constructor raises without it
    annotation: str  # of the sync client's parameter, without `| None` (a token may be a callable)
    async_annotation: str  # the same for the async client
    meaning: str  # what the README's option table says it is


@dataclass(frozen=True)
class SecurityScheme:
    name: str  # Python literal of the scheme's name in the spec, as operations' requirements name it
    source: str  # Python source of the runtime object that applies it, e.g. `ApiKey(location="header", ...)`


@dataclass(frozen=True)
class Security:
    credentials: tuple[Credential, ...]  # in constructor order
    schemes: tuple[SecurityScheme, ...]  # the schemes some operation uses
    default: str  # Python source of the requirement list an operation has unless its Method passes another
    abc_import: str  # the `collections.abc` import line of _client.py
    runtime_import: str  # the `._security` import line of _client.py


@dataclass(frozen=True)
class CredentialForm:
    """A credential option as one form of the client (sync or async) declares and reads it."""

    option: str
    env_var: str  # read when the parameter is omitted
    parameter: str  # annotation of the constructor's parameter, `| None` included
    attribute: str  # annotation of the attribute
    read: str  # Python expression that takes the parameter or the environment variable (raising when required)


@dataclass(frozen=True)
class Attached:
    """A top-level resource on a client form."""

    attr: str
    module: str
    class_name: str


@dataclass(frozen=True)
class ClientForm:
    """The sync or the async client class: every name it is printed with."""

    class_name: str
    base: str  # the runtime base class
    http_client: str  # annotation of the `http_client` option
    kind: str  # "synchronous" or "asynchronous", for its docstring
    credentials: tuple[CredentialForm, ...]
    resources: tuple[Attached, ...]


# --- The testing module: typed doubles keyed by the resource tree ----------------------------------------


@dataclass(frozen=True)
class FakeMember:
    """One attribute of a fake resource: a method's double or a child resource's fake."""

    attr: str
    annotation: str
    value: str  # Python source, evaluated in `__init__` where `fake` is the FakeAPI


@dataclass(frozen=True)
class FakeClass:
    class_name: str
    members: tuple[FakeMember, ...]


@dataclass(frozen=True)
class Testing:
    imports: tuple[str, ...]  # complete import lines of testing.py
    routes: tuple[str, ...]  # Python source of each Route, most specific first: a request takes the first match
    classes: tuple[FakeClass, ...]  # every resource's fake, children before their parents
    members: tuple[FakeMember, ...]  # the Fake's own: the top-level resources
    client_arguments: tuple[str, ...]  # keyword arguments of the client the fake builds: credentials, base_url
    examples: tuple[str, ...]  # Python source of each EXAMPLES entry: `Model: {"field": value, ...}`
    clients: tuple[str, str]  # the sync and async client classes as testing.py names them (a model may share the name)


# --- README.md and api.md --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocsRow:
    cells: tuple[str, ...]  # Markdown, escaped


@dataclass(frozen=True)
class DocsMethod:
    call: str  # `client.payments.retrieve`, with its other names
    signature: str  # Python, for a code block
    types: str  # Markdown links to the types it returns, "-" for none
    summary: str  # one line of Markdown


@dataclass(frozen=True)
class DocsResource:
    title: str  # `client.payments`
    methods: tuple[DocsMethod, ...]


@dataclass(frozen=True)
class Docs:
    """Every line of README.md and api.md: prose escaped as Markdown, examples as complete Python programs."""

    title: str
    about: str
    package: str
    client_name: str
    options: tuple[DocsRow, ...]  # (option, environment variable, meaning)
    environments: tuple[DocsRow, ...]  # (name, URL)
    environment_example: str  # an environment name to show, "" when the spec names none
    errors: tuple[DocsRow, ...]  # (error class, when)
    usage: str
    async_usage: str
    errors_about: str  # what an error says about the response's body
    errors_example: str
    pagination_example: str  # "" when no method is paginated
    raw_example: str
    streaming_example: str
    testing_example: str
    webhooks_about: str  # what the webhooks section's example shows; "" when the API documents no webhooks
    webhooks_example: str
    resources: tuple[DocsResource, ...]  # depth first, as the client nests them


@dataclass(frozen=True)
class ErrorBody:
    """`_error_body.py`: every type the spec declares for an error's body, as one union, which types
    `APIStatusError.parsed`."""

    annotation: str  # "None" when the spec declares none
    imports: tuple[str, ...]
    type: TypeExpr


@dataclass(frozen=True)
class Sdk:
    package: str
    client_name: str
    clients: tuple[ClientForm, ...]  # sync, then async
    environment_names: tuple[str, ...]  # values of EnvironmentName ("default" when the spec names no server)
    client_doc: str  # the client classes' docstring body
    env_prefix: str
    idempotency_header: str  # Python literal source: the header a retried POST/PATCH carries its key in, or None
    version: str  # Python literal source
    user_agent: str  # Python expression (of `__version__`, which _client.py imports)
    spec_version: str  # info.version, raw: only the manifest prints it
    spec_sha256: str  # of the spec and every file it references: only the manifest prints it
    header: tuple[str, ...]  # comment lines at the top of every file
    environments: tuple[Environment, ...]  # the first is the default
    security: Security
    resources: tuple[Resource, ...]  # top level, in spec order; each holds its children
    resource_imports: tuple[str, ...]  # import lines of the top-level resource classes, sorted
    type_modules: tuple[TypeModule, ...]
    type_exports: tuple[tuple[str, str], ...]  # (public name, module stem) for types/__init__, by module
    type_all: tuple[str, ...]  # types/__init__'s __all__
    exceptions: tuple[str, ...]  # the error classes the package exports (the runtime's _exceptions.__all__)
    exports: tuple[str, ...]  # the package's __all__
    client_exports: tuple[str, ...]  # _client's __all__, as the package imports it
    error_alias: str  # the package's name for SDKError
    widened: tuple[str, ...]  # schemas typed more widely than the spec says: "[kind] pointer: reason"
    skipped: tuple[str, ...]  # operations excluded by the override table
    warnings: tuple[str, ...]  # for the person generating, e.g. an override that matches nothing
    doc: str
    testing: Testing  # the `testing` module
    error_body: ErrorBody
    docs: Docs | None = None  # README.md and api.md, built last from the rest of the package

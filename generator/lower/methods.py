"""Resource modules: the tree of resources, and each method's signature, request arguments and docstring,
printed now that every type has its module."""

from __future__ import annotations

from ..errors import SpecError
from ..ir import (
    Child,
    DictOf,
    ErrorBody,
    Group,
    ListOf,
    Location,
    Method,
    MethodForm,
    ModelRef,
    Nullable,
    PageRequest,
    Pagination,
    Param,
    Primitive,
    Request,
    Resource,
    ResourceForm,
    Sent,
    TypeExpr,
    Webhooks,
    WrapperClass,
)
from ..pointers import path_key
from .names import Namespace, pascal
from .operations import MethodDraft
from .pagination import PageDraft
from .printing import AnnotationPrinter, Imports, docstring, dunder_all, literal, markdown, unknown_of
from .streams import StreamDraft
from .types import NONE, union_of
from .webhooks import SCHEMES


def class_names(tree: Tree, taken: Namespace) -> dict[int, str]:
    """Breadth first, so top-level resources keep the plain names (`PaymentsResource`) and a nested one
    whose name is taken is qualified by its parents (`InvoicesPaymentsResource`)."""
    names: dict[int, str] = {}
    level: list[tuple[tuple[str, ...], Node]] = [((child.attr,), child) for child in tree.root.children.values()]
    while level:
        following: list[tuple[tuple[str, ...], Node]] = []
        for path, node in level:
            wanted = pascal(node.attr) + "Resource"
            names[id(node)] = taken.claim(wanted if wanted not in taken else pascal("_".join(path)) + "Resource")
            following.extend((path + (child.attr,), child) for child in node.children.values())
        level = following
    return names


class Node:
    def __init__(self, attr: str) -> None:
        self.attr = attr
        self.methods: list[MethodDraft] = []
        self.children: dict[str, Node] = {}
        self.webhooks: tuple[str, str] | None = None  # (name of the event union, signature scheme or "")

    def has_methods(self) -> bool:
        return bool(self.methods) or self.webhooks is not None or any(c.has_methods() for c in self.children.values())


class Tree:
    def __init__(self) -> None:
        self.root = Node("")

    def node(self, path: tuple[str, ...]) -> Node:
        node = self.root
        for attr in path:
            node = node.children.setdefault(attr, Node(attr))
        return node


_OPTION_DOCS = {
    "extra_headers": "Send extra headers",
    "extra_query": "Add additional query parameters to the request",
    "extra_body": "Add additional JSON properties to the request",
    "timeout": "Override the client-level default timeout for this request, in seconds",
}


class ResourceBuilder:
    """Prints one resource module's methods, now that every type has its module."""

    def __init__(
        self,
        module_of: dict[str, str],
        aliases: dict[str, TypeExpr],
        field_names: dict[tuple[str, str], str],
        class_names: dict[int, str],
        spec_file: str,
    ) -> None:
        self.spec_file = spec_file
        self.module_of = module_of
        self.aliases = aliases
        self.open_enums = {name: unknown for name, t in aliases.items() if (unknown := unknown_of(t))}
        self.field_names = field_names
        self.class_names = class_names

    def error_body(self, drafts: list[MethodDraft]) -> ErrorBody:
        """What `APIStatusError.parsed` can hold: the union of the types the methods' `errors=` parse into."""
        imports = Imports()
        imports.need("TypeAlias")
        printer = AnnotationPrinter(self.module_of, ".", input_side=False, open_enums=self.open_enums)
        # Sorted: an operation added to the spec leaves the union's order as it was.
        union = union_of(sorted({expr for draft in drafts for _, expr in draft.errors}, key=repr))
        return ErrorBody(printer.print(union, imports), imports.lines(), union)

    def build(self, node: Node, parent_module: tuple[str, ...]) -> Resource:
        children = [c for c in node.children.values() if c.has_methods()]
        module = parent_module + (node.attr,)
        depth = len(module) - 1  # below the package root
        prefix = "." * (depth + (2 if children else 1))
        class_name = self.class_names[id(node)]
        built_children = tuple(self.build(child, module) for child in children)
        imports = _resource_imports(node, prefix)
        member_names = self._member_names(node, children, module)
        # Inside the class body a method called `list` hides the builtin in the annotations that follow it.
        output = AnnotationPrinter(
            self.module_of, prefix, input_side=False, shadowed=member_names, open_enums=self.open_enums
        )
        input_ = AnnotationPrinter(self.module_of, prefix, input_side=True, shadowed=member_names)
        methods = tuple(self._method(m, imports, output, input_, prefix, member_names) for m in node.methods)
        webhooks = self._webhooks(node.webhooks, imports, output, prefix) if node.webhooks is not None else None
        if built_children:
            imports.add("typing", "TYPE_CHECKING")
        type_checking = tuple(
            f"from .{child.attr} import " + ", ".join(sorted(_class_names(child)))
            for child in sorted(built_children, key=lambda child: child.attr)
        )
        return Resource(
            attr=node.attr,
            class_name=class_name,
            module=".".join(module),
            path="/".join(module) + ("/__init__.py" if built_children else ".py"),
            methods=methods,
            children=built_children,
            forms=tuple(_form(is_async, class_name, methods, built_children) for is_async in (False, True)),
            exports=dunder_all((f"Async{class_name}", class_name)),
            imports=imports.lines(),
            type_checking_imports=type_checking,
            webhooks=webhooks,
        )

    def _member_names(self, node: Node, children: list[Node], module: tuple[str, ...]) -> set[str]:
        """The names the resource class defines: its children, methods and their aliases (never two alike)."""
        names = {c.attr for c in children} | {m.name for m in node.methods}
        if node.webhooks is not None:
            names |= {"unwrap", "unsafe_unwrap"}
        aliases = [alias for m in node.methods for alias in m.aliases]
        clash = next((a for a in aliases if a in names or aliases.count(a) > 1), None)
        if clash is not None:
            raise SpecError(self.spec_file, "", f"override alias {'.'.join(module[1:] + (clash,))!r} is already taken")
        return names | set(aliases)

    @staticmethod
    def _webhooks(found: tuple[str, str], imports: Imports, output: AnnotationPrinter, prefix: str) -> Webhooks:
        union, scheme = found
        verify = SCHEMES.get(scheme, "")
        imports.add("typing", "cast")
        imports.add(f"{prefix}_webhooks", "parse_event")
        if verify:
            imports.add("collections.abc", "Mapping")
            imports.add(f"{prefix}_webhooks", verify)
        return Webhooks(output.print(ModelRef(union), imports), verify, scheme)

    def _method(
        self,
        draft: MethodDraft,
        imports: Imports,
        output: AnnotationPrinter,
        input_: AnnotationPrinter,
        prefix: str,
        member_names: set[str],
    ) -> Method:
        params = self._signature(draft, imports, input_, prefix)
        returns, async_returns = _return_annotations(draft, output, imports, prefix)
        pagination = self._pagination(draft.page) if draft.page is not None else None
        deprecated = ""
        if draft.deprecated:
            imports.add("", "warnings")
            # The path as the spec keys it, not draft.path (a template of Python names).
            deprecated = literal(f"{draft.http_method} {path_key(draft.pointer)} is deprecated")
        return Method(
            name=draft.name,
            http_method=draft.http_method,
            params=params,
            positional=draft.positional,
            request=self._request(draft, params, pagination, output, imports, prefix),
            returns=returns,
            async_returns=async_returns,
            doc=_method_doc(draft, list(params)),
            deprecated=deprecated,
            pointer=draft.pointer,
            pagination=pagination,
            aliases=draft.aliases,
            summary=markdown(draft.summary),
            result=draft.returns,
        )

    @staticmethod
    def _signature(draft: MethodDraft, imports: Imports, input_: AnnotationPrinter, prefix: str) -> tuple[Param, ...]:
        """The method's parameters: the operation's, then the per-call options."""
        params: list[Param] = []
        # `timeout` defaults to NOT_GIVEN in every method, as optional parameters do.
        imports.add(f"{prefix}_types", "NotGiven")
        imports.add(f"{prefix}_types", "NOT_GIVEN")
        for p in draft.params:
            annotation, default = input_.print(p.type, imports), ""
            if not p.required:
                annotation, default = annotation + " | NotGiven", "NOT_GIVEN"
            example = literal(p.example) if isinstance(p.example, (str, int, bool)) else ""
            params.append(
                Param(p.py_name, p.wire_name, Location(p.location), p.type, annotation, p.required, default, example)
            )
        # Extra properties can only be merged into a body we build from keyword arguments.
        has_body = draft.empty_body or any(p.location in ("body", "form", "file") for p in draft.params)
        options = [("extra_headers", "Headers", "None"), ("extra_query", "Query", "None")]
        if has_body:
            options.append(("extra_body", "Body", "None"))
        options.append(("timeout", "Timeout", "NOT_GIVEN"))
        for name, runtime_type, default in options:
            imports.add(f"{prefix}_types", runtime_type)
            annotation = f"{runtime_type} | {'NotGiven' if default == 'NOT_GIVEN' else 'None'}"
            params.append(Param(name, "", Location.OPTION, NONE, annotation, False, default))
        return tuple(params)

    def _request(
        self,
        draft: MethodDraft,
        params: tuple[Param, ...],
        pagination: Pagination | None,
        output: AnnotationPrinter,
        imports: Imports,
        prefix: str,
    ) -> Request:
        """What the call sends, each argument in its wire location, in the order the runtime takes them."""
        by_location = _sent_by_location(draft, imports, prefix)
        path, path_args = _path(draft, imports, prefix)
        whole = by_location.get("whole", [])
        page = self._page_request(draft, pagination) if pagination is not None else None
        shadowed = {p.py_name for p in params}
        stream = draft.stream
        return Request(
            call="get_page" if page is not None else "request_stream" if stream is not None else "request",
            http_method="" if page is not None else literal(draft.http_method),
            path=path,
            path_args=path_args,
            groups=_groups(draft, by_location),
            body=Group("json" if draft.body_kind == "json" else "content", (whole[0],)) if whole else None,
            cast_to=self._cast_to(draft.returns, output, imports, prefix, shadowed),
            page=page,
            stream=self._stream_keywords(stream, output, imports, prefix, shadowed) if stream is not None else (),
            options=tuple(p.py_name for p in params if p.location == Location.OPTION),
            security=draft.security or "",
            errors=self._errors(draft, output, imports, shadowed),
        )

    def _stream_keywords(
        self, stream: StreamDraft, output: AnnotationPrinter, imports: Imports, prefix: str, shadowed: set[str]
    ) -> tuple[tuple[str, str], ...]:
        """How the runtime decodes the stream: the format, the final sentinel, each named event's data type."""
        keywords = [("decode", literal(stream.decode))]
        if stream.done:
            keywords.append(("done", literal(stream.done)))
        if stream.events:
            types = [
                f"{literal(name)}: {self._cast_to(t, output, imports, prefix, shadowed)}" for name, t in stream.events
            ]
            keywords.append(("events", "{" + ", ".join(types) + "}"))
        return tuple(keywords)

    def _pagination(self, page: PageDraft) -> Pagination:
        """The kind as the runtime strategy takes it: paths into the response as attribute names."""
        settings = [(keyword, self._attributes(steps)) for keyword, steps in page.fields]
        if page.kind == "PageNumber":
            settings.append(("first", str(page.first)))
        if page.limit:
            settings.append(("limit", literal(page.limit)))
        return Pagination(page.kind, page.items, page.item_type, page.param, tuple(settings))

    def _attributes(self, steps: tuple[tuple[str, str], ...]) -> str:
        names = [self.field_names[step] for step in steps]
        return "(" + ", ".join(literal(name) for name in names) + ("," if len(names) == 1 else "") + ")"

    @staticmethod
    def _errors(draft: MethodDraft, output: AnnotationPrinter, imports: Imports, shadowed: set[str]) -> str:
        if not draft.errors:
            return ""
        printer = output.scoped(shadowed)
        entries = (f"{literal(code)}: {printer.print_value(expr, imports)}" for code, expr in draft.errors)
        return "{" + ", ".join(entries) + "}"

    def _page_request(self, draft: MethodDraft, pagination: Pagination) -> PageRequest:
        """How the runtime finds a page's items, and which strategy gives the next page."""
        target = draft.returns.inner if isinstance(draft.returns, Nullable) else draft.returns
        items = "response"
        if pagination.items and isinstance(target, ModelRef):
            items += "." + self.field_names[(target.name, pagination.items)]
        if isinstance(draft.returns, Nullable):  # a page may come back empty (null, or a 204)
            items = f"{items} if response is not None else []"
        arguments = ([literal(pagination.param)] if pagination.param else []) + [
            f"{keyword}={value}" for keyword, value in pagination.settings
        ]
        return PageRequest(f"lambda response: {items}", f"{pagination.kind}({', '.join(arguments)})")

    def _cast_to(
        self, expr: TypeExpr, output: AnnotationPrinter, imports: Imports, prefix: str, shadowed: set[str]
    ) -> str:
        """What `request(cast_to=...)` gets: the type itself when a type checker accepts it as `type[T]`
        (classes and list/dict of anything); unions, Literals and aliases need a cast to `type[...]`."""
        if expr == NONE:
            imports.add(f"{prefix}_types", "NoneType")
            return "NoneType"
        target = expr
        while isinstance(target, ModelRef) and target.name in self.aliases:
            target = self.aliases[target.name]
        # A parameter named `int` (or `str`, ...) hides the builtin in the method's body, where this is evaluated.
        in_body = output.scoped(shadowed)
        annotation = output.scoped(output.shadowed | shadowed).print(expr, imports)
        if isinstance(target, (Primitive, ListOf, DictOf, ModelRef)):
            return annotation
        imports.add("typing", "cast")
        value = in_body.print_value(expr, imports)
        type_name = in_body.name("type", imports)
        return f"cast({literal(f'{type_name}[{annotation}]')}, {value})"


def _resource_imports(node: Node, prefix: str) -> Imports:
    imports = Imports()
    imports.add(f"{prefix}_resource", "SyncAPIResource")
    imports.add(f"{prefix}_resource", "AsyncAPIResource")
    imports.add("functools", "cached_property")
    if node.methods:
        for wrapper in ("", "async_"):
            for kind in ("raw", "streamed"):
                imports.add(f"{prefix}_response", f"{wrapper}to_{kind}_response_wrapper")
    return imports


def _return_annotations(
    draft: MethodDraft, output: AnnotationPrinter, imports: Imports, prefix: str
) -> tuple[str, str]:
    """What the sync and the async method return: the response's type, or a page or stream of items."""
    returns = output.print(draft.returns, imports)
    if draft.page is not None:
        item = output.print(draft.page.item_type, imports)
        for name in ("SyncPage", "AsyncPaginator", draft.page.kind):
            imports.add(f"{prefix}_pagination", name)
        return f"SyncPage[{item}]", f"AsyncPaginator[{item}]"
    if draft.stream is not None:
        sse = draft.stream.decode == "sse"
        item = f"ServerSentEvent[{returns}]" if sse else returns
        for name in ("Stream", "AsyncStream", *(("ServerSentEvent",) if sse else ())):
            imports.add(f"{prefix}_streaming", name)
        return f"Stream[{item}]", f"AsyncStream[{item}]"
    return returns, returns


def _path(draft: MethodDraft, imports: Imports, prefix: str) -> tuple[str, tuple[str, ...]]:
    """The path as a literal (a template when it has arguments), and its arguments in the order they appear."""
    names = [p.py_name for p in draft.params if p.location == "path"]
    path_args = tuple(sorted(names, key=lambda n: draft.path.index(f"{{{n}}}")))
    if path_args:
        imports.add(f"{prefix}_base_client", "path_template")
    return literal(draft.path if path_args else draft.path.replace("{{", "{").replace("}}", "}")), path_args


def _groups(draft: MethodDraft, by_location: dict[str, list[Sent]]) -> tuple[Group, ...]:
    """The request keywords that carry arguments, in the runtime's order; fixed query values and the media
    types the operation declares go with them."""
    query = [Sent(literal(key), literal(value)) for key, value in draft.fixed_query] + by_location.get("query", [])
    headers = by_location.get("header", [])
    if draft.accept:
        headers.append(Sent(literal("Accept"), literal(draft.accept)))
    if draft.content_type and by_location.get("whole"):
        headers.append(Sent(literal("Content-Type"), literal(draft.content_type)))
    return tuple(
        Group(keyword, tuple(entries))
        for keyword, entries in (
            ("query", query),
            ("cookies", by_location.get("cookie", [])),
            ("json", by_location.get("body", [])),
            ("data", by_location.get("form", [])),
            ("files", by_location.get("file", [])),
            ("headers", headers),
        )
        if entries or (keyword == "json" and draft.empty_body)
    )


def _sent_by_location(draft: MethodDraft, imports: Imports, prefix: str) -> dict[str, list[Sent]]:
    """Each parameter as sent (in its encoder, if it has one), by wire location."""
    by_location: dict[str, list[Sent]] = {}
    for p in draft.params:
        value = p.py_name
        if p.encoder:
            imports.add(f"{prefix}_base_client", p.encoder)
            value = f"{p.encoder}({', '.join((p.py_name, *p.encoder_args))})"
        by_location.setdefault(p.location, []).append(Sent(literal(p.wire_name), value))
    return by_location


# The response wrappers every resource has: (property, class suffix, what it does, runtime function).
_WRAPPERS = (
    (
        "with_raw_response",
        "WithRawResponse",
        "Prefix a call with this to get the HTTP response (status, headers, `.parse()`) instead of the result.",
        "to_raw_response_wrapper",
    ),
    (
        "with_streaming_response",
        "WithStreamingResponse",
        "Like `with_raw_response`, but the body is read only on demand, inside a `with` block.",
        "to_streamed_response_wrapper",
    ),
)


def _form(is_async: bool, class_name: str, methods: tuple[Method, ...], children: tuple[Resource, ...]) -> ResourceForm:
    prefix = "Async" if is_async else ""
    own = prefix + class_name
    return ResourceForm(
        class_name=own,
        base="AsyncAPIResource" if is_async else "SyncAPIResource",
        methods=tuple(
            MethodForm(
                method,
                # A paginated list returns its paginator at once: iterating it is what awaits.
                define="async def" if is_async and method.pagination is None else "def",
                await_="await " if is_async and method.pagination is None else "",
                returns=method.async_returns if is_async else method.returns,
            )
            for method in methods
        ),
        children=tuple(Child(child.attr, prefix + child.class_name) for child in children),
        wrappers=tuple(
            WrapperClass(
                attr,
                own + suffix,
                doc,
                ("async_" if is_async else "") + function,
                tuple(Child(child.attr, prefix + child.class_name + suffix) for child in children),
            )
            for attr, suffix, doc, function in _WRAPPERS
        ),
    )


def _class_names(resource: Resource) -> list[str]:
    """Every class a resource module defines: both forms and their response wrappers."""
    return [name for form in resource.forms for name in (form.class_name, *(w.class_name for w in form.wrappers))]


def _method_doc(draft: MethodDraft, params: list[Param]) -> str:
    lines = []
    # The options' names are reserved in the method's scope (SIGNATURE_NAMES), so no parameter's doc hides one.
    docs = _OPTION_DOCS | {p.py_name: p.doc for p in draft.params if p.doc.strip()}
    for param in params:
        text = docs.get(param.py_name, "")
        if text.strip():
            body = "\n".join(("    " + line if i else line) for i, line in enumerate(text.strip().splitlines()))
            lines.append(f"  {param.py_name}: {body}")
    parts = [draft.doc]
    if draft.deprecated:
        parts.insert(0, "Deprecated.")
    if lines:
        parts.append("Args:\n" + "\n\n".join(lines))
    return docstring(*parts)

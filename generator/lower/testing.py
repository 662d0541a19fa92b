"""The `testing` module: a typed double per method, keyed by the same resource tree as the client, and the route
table by which the fake transport knows which method a request calls."""

from __future__ import annotations

import re
from dataclasses import replace

from ..ir import FakeClass, FakeMember, Method, Model, ModelRef, Nullable, Resource, Security, Testing, TypeModule
from ..pointers import path_key
from .printing import AnnotationPrinter, Imports, literal

# The Fake's own members: a top-level resource of one of these names would hide it.
FAKE_MEMBERS = frozenset(
    {"calls", "methods", "client", "async_client", "http_client", "async_http_client", "transport"}
)
# The names testing.py defines or imports from the runtime; a schema must not take them.
TESTING_NAMES = frozenset({"Fake", "FakeAPI", "MethodFake", "PagedMethodFake", "RecordedCall", "UndeclaredCallError"})
FAKE_BASE_URL = "http://api.test"


class TestingBuilder:
    def __init__(self, module_of: dict[str, str], field_names: dict[tuple[str, str], str]) -> None:
        self.field_names = field_names
        self.imports = Imports()
        self.printer = AnnotationPrinter(module_of, ".", input_side=False)
        self.classes: list[FakeClass] = []
        self.routes: list[tuple[tuple[int, int], str]] = []  # (specificity, source)

    def build(
        self, resources: tuple[Resource, ...], client_name: str, security: Security, modules: tuple[TypeModule, ...]
    ) -> Testing:
        # A top-level resource named like one of the Fake's own members (a real spec has `/methods`) is declared
        # on the fake with a trailing underscore, as Python names that clash usually are.
        members = tuple(
            replace(m, attr=m.attr + "_") if m.attr in FAKE_MEMBERS else m
            for m in (self._child(resource, ()) for resource in resources if _has_requests(resource))
        )
        # Aliased: a model may have the client's name.
        self.imports.add("._client", f"{client_name} as _Client")
        self.imports.add("._client", f"Async{client_name} as _AsyncClient")
        self.imports.add(".", "_testing")
        for name in TESTING_NAMES - {"Fake"}:
            self.imports.add("._testing", name)
        arguments = [f"{c.option}={literal('test-' + c.option)}" for c in security.credentials]
        examples = self._examples(modules)  # before the import lines: it imports the models it names
        return Testing(
            imports=self.imports.lines(),
            routes=tuple(source for _, source in sorted(self.routes, key=lambda route: route[0])),
            classes=tuple(self.classes),
            members=members,
            client_arguments=(*arguments, f"base_url={literal(FAKE_BASE_URL)}"),
            examples=examples,
            clients=("_Client", "_AsyncClient"),
        )

    def _examples(self, modules: tuple[TypeModule, ...]) -> tuple[str, ...]:
        entries = []
        for definition in (d for module in modules for d in module.definitions if isinstance(d, Model)):
            values = [f"{literal(f.py_name)}: {f.example}" for f in definition.fields if f.example]
            if values:
                name = self.printer.print(ModelRef(definition.name), self.imports)
                entries.append(f"{name}: {{{', '.join(values)}}}")
        return tuple(entries)

    def _child(self, resource: Resource, parents: tuple[str, ...]) -> FakeMember:
        path = (*parents, resource.attr)
        members = [self._child(child, path) for child in resource.children if _has_requests(child)]
        for method in resource.methods:
            members.append(self._method(method, ".".join((*path, method.name))))
            members.extend(FakeMember(alias, members[-1].annotation, f"self.{method.name}") for alias in method.aliases)
        class_name = f"_{resource.class_name}Fake"
        self.classes.append(FakeClass(class_name, tuple(members)))
        return FakeMember(resource.attr, class_name, f"{class_name}(fake)")

    def _method(self, method: Method, key: str) -> FakeMember:
        self._route(method, key)
        result = self.printer.print(method.result, self.imports)
        # `returns_pages` answers by page number; a list paginated otherwise (cursor, offset, next URL) is
        # declared page by page with `returns`/`answers`, as any method.
        if method.pagination is None or method.pagination.kind != "PageNumber":
            return FakeMember(method.name, f"MethodFake[{result}]", f"MethodFake(fake, {literal(key)})")
        item = self.printer.print(method.pagination.item_type, self.imports)
        page = self._page(method)
        first_page = dict(method.pagination.settings).get("first", "1")
        value = (
            f"PagedMethodFake(fake, {literal(key)}, page_param={literal(method.pagination.param)}, "
            f"first_page={first_page}, page={page})"
        )
        return FakeMember(method.name, f"PagedMethodFake[{result}, {item}]", value)

    def _page(self, method: Method) -> str:
        """Python source of the function that makes a page's response from its items."""
        assert method.pagination is not None
        items = method.pagination.items
        target = method.result.inner if isinstance(method.result, Nullable) else method.result
        if not items:
            return "lambda items: items"
        if isinstance(target, ModelRef) and (target.name, items) in self.field_names:
            return f"lambda items: build({target.name}, {self.field_names[(target.name, items)]}=items)"
        return f"lambda items: {{{literal(items)}: items}}"

    def _route(self, method: Method, key: str) -> None:
        template = path_key(method.pointer)
        pieces = re.split(r"\{([^{}]+)\}", template)
        pattern = "".join(re.escape(p) if i % 2 == 0 else "([^/]+)" for i, p in enumerate(pieces))
        params = tuple(pieces[1::2])
        # Static segments win over parameters: `/payments/search` before `/payments/{id}`.
        specificity = (len(params), -len(template))
        source = (
            f"_testing.Route({literal(method.http_method)}, {literal(pattern)}, "
            f"({''.join(literal(p) + ', ' for p in params)}), {literal(key)})"
        )
        self.routes.append((specificity, source))


def _has_requests(resource: Resource) -> bool:
    """A resource that sends requests; `webhooks` with only `unwrap` has nothing to fake."""
    return bool(resource.methods) or any(_has_requests(child) for child in resource.children)

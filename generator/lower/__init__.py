"""OpenAPI objects to the IR. A pure function of (spec, options): same input, byte-identical output."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import SpecError
from ..ir import (
    Auth,
    DictOf,
    Environment,
    ListOf,
    Method,
    Model,
    ModelRef,
    Nullable,
    Pagination,
    Param,
    Primitive,
    Resource,
    Sdk,
    TypeExpr,
)
from ..load import Spec
from .modules import ModuleBuilder, assign_modules
from .names import Namespace, class_name, identifier, pascal, snake
from .operations import MethodDraft, OperationLowering, returns_collection
from .printing import AnnotationPrinter, Imports, comment, docstring, literal, natural
from .problems import Unsupported
from .resources import OperationKey, place_operations
from .types import NONE, SchemaLowering

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Class names the runtime defines; a schema must not take them.
RUNTIME_NAMES = {"BaseModel", "NotGiven", "APIResponse", "AsyncAPIResponse", "SyncAPIResource", "AsyncAPIResource"}


@dataclass(frozen=True)
class Options:
    package: str
    client_name: str | None = None
    env_prefix: str | None = None
    version: str | None = None  # of the generated package; defaults to the spec's info.version
    # "METHOD /path" or operationId -> ("a.b.method", aliases...); () leaves the operation out
    overrides: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    skip_unsupported: bool = False
    page_params: tuple[str, ...] | None = None  # names of page-number query parameters; None: the defaults


def lower(spec: Spec, options: Options) -> Sdk:
    return _Lowering(spec, options).run()


class _Lowering:
    def __init__(self, spec: Spec, options: Options) -> None:
        self.spec = spec
        self.options = options
        self.api: Any = spec.api
        self.skipped: list[str] = []
        self.warnings: list[str] = []
        self.class_names = Namespace(RUNTIME_NAMES)
        self.schemas = SchemaLowering(self.api, spec.raw, self.class_names, options.skip_unsupported)
        self.operations = OperationLowering(self.api, self.schemas, options.page_params)

    def _unsupported(self, problem: Unsupported, label: str) -> None:
        if not self.options.skip_unsupported:
            raise SpecError(self.spec.file, problem.pointer, f"{problem.reason} (--skip-unsupported leaves it out)")
        self.skipped.append(f"{label}: left out, {problem.pointer}: {problem.reason}")

    def run(self) -> Sdk:
        try:
            self.schemas.lower_components()
        except Unsupported as problem:
            raise SpecError(
                self.spec.file, problem.pointer, f"{problem.reason} (--skip-unsupported leaves it out)"
            ) from None
        keys, found = self._collect_operations()
        placements = place_operations(keys, self._overrides(keys))
        tree = _Tree()
        hints: set[str] = set()  # names inline types of operations are built from
        for key in keys:
            if key.label in self._excluded:
                continue
            placement = placements[key]
            node = tree.node(placement.resource)
            path_item, operation = found[key]
            hint = pascal(node.attr) + pascal(placement.method)
            if hint in hints:
                # Another resource of that name has this method too: its inline types say where they live.
                hint = pascal("_".join(placement.resource)) + pascal(placement.method)
            hints.add(hint)
            try:
                draft = self.operations.lower(key.path, key.method, operation, path_item, placement.method, hint)
            except Unsupported as problem:
                self._unsupported(problem, key.label)
                continue
            draft.aliases = self._aliases.get(key.label) or self._aliases.get(key.operation_id or "", ())
            node.methods.append(draft)
        module_of = assign_modules(self.schemas.definitions)
        type_modules = ModuleBuilder(self.schemas.definitions, module_of).build()
        exports = tuple(
            sorted(
                ((d.name, m.name) for m in type_modules for d in m.definitions),
                key=lambda e: (natural(e[1]), natural(e[0])),
            )
        )
        resource_classes = Namespace(set(self.schemas.definitions) | RUNTIME_NAMES)
        aliases = {
            name: draft.type
            for name, draft in self.schemas.definitions.items()
            if draft.kind == "alias" and draft.type is not None
        }
        field_names = {
            (definition.name, f.wire_name): f.py_name
            for module in type_modules
            for definition in module.definitions
            if isinstance(definition, Model)
            for f in definition.fields
        }
        builder = _ResourceBuilder(
            module_of, aliases, field_names, _class_names(tree, resource_classes), self.spec.file
        )
        resources = tuple(
            builder.build(child, ("resources",)) for child in tree.root.children.values() if child.has_methods()
        )
        return self._sdk(resources, type_modules, exports)

    # --- operations ---------------------------------------------------------------------------------------

    def _collect_operations(self) -> tuple[list[OperationKey], dict[OperationKey, tuple[Any, Any]]]:
        keys: list[OperationKey] = []
        found: dict[OperationKey, tuple[Any, Any]] = {}
        raw_paths = self.spec.raw.get("paths") or {}
        for path, path_item in (self.api.paths or {}).items():
            raw_item = raw_paths.get(path, {})
            if path_item.ref:
                raw_item, path_item = self._path_item(path, path_item.ref)
            for method in raw_item:
                if method not in HTTP_METHODS:
                    continue
                operation = getattr(path_item, method)
                key = OperationKey(path, method, operation.operationId, returns_collection(self.api, operation))
                keys.append(key)
                found[key] = (path_item, operation)
        return keys, found

    def _path_item(self, path: str, ref: str) -> tuple[dict[str, Any], Any]:
        """A path item given as a local `$ref` (references into other files were inlined while loading)."""
        node: Any = self.spec.raw
        for token in ref.removeprefix("#/").split("/"):
            token = token.replace("~1", "/").replace("~0", "~")
            node = node.get(token) if isinstance(node, dict) else None
        if not isinstance(node, dict) or "$ref" in node:
            raise SpecError(
                self.spec.file,
                f"/paths/{path.replace('~', '~0').replace('/', '~1')}",
                f"$ref '{ref}' is not a path item",
            )
        return node, type(self.api.paths[path]).model_validate(node)

    def _overrides(self, keys: list[OperationKey]) -> dict[str, str]:
        """The placements the table gives; aliases and exclusions are recorded on the side."""
        labels = {k.label for k in keys} | {k.operation_id for k in keys if k.operation_id}
        self._excluded: set[str] = set()
        self._aliases: dict[str, tuple[str, ...]] = {}
        placements: dict[str, str] = {}
        for target, names in self.options.overrides.items():
            if target not in labels:
                # One table may serve several versions of an API; an entry for an operation this version
                # lacks is reported, not fatal.
                self.warnings.append(f"override {target!r} matches no operation")
                continue
            if not names:
                for k in keys:
                    if target in (k.label, k.operation_id):
                        self._excluded.add(k.label)
                        self.skipped.append(f"{k.label}: excluded by the override table")
                continue
            for name in names:
                if "." not in name or not all(part.isidentifier() for part in name.split(".")):
                    raise SpecError(self.spec.file, "", f"override {target!r}: {name!r} is not 'resource.method'")
            resource = names[0].rsplit(".", 1)[0]
            if any(alias.rsplit(".", 1)[0] != resource for alias in names[1:]):
                raise SpecError(self.spec.file, "", f"override {target!r}: aliases must be on resource {resource!r}")
            placements[target] = names[0]
            self._aliases[target] = tuple(alias.rsplit(".", 1)[1] for alias in names[1:])
        return placements

    # --- the package --------------------------------------------------------------------------------------

    def _sdk(self, resources: tuple[Resource, ...], type_modules: Any, exports: Any) -> Sdk:
        package = self.options.package
        client_name = self.options.client_name or class_name(package)
        env_prefix = self.options.env_prefix or (snake(package).upper() + "_")
        info = self.api.info
        version = self.options.version or str(info.version)
        header = (
            (
                f"# Generated by sdkforge from {comment(self.spec.file)} "
                f"(info.version {comment(str(info.version))}, sha256 {self.spec.sha256[:12]}). Do not edit."
            ),
        )
        return Sdk(
            package=package,
            client_name=client_name,
            env_prefix=env_prefix,
            version=literal(version),
            user_agent=literal(f"{package}/{version}"),
            header=header,
            environments=self._environments(),
            auth=self._auth(env_prefix),
            resources=resources,
            resource_imports=tuple(
                sorted(
                    f"from .{r.module} import {', '.join(sorted([f'Async{r.class_name}', r.class_name]))}"
                    for r in resources
                )
            ),
            type_modules=type_modules,
            type_exports=exports,
            skipped=tuple(comment(line) for line in self.schemas.skipped + self.skipped),
            warnings=tuple(self.warnings),
            doc=docstring(f"Client for {info.title}." if info.title else "", info.description),
        )

    def _environments(self) -> tuple[Environment, ...]:
        names = Namespace()
        environments: list[Environment] = []
        for server in self.api.servers or []:
            url = server.url
            for variable, spec in (server.variables or {}).items():
                url = url.replace("{" + variable + "}", str(spec.default))
            if not re.match(r"https?://", url):
                continue  # a relative server URL gives no base URL of its own
            described = [w for w in snake(server.description or "").split("_") if w]
            while described and described[-1] in ("server", "host", "url", "api", "endpoint", "environment"):
                described.pop()
            name = "_".join(described) or ("production" if not environments else "environment")
            environments.append(Environment(names.claim(identifier(name)), literal(url)))
        return tuple(environments)

    def _auth(self, env_prefix: str) -> Auth | None:
        schemes = (self.api.components and self.api.components.securitySchemes) or {}
        requirements: list[list[str]] = []
        global_security = self.api.security
        for path_item in (self.api.paths or {}).values():
            for method in HTTP_METHODS:
                operation = getattr(path_item, method, None)
                if operation is None:
                    continue
                security = operation.security if operation.security is not None else global_security
                requirements.append(
                    [name for requirement in (security or []) for name in requirement] if security else []
                )
        used = [name for names in requirements for name in names]
        if not used:
            return None
        scheme_name = max(dict.fromkeys(used), key=used.count)
        scheme = schemes.get(scheme_name)
        if scheme is None:
            raise SpecError(self.spec.file, f"/components/securitySchemes/{scheme_name}", "security scheme not found")
        required = all(scheme_name in names for names in requirements)
        kind = str(getattr(scheme.type, "value", scheme.type))
        env_var = f"{env_prefix}API_KEY"
        if kind == "apiKey":
            location = str(getattr(scheme.security_scheme_in, "value", scheme.security_scheme_in))
            name = literal(scheme.name)
            if location == "query":
                return Auth("api_key", env_var, required, "{}", f"{{{name}: credential}}")
            if location == "cookie":
                return Auth(
                    "api_key", env_var, required, f'{{"Cookie": {literal(scheme.name + "=")} + credential}}', "{}"
                )
            return Auth("api_key", env_var, required, f"{{{name}: credential}}", "{}")
        if kind == "http" and (scheme.scheme or "").lower() == "basic":
            # The credential is the base64 of "user:password", as the header carries it.
            return Auth("api_key", env_var, required, '{"Authorization": "Basic " + credential}', "{}")
        # http bearer, oauth2 and openIdConnect all send a bearer token.
        return Auth("bearer_token", env_var, required, '{"Authorization": "Bearer " + credential}', "{}")


def _class_names(tree: _Tree, taken: Namespace) -> dict[int, str]:
    """Breadth first, so top-level resources keep the plain names (`PaymentsResource`) and a nested one
    whose name is taken is qualified by its parents (`InvoicesPaymentsResource`)."""
    names: dict[int, str] = {}
    level: list[tuple[tuple[str, ...], _Node]] = [((child.attr,), child) for child in tree.root.children.values()]
    while level:
        following: list[tuple[tuple[str, ...], _Node]] = []
        for path, node in level:
            wanted = pascal(node.attr) + "Resource"
            names[id(node)] = taken.claim(wanted if wanted not in taken else pascal("_".join(path)) + "Resource")
            following.extend((path + (child.attr,), child) for child in node.children.values())
        level = following
    return names


class _Node:
    def __init__(self, attr: str) -> None:
        self.attr = attr
        self.methods: list[MethodDraft] = []
        self.children: dict[str, _Node] = {}

    def has_methods(self) -> bool:
        return bool(self.methods) or any(c.has_methods() for c in self.children.values())


class _Tree:
    def __init__(self) -> None:
        self.root = _Node("")

    def node(self, path: tuple[str, ...]) -> _Node:
        node = self.root
        for attr in path:
            node = node.children.setdefault(attr, _Node(attr))
        return node


_OPTION_DOCS = {
    "extra_headers": "Send extra headers",
    "extra_query": "Add additional query parameters to the request",
    "extra_body": "Add additional JSON properties to the request",
    "timeout": "Override the client-level default timeout for this request, in seconds",
}


class _ResourceBuilder:
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
        self.field_names = field_names
        self.class_names = class_names

    def build(self, node: _Node, parent_module: tuple[str, ...]) -> Resource:
        children = [c for c in node.children.values() if c.has_methods()]
        module = parent_module + (node.attr,)
        depth = len(module) - 1  # below the package root
        prefix = "." * (depth + (2 if children else 1))
        class_name = self.class_names[id(node)]
        built_children = tuple(self.build(child, module) for child in children)
        imports = Imports()
        imports.add(f"{prefix}_resource", "SyncAPIResource")
        imports.add(f"{prefix}_resource", "AsyncAPIResource")
        imports.add("functools", "cached_property")
        if node.methods:
            for wrapper in ("", "async_"):
                for kind in ("raw", "streamed"):
                    imports.add(f"{prefix}_response", f"{wrapper}to_{kind}_response_wrapper")
        output = AnnotationPrinter(self.module_of, prefix, input_side=False)
        input_ = AnnotationPrinter(self.module_of, prefix, input_side=True)
        member_names = {c.attr for c in children} | {m.name for m in node.methods}
        aliases = [alias for m in node.methods for alias in m.aliases]
        clash = next((a for a in aliases if a in member_names or aliases.count(a) > 1), None)
        if clash is not None:
            raise SpecError(self.spec_file, "", f"override alias {'.'.join(module[1:] + (clash,))!r} is already taken")
        member_names |= set(aliases)
        methods = tuple(self._method(m, imports, output, input_, prefix, member_names) for m in node.methods)
        if built_children:
            imports.add("typing", "TYPE_CHECKING")
        type_checking = tuple(
            f"from .{child.attr} import " + ", ".join(sorted(_resource_classes(child.class_name)))
            for child in sorted(built_children, key=lambda child: child.attr)
        )
        return Resource(
            attr=node.attr,
            class_name=class_name,
            module=".".join(module),
            methods=methods,
            children=built_children,
            imports=imports.lines(),
            type_checking_imports=type_checking,
            doc="",
        )

    def _method(
        self,
        draft: MethodDraft,
        imports: Imports,
        output: AnnotationPrinter,
        input_: AnnotationPrinter,
        prefix: str,
        member_names: set[str],
    ) -> Method:
        params: list[Param] = []
        by_location: dict[str, list[tuple[str, str]]] = {}
        for p in draft.params:
            annotation = _builtins_safe(input_.print(p.type, imports, None), member_names, imports)
            self._runtime_imports(annotation, imports, prefix)
            default = ""
            if not p.required:
                annotation += " | NotGiven"
                default = "NOT_GIVEN"
                imports.add(f"{prefix}_types", "NotGiven")
                imports.add(f"{prefix}_types", "NOT_GIVEN")
            params.append(Param(p.py_name, p.wire_name, p.location, p.type, annotation, p.required, default))
            value = p.wrapper.replace("{}", p.py_name) if p.wrapper else p.py_name
            if p.wrapper:
                imports.add(f"{prefix}_base_client", p.wrapper.split("(")[0])
            by_location.setdefault(p.location, []).append((p.wire_name, value))
        # Extra properties can only be merged into a body we build from keyword arguments.
        has_body = any(p.location in ("body", "form", "file") for p in draft.params)
        options = [("extra_headers", "Headers | None", "None"), ("extra_query", "Query | None", "None")]
        if has_body:
            options.append(("extra_body", "Body | None", "None"))
        options.append(("timeout", "Timeout | NotGiven", "NOT_GIVEN"))
        for name, annotation, default in options:
            for used in re.findall(r"[A-Za-z_]+", annotation):
                if used != "None":
                    imports.add(f"{prefix}_types", used)
            if default == "NOT_GIVEN":
                imports.add(f"{prefix}_types", "NOT_GIVEN")
            params.append(Param(name, "", "option", NONE, annotation, False, default))

        paginated = draft.page_param is not None and draft.page_item_type is not None
        args: list[tuple[str, str]] = [] if paginated else [("", literal(draft.http_method))]
        path_values = sorted(
            by_location.get("path", []), key=lambda wire_value: draft.path.index("{" + wire_value[1] + "}")
        )
        if path_values:
            imports.add(f"{prefix}_base_client", "path_template")
            fills = ", ".join(f"{value}={value}" for _, value in path_values)
            args.append(("", f"path_template({literal(draft.path)}, {fills})"))
        else:
            args.append(("", literal(draft.path.replace("{{", "{").replace("}}", "}"))))
        headers = list(by_location.get("header", []))
        if draft.accept:
            headers.append(("Accept", literal(draft.accept)))
        for keyword, location in (
            ("query", "query"),
            ("cookies", "cookie"),
            ("json", "body"),
            ("data", "form"),
            ("files", "file"),
        ):
            entries = by_location.get(location, [])
            if entries:
                args.append((keyword, "{" + ", ".join(f"{literal(w)}: {v}" for w, v in entries) + "}"))
        if headers:
            args.append(("headers", "{" + ", ".join(f"{literal(w)}: {v}" for w, v in headers) + "}"))
        whole = by_location.get("whole", [])
        if whole:
            keyword = "json" if draft.body_kind == "json" else "content"
            args.append((keyword, whole[0][1]))
        returns = _builtins_safe(output.print(draft.returns, imports, None), member_names, imports)
        self._runtime_imports(returns, imports, prefix)
        shadowed = {p.py_name for p in params}
        args.append(("cast_to", self._cast_to(draft.returns, returns, output, imports, prefix, shadowed)))
        async_returns = returns
        pagination = None
        if paginated:
            assert draft.page_param is not None and draft.page_item_type is not None and draft.page_items is not None
            item = _builtins_safe(output.print(draft.page_item_type, imports, None), member_names, imports)
            returns, async_returns = f"SyncPage[{item}]", f"AsyncPaginator[{item}]"
            imports.add(f"{prefix}_pagination", "SyncPage")
            imports.add(f"{prefix}_pagination", "AsyncPaginator")
            target = draft.returns.inner if isinstance(draft.returns, Nullable) else draft.returns
            accessor = "response"
            if draft.page_items and isinstance(target, ModelRef):
                accessor += "." + self.field_names[(target.name, draft.page_items)]
            args.append(("items", f"lambda response: {accessor}"))
            args.append(("page_param", literal(draft.page_param.wire_name)))
            args.append(("first_page", str(draft.first_page)))
            pagination = Pagination(
                draft.page_param.wire_name, draft.page_items, draft.first_page, draft.page_item_type
            )
        for name, _, _ in options:
            args.append((name, name))
        deprecated = ""
        if draft.deprecated:
            imports.add("", "warnings")
            deprecated = literal(f"{draft.http_method} {_path_label(draft)} is deprecated")
        return Method(
            name=draft.name,
            http_method=draft.http_method,
            params=tuple(params),
            positional=draft.positional,
            call="get_page" if paginated else "request",
            request_args=tuple(args),
            returns=returns,
            async_returns=async_returns,
            doc=_method_doc(draft, params),
            deprecated=deprecated,
            pointer=draft.pointer,
            pagination=pagination,
            aliases=draft.aliases,
        )

    @staticmethod
    def _runtime_imports(annotation: str, imports: Imports, prefix: str) -> None:
        for name in re.findall(r"\b(?:FileTypes|FileContent|BinaryContent)\b", annotation):
            imports.add(f"{prefix}_types", name)

    def _cast_to(
        self,
        expr: TypeExpr,
        annotation: str,
        output: AnnotationPrinter,
        imports: Imports,
        prefix: str,
        shadowed: set[str],
    ) -> str:
        """What `request(cast_to=...)` gets: the type itself when a type checker accepts it as `type[T]`
        (classes and list/dict of anything); unions, Literals and aliases need a cast to `type[...]`."""
        if expr == NONE:
            imports.add(f"{prefix}_types", "NoneType")
            return "NoneType"
        target = expr
        while isinstance(target, ModelRef) and target.name in self.aliases:
            target = self.aliases[target.name]
        if isinstance(target, (Primitive, ListOf, DictOf, ModelRef)):
            return annotation
        imports.add("typing", "cast")
        type_name = "builtins.type" if "type" in shadowed else "type"
        if type_name != "type":
            imports.add("", "builtins")
        return f"cast({literal(f'{type_name}[{annotation}]')}, {output.print_value(expr, imports)})"


def _resource_classes(class_name: str) -> list[str]:
    return [
        f"{prefix}{class_name}{suffix}"
        for prefix in ("", "Async")
        for suffix in ("", "WithRawResponse", "WithStreamingResponse")
    ]


def _path_label(draft: MethodDraft) -> str:
    return draft.pointer.split("/")[2].replace("~1", "/").replace("~0", "~")


_BUILTINS = ("list", "dict", "str", "int", "float", "bool", "bytes", "object", "type")


def _builtins_safe(annotation: str, member_names: set[str], imports: Imports) -> str:
    """Inside a resource class a method called `list` shadows the builtin in later annotations."""
    for name in _BUILTINS:
        if name in member_names and re.search(rf"(?<![\w.]){name}\b", annotation):
            imports.add("", "builtins")
            annotation = re.sub(rf"(?<![\w.'\"]){name}\b", f"builtins.{name}", annotation)
    return annotation


def _method_doc(draft: MethodDraft, params: list[Param]) -> str:
    lines = []
    docs = {p.py_name: p.doc for p in draft.params if p.doc.strip()}
    for param in params:
        text = (
            docs.get(param.py_name) or _OPTION_DOCS.get(param.py_name, "")
            if param.location == "option"
            else docs.get(param.py_name, "")
        )
        if text.strip():
            body = "\n".join(("    " + line if i else line) for i, line in enumerate(text.strip().splitlines()))
            lines.append(f"  {param.py_name}: {body}")
    parts = [draft.doc]
    if draft.deprecated:
        parts.insert(0, "Deprecated.")
    if lines:
        parts.append("Args:\n" + "\n\n".join(lines))
    return docstring(*parts)

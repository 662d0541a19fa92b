"""OpenAPI objects to the IR. A pure function of (spec, options): same input, byte-identical output."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import InternalError, SpecError
from ..ir import Attached, ClientForm, CredentialForm, Environment, ErrorBody, Model, Resource, Sdk, Security
from ..load import Spec
from ..normalize import HTTP_METHODS
from ..paths import runtime_exports
from ..pointers import pointer, resolve
from .docs import build_docs
from .methods import ResourceBuilder, Tree, class_names
from .modules import ANNOTATION_NAMES, ModuleBuilder, assign_modules
from .names import Namespace, class_name, identifier, pascal, snake
from .operations import MethodDraft, OperationLowering, returns_collection
from .pagination import PaginationDetector
from .printing import IMPORTABLE_NAMES, comment, docstring, dunder_all, literal, natural
from .problems import Unsupported, Widenings
from .resources import CLIENT_ATTRS, OperationKey, Placement, place_operations
from .security import SecurityLowering
from .testing import TESTING_NAMES, TestingBuilder
from .types import SchemaLowering
from .webhooks import lower_webhooks

# Class names the runtime defines, and names a types/ module imports; a schema must not take them.
RUNTIME_NAMES = (
    {
        "BaseModel",
        "UnknownStr",
        "UnknownInt",
        "UnknownVariant",
        "NotGiven",
        "APIResponse",
        "AsyncAPIResponse",
        "SyncAPIResource",
        "AsyncAPIResource",
        # Runtime types a resource module imports by name.
        "FileContent",
        "FileTypes",
        "BinaryContent",
        "NoneType",
        "Headers",
        "Query",
        "Body",
        "Timeout",
        "SyncPage",
        "AsyncPaginator",
        "PageNumber",
        "Offset",
        "Cursor",
        "NextUrl",
        "Stream",
        "AsyncStream",
        "ServerSentEvent",
        "Delimited",
        "DeepObject",
        "JsonParam",
        "APIErrorBody",  # what _error_body.py defines, from the types it imports
    }
    | {name for name in ANNOTATION_NAMES | IMPORTABLE_NAMES | TESTING_NAMES if name[:1].isupper()}
)


@dataclass(frozen=True)
class Options:
    package: str
    client_name: str | None = None
    env_prefix: str | None = None
    version: str | None = None  # of the generated package; defaults to the spec's info.version
    # "METHOD /path" or operationId -> ("a.b.method", aliases...); () leaves the operation out
    overrides: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    strict: bool = False  # every widening is an error
    page_params: tuple[str, ...] | None = None  # names of page-number query parameters; None: the defaults
    webhook_scheme: str = ""  # how webhooks are signed (a key of lower.webhooks.SCHEMES); "": not checked
    pagination_names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # offset_params, cursor_params
    pagination_operations: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # "GET /x" -> settings
    idempotency_header: str | None = None  # None: a header parameter of the spec named like Idempotency-Key
    source: str = ""  # how file headers name the spec (as the config names it); "" for the loaded file's name


def lower(spec: Spec, options: Options) -> Sdk:
    return _Lowering(spec, options).run()


class _Lowering:
    def __init__(self, spec: Spec, options: Options) -> None:
        self.spec = spec
        self.options = options
        self.api: Any = spec.api
        self.skipped: list[str] = []
        self.at = ""  # the operation being lowered, for internal errors
        self.warnings: list[str] = []
        self.widenings = Widenings(options.strict)
        self.schemas = SchemaLowering(self.api, spec.raw, Namespace(RUNTIME_NAMES), self.widenings)
        detector = PaginationDetector(
            self.schemas.definitions,
            {"page_params": options.page_params, **options.pagination_names},
            options.pagination_operations,
            spec.raw,
        )
        self.operations = OperationLowering(self.api, self.schemas, detector)
        self.env_prefix = options.env_prefix or (snake(options.package).upper() + "_")
        self.security = SecurityLowering(self.api, self.env_prefix, self.warnings)

    def run(self) -> Sdk:
        try:
            return self._run()
        except Unsupported as problem:
            raise SpecError(self.spec.file, problem.pointer, problem.reason) from None
        except SpecError:
            raise
        except Exception as exc:  # noqa: BLE001 - any other exception is a bug, reported with where it happened
            raise InternalError(self.spec.file, self.at or self.schemas.at, exc) from exc

    def _run(self) -> Sdk:
        self.warnings.extend(self.spec.warnings)
        self.schemas.lower_components()
        tree, lowered = self._operation_tree()
        events = lower_webhooks(self.spec.raw, self.schemas)
        if events is not None:
            tree.node(("webhooks",)).webhooks = (events, self.options.webhook_scheme)
        # The key that checks webhook signatures is a client option read from the environment, as credentials are.
        webhook_key = events is not None and bool(self.options.webhook_scheme)
        security, passed = self.security.build(
            [r for _, r in lowered], set(tree.root.children) | CLIENT_ATTRS, webhook_key=webhook_key
        )
        for (draft, _), source in zip(lowered, passed, strict=True):
            draft.security = source
        self.schemas.break_alias_cycles()
        module_of = assign_modules(self.schemas.definitions)
        type_modules = ModuleBuilder(self.schemas.definitions, module_of).build()
        exports = tuple(
            sorted(
                ((d.name, m.name) for m in type_modules for d in m.definitions),
                key=lambda e: (natural(e[1]), natural(e[0])),
            )
        )
        field_names = {
            (definition.name, f.wire_name): f.py_name
            for module in type_modules
            for definition in module.definitions
            if isinstance(definition, Model)
            for f in definition.fields
        }
        resources, error_body = self._resources(tree, [draft for draft, _ in lowered], module_of, field_names)
        testing = TestingBuilder(module_of, field_names)
        sdk = self._sdk(resources, type_modules, exports, security, testing, error_body)
        docs = build_docs(sdk, self.options.source or self.spec.file, str(self.api.info.title or ""), module_of)
        return dataclasses.replace(sdk, docs=docs)

    def _operation_tree(self) -> tuple[Tree, list[tuple[Any, Any]]]:
        """Every operation lowered and placed in the resource tree; with each, its security requirement."""
        keys, found = self._collect_operations()
        placements = place_operations(keys, self._overrides(keys))
        keys = [key for key in keys if key.label not in self._excluded]
        named = self._type_hints(keys, placements)
        tree = Tree()
        lowered: list[tuple[Any, Any]] = []  # (draft, its security requirement or None)
        for key in keys:
            placement = placements[key]
            node = tree.node(placement.resource)
            path_item, operation = found[key]
            self.at = key.pointer
            draft = self.operations.lower(key, operation, path_item, placement.method, named[key])
            draft.aliases = self._aliases.get(key.label) or self._aliases.get(key.operation_id or "", ())
            node.methods.append(draft)
            lowered.append((draft, self.security.requirement(operation, key.pointer)))
        self.at = ""
        return tree, lowered

    @staticmethod
    def _type_hints(keys: list[OperationKey], placements: Mapping[OperationKey, Placement]) -> dict[OperationKey, str]:
        """The names each operation's inline types are built from: its resource and method (`HooksCreate`), or,
        when an earlier operation has those, its whole resource path (`ReposHooksCreate`). A top-level resource's
        operation is its short name's rightful owner (it has no longer one), so those claim theirs first."""

        def hint(resource: tuple[str, ...], method: str) -> str:
            return pascal("_".join(resource)) + pascal(method)

        taken = {
            hint(placements[key].resource, placements[key].method) for key in keys if len(placements[key].resource) == 1
        }
        hints: dict[OperationKey, str] = {}
        for key in keys:
            resource, method = placements[key].resource, placements[key].method
            short = hint(resource[-1:], method)
            if len(resource) > 1 and short in taken:
                hints[key] = hint(resource, method)
            else:
                hints[key] = short
                taken.add(short)
        return hints

    def _resources(
        self, tree: Tree, drafts: list[MethodDraft], module_of: dict[str, str], field_names: dict[tuple[str, str], str]
    ) -> tuple[tuple[Resource, ...], ErrorBody]:
        """The resource classes, and the union of the error bodies their methods parse."""
        resource_classes = Namespace(set(self.schemas.definitions) | RUNTIME_NAMES)
        aliases = {
            name: draft.type
            for name, draft in self.schemas.definitions.items()
            if draft.kind == "alias" and draft.type is not None
        }
        builder = ResourceBuilder(module_of, aliases, field_names, class_names(tree, resource_classes), self.spec.file)
        resources = tuple(
            builder.build(child, ("resources",)) for child in tree.root.children.values() if child.has_methods()
        )
        return resources, builder.error_body(drafts)

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
                if method in HTTP_METHODS:
                    # `query` only on a 3.2 Path Item (loading refuses it in older documents)
                    operations = {method: getattr(path_item, method, None)}
                elif method == "additionalOperations":
                    # OpenAPI 3.2: the key is the method as sent, case and all (COPY, LINK, ...)
                    operations = dict(getattr(path_item, method, None) or {})
                else:
                    continue
                for name, operation in operations.items():
                    if operation is None or isinstance(operation, dict):
                        continue  # an unparsed field of a 3.0/3.1 Path Item reached through a `$ref`
                    key = OperationKey(
                        path,
                        name,
                        operation.operationId,
                        returns_collection(self.api, operation),
                        additional=method == "additionalOperations",
                    )
                    if key.additional and name != name.upper():
                        # The method lowering and httpx both send methods in upper case.
                        self.warnings.append(f"{key.pointer}: the {name!r} method is sent as {name.upper()!r}")
                    keys.append(key)
                    found[key] = (path_item, operation)
        return keys, found

    def _path_item(self, path: str, ref: str) -> tuple[dict[str, Any], Any]:
        """A path item given as a local `$ref` (references into other files were inlined while loading)."""
        node = resolve(self.spec.raw, ref.removeprefix("#"))
        if not isinstance(node, dict) or "$ref" in node:
            raise SpecError(
                self.spec.file,
                pointer("paths", path),
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
            placements[target] = names[0]  # names checked when the configuration was read (config.py)
            self._aliases[target] = tuple(alias.rsplit(".", 1)[1] for alias in names[1:])
        return placements

    # --- the package --------------------------------------------------------------------------------------

    def _sdk(
        self,
        resources: tuple[Resource, ...],
        type_modules: Any,
        exports: Any,
        security: Security,
        testing: TestingBuilder,
        error_body: ErrorBody,
    ) -> Sdk:
        package = self.options.package
        client_name = self.options.client_name or class_name(package)
        client_exports = ("ENVIRONMENTS", f"Async{client_name}", client_name)
        error_alias = f"{client_name}Error"
        info = self.api.info
        version = self.options.version or str(info.version)
        # No version or hash here: a spec bump would rewrite every file. Both live in the manifest only.
        header = (f"# Generated by sdkforge from {comment(self.options.source or self.spec.file)}. Do not edit.",)
        environments = self._environments()
        doc = docstring(f"Client for {info.title}." if info.title else "", info.description)
        return Sdk(
            package=package,
            client_name=client_name,
            clients=tuple(_client_form(is_async, client_name, security, resources) for is_async in (False, True)),
            environment_names=tuple(env.name for env in environments) or ("default",),
            client_doc=doc or "API client.",
            env_prefix=self.env_prefix,
            idempotency_header=literal(self.options.idempotency_header or self.operations.idempotency_header),
            version=literal(version),
            user_agent=f"{literal(package + '/')} + __version__",
            spec_version=str(info.version),
            spec_sha256=self.spec.sha256,
            header=header,
            environments=environments,
            security=security,
            resources=resources,
            resource_imports=tuple(sorted(_resource_import(r) for r in resources)),
            type_modules=type_modules,
            type_exports=exports,
            type_all=dunder_all(name for name, _ in exports),
            exceptions=runtime_exports("_exceptions"),
            exports=_package_exports(client_exports, error_alias),
            client_exports=client_exports,
            error_alias=error_alias,
            widened=tuple(comment(str(w)) for w in self.widenings.found),
            skipped=tuple(comment(line) for line in self.skipped),
            warnings=self._warnings(),
            doc=doc,
            testing=testing.build(resources, client_name, security, type_modules),
            error_body=error_body,
        )

    def _warnings(self) -> tuple[str, ...]:
        # One line each, as errors are: spec text quoted in a warning (a path, a name) must not break it.
        lines = self.warnings + [f"{self.spec.file}#{w}" for w in self.operations.warnings]
        return tuple(line.replace("\r", "\\r").replace("\n", "\\n") for line in lines)

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


def _resource_import(resource: Resource) -> str:
    names = sorted([f"Async{resource.class_name}", resource.class_name])  # as isort orders them
    return f"from .{resource.module} import {', '.join(names)}"


def _package_exports(client_exports: tuple[str, ...], error_alias: str) -> tuple[str, ...]:
    """The package's `__all__`, sorted as ruff's RUF022 wants it: constants, then classes, then the rest."""
    names = {"NOT_GIVEN", "NotGiven", "APIResponse", "AsyncAPIResponse", "__version__"}
    names |= {*client_exports, error_alias, *runtime_exports("_exceptions")}
    return dunder_all(names)


def _client_form(is_async: bool, client_name: str, security: Security, resources: tuple[Resource, ...]) -> ClientForm:
    prefix = "Async" if is_async else ""
    credentials = []
    for c in security.credentials:
        annotation = c.async_annotation if is_async else c.annotation
        reader = (
            f'required_credential({c.option}, "{c.option}", "{c.env_var}")'
            if c.required
            else f'credential({c.option}, "{c.env_var}")'
        )
        credentials.append(
            CredentialForm(
                c.option,
                c.env_var,
                f"{annotation} | None",
                annotation if c.required else f"{annotation} | None",
                reader,
            )
        )
    return ClientForm(
        class_name=prefix + client_name,
        base="AsyncAPIClient" if is_async else "SyncAPIClient",
        http_client=f"httpx.{prefix}Client",
        kind="asynchronous" if is_async else "synchronous",
        credentials=tuple(credentials),
        resources=tuple(Attached(r.attr, r.module, prefix + r.class_name) for r in resources),
    )

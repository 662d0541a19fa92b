"""Definitions to files in types/: which module each lives in, its printed fields, and the imports.

A named definition gets a module of its own; inline ones live with the definition that uses them. Modules
whose definitions refer to each other in a cycle are merged, so imports between modules never cycle.
"""

from __future__ import annotations

import keyword
from collections.abc import Iterator

from ..ir import (
    Alias,
    Definition,
    Field,
    LiteralOf,
    Model,
    ModelRef,
    Nullable,
    Primitive,
    TypedDictDef,
    TypeExpr,
    TypeModule,
    walk,
)
from .names import Namespace, field_name, module_name, snake
from .printing import AnnotationPrinter, Imports, docstring, dunder_all, literal, unknown_of
from .types import NO_DEFAULT, DefinitionDraft, PropertyDraft

# Names an annotation in a types/ module can use as a bare name; a field called one of them would shadow it
# inside the class body (pydantic and mypy both resolve annotations there), so such a field is renamed.
ANNOTATION_NAMES = frozenset(
    {"str", "int", "float", "bool", "bytes", "object", "list", "dict", "None", "datetime", "date", "time", "UUID"}
    | {"Decimal", "Literal", "Annotated", "Field", "Sequence", "Mapping", "NotRequired", "TypeAlias", "Tag"}
    | {"Discriminator", "discriminate", "BaseModel", "TypedDict"}
)


def _draft_refs(draft: DefinitionDraft) -> list[str]:
    exprs = [p.type for p in draft.properties] + ([draft.type] if draft.type is not None else [])
    return [node.name for expr in exprs for node in walk(expr) if isinstance(node, ModelRef)]


def assign_modules(drafts: dict[str, DefinitionDraft]) -> dict[str, str]:
    """Class name -> module stem. Deterministic: depends only on the drafts and their order."""
    # types/__init__.py binds each submodule's name: a stem must not hide a name that module uses.
    # (Importing a submodule binds its stem there: `types/getattr.py` would replace the builtin `getattr`.)
    stems = Namespace(
        {"__init__", "dict", "str", "object", "list", "importlib", "getattr", "globals"} | set(keyword.kwlist)
    )
    home: dict[str, str] = {}
    for name, draft in drafts.items():
        if draft.owner is None:
            home[name] = stems.claim(module_name(snake(name)) or "model")
    for name, draft in drafts.items():
        if draft.owner is not None:
            home[name] = home[draft.owner]  # an owner is always a definition with a module of its own
    graph: dict[str, set[str]] = {stem: set() for stem in home.values()}
    for name, draft in drafts.items():
        for target in _draft_refs(draft):
            if home[target] != home[name]:
                graph[home[name]].add(home[target])
    merged: dict[str, str] = {}
    for component in strongly_connected(graph):
        merged.update(dict.fromkeys(component, min(component)))
    return {name: merged[stem] for name, stem in home.items()}


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (GitHub's schema graph is deep enough to overflow recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    work: list[tuple[str, Iterator[str]]] = []  # the nodes being visited, each with its children still to see
    result: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        work.append((node, iter(sorted(graph[node]))))

    for root in sorted(graph):
        if root not in index:
            visit(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    visit(child)
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component: list[str] = []
                    while not component or component[-1] != node:
                        component.append(stack.pop())
                        on_stack.discard(component[-1])
                    result.append(component)
    return result


class ModuleBuilder:
    def __init__(self, drafts: dict[str, DefinitionDraft], module_of: dict[str, str]) -> None:
        self.drafts = drafts
        self.module_of = module_of
        open_enums = {n: u for n, d in drafts.items() if d.kind == "alias" and (u := unknown_of(d.type))}
        # Models are what responses are read into: their enums are open. Aliases are shared by both sides.
        self.output = AnnotationPrinter(module_of, "..", input_side=False, open_enums=open_enums)
        self.alias = AnnotationPrinter(module_of, "..", input_side=False)
        self.input = AnnotationPrinter(module_of, "..", input_side=True)

    def build(self) -> tuple[TypeModule, ...]:
        by_module: dict[str, list[str]] = {}
        for name in self.drafts:
            by_module.setdefault(self.module_of[name], []).append(name)
        modules = []
        for stem in sorted(by_module):
            imports = Imports()
            names = self._ordered(by_module[stem], stem)
            definitions = tuple(self._definition(self.drafts[n], imports, stem) for n in names)
            modules.append(TypeModule(stem, imports.lines(), definitions, dunder_all(d.name for d in definitions)))
        return tuple(modules)

    def _ordered(self, names: list[str], stem: str) -> list[str]:
        """Aliases are evaluated when the module runs, so what an alias names must come first."""
        placed: list[str] = []
        seen: set[str] = set()

        def visit(name: str, trail: tuple[str, ...]) -> None:
            if name in seen:
                return
            if self.drafts[name].kind == "alias":
                for target in _draft_refs(self.drafts[name]):
                    if self.module_of[target] == stem and target not in trail:
                        visit(target, trail + (name,))
            seen.add(name)
            placed.append(name)

        for name in names:
            visit(name, ())
        return placed

    def _definition(self, draft: DefinitionDraft, imports: Imports, stem: str) -> Definition:
        doc = docstring(draft.description)
        if draft.kind == "alias":
            assert draft.type is not None
            printer = self.input if draft.input_side else self.alias
            imports.need("TypeAlias")
            return Alias(draft.name, draft.type, printer.print(draft.type, imports, stem), doc)
        if draft.kind == "typeddict":
            return self._typed_dict(draft, imports, stem, doc)
        return self._model(draft, imports, stem, doc)

    def _model(self, draft: DefinitionDraft, imports: Imports, stem: str, doc: str) -> Model:
        imports.add(".._models", "BaseModel")
        printed, shadowed = self._print_fields(draft, self.output, imports, stem)
        # A name that would shadow a type used in this class gets a trailing underscore, like a keyword.
        wanted = {p.wire_name: (w + "_" if w in shadowed else w) for p, _ in printed for w in [field_name(p.wire_name)]}
        # No field's Python name is another field's wire name: pydantic, populating by name, would read that key
        # into the wrong field (`pet-id` as `pet_id` took the value of `pet_id`). Fields named as on the wire
        # claim their names first.
        as_on_wire = [wire for wire, name in wanted.items() if name == wire]
        names = Namespace(shadowed | (wanted.keys() - set(as_on_wire)))
        py_names = {wire: names.claim(wire) for wire in as_on_wire}
        fields = []
        for prop, annotation in printed:
            py_name = py_names.get(prop.wire_name) or names.claim(wanted[prop.wire_name])
            fields.append(self._field(prop, py_name, annotation, imports))
        return Model(draft.name, tuple(fields), doc, draft.deprecated)

    def _field(self, prop: PropertyDraft, py_name: str, annotation: str, imports: Imports) -> Field:
        options: list[str] = []
        if prop.required:
            default = ""
        elif prop.default is not NO_DEFAULT and _default_fits(prop.default, prop.type):
            default = literal(prop.default)
        else:
            default = "None"
            if not prop.nullable:
                annotation += " | None"
        if py_name != prop.wire_name:
            options.append(f"alias={literal(prop.wire_name)}")
        if prop.deprecated:
            options.append("deprecated=True")
        if options:
            imports.need("Field")
            value = f"Field({', '.join(([default] if default else []) + options)})"
        else:
            value = default
        example = literal(prop.example) if prop.example is not None else ""
        return Field(
            prop.wire_name, py_name, prop.type, annotation, prop.required, value, docstring(prop.description), example
        )

    @staticmethod
    def _print_fields(
        draft: DefinitionDraft, printer: AnnotationPrinter, imports: Imports, stem: str
    ) -> tuple[list[tuple[PropertyDraft, str]], set[str]]:
        """Each property's annotation, and the names they use with those every class body may."""
        printed, used = [], set(ANNOTATION_NAMES)
        for prop in draft.properties:
            annotation, names = printer.print_with_names(prop.type, imports, stem)
            printed.append((prop, annotation))
            used |= names
        return printed, used

    def _typed_dict(self, draft: DefinitionDraft, imports: Imports, stem: str, doc: str) -> TypedDictDef:
        imports.need("TypedDict")
        printed, shadowed = self._print_fields(draft, self.input, imports, stem)
        functional = any(
            not p.wire_name.isidentifier() or keyword.iskeyword(p.wire_name) or p.wire_name in shadowed
            for p, _ in printed
        )
        fields = []
        for prop, annotation in printed:
            if not prop.required:
                imports.add(".._types", "NotRequired")
                annotation = f"NotRequired[{annotation}]"
            key = prop.wire_name
            if functional:
                # The functional form is evaluated when the module runs: quoted, its annotations may name
                # definitions that come later in the module (or itself).
                key, annotation = literal(prop.wire_name), literal(annotation)
            fields.append(
                Field(prop.wire_name, key, prop.type, annotation, prop.required, "", docstring(prop.description))
            )
        return TypedDictDef(draft.name, tuple(fields), doc, functional)


def _default_fits(value: object, expr: TypeExpr) -> bool:
    """Only a JSON scalar that the field's type accepts becomes a Python default."""
    if isinstance(expr, Nullable):
        return value is None or _default_fits(value, expr.inner)
    if isinstance(expr, LiteralOf):
        return value in expr.values
    if isinstance(expr, Primitive):
        kinds: dict[str, tuple[type, ...]] = {"str": (str,), "int": (int,), "float": (int, float), "bool": (bool,)}
        if expr.name not in kinds or (isinstance(value, bool) and expr.name != "bool"):
            return False
        return isinstance(value, kinds[expr.name])
    return False

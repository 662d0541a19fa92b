"""The type printer (generator/lower/printing.py): TypeExprs to annotations and the imports they need, for the
response side (precise) and the request side (permissive), and import lines in the order isort/ruff write them.

The printer's API is about to change (issue 9, point 2); `printed` is the one place that calls it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator.ir import DictOf, ListOf, LiteralOf, ModelRef, Nullable, Primitive, TupleOf, TypeExpr, UnionOf
from generator.lower.printing import AnnotationPrinter, Imports, comment, docstring, literal
from tests.lowering.build import document, lower_document

STR, INT, OBJECT = Primitive("str"), Primitive("int"), Primitive("object")
# Class name -> module stem in types/, as modules.assign_modules gives it.
MODULES = {"Pet": "pet", "Cat": "cat", "Dog": "dog"}
PETS = UnionOf((ModelRef("Cat"), ModelRef("Dog")), "kind", (("cat",), ("dog", "puppy")))


def printed(
    expr: TypeExpr, *, side: str = "output", home: str | None = None, as_value: bool = False
) -> tuple[str, tuple[str, ...]]:
    """(annotation, import lines). `home` is the types/ module printed into; None for a resource module, which
    reaches the package root through `..`."""
    printer = AnnotationPrinter(MODULES, "..", input_side=side == "input")
    imports = Imports()
    text = printer.print_value(expr, imports) if as_value else printer.print(expr, imports, home)
    return text, imports.lines()


def case(expr: TypeExpr, side: str, annotation: str, imports: tuple[str, ...], rule: str) -> Any:
    return pytest.param(expr, side, annotation, imports, id=f"rule: {rule}")


ANNOTATIONS = [
    # --- primitives --------------------------------------------------------------------------------------------
    case(STR, "output", "str", (), "builtins need no import"),
    case(Primitive("None"), "output", "None", (), "None is None"),
    case(Primitive("bytes"), "input", "bytes", (), "bytes is bytes on both sides"),
    case(Primitive("datetime"), "output", "datetime", ("from datetime import datetime",), "datetime from datetime"),
    case(Primitive("date"), "output", "date", ("from datetime import date",), "date from datetime"),
    case(Primitive("time"), "output", "time", ("from datetime import time",), "time from datetime"),
    case(Primitive("UUID"), "output", "UUID", ("from uuid import UUID",), "UUID from uuid"),
    case(Primitive("Decimal"), "output", "Decimal", ("from decimal import Decimal",), "Decimal from decimal"),
    case(
        Primitive("datetime"),
        "input",
        "str | datetime",
        ("from datetime import datetime",),
        "request side: a parsed format also accepts its string",
    ),
    case(Primitive("UUID"), "input", "str | UUID", ("from uuid import UUID",), "request side: str or UUID"),
    case(Primitive("Decimal"), "input", "str | Decimal", ("from decimal import Decimal",), "request: str or Decimal"),
    # --- containers --------------------------------------------------------------------------------------------
    case(ListOf(INT), "output", "list[int]", (), "response side: list"),
    case(ListOf(INT), "input", "Sequence[int]", ("from collections.abc import Sequence",), "request side: Sequence"),
    case(DictOf(OBJECT), "output", "dict[str, object]", (), "response side: dict with str keys"),
    case(
        DictOf(OBJECT),
        "input",
        "Mapping[str, object]",
        ("from collections.abc import Mapping",),
        "request side: Mapping",
    ),
    case(
        ListOf(DictOf(ListOf(STR))),
        "input",
        "Sequence[Mapping[str, Sequence[str]]]",
        ("from collections.abc import Mapping, Sequence",),
        "request side: permissive at every level",
    ),
    case(TupleOf((STR, INT)), "output", "tuple[str, int]", (), "a tuple is a tuple"),
    case(
        TupleOf((STR, Primitive("UUID"))),
        "input",
        "tuple[str, str | UUID]",
        ("from uuid import UUID",),
        "request side: tuple items are permissive",
    ),
    # --- literals, unions, null --------------------------------------------------------------------------------
    case(
        LiteralOf(("a", 1, True)), "output", "Literal['a', 1, True]", ("from typing import Literal",), "Literal values"
    ),
    case(
        LiteralOf(("it's", 'say "hi"')),
        "output",
        'Literal["it\'s", \'say "hi"\']',
        ("from typing import Literal",),
        "Literal strings are valid literals",
    ),
    case(Nullable(STR), "output", "str | None", (), "nullable is X | None"),
    case(UnionOf((STR, INT)), "output", "str | int", (), "a union is X | Y"),
    case(Nullable(UnionOf((STR, INT))), "output", "str | int | None", (), "a nullable union is X | Y | None"),
    case(ListOf(Nullable(STR)), "output", "list[str | None]", (), "null inside a container"),
    # --- references to definitions -----------------------------------------------------------------------------
    case(ModelRef("Pet"), "output", "Pet", ("from ..types.pet import Pet",), "from a resource module: ..types.X"),
    case(
        DictOf(ModelRef("Pet")),
        "input",
        "Mapping[str, Pet]",
        ("from collections.abc import Mapping", "", "from ..types.pet import Pet"),
        "stdlib imports, a blank line, then relative ones",
    ),
    case(
        PETS,
        "input",
        "Cat | Dog",
        ("from ..types.cat import Cat", "from ..types.dog import Dog"),
        "request side: a discriminated union is a plain union",
    ),
]


@pytest.mark.parametrize(("expr", "side", "annotation", "imports"), ANNOTATIONS)
def test_annotation(expr: TypeExpr, side: str, annotation: str, imports: tuple[str, ...]) -> None:
    assert printed(expr, side=side) == (annotation, imports)


def test_annotation_is_valid_python() -> None:
    for expr, side, *_ in (p.values for p in ANNOTATIONS):
        text, _ = printed(expr, side=side)
        compile(text, "<annotation>", "eval")


def test_reference_inside_the_same_types_module_needs_no_import() -> None:
    assert printed(ListOf(ModelRef("Pet")), home="pet") == ("list[Pet]", ())


def test_reference_from_another_types_module_is_a_sibling_import() -> None:
    assert printed(ModelRef("Pet"), home="cat") == ("Pet", ("from .pet import Pet",))


def test_discriminated_union_on_the_response_side_is_annotated_with_a_callable_discriminator() -> None:
    text, imports = printed(PETS)
    assert text == (
        "Annotated[Annotated[Cat, Tag('Cat')] | Annotated[Dog, Tag('Dog')] | "
        "Annotated[UnknownVariant, keep_tag('kind'), Tag('UnknownVariant')], "
        "Discriminator(discriminate('kind', {'cat': 'Cat', 'dog': 'Dog', 'puppy': 'Dog'}))]"
    )
    assert imports == (
        "from typing import Annotated",
        "",
        "from pydantic import Discriminator, Tag",
        "",
        "from .._models import UnknownVariant, discriminate, keep_tag",
        "from ..types.cat import Cat",
        "from ..types.dog import Dog",
    )


def test_discriminated_union_in_a_types_module_imports_its_members_as_siblings() -> None:
    _, imports = printed(PETS, home="cat")
    assert "from .dog import Dog" in imports
    assert not any(line.endswith(" Cat") for line in imports)  # printed into Cat's own module
    assert "from .._models import UnknownVariant, discriminate, keep_tag" in imports


@pytest.mark.parametrize(
    ("expr", "value", "imports"),
    [
        pytest.param(ModelRef("Pet"), "Pet", ("from ..types.pet import Pet",), id="rule: a class is its own value"),
        pytest.param(ListOf(INT), "list[int]", (), id="rule: list[...] is a value"),
        pytest.param(
            Nullable(STR),
            "union(str, None)",
            ("from .._types import union",),
            id="rule: as a value, X | None is the runtime's union() (type checkers refuse | on Annotated; UP007)",
        ),
        pytest.param(
            UnionOf((STR, INT)),
            "union(str, int)",
            ("from .._types import union",),
            id="rule: as a value, a union is union(X, Y)",
        ),
    ],
)
def test_type_as_a_runtime_value(expr: TypeExpr, value: str, imports: tuple[str, ...]) -> None:
    assert printed(expr, as_value=True) == (value, imports)


def test_printing_as_a_value_does_not_change_later_annotations() -> None:
    printer = AnnotationPrinter(MODULES, "..", input_side=False)
    printer.print_value(Nullable(STR), Imports())
    assert printer.print(Nullable(STR), Imports()) == "str | None"


# --- import lines ----------------------------------------------------------------------------------------------


def lines(*names: tuple[str, str], exclude: str | None = None) -> tuple[str, ...]:
    imports = Imports()
    for module, name in names:
        imports.add(module, name)
    return imports.lines(exclude)


def test_imports_are_grouped_stdlib_third_party_relative() -> None:
    found = lines(
        (".pet", "Pet"), ("pydantic", "Field"), ("typing", "Literal"), ("datetime", "date"), ("httpx", "Client")
    )
    assert found == (
        "from datetime import date",
        "from typing import Literal",
        "",
        "from httpx import Client",
        "from pydantic import Field",
        "",
        "from .pet import Pet",
    )


def test_relative_imports_furthest_first() -> None:
    assert lines((".pet", "Pet"), ("..._types", "Body"), (".._models", "BaseModel")) == (
        "from ..._types import Body",
        "from .._models import BaseModel",
        "from .pet import Pet",
    )


def test_names_in_one_import_constants_then_classes_then_functions() -> None:
    found = lines(("..._types", "NotGiven"), ("..._types", "body"), ("..._types", "NOT_GIVEN"), ("..._types", "Body"))
    assert found == ("from ..._types import NOT_GIVEN, Body, NotGiven, body",)


def test_modules_and_names_sort_numbers_as_numbers() -> None:
    assert lines((".x10", "A"), (".x2", "B"), (".x1", "C")) == (
        "from .x1 import C",
        "from .x2 import B",
        "from .x10 import A",
    )
    assert lines((".m", "Pet10"), (".m", "Pet2")) == ("from .m import Pet2, Pet10",)


def test_module_sort_is_case_insensitive() -> None:
    assert lines((".b", "X"), (".A", "Y")) == ("from .A import Y", "from .b import X")


def test_plain_imports_come_first_in_their_group() -> None:
    assert lines(("typing", "cast"), ("", "builtins"), ("", "warnings")) == (
        "import builtins",
        "import warnings",
        "from typing import cast",
    )


def test_an_import_is_written_once() -> None:
    assert lines(("typing", "Literal"), ("typing", "Literal")) == ("from typing import Literal",)


def test_the_module_printed_into_is_excluded() -> None:
    assert lines((".pet", "Pet"), (".cat", "Cat"), exclude=".pet") == ("from .cat import Cat",)


def test_need_knows_where_each_name_comes_from_and_skips_builtins() -> None:
    imports = Imports()
    for name in ("Sequence", "TypedDict", "Field", "str", "list"):
        imports.need(name)
    assert imports.lines() == (
        "from collections.abc import Sequence",
        "from typing import TypedDict",
        "",
        "from pydantic import Field",
    )


def test_types_module_imports_through_the_lowering(tmp_path: Path) -> None:
    """The printer as modules.py uses it: one types/ module's imports, in order, each once."""
    schemas = {
        "Pet": {"type": "object", "properties": {"name": {"type": "string"}}},
        "Visit": {
            "type": "object",
            "required": ["at", "pet", "id"],
            "properties": {
                "at": {"type": "string", "format": "date-time"},
                "pet": {"$ref": "#/components/schemas/Pet"},
                "id": {"type": "string", "format": "uuid"},
                "kind": {"enum": ["a", "b"]},
                "class": {"type": "string"},
                "other": {"$ref": "#/components/schemas/Pet"},
            },
        },
    }
    sdk = lower_document(tmp_path, document(schemas=schemas))
    (visit,) = [m for m in sdk.type_modules if m.name == "visit"]
    assert visit.imports == (
        "from datetime import datetime",
        "from typing import Literal",
        "from uuid import UUID",
        "",
        "from pydantic import Field",
        "",
        "from .._models import BaseModel, UnknownStr",  # its enum is open: it is a response model
        "from .pet import Pet",
    )


# --- literals, docstrings, comments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "source"),
    [
        pytest.param("a'b", '"a\'b"', id="rule: strings are repr()"),
        pytest.param(None, "None", id="rule: null is None"),
        pytest.param(1.5, "1.5", id="rule: numbers as written"),
        pytest.param([1, "a", None], "[1, 'a', None]", id="rule: lists element by element"),
        pytest.param({"k": [True]}, "{'k': [True]}", id="rule: dicts with str keys"),
    ],
)
def test_literal(value: object, source: str) -> None:
    assert literal(value) == source
    assert eval(source) == value  # the point: the source is the value


@pytest.mark.parametrize(
    ("parts", "body"),
    [
        pytest.param(("Summary.", "  Details.  "), "Summary.\n\nDetails.", id="rule: parts are paragraphs, stripped"),
        pytest.param(('Ends with """ quotes',), 'Ends with \\"\\"\\" quotes', id="rule: triple quotes are escaped"),
        pytest.param(("a \\ b",), "a \\\\ b", id="rule: backslashes are escaped"),
        pytest.param(('say "hi"',), 'say "hi\\"', id="rule: a final quote is escaped"),
        pytest.param(("a\r\nb\rc",), "a\nb\nc", id="rule: line ends are \\n"),
        pytest.param(("bell\x07",), "bell\\x07", id="rule: control characters are escaped"),
        pytest.param((None, "", "  "), "", id="rule: no text, no docstring"),
    ],
)
def test_docstring(parts: tuple[str | None, ...], body: str) -> None:
    assert docstring(*parts) == body
    assert eval(f'"""{body}"""') is not None  # it can never break out of the string


def test_comment_is_one_safe_line() -> None:
    assert comment("a\nb\r\n  c\x00d") == "a b c d"


def test_an_enum_is_open_where_a_response_is_read_and_closed_in_a_request() -> None:
    colours = LiteralOf(("red", "green"))

    def opened(side: str) -> str:
        imports = Imports()
        printer = AnnotationPrinter({}, "..", input_side=side == "input", open_enums={})
        return printer.print(colours, imports)

    assert opened("output") == "Literal['red', 'green'] | UnknownStr"
    assert opened("input") == "Literal['red', 'green']"
    # A single value is a tag or a constant: a union's members tell themselves apart by it.
    single = AnnotationPrinter({}, "..", input_side=False, open_enums={}).print(LiteralOf(("card",)), Imports())
    assert single == "Literal['card']"
    numbers = AnnotationPrinter({}, "..", input_side=False, open_enums={}).print(LiteralOf((1, 2)), Imports())
    assert numbers == "Literal[1, 2] | UnknownInt"


def test_a_reference_to_an_enum_alias_is_opened_on_the_response_side_only() -> None:
    printer = AnnotationPrinter({"Kind": "kind"}, "..", input_side=False, open_enums={"Kind": "UnknownStr"})
    imports = Imports()
    assert printer.print(ModelRef("Kind"), imports, home="widget") == "Kind | UnknownStr"
    assert (".._models", "UnknownStr") in imports.names
    assert printer.print_value(ModelRef("Kind"), Imports()) == "Union[Kind, UnknownStr]"

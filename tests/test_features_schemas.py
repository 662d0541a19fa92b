"""specs/features/schemas.yaml: one schema mechanism per test, on the committed package generated/feature_schemas."""

from __future__ import annotations

import datetime as dt
import sys
import uuid
import warnings
from decimal import Decimal

import pydantic
import pytest

from tests.conftest import GENERATED

sys.path.insert(0, str(GENERATED))

from feature_schemas._models import UnknownInt, UnknownStr, UnknownVariant  # noqa: E402
from feature_schemas.types import (  # noqa: E402
    Animal,
    AwkwardNames,
    Cat,
    Dog,
    FirstThing,
    Ping,
    Pong,
    SecondThing,
    Sponsorship,
    ToyBall,
    ToyRope,
    TreeNode,
    Zoo,
    ZooKeeper,
    ZooParam,
)

ZOO = {
    "name": "City Zoo",
    "keeper": {"id": "9b2f6a52-6f1c-4c55-a64f-2f0f8cb7e1f1", "shifts": [{"starts": "08:30:00"}]},
    "animals": [
        {"kind": "cat", "name": "Tom", "lives": 7},
        {"kind": "kitten", "name": "Kit"},
        {"kind": "dog", "name": "Rex", "good": True, "toy": {"type": "rope", "length": 2.5}},
        {"kind": "bird", "name": "Tweety", "wingspan": 0.2},
    ],
}


def parse_zoo(**extra: object) -> Zoo:
    return Zoo.model_validate({**ZOO, **extra})


def test_required_optional_and_nullable_fields() -> None:
    zoo = parse_zoo(nickname=None, opened="1990-05-01")
    assert zoo.name == "City Zoo"
    assert zoo.nickname is None and "nickname" in zoo.model_fields_set  # explicit null kept apart from absent
    assert zoo.opened == dt.date(1990, 5, 1)
    with pytest.raises(pydantic.ValidationError, match="keeper"):
        Zoo.model_validate({"name": "x", "animals": []})
    with pytest.raises(pydantic.ValidationError, match="name"):
        Zoo.model_validate({**ZOO, "name": None})


def test_nested_inline_objects_get_names_from_parent_and_field() -> None:
    zoo = parse_zoo()
    assert isinstance(zoo.keeper, ZooKeeper)
    assert zoo.keeper.id == uuid.UUID("9b2f6a52-6f1c-4c55-a64f-2f0f8cb7e1f1")
    assert zoo.keeper.shifts is not None and zoo.keeper.shifts[0].starts == dt.time(8, 30)
    assert type(zoo.keeper.shifts[0]).__name__ == "ZooKeeperShiftsItem"


def test_discriminator_with_mapping_selects_members_including_aliases() -> None:
    animals = parse_zoo().animals
    assert [type(a) for a in animals] == [Cat, Cat, Dog, type(animals[3])]
    assert type(animals[3]).__name__ == "Bird"
    assert isinstance(animals[0], Cat) and animals[0].lives == 7
    assert isinstance(animals[1], Cat) and animals[1].lives == 9  # the allOf part's default
    # A tag the spec does not list is a member the server added since: kept, explicitly unknown, never a wrong one.
    fish = pydantic.TypeAdapter(Animal).validate_python({"kind": "fish", "name": "Nemo"})
    assert isinstance(fish, UnknownVariant) and fish.tag == "fish" and fish.raw == {"kind": "fish", "name": "Nemo"}
    with pytest.raises(pydantic.ValidationError):  # no tag at all is malformed, not newer
        pydantic.TypeAdapter(Animal).validate_python({"name": "Nemo"})


def test_implied_discriminator_from_const_and_single_value_enum() -> None:
    dog = parse_zoo().animals[2]
    assert isinstance(dog, Dog) and isinstance(dog.toy, ToyRope) and dog.toy.length == 2.5
    ball = Dog.model_validate({"kind": "dog", "name": "Fido", "good": False, "toy": {"type": "ball", "diameter": 1}})
    assert isinstance(ball.toy, ToyBall)
    stick = Dog.model_validate({"kind": "dog", "name": "Fido", "good": False, "toy": {"type": "stick", "length": 1}})
    assert isinstance(stick.toy, UnknownVariant) and stick.toy.tag == "stick" and stick.toy.raw["length"] == 1


def test_allof_is_merged_into_one_model() -> None:
    assert set(Cat.model_fields) == {"kind", "name", "lives"}
    assert {n for n, f in Dog.model_fields.items() if f.is_required()} == {"kind", "name", "good"}


def test_plain_union_without_discriminator() -> None:
    assert parse_zoo(either="text").either == "text"
    assert parse_zoo(either=3).either == 3
    assert parse_zoo(either={"name": "Ann"}).either.name == "Ann"  # type: ignore[union-attr]


def test_dict_enum_const_and_free_form() -> None:
    zoo = parse_zoo(
        feeding_schedule={"lions": 2}, status="under-renovation", rating=5, schema_version=2, labels={"a": [1]}
    )
    assert zoo.feeding_schedule == {"lions": 2}
    assert zoo.status == "under-renovation" and zoo.rating == 5 and zoo.schema_version == 2
    assert zoo.labels == {"a": [1]}
    # Enums of a response are open: a value the server added since is kept, typed apart from the known ones.
    newer = parse_zoo(status="gone", rating=6)
    assert newer.status == "gone" and isinstance(newer.status, UnknownStr)
    assert newer.rating == 6 and isinstance(newer.rating, UnknownInt)
    assert not isinstance(parse_zoo(status="open").status, UnknownStr)
    for bad in ({"status": 3}, {"rating": "6"}, {"schema_version": 3}):  # another type, or a const: refused
        with pytest.raises(pydantic.ValidationError):
            parse_zoo(**bad)


def test_formats_and_defaults() -> None:
    zoo = parse_zoo(ticket_price="12.50", revenue=1.5, founded_at="2020-01-02T03:04:05Z", logo="aGk=")
    assert zoo.ticket_price == Decimal("12.50")
    assert zoo.founded_at == dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert zoo.logo == "aGk="
    assert zoo.capacity == 100 and zoo.open_late is False  # defaults from the spec
    assert parse_zoo(capacity=5).capacity == 5


def test_recursive_and_mutually_recursive_schemas() -> None:
    tree = TreeNode.model_validate({"value": "root", "children": [{"value": "leaf", "children": []}], "parent": None})
    assert tree.children is not None and isinstance(tree.children[0], TreeNode)
    ping = Ping.model_validate({"pong": {"ping": {"pong": {}}}})
    assert isinstance(ping.pong, Pong) and isinstance(ping.pong.ping, Ping)


def test_deprecated_field_warns_when_read() -> None:
    zoo = parse_zoo(legacy_code="L1")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert zoo.legacy_code == "L1"
    assert any(issubclass(w.category, DeprecationWarning) for w in caught)


def test_read_only_and_write_only() -> None:
    assert "id" in Zoo.model_fields and "password" not in Zoo.model_fields
    keys = ZooParam.__annotations__
    assert "password" in keys and "id" not in keys
    # Annotations are strings here (postponed evaluation), which is what type checkers read.
    source = {key: getattr(annotation, "__forward_arg__", annotation) for key, annotation in keys.items()}
    required = {key for key, annotation in source.items() if not annotation.startswith("NotRequired[")}
    assert required == {"name", "keeper", "animals"}


def test_awkward_wire_names_become_valid_aliased_fields() -> None:
    wire = {
        "class": "c",
        "2fa_enabled": True,
        "content-type": "t",
        "first.name": "f",
        "display name": "d",
        "+1": 1,
        "-1": 2,
        "_links": {"self": "x"},
        "links": "l",
        "json": "j",
        "model_config": "m",
        "copy": "c2",
        "date": "2024-02-29",
        "created": "2024-03-01",
        "str": "s",
    }
    names = AwkwardNames.model_validate(wire)
    assert (names.class_, names.field_2fa_enabled, names.content_type, names.first_name) == ("c", True, "t", "f")
    assert (names.display_name, names.plus_1, names.minus_1) == ("d", 1, 2)
    # `links` keeps its name: a Python name that is another field's wire name would take that key's value
    assert names.links_2 == {"self": "x"} and names.links == "l"
    assert (names.json_, names.model_config_, names.copy_, names.str_) == ("j", "m", "c2", "s")
    assert names.date_ == dt.date(2024, 2, 29) and names.created == dt.date(2024, 3, 1)
    # Wire names go back out unchanged, and Python names are accepted on construction too.
    assert names.model_dump(by_alias=True, mode="json") == wire
    assert AwkwardNames(class_="k").class_ == "k"


def test_a_wire_name_never_fills_another_field() -> None:
    """Found by the fuzzer: `_links` was the field `links`, so `{"links": "l"}` (populated by name) went into it."""
    names = AwkwardNames.model_validate({"links": "l"})
    assert names.links == "l" and names.links_2 is None
    assert names.model_dump(by_alias=True, exclude_unset=True) == {"links": "l"}


def test_a_discriminated_union_serializes_by_a_tag_with_an_alias() -> None:
    """Found by the fuzzer: on serialization the discriminator read the model's `__dict__` (Python names), missed
    a tag property whose wire name differs, and pydantic warned while falling back to trying each member."""
    from typing import Annotated

    from feature_schemas._models import BaseModel, discriminate

    class Left(BaseModel):
        kind: str = pydantic.Field(alias="@kind")

    class Right(BaseModel):
        kind: str = pydantic.Field(alias="@kind")
        right: int

    union = Annotated[
        Annotated[Left, pydantic.Tag("Left")] | Annotated[Right, pydantic.Tag("Right")],
        pydantic.Discriminator(discriminate("@kind", {"l": "Left", "r": "Right"})),
    ]
    adapter: pydantic.TypeAdapter[Left | Right] = pydantic.TypeAdapter(union)
    value = adapter.validate_python({"@kind": "r", "right": 1})
    assert isinstance(value, Right)
    assert adapter.dump_python(value, by_alias=True, warnings="error") == {"@kind": "r", "right": 1}


def test_components_sharing_a_title_keep_their_own_names() -> None:
    assert FirstThing is not SecondThing
    assert set(FirstThing.model_fields) == {"a"} and set(SecondThing.model_fields) == {"b"}


def test_unknown_fields_are_kept() -> None:
    zoo = parse_zoo(brand_new_field={"x": 1})
    assert zoo.model_extra == {"brand_new_field": {"x": 1}}


def test_reference_to_a_nullable_object_component_accepts_null() -> None:
    assert Sponsorship.model_validate({"sponsor": None}).sponsor is None
    sponsored = Sponsorship.model_validate({"sponsor": {"name": "Acme"}})
    assert sponsored.sponsor is not None and sponsored.sponsor.name == "Acme"
    with pytest.raises(pydantic.ValidationError, match="sponsor"):
        Sponsorship.model_validate({})  # required, even though it may be null

"""What changed between two surface manifests (generator/surface.py), and what of it breaks a caller.

Breaking means: code written against the old package, used in ordinary ways (calling methods with the arguments
they accepted, reading fields of results, importing public names, building request dicts), fails at run time
or under `mypy --strict` against the new one. So the direction matters: what a caller *sends* (parameters,
TypedDict keys) breaks when the new type accepts less; what a caller *reads* (model fields, return values)
breaks when the new type may hold more. A named type used on both sides breaks either way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

SEND, READ = "send", "read"


@dataclass(frozen=True)
class Change:
    kind: str  # e.g. "param added", "enum value removed"
    where: str  # as a caller writes it: payments.list, payments.list(status), types.Payment.status
    breaking: bool
    old: str = ""
    new: str = ""
    reason: str = ""


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    found = [*_exports(old, new), *_resources(old, new), *_methods(old, new), *_types(old, new), *_errors(old, new)]
    return sorted(found, key=lambda c: (not c.breaking, c.where, c.kind, c.old, c.new))


def semver(old: dict[str, Any], new: dict[str, Any], changes: list[Change]) -> str:
    if any(c.breaking for c in changes):
        return "major"
    if changes:
        return "minor"
    return "patch" if old.get("spec") != new.get("spec") else "none"


def as_json(old: dict[str, Any], new: dict[str, Any], changes: list[Change]) -> str:
    document = {"semver": semver(old, new, changes), "changes": [asdict(c) for c in changes]}
    return json.dumps(document, indent=2) + "\n"


def as_markdown(old: dict[str, Any], new: dict[str, Any], changes: list[Change]) -> str:
    breaking = sum(c.breaking for c in changes)
    title = f"{new.get('package')} {old.get('version')} -> {new.get('version')}"
    lines = [f"### {title}: {semver(old, new, changes)} ({breaking} breaking of {len(changes)} changes)", ""]
    for change in changes:
        shown = [_code(text) for text in (change.old, change.new) if text]
        detail = f": {' -> '.join(shown)}" if shown else ""
        mark = "**breaking**: " if change.breaking else ""
        why = f" ({change.reason})" if change.reason else ""
        lines.append(f"- {mark}{_code(change.where)} {change.kind}{detail}{why}")
    return "\n".join(lines).rstrip() + "\n"


def _code(text: str) -> str:
    """A Markdown code span that spec text (an enum value with backticks) cannot close early."""
    fence = "`" * (1 + max((len(run) for run in re.findall(r"`+", text)), default=0))
    padding = " " if "`" in text else ""
    return f"{fence}{padding}{text}{padding}{fence}"


# --- names and resources ----------------------------------------------------------------------------------


def _exports(old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    before, after = set(old["exports"]), set(new["exports"])
    for name in sorted(before - after):
        yield Change("export removed", name, True, reason="its import fails")
    for name in sorted(after - before):
        yield Change("export added", name, False)


def _resources(old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    before, after = old["resources"], new["resources"]
    for path in sorted(before.keys() - after.keys()):
        if _parent(path) in after or "." not in path:  # only the outermost of a removed subtree
            yield Change("resource removed", path, True, reason="its methods are gone")
    for path in sorted(after.keys() - before.keys()):
        if _parent(path) in before or "." not in path:
            yield Change("resource added", path, False)


def _parent(path: str) -> str:
    return path.rpartition(".")[0]


def _methods(old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    before, after = old["methods"], new["methods"]
    for path in sorted(before.keys() - after.keys()):
        if _parent(path) in new["resources"]:  # else its resource's removal says it
            yield Change("method removed", path, True, reason="calls to it fail")
    for path in sorted(after.keys() - before.keys()):
        if _parent(path) in old["resources"]:
            yield Change("method added", path, False)
    types = (old["types"], new["types"])
    for path in sorted(before.keys() & after.keys()):
        was, now = before[path], after[path]
        if was["returns"] != now["returns"]:
            yield Change(
                "return type changed", path, True, was["returns"], now["returns"], "the result is another type"
            )
        yield from _params(path, was["params"], now["params"], types)


def _params(path: str, was: list[Any], now: list[Any], types: tuple[Any, Any]) -> Iterator[Change]:
    before, after = {p["name"]: p for p in was}, {p["name"]: p for p in now}
    positions = (
        [p["name"] for p in was if p["kind"] == "positional"],
        [p["name"] for p in now if p["kind"] == "positional"],
    )
    for name in sorted(before.keys() - after.keys()):
        yield Change("param removed", f"{path}({name})", True, before[name]["annotation"], reason="passing it fails")
    for name in sorted(after.keys() - before.keys()):
        param = after[name]
        required = param["required"]
        yield Change(
            "param added", f"{path}({name})", required, "", param["annotation"], "it is required" if required else ""
        )
    for name in sorted(before.keys() & after.keys()):
        p, q, where = before[name], after[name], f"{path}({name})"
        if not p["required"] and q["required"]:
            yield Change("param made required", where, True, reason="calls without it fail")
        elif p["required"] and not q["required"]:
            yield Change("param made optional", where, False)
        if name in positions[0] and positions[0].index(name) != _index(positions[1], name):
            yield Change("param position changed", where, True, reason="positional calls pass it elsewhere")
        yield from _type_changes("param", where, p, q, SEND, types)


def _index(names: list[str], name: str) -> int:
    return names.index(name) if name in names else -1


def _errors(old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    """What `APIStatusError.parsed` can hold, which callers read (a manifest from before it was recorded
    has no entry: nothing to compare)."""
    if "error_body" in old and "error_body" in new:
        types = (old["types"], new["types"])
        yield from _type_changes(
            "error body", "APIStatusError.parsed", old["error_body"], new["error_body"], READ, types
        )


# --- named types ------------------------------------------------------------------------------------------


def _types(old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    before, after = old["types"], new["types"]
    used: list[dict[str, set[str]]] = []  # computed when an alias changed: a walk of both surfaces
    for name in sorted(before.keys() - after.keys()):
        yield Change("type removed", f"types.{name}", True, reason="importing it fails")
    for name in sorted(after.keys() - before.keys()):
        yield Change("type added", f"types.{name}", False)
    for name in sorted(before.keys() & after.keys()):
        was, now, where = before[name], after[name], f"types.{name}"
        if was["kind"] != now["kind"]:
            yield Change("type kind changed", where, True, was["kind"], now["kind"], "it is another kind of type")
        elif was["kind"] == "alias" and was != now:
            used = used or [sides(old), sides(new)]
            for side in sorted(used[0].get(name, {SEND, READ}) | used[1].get(name, set())):
                yield from _type_changes("type", where, was, now, side, (before, after))
        elif was["kind"] != "alias" and was != now:  # nothing to find (GitHub: 0.3 s field by field)
            yield from _fields(where, was, now, READ if was["kind"] == "model" else SEND, (before, after))


def _fields(
    where: str, was: dict[str, Any], now: dict[str, Any], side: str, types: tuple[Any, Any]
) -> Iterator[Change]:
    before, after = was["fields"], now["fields"]
    for name in sorted(before.keys() - after.keys()):
        reason = "reading it fails" if side == READ else "a dict with this key is rejected"
        yield Change("field removed", f"{where}.{name}", True, before[name]["annotation"], reason=reason)
    for name in sorted(after.keys() - before.keys()):
        required = side == SEND and after[name]["required"]
        yield Change(
            "field added",
            f"{where}.{name}",
            required,
            "",
            after[name]["annotation"],
            "a required key" if required else "",
        )
    for name in sorted(before.keys() & after.keys()):
        p, q, at = before[name], after[name], f"{where}.{name}"
        if side == SEND and p["required"] != q["required"]:
            kind = "field made required" if q["required"] else "field made optional"
            yield Change(kind, at, q["required"], reason="dicts without it are rejected" if q["required"] else "")
        if side == READ and p["nullable"] != q["nullable"]:
            kind = "field made nullable" if q["nullable"] else "field made non-nullable"
            if p["required"] != q["required"]:  # an optional model field reads None when absent
                kind = "field made required" if q["required"] else "field made optional"
            yield Change(
                kind,
                at,
                q["nullable"],
                p["annotation"],
                q["annotation"],
                "it may read None" if q["nullable"] else "",
            )
        yield from _type_changes("field", at, p, q, side, types)


# --- type expressions -------------------------------------------------------------------------------------


def _type_changes(
    what: str, where: str, was: dict[str, Any], now: dict[str, Any], side: str, types: tuple[Any, Any]
) -> Iterator[Change]:
    """Changes of a type, whatever carries it; `side` says whether callers send it or read it."""
    old, new = _strip_null(was["type"]), _strip_null(now["type"])
    nulled = (was["type"]["kind"] == "Nullable", now["type"]["kind"] == "Nullable")
    if nulled[0] != nulled[1] and not (what == "field" and side == READ):  # _fields says it for model fields
        breaking = (side == READ) == nulled[1]
        kind = f"{what} made nullable" if nulled[1] else f"{what} made non-nullable"
        reason = ("it may read None" if side == READ else "None is no longer accepted") if breaking else ""
        yield Change(kind, where, breaking, was["annotation"], now["annotation"], reason)
    if old == new:
        if side == READ and _opened(was["annotation"], now["annotation"]):
            reason = "its enum became open: code typed for the old values cannot hold the catch-all"
            yield Change(f"{what} type changed", where, True, was["annotation"], now["annotation"], reason)
        return
    lost, gained = _members(old), _members(new)
    literal = all(m["kind"] == "LiteralOf" for m in lost + gained)
    if (literal or (len(lost) > 1 and len(gained) > 1)) and any(m in gained for m in lost):
        noun = "enum value" if literal else "union member"
        yield from _member_changes(noun, where, (old, new), (lost, gained), side, types)
        return
    src, dst = (old, new) if side == SEND else (new, old)
    breaking = not _assignable(src, dst, *((types[0], types[1]) if side == SEND else (types[1], types[0])))
    reason = (
        ("the old type is not accepted" if side == SEND else "the new type does not fit the old") if breaking else ""
    )
    yield Change(f"{what} type changed", where, breaking, was["annotation"], now["annotation"], reason)


def _member_changes(
    noun: str,
    where: str,
    exprs: tuple[dict[str, Any], dict[str, Any]],
    members: tuple[list[Any], list[Any]],
    side: str,
    types: tuple[Any, Any],
) -> Iterator[Change]:
    """Members removed from and added to an enum or union (`exprs`, old and new, with their `members`) that keeps
    some of them."""
    (old, new), (lost, gained) = exprs, members
    for member in lost:
        if member not in gained:
            breaking = side == SEND and not _accepts(new, member, types[1], types[0])
            reason = "a value callers send is refused" if breaking else ""
            yield Change(f"{noun} removed", where, breaking, _spell(member), "", reason)
    for member in gained:
        if member not in lost:
            breaking = side == READ and not _accepts(old, member, types[0], types[1])
            reason = "code typed for the old values cannot hold it" if breaking else ""
            yield Change(f"{noun} added", where, breaking, "", _spell(member), reason)


# The runtime's catch-all members of open response enums and unions (templates/runtime/_models.py): an
# annotation gains one when an enum of one value (a closed constant) grows into an open enum.
_CATCH_ALLS = ("UnknownStr", "UnknownInt", "UnknownVariant")


def _opened(was: str, now: str) -> bool:
    return any(name in now and name not in was for name in _CATCH_ALLS)


def _strip_null(expr: dict[str, Any]) -> dict[str, Any]:
    return expr["inner"] if expr["kind"] == "Nullable" else expr


def _members(expr: dict[str, Any]) -> list[dict[str, Any]]:
    """A union or literal as its members; a literal of several values as one-value literals."""
    if expr["kind"] == "UnionOf":
        return [m for member in expr["members"] for m in _members(member)]
    if expr["kind"] == "LiteralOf":
        return [{"kind": "LiteralOf", "values": [value]} for value in expr["values"]]
    return [expr]


def _spell(expr: dict[str, Any]) -> str:
    kind = expr["kind"]
    if kind == "LiteralOf":
        return " | ".join(json.dumps(v) for v in expr["values"])
    if kind in ("Primitive", "ModelRef"):
        return str(expr["name"])
    if kind == "Nullable":
        return _spell(expr["inner"]) + " | None"
    inner = [expr[k] for k in ("item", "value") if k in expr] or expr.get("items") or expr.get("members") or []
    return f"{kind}[{', '.join(_spell(e) for e in inner)}]"


def _resolve(expr: dict[str, Any], types: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    """A reference to an alias is its type (a model or TypedDict stays a name: they are compared by name)."""
    while expr["kind"] == "ModelRef" and types.get(expr["name"], {}).get("kind") == "alias" and depth < 20:
        expr, depth = types[expr["name"]]["type"], depth + 1
    return expr


def _assignable(src: dict[str, Any], dst: dict[str, Any], src_types: dict[str, Any], dst_types: dict[str, Any]) -> bool:
    """Whether every value of `src` (in the old or new package) is a value of `dst`, as mypy sees it."""
    return all(_accepts(dst, member, dst_types, src_types) for member in _flat(src, src_types))


def _flat(expr: dict[str, Any], types: dict[str, Any], depth: int = 0) -> list[dict[str, Any]]:
    expr = _resolve(expr, types)
    if depth > 20:
        return [expr]
    if expr["kind"] == "Nullable":
        return [*_flat(expr["inner"], types, depth + 1), {"kind": "Primitive", "name": "None"}]
    if expr["kind"] in ("UnionOf", "LiteralOf"):
        return [
            m
            for member in _members(expr)
            for m in (_flat(member, types, depth + 1) if member["kind"] != "LiteralOf" else [member])
        ]
    return [expr]


_PROMOTIONS = {("float", "int"), ("float", "bool"), ("int", "bool"), ("complex", "float"), ("complex", "int")}


def _accepts(dst: dict[str, Any], member: dict[str, Any], dst_types: dict[str, Any], src_types: dict[str, Any]) -> bool:
    """Whether `dst` accepts a value of the single (non-union) type `member`."""
    for option in _flat(dst, dst_types):
        if option == member or option == {"kind": "Primitive", "name": "object"}:
            return True
        kind = option["kind"]
        if kind != member["kind"]:
            if kind == "Primitive" and member["kind"] == "LiteralOf":
                value = member["values"][0]
                name = "bool" if isinstance(value, bool) else "int" if isinstance(value, int) else "str"
                if option["name"] == name or (option["name"], name) in _PROMOTIONS:
                    return True
            continue
        if kind == "Primitive" and (option["name"], member["name"]) in _PROMOTIONS:
            return True
        if kind in ("ListOf", "DictOf", "TupleOf") and _same_shape(option, member, dst_types, src_types):
            return True
    return False


def _same_shape(dst: dict[str, Any], src: dict[str, Any], dst_types: dict[str, Any], src_types: dict[str, Any]) -> bool:
    """Containers: input annotations are covariant (Sequence, Mapping) and output ones invariant (list, dict);
    a manifest does not say which, so items must fit both ways."""
    pairs = [(dst[k], src[k]) for k in ("item", "value") if k in dst]
    if dst["kind"] == "TupleOf":
        if len(dst["items"]) != len(src["items"]):
            return False
        pairs = list(zip(dst["items"], src["items"], strict=True))
    return all(_assignable(s, d, src_types, dst_types) and _assignable(d, s, dst_types, src_types) for d, s in pairs)


def sides(document: dict[str, Any]) -> dict[str, set[str]]:
    """For each named type, whether callers send it (parameters, TypedDict keys) or read it (model fields)."""
    sides: dict[str, set[str]] = {}
    types = document["types"]

    def mark(expr: Any, side: str) -> None:
        if isinstance(expr, dict):
            if expr.get("kind") == "ModelRef" and side not in sides.setdefault(expr["name"], set()):
                sides[expr["name"]].add(side)
                mark(types.get(expr["name"]), side)  # the types of its fields, or of what an alias names
            for value in expr.values():
                mark(value, side)
        elif isinstance(expr, list):
            for value in expr:
                mark(value, side)

    for method in document["methods"].values():
        for param in method["params"]:
            mark(param["type"], SEND)
    for definition in types.values():
        side = READ if definition["kind"] == "model" else SEND
        for field in definition.get("fields", {}).values():
            mark(field["type"], side)
    mark(document.get("error_body", {}).get("type"), READ)
    return sides

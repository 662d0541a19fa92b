"""Which kind of pagination a list operation has, from its query parameters and the shape of its response (or
from the target's configuration, where detection cannot see it).

A kind is data: the runtime strategy (PageNumber, Offset, Cursor, NextUrl), the query parameter the next page
changes, and where in the response (a path of fields, each step a (model, wire name) pair, printed as attribute
names once every field has its Python name) the next token, the end of the list or the total is read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..ir import ListOf, ModelRef, Nullable, Primitive, TypeExpr
from ..pointers import escape, resolve
from .problems import Unsupported
from .types import DefinitionDraft

# Names compared case-, underscore- and dash-insensitively. A target may replace any list (`[]` turns that
# kind's detection off).
DEFAULT_NAMES: Mapping[str, tuple[str, ...]] = {
    "page_params": ("page", "page_number", "page_num", "page_no", "page_index"),
    "offset_params": ("offset", "skip", "start"),
    "cursor_params": ("cursor", "iterator", "page_token", "starting_after", "after", "next_token", "continuation"),
}
LIMIT_PARAMS = ("limit", "page_size", "per_page", "size", "count", "take", "max_results")
ITEM_PROPERTY_NAMES = {"items", "data", "results", "entries", "records", "values", "nodes"}
# Where a response gives the next cursor, given the cursor parameter's name.
CURSOR_FIELDS = ("{param}", "next_{param}", "next_cursor", "next_page_token", "next_token", "next")
DONE_FIELDS = ("done", "is_last", "last_page")  # true on the last page
MORE_FIELDS = ("has_more", "has_next", "has_next_page", "more")  # true while another page follows
TOTAL_FIELDS = ("total", "total_count", "total_results", "count")
URL_FIELDS = (
    "next_url",
    "next_page_url",
    "next_link",
    "links.next",
    "_links.next",
    "links.next.href",
    "_links.next.href",
)
URL_FORMATS = {"uri", "url", "uri-reference", "iri", "iri-reference"}
KINDS = ("page", "offset", "cursor", "url", "link", "none")

Steps = tuple[tuple[str, str], ...]  # (model name, wire name) per step into the response


@dataclass(frozen=True)
class PageDraft:
    kind: str  # PageNumber, Offset, Cursor, NextUrl
    items: str  # wire name of the response property holding the items; "" when the response is the array
    item_type: TypeExpr
    param: str = ""  # wire name of the query parameter the next page changes
    first: int = 1
    limit: str = ""
    fields: tuple[tuple[str, Steps], ...] = field(default=())  # (strategy keyword, where in the response)


@dataclass(frozen=True)
class QueryParam:
    wire_name: str
    type: TypeExpr
    default: object
    minimum: object


def fold(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "")


class PaginationDetector:
    def __init__(
        self,
        definitions: Mapping[str, DefinitionDraft],
        names: Mapping[str, tuple[str, ...] | None],
        operations: Mapping[str, Mapping[str, str]],
        raw: Any,
    ) -> None:
        self.definitions = definitions
        self.raw = raw  # the document, for what drafts do not keep (a property's `format`)
        given = {key: value for key, value in names.items() if value is not None}  # None: the defaults
        self.names = {key: {fold(n) for n in given.get(key, default)} for key, default in DEFAULT_NAMES.items()}
        self.operations = operations

    def detect(
        self, keys: tuple[str, ...], params: list[QueryParam], returns: TypeExpr, link: bool, ptr: str
    ) -> PageDraft | None:
        """`keys` name the operation in the configuration ("GET /path", its operationId); `link`: a success
        response declares a `Link` header."""
        configured = next((self.operations[k] for k in keys if k in self.operations), None)
        found = self._items(returns, configured.get("items") if configured else None, ptr)
        if found is None:
            if configured is not None and configured.get("kind") != "none":
                raise Unsupported(ptr, "configured pagination, but the response holds no list")
            return None
        items, item_type = found
        by_name = {fold(p.wire_name): p for p in params}
        model = _model_name(returns)
        if configured is not None:
            return self._configured(configured, items, item_type, by_name, model, ptr)
        for rule in (self._cursor, self._body_url, self._link, self._offset, self._page):
            draft = rule(items, item_type, by_name, model, link)
            if draft is not None:
                return draft
        return None

    # --- the rules, tried in this order: what the server says beats what the client can count -------------

    def _cursor(self, items: str, item_type: TypeExpr, by_name: Params, model: str, link: bool) -> PageDraft | None:
        for name, param in by_name.items():
            if name not in self.names["cursor_params"]:
                continue
            flags = self._flags(model)
            token = self._first(model, [f.format(param=param.wire_name) for f in CURSOR_FIELDS])
            if token:
                return PageDraft("Cursor", items, item_type, param.wire_name, fields=(("token", token), *flags))
            item_id = self._first(_model_name(item_type), ["id"])
            if item_id and any(keyword == "more" for keyword, _ in flags):
                return PageDraft("Cursor", items, item_type, param.wire_name, fields=(("item_token", item_id), *flags))
        return None

    def _body_url(self, items: str, item_type: TypeExpr, by_name: Params, model: str, link: bool) -> PageDraft | None:
        url = self._first(model, list(URL_FIELDS), Primitive("str")) or self._url_named_next(model)
        return PageDraft("NextUrl", items, item_type, fields=(("body", url),)) if url else None

    def _url_named_next(self, model: str) -> Steps:
        """A bare `next` may be a cursor as well as a URL: it is a URL when its schema says so (a `uri` format,
        an example that is one, a description that calls it a URL or link)."""
        steps = self._path(model, ["next"], Primitive("str"), exact=False)
        if not steps:
            return ()
        definition = self.definitions[steps[0][0]]
        node = resolve(self.raw, f"{definition.pointer}/properties/{escape(steps[0][1])}", through_refs=True)
        if not isinstance(node, dict):
            return ()
        text = f"{node.get('description', '')} {node.get('example', '')} {node.get('examples', '')}".lower()
        url = node.get("format") in URL_FORMATS or any(word in text for word in ("url", "uri", "link", "http"))
        return steps if url else ()

    def _link(self, items: str, item_type: TypeExpr, by_name: Params, model: str, link: bool) -> PageDraft | None:
        return PageDraft("NextUrl", items, item_type) if link else None

    def _offset(self, items: str, item_type: TypeExpr, by_name: Params, model: str, link: bool) -> PageDraft | None:
        param = next((p for n, p in by_name.items() if n in self.names["offset_params"] and _is_int(p.type)), None)
        if param is None:
            return None
        limit = next((p.wire_name for n, p in by_name.items() if n in {fold(x) for x in LIMIT_PARAMS}), "")
        total = self._first(model, list(TOTAL_FIELDS), Primitive("int"))
        return PageDraft(
            "Offset", items, item_type, param.wire_name, limit=limit, fields=(("total", total),) if total else ()
        )

    def _page(self, items: str, item_type: TypeExpr, by_name: Params, model: str, link: bool) -> PageDraft | None:
        param = next((p for n, p in by_name.items() if n in self.names["page_params"] and _is_int(p.type)), None)
        if param is None:
            return None
        first = next((n for value in (param.default, param.minimum) if (n := _whole_number(value)) is not None), 1)
        return PageDraft("PageNumber", items, item_type, param.wire_name, first=first)

    def _configured(
        self, given: Mapping[str, str], items: str, item_type: TypeExpr, by_name: Params, model: str, ptr: str
    ) -> PageDraft | None:
        kind = given["kind"]
        if kind == "none":
            return None
        param = given.get("param", "")
        if kind != "url" and kind != "link" and fold(param) not in by_name:
            raise Unsupported(ptr, f"configured pagination: the operation has no query parameter {param!r}")
        wire = by_name[fold(param)].wire_name if param else ""

        def at(key: str, expect: TypeExpr | None = None, root: str = model) -> tuple[tuple[str, Steps], ...]:
            if key not in given:
                return ()
            steps = self._path(root, given[key].split("."), expect)
            if not steps:
                raise Unsupported(ptr, f"configured pagination: the response has no field {given[key]!r}")
            return ((key, steps),)

        if kind == "page":
            return PageDraft("PageNumber", items, item_type, wire, first=int(given.get("first", "1")))
        if kind == "offset":
            return PageDraft("Offset", items, item_type, wire, limit=given.get("limit", ""), fields=at("total"))
        if kind == "cursor":
            item_model = _model_name(item_type)
            fields = at("token") + at("item_token", root=item_model) + at("done") + at("more")
            return PageDraft("Cursor", items, item_type, wire, fields=fields)
        return PageDraft("NextUrl", items, item_type, fields=at("body") if kind == "url" else ())

    # --- reading the response's shape ---------------------------------------------------------------------

    def _items(self, returns: TypeExpr, configured: str | None, ptr: str) -> tuple[str, TypeExpr] | None:
        """The items of a page: the response itself when it is an array, else the one array property of the
        response object (or the one named like `items`/`data`, or the one configured)."""
        target = _strip(returns)
        if isinstance(target, ListOf):
            return "", target.item
        definition = self.definitions.get(target.name) if isinstance(target, ModelRef) else None
        if definition is None or definition.kind != "model":
            return None
        arrays = [p for p in definition.properties if isinstance(_strip(p.type), ListOf)]
        if configured is not None:
            arrays = [p for p in arrays if p.wire_name == configured]
        elif len(arrays) > 1:
            arrays = [p for p in arrays if p.wire_name.lower() in ITEM_PROPERTY_NAMES]
        if len(arrays) != 1:
            return None
        item_type = _strip(arrays[0].type)
        assert isinstance(item_type, ListOf)
        return arrays[0].wire_name, item_type.item

    def _flags(self, model: str) -> tuple[tuple[str, Steps], ...]:
        found = []
        for keyword, names in (("done", DONE_FIELDS), ("more", MORE_FIELDS)):
            steps = self._first(model, list(names), Primitive("bool"))
            if steps:
                found.append((keyword, steps))
        return tuple(found)

    def _first(self, model: str, candidates: list[str], expect: TypeExpr | None = None) -> Steps:
        for candidate in candidates:
            steps = self._path(model, candidate.split("."), expect, exact=False)
            if steps:
                return steps
        return ()

    def _path(self, model: str, names: list[str], expect: TypeExpr | None, exact: bool = True) -> Steps:
        """The steps to a field by wire names (`links.next`), each in the model the previous one leads to; ()
        when some step is missing or the last is not of the expected type."""
        steps: list[tuple[str, str]] = []
        current: TypeExpr = ModelRef(model)
        for name in names:
            definition = self.definitions.get(current.name) if isinstance(current, ModelRef) else None
            if definition is None or definition.kind != "model":
                return ()
            match = [
                p for p in definition.properties if (p.wire_name == name if exact else fold(p.wire_name) == fold(name))
            ]
            if not match:
                return ()
            steps.append((definition.name, match[0].wire_name))
            current = _strip(match[0].type)
        if expect is not None and current != expect:
            return ()
        return tuple(steps)


Params = Mapping[str, QueryParam]


def _strip(expr: TypeExpr) -> TypeExpr:
    return expr.inner if isinstance(expr, Nullable) else expr


def _is_int(expr: TypeExpr) -> bool:
    return _strip(expr) == Primitive("int")


def _model_name(expr: TypeExpr) -> str:
    target = _strip(expr)
    return target.name if isinstance(target, ModelRef) else ""


def _whole_number(value: object) -> int | None:
    """An integer, or a float without a fraction (not infinity or NaN: YAML's `.inf`); None for anything else."""
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None

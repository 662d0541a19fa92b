"""Operations to method drafts: parameters, request bodies and responses, with types still as TypeExprs
(module.py prints them once every definition has its module)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

import pydantic
from openapi_pydantic.v3 import v3_0, v3_1

from ..ir import DictOf, ListOf, LiteralOf, ModelRef, Nullable, Primitive, TypeExpr, UnionOf
from ..pointers import component_key, escape, resolve
from ..pointers import pointer as make_pointer
from .names import Namespace, identifier, pascal
from .pagination import PageDraft, PaginationDetector, QueryParam
from .printing import literal
from .problems import Unsupported
from .resources import OperationKey
from .streams import StreamDraft, lower_stream, stream_kind
from .types import NONE, PropertyDraft, SchemaLowering, is_reference, spec_value, union_of, value_type

BYTES = Primitive("bytes")
BINARY_RESPONSE = Primitive("BinaryContent")  # bytes that can also .read() and .write_to_file()
STR = Primitive("str")
FILE = Primitive("FileTypes")
BINARY_BODY = Primitive("FileContent")

# Taken in a method's scope: its own options, and the globals its body uses. A parameter with one of these
# names gets a trailing underscore (the wire name is unchanged).
SIGNATURE_NAMES = {"self", "extra_headers", "extra_query", "extra_body", "timeout"} | {
    "path_template",
    "cast",
    "warnings",
    "builtins",
    "Delimited",
    "DeepObject",
    "JsonParam",
    "NoneType",
}


# OpenAPI: header parameters with these names are ignored; the client sets them.
IGNORED_HEADERS = {"accept", "content-type", "authorization"}
# Computed by the HTTP layer from the request itself; a value given by the caller could only be wrong.
COMPUTED_HEADERS = {"content-length", "host", "transfer-encoding"}
# Idempotency-Key (the IETF draft), X-Idempotency-Key, idempotency_key...
_IDEMPOTENCY = re.compile(r"(x-)?idempotency[-_]?key", re.IGNORECASE)


@dataclass
class ParamDraft:
    py_name: str
    wire_name: str
    location: str  # path, query, header, cookie, body, file, form, whole
    type: TypeExpr
    required: bool
    doc: str  # raw spec text; escaped when the docstring is assembled
    # How the value is serialised beyond the default: a runtime wrapper class and the literals after the value
    # (`Delimited`, `(",",)` sends `Delimited(ids, ",")`); "" for none.
    encoder: str = ""
    encoder_args: tuple[str, ...] = ()
    schema_default: object = None
    schema_minimum: object = None
    example: object = None  # the spec's example value (of the parameter, else of its schema); None: none given


@dataclass
class MethodDraft:
    name: str
    http_method: str
    path: str  # template with Python-name placeholders
    fixed_query: tuple[tuple[str, str], ...]  # query pairs every call sends (from a path key's query string)
    content_type: str  # Content-Type of a body sent as given (binary or text), "" when the runtime sets it
    empty_body: bool  # a required JSON object body with no properties: `{}` (and extra_body) is sent
    params: list[ParamDraft]
    positional: int
    body_kind: str  # "", json, multipart, form, binary, text
    returns: TypeExpr
    accept: str  # Accept header when the response is not JSON, else ""
    doc: str
    deprecated: bool
    pointer: str
    page: PageDraft | None = None  # how the list is paginated, when it is
    stream: StreamDraft | None = None  # how a streamed response is read; `returns` is then its item type
    aliases: tuple[str, ...] = ()  # other names for the method, from the override table
    security: str = ""  # source of the requirement list passed to the client; "" for the client's default
    summary: str = ""  # raw spec text: the operation's summary, else its description's first line
    errors: tuple[tuple[str, TypeExpr], ...] = ()  # error status -> the declared type of its JSON body


def media_kind(media_type: str) -> str:
    base = media_type.split(";")[0].strip().lower()
    streamed = bool(stream_kind(base))  # lines of JSON (`application/jsonl`), not one document
    if base == "application/json" or base.endswith("+json") or base == "*/*" or ("/json" in base and not streamed):
        return "json"
    if base == "multipart/form-data":
        return "multipart"
    if base == "application/x-www-form-urlencoded":
        return "form"
    if base.startswith("text/"):
        return "text"
    return "binary"


_BODY_PREFERENCE = ("json", "multipart", "form", "binary", "text")
_MODELS = {"parameters": "Parameter", "responses": "Response", "requestBodies": "RequestBody"}


class OperationLowering:
    def __init__(self, api: Any, schemas: SchemaLowering, pagination: PaginationDetector) -> None:
        self.schemas = schemas
        self.pagination = pagination
        self.components = api.components
        self.warnings: list[str] = []
        self.widenings = schemas.widenings
        self.idempotency_header: str | None = None  # the first header parameter named like Idempotency-Key

    def lower(self, key: OperationKey, operation: Any, path_item: Any, name: str, type_hint: str) -> MethodDraft:
        path, method, ptr = key.path, key.method, key.pointer
        names = Namespace(SIGNATURE_NAMES)
        params = self._parameters(path, operation, path_item, ptr, type_hint, names)
        template, fixed_query = self._path_template(path, params, ptr, names)
        body_kind, body_params = self._body(operation, ptr, type_hint, names)
        returns, accept = self._returns(operation, ptr, type_hint)
        positional = [p for p in params if p.location == "path"][-1:]  # the last path parameter
        draft = MethodDraft(
            name=name,
            http_method=method.upper(),  # httpx sends methods upper-cased
            path=template,
            fixed_query=fixed_query,
            content_type=self._body_media_type if body_kind in ("binary", "text") else "",
            empty_body=self._empty_body,
            params=_in_signature_order(positional, params + body_params),
            positional=len(positional),
            body_kind=body_kind,
            returns=returns,
            accept=accept,
            doc=(operation.description or operation.summary or f"{method.upper()} {path}").strip(),
            deprecated=bool(operation.deprecated),
            pointer=ptr,
            stream=self._stream,
            summary=(operation.summary or operation.description or f"{method.upper()} {path}").strip().split("\n")[0],
            errors=self._errors(operation, ptr),
        )
        if method == "get" and self._stream is None:
            query = [
                QueryParam(p.wire_name, p.type, p.schema_default, p.schema_minimum)
                for p in draft.params
                if p.location == "query"
            ]
            keys = (key.label, *([key.operation_id] if key.operation_id else []))
            draft.page = self.pagination.detect(keys, query, returns, self._link_header, ptr)
        return draft

    # --- parameters ---------------------------------------------------------------------------------------

    def _param_name(self, names: Namespace, wire: str, fallback: str = "param") -> str:
        """A parameter named like a class the method's annotations use (`HistoryRecords`) would hide it."""
        name = identifier(wire, fallback=fallback)
        return names.claim(name + "_" if name in SIGNATURE_NAMES or name in self.schemas.names else name)

    def _parameters(
        self, path: str, operation: Any, path_item: Any, ptr: str, hint: str, names: Namespace
    ) -> list[ParamDraft]:
        """The path item's parameters, overridden by the operation's of the same name and location."""
        merged: dict[tuple[str, str], tuple[str, Any]] = {}
        for source_ptr, source in ((make_pointer("paths", path), path_item.parameters), (ptr, operation.parameters)):
            for index, node in enumerate(source or []):
                param_ptr = f"{source_ptr}/parameters/{index}"
                if is_reference(node):
                    param_ptr, node = self._resolve_component(node.ref, "parameters", param_ptr)
                merged[(node.name, str(getattr(node.param_in, "value", node.param_in)))] = (param_ptr, node)
        drafts = [self._parameter(wire, location, *found, hint, names) for (wire, location), found in merged.items()]
        return [draft for draft in drafts if draft is not None]

    def _parameter(
        self, wire: str, location: str, param_ptr: str, param: Any, hint: str, names: Namespace
    ) -> ParamDraft | None:
        if location == "header" and wire.lower() in IGNORED_HEADERS | COMPUTED_HEADERS:
            return None
        if location == "header" and self.idempotency_header is None and _IDEMPOTENCY.fullmatch(wire):
            self.idempotency_header = wire
        schema, schema_ptr, serialized = self._parameter_schema(param, param_ptr, location)
        if schema is None:
            param_type: TypeExpr = STR
            if not serialized:
                self.widenings.add(param_ptr, "parameter", "a parameter with no schema; typed as str")
        else:
            param_type = self.schemas.type_of(schema, f"{hint}{pascal(wire)}", schema_ptr, input_side=True)
        encoder: tuple[str, tuple[str, ...]] = ("", ())
        if serialized and schema is not None:
            encoder = ("JsonParam", ())
        elif location == "query":
            encoder = self._query_encoder(param, param_type, param_ptr)
        return ParamDraft(
            py_name=self._param_name(names, wire),
            wire_name=wire,
            location=location,
            type=param_type,
            required=bool(param.required) or location == "path",
            doc=_param_doc(param.description or "", bool(param.deprecated)),
            encoder=encoder[0],
            encoder_args=encoder[1],
            schema_default=getattr(schema, "default", None),
            schema_minimum=getattr(schema, "minimum", None),
            example=_example(param, schema),
        )

    @staticmethod
    def _parameter_schema(param: Any, param_ptr: str, location: str) -> tuple[Any, str, bool]:
        """The schema typing the parameter, its pointer, and whether `content` describes the value (then it
        is sent as that media type's text, and only a JSON query value is typed: the caller passes the rest
        serialized)."""
        if param.param_schema is not None or not param.content:
            return param.param_schema, param_ptr + "/schema", False
        media_type, media = sorted(param.content.items())[0]
        typed = location == "query" and media_kind(media_type) == "json"
        return media.media_type_schema if typed else None, f"{param_ptr}/content/{escape(media_type)}/schema", True

    def _query_encoder(self, param: Any, param_type: TypeExpr, ptr: str) -> tuple[str, tuple[str, ...]]:
        style = str(getattr(param.style, "value", param.style) or "form")
        inner = param_type.inner if isinstance(param_type, Nullable) else param_type
        is_array = isinstance(inner, ListOf) or (
            isinstance(inner, UnionOf) and any(isinstance(m, ListOf) for m in inner.members)
        )
        is_object = isinstance(inner, (DictOf, ModelRef)) and not self._is_alias(inner)
        if style == "deepObject":
            if self._is_mapping(inner):
                return "DeepObject", ()
            # OpenAPI defines deepObject for objects only; a scalar or array is sent as the default style does.
            self.warnings.append(f"{ptr}: style 'deepObject' applies to objects; sent as style 'form'")
            style = "form"
        delimiter = {"form": ",", "spaceDelimited": " ", "pipeDelimited": "|"}.get(style)
        if delimiter is None:
            self.warnings.append(f"{ptr}: style '{style}' is not a query style; sent as style 'form'")
            style, delimiter = "form", ","
        explode = param.explode if param.explode is not None else style == "form"  # of the style sent
        if (is_array or is_object) and not explode:
            # An object without explode is its keys and values in one list: `color=R,100,G,200`.
            return "Delimited", (literal(delimiter),)
        return "", ()

    def _is_mapping(self, expr: TypeExpr) -> bool:
        if isinstance(expr, ModelRef):
            draft = self.schemas.definitions.get(expr.name)
            if draft is not None and draft.kind == "alias":
                return draft.type is not None and self._is_mapping(draft.type)
            return draft is not None
        if isinstance(expr, UnionOf):
            return all(self._is_mapping(member) for member in expr.members)
        return isinstance(expr, DictOf)

    def _is_alias(self, expr: TypeExpr) -> bool:
        if isinstance(expr, ModelRef):
            draft = self.schemas.definitions.get(expr.name)
            return draft is not None and draft.kind == "alias"
        return False

    def _path_template(
        self, path: str, params: list[ParamDraft], ptr: str, names: Namespace
    ) -> tuple[str, tuple[tuple[str, str], ...]]:
        """The path as a template of Python names. A path key may carry a query string (`/search?q={q}`):
        its fixed pairs are sent with every call, and `{name}` there is the query parameter of that name. A template
        name no parameter declares becomes a required `str` parameter; a declared path parameter the path does
        not name cannot be sent and is left out. Both are warnings."""
        # A fragment never goes on the wire (AWS keys operations by `/#X-Amz-Target=...`).
        route, _, query = path.partition("#")[0].partition("?")
        by_wire = {p.wire_name: p for p in params if p.location == "path"}
        template = self._route_template(route, path, by_wire, params, ptr, names)
        used = set(re.findall(r"\{([^{}]*)\}", route))
        for wire, param in list(by_wire.items()):
            if wire not in used:
                self.warnings.append(f"{ptr}: path parameter '{wire}' does not appear in the path; left out")
                params.remove(param)
        return template, self._fixed_query(query, params, ptr, names)

    def _route_template(
        self,
        route: str,
        path: str,
        by_wire: dict[str, ParamDraft],
        params: list[ParamDraft],
        ptr: str,
        names: Namespace,
    ) -> str:
        out: list[str] = []
        rest = route
        while "{" in rest:
            before, _, after = rest.partition("{")
            wire, closed, following = after.partition("}")
            if not closed or "{" in wire or not wire:
                self.warnings.append(f"{ptr}: path template {path!r} is malformed; its braces are sent as written")
                return "".join(out) + rest.replace("{", "{{").replace("}", "}}")
            rest = following
            if wire not in by_wire:
                self.warnings.append(f"{ptr}: path parameter '{wire}' is not declared; a required str argument")
                by_wire[wire] = ParamDraft(self._param_name(names, wire), wire, "path", STR, True, "")
                params.append(by_wire[wire])
            out.append(before.replace("}", "}}"))
            out.append("{" + by_wire[wire].py_name + "}")
        return "".join(out) + rest.replace("}", "}}")

    def _fixed_query(
        self, query: str, params: list[ParamDraft], ptr: str, names: Namespace
    ) -> tuple[tuple[str, str], ...]:
        fixed = []
        for pair in filter(None, query.split("&")):
            key, _, value = pair.partition("=")
            match = re.fullmatch(r"\{([^{}]+)\}", value)
            if match is None:
                fixed.append((unquote_plus(key), unquote_plus(value)))
            elif not any(p.wire_name in (match.group(1), key) and p.location == "query" for p in params):
                self.warnings.append(f"{ptr}: query parameter '{key}' of the path is not declared; a required str")
                params.append(ParamDraft(self._param_name(names, key), key, "query", STR, True, ""))
        return tuple(fixed)

    def _resolve_component(self, ref: str, kind: str, ptr: str) -> tuple[str, Any]:
        """The object a local `$ref` points at, with its pointer. Loading checked that it exists and is not
        itself a reference; it is usually a component, but may be anywhere in the document."""
        key = component_key(ref, kind)
        table = getattr(self.components, kind, None) or {}
        if key is not None and key in table:
            return make_pointer("components", kind, key), table[key]
        node = resolve(self.schemas.raw, ref[1:])
        if not isinstance(node, dict):
            raise Unsupported(ptr, f"$ref '{ref}' does not point at an object")
        model = getattr(v3_1 if self.schemas.is_31 else v3_0, _MODELS[kind])
        return ref[1:], model.model_validate(node)

    # --- request body -------------------------------------------------------------------------------------

    def _body(self, operation: Any, ptr: str, hint: str, names: Namespace) -> tuple[str, list[ParamDraft]]:
        self._body_media_type = ""
        self._empty_body = False
        body = operation.requestBody
        body_ptr = ptr + "/requestBody"
        if body is not None and is_reference(body):
            body_ptr, body = self._resolve_component(body.ref, "requestBodies", body_ptr)
        content = (body.content if body is not None else None) or {}
        if not content:
            return "", []
        media_type = min(content, key=lambda m: (_BODY_PREFERENCE.index(media_kind(m)), m))
        kind = media_kind(media_type)
        # A body we do not encode is sent as the declared type, unless the type needs parameters we cannot know
        # (a multipart boundary) or is a range (`image/*`): then the caller says it with extra_headers.
        if "*" not in media_type and not media_type.lower().startswith("multipart/"):
            self._body_media_type = media_type
        media_ptr = f"{body_ptr}/content/{escape(media_type)}"
        schema = content[media_type].media_type_schema

        def whole(body_type: TypeExpr) -> list[ParamDraft]:
            return [
                ParamDraft(names.claim("body"), "", "whole", body_type, bool(body.required), body.description or "")
            ]

        if kind in ("binary", "text") or schema is None:
            return kind, whole(BINARY_BODY if kind == "binary" or (schema is None and kind != "text") else STR)
        body_type = self.schemas.type_of(schema, f"{hint}Params", media_ptr + "/schema", input_side=True)
        draft = self.schemas.definitions.get(body_type.name) if isinstance(body_type, ModelRef) else None
        if draft is None or draft.kind != "typeddict":
            if kind != "json":
                # Not a set of named fields: the caller builds the encoded body, sent with the declared type.
                self.widenings.add(media_ptr, "body", f"a {media_type} body that is not an object; sent as given")
                return "binary", whole(BINARY_BODY)
            return kind, whole(body_type)
        # An object body is spread into keyword arguments, one per property.
        self._empty_body = bool(body.required) and kind == "json" and not draft.properties  # `{}` is still sent
        return kind, [self._body_field(prop, kind, names) for prop in draft.properties]

    def _body_field(self, prop: PropertyDraft, kind: str, names: Namespace) -> ParamDraft:
        location, prop_type = "body", prop.type
        if kind == "multipart" and _is_binary(prop_type):
            location, prop_type = "file", _file_type(prop_type)
        elif kind in ("multipart", "form"):
            location = "form"
        return ParamDraft(
            py_name=self._param_name(names, prop.wire_name, "field"),
            wire_name=prop.wire_name,
            location=location,
            type=prop_type,
            # A required property is required whenever a body is sent; an optional requestBody only
            # means the call may send none, which an object body's fields cannot say.
            required=prop.required,
            doc=_param_doc(prop.description, prop.deprecated),
        )

    # --- responses ----------------------------------------------------------------------------------------

    def _returns(self, operation: Any, ptr: str, hint: str) -> tuple[TypeExpr, str]:
        """The type of the success responses (of `default` when none is declared) and the Accept header."""
        responses = operation.responses or {}
        codes = sorted((c for c in responses if str(c).startswith("2")), key=lambda c: str(c).replace("X", "9"))
        if not codes and "default" in responses:
            codes = ["default"]
        self._link_header = False
        self._stream: StreamDraft | None = None
        typed = [self._response(responses[code], f"{ptr}/responses/{code}", hint) for code in codes]
        if not typed:
            return NONE, ""
        accepts = [accept for _, accept in typed if accept is not None]
        return self._castable(_combined([result for result, _ in typed]), ptr), _accept_header(accepts)

    def _response(self, response: Any, response_ptr: str, hint: str) -> tuple[TypeExpr, str | None]:
        """A success response's type, and the media type asked for it (None: it has no content)."""
        if is_reference(response):
            response_ptr, response = self._resolve_component(response.ref, "responses", response_ptr)
        # A `Link` header (RFC 8288) is how GitHub, among others, gives the next page's URL.
        self._link_header |= any(name.lower() == "link" for name in response.headers or {})
        content = response.content or {}
        if not content:
            return NONE, None
        media_type = min(content, key=lambda m: (("json", "text", "binary").index(_response_kind(m)), m))
        kind = _response_kind(media_type)
        accept = "*/*" if media_type.strip() == "*" else media_type  # `*` is no media type
        schema = content[media_type].media_type_schema
        media_ptr = f"{response_ptr}/content/{escape(media_type)}"
        if stream_kind(media_type) and self._stream is None:
            self._stream = lower_stream(
                self.schemas.raw,
                media_type,
                media_ptr,
                lambda p: self._type_at(p, f"{hint}Item"),
                response.description or "",
            )
            assert self._stream is not None
            return self._stream.item_type, accept
        if kind == "json" and schema is not None:
            return self.schemas.type_of(schema, f"{hint}Response", media_ptr + "/schema", input_side=False), accept
        return (STR if kind == "text" else BINARY_RESPONSE), accept

    def _type_at(self, ptr: str, hint: str) -> TypeExpr:
        """The type of the schema at `ptr` in the document (one the object model keeps as a plain mapping,
        like 3.2's `itemSchema`)."""
        node = resolve(self.schemas.raw, ptr, through_refs=True)
        module = v3_1 if self.schemas.is_31 else v3_0
        model = module.Reference if isinstance(node, dict) and "$ref" in node else module.Schema
        try:
            schema = model.model_validate(node)
        except pydantic.ValidationError:
            raise Unsupported(ptr, "not a schema") from None
        return self.schemas.type_of(schema, hint, ptr, input_side=False)

    def _errors(self, operation: Any, ptr: str) -> tuple[tuple[str, TypeExpr], ...]:
        """The error statuses whose JSON body the spec types by a component schema (an inline one is left as
        the decoded JSON: naming a model after each error status of each operation would be noise)."""
        errors: list[tuple[str, TypeExpr]] = []
        for wire_code, response in (operation.responses or {}).items():
            code = str(wire_code).upper() if str(wire_code) != "default" else "default"
            if not (code[:1] in ("4", "5") or code == "default"):
                continue
            response_ptr = f"{ptr}/responses/{escape(str(wire_code))}"  # as written: `4xx` too
            if is_reference(response):
                response_ptr, response = self._resolve_component(response.ref, "responses", response_ptr)
            json = [m for m in sorted(response.content or {}) if _response_kind(m) == "json"]
            schema = (response.content or {})[json[0]].media_type_schema if json else None
            if schema is not None and is_reference(schema):
                media_ptr = f"{response_ptr}/content/{escape(json[0])}/schema"
                errors.append((code, self.schemas.type_of(schema, "Error", media_ptr, input_side=False)))
        return tuple(sorted(errors))

    def _castable(self, returns: TypeExpr, ptr: str) -> TypeExpr:
        """The runtime is told what to parse as `type[T]`, which type checkers refuse for a Literal: a response
        that is a Literal (or an alias of one) is typed by the Literal's base type."""
        inner = returns.inner if isinstance(returns, Nullable) else returns
        members = inner.members if isinstance(inner, UnionOf) and not inner.discriminator else (inner,)
        widened = [self._literal_base(m) for m in members]
        if widened == list(members):
            return returns
        self.widenings.add(ptr + "/responses", "literal-response", "a response that is an enum; typed by its base type")
        result = union_of(widened)
        return Nullable(result) if isinstance(returns, Nullable) and not isinstance(result, Nullable) else result

    def _literal_base(self, expr: TypeExpr) -> TypeExpr:
        if isinstance(expr, Nullable):  # two responses, each nullable: `Literal[...] | None | str | None`
            base = self._literal_base(expr.inner)
            return expr if base == expr.inner else union_of([base, NONE])
        target: TypeExpr = expr
        while isinstance(target, ModelRef) and target.name in self.schemas.definitions:
            draft = self.schemas.definitions[target.name]
            if draft.kind != "alias" or draft.type is None:
                break
            target = draft.type.inner if isinstance(draft.type, Nullable) else draft.type
        if isinstance(target, LiteralOf):
            return union_of([value_type(value) for value in target.values])
        return expr


def _combined(results: list[TypeExpr]) -> TypeExpr:
    """One type for every success response: their union, nullable when one of them has no body."""
    unique = list(dict.fromkeys(results))
    if len(unique) == 1:
        return unique[0]
    non_null = [r for r in unique if r != NONE]
    combined = non_null[0] if len(non_null) == 1 else UnionOf(tuple(non_null))
    return Nullable(combined) if NONE in unique else combined


def _accept_header(accepts: list[str]) -> str:
    """JSON is what the client asks for by default; a server that only speaks a vendor type
    (`application/vnd.api+json`) may refuse that, so the declared types are asked for by name."""
    plain = all(a.split(";")[0].strip().lower() in ("application/json", "*/*") for a in accepts)
    if not accepts or ({_response_kind(a) for a in accepts} == {"json"} and plain):
        return ""
    return ", ".join(dict.fromkeys(accepts))


def _in_signature_order(positional: list[ParamDraft], params: list[ParamDraft]) -> list[ParamDraft]:
    """The positional parameter first, then the keyword-only ones: required before optional."""
    rest = [p for p in params if p not in positional]
    return positional + [p for p in rest if p.required] + [p for p in rest if not p.required]


def _example(param: Any, schema: Any) -> object:
    """The example a parameter gives, else its schema's: `example`, or the first of `examples`."""
    for node in (param, schema):
        if node is None:
            continue
        if spec_value(node, "example") is not None:
            return node.example
        examples = spec_value(node, "examples")
        if isinstance(examples, dict) and examples:
            first = next(iter(examples.values()))
            value = getattr(first, "value", None)
            if value is not None:
                return value
        elif isinstance(examples, list) and examples:
            return examples[0]
    return None


def _response_kind(media_type: str) -> str:
    kind = media_kind(media_type)
    return kind if kind in ("json", "text") else "binary"


def _is_binary(expr: TypeExpr) -> bool:
    if isinstance(expr, Nullable):
        return _is_binary(expr.inner)
    if isinstance(expr, ListOf):
        return _is_binary(expr.item)
    return expr == BYTES


def _file_type(expr: TypeExpr) -> TypeExpr:
    if isinstance(expr, Nullable):
        return _file_type(expr.inner)
    if isinstance(expr, ListOf):
        return ListOf(FILE)
    return FILE


def returns_collection(api: Any, operation: Any) -> bool:
    """Does the success response hold a list (an array, or an object with an array of objects)?"""
    for code, response in (operation.responses or {}).items():
        if not str(code).startswith("2") or is_reference(response):
            continue
        for media_type, media in (response.content or {}).items():
            schema = media.media_type_schema
            if media_kind(media_type) == "json" and schema is not None:
                return _holds_list(api, schema, depth=0)
    return False


def _holds_list(api: Any, schema: Any, depth: int) -> bool:
    schema = _deref(api, schema)
    if schema is None or depth > 2:
        return False
    if _type_name(schema) == "array":
        return depth == 0 or _is_object_schema(api, schema.items)
    for prop in (schema.properties or {}).values():
        prop = _deref(api, prop)
        if prop is not None and _type_name(prop) == "array" and _is_object_schema(api, prop.items):
            return True
    return any(_holds_list(api, part, depth + 1) for part in (schema.allOf or []))


def _is_object_schema(api: Any, schema: Any) -> bool:
    schema = _deref(api, schema)
    return schema is not None and any((schema.properties, schema.allOf, schema.oneOf, schema.anyOf))


def _type_name(schema: Any) -> str:
    declared = schema.type
    if isinstance(declared, list):
        declared = next((t for t in declared if str(getattr(t, "value", t)) != "null"), None)
    return str(getattr(declared, "value", declared)) if declared is not None else ""


def _deref(api: Any, schema: Any) -> Any:
    seen = 0
    while is_reference(schema) and seen < 20:
        key = component_key(schema.ref)
        if key is None:
            return None
        schema = ((api.components and api.components.schemas) or {}).get(key)
        seen += 1
    return None if schema is None or is_reference(schema) else schema


def _param_doc(description: str, deprecated: bool) -> str:
    """What the method's docstring says of a parameter: a deprecated one says so first, as a deprecated method does."""
    return f"Deprecated. {description}".strip() if deprecated else description

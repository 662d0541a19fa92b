"""Webhooks: the requests an API sends to its users (OpenAPI 3.1/3.2 `webhooks`, and the `x-webhooks`
extension that 3.0 specs such as Dodo's use). Each event's body is a response-side model; one union of them
all, discriminated by its tag where the events have one, is what `unwrap` parses into."""

from __future__ import annotations

from typing import Any

from ..normalize import HTTP_METHODS
from ..pointers import escape, pointer, resolve
from .names import pascal
from .operations import media_kind
from .types import SchemaLowering

EVENT_UNION = "UnwrapWebhookEvent"  # the official Dodo SDK's name, so that its users can switch
# Scheme name (config `webhooks = {scheme = ...}`, `--webhook-scheme`) -> the runtime function that checks it.
SCHEMES = {
    "standard-webhooks": "verify_standard_webhooks",
    "hub-signature-256": "verify_hub_signature_256",
}


def lower_webhooks(raw: dict[str, Any], schemas: SchemaLowering) -> str | None:
    """The name of the union of every webhook event the spec documents; None when it documents none."""
    refs: list[str] = []
    for section in ("webhooks", "x-webhooks"):
        items = raw.get(section)
        for name in items if isinstance(items, dict) else ():
            ptr = _body_pointer(raw, section, name)
            if ptr is not None:
                refs.append(schemas.webhook_event(ptr, f"{pascal(name) or 'Event'}WebhookEvent"))
    if not refs:
        return None
    description = "Any webhook event the API documents: what `client.webhooks.unwrap()` parses a webhook's body into."
    return schemas.named_union(EVENT_UNION, list(dict.fromkeys(refs)), pointer("webhooks"), description).name


def _body_pointer(raw: dict[str, Any], section: str, name: str) -> str | None:
    """Where the JSON body schema of the webhook's request is (the first method that has one), also through a
    path item, request body or media type given as a `$ref`."""
    for method in HTTP_METHODS:
        content_ptr = pointer(section, name, method, "requestBody", "content")
        content = resolve(raw, content_ptr, through_refs=True)
        for media_type in content if isinstance(content, dict) else ():
            schema_ptr = f"{content_ptr}/{escape(media_type)}/schema"
            if media_kind(media_type) == "json" and isinstance(resolve(raw, schema_ptr, through_refs=True), dict):
                return schema_ptr
    return None

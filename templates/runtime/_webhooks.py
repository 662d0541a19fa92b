"""Webhooks: checking who sent one (with the standard library only), and parsing its body into its event."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Mapping
from typing import Any

import pydantic

from ._exceptions import WebhookPayloadError, WebhookVerificationError

__all__ = ["TOLERANCE_SECONDS", "parse_event", "verify_hub_signature_256", "verify_standard_webhooks"]

TOLERANCE_SECONDS = 5 * 60
"""How far a Standard Webhooks timestamp may be from this machine's clock, either way (replays are refused)."""


def verify_standard_webhooks(payload: str | bytes, headers: Mapping[str, str], key: str | bytes | None) -> None:
    """Standard Webhooks (standardwebhooks.com): `webhook-signature` holds one or more space-separated
    `v1,<base64 HMAC-SHA256>` of `<webhook-id>.<webhook-timestamp>.<body>`. A `str` key is the base64 secret,
    with or without its `whsec_` prefix; `bytes` are the secret itself."""
    secret = _secret(key)
    found = _lower_keys(headers)
    message_id, timestamp, signatures = (found.get(h) for h in ("webhook-id", "webhook-timestamp", "webhook-signature"))
    if not (message_id and timestamp and signatures):
        raise WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature header")
    try:
        sent_at = int(float(timestamp))
    except ValueError:
        raise WebhookVerificationError(f"webhook-timestamp {timestamp!r} is not a Unix time") from None
    age = time.time() - sent_at
    if age > TOLERANCE_SECONDS:
        raise WebhookVerificationError("webhook-timestamp is too old")
    if age < -TOLERANCE_SECONDS:
        raise WebhookVerificationError("webhook-timestamp is in the future")
    signed = f"{message_id}.{sent_at}.".encode() + _bytes(payload)
    expected = hmac.new(secret, signed, hashlib.sha256).digest()
    for entry in signatures.split():
        version, _, signature = entry.partition(",")
        if version == "v1" and hmac.compare_digest(expected, _b64decode(signature)):
            return
    raise WebhookVerificationError("no webhook-signature matches the body")


def verify_hub_signature_256(payload: str | bytes, headers: Mapping[str, str], key: str | bytes | None) -> None:
    """`X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>` (GitHub's scheme); the key is the secret."""
    if key is None or not key:
        raise WebhookVerificationError("no webhook key: pass key= or set the client's webhook_key")
    secret = key.encode() if isinstance(key, str) else key
    header = _lower_keys(headers).get("x-hub-signature-256")
    if not header:
        raise WebhookVerificationError("missing X-Hub-Signature-256 header")
    expected = "sha256=" + hmac.new(secret, _bytes(payload), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), header.strip().lower().encode()):
        raise WebhookVerificationError("X-Hub-Signature-256 does not match the body")


def parse_event(event_type: Any, payload: str | bytes) -> Any:
    """The body as `event_type`; `WebhookPayloadError` when it is not JSON or no documented event."""
    try:
        return _adapter(event_type).validate_json(payload)
    except pydantic.ValidationError as exc:
        raise WebhookPayloadError(f"the webhook's body is not a known event: {exc}") from exc


# Keyed by id(): the type is kept in the value, so the id cannot be reused while cached.
_adapters: dict[int, tuple[Any, pydantic.TypeAdapter[Any]]] = {}


def _adapter(event_type: Any) -> pydantic.TypeAdapter[Any]:
    if id(event_type) not in _adapters:
        _adapters[id(event_type)] = (event_type, pydantic.TypeAdapter(event_type))
    return _adapters[id(event_type)][1]


def _secret(key: str | bytes | None) -> bytes:
    if key is None:
        raise WebhookVerificationError("no webhook key: pass key= or set the client's webhook_key")
    secret = key if isinstance(key, bytes) else _b64decode(key.removeprefix("whsec_"))
    if not secret:
        raise WebhookVerificationError("the webhook key is empty or not base64")
    return secret


def _b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text + "==")  # a secret may come without its padding; extra padding is ignored
    except (binascii.Error, ValueError):
        return b""


def _bytes(payload: str | bytes) -> bytes:
    return payload.encode() if isinstance(payload, str) else payload


def _lower_keys(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}

"""Webhooks: event models and their union from the spec, `unwrap` checking Standard Webhooks and
X-Hub-Signature-256 signatures with the standard library, against payloads signed by the reference
implementation (`standardwebhooks`), and Dodo's webhooks unwrapped as the official SDK unwraps them."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import inspect
import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from tests.conftest import GENERATED, SPECS, generate, shared_specs
from tests.support import corpus
from tests.webhooks_differential import OTHER_SECRET, SECRET, agree, rows, signed, without

ORDER = {"order_id": "ord_1", "total": 1250, "status": "open"}
CREATED = json.dumps({"type": "order.created", "timestamp": "2026-12-02T07:00:00Z", "data": ORDER})


@pytest.fixture(scope="module")
def package() -> ModuleType:
    return corpus.import_as(GENERATED / "feature_webhooks", "feature_webhooks_test")


def test_each_event_is_a_model_and_unwrap_picks_it_by_its_tag(package: ModuleType) -> None:
    client = package.FeatureWebhooks(webhook_key=SECRET)
    event = client.webhooks.unwrap(CREATED, headers=signed(CREATED))
    assert type(event).__name__ == "OrderCreatedWebhookEvent"
    assert event.data.order_id == "ord_1" and event.data.total == 1250
    shipped = json.dumps({"type": "order.shipped", "data": {"order_id": "ord_1", "carrier": "DHL"}})
    assert type(client.webhooks.unwrap(shipped, headers=signed(shipped))).__name__ == "OrderShippedWebhookEvent"
    ping = json.dumps({"type": "ping", "zen": "Keep it logically awesome."})
    assert type(client.webhooks.unsafe_unwrap(ping)).__name__ == "Ping"  # a $ref'd component is a member too


def test_the_async_client_unwraps_alike(package: ModuleType) -> None:
    async def run() -> Any:
        async with package.AsyncFeatureWebhooks(webhook_key=SECRET) as client:
            return client.webhooks.unwrap(CREATED.encode(), headers=signed(CREATED))

    assert type(asyncio.run(run())).__name__ == "OrderCreatedWebhookEvent"


def test_the_key_comes_from_the_call_the_option_or_the_environment(
    package: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = signed(CREATED)
    assert package.FeatureWebhooks().webhooks.unwrap(CREATED, headers=headers, key=SECRET).type == "order.created"
    monkeypatch.setenv("FEATURE_WEBHOOKS_WEBHOOK_KEY", SECRET)
    assert package.FeatureWebhooks().webhooks.unwrap(CREATED, headers=headers).type == "order.created"
    with pytest.raises(package.WebhookVerificationError):
        package.FeatureWebhooks(webhook_key=OTHER_SECRET).webhooks.unwrap(CREATED, headers=headers)
    monkeypatch.delenv("FEATURE_WEBHOOKS_WEBHOOK_KEY")
    with pytest.raises(package.WebhookVerificationError, match="no webhook key"):
        package.FeatureWebhooks().webhooks.unwrap(CREATED, headers=headers)


# Headers are made when the test runs, not when it is collected: a timestamp ages while the suite runs.
REFUSED: dict[str, Callable[[], tuple[str, dict[str, str]]]] = {
    "tampered body": lambda: (CREATED.replace("1250", "9999"), signed(CREATED)),
    "wrong key": lambda: (CREATED, signed(CREATED, OTHER_SECRET)),
    "six minutes old": lambda: (CREATED, signed(CREATED, age=360)),
    "six minutes ahead": lambda: (CREATED, signed(CREATED, age=-360)),
    "no webhook-id": lambda: (CREATED, without(signed(CREATED), "webhook-id")),
    "no webhook-timestamp": lambda: (CREATED, without(signed(CREATED), "webhook-timestamp")),
    "no webhook-signature": lambda: (CREATED, without(signed(CREATED), "webhook-signature")),
    "garbage timestamp": lambda: (CREATED, dict(signed(CREATED), **{"webhook-timestamp": "soon"})),
    "garbage signature": lambda: (CREATED, dict(signed(CREATED), **{"webhook-signature": "v1 nonsense,,"})),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_unwrap_refuses_what_was_not_signed_with_the_key_just_now(package: ModuleType, case: str) -> None:
    body, headers = REFUSED[case]()
    client = package.FeatureWebhooks(webhook_key=SECRET)
    with pytest.raises(package.WebhookVerificationError) as caught:
        client.webhooks.unwrap(body, headers=headers)
    assert isinstance(caught.value, package.SDKError), case


def test_within_tolerance_and_header_case_do_not_matter(package: ModuleType) -> None:
    headers = {name.title(): value for name, value in signed(CREATED, age=240).items()}
    assert package.FeatureWebhooks(webhook_key=SECRET).webhooks.unwrap(CREATED, headers=headers).type == "order.created"


@pytest.mark.parametrize("body", ["not json", json.dumps({"type": "order.created"}), "[]"])
def test_a_body_that_is_no_event_is_a_payload_error(package: ModuleType, body: str) -> None:
    with pytest.raises(package.WebhookPayloadError) as caught:
        package.FeatureWebhooks().webhooks.unsafe_unwrap(body)
    assert isinstance(caught.value, package.SDKError)


def test_without_a_scheme_only_unsafe_unwrap_is_generated(tmp_path: Path) -> None:
    unchecked = generate(SPECS / "features" / "webhooks.yaml", tmp_path, "unchecked")
    module = corpus.import_as(unchecked, "unchecked_webhooks")
    client = module.Unchecked()
    assert not hasattr(client.webhooks, "unwrap")
    assert "webhook_key" not in inspect.signature(module.Unchecked).parameters
    assert client.webhooks.unsafe_unwrap(CREATED).data.order_id == "ord_1"


def test_hub_signature_256_as_github_signs(tmp_path: Path) -> None:
    hub = generate(SPECS / "features" / "webhooks.yaml", tmp_path, "hub", "--webhook-scheme", "hub-signature-256")
    module = corpus.import_as(hub, "hub_webhooks")
    secret = "It's a Secret to Everybody"
    signature = "sha256=" + hmac.new(secret.encode(), CREATED.encode(), hashlib.sha256).hexdigest()
    client = module.Hub(webhook_key=secret)
    assert client.webhooks.unwrap(CREATED, headers={"X-Hub-Signature-256": signature}).type == "order.created"
    for headers in ({}, {"X-Hub-Signature-256": signature.replace("sha256=", "sha1=")}):
        with pytest.raises(module.WebhookVerificationError):
            client.webhooks.unwrap(CREATED, headers=headers)
    with pytest.raises(module.WebhookVerificationError):
        client.webhooks.unwrap(CREATED.replace("1250", "1"), headers={"X-Hub-Signature-256": signature})


@pytest.mark.xdist_group("dodo-newest")
def test_dodo_webhooks_unwrap_as_the_official_sdk_does(tmp_path_factory: pytest.TempPathFactory) -> None:
    spec = shared_specs() / "dodopayments" / "dodo-1.53.2.yaml"
    documented = yaml.load(spec.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)["x-webhooks"]
    table = rows(corpus.dodo(tmp_path_factory, spec).parent)
    disagreements = [(name, ours, theirs) for name, ours, theirs in table if not agree(ours, theirs)]
    assert not disagreements
    accepted = [name for name, ours, _ in table if not ours.startswith("rejected")]
    assert set(documented) <= set(accepted)  # every documented event, with the same type and fields
    assert sum(ours.startswith("rejected") for _, ours, _ in table) == 9

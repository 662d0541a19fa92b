"""`python -m tests.webhooks_differential`: Dodo 1.53.2's webhooks unwrapped by the official SDK and by ours, on
the same signed (and tampered) payloads; prints a markdown table. tests/test_webhooks.py asserts it agrees.

Every event the spec documents is sent with the spec's own example body, signed by the `standardwebhooks`
package (the reference implementation); each rejection case alters one thing of a valid webhook."""

from __future__ import annotations

import base64
import datetime
import json
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from standardwebhooks import Webhook

from tests.conftest import SHARED_SPECS, generate
from tests.support.corpus import import_as

SPEC = SHARED_SPECS / "dodopayments" / "dodo-1.53.2.yaml"
SECRET = "whsec_" + base64.b64encode(b"differential-webhook-key").decode()
OTHER_SECRET = "whsec_" + base64.b64encode(b"some-other-webhook-key!!").decode()


def signed(body: str, secret: str = SECRET, *, age: int = 0, msg_id: str = "msg_2kfcBqSq") -> dict[str, str]:
    sent = datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(seconds=age)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(sent.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, sent, body),
    }


def without(headers: dict[str, str], name: str) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k != name}


@dataclass
class Case:
    name: str
    body: str
    headers: dict[str, str]
    key: str | None = None  # None: the client's webhook_key


def cases(spec: dict[str, Any]) -> list[Case]:
    events = spec["x-webhooks"]
    found = [
        Case(
            name,
            body := json.dumps(item["post"]["requestBody"]["content"]["application/json"]["example"]),
            signed(body),
        )
        for name, item in events.items()
    ]
    body = found[0].body
    valid = signed(body)
    two = dict(
        valid,
        **{"webhook-signature": signed(body, OTHER_SECRET)["webhook-signature"] + " " + valid["webhook-signature"]},
    )
    return found + [
        Case("two signatures, the second valid", body, two),
        Case("key passed per call", body, valid, key=SECRET),
        Case("secret without whsec_ prefix", body, valid, key=SECRET.removeprefix("whsec_")),
        Case("tampered body", body[:-1] + " }", valid),
        Case("wrong key", body, signed(body, OTHER_SECRET)),
        Case("timestamp 10 minutes old", body, signed(body, age=600)),
        Case("timestamp 10 minutes ahead", body, signed(body, age=-600)),
        Case("signed for another webhook-id", body, dict(valid, **{"webhook-id": "msg_other"})),
        Case("only a v2 signature", body, dict(valid, **{"webhook-signature": "v2," + valid["webhook-signature"][3:]})),
        *(
            Case(f"missing {name}", body, without(valid, name))
            for name in ("webhook-id", "webhook-timestamp", "webhook-signature")
        ),
    ]


def outcome(unwrap: Callable[..., Any], case: Case) -> str:
    """The event's type and its fields as sent (by wire name), or the class of the error raised."""
    try:
        kwargs = {"key": case.key} if case.key is not None else {}
        event = unwrap(case.body, headers=case.headers, **kwargs)
    except Exception as exc:  # noqa: BLE001 - what each SDK raises is the result being compared
        return f"rejected ({type(exc).__name__})"
    fields = event.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return f"{type(event).__name__} {json.dumps(fields, sort_keys=True)}"


def rows(ours_dir: Path) -> list[tuple[str, str, str]]:
    import dodopayments

    ours = import_as(ours_dir / "dodo_payments", "dodo_payments_webhooks").DodoPayments(
        bearer_token="t", webhook_key=SECRET
    )
    theirs = dodopayments.DodoPayments(bearer_token="t", webhook_key=SECRET)
    spec = yaml.load(SPEC.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    return [(c.name, outcome(ours.webhooks.unwrap, c), outcome(theirs.webhooks.unwrap, c)) for c in cases(spec)]


def agree(ours: str, theirs: str) -> bool:
    """Both accept with the same event type and fields, or both reject (each with its own error class)."""
    return ours == theirs or (ours.startswith("rejected") and theirs.startswith("rejected"))


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        generate(
            SPEC, Path(tmp), "dodo_payments", "--overrides", "dodo_payments", "--webhook-scheme", "standard-webhooks"
        )
        table = rows(Path(tmp))
    print("| case | sdkforge | official SDK 1.123.0 | agree |\n| --- | --- | --- | --- |")
    for name, ours, theirs in table:
        short = [o if o.startswith("rejected") else "accepted: " + o.split(" ", 1)[0] for o in (ours, theirs)]
        print(f"| {name} | {short[0]} | {short[1]} | {'yes' if agree(ours, theirs) else 'NO'} |")
    return 0 if all(agree(o, t) for _, o, t in table) else 1


if __name__ == "__main__":
    sys.exit(main())

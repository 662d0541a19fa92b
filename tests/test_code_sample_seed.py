"""The seed spec's own Python code sample runs unchanged (but for its import line) against the generated client."""

from __future__ import annotations

import os
import subprocess
import sys

import yaml

from tests.conftest import GENERATED, SEED_SPEC
from tests.support.server import RecordingServer, server_fixture  # noqa: F401  (the `server` fixture)

OFFICIAL_IMPORT = "from dodopayments import DodoPayments"
OUR_IMPORT = "from dodo_payments import DodoPayments"
BALANCE = {
    "id": "cb_sample_1",
    "customer_id": "customer_id",
    "credit_entitlement_id": "credit_entitlement_id",
    "balance": "12.00",
    "overage": "0",
    "created_at": "2025-01-02T03:04:05Z",
    "updated_at": "2025-01-02T03:04:05Z",
    "last_transaction_at": None,
}


def python_code_sample() -> str:
    spec = yaml.safe_load(SEED_SPEC.read_text())
    [operation] = [item["get"] for item in spec["paths"].values()]
    [source] = [sample["source"] for sample in operation["x-codeSamples"] if sample["lang"] == "Python"]
    assert isinstance(source, str)
    return source


def test_the_python_code_sample_runs_against_the_generated_client(server: RecordingServer) -> None:
    source = python_code_sample()
    assert source.count(OFFICIAL_IMPORT) == 1, source
    script = source.replace(OFFICIAL_IMPORT, OUR_IMPORT)
    server.reply(json=BALANCE)
    env = {
        **os.environ,
        "PYTHONPATH": str(GENERATED),
        "DODO_PAYMENTS_BASE_URL": server.url,
        "DODO_PAYMENTS_API_KEY": "tok_sample",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "cb_sample_1"
    [request] = server.requests
    assert request.method == "GET"
    assert request.target == "/credit-entitlements/credit_entitlement_id/balances/customer_id"
    assert request.headers["authorization"] == "Bearer tok_sample"
    # The official SDK is installed too: the User-Agent proves the request came from the generated package.
    assert request.headers["user-agent"].startswith("dodo_payments/"), request.headers["user-agent"]

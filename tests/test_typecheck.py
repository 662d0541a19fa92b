"""mypy --strict and pyright on generated/ and on a typed usage file, outside the project's own settings; and
the seed package at run time on the oldest Python it supports (3.10)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import GENERATED, ROOT

BIN = Path(sys.executable).parent
# Typed usages of generated packages: each `assert_type` fails the check if an annotation degrades.
USAGES = sorted((ROOT / "tests" / "typing").glob("usage_*.py"))

# Each line marked `# wrong` must draw an error from both checkers; nothing else in the file may.
WRONG_USAGE = """\
from datetime import datetime
from typing_extensions import assert_type

from dodo_payments import APIResponse, DodoPayments
from dodo_payments.types import CustomerCreditBalanceResponse

client = DodoPayments(bearer_token="token")
client.credit_entitlements.balances.retrieve(42, credit_entitlement_id="ce_1")  # wrong
client.credit_entitlements.balances.retrieve("cus_1")  # wrong
balance = client.credit_entitlements.balances.retrieve("cus_1", credit_entitlement_id="ce_1")
assert_type(balance, dict[str, object])  # wrong
assert_type(balance.last_transaction_at, datetime)  # wrong
raw = client.credit_entitlements.balances.with_raw_response.retrieve("cus_1", credit_entitlement_id="ce_1")
assert_type(raw, CustomerCreditBalanceResponse)  # wrong
assert_type(raw, APIResponse[CustomerCreditBalanceResponse])
client.credit_entitlements.balances.delete("cus_1")  # wrong
"""


def generated_packages() -> list[Path]:
    packages = sorted(p.parent for p in GENERATED.glob("*/__init__.py"))
    assert packages, f"no packages in {GENERATED}"
    return packages


def wrong_lines() -> set[int]:
    return {number for number, line in enumerate(WRONG_USAGE.splitlines(), 1) if line.endswith("# wrong")}


def errors_by_file(diagnostics: list[tuple[str, int]], files: list[Path]) -> dict[str, list[int]]:
    """Error lines per checked file or package directory; anything else reported is kept under its own path."""
    found: dict[str, list[int]] = {}
    for path, line in diagnostics:
        owner = next((str(f) for f in files if Path(path) == f or Path(path).is_relative_to(f)), path)
        found.setdefault(owner, []).append(line)
    return found


def write_wrong_usage(tmp_path: Path) -> Path:
    wrong = tmp_path / "wrong" / "wrong_usage.py"
    wrong.parent.mkdir()
    wrong.write_text(WRONG_USAGE, encoding="utf-8")
    return wrong


def test_mypy_strict(tmp_path: Path) -> None:
    wrong = write_wrong_usage(tmp_path)
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\n", encoding="utf-8")  # ours in pyproject.toml must not apply
    targets = [*generated_packages(), *USAGES, wrong]
    # A checker that cannot see the package reports every name as missing, which the assertions below catch.
    # The cache remembers a module's errors with the path it had; a relative path keeps it the same across runs.
    result = subprocess.run(
        [
            BIN / "mypy",
            "--strict",
            # The oldest Python the packages support: a name that typing only has from 3.11 on is an error.
            "--python-version",
            "3.10",
            "--config-file",
            config,
            "--cache-dir",
            ROOT / ".mypy_cache" / "typecheck",
            "--no-error-summary",
            *targets[:-1],
            wrong.relative_to(tmp_path),
        ],
        cwd=tmp_path,
        env={**os.environ, "MYPYPATH": str(GENERATED)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    diagnostics = [
        (str(tmp_path / m["path"]), int(m["line"]))
        for m in re.finditer(r"^(?P<path>[^:\n]+):(?P<line>\d+): error:", result.stdout, re.MULTILINE)
    ]
    found = errors_by_file(diagnostics, targets)
    assert set(found) == {str(wrong)}, result.stdout
    assert set(found[str(wrong)]) == wrong_lines(), result.stdout


def test_pyright(tmp_path: Path) -> None:
    wrong = write_wrong_usage(tmp_path)
    # Only where imports come from: the checks are pyright's defaults, not the project's settings.
    (tmp_path / "pyrightconfig.json").write_text(json.dumps({"extraPaths": [str(GENERATED)]}), encoding="utf-8")
    targets = [*generated_packages(), *USAGES, wrong]
    result = subprocess.run(
        [BIN / "pyright", "--outputjson", "--pythonpath", sys.executable, "--pythonversion", "3.10", *targets],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr
    report = json.loads(result.stdout)
    python_files = sum(len(list(p.rglob("*.py"))) for p in generated_packages()) + len(USAGES) + 1
    assert report["summary"]["filesAnalyzed"] == python_files, report["summary"]
    diagnostics = [
        (d["file"], d["range"]["start"]["line"] + 1) for d in report["generalDiagnostics"] if d["severity"] == "error"
    ]
    found = errors_by_file(diagnostics, targets)
    assert set(found) == {str(wrong)}, json.dumps(report["generalDiagnostics"], indent=1)
    assert set(found[str(wrong)]) == wrong_lines(), json.dumps(report["generalDiagnostics"], indent=1)


def test_pyright_strict_mode_on_generated(tmp_path: Path) -> None:
    """Beyond the defaults: a vendoring repository may run pyright in strict mode, and our output passes that too."""
    (tmp_path / "pyrightconfig.json").write_text(json.dumps({"typeCheckingMode": "strict"}), encoding="utf-8")
    result = subprocess.run(
        [BIN / "pyright", "--outputjson", "--pythonpath", sys.executable, *generated_packages()],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(result.stdout)
    assert report["summary"]["filesAnalyzed"] == sum(len(list(p.rglob("*.py"))) for p in generated_packages())
    errors = [d for d in report["generalDiagnostics"] if d["severity"] == "error"]
    assert not errors, json.dumps(errors[:20], indent=1)


def python310() -> Path:
    candidates = [shutil.which("python3.10"), *map(str, Path.home().glob(".pyenv/versions/3.10*/bin/python3.10"))]
    for candidate in filter(None, candidates):
        # A pyenv shim exists even when 3.10 is not selected, and then fails: try each one.
        probe = subprocess.run(
            [candidate, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, check=False
        )
        if probe.returncode == 0 and probe.stdout.strip() == b"(3, 10)":
            return Path(candidate)
    pytest.skip("no Python 3.10 interpreter on this machine")


RUN_ON_310 = """\
import asyncio, json, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import dodo_payments

BODY = {
    "id": "bal_1", "customer_id": "cus_1", "credit_entitlement_id": "ce_1", "balance": "10", "overage": "0",
    "created_at": "2024-05-01T12:30:00Z", "updated_at": "2024-05-02T08:00:00Z", "last_transaction_at": None,
}
seen = []


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        seen.append([self.path, self.headers.get("Authorization")])
        data = json.dumps(BODY).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
base_url = f"http://127.0.0.1:{server.server_address[1]}"
with dodo_payments.DodoPayments(bearer_token="tok", base_url=base_url, max_retries=0) as client:
    balance = client.credit_entitlements.balances.retrieve("cus_1", credit_entitlement_id="ce_1")


async def main():
    client = dodo_payments.AsyncDodoPayments(bearer_token="tok", base_url=base_url, max_retries=0)
    result = await client.credit_entitlements.balances.retrieve("cus_1", credit_entitlement_id="ce_1")
    await client.close()
    return result


again = asyncio.run(main())
server.shutdown()

# The feature packages too: discriminated unions, recursion, TypedDicts with NotRequired (typing_extensions on
# 3.10), and every module of both.
import importlib, pkgutil
import feature_jsonschema, feature_openapi32, feature_operations, feature_schemas, feature_security
from feature_schemas.types import Cat, Zoo, ZooParam

modules = 0
for package in (feature_schemas, feature_operations, feature_openapi32, feature_jsonschema, feature_security):
    for sub in ("types", "resources"):
        base = importlib.import_module(f"{package.__name__}.{sub}")
        for info in pkgutil.walk_packages(base.__path__, base.__name__ + "."):
            importlib.import_module(info.name)
            modules += 1
zoo = Zoo.model_validate({
    "name": "z", "keeper": {"id": "9b2f6a52-6f1c-4c55-a64f-2f0f8cb7e1f1"},
    "animals": [{"kind": "kitten", "name": "k"}], "tree": {"value": "a", "children": [{"value": "b"}]},
})
print(json.dumps({
    "features": [type(zoo.animals[0]) is Cat, zoo.tree.children[0].value, modules > 30, "password" in ZooParam.__annotations__],
    "python": list(sys.version_info[:2]),
    "seen": seen,
    "type": type(balance).__name__,
    "created_at": balance.created_at.isoformat(),
    "last_transaction_at": balance.last_transaction_at,
    "same": again == balance,
}))
"""


@pytest.mark.xdist_group("python310")
def test_generated_packages_run_on_python_310(tmp_path: Path) -> None:
    interpreter = python310()
    venv = tmp_path / "venv"
    subprocess.run([interpreter, "-m", "venv", "--without-pip", venv], check=True)
    python = venv / "bin" / "python"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--quiet", "--python", python, "install", "httpx", "pydantic>=2.7"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, install.stderr
    for package in (
        "dodo_payments",
        "feature_schemas",
        "feature_operations",
        "feature_openapi32",
        "feature_jsonschema",
        "feature_security",
    ):
        shutil.copytree(GENERATED / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    result = subprocess.run(
        [python, "-c", RUN_ON_310],
        cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if not k.startswith("DODO_PAYMENTS_")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report == {
        "features": [True, "b", True, True],
        "python": [3, 10],
        "seen": [["/credit-entitlements/ce_1/balances/cus_1", "Bearer tok"]] * 2,
        "type": "CustomerCreditBalanceResponse",
        "created_at": "2024-05-01T12:30:00+00:00",
        "last_transaction_at": None,
        "same": True,
    }

"""The generated `testing` module, used as an SDK user would: the user test files in tests/testing_usage/ run
under pytest against the seed package and Dodo 1.53.2, and type-check under mypy --strict (where misuse is an
error); and the route table sends each request to the right method."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import GENERATED, ROOT, generate, shared_specs
from tests.support import corpus

BIN = Path(sys.executable).parent
USAGE = ROOT / "tests" / "testing_usage"

# Each line marked `# wrong` must draw a mypy --strict error; nothing else may.
WRONG_SEED = """\
from dodo_payments import NotFoundError, testing
from dodo_payments.types import CustomerCreditBalanceResponse

fake = testing.Fake()
fake.credit_entitlements.balances.retreive.returns(testing.build(CustomerCreditBalanceResponse))  # wrong
fake.credit_entitlements.balances.retrieve.returns({"balance": "1"})  # wrong
fake.credit_entitlements.balances.retrieve.returns_pages([])  # wrong
fake.credit_entitlements.balances.retrieve.raises(ValueError)  # wrong
fake.credit_entitlements.balances.retrieve.raises(NotFoundError)
balance: int = testing.build(CustomerCreditBalanceResponse)  # wrong
fake.credit_entitlements.balances.retrieve.calls[0].path.decode()  # wrong
"""
WRONG_DODO = """\
from dodo_payments import testing
from dodo_payments.types import CustomerResponse, GetPaymentsListResponseItem, PaymentResponse

fake = testing.Fake()
fake.payments.retrieve.returns(testing.build(CustomerResponse))  # wrong
fake.payments.list.returns_pages([[testing.build(PaymentResponse)]])  # wrong
fake.payments.list.returns_pages([[testing.build(GetPaymentsListResponseItem)]])
fake.payment.retrieve.returns(testing.build(PaymentResponse))  # wrong
"""


@pytest.fixture(scope="module")
def dodo_1_53_2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The directory holding Dodo 1.53.2's package, generated with the committed override table."""
    spec = shared_specs() / "dodopayments" / "dodo-1.53.2.yaml"
    if not spec.exists():
        pytest.skip(f"{spec} is absent")
    return corpus.dodo(tmp_path_factory, spec).parent


def run_user_tests(usage: Path, package_root: Path, tmp_path: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", str(usage)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(package_root)},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def mypy_errors(package_root: Path, files: list[Path], tmp_path: Path) -> dict[str, set[int]]:
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\n", encoding="utf-8")  # ours in pyproject.toml must not apply
    result = subprocess.run(
        [BIN / "mypy", "--strict", "--config-file", config, "--no-error-summary", "--cache-dir", tmp_path / "cache"]
        + [str(f) for f in files],
        cwd=tmp_path,
        env={**os.environ, "MYPYPATH": str(package_root)},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr
    found: dict[str, set[int]] = {}
    for match in re.finditer(r"^(?P<path>[^:\n]+):(?P<line>\d+): error:", result.stdout, re.MULTILINE):
        found.setdefault(Path(match["path"]).name, set()).add(int(match["line"]))
    return found


def wrong_lines(source: str) -> set[int]:
    return {number for number, line in enumerate(source.splitlines(), 1) if line.endswith("# wrong")}


def test_user_tests_of_the_seed_package_pass(tmp_path: Path) -> None:
    assert "7 passed" in run_user_tests(USAGE / "seed_usage.py", GENERATED, tmp_path)


def test_user_tests_of_dodo_1_53_2_pass(dodo_1_53_2: Path, tmp_path: Path) -> None:
    assert "8 passed" in run_user_tests(USAGE / "dodo_usage.py", dodo_1_53_2, tmp_path)


@pytest.mark.parametrize(("usage", "wrong"), [("seed_usage.py", WRONG_SEED), ("dodo_usage.py", WRONG_DODO)])
def test_user_tests_type_check_and_misuse_does_not(
    usage: str, wrong: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    root = GENERATED if usage == "seed_usage.py" else request.getfixturevalue("dodo_1_53_2")
    wrong_file = tmp_path / "wrong_usage.py"
    wrong_file.write_text(wrong, encoding="utf-8")
    found = mypy_errors(root, [USAGE / usage, wrong_file], tmp_path)
    assert found == {"wrong_usage.py": wrong_lines(wrong)}, found


ROUTES_SPEC = """\
openapi: 3.0.3
info: {title: Routes, version: "1"}
servers: [{url: "https://api.example.com"}]
paths:
  /things/{thing_id}:
    get:
      responses: {"200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}}}
  /things/search:
    get:
      responses: {"200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}}}
components:
  schemas:
    Thing:
      type: object
      required: [id, kind]
      properties: {id: {type: string, example: thing_1}, kind: {type: string, enum: [a, b]}, count: {type: integer, default: 3}}
    Odd:
      type: object
      required: [id, size]
      properties: {id: {type: string, example: odd_1}, size: {type: integer, example: large}}
"""


def test_a_static_path_wins_over_a_parameter_and_build_uses_examples_and_defaults(tmp_path: Path) -> None:
    (tmp_path / "routes.yaml").write_text(ROUTES_SPEC, encoding="utf-8")
    generate(tmp_path / "routes.yaml", tmp_path / "out", "routes_sdk")
    script = """\
from routes_sdk import testing
from routes_sdk.types import Thing

fake = testing.Fake()
fake.things.retrieve.returns(testing.build(Thing, id="by id"))
fake.things.retrieve_search.returns(testing.build(Thing, id="searched"))
client = fake.client()
assert client.things.retrieve_search().id == "searched"
assert client.things.retrieve("a/b").id == "by id"  # sent as a%2Fb: one path segment
assert fake.things.retrieve.calls[0].path_params == {"thing_id": "a/b"}, fake.things.retrieve.calls
built = testing.build(Thing)
assert (built.id, built.kind, built.count) == ("thing_1", "a", 3), built
from routes_sdk.types import Odd
odd = testing.build(Odd)  # the spec's example for `size` is no integer: minimal values instead
assert (odd.id, odd.size) == ("string", 0), odd
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "PYTHONPATH": str(tmp_path / "out")},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_a_resource_named_like_a_member_of_the_fake_is_declared_with_an_underscore(tmp_path: Path) -> None:
    spec = ROUTES_SPEC.replace("/things/", "/client/")
    (tmp_path / "clash.yaml").write_text(spec, encoding="utf-8")
    generate(tmp_path / "clash.yaml", tmp_path / "out", "clash")
    script = """\
from clash import testing
from clash.types import Thing

fake = testing.Fake()
fake.client_.retrieve.returns(testing.build(Thing, id="mine"))
assert fake.client().client.retrieve("t1").id == "mine"
assert fake.client_.retrieve.calls[0].path == "/client/t1"
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "PYTHONPATH": str(tmp_path / "out")},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("usage", ["seed_usage.py", "dodo_usage.py"])
def test_user_tests_pass_pyright_strict(usage: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    root = GENERATED if usage == "seed_usage.py" else request.getfixturevalue("dodo_1_53_2")
    config = {"typeCheckingMode": "strict", "extraPaths": [str(root)]}
    (tmp_path / "pyrightconfig.json").write_text(json.dumps(config), encoding="utf-8")
    result = subprocess.run(
        [BIN / "pyright", "--outputjson", "--pythonpath", sys.executable, USAGE / usage],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    report = json.loads(result.stdout)
    assert report["summary"]["filesAnalyzed"] == 1, report["summary"]
    errors = [d for d in report["generalDiagnostics"] if d["severity"] == "error"]
    assert not errors, json.dumps(errors, indent=1)

"""Every operation's Python code sample, in each of the 15 Dodo Payments spec versions, runs against the client
generated from that spec, with a Prism mock of the same spec as the server (which validates every request).

The samples are the official SDK's call shapes; only their import line is pointed at our package. The official SDK
runs the same samples against the same mock in the same test, and we must pass at least as many.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support import corpus
from tests.support.prism import SHARED_SPECS, PrismMock, require_prism, require_shared_specs
from tests.support.samples import Verdict, describe, load_operations, our_source, run_samples, wire
from tests.support.server import RecordingServer, server_fixture  # noqa: F401  (the `server` fixture)

PACKAGE = "dodo_payments"
DODO_SPECS = SHARED_SPECS / "dodopayments"
VERSIONS = sorted(path.stem.removeprefix("dodo-") for path in DODO_SPECS.glob("dodo-*.yaml"))

# The only failures Prism alone causes: these operations' success response is a PDF (`application/pdf`), and
# Prism 5.16 has no serializer for it when the schema is not a plain binary string, so it answers 500
# "Cannot find serializer for application/pdf" to any request, valid or not. The verdict also checks that the
# request reached that operation and that Prism found nothing wrong with it.
PRISM_CANNOT_SERVE = {
    "GET /invoices/payments/{payment_id}": "PDF invoice",
    "GET /invoices/refunds/{refund_id}": "PDF credit note",
}
PDF = b"%PDF-1.4 sdkforge sample"


def versions() -> list[object]:
    """One case per spec version; both tests of a version run on the same worker, which generates its client once."""
    if not VERSIONS:
        return ["(corpus absent)"]
    return [pytest.param(version, marks=pytest.mark.xdist_group(f"dodo-{version}")) for version in VERSIONS]


@pytest.fixture(scope="session")
def dodo_sdk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[Path], Path]]:
    """`dodo_sdk(spec)`: the package generated from `spec` with the dodo_payments override table, once a session."""
    yield lambda spec: corpus.dodo(tmp_path_factory, spec)


@pytest.mark.parametrize("version", versions())
def test_every_python_code_sample_runs_against_the_generated_client(
    version: str, dodo_sdk: Callable[[Path], Path], tmp_path: Path
) -> None:
    spec = require_shared_specs("dodopayments", f"dodo-{version}.yaml")
    require_prism()
    operations = [operation for operation in load_operations(spec) if operation.samples]
    package_dir = dodo_sdk(spec)
    # One mock per version, stopped at once: each holds ~160 MB, and no other test uses these specs.
    with PrismMock(spec, tmp_path) as prism:
        run = run_samples(operations, package_dir, prism.url, tmp_path)

    assert len(run.samples) == sum(len(operation.samples) for operation in operations) > 50
    # The rewritten samples imported the freshly generated package, the others the official SDK, and neither the other.
    assert run.ours.modules == {PACKAGE: str(package_dir / "__init__.py")}, run.ours.modules
    assert set(run.official.modules) == {"dodopayments"}, run.official.modules

    unexpected = [
        f"[{sample.ours_verdict.value}] {describe(sample.ours, our_source(sample.source, PACKAGE))}"
        for sample in run.samples
        if sample.ours_verdict is not Verdict.PASS
        and not (sample.ours_verdict is Verdict.PRISM_CANNOT_SERVE and sample.operation.key in PRISM_CANNOT_SERVE)
    ]
    assert not unexpected, "\n\n".join([*unexpected, f"Prism's warnings and errors:\n{prism.problems()}"])

    ours, official = run.passes("ours"), run.passes("official")
    official_only = [
        s.operation.key
        for s in run.samples
        if s.official_verdict is Verdict.PASS and s.ours_verdict is not Verdict.PASS
    ]
    assert ours >= official, f"the official SDK passes {official}, we pass {ours}; only it passes {official_only}"
    # Where both pass, the official SDK is an oracle for the wire request too, beyond what Prism validates.
    different = [
        f"{s.operation.key}:\n  ours:     {wire(s.ours.exchanges[-1])}\n  official: {wire(s.official.exchanges[-1])}"
        for s in run.samples
        if s.ours_verdict is s.official_verdict is Verdict.PASS
        and wire(s.ours.exchanges[-1]) != wire(s.official.exchanges[-1])
    ]
    assert not different, "\n".join(different)


@pytest.mark.parametrize("version", versions())
def test_the_pdf_samples_run_against_a_server_that_serves_a_pdf(
    version: str, dodo_sdk: Callable[[Path], Path], server: RecordingServer, tmp_path: Path
) -> None:
    """What the Prism test has to let pass: the samples whose success response Prism cannot produce, run against a
    server that answers with a PDF, for both SDKs."""
    spec = require_shared_specs("dodopayments", f"dodo-{version}.yaml")
    operations = [operation for operation in load_operations(spec) if operation.samples and not operation.json_success]
    # The allowed Prism failures above are exactly the operations that do not answer JSON.
    assert {operation.key for operation in operations} <= set(PRISM_CANNOT_SERVE)
    assert operations, "every version has a PDF invoice"
    server.reply(body=PDF, headers={"Content-Type": "application/pdf"}, times=None)
    run = run_samples(operations, dodo_sdk(spec), server.url, tmp_path)

    assert run.passes("official") == len(run.samples), [s.official.error for s in run.samples]
    unexpected = [
        describe(sample.ours, our_source(sample.source, PACKAGE))
        for sample in run.samples
        if sample.ours_verdict is not Verdict.PASS
    ]
    assert not unexpected, "\n\n".join(unexpected)
    for sample in run.samples:
        assert PDF.decode() in sample.ours.output, sample.ours.output  # the sample printed the PDF's bytes

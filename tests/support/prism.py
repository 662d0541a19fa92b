"""A Prism mock server (stoplight/prism-cli) for one spec, on 127.0.0.1 and a port the OS picks.

Prism validates each request against the spec and answers from the spec's schemas and examples, so a client that
builds a wrong request gets a 4xx with a problem body and an `sl-violations` header naming the rule it broke.

    with PrismMock(spec, log_dir) as prism:
        ... requests to prism.url ...
        prism.log_tail()  # what Prism said, for failure messages
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRISM = ROOT / ".prism" / "node_modules" / ".bin" / "prism"
SHARED_SPECS = ROOT.parent / "shared" / "specs"
# Generous: on a loaded 2-core machine Prism needs a few seconds to parse a large spec.
START_TIMEOUT = 120.0

_LISTENING = re.compile(r"Prism is listening on (http://127\.0\.0\.1:\d+)")


def prism_required() -> bool:
    """`make test` (and CI) set this, so a broken setup fails instead of silently skipping the conformance tests."""
    return os.environ.get("SDKFORGE_REQUIRE_PRISM") == "1" or bool(os.environ.get("CI"))


def unavailable(reason: str) -> None:
    """Skip the test, or fail it when Prism and the corpus are required."""
    if prism_required():
        pytest.fail(f"{reason} (SDKFORGE_REQUIRE_PRISM=1 or CI is set, so this is an error, not a skip)")
    pytest.skip(reason)


def require_prism() -> Path:
    if not PRISM.exists():
        unavailable(f"Prism is not installed at {PRISM}: run `make .prism/node_modules/.bin/prism` in {ROOT}")
    return PRISM


def require_shared_specs(*parts: str) -> Path:
    path = SHARED_SPECS.joinpath(*parts)
    if not path.exists():
        unavailable(f"the shared spec corpus is not at {path}")
    return path


class PrismError(RuntimeError):
    pass


class PrismMock:
    """One `prism mock` process; `start` returns once it answers HTTP."""

    def __init__(self, spec: Path, log_dir: Path, *, prism: Path = PRISM) -> None:
        self.spec = spec
        self.log_dir = log_dir
        self.log_path = log_dir / "prism.log"  # the real name is picked in `start`
        self._prism = prism
        self._process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        # A fresh file per mock: several mocks may share a log directory.
        with tempfile.NamedTemporaryFile(
            dir=self.log_dir, prefix=f"prism-{self.spec.stem}-", suffix=".log", delete=False
        ) as log:
            self.log_path = Path(log.name)
            # Port 0: Prism binds a free port and prints it, so parallel workers never race for a port.
            # Its own session, so stopping it takes down anything node started under it and nothing else.
            self._process = subprocess.Popen(
                [str(self._prism), "mock", str(self.spec), "-h", "127.0.0.1", "-p", "0"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.log_dir,
                start_new_session=True,
            )
        try:
            self.url = self._wait_until_listening()
            self._wait_until_answering()
        except BaseException:
            self.stop()
            raise

    def _wait_until_listening(self) -> str:
        assert self._process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if found := _LISTENING.search(self.log()):
                return found.group(1)
            if self._process.poll() is not None:
                raise PrismError(f"Prism exited with {self._process.returncode} for {self.spec}:\n{self.log_tail()}")
            time.sleep(0.1)
        raise PrismError(f"Prism did not start within {START_TIMEOUT:.0f} s for {self.spec}:\n{self.log_tail()}")

    def _wait_until_answering(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                # Any HTTP answer will do (an unknown path gives 404): the server is up.
                urllib.request.urlopen(f"{self.url}/", timeout=10).close()
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise PrismError(f"Prism at {self.url} does not answer:\n{self.log_tail()}") from None
                time.sleep(0.1)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def problems(self, limit: int = 60) -> str:
        """Prism's warnings and errors (request violations, responses it could not produce)."""
        lines = [
            line
            for line in self.log().splitlines()
            if ("✖" in line or "⚠" in line) and "get / ✖" not in line  # not the readiness probe of `start`
        ]
        return "\n".join(lines[:limit])

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        except ProcessLookupError:
            process.wait()  # it exited on its own in the meantime

    def __enter__(self) -> PrismMock:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, exc_tb: TracebackType | None
    ) -> None:
        self.stop()

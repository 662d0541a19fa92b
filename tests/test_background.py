"""generator.background: a computation in a forked child, and the cases where it must stay in this process.

Each case runs in a fresh interpreter: a pytest worker may have threads of its own, which (rightly) keep
Background from forking."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="Background forks on Linux only")


def run(code: str) -> str:
    prelude = "import os, threading, time\nfrom generator.background import Background\n"
    done = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_result_is_computed_in_a_child_and_returned_whole() -> None:
    out = run(
        """
        parent = os.getpid()
        with Background(lambda: (os.getpid(), {"k": ["v" * 100_000] * 20})) as work:
            pid, data = work.result()
        print(pid != parent, data == {"k": ["v" * 100_000] * 20})
        """
    )
    assert out == "True True"


def test_a_child_that_fails_is_redone_here_so_a_bug_raises_with_its_traceback() -> None:
    out = run(
        """
        parent = os.getpid()
        with Background(lambda: 1 // (os.getpid() == parent)) as work:
            print(work.result())
        try:
            with Background(lambda: 1 // 0) as work:
                work.result()
        except ZeroDivisionError:
            print("raised here")
        """
    )
    assert out.splitlines() == ["1", "raised here"]


def test_leaving_early_stops_and_reaps_the_child() -> None:
    out = run(
        """
        try:
            with Background(lambda: time.sleep(600)) as work:
                child = work._child
                raise KeyError("render failed")
        except KeyError:
            pass
        try:
            os.waitpid(child, os.WNOHANG)
        except ChildProcessError:
            print("reaped", child > 0)
        """
    )
    assert out == "reaped True"


def test_with_other_threads_running_it_computes_in_this_process() -> None:
    out = run(
        """
        stop = threading.Event()
        thread = threading.Thread(target=stop.wait)
        thread.start()
        with Background(os.getpid) as work:
            print(work.result() == os.getpid())
        stop.set()
        thread.join()
        """
    )
    assert out == "True"

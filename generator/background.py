"""A computation run in a forked child while the caller goes on: most of a build is one Python thread, and the
second core of a small machine would otherwise idle while the first renders (GitHub's manifest: 0.4 s)."""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Background(Generic[T]):
    """`function()` in a child from entering the `with`; `result()` waits for it. Computed in this process
    instead, at `result()`, where forking is unsafe (not Linux; or other threads running, whose locks the
    child would inherit held), or when the child fails, so that a bug raises here with its traceback."""

    def __init__(self, function: Callable[[], T]) -> None:
        self.function = function
        self._child = 0
        self._source: int | None = None

    def __enter__(self) -> Background[T]:
        if sys.platform != "linux" or threading.active_count() > 1:
            return self
        source, sink = os.pipe()
        self._child = os.fork()
        if self._child == 0:
            status = 1
            try:
                os.close(source)
                with open(sink, "wb") as out:
                    pickle.dump(self.function(), out, protocol=pickle.HIGHEST_PROTOCOL)
                status = 0
            finally:
                os._exit(status)  # never back into the caller's code, nor its exit handlers
        os.close(sink)
        self._source = source
        return self

    def result(self) -> T:
        if self._source is None:
            return self.function()
        with open(self._source, "rb") as source:
            self._source = None
            data = source.read()
        _, status = os.waitpid(self._child, 0)
        self._child = 0
        return pickle.loads(data) if status == 0 else self.function()

    def __exit__(self, *_: object) -> None:
        if self._source is not None:  # left early: the child may be blocked writing to a pipe nobody reads
            os.close(self._source)
            self._source = None
        if self._child:
            os.kill(self._child, signal.SIGKILL)
            os.waitpid(self._child, 0)
            self._child = 0

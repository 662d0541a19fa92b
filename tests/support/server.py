"""A recording HTTP server on 127.0.0.1 for behaviour tests of generated clients.

It records every request exactly as it arrived (method, raw target, headers, body, arrival time) and answers from
a queue of replies the test programs, so a test can assert what went over the wire and provoke errors, retries
(by status or by dropping the connection) and timeouts (by delaying the answer).

    with RecordingServer() as server:            # or the `server` fixture
        server.reply(json={"id": "x"})
        server.reply(503, headers={"Retry-After": "0"}, times=None)  # every further request
        ...
        assert server.requests[0].path == "/things/x"
"""

from __future__ import annotations

import json as _json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from types import TracebackType

import pytest

__all__ = ["RecordedRequest", "RecordingServer", "Reply", "server_fixture"]

_NO_JSON = object()


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    target: str
    """The request target as sent: path and query, still percent-encoded."""
    headers: Mapping[str, str]
    """Lower-cased names; repeated headers joined with ", "."""
    body: bytes
    arrived: float
    """time.monotonic() when the request had been read."""

    @property
    def path(self) -> str:
        return self.target.partition("?")[0]

    @property
    def query(self) -> str:
        return self.target.partition("?")[2]


@dataclass(frozen=True)
class Reply:
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0
    """Seconds to wait before answering, to provoke client timeouts."""
    drop: bool = False
    """Close the connection without answering, to provoke connection errors."""
    chunks: tuple[bytes | threading.Event, ...] = ()
    """A streamed body instead of `body`: each bytes sent as one chunk (Transfer-Encoding: chunked) as soon as it is
    its turn; an Event is waited for (at most 10 s) first, so a test decides when the next part goes out."""
    cut: bool = False
    """End a streamed body by closing the connection, without the last chunk: the stream is cut mid-body."""


# What an unexpected request gets: a status no client retries, so the test fails fast and visibly.
_UNEXPECTED = Reply(418, {"Content-Type": "text/plain"}, b"no reply was queued for this request")


class RecordingServer:
    def __init__(self, respond: Callable[[RecordedRequest], Reply] | None = None) -> None:
        self.respond = respond
        """When set, answers every request (computed from it) instead of the queue."""
        self.requests: list[RecordedRequest] = []
        self._replies: deque[Reply] = deque()
        self._fallback = _UNEXPECTED
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        self.write_failed = threading.Event()
        """Set when the client had closed the connection before a streamed chunk could be sent."""
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.recorder = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def reply(
        self,
        status: int = 200,
        *,
        json: object = _NO_JSON,
        body: bytes | str = b"",
        headers: Mapping[str, str] | None = None,
        delay: float = 0.0,
        drop: bool = False,
        chunks: tuple[bytes | threading.Event, ...] = (),
        cut: bool = False,
        times: int | None = 1,
    ) -> None:
        """Queue the answer to the next `times` requests; `times=None` answers every request after the queue."""
        all_headers = dict(headers or {})
        if json is not _NO_JSON:
            body = _json.dumps(json)
            all_headers.setdefault("Content-Type", "application/json")
        data = body.encode() if isinstance(body, str) else body
        answer = Reply(status, all_headers, data, delay, drop, chunks, cut)
        with self._changed:
            if times is None:
                self._fallback = answer
            else:
                self._replies.extend([answer] * times)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[RecordedRequest]:
        """The requests, once at least `count` have arrived (a client may give up before the server records)."""
        with self._changed:
            self._changed.wait_for(lambda: len(self.requests) >= count, timeout)
            return list(self.requests)

    def gaps(self) -> list[float]:
        """Seconds between the arrivals of consecutive requests."""
        return [later.arrived - earlier.arrived for earlier, later in pairwise(self.requests)]

    def _record(self, request: RecordedRequest) -> Reply:
        with self._changed:
            self.requests.append(request)
            self._changed.notify_all()
            if self.respond is not None:
                return self.respond(request)
            return self._replies.popleft() if self._replies else self._fallback

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def __enter__(self) -> RecordingServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, exc_tb: TracebackType | None
    ) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _handle(self) -> None:
        recorder: RecordingServer = self.server.recorder  # type: ignore[attr-defined]
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        body = self._read_body(headers)
        reply = recorder._record(RecordedRequest(self.command, self.path, headers, body, time.monotonic()))
        # One request per connection: no keep-alive state to leak between tests or attempts.
        self.close_connection = True
        if reply.delay and recorder._stopping.wait(reply.delay):
            return
        if reply.drop:
            return
        if reply.chunks:
            self._stream(recorder, reply)
            return
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(reply.body)
        except OSError:
            pass  # the client gave up (timed out) before the answer

    def _stream(self, recorder: RecordingServer, reply: Reply) -> None:
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.flush()
            for part in reply.chunks:
                if isinstance(part, threading.Event):
                    if not part.wait(10.0):
                        return  # the test never let it go on: cut here, and the test fails on the cut stream
                    continue
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                self.wfile.flush()
            if not reply.cut:
                self.wfile.write(b"0\r\n\r\n")
        except OSError:
            recorder.write_failed.set()

    def _read_body(self, headers: Mapping[str, str]) -> bytes:
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while size := int(self.rfile.readline().split(b";")[0], 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(chunks)
        return self.rfile.read(int(headers.get("content-length", "0")))

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

    def __getattr__(self, name: str) -> Callable[[], None]:
        # Any other method (QUERY, TRACE, COPY, LINK, ...) is recorded and answered the same way.
        if name.startswith("do_"):
            return self._handle
        raise AttributeError(name)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(name="server")
def server_fixture() -> Iterator[RecordingServer]:
    with RecordingServer() as server:
        yield server

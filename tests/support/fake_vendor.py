"""A fake vendor: a real HTTP server on loopback that records what it receives and can be told how to answer.

    vendor = FakeVendor().start()
    vendor.respond_with(429, headers={"Retry-After": "2"}, times=1)   # the next request gets a 429
    vendor.delay_s = 0.5                                              # every answer waits half a second
    vendor.stop(); vendor.start()                                     # down, then back on the same port
    vendor.wait_for_events(10)                                        # Segment batches, flattened
"""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.support.waiting import WAIT_TIMEOUT_S, wait_until

GATE_TIMEOUT_S = 60.0  # a gate a test forgot to open holds no request longer than this


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes  # decompressed
    status: int  # what the fake vendor answered
    at: float = field(default_factory=time.monotonic)  # when it answered (after `delay_s`)
    # Which requests were in flight at once, from one counter of the fake vendor's events rather than from clocks: a
    # request's arrival may be noted late on a loaded machine, but its answer is noted before it is written, so two
    # requests the sender sent one after the other never look as if they overlapped.
    number: int = 0  # 1 for the first request to arrive, 2 for the next, ...
    arrived: int = 0  # the event counter when it arrived
    answered: int = 0  # the event counter when its answer was decided (before it was written)

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Answer:
    status: int = 200
    body: bytes = b'{"success":true}'
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})


def running_vendor() -> Iterator[FakeVendor]:
    """A started fake vendor for a fixture to yield from; stopped when the fixture ends."""
    fake = FakeVendor().start()
    yield fake
    fake.stop()


class FakeVendor:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.default = Answer()
        self.delay_s = 0.0
        # While set and not yet opened, every request waits here before it is answered (at most GATE_TIMEOUT_S):
        # requests held in flight for as long as a test needs, however fast or slow the machine is.
        self.gate: threading.Event | None = None
        # Decide the answer from what was sent: return an Answer to override the default, or None.
        self.rule: Callable[[Recorded], Answer | None] | None = None
        self._scripted: deque[Answer] = deque()
        self._lock = threading.Lock()
        self._arrival = threading.Condition(self._lock)
        self._arrivals = 0
        self._events = 0
        self._server: ThreadingHTTPServer | None = None
        self._connections: set[socket.socket] = set()  # open now, each served by its handler thread
        self._thread: threading.Thread | None = None
        # While stopped: the port, bound and not listening (a connection to it is refused), so that start() gets it
        # back. Released, another process could take it meanwhile (on this machine, other engineers' tests make
        # connections from ephemeral ports all the time) and start() would fail with "address in use".
        self._reserved: socket.socket | None = None
        self.port = 0

    # -- lifecycle ---------------------------------------------------------------------------------------------------

    def start(self) -> FakeVendor:
        vendor = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # The stdlib writes the headers and the body in two sends: with Nagle on, the body waited for the
            # client's delayed ACK (~40 ms on loopback, and twice the gateway's CPU per POST in bench/load.py).
            disable_nagle_algorithm = True

            def do_POST(self) -> None:  # the stdlib's name
                vendor._handle(self)

            do_GET = do_POST
            do_DELETE = do_POST

            def setup(self) -> None:  # the stdlib's name
                super().setup()
                with vendor._lock:
                    vendor._connections.add(self.connection)

            def finish(self) -> None:  # the stdlib's name
                with vendor._lock:
                    vendor._connections.discard(self.connection)
                super().finish()

            def log_message(self, *args: Any) -> None:
                pass

        if self._reserved is None:
            server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        else:  # listen on the port kept while stopped
            server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler, bind_and_activate=False)
            server.socket.close()
            server.socket, self._reserved = self._reserved, None
            server.server_address = server.socket.getsockname()
            server.server_name, server.server_port = server.server_address
            server.server_activate()
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening: connections are refused until start() again on the same port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
            reserved = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            reserved.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server's, beside its TIME_WAITs
            reserved.bind(("127.0.0.1", self.port))
            self._reserved = reserved
            weakref.finalize(self, reserved.close)  # a vendor stopped for good keeps it until it is gone
        # A vendor that is down answers nothing, on the connections a sender kept open either: the server's handler
        # threads would otherwise go on serving them.
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- behaviour -----------------------------------------------------------------------------------------------------

    def respond_with(
        self, status: int, body: bytes = b"{}", headers: dict[str, str] | None = None, times: int = 1
    ) -> None:
        """Answer the next `times` requests with `status` (then go back to the default answer)."""
        answer = Answer(status, body, {"Content-Type": "application/json", **(headers or {})})
        with self._lock:
            self._scripted.extend([answer] * times)

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        if len(body) < length:
            # The sender went away mid-body (killed, or it timed out): a vendor accepts no part of a request.
            handler.close_connection = True
            return
        if handler.headers.get("Content-Encoding", "").lower() == "gzip":
            body = gzip.decompress(body)
        split = urlsplit(handler.path)
        with self._lock:
            self._arrivals += 1
            self._events += 1
            number, arrived = self._arrivals, self._events
            self._arrival.notify_all()
        if self.delay_s:
            time.sleep(self.delay_s)
        if self.gate is not None:
            self.gate.wait(GATE_TIMEOUT_S)
        recorded = Recorded(
            handler.command,
            split.path,
            dict(parse_qsl(split.query)),
            {k.lower(): v for k, v in handler.headers.items()},
            body,
            status=0,
            number=number,
            arrived=arrived,
        )
        with self._lock:
            answer = self.rule and self.rule(recorded)
            if not answer:
                answer = self._scripted.popleft() if self._scripted else self.default
            recorded.status = answer.status
            self._events += 1
            recorded.answered = self._events
            self.requests.append(recorded)
        handler.send_response(answer.status)
        for name, value in answer.headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(answer.body)))
        handler.end_headers()
        handler.wfile.write(answer.body)

    # -- what was received ---------------------------------------------------------------------------------------------

    def received(self) -> list[Recorded]:
        with self._lock:
            return list(self.requests)

    def accepted(self) -> list[Recorded]:
        """The requests the fake vendor answered with 2xx: what counts as delivered."""
        return [r for r in self.received() if 200 <= r.status < 300]

    def segment_events(self) -> list[dict[str, Any]]:
        """Every event in every accepted Segment batch, in order of arrival."""
        return [event for request in self.accepted() for event in request.json().get("batch", [])]

    def message_ids(self) -> set[str]:
        return {event["messageId"] for event in self.segment_events()}

    def wait_for_message_ids(self, ids: set[str], timeout: float = WAIT_TIMEOUT_S) -> set[str]:
        wait_until(lambda: ids <= self.message_ids(), timeout, what=f"{len(ids)} message ids at the fake vendor")
        return self.message_ids()

    def arrivals(self) -> int:
        """Requests that have arrived so far, answered or not."""
        with self._lock:
            return self._arrivals

    def hold_until_arrived(self, n: int, timeout: float = WAIT_TIMEOUT_S) -> None:
        """For a `rule`: answer only once `n` requests have arrived in all (or after `timeout`), so that requests
        sent at once are at the vendor at once however loaded the machine is."""
        self._arrival.wait_for(lambda: self._arrivals >= n, timeout)  # the rule runs holding the lock

    def most_in_flight(self, requests: list[Recorded] | None = None) -> int:
        """The most of `requests` (all by default) that were being answered at the same moment."""
        edges = sorted(edge for r in (requests if requests is not None else self.received())
                       for edge in ((r.arrived, 1), (r.answered, -1)))
        most = current = 0
        for _, step in edges:
            current += step
            most = max(most, current)
        return most

    def wait_for_requests(self, n: int, timeout: float = WAIT_TIMEOUT_S) -> list[Recorded]:
        wait_until(lambda: len(self.received()) >= n, timeout, what=f"{n} requests at the fake vendor")
        return self.received()

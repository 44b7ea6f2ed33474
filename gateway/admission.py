"""Admission control: refuse ingest work early, with 503 and Retry-After, when the gateway is already behind.

An ingest request's work (decode, consent, PII scrubbing) runs on the event loop. Under more load than the process
can take, requests used to pile up: every connection's request was read and started, their work interleaved on the
loop, and each answer came only after the whole pile was worked through (at 4x the saturating load, every client
waited ~10 s and none was refused, because each request had waited only milliseconds *before it started*). Two
signals are checked here, against one bound, `[http] max_queue_wait_s`:

- the request's own wait: the connection protocol (gateway.http_server) stamps each request when it is ready to be
  worked on without waiting for its client (its head complete, then its body); a request that has waited for the loop
  longer than the bound since its last stamp is refused;
- the backlog ahead of it (`Backlog`): the requests admitted and not yet answered, each since its stamp. When the
  oldest of them has been waiting for its answer longer than the bound, the gateway is not keeping up, and a new
  request would only lengthen the pile: it is refused at once. This is what sees work the stamps alone cannot: many
  requests started and unanswered (CoDel's idea, the sojourn time of the queue's head, without its adaptive interval).

A refusal costs next to nothing, so under overload the loop stays free to read sockets and answer, the pile stays
within about the bound plus one request's work, and the excess gets 503 with Retry-After in its vendor's shape, having
stored nothing. A slow client is not refused for its own slowness, nor does it hold others back: a request enters the
backlog only once its body is in. What is acknowledged is committed as before.

A request whose body is still arriving when it starts is checked at its head too (`check_ahead`): when the backlog
ahead of it already refuses it, it is answered at once and its connection closed, its body never read.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator, MutableMapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import Response

from gateway.metrics import Metrics
from gateway.protocols.codec import ProtocolError
from policies.policy import Http

# Where the connection protocol puts, in the ASGI scope, the time (time.perf_counter()) since which the request has
# been ready to be worked on: its head complete, then its body; and whether its body is complete.
READY_SINCE = "gateway.ready_since"
BODY_IN = "gateway.body_in"


def stamp(scope: MutableMapping[str, Any], body_in: bool = False) -> None:
    """Record that the request in `scope` is ready to be worked on from now (`body_in`: its body is complete)."""
    scope[READY_SINCE] = time.perf_counter()
    scope[BODY_IN] = body_in


def waited_s(scope: MutableMapping[str, Any]) -> float:
    """Seconds the request has been ready and waiting for the loop; 0 when it was not stamped (an app called without
    the gateway's connection protocol, as in the in-process tests)."""
    since = scope.get(READY_SINCE)
    return 0.0 if since is None else time.perf_counter() - since


# What one request's work on the loop is taken to cost until one has been measured: with the default bound, about ten
# requests are admitted at once into a process that has not worked through any yet.
FIRST_COST_S = 0.05
COST_WEIGHT = 0.2  # of the latest measurement in the running estimate


@dataclass
class Backlog:
    """The ingest requests of this process admitted and not yet answered (their scopes, which carry their stamps),
    which of them have yet to do their work on the loop, and what that work has cost lately. Requests never stamped
    (an app called without the gateway's connection protocol, as in the in-process tests) are not counted."""

    cost_s: float = FIRST_COST_S
    # Seconds of work booked outside the loop that an admitted request will wait for too, given how many admitted
    # requests have yet to do their loop work (each will hand work over after it): the scrub workers' queue
    # (gateway.scrub_pool). With workers, the loop's own work per request is small and this is what fills up first.
    offloaded: Callable[[int], float] | None = None
    _held: dict[int, MutableMapping[str, Any]] = field(default_factory=dict)
    _to_work: set[int] = field(default_factory=set)
    _turn_taken: bool = False
    _last_turn_end: float = 0.0
    _waiting: deque[asyncio.Future[None]] = field(default_factory=deque)

    def __len__(self) -> int:
        return len(self._held)

    def oldest_s(self) -> float:
        """How long the longest-waiting admitted request has been waiting for its answer since its body was in; 0
        when there is none. A request still receiving its body does not count: its wait is its client's."""
        stamps = [scope[READY_SINCE] for scope in self._held.values() if scope.get(BODY_IN)]
        return time.perf_counter() - min(stamps) if stamps else 0.0

    def booked_s(self) -> float:
        """Seconds of loop work booked by admitted requests that have not done it yet, at the recent cost."""
        return len(self._to_work) * self.cost_s

    def offloaded_s(self) -> float:
        """Seconds of work booked outside the loop (scrub workers) ahead of a request admitted now."""
        return 0.0 if self.offloaded is None else self.offloaded(len(self._to_work))

    @contextmanager
    def holding(self, scope: MutableMapping[str, Any], will_work: bool = False) -> Iterator[None]:
        """Count the request in `scope` as admitted until the block ends (its answer is ready); `will_work`: it
        books its work (see `working`) until it has done it."""
        key = id(scope)
        if scope.get(READY_SINCE) is None:
            yield
            return
        self._held[key] = scope
        if will_work:
            self._to_work.add(key)
        try:
            yield
        finally:
            del self._held[key]
            self._to_work.discard(key)

    @asynccontextmanager
    async def working(self, scope: MutableMapping[str, Any]) -> AsyncIterator[None]:
        """The request's work on the loop (decode, consent, scrubbing), in turns: one request's work, then at least
        one pass of the loop (reading sockets, answering refusals, sending answers), then the next one's. Without
        turns, every request ready in one pass did its work in that pass, and the loop read nothing for seconds.
        Timed, for the cost of the next ones, and no longer booked once done. The time is the loop's per admitted
        request: from the end of the previous turn when this one had to wait for it, so the passes of the loop between
        turns count too (reading bodies, answering refusals: at 4x the saturating load, with clients that send again
        at once, they took most of the loop and admitted requests were answered after seconds); from its own start
        otherwise (between its awaits the loop does nothing else, so wall time is loop time)."""
        entered, waited = time.perf_counter(), self._turn_taken or bool(self._waiting)
        if waited:
            turn = asyncio.get_running_loop().create_future()
            self._waiting.append(turn)
            try:
                await turn
            except asyncio.CancelledError:
                if turn.done() and not turn.cancelled():  # the turn was ours: hand it on
                    asyncio.get_running_loop().call_soon(self._next_turn)
                raise
        self._turn_taken = True
        started = time.perf_counter()
        try:
            yield
        finally:
            asyncio.get_running_loop().call_soon(self._next_turn)
            ended = time.perf_counter()
            if id(scope) in self._to_work:
                self._to_work.discard(id(scope))
                since = max(entered, self._last_turn_end) if waited else started
                self.cost_s += COST_WEIGHT * (ended - since - self.cost_s)
            self._last_turn_end = ended

    def _next_turn(self) -> None:
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():
                turn.set_result(None)  # the turn stays taken: it is that request's now
                return
        self._turn_taken = False


class Shed(ProtocolError):
    """A request refused by admission control: 503 with Retry-After, nothing stored."""


class ShedUnread(Shed):
    """Shed at the request's head, its body not read (`check_ahead`): the answer closes the connection
    (`Connection: close`), and the protocol drops what the client still sends (gateway.http_server's lingering
    close) instead of parsing a body only to refuse it."""


def check(scope: MutableMapping[str, Any], backlog: Backlog, http: Http, metrics: Metrics, kind: str) -> None:
    """Raise Shed when the request has waited for the loop beyond `http.max_queue_wait_s`, or the requests admitted
    before it have booked more loop work than that (or more scrub workers' work), or the oldest of them has waited
    that long for its answer (counted by `kind`: events or replay)."""
    bound = http.max_queue_wait_s
    if (waited_s(scope) > bound or backlog.booked_s() > bound or backlog.offloaded_s() > bound
            or backlog.oldest_s() > bound):
        metrics.inc("gateway_requests_shed_total", kind=kind)
        raise Shed(503, "unavailable", "the gateway is busy; retry later", retry_after=http.busy_retry_after_s)


def check_ahead(scope: MutableMapping[str, Any], backlog: Backlog, http: Http, metrics: Metrics, kind: str) -> None:
    """Raise ShedUnread when, at the request's head, before its body is read, the requests admitted before it already
    refuse it (`check`'s rules but the request's own wait, which while its body arrives is its client's). A request
    whose body is in already is left to `check`: reading a body the connection holds costs little, and its connection
    stays open."""
    if scope.get(BODY_IN) or scope.get(READY_SINCE) is None:
        return
    bound = http.max_queue_wait_s
    if backlog.booked_s() > bound or backlog.offloaded_s() > bound or backlog.oldest_s() > bound:
        metrics.inc("gateway_requests_shed_total", kind=kind)
        raise ShedUnread(503, "unavailable", "the gateway is busy; retry later", retry_after=http.busy_retry_after_s)


def closing(response: Response, error: ProtocolError) -> Response:
    """`response` (a refusal) closing its connection when `error` was found before the body was read."""
    if isinstance(error, ShedUnread):
        response.headers["connection"] = "close"
    return response

"""Admission control: refuse ingest work early, with 503 and Retry-After, when it has already queued too long.

An ingest request's work (decode, consent, PII scrubbing) runs on the event loop, one request after the other: under
more load than the process can take, requests queued there for seconds before their work began (SDKs sending on page
leave time out, and their events are lost), and the queue itself never shrank. Here the connection protocol
(gateway.http_server) stamps each request when it is ready to be worked on without waiting for its client: when its
head is complete, and again when its body is. The endpoint asks twice, when it starts and once it has the body:
a request that has waited for the loop longer than `[http] max_queue_wait_s` since its last stamp is refused at once
with 503 and Retry-After, in its vendor's shape, having stored nothing (the second time, before any decoding). A
refusal costs next to nothing, so under overload the queue drains to the bound and stays there (CoDel's idea,
without its adaptive interval): every answer, 2xx or 503, comes within about the bound plus one request's work. A
slow client is not refused for its own slowness: the time its body takes to arrive is not counted. What is
acknowledged is committed as before.
"""

from __future__ import annotations

import time
from collections.abc import MutableMapping
from typing import Any

from gateway.metrics import Metrics
from gateway.protocols.codec import ProtocolError
from policies.policy import Http

# Where the connection protocol puts, in the ASGI scope, the time (time.perf_counter()) since which the request has
# been ready to be worked on: its head complete, then its body.
READY_SINCE = "gateway.ready_since"


def stamp(scope: MutableMapping[str, Any]) -> None:
    """Record that the request in `scope` is ready to be worked on from now."""
    scope[READY_SINCE] = time.perf_counter()


def waited_s(scope: MutableMapping[str, Any]) -> float:
    """Seconds the request has been ready and waiting for the loop; 0 when it was not stamped (an app called without
    the gateway's connection protocol, as in the in-process tests)."""
    since = scope.get(READY_SINCE)
    return 0.0 if since is None else time.perf_counter() - since


class Shed(ProtocolError):
    """A request refused by admission control: 503 with Retry-After, nothing stored."""


def check(scope: MutableMapping[str, Any], http: Http, metrics: Metrics, kind: str) -> None:
    """Raise Shed when the request has waited for the loop beyond `http.max_queue_wait_s` (counted by `kind`:
    events or replay)."""
    if waited_s(scope) > http.max_queue_wait_s:
        metrics.inc("gateway_requests_shed_total", kind=kind)
        raise Shed(503, "unavailable", "the gateway is busy; retry later", retry_after=http.busy_retry_after_s)

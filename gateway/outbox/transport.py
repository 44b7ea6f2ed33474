"""How a batch of queued deliveries reaches a destination, and what the answer means for the sender."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import httpx

from gateway.outbox.replies import SCANNED_CHARS
from gateway.outbox.retry import is_retryable, parse_retry_after
from gateway.outbox.store import Queued
from gateway.protocols.codec import ENDPOINT_KINDS, Codec, EndpointKind, OutboundRequest
from policies.policy import Destination

Outcome = Literal["delivered", "retry", "rejected"]


@dataclass(frozen=True, slots=True)
class SendResult:
    outcome: Outcome
    status: int | None = None  # the HTTP status, when there was an answer
    retry_after: float | None = None  # seconds, from the destination's Retry-After
    reason: str = ""  # why it failed, short and free of event data: it is logged
    detail: str = ""  # the start of the destination's answer: a dead letter keeps it scrubbed (outbox.replies)


class Transport(Protocol):
    async def send(self, batch: Sequence[Queued], timeout_s: float) -> SendResult:
        """Deliver `batch`, giving up (a retryable result) after `timeout_s` per request."""
        ...


class HttpTransport:
    """POSTs one batch in the destination's wire format, built by its protocol's codec."""

    def __init__(self, codec: Codec, destination: Destination, client: httpx.AsyncClient) -> None:
        self.codec, self.destination, self.client = codec, destination, client

    async def send(self, batch: Sequence[Queued], timeout_s: float) -> SendResult:
        # Some vendors take one batch in several requests, one per endpoint kind (Mixpanel: events, user and group
        # profiles); the batch is delivered when all are. A retry resends all of them: dedup ids and idempotent
        # profile updates make it safe.
        status = 0
        for request in self._requests(batch):
            try:
                response = await self.client.post(
                    request.url, content=request.body, headers=request.headers, timeout=timeout_s
                )
            except httpx.TransportError as exc:
                # Connection refused, reset, timeouts: the destination may or may not have the batch; retrying with
                # the same dedup ids is safe.
                return SendResult("retry", reason=f"{type(exc).__name__} talking to {self.destination.endpoint}")
            status = response.status_code
            if 200 <= status < 300:
                continue
            reason = f"HTTP {status} from {request.url}"
            if is_retryable(status):
                return SendResult("retry", status, parse_retry_after(response.headers.get("retry-after")), reason)
            return SendResult("rejected", status, reason=reason, detail=response.text[:SCANNED_CHARS])
        return SendResult("delivered", status)

    def _requests(self, batch: Sequence[Queued]) -> list[OutboundRequest]:
        bodies: dict[EndpointKind, list[bytes]] = {kind: [] for kind in ENDPOINT_KINDS}
        for queued in batch:
            bodies[queued.kind].append(queued.body)
        return [self.codec.build_batch(items, self.destination, kind) for kind, items in bodies.items() if items]

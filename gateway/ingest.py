"""The ingest endpoint shared by every vendor protocol: read, parse, choose the codec (gateway.protocols.router),
decode, authenticate, run the pipeline, commit, answer.

The answer is 2xx only after the request's events are durably in the outbox. Every refusal is in the vendor's own
error shape, and a refused request stores nothing: decoding and validation finish before the one commit.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Scope

from gateway import admission, request_context, violations
from gateway.bodies import WIRE_SLACK, decode_content, read_body
from gateway.database import StorageUnavailable
from gateway.outbox.store import OutboxFull
from gateway.pipeline import Processed
from gateway.protocols.codec import Codec, Inbound, Limits, ProtocolError, read_json
from gateway.protocols.router import ServedPath, served_paths
from gateway.provenance import Provenance

if TYPE_CHECKING:
    from gateway.state import Gateway


def count_decisions(gateway: Gateway, source: str, processed: Processed) -> None:
    metrics = gateway.metrics
    if processed.suppressed:
        metrics.inc("gateway_events_suppressed_total", processed.suppressed, source=source)
    for (destination, action, reason), n in processed.decisions.items():
        metrics.inc("gateway_consent_decisions_total", n, destination=destination, action=action, reason=reason)
    for kind, n in processed.malformed.items():
        metrics.inc("gateway_consent_malformed_total", n, source=source, kind=kind)
    for (entity, rule, action), n in processed.findings.items():
        metrics.inc("gateway_pii_findings_total", n, entity=entity, rule=rule, action=action)
    for step, seconds in processed.timings:
        metrics.observe("gateway_pipeline_step_seconds", seconds, step=step)
    for (rule, action), n in processed.plan_counts.items():
        metrics.inc("gateway_plan_violations_total", n, source=source, rule=rule, action=action)


def writes_with(gateway: Gateway, processed: Processed, provenance: Provenance
                ) -> Callable[[sqlite3.Connection], None] | None:
    """What is committed with a request's events: identity links (and consent carried across them), the accounts
    group calls named, and tracking plan violations; None when there is nothing."""
    parts = [write for write in (
        gateway.learn(processed.links, provenance),
        partial(gateway.accounts.record, changes=processed.accounts) if processed.accounts else None,
        partial(violations.record, found=processed.violations) if processed.violations else None,
    ) if write is not None]
    if len(parts) <= 1:
        return parts[0] if parts else None

    def write(conn: sqlite3.Connection) -> None:
        for part in parts:
            part(conn)

    return write


def routes(codecs: Iterable[Codec]) -> list[Route]:
    """One route per ingest path of `codecs`, each asking the router which codec a request is for."""
    return [Route(served.route.path, ingest_endpoint(served), methods=list(served.route.methods))
            for served in served_paths(codecs)]


def ingest_endpoint(served: ServedPath) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        gateway: Gateway = request.app.state.gateway
        address = request.client.host if request.client else None  # as a trusted proxy says (gateway.client_ip)
        inbound = Inbound(served.route.kind, request.method, request.query_params, request.headers, b"", address)
        http = gateway.policy.http
        backlog = gateway.backlog
        try:
            # A body still arriving is not read only to be refused: the answer closes the connection, and the
            # protocol drops the rest (lingering close: a client that writes its whole request before reading, as
            # wrk and several SDKs' HTTP stacks do, gets its answer rather than a reset).
            admission.check_ahead(request.scope, backlog, http, gateway.metrics, "events")
            raw = await read_body(request, served.limits.max_body_bytes + WIRE_SLACK, http.body_timeout_s)
            admission.check(request.scope, backlog, http, gateway.metrics, "events")
        except ProtocolError as error:
            # No body to go by: the request's parameters alone say whose it is.
            return admission.closing(_refuse(gateway, *served.choose(inbound), error, "unknown"), error)
        with backlog.holding(request.scope, will_work=True):
            try:
                inbound = _with_body(request, inbound, raw, served.limits)
            except ProtocolError as error:
                return _refuse(gateway, *served.choose(inbound), error, "unknown")
            codec, inbound = served.choose(inbound)
            return await _ingest(gateway, codec, inbound, request.scope)

    return endpoint


def _with_body(request: Request, inbound: Inbound, raw: bytes, limits: Limits) -> Inbound:
    """`inbound` with its body `raw` inflated and parsed as JSON (once, for the router and the codec alike)."""
    body = decode_content(raw, request.headers.get("content-encoding"), limits.max_body_bytes)
    if len(body) > limits.max_body_bytes:
        raise ProtocolError(400, "invalid_request", f"body is larger than {limits.max_body_bytes // 1024} KB")
    return dataclasses.replace(inbound, body=body, json=read_json(body))


async def _ingest(gateway: Gateway, codec: Codec, inbound: Inbound, scope: Scope) -> Response:
    """Decode, authenticate, run the pipeline and commit; the answer in the codec's shape either way."""
    source_name = "unknown"
    try:
        gateway.health.admit()
        pipeline, pool = gateway.pipeline, gateway.scrub_pool
        async with gateway.backlog.working(scope):
            decoded = codec.decode(inbound)
            key = gateway.policy.source_key(decoded.write_key) if decoded.write_key else None
            if key is None:
                raise ProtocolError(401, "unauthorized", "missing or unknown write key")
            source = key.source
            source_name = source.name
            batch = pipeline.begin(source, decoded.events, inbound.headers, inbound.query, key.kind)
            if pool is None:
                processed = pipeline.finish(batch)
        if pool is not None:
            # Out of the loop's turn (gateway.admission): other requests work on the loop while a worker scrubs.
            processed = await pipeline.finish_elsewhere(batch, pool.scrub)
        count_decisions(gateway, source_name, processed)
        deliveries = processed.deliveries
        await gateway.outbox.commit(deliveries, also=writes_with(gateway, processed, key.kind))
    except ProtocolError as error:
        return _refuse(gateway, codec, inbound, error, source_name)
    except OutboxFull as full:
        gateway.metrics.inc("gateway_outbox_full_total", source=source_name)
        request_context.refused("outbox_full", source_name, codec.name)
        busy = ProtocolError(503, "unavailable", "the gateway is busy; retry later", retry_after=full.retry_after)
        gateway.live.refused(source_name, codec.name, busy.status, "outbox_full", busy.message)
        return codec.respond_error(inbound, busy)
    except StorageUnavailable as fault:
        refusal = gateway.health.refusal(fault, codec.name)
        request_context.refused("storage_unavailable", source_name, codec.name)
        gateway.live.refused(source_name, codec.name, refusal.status, "storage_unavailable", refusal.message)
        return codec.respond_error(inbound, refusal)
    if gateway.live.watching(source_name):
        gateway.live.events(source_name, codec.name, processed.outcomes())
    gateway.metrics.inc("gateway_events_received_total", len(decoded.events), source=source_name, protocol=codec.name)
    for destination, n in Counter(d.destination for d in deliveries).items():
        gateway.metrics.inc("gateway_events_queued_total", n, source=source_name, destination=destination)
    return codec.respond_ok(inbound, decoded)


def _refuse(gateway: Gateway, codec: Codec, inbound: Inbound, error: ProtocolError, source_name: str) -> Response:
    gateway.metrics.inc("gateway_events_rejected_total", source=source_name, protocol=codec.name, reason=error.code)
    request_context.refused(error.code, source_name, codec.name)
    gateway.live.refused(None if source_name == "unknown" else source_name, codec.name, error.status, error.code,
                         error.message)
    return codec.respond_error(inbound, error)

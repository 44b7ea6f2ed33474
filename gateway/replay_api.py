"""Replay over HTTP: the ingest endpoints SDKs call, and the admin API for reviewing sessions.

The domain lives in the replay package (parsing, scrubbing, storage); this module is the HTTP around it: reading and
inflating bodies within limits, answering in the caller's shapes, checking roles and writing every read to the audit log
before the data leaves.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from urllib.parse import quote

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from gateway import admission, request_context, session_search
from gateway.access import admin_route
from gateway.admin_request import audit, int_param, json_object, not_found, refused
from gateway.bodies import decode_content, read_body
from gateway.database import StorageUnavailable
from gateway.metrics import Metrics
from gateway.outbox.store import OutboxFull
from gateway.protocols import posthog
from gateway.protocols.codec import Inbound, ProtocolError, basic_auth_user, read_json
from gateway.session_path import SESSION_ID
from gateway.state import gateway_of
from policies.policy import Http, Source
from policies.replay import ReplayPolicy
from replay import console, offline, reports
from replay.analysis import signals_of
from replay.ingest import Rejected, parse_native, parse_posthog
from replay.objects import ObjectStoreUnavailable
from replay.reports import Period

log = logging.getLogger("gateway.replay")


async def read_recording(request: Request, limits: ReplayPolicy, http: Http, metrics: Metrics,
                         backlog: admission.Backlog) -> bytes:
    """The body within the replay limits: at most max_request_bytes on the wire and after inflating, and no more
    than max_inflate_ratio times larger once inflated (a gzip bomb is refused, not inflated). Raises admission.Shed
    when, once the body is in, the request waits for the loop too long (see `admitted`), and admission.ShedUnread
    when, its body still arriving, the requests before it already refuse it."""
    admission.check_ahead(request.scope, backlog, http, metrics, "replay")
    try:
        raw = await read_body(request, limits.max_request_bytes, http.body_timeout_s)
    except ProtocolError as error:
        raise Rejected(error.status, error.code, error.message) from None
    admission.check(request.scope, backlog, http, metrics, "replay")
    try:
        body = decode_content(raw, request.headers.get("content-encoding"), limits.max_request_bytes)
    except ProtocolError as error:
        raise Rejected(error.status, error.code, error.message) from None
    if raw and len(body) > limits.max_inflate_ratio * len(raw) and len(body) > 1024 * 1024:
        raise Rejected(400, "invalid_request", f"body inflates more than {limits.max_inflate_ratio:g} times: refused")
    return body


def _rejected(error: Rejected) -> JSONResponse:
    return JSONResponse({"error": error.code, "message": error.message}, status_code=error.status)


def storage_fault(fault: StorageUnavailable | ObjectStoreUnavailable) -> StorageUnavailable:
    """Either store's fault as the 503 ingest answers: the object store's under one reason (a metric label), its
    detail in the log."""
    if isinstance(fault, StorageUnavailable):
        return fault
    log.warning("replay: object store unavailable: %s", fault)
    return StorageUnavailable("object store unavailable")


def outbox_full(metrics: Metrics, source: Source, full: OutboxFull) -> ProtocolError:
    """The 503 for a recording stored but not queued for its destinations (gateway.replay_destinations): the outbox
    is full. The SDK sends the chunk again later; the store knows it, and it is queued then."""
    metrics.inc("gateway_outbox_full_total", source=source.name)
    request_context.refused("outbox_full", source.name)
    return ProtocolError(503, "unavailable", "the gateway is busy; retry later", retry_after=full.retry_after)


def _retry_after(error: ProtocolError) -> dict[str, str]:
    return {"Retry-After": str(error.retry_after)} if error.retry_after is not None else {}


Endpoint = Callable[[Request], Awaitable[Response]]


def admitted(refuse: Callable[[ProtocolError], Response]) -> Callable[[Endpoint], Endpoint]:
    """A recording endpoint under admission control (gateway.admission): counted as admitted until answered; once
    its body is in (read_recording), a request is refused at once with `refuse(busy)` when it has waited for the loop
    beyond `[http] max_queue_wait_s`, or the requests admitted before it are that far behind."""
    def wrap(handle: Endpoint) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            gateway = gateway_of(request)
            try:
                with gateway.backlog.holding(request.scope):
                    return await handle(request)
            except admission.Shed as busy:
                request_context.refused(busy.code)
                return refuse(busy)

        endpoint.__doc__ = handle.__doc__
        return endpoint

    return wrap


def _json_refusal(error: ProtocolError) -> Response:
    return admission.closing(JSONResponse({"error": error.code, "message": error.message}, status_code=error.status,
                                          headers=_retry_after(error)), error)


def _text_refusal(error: ProtocolError) -> Response:
    return admission.closing(PlainTextResponse(error.message, status_code=error.status, headers=_retry_after(error)),
                             error)


@admitted(_json_refusal)
async def native_ingest(request: Request) -> Response:
    """`POST /v1/replay/{session_id}`: rrweb events, gzip optional, the source's write key as Basic auth user,
    `writeKey` in the body or `?writeKey=` (sendBeacon cannot set headers)."""
    gateway = gateway_of(request)
    if not gateway.policy.replay.enabled:
        return _rejected(Rejected(404, "not_found", "session replay is not enabled in the policy"))
    try:
        gateway.health.admit()
        body = await read_recording(request, gateway.policy.replay, gateway.policy.http, gateway.metrics,
                                    gateway.backlog)
        parsed = read_json(body)
        if parsed.error is not None:
            raise Rejected(400, "invalid_request", f"body {parsed.error}")
        write_key, batch = parse_native(parsed.value, request.path_params["session_id"], request.query_params,
                                        gateway.policy.replay.max_event_bytes, len(body))
        write_key = write_key or request.query_params.get("writeKey") or basic_auth_user(request.headers)
        service = gateway.replay
        source = service.source(write_key)
        result = await service.ingest(source, [batch], request.headers, request.query_params, body)
    except Rejected as error:
        gateway.metrics.inc("replay_requests_rejected_total", reason=error.code)
        request_context.refused(error.code)
        return _rejected(error)
    except (StorageUnavailable, ObjectStoreUnavailable) as fault:
        return _json_refusal(gateway.health.refusal(storage_fault(fault), "replay"))
    except OutboxFull as full:
        return _json_refusal(outbox_full(gateway.metrics, source, full))
    except ProtocolError as busy:  # the scrub workers died under this request (gateway.scrub_pool): nothing stored
        request_context.refused(busy.code)
        return _json_refusal(busy)
    return JSONResponse({"status": "ok", "stored": result.stored, "duplicates": result.duplicates,
                         "refused_consent": result.refused_consent})


@admitted(_text_refusal)
async def posthog_recording(request: Request) -> Response:
    """`POST /s/`: posthog-js's recordings, `$snapshot` events in any of PostHog's body forms. Answered as PostHog
    does: `{"status":"Ok"}`, 204 for `beacon=1`, plain-text errors."""
    gateway = gateway_of(request)
    limits = gateway.policy.replay
    try:
        if not limits.enabled:
            raise Rejected(404, "not_found", "session replay is not enabled in the policy")
        gateway.health.admit()
        body = await read_recording(request, limits, gateway.policy.http, gateway.metrics, gateway.backlog)
        inbound = Inbound("recording", request.method, request.query_params, request.headers, body)
        try:
            token, items = posthog.read_recording(inbound, limits.max_request_bytes)
        except ProtocolError as error:
            raise Rejected(error.status, error.code, error.message) from None
        _, batches = parse_posthog(items, limits.max_event_bytes)
        service = gateway.replay
        source = service.source(token)
        await service.ingest(source, batches, request.headers, request.query_params)
    except Rejected as error:
        gateway.metrics.inc("replay_requests_rejected_total", reason=error.code)
        request_context.refused(error.code)
        return PlainTextResponse(error.message, status_code=error.status)
    except (StorageUnavailable, ObjectStoreUnavailable) as fault:
        return _text_refusal(gateway.health.refusal(storage_fault(fault), "posthog-recording"))
    except OutboxFull as full:
        return _text_refusal(outbox_full(gateway.metrics, source, full))
    except ProtocolError as busy:  # as native_ingest
        request_context.refused(busy.code)
        return _text_refusal(busy)
    if request.query_params.get("beacon") == "1":
        return Response(status_code=204)
    return JSONResponse({"status": "Ok"})


# -- admin ------------------------------------------------------------------------------------------------------------


async def get_session(request: Request) -> Response:
    gateway = gateway_of(request)
    session_id = request.path_params["session_id"]
    session = await gateway.replay.store.session(session_id)
    if session is None:
        return not_found("no such session")
    await audit(request, "replay.read_session", session_id)
    return JSONResponse(session)


async def session_events(request: Request) -> Response:
    """The session's rrweb events, all windows merged in timestamp order, streamed as one JSON array. What they
    would fetch from elsewhere (images, stylesheets, fonts, frames) is replaced by local placeholders
    (replay.offline): whoever plays them, the web UI or an API consumer, reaches no server the recording names."""
    gateway = gateway_of(request)
    session_id = request.path_params["session_id"]
    if await gateway.replay.store.session(session_id) is None:
        return not_found("no such session")
    window = request.query_params.get("window")
    await audit(request, "replay.read_events", session_id, {"window": window} if window else None)

    def stream() -> Iterator[bytes]:
        yield b"["
        for i, event in enumerate(gateway.replay.store.read_events(session_id, window)):
            offline.rewrite_event(event)
            line = orjson.dumps(event)
            yield line if i == 0 else b"," + line
        yield b"]"

    return StreamingResponse(stream(), media_type="application/json")


async def session_signals(request: Request) -> Response:
    """The frustration signals found in the session, in time order."""
    gateway = gateway_of(request)
    session_id = request.path_params["session_id"]
    if await gateway.replay.store.session(session_id) is None:
        return not_found("no such session")
    await audit(request, "replay.read_signals", session_id)
    return JSONResponse({"signals": await signals_of(gateway.replay.store, session_id)})


async def session_console(request: Request) -> Response:
    """The console and network timeline of the session (replay.console), with each error click's error marked."""
    gateway = gateway_of(request)
    session_id = request.path_params["session_id"]
    if await gateway.replay.store.session(session_id) is None:
        return not_found("no such session")
    await audit(request, "replay.read_console", session_id)
    signals = await signals_of(gateway.replay.store, session_id)
    found = await asyncio.to_thread(lambda: console.timeline(gateway.replay.store.read_events(session_id), signals))
    return JSONResponse(found)


async def share_session(request: Request) -> Response:
    """`POST /admin/v1/replay/sessions/{id}/share` `{"at_ms": n}`: a link to the session page that opens the player
    `at_ms` after the recording's start. The link grants nothing: whoever opens it signs in with a role that may read
    sessions, and that read is audited as any other. Sharing is audited as `replay.share` with the moment."""
    gateway = gateway_of(request)
    session_id = request.path_params["session_id"]
    try:
        at_ms = (await json_object(request)).get("at_ms")
    except ProtocolError as error:
        return refused(error)
    if type(at_ms) is not int or at_ms < 0:
        return JSONResponse({"error": "invalid_request", "message": 'send {"at_ms": <ms from the start, >= 0>}'},
                            status_code=400)
    session = await gateway.replay.store.session(session_id)
    if session is None:
        return not_found("no such session")
    at_ms = min(at_ms, session["duration_ms"])
    await audit(request, "replay.share", session_id, {"at_ms": at_ms})
    return JSONResponse({"session_id": session_id, "at_ms": at_ms,
                         "link": f"/ui/sessions/{quote(session_id, safe='')}?at={at_ms}"}, status_code=201)


async def frustration_report(request: Request) -> Response:
    """Aggregated frustration for UX: `?since=&until=` (epoch ms), `source=`; `format=csv&table=...` (one of
    reports.TABLES) for a CSV of one table. The same data feeds the report page."""
    gateway = gateway_of(request)
    query = request.query_params
    period = Period(int_param(request, "since"), int_param(request, "until"), query.get("source"))
    report = await gateway.db.read(lambda conn: reports.frustration_report(conn, period))
    await audit(request, "reports.frustration", "*", {"filters": dict(query)})
    if query.get("format") == "csv":
        table = query.get("table", "elements")
        if table not in reports.TABLES:
            message = f"table must be one of {', '.join(reports.TABLES)}"
            return JSONResponse({"error": "invalid_request", "message": message}, status_code=400)
        return Response(reports.to_csv(report[table]), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="frustration-{table}.csv"'})
    return JSONResponse(report)


REVIEW_ROLES = ("support", "ux")


def ingest_routes() -> list[Route]:
    return [
        Route("/v1/replay/{session_id:path}", native_ingest, methods=["POST"]),
        Route("/s", posthog_recording, methods=["POST"]),
        Route("/s/", posthog_recording, methods=["POST"]),
    ]


def admin_routes() -> list[Route]:
    return [
        admin_route("/v1/replay/sessions", session_search.list_sessions, roles=REVIEW_ROLES),
        admin_route("/v1/replay/sessions/search", session_search.search_sessions, roles=REVIEW_ROLES,
                    methods=["POST"]),
        admin_route(f"/v1/replay/sessions/{SESSION_ID}/neighbours", session_search.session_neighbours,
                    roles=REVIEW_ROLES),
        admin_route(f"/v1/replay/sessions/{SESSION_ID}", get_session, roles=REVIEW_ROLES),
        admin_route(f"/v1/replay/sessions/{SESSION_ID}/events", session_events, roles=REVIEW_ROLES),
        admin_route(f"/v1/replay/sessions/{SESSION_ID}/signals", session_signals, roles=REVIEW_ROLES),
        admin_route(f"/v1/replay/sessions/{SESSION_ID}/console", session_console, roles=REVIEW_ROLES),
        admin_route(f"/v1/replay/sessions/{SESSION_ID}/share", share_session, roles=REVIEW_ROLES, methods=["POST"]),
        admin_route("/v1/reports/frustration", frustration_report, roles=("ux",)),
    ]

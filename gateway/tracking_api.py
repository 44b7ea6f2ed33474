"""The tracking admin API, for analysts (and admins): tracking plan violations, the event catalog, and the live
debugger's feed.

    GET /admin/v1/tracking/violations   newest first; filters source, event, rule, action, type, message_id,
                                        since/until (epoch seconds), limit
    GET /admin/v1/tracking/summary      per event and per day; ?format=csv gives the rows per day and event
    GET /admin/v1/tracking/catalog      events, property shapes, volume per day, SDKs; accounts by volume
    GET /admin/v1/live?source=NAME      Server-Sent Events (gateway.live): filters event, user_id_hash, anonymous_id

Violations and the catalog hold no values, so reading them is not a read of anyone's data; watching live traffic is
(scrubbed, but per person), and every watch is written to the audit log before the first event is sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from gateway import catalog, violations
from gateway.access import admin_route
from gateway.admin_request import audit, float_param, limit_param
from gateway.live import LiveFilter, TooManyWatchers, Watcher
from gateway.state import Gateway, gateway_of
from replay.csv_cells import write_csv

ROLES = ("analyst",)
KEEP_ALIVE_S = 15.0
SUMMARY_COLUMNS = ["day", "source", "event", "action", "violations"]


def _filters(request: Request) -> dict[str, str]:
    return {key: request.query_params[key] for key in violations.FILTERS if request.query_params.get(key)}


async def list_violations(request: Request) -> Response:
    gateway = gateway_of(request)
    filters, since, until = _filters(request), float_param(request, "since"), float_param(request, "until")
    rows = await gateway.db.read(lambda c: violations.query(c, filters, since, until, limit_param(request)))
    return JSONResponse({"violations": rows})


async def summary(request: Request) -> Response:
    gateway = gateway_of(request)
    filters, since, until = _filters(request), float_param(request, "since"), float_param(request, "until")
    result = await gateway.db.read(lambda c: violations.summary(c, filters, since, until))
    if request.query_params.get("format") == "csv":
        return Response(write_csv(result["by_event_day"], SUMMARY_COLUMNS), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="tracking-violations.csv"'})
    return JSONResponse(result)


async def catalog_view(request: Request) -> Response:
    gateway = gateway_of(request)
    source = request.query_params.get("source") or None
    events = await gateway.db.read(lambda c: catalog.read_catalog(c, source))
    accounts = await gateway.db.read(lambda c: catalog.read_accounts(c, source, limit_param(request, 20, 200)))
    hashed = not gateway.policy.enrich.plain_account_ids
    return JSONResponse({"events": events, "accounts": accounts, "account_ids": "keyed-hash" if hashed else "plain"})


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status)


async def live(request: Request) -> Response:
    gateway = gateway_of(request)
    query = request.query_params
    source = query.get("source", "")
    if gateway.policy.source_for_name(source) is None:
        known = ", ".join(s.name for s in gateway.policy.sources)
        return _error(400, "invalid_request", f"give ?source= one of: {known}")
    subject = query.get("user_id_hash", "").strip().lower()
    if query.get("anonymous_id"):
        subject = gateway.identity.hash(query["anonymous_id"])
    filters = LiveFilter(event=query.get("event", "").strip(), subject=subject)
    try:
        watcher = gateway.live.watch(source, filters)
    except TooManyWatchers as busy:
        return JSONResponse({"error": "busy", "message": str(busy)}, status_code=429, headers={"Retry-After": "30"})
    try:
        await audit(request, "live.watch", source, {"filters": {"event": filters.event} if filters.event else {},
                                                       "by_subject": bool(subject)})
    except BaseException:
        gateway.live.stop(watcher)
        raise
    return StreamingResponse(_stream(gateway, watcher), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


async def _stream(gateway: Gateway, watcher: Watcher) -> AsyncIterator[bytes]:
    """Until the watcher goes away (Starlette cancels this on disconnect) or the gateway stops."""
    try:
        yield b"retry: 3000\nevent: ready\ndata: {}\n\n"
        while not gateway.stopping.is_set():
            try:
                message = await asyncio.wait_for(watcher.queue.get(), KEEP_ALIVE_S)
            except TimeoutError:
                yield b": keep-alive\n\n"
                continue
            yield b"event: " + message["kind"].encode() + b"\ndata: " + orjson.dumps(message) + b"\n\n"
    finally:
        gateway.live.stop(watcher)


def routes() -> list[Route]:
    return [
        admin_route("/v1/tracking/violations", list_violations, roles=ROLES),
        admin_route("/v1/tracking/summary", summary, roles=ROLES),
        admin_route("/v1/tracking/catalog", catalog_view, roles=ROLES),
        admin_route("/v1/live", live, roles=ROLES),
    ]

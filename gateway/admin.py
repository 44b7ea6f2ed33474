"""The admin API under /admin/v1. Each route names the roles that may call it (see gateway.access)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.access import admin_route
from gateway.admin_request import audit, float_param, limit_param
from gateway.sink import read_sink
from gateway.state import gateway_of


async def outbox(request: Request) -> Response:
    """Queue depth, lag and dead letters per destination, and the newest dead letters (without their events; those
    are read one by one, audited, at /admin/v1/dead-letters/{id})."""
    gateway = gateway_of(request)
    depth = gateway.outbox.depth()
    lag = await gateway.outbox.lag()
    dead = await gateway.dead_letters.counts()
    destinations = [
        {
            "name": d.name,
            "protocol": d.protocol,
            "enabled": d.enabled,
            "queued": depth.get(d.name, 0),
            "lag_s": round(lag.get(d.name, 0.0), 3),
            "dead_letters": dead.get(d.name, 0),
        }
        for d in gateway.policy.destinations
    ]
    recent = await gateway.dead_letters.list(limit=limit_param(request))
    return JSONResponse({"destinations": destinations, "recent_dead_letters": recent})


async def sink(request: Request) -> Response:
    """What the local sink received, newest first: the events as they would have been forwarded."""
    gateway = gateway_of(request)
    await audit(request, "sink.read", request.query_params.get("destination", "*"))
    events = await read_sink(gateway.db, request.query_params.get("destination"), limit_param(request))
    return JSONResponse({"events": events})


async def audit_log(request: Request) -> Response:
    """Audit entries, newest first. Filters: action, actor, target, since/until (epoch seconds), limit."""
    gateway = gateway_of(request)
    query = request.query_params
    entries = await gateway.audit.query(
        action=query.get("action"), actor=query.get("actor"), target=query.get("target"),
        since=float_param(request, "since"), until=float_param(request, "until"), limit=limit_param(request),
    )
    await audit(request, "audit.read", "*", {"filters": dict(query)})
    return JSONResponse({"entries": entries})


async def audit_verify(request: Request) -> Response:
    """Walk the hash chain: {"ok": true, "rows": n} or the first row that does not match."""
    gateway = gateway_of(request)
    result = await gateway.db.read(gateway.audit.verify)
    return JSONResponse({"ok": result.ok, "rows": result.rows, "first_bad_id": result.first_bad_id})


def routes() -> list[Route]:
    return [
        admin_route("/v1/outbox", outbox, roles=("admin",)),
        admin_route("/v1/sink", sink, roles=("admin",)),
        admin_route("/v1/audit", audit_log, roles=("compliance",)),
        admin_route("/v1/audit/verify", audit_verify, roles=("compliance",)),
    ]

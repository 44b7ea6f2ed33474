"""The admin API under /admin/v1. Each route names the roles that may call it (see gateway.access)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.access import admin_route
from gateway.sink import read_sink

if TYPE_CHECKING:
    from gateway.app import Gateway


def _gateway(request: Request) -> Gateway:
    return request.app.state.gateway


def _limit(request: Request, default: int = 100, maximum: int = 1000) -> int:
    value = request.query_params.get("limit", "")
    return min(int(value), maximum) if value.isdigit() else default


async def outbox(request: Request) -> Response:
    """Queue depth and dead letters per destination, and the newest dead letters (without their event bodies)."""
    gateway = _gateway(request)
    depth = gateway.outbox.depth()
    dead = await gateway.outbox.dead_letter_counts()
    destinations = [
        {
            "name": d.name,
            "protocol": d.protocol,
            "enabled": d.enabled,
            "queued": depth.get(d.name, 0),
            "dead_letters": dead.get(d.name, 0),
        }
        for d in gateway.policy.destinations
    ]
    recent = await gateway.outbox.dead_letter_summary(_limit(request))
    return JSONResponse({"destinations": destinations, "recent_dead_letters": recent})


async def sink(request: Request) -> Response:
    """What the local sink received, newest first: the events as they would have been forwarded."""
    gateway = _gateway(request)
    principal = request.state.principal
    await gateway.audit.record(principal.name, principal.role, "sink.read", request.query_params.get("destination", "*"))
    events = await read_sink(gateway.db, request.query_params.get("destination"), _limit(request))
    return JSONResponse({"events": events})


def _float(request: Request, name: str) -> float | None:
    try:
        return float(request.query_params[name])
    except (KeyError, ValueError):
        return None


async def audit_log(request: Request) -> Response:
    """Audit entries, newest first. Filters: action, actor, target, since/until (epoch seconds), limit."""
    gateway = _gateway(request)
    query = request.query_params
    entries = await gateway.audit.query(
        action=query.get("action"), actor=query.get("actor"), target=query.get("target"),
        since=_float(request, "since"), until=_float(request, "until"), limit=_limit(request),
    )
    principal = request.state.principal
    await gateway.audit.record(principal.name, principal.role, "audit.read", "*", {"filters": dict(query)})
    return JSONResponse({"entries": entries})


async def audit_verify(request: Request) -> Response:
    """Walk the hash chain: {"ok": true, "rows": n} or the first row that does not match."""
    gateway = _gateway(request)
    result = await gateway.db.read(gateway.audit.verify)
    return JSONResponse({"ok": result.ok, "rows": result.rows, "first_bad_id": result.first_bad_id})


def routes() -> list[Route]:
    return [
        admin_route("/v1/outbox", outbox, roles=("admin",)),
        admin_route("/v1/sink", sink, roles=("admin",)),
        admin_route("/v1/audit", audit_log, roles=("compliance",)),
        admin_route("/v1/audit/verify", audit_verify, roles=("compliance",)),
    ]

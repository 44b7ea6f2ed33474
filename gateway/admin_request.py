"""What an admin handler reads from its request: who is calling, query parameters, and how a read of subject data is
written to the audit log. One place, so the handlers of every admin module read them alike."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from gateway.access import Principal
from gateway.bodies import read_body
from gateway.protocols.codec import ProtocolError, parse_json
from gateway.state import gateway_of

MAX_BODY = 256 * 1024  # an admin request names a few identifiers, a note, a selection: never more than this


def principal_of(request: Request) -> Principal:
    """Who is calling: set by gateway.access.AdminGuard before any admin route runs."""
    return request.state.principal


async def audit(request: Request, action: str, target: str, details: dict[str, Any] | None = None) -> None:
    """Record `action` on `target` by the caller; committed before the handler returns any data."""
    principal = principal_of(request)
    await gateway_of(request).audit.record(principal.name, principal.role, action, target, details)


async def json_object(request: Request, max_bytes: int = MAX_BODY) -> dict[str, Any]:
    """The body as a JSON object, read as carefully as an ingest body (an admin token leaks, a client misbehaves):
    ProtocolError 413 past `max_bytes`, 408 if it has not arrived within `[http] body_timeout_s`, 400 if it is not
    JSON, nests too deep or is not an object."""
    raw = await read_body(request, max_bytes, gateway_of(request).policy.http.body_timeout_s)
    body = parse_json(raw)
    if not isinstance(body, dict):
        raise ProtocolError(400, "invalid_request", "body must be a JSON object")
    return body


def refused(error: ProtocolError) -> JSONResponse:
    """The admin API's error shape for a refused body."""
    return JSONResponse({"error": error.code, "message": error.message}, status_code=error.status)


def int_param(request: Request, name: str) -> int | None:
    value = request.query_params.get(name, "")
    return int(value) if value.lstrip("-").isdigit() else None


def float_param(request: Request, name: str) -> float | None:
    try:
        return float(request.query_params[name])
    except (KeyError, ValueError):
        return None


def limit_param(request: Request, default: int = 100, maximum: int = 1000) -> int:
    value = request.query_params.get("limit", "")
    return min(int(value), maximum) if value.isdigit() else default


def not_found(message: str) -> JSONResponse:
    return JSONResponse({"error": "not_found", "message": message}, status_code=404)

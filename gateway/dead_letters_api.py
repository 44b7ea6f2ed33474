"""The dead letters over the admin API (role admin): what destinations refused for good, and what to do with it.

    GET  /admin/v1/dead-letters?destination=&source=&before=ID&limit=   newest first, without events; `next_before`
                                                                         pages on
    GET  /admin/v1/dead-letters/{id}                                     one, with its event and the destination's
                                                                         reply (audited: they hold personal data)
    POST /admin/v1/dead-letters/redrive   {"ids": [...]} | {"destination": "name"} | {"all": true}
    POST /admin/v1/dead-letters/purge     the same selection

Redrive and purge act on at most gateway.outbox.dead_letters.MAX_PER_CALL dead letters per call and say how many
match still (`remaining`); both are audited with the selection and the counts. The rules are the store's
(gateway.outbox.dead_letters); the CLI (`privacy-gateway dead-letters`) and the UI's page call these routes.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.access import admin_route
from gateway.admin_request import audit, int_param, limit_param, not_found
from gateway.bodies import read_body
from gateway.database import StorageUnavailable
from gateway.outbox.dead_letters import InvalidSelection, Selection
from gateway.outbox.store import OutboxFull
from gateway.protocols.codec import ProtocolError, parse_json
from gateway.state import gateway_of

ROLES = ("admin",)
MAX_BODY = 256 * 1024


def _error(status: int, code: str, message: str, retry_after: int | None = None) -> JSONResponse:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return JSONResponse({"error": code, "message": message}, status_code=status, headers=headers)


async def list_dead_letters(request: Request) -> Response:
    gateway = gateway_of(request)
    query = request.query_params
    limit = limit_param(request)
    found = await gateway.dead_letters.list(query.get("destination"), query.get("source"),
                                            int_param(request, "before"), limit)
    return JSONResponse({
        "dead_letters": found,
        "counts": await gateway.dead_letters.counts(),
        "next_before": found[-1]["id"] if len(found) == limit else None,
    })


async def get_dead_letter(request: Request) -> Response:
    gateway = gateway_of(request)
    try:
        dead_letter_id = int(request.path_params["dead_letter_id"])
    except ValueError:
        return not_found("no such dead letter")
    found = await gateway.dead_letters.get(dead_letter_id)
    if found is None:
        return not_found("no such dead letter")
    await audit(request, "dead_letters.read", str(dead_letter_id), {"destination": found["destination"]})
    return JSONResponse(found)


async def _selection(request: Request) -> Selection:
    try:
        raw = await read_body(request, MAX_BODY, gateway_of(request).policy.http.body_timeout_s)
        return Selection.parse(parse_json(raw))
    except ProtocolError as error:  # too large, too slow, not JSON, nested too deep
        raise InvalidSelection(error.message) from None


async def redrive(request: Request) -> Response:
    gateway = gateway_of(request)
    try:
        selection = await _selection(request)
        redriven = await gateway.dead_letters.redrive(selection)
    except InvalidSelection as error:
        return _error(400, "invalid_request", str(error))
    except OutboxFull as full:
        return _error(503, "outbox_full", "the outbox has no room for them now; retry later", full.retry_after)
    except StorageUnavailable as fault:
        return _error(503, "unavailable", f"the database cannot take writes ({fault.reason}); retry later",
                      gateway.policy.storage.retry_after_s)
    answer = redriven.to_dict()
    await audit(request, "dead_letters.redrive", _target(selection), {**selection.describe(), **answer})
    return JSONResponse(answer)


async def purge(request: Request) -> Response:
    gateway = gateway_of(request)
    try:
        selection = await _selection(request)
        purged, remaining = await gateway.dead_letters.purge(selection)
    except InvalidSelection as error:
        return _error(400, "invalid_request", str(error))
    except StorageUnavailable as fault:
        return _error(503, "unavailable", f"the database cannot take writes ({fault.reason}); retry later",
                      gateway.policy.storage.retry_after_s)
    answer: dict[str, Any] = {"purged": purged, "remaining": remaining}
    await audit(request, "dead_letters.purge", _target(selection), {**selection.describe(), **answer})
    return JSONResponse(answer)


def _target(selection: Selection) -> str:
    return selection.destination or "*"


def routes() -> list[Route]:
    return [
        admin_route("/v1/dead-letters", list_dead_letters, roles=ROLES),
        admin_route("/v1/dead-letters/redrive", redrive, roles=ROLES, methods=("POST",)),
        admin_route("/v1/dead-letters/purge", purge, roles=ROLES, methods=("POST",)),
        admin_route("/v1/dead-letters/{dead_letter_id}", get_dead_letter, roles=ROLES),
    ]

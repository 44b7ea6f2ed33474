"""Access requests over HTTP (the compliance role): file, list, follow, download the export. See
gateway.access_requests for what a request keeps and when it is due."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway import access_requests as store
from gateway.access import admin_route
from gateway.admin_request import audit, json_object, not_found, principal_of, refused
from gateway.deletion import Identifiers, InvalidRequest
from gateway.privacy_api import collect_subject
from gateway.protocols.codec import ProtocolError
from gateway.state import gateway_of

ROLES = ("compliance",)


def _invalid(message: str) -> JSONResponse:
    return JSONResponse({"error": "invalid_request", "message": message}, status_code=400)


async def create(request: Request) -> Response:
    gateway = gateway_of(request)
    try:
        body = await json_object(request)
    except ProtocolError as error:
        return refused(error)
    reference = body.get("reference", "")
    if not isinstance(reference, str) or len(reference) > store.MAX_REFERENCE:
        return _invalid(f"reference must be a string of at most {store.MAX_REFERENCE} characters "
                        "(no identifiers in it)")
    try:
        identifiers = Identifiers.parse(body.get("identifiers"))
    except InvalidRequest as error:
        return _invalid(str(error))
    hashes = sorted({gateway.identity.hash(v) for v in identifiers.every_value()})
    request_id = await gateway.db.write(lambda conn: store.create(
        conn, hashes, principal_of(request).name, reference.strip(), gateway.policy.privacy.response_days))
    await audit(request, "access_request.create", request_id, {"identifiers": len(hashes)})
    row = await gateway.db.read(lambda conn: store.one(conn, request_id))
    assert row is not None  # just written
    return JSONResponse(store.describe(row, time.time()), status_code=201)


async def list_requests(request: Request) -> Response:
    gateway = gateway_of(request)
    rows = await gateway.db.read(store.newest)
    await audit(request, "access_request.list", "*")
    now = time.time()
    return JSONResponse({"requests": [store.describe(row, now) for row in rows],
                         "response_days": gateway.policy.privacy.response_days})


def _summary(export: dict[str, Any]) -> dict[str, int]:
    return {key: len(value) if isinstance(value, list) else value for key, value in export.items()}


async def get_request(request: Request) -> Response:
    """One request, with how much the export holds per store (counts only: the data is in the download)."""
    gateway = gateway_of(request)
    request_id = request.path_params["request_id"]

    def read(conn: sqlite3.Connection) -> tuple[tuple[Any, ...] | None, dict[str, int]]:
        row = store.one(conn, request_id)
        return row, (_summary(collect_subject(conn, store.subjects(conn, request_id))) if row else {})

    row, holds = await gateway.db.read(read)
    if row is None:
        return not_found("no such access request")
    await audit(request, "access_request.read", request_id)
    return JSONResponse({**store.describe(row, time.time()), "holds": holds})


async def export(request: Request) -> Response:
    """The person's data as of now; the first download marks the request delivered."""
    gateway = gateway_of(request)
    request_id = request.path_params["request_id"]
    if await gateway.db.read(lambda conn: store.one(conn, request_id)) is None:
        return not_found("no such access request")
    await audit(request, "subject.export", request_id)
    data = await gateway.db.read(lambda conn: collect_subject(conn, store.subjects(conn, request_id)))
    who, now = principal_of(request).name, time.time()
    await gateway.db.write(lambda conn: store.delivered(conn, request_id, who, now))
    body = orjson.dumps({"access_request": request_id, "exported_at": now, **data}, option=orjson.OPT_INDENT_2)
    return Response(body, media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{request_id}-export.json"'})


def routes() -> list[Route]:
    return [
        admin_route("/v1/privacy/access-requests", create, roles=ROLES, methods=("POST",)),
        admin_route("/v1/privacy/access-requests", list_requests, roles=ROLES),
        admin_route("/v1/privacy/access-requests/{request_id}", get_request, roles=ROLES),
        admin_route("/v1/privacy/access-requests/{request_id}/export", export, roles=ROLES),
    ]

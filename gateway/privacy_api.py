"""The compliance API: deletion requests, their progress and receipts, and access requests (export of a subject).

    POST /admin/v1/privacy/deletions          {"identifiers": {"userId": "u-1", "email": "a@b.c"}, "reason": "...",
                                               "destinations": "all" | ["segment", ...], "include_claimed": false}
                                               -> 202 {"id", "status"}
    GET  /admin/v1/privacy/deletions          newest first
    GET  /admin/v1/privacy/deletions/{id}     progress per store and per destination, claimed links found
    GET  /admin/v1/privacy/deletions/{id}/receipt
    POST /admin/v1/privacy/receipts/verify    a receipt (JSON) -> {"valid", "problem", "key_id"}
    POST /admin/v1/privacy/subjects/export    {"identifiers": {...}, "include_claimed": false}  -> everything held
    GET  /admin/v1/privacy/subjects/export?userId=...   (the same; prefer POST: identifiers stay out of URLs and logs)
    GET  /.well-known/privacy-gateway/receipt-key       the public key receipts are signed with (no authentication)

A subject is the identifiers given and those verified-linked to them. Claimed links (from public-key traffic, which
anyone can send) are counted (`claimed_links`) but not followed unless `include_claimed` is true, which is audited.
Every call is written to the audit log (who, what, which request; never the identifiers).
"""

from __future__ import annotations

import hashlib
import sqlite3
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway import signed_documents
from gateway.access import admin_route
from gateway.admin_request import audit, json_object, not_found, principal_of, refused
from gateway.deletion import IDENTIFIER_KINDS, Identifiers, InvalidRequest
from gateway.identity import claimed_links, component
from gateway.protocols.codec import ProtocolError
from gateway.state import gateway_of
from replay.search import subject_match

ROLES = ("compliance",)


def _invalid(message: str) -> JSONResponse:
    return JSONResponse({"error": "invalid_request", "message": message}, status_code=400)


def _include_claimed(value: Any) -> bool:
    if value in ("true", "1"):  # a query parameter
        return True
    if value in ("false", "0", None):
        return False
    if not isinstance(value, bool):
        raise InvalidRequest("include_claimed must be true or false")
    return value


async def create_deletion(request: Request) -> Response:
    gateway = gateway_of(request)
    try:
        body = await json_object(request)
        identifiers = Identifiers.parse(body.get("identifiers"))
        reason = body.get("reason", "")
        if not isinstance(reason, str) or len(reason) > 500:
            raise InvalidRequest("reason must be a string of at most 500 characters (no identifiers in it)")
        # Kept with the request for years (and shown to compliance): what the PII engine leaves of it.
        reason = gateway.setup.scrubber.scrub_text(reason)
        deletion_id, created = await gateway.deletions.request(
            identifiers, reason, body.get("destinations", "all"), principal_of(request).name,
            _include_claimed(body.get("include_claimed", False)),
        )
    except InvalidRequest as error:
        return _invalid(str(error))
    except ProtocolError as error:
        return refused(error)
    status = await gateway.deletions.status(deletion_id)
    return JSONResponse({"id": deletion_id, "status": status["status"] if status else "pending", "created": created},
                        status_code=202, headers={"Location": f"/admin/v1/privacy/deletions/{deletion_id}"})


async def list_deletions(request: Request) -> Response:
    gateway = gateway_of(request)
    await audit(request, "deletion.list", "*")
    return JSONResponse({"deletions": await gateway.deletions.recent()})


async def get_deletion(request: Request) -> Response:
    gateway = gateway_of(request)
    deletion_id = request.path_params["deletion_id"]
    status = await gateway.deletions.status(deletion_id)
    if status is None:
        return not_found("no such deletion request")
    body = orjson.dumps(status)
    etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
    if request.headers.get("if-none-match") == etag:
        # The caller has this progress already (a page following the request): nothing is read anew, so nothing is
        # audited, and a page left open does not write an audit entry every two seconds.
        return Response(status_code=304, headers={"ETag": etag})
    await audit(request, "deletion.read", deletion_id)
    return Response(body, media_type="application/json", headers={"ETag": etag})


async def get_receipt(request: Request) -> Response:
    gateway = gateway_of(request)
    deletion_id = request.path_params["deletion_id"]
    receipt = await gateway.deletions.receipt(deletion_id)
    if receipt is None:
        return not_found("no receipt yet: the request is not finished")
    await audit(request, "deletion.receipt", deletion_id)
    return Response(orjson.dumps(receipt, option=orjson.OPT_INDENT_2), media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{deletion_id}-receipt.json"'})


def collect_subject(conn: sqlite3.Connection, hashes: set[str], include_claimed: bool = False) -> dict[str, Any]:
    """Everything the gateway holds for a subject (its identifiers' hashes and those verified-linked to them; with
    `include_claimed`, claimed-linked too)."""
    subject = component(conn, hashes, include_claimed)
    matches = [(s,) for s in subject]

    def rows(sql: str, per_subject: bool = True, binds: int = 1) -> list[dict[str, Any]]:
        """`sql`'s rows for each subject hash (bound `binds` times), or once."""
        found: dict[Any, dict[str, Any]] = {}
        for args in (matches if per_subject else [()]):
            cursor = conn.execute(sql, args * binds)
            names = [d[0] for d in cursor.description]
            for row in cursor:
                item = dict(zip(names, row, strict=True))
                if isinstance(item.get("body"), bytes):
                    item["body"] = orjson.loads(item["body"])
                found[item.get("id", len(found))] = item
        return list(found.values())

    sessions = [
        session for session in rows(
            "SELECT session_id AS id, session_id, source, first_ts, last_ts, urls, events, signals "
            f"FROM replay_sessions WHERE {subject_match(1)}", binds=2)
    ]
    for session in sessions:
        session["urls"] = orjson.loads(session["urls"])
        session["signals"] = orjson.loads(session["signals"])
    return {
        "identifier_hashes": len(subject),
        "claimed_links": 0 if include_claimed else claimed_links(conn, subject),
        "claimed_links_included": include_claimed,
        "consent_history": rows("SELECT id, granted, denied, occurred_at, source, via FROM consent_history "
                                "WHERE subject = ?"),
        "pending_events": rows("SELECT id, destination, message_id, enqueued_at, body FROM outbox "
                               "WHERE id IN (SELECT row_id FROM outbox_subjects WHERE subject = ?)"),
        "dead_letters": rows("SELECT id, destination, message_id, failed_at, reason, body FROM dead_letters "
                             "WHERE instr(subjects, ?) > 0"),
        "sink_events": rows("SELECT id, destination, message_id, delivered_at, body FROM sink_events "
                            "WHERE instr(subjects, ?) > 0"),
        "replay_sessions": sessions,
    }


async def export_subject(request: Request) -> Response:
    """An access request: everything held for the subject, as JSON. Audited (without the identifiers)."""
    gateway = gateway_of(request)
    try:
        if request.method == "POST":
            body = await json_object(request)
            raw, include = body.get("identifiers"), body.get("include_claimed", False)
        else:
            raw = {k: v for k, v in request.query_params.items() if k in IDENTIFIER_KINDS}
            include = request.query_params.get("include_claimed")
        identifiers = Identifiers.parse(raw)
        include_claimed = _include_claimed(include)
    except InvalidRequest as error:
        return _invalid(str(error))
    except ProtocolError as error:
        return refused(error)
    hashes = {gateway.identity.hash(v) for v in identifiers.every_value()}
    await audit(request, "subject.export", "subject", {"identifiers": len(hashes), "include_claimed": include_claimed})
    export = await gateway.db.read(lambda conn: collect_subject(conn, hashes, include_claimed))
    return JSONResponse(export)


async def verify_receipt(request: Request) -> Response:
    """Check a receipt someone presents (a data subject's copy, a regulator's) against the gateway's public key:
    the same check `privacy-gateway receipt verify` makes offline."""
    gateway = gateway_of(request)
    try:
        receipt = await json_object(request)
    except ProtocolError as error:
        return refused(error)
    key = gateway.signing_key.public
    checked = signed_documents.check(receipt, key)
    target = receipt.get("deletion_id")
    await audit(request, "receipt.verify", str(target or "-")[:100], {"valid": checked.ok})
    return JSONResponse({"valid": checked.ok, "problem": checked.problem, "key_id": key.key_id,
                         "deletion_id": target if isinstance(target, str) else None})


async def receipt_key(request: Request) -> Response:
    """The public key receipts and audit checkpoints are signed with: for anyone, without authentication."""
    document = signed_documents.public_key_document(gateway_of(request).signing_key.public)
    return JSONResponse(document, headers={"Cache-Control": "public, max-age=300"})


def public_routes() -> list[Route]:
    return [Route(signed_documents.PUBLIC_KEY_PATH, receipt_key)]


def routes() -> list[Route]:
    return [
        admin_route("/v1/privacy/deletions", create_deletion, roles=ROLES, methods=("POST",)),
        admin_route("/v1/privacy/deletions", list_deletions, roles=ROLES),
        admin_route("/v1/privacy/deletions/{deletion_id}", get_deletion, roles=ROLES),
        admin_route("/v1/privacy/deletions/{deletion_id}/receipt", get_receipt, roles=ROLES),
        admin_route("/v1/privacy/receipts/verify", verify_receipt, roles=ROLES, methods=("POST",)),
        admin_route("/v1/privacy/subjects/export", export_subject, roles=ROLES, methods=("GET", "POST")),
    ]

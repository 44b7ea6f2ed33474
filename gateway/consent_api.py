"""`POST /v1/consent`: a consent management platform (or the app's backend) records what a subject granted or denied.

    POST /v1/consent
    {"writeKey": "...", "userId": "u-1", "anonymousId": "a-9",
     "granted": ["analytics"], "denied": ["marketing"], "timestamp": "2026-11-27T10:00:00Z", "source": "onetrust"}

The write key may also come as the Basic-auth user or `?writeKey=`. The record goes into the consent ledger for every
identifier of the subject (the given ones and those linked to them). A purpose that becomes denied removes, in the
same transaction, the subject's events still queued for destinations that need it. Answered after the commit:
`{"status": "ok", "withdrawn": [...], "removed_queued_events": n}`; errors are `{"error", "message"}` with 400/401.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from gateway import request_context
from gateway.bodies import decode_content, read_body
from gateway.database import StorageUnavailable
from gateway.identity import component
from gateway.protocols.codec import ProtocolError, basic_auth_user
from gateway.state import gateway_of
from policies.consent import NECESSARY

MAX_BODY = 64 * 1024
ID_KEYS = ("userId", "anonymousId")


def _error(status: int, code: str, message: str, retry_after: int | None = None) -> JSONResponse:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return JSONResponse({"error": code, "message": message}, status_code=status, headers=headers)


def _timestamp(value: Any) -> float:
    if value is None:
        return time.time()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) / 1000 if value > 1e11 else float(value)  # epoch ms or seconds
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            pass
    raise ProtocolError(400, "invalid_request", "timestamp must be ISO 8601 or epoch milliseconds")


def _purposes(body: dict[str, Any], key: str, known: tuple[str, ...]) -> list[str]:
    value = body.get(key, [])
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise ProtocolError(400, "invalid_request", f"{key} must be a list of purposes")
    unknown = sorted(set(value) - set(known))
    if unknown:
        raise ProtocolError(400, "invalid_request", f"unknown purposes {unknown}; the policy declares {list(known)}")
    return [p for p in value if p != NECESSARY]  # necessary is always granted: nothing to record


async def record_consent(request: Request) -> Response:
    gateway = gateway_of(request)
    try:
        raw = await read_body(request, MAX_BODY)
        body = orjson.loads(decode_content(raw, request.headers.get("content-encoding"), MAX_BODY))
        if not isinstance(body, dict):
            raise ProtocolError(400, "invalid_request", "body must be a JSON object")
        write_key = body.get("writeKey") or request.query_params.get("writeKey") or basic_auth_user(request.headers)
        source = gateway.policy.source_for_key(write_key) if isinstance(write_key, str) else None
        if source is None:
            raise ProtocolError(401, "unauthorized", "missing or unknown write key")
        identifiers = [str(body[k]) for k in ID_KEYS if isinstance(body.get(k), (str, int)) and str(body[k]).strip()]
        if not identifiers:
            raise ProtocolError(400, "invalid_request", "give userId or anonymousId (or both)")
        known = gateway.policy.consent.purposes
        granted, denied = _purposes(body, "granted", known), _purposes(body, "denied", known)
        if set(granted) & set(denied):
            raise ProtocolError(400, "invalid_request", "a purpose cannot be granted and denied at once")
        if not granted and not denied:
            raise ProtocolError(400, "invalid_request", "nothing to record: give granted and/or denied purposes")
        occurred_at = _timestamp(body.get("timestamp"))
        stated = body.get("source")
        via = stated if isinstance(stated, str) else "api"
    except orjson.JSONDecodeError as exc:
        return _error(400, "invalid_request", f"body is not valid JSON: {exc}")
    except ProtocolError as error:
        gateway.metrics.inc("gateway_consent_api_rejected_total", reason=error.code)
        request_context.refused(error.code)
        return _error(error.status, error.code, error.message)

    hashes = {gateway.identity.hash(value) for value in identifiers}
    if gateway.suppression.suppressed(hashes):
        # The subject asked to be deleted: keep nothing new about them.
        gateway.metrics.inc("gateway_consent_api_suppressed_total", source=source.name)
        return JSONResponse({"status": "ok", "withdrawn": [], "removed_queued_events": 0})

    def write(conn: sqlite3.Connection) -> tuple[list[str], int]:
        subject = component(conn, hashes)
        recorded = gateway.ledger.record(conn, subject, granted, denied, occurred_at, source.name, via[:100])
        if not recorded.withdrawn:
            return [], 0
        needing = [d.name for d in gateway.policy.destinations if recorded.withdrawn & set(d.purposes)]
        return sorted(recorded.withdrawn), gateway.outbox.remove_subjects(conn, needing, subject)

    try:
        gateway.health.admit()
        withdrawn, removed = await gateway.db.write(write)
    except StorageUnavailable as fault:
        refusal = gateway.health.refusal(fault, "consent")
        return _error(refusal.status, refusal.code, refusal.message, refusal.retry_after)
    gateway.metrics.inc("gateway_consent_records_total", source=source.name)
    if removed:
        gateway.metrics.inc("gateway_consent_withdrawn_events_removed_total", removed, source=source.name)
    return JSONResponse({"status": "ok", "withdrawn": withdrawn, "removed_queued_events": removed})

"""Recording consent: `POST /v1/consent` for consent tools, browsers and the customer's backend, and
`POST /admin/v1/consent` for compliance officers.

    POST /v1/consent
    {"writeKey": "...", "anonymousId": "a-9", "granted": ["analytics"], "denied": ["marketing"],
     "timestamp": "2026-11-27T10:00:00Z", "source": "onetrust"}

What a record may say depends on who sends it (gateway.provenance):

- with a source's public write key (in every web page): consent for the device it names (`anonymousId`, `deviceId`),
  applied to that device's events only. A `userId` beside a device id is not taken (the answer says so); a `userId`
  alone is refused with 403.
- with a server key (Basic-auth user, `writeKey` or `?writeKey=`, as for events): consent for a user, applied to every
  identifier named and those verified-linked to them.
- with a signed consent token from the customer's backend (`{"writeKey": <public key>, "token": <JWT>}`, see
  gateway.consent_token): consent for the token's `sub` as user id, the purposes taken from the token.
- through the admin API (roles compliance and admin; audited): consent for a user.

A record is in force from the moment it is received (the ledger orders by receive time; `timestamp` is kept as
information). A withdrawal stops new events at once; with `[consent] on_withdrawal = "purge_queued"`, a user-scoped
withdrawal also removes, in the same transaction, the subject's events still queued for destinations that need the
purpose (by default they were accepted under the consent then in force and are delivered). Answered after the commit:

    {"status": "ok", "scope": "device", "provenance": "public", "state": {"analytics": "granted", ...},
     "withdrawn": [...], "removed_queued_events": n}

`state` is the resulting state of every declared purpose in the record's scope (`granted`, `denied` or `unset`).
Errors are `{"error", "message"}` with 400, 401, 403 or 409.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway import consent_token, request_context
from gateway.access import admin_route
from gateway.admin_request import audit, principal_of
from gateway.bodies import decode_content, read_body
from gateway.consent_ledger import Scope
from gateway.consent_token import ConsentClaims, TokenRefused
from gateway.database import StorageUnavailable
from gateway.identity import component
from gateway.protocols.codec import ProtocolError, basic_auth_user, parse_json
from gateway.provenance import Provenance
from gateway.state import Gateway, gateway_of
from gateway.storage.connection import Connection
from policies.consent import NECESSARY
from replay import service as replay_service

MAX_BODY = 64 * 1024
DEVICE_KEYS = ("anonymousId", "deviceId")
ID_KEYS = ("userId", *DEVICE_KEYS)
USER_SCOPE_NEEDS = "consent for a userId needs a server key, a signed consent token or the admin API"


@dataclass
class ConsentRecord:
    """One consent record as the request said it, checked, with who said it."""

    source: str
    identifiers: list[str]  # in clear, for hashing
    granted: list[str]
    denied: list[str]
    scope: Scope
    provenance: Provenance
    via: str
    occurred_at: float | None = None
    claims: ConsentClaims | None = None  # a token's, to spend in the same write
    notes: list[str] = field(default_factory=list)


def _error(status: int, code: str, message: str, retry_after: int | None = None) -> JSONResponse:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return JSONResponse({"error": code, "message": message}, status_code=status, headers=headers)


def _timestamp(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) / 1000 if value > 1e11 else float(value)  # epoch ms or seconds
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            pass
    raise ProtocolError(400, "invalid_request", "timestamp must be ISO 8601 or epoch milliseconds")


def _purposes(value: Any, key: str, known: tuple[str, ...]) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise ProtocolError(400, "invalid_request", f"{key} must be a list of purposes")
    unknown = sorted(set(value) - set(known))
    if unknown:
        raise ProtocolError(400, "invalid_request", f"unknown purposes {unknown}; the policy declares {list(known)}")
    return [p for p in value if p != NECESSARY]  # necessary is always granted: nothing to record


def _choices(granted: Any, denied: Any, known: tuple[str, ...], where: str = "") -> tuple[list[str], list[str]]:
    granted_list, denied_list = _purposes(granted, f"{where}granted", known), _purposes(denied, f"{where}denied", known)
    if set(granted_list) & set(denied_list):
        raise ProtocolError(400, "invalid_request", "a purpose cannot be granted and denied at once")
    if not granted_list and not denied_list:
        raise ProtocolError(400, "invalid_request", "nothing to record: give granted and/or denied purposes")
    return granted_list, denied_list


def _ids(body: dict[str, Any], keys: tuple[str, ...]) -> dict[str, str]:
    return {k: str(body[k]) for k in keys
            if isinstance(body.get(k), (str, int)) and not isinstance(body.get(k), bool) and str(body[k]).strip()}


def _via(body: dict[str, Any]) -> str:
    stated = body.get("source")
    return (stated if isinstance(stated, str) else "api")[:100]


async def _json_object(request: Request, gateway: Gateway) -> dict[str, Any]:
    raw = await read_body(request, MAX_BODY, gateway.policy.http.body_timeout_s)
    body = parse_json(decode_content(raw, request.headers.get("content-encoding"), MAX_BODY))
    if not isinstance(body, dict):
        raise ProtocolError(400, "invalid_request", "body must be a JSON object")
    return body


def _from_key(body: dict[str, Any], source: str, kind: Provenance, known: tuple[str, ...]) -> ConsentRecord:
    """A record sent with a source key: device-scoped for a public key, user-scoped for a server key."""
    named = _ids(body, ID_KEYS)
    if not named:
        raise ProtocolError(400, "invalid_request", "give anonymousId, deviceId or userId")
    granted, denied = _choices(body.get("granted", []), body.get("denied", []), known)
    occurred_at = _timestamp(body.get("timestamp"))
    if kind == "server":
        return ConsentRecord(source, list(named.values()), granted, denied, "subject", "server", _via(body),
                             occurred_at)
    devices = [named[k] for k in DEVICE_KEYS if k in named]
    if not devices:
        raise ProtocolError(403, "forbidden", f"a public write key records consent for the device it names "
                                              f"(anonymousId or deviceId); {USER_SCOPE_NEEDS}")
    record = ConsentRecord(source, devices, granted, denied, "device", "public", _via(body), occurred_at)
    if "userId" in named:
        record.notes.append(f"recorded for the device only: {USER_SCOPE_NEEDS}")
    return record


def _from_token(body: dict[str, Any], source: str, gateway: Gateway) -> ConsentRecord:
    """A record carried by a consent token: the user and the purposes are the token's."""
    config = gateway.policy.consent
    if any(k in body for k in ("granted", "denied", "userId")):
        raise ProtocolError(400, "invalid_request", "with a token, the user and the purposes come from the token: "
                                                    "leave userId, granted and denied out of the body")
    try:
        claims = consent_token.read_token(body["token"], config, time.time())
    except TokenRefused as refused:
        raise ProtocolError(refused.status, refused.code, refused.message) from None
    granted, denied = _choices(claims.granted, claims.denied, config.purposes, "token claim ")
    return ConsentRecord(source, [claims.subject], granted, denied, "subject", "token", _via(body),
                         claims.issued_at, claims)


async def record_consent(request: Request) -> Response:
    """`POST /v1/consent`, with a public key, a server key or a consent token."""
    gateway = gateway_of(request)
    try:
        body = await _json_object(request, gateway)
        key = body.get("writeKey") or request.query_params.get("writeKey") or basic_auth_user(request.headers)
        found = gateway.policy.source_key(key) if isinstance(key, str) else None
        if found is None:
            raise ProtocolError(401, "unauthorized", "missing or unknown write key")
        if "token" in body:
            record = _from_token(body, found.source.name, gateway)
        else:
            record = _from_key(body, found.source.name, found.kind, gateway.policy.consent.purposes)
        answer = await _apply(gateway, record)
    except StorageUnavailable as fault:
        refusal = gateway.health.refusal(fault, "consent")
        return _error(refusal.status, refusal.code, refusal.message, refusal.retry_after)
    except ProtocolError as error:
        gateway.metrics.inc("gateway_consent_api_rejected_total", reason=error.code)
        request_context.refused(error.code)
        return _error(error.status, error.code, error.message)
    return JSONResponse(answer)


async def admin_record_consent(request: Request) -> Response:
    """`POST /admin/v1/consent` `{"userId", "anonymousId", "deviceId", "granted", "denied", "reason"}`: a
    compliance officer records consent for a user (given on paper, by phone, in a support ticket). Audited."""
    gateway = gateway_of(request)
    try:
        body = await _json_object(request, gateway)
        named = _ids(body, ID_KEYS)
        if not named:
            raise ProtocolError(400, "invalid_request", "give userId, anonymousId or deviceId")
        granted, denied = _choices(body.get("granted", []), body.get("denied", []), gateway.policy.consent.purposes)
        principal = principal_of(request)
        record = ConsentRecord("admin", list(named.values()), granted, denied, "subject", "admin",
                               f"admin:{principal.name}"[:100], _timestamp(body.get("timestamp")))
        answer = await _apply(gateway, record)
    except StorageUnavailable as fault:
        refusal = gateway.health.refusal(fault, "consent")
        return _error(refusal.status, refusal.code, refusal.message, refusal.retry_after)
    except ProtocolError as error:
        return _error(error.status, error.code, error.message)
    await audit(request, "consent.recorded", "subject", {"granted": granted, "denied": denied,
                                                         "withdrawn": answer["withdrawn"]})
    return JSONResponse(answer)


async def _apply(gateway: Gateway, record: ConsentRecord) -> dict[str, Any]:
    """Write the record (and spend its token) in one transaction; the answer once it is committed."""
    hashes = {gateway.identity.hash(value) for value in record.identifiers}
    if gateway.suppression.suppressed(hashes):
        # The subject asked to be deleted: keep nothing new about them.
        gateway.metrics.inc("gateway_consent_api_suppressed_total", source=record.source)
        return {"status": "ok", "scope": record.scope, "provenance": record.provenance, "state": {},
                "withdrawn": [], "removed_queued_events": 0}
    purge = gateway.policy.consent.on_withdrawal == "purge_queued" and record.scope == "subject"

    def write(conn: Connection) -> tuple[dict[str, bool], list[str], int]:
        if record.claims is not None:
            try:
                consent_token.spend(conn, record.claims, time.time())
            except TokenRefused as refused:
                raise ProtocolError(refused.status, refused.code, refused.message) from None
        # A device's record is for exactly the devices named; a user's reaches their verified-linked identifiers.
        subject = hashes if record.scope == "device" else component(conn, hashes)
        recorded = gateway.ledger.record(conn, subject, record.granted, record.denied, scope=record.scope,
                                         provenance=record.provenance, source=record.source, via=record.via,
                                         occurred_at=record.occurred_at)
        removed = 0
        if recorded.withdrawn and purge:
            needing = [d.name for d in gateway.policy.destinations if recorded.withdrawn & set(d.purposes)]
            removed = gateway.outbox.remove_subjects(conn, needing, subject)
            if replay_service.PURPOSE in recorded.withdrawn:  # the recordings queued for replay destinations
                taking = [d.name for d in gateway.policy.destinations if d.replay and d.name not in needing]
                removed += gateway.outbox.remove_subjects(conn, taking, subject, kind="recording")
        return dict(recorded.state), sorted(recorded.withdrawn), removed

    gateway.health.admit()  # StorageUnavailable when the disk is full or the writer is down: answered 503
    state, withdrawn, removed = await gateway.db.write(write)
    gateway.metrics.inc("gateway_consent_records_total", source=record.source, provenance=record.provenance)
    if removed:
        gateway.metrics.inc("gateway_consent_withdrawn_events_removed_total", removed, source=record.source)
    answer: dict[str, Any] = {
        "status": "ok", "scope": record.scope, "provenance": record.provenance,
        "state": {p: ("unset" if p not in state else "granted" if state[p] else "denied")
                  for p in gateway.policy.consent.purposes if p != NECESSARY},
        "withdrawn": withdrawn, "removed_queued_events": removed,
    }
    if record.notes:
        answer["note"] = " ".join(record.notes)
    return answer


def admin_routes() -> list[Route]:
    return [admin_route("/v1/consent", admin_record_consent, roles=("compliance",), methods=("POST",))]

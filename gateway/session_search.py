"""Finding sessions over HTTP: the admin API's session list with its filters, total and pages, the same search as a
POST (identifiers in the body, out of URLs and access logs), and the previous and next flagged session.

    GET  /admin/v1/replay/sessions?email=a@b.c&from=2026-12-01&to=2026-12-03&signal=rage_click&min_score=1
         &order=score&limit=50&offset=0                        -> {"sessions": [...], "total": N, "limit", "offset"}
    POST /admin/v1/replay/sessions/search  {"email": "a@b.c", "from": "2026-12-01", ...}   (the same answer)
    GET  /admin/v1/replay/sessions?signal=rage_click&page=/checkout&element=button.pay   -> a report row's sessions
    GET  /admin/v1/replay/sessions/{id}/neighbours?order=score&signal=...  -> {"previous": id|null, "next": id|null}

A person (`user`, `anonymous_id`, `email`) is looked for by the keyed hashes of what was given, widened to every
identifier *verified*-linked to them (gateway.identity: links a server key, a consent token or the admin API made): a
session recorded under an anonymous id is found by the user's e-mail once the backend's identify joined them. Links a
browser only claimed (a write key's identify) are followed when asked (`include_claimed=1`): anyone can claim a
stranger's id, so by default a search does not show one person's sessions under another's identifier. The answer's
`claimed_links` counts the claimed links found and not followed, so the agent knows there is more to look at. The
audit entry of such a search names the person by those same hashes, never the value, so a compliance officer can tell
which searches concerned a subject.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from gateway.admin_request import audit, json_object, not_found, refused
from gateway.deletion import Identifiers, InvalidRequest
from gateway.identity import claimed_links, component
from gateway.protocols.codec import ProtocolError
from gateway.state import Gateway, gateway_of
from replay import search
from replay.search import SessionQuery

PERSON_PARAMS = {"user": "userId", "anonymous_id": "anonymousId", "email": "email"}
FILTER_PARAMS = ("source", "url", "signal", "page", "element", "min_score", "since", "until", "from", "to", "flagged",
                 "order", "include_claimed")
YES = ("1", "true")
MAX_LIMIT = 500


class BadSearch(ValueError):
    pass


def time_ms(text: str, name: str, *, end: bool = False) -> int:
    """Epoch milliseconds, a YYYY-MM-DD date (UTC; an end date takes in the whole day) or an ISO 8601 time."""
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        if len(text) == 10:
            day = date.fromisoformat(text) + timedelta(days=1 if end else 0)
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    except ValueError:
        raise BadSearch(f"{name} must be a date (YYYY-MM-DD), an ISO 8601 time or epoch milliseconds") from None
    return int(moment.timestamp() * 1000)


def _number(params: dict[str, str], name: str) -> float | None:
    if not params.get(name):
        return None
    try:
        return float(params[name])
    except ValueError:
        raise BadSearch(f"{name} must be a number") from None


def _count(params: dict[str, str], name: str, default: int, maximum: int) -> int:
    value = params.get(name, "")
    if not value:
        return default
    if not value.isdigit():
        raise BadSearch(f"{name} must be a whole number")
    return min(int(value), maximum)


def _window(params: dict[str, str]) -> tuple[int | None, int | None]:
    """The time range: `from`/`to` (dates or times) or `since`/`until` (epoch ms), whichever is given."""
    since = params.get("from") or params.get("since")
    until = params.get("to") or params.get("until")
    return (time_ms(since, "from") if since else None,
            time_ms(until, "to", end=True) if until else None)


@dataclass(frozen=True)
class Person:
    subjects: frozenset[str]  # the given identifiers' hashes and those linked to them
    hashed: dict[str, str]  # parameter -> the given identifier's hash: what the audit may say
    claimed_links: int  # claimed links found and not followed


async def person(gateway: Gateway, params: dict[str, str]) -> Person | None:
    """The person asked for, as keyed hashes; None when no person was asked for."""
    given = {kind: params[name] for name, kind in PERSON_PARAMS.items() if params.get(name, "").strip()}
    if not given:
        return None
    try:
        identifiers = Identifiers.parse(given)
    except InvalidRequest as error:
        raise BadSearch(str(error)) from None
    hashed = {kind: gateway.identity.hash(values[0]) for kind, values in identifiers.values.items()}
    include_claimed = params.get("include_claimed", "") in YES

    def linked(conn: sqlite3.Connection) -> tuple[set[str], int]:
        subjects = component(conn, hashed.values(), include_claimed)
        return subjects, 0 if include_claimed else claimed_links(conn, subjects)

    subjects, claimed = await gateway.db.read(linked)
    names = {kind: name for name, kind in PERSON_PARAMS.items()}
    return Person(frozenset(subjects), {names[kind]: digest for kind, digest in hashed.items()}, claimed)


async def query_of(gateway: Gateway, params: dict[str, str]) -> tuple[SessionQuery, dict[str, Any]]:
    """The search the parameters ask for, and what its audit entry records (no identifier in clear; `claimed_links`
    when a person was asked for)."""
    who = await person(gateway, params)
    since_ms, until_ms = _window(params)
    try:
        query = SessionQuery(
            source=params.get("source") or None, url=params.get("url") or None, signal=params.get("signal") or None,
            min_score=_number(params, "min_score"), since_ms=since_ms, until_ms=until_ms,
            subjects=who.subjects if who else None, flagged=params.get("flagged", "") in YES,
            page=params.get("page") or None, element=params.get("element") or None,
            order=params.get("order") or "time",
        )
    except ValueError as error:
        raise BadSearch(str(error)) from None
    recorded: dict[str, Any] = {"filters": {k: params[k] for k in FILTER_PARAMS if params.get(k)}}
    if who is not None:
        recorded["person"] = who.hashed
        recorded["claimed_links"] = who.claimed_links
    return query, recorded


def _invalid(error: BadSearch) -> JSONResponse:
    return JSONResponse({"error": "invalid_request", "message": str(error)}, status_code=400)


async def _answer(request: Request, params: dict[str, str]) -> Response:
    gateway = gateway_of(request)
    try:
        query, recorded = await query_of(gateway, params)
        limit = _count(params, "limit", 50, MAX_LIMIT)
        offset = _count(params, "offset", 0, 2**31)
    except BadSearch as error:
        return _invalid(error)
    found = await gateway.db.read(lambda conn: search.find(conn, query, limit, offset))
    action = "replay.search_person" if "person" in recorded else "replay.list_sessions"
    await audit(request, action, "*", {**recorded, "returned": len(found.sessions), "total": found.total})
    answer: dict[str, Any] = {"sessions": found.sessions, "total": found.total, "limit": limit, "offset": offset}
    if "person" in recorded:
        answer["claimed_links"] = recorded["claimed_links"]
    return JSONResponse(answer)


async def list_sessions(request: Request) -> Response:
    return await _answer(request, dict(request.query_params))


async def search_sessions(request: Request) -> Response:
    try:
        body = await json_object(request)
    except ProtocolError as error:
        return refused(error)
    return await _answer(request, {str(k): "" if v is None else str(v) for k, v in body.items()})


async def session_neighbours(request: Request) -> Response:
    """The previous and next flagged session around this one, in the order and filters of the queue it was opened
    from (a person is not among those filters: identifiers stay out of the queue's links)."""
    gateway = gateway_of(request)
    session_id = request.path_params["session_id"]
    params = {k: v for k, v in request.query_params.items() if k not in PERSON_PARAMS}
    try:
        query, recorded = await query_of(gateway, params)
    except BadSearch as error:
        return _invalid(error)
    around = await gateway.db.read(lambda conn: search.neighbours(conn, query, session_id))
    if around is None:
        return not_found("no such session")
    await audit(request, "replay.neighbours", session_id, recorded)
    return JSONResponse(around)

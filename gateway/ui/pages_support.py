"""Support agents' pages: the queue of flagged sessions, finding a person's sessions, and a session with its signals,
the replay, its console and network timeline, the review and the previous and next flagged session of the queue it was
opened from.

Finding a person posts the identifier (never in a URL, the browser's history or an access log) and shows that
person's sessions, flagged or not; the API hashes it and audits the search by hash.

Sessions, signals, console timelines and events come from the admin API (gateway.ui.api), so every read is audited
as the API audits it; reviews go through gateway.reviews, as the review API does.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote, urlencode

import httpx
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from gateway import reviews, reviews_api
from gateway.session_path import SESSION_ID
from gateway.state import gateway_of
from gateway.ui import api
from gateway.ui.auth import page
from gateway.ui.forms import day_ms
from gateway.ui.navigation import ui_root
from gateway.ui.render import player_installed, render
from gateway.ui.session import UiSession
from replay.store import SIGNAL_KINDS

SECTION = "queue"
QUEUE_PAGE = 25
SCAN_BATCH = 200  # sessions asked of the API at a time while filling a page
SCAN_LIMIT = 2000  # at most this many per page view; past it the page offers to look further
ORDERS = {"score": "Frustration score", "time": "Newest first"}
STATUS_FILTERS = {"open": "Open", "reviewed": "Reviewed", "dismissed": "Dismissed", "all": "Any status"}
PERSON_KINDS = {"email": "E-mail", "user": "User id", "anonymous_id": "Anonymous id"}
FIND_PAGE = 25
SEEK_LEAD_IN_MS = 1000  # jumping to a signal starts the replay this much earlier, to show what led to it


@dataclass(frozen=True)
class QueueFilters:
    order: str = "score"
    signal: str = ""
    url: str = ""
    source: str = ""
    status: str = "open"
    since: str = ""  # YYYY-MM-DD
    until: str = ""  # YYYY-MM-DD, the whole day included
    min_score: str = ""
    page: str = ""  # a frustration report row's page and element: its example sessions
    element: str = ""
    offset: int = 0

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> QueueFilters:
        offset = query.get("offset", "")
        order, signal, status = query.get("order", ""), query.get("signal", ""), query.get("status", "")
        since, until, min_score = query.get("since", ""), query.get("until", ""), query.get("min_score", "").strip()
        return cls(
            order=order if order in ORDERS else "score",
            signal=signal if signal in SIGNAL_KINDS else "",
            url=query.get("url", "").strip()[:200],
            source=query.get("source", "").strip()[:100],
            status=status if status in STATUS_FILTERS else "open",
            since=since if day_ms(since) is not None else "",
            until=until if day_ms(until) is not None else "",
            min_score=min_score if min_score.replace(".", "", 1).isdigit() else "",
            page=query.get("page", "")[:2000], element=query.get("element", "")[:2000],
            offset=int(offset) if offset.isdigit() else 0,
        )

    def api_query(self) -> dict[str, str]:
        """The API's filters for this view: flagged sessions only (the queue's whole point)."""
        return {"order": self.order, "signal": self.signal, "url": self.url, "source": self.source,
                "from": self.since, "to": self.until, "min_score": self.min_score, "page": self.page,
                "element": self.element, "flagged": "1"}

    def link(self, **changes: Any) -> str:
        """The query string of this view with some filters changed (back to the first page unless told)."""
        changed = replace(self, **{"offset": 0, **changes})
        defaults = QueueFilters()
        fields = {k: v for k, v in changed.__dict__.items() if v != getattr(defaults, k)}
        return "?" + urlencode(fields) if fields else "?"

    @property
    def filtered(self) -> bool:
        """Narrowed by anything but the review status."""
        return bool(self.signal or self.url or self.source or self.since or self.until or self.min_score
                    or self.page or self.element)

    @property
    def narrowed(self) -> bool:
        return self.filtered or self.status != "open"


def flagged(session: Mapping[str, Any]) -> bool:
    return session.get("score", 0) > 0 or any(n for n in (session.get("signals") or {}).values())


def matches_status(review: reviews.Review | None, status: str) -> bool:
    current = review.status if review else "open"
    return status == "all" or current == status


@dataclass
class QueuePage:
    rows: list[tuple[dict[str, Any], reviews.Review | None]]
    next_offset: int | None  # where the next page starts, if there may be one
    scanned_out: bool  # stopped at SCAN_LIMIT: more may match further on
    total: int = 0  # flagged sessions matching the filters, whatever their review status


async def queue_page(request: Request, session: UiSession, filters: QueueFilters) -> QueuePage | httpx.Response:
    """One page of flagged sessions with their review status, through the sessions API (which filters by signal,
    URL and source and orders); flagged-ness and review status are applied here, reading on in batches. Reviews are
    support's: for another role (ux) every flagged session is listed, and no review is read."""
    gateway = gateway_of(request)
    reviewing = may_review(session)
    rows: list[tuple[dict[str, Any], reviews.Review | None]] = []
    offset, scanned, total = filters.offset, 0, 0
    while scanned < SCAN_LIMIT:
        answer = await api.call(request, session.principal, "GET", "/v1/replay/sessions",
                                query={**filters.api_query(), "limit": str(SCAN_BATCH), "offset": str(offset)})
        if not answer.is_success:
            return answer
        batch, total = answer.json()["sessions"], answer.json()["total"]
        ids = [s["session_id"] for s in batch]
        current = await gateway.db.read(functools.partial(reviews.latest, session_ids=ids)) if reviewing else {}
        for i, item in enumerate(batch):
            review = current.get(item["session_id"])
            if flagged(item) and matches_status(review, filters.status):
                if len(rows) == QUEUE_PAGE:
                    return QueuePage(rows, offset + i, False, total)
                rows.append((item, review))
        if len(batch) < SCAN_BATCH:
            return QueuePage(rows, None, False, total)
        offset += len(batch)
        scanned += len(batch)
    return QueuePage(rows, offset, True, total)


async def queue(request: Request, session: UiSession) -> Response:
    filters = QueueFilters.from_query(request.query_params)
    if not may_review(session):
        filters = replace(filters, status="all")  # review status is support's: every flagged session
    result = await queue_page(request, session, filters)
    if isinstance(result, httpx.Response):
        return _api_error(request, session, result)
    return render(request, "queue.html", {
        "may_review": may_review(session),
        "title": "Review queue",
        "filters": filters,
        "result": result,
        "orders": ORDERS,
        "statuses": STATUS_FILTERS,
        "kinds": SIGNAL_KINDS,
        "sources": [s.name for s in gateway_of(request).policy.sources],
        "person_kinds": PERSON_KINDS,
    }, session=session, section=SECTION)


async def find_person(request: Request, session: UiSession) -> Response:
    """A person's sessions, flagged or not, newest first: the identifier comes in a POST and goes to the API in one."""
    form = request.state.form
    kind = form.get("kind") if form.get("kind") in PERSON_KINDS else "email"
    value = form.get("value").strip()[:300]
    since, until = form.get("since"), form.get("until")
    offset = int(form.get("offset")) if form.get("offset").isdigit() else 0
    asked = {"kind": kind, "value": value, "since": since if day_ms(since) is not None else "",
             "until": until if day_ms(until) is not None else "",
             "include_claimed": "1" if form.get("include_claimed") == "1" else ""}
    context: dict[str, Any] = {"title": "Find a person's sessions", "asked": asked, "person_kinds": PERSON_KINDS,
                               "found": None, "error": None, "offset": offset, "page_size": FIND_PAGE}
    if not value:
        context["error"] = f"Enter the person's {PERSON_KINDS[kind].lower()}."
        return render(request, "find.html", context, session=session, section=SECTION, status_code=400)
    answer = await api.call(request, session.principal, "POST", "/v1/replay/sessions/search", json={
        kind: value, "from": asked["since"], "to": asked["until"], "include_claimed": asked["include_claimed"],
        "limit": FIND_PAGE, "offset": offset})
    if answer.status_code == 400:
        context["error"] = api.message(answer)
        return render(request, "find.html", context, session=session, section=SECTION, status_code=400)
    if not answer.is_success:
        return _api_error(request, session, answer)
    context["found"] = answer.json()
    return render(request, "find.html", context, session=session, section=SECTION)


def _api_error(request: Request, session: UiSession, answer: httpx.Response) -> Response:
    titles = {403: "Not for your role", 404: "Not found"}
    status = answer.status_code
    return render(request, "error.html", {"title": titles.get(status, "Something went wrong"), "status": status,
                                          "message": api.message(answer)},
                  session=session, status_code=status if status >= 400 else 502, section=SECTION)


async def _session_view(request: Request, session: UiSession, session_id: str, *, error: str | None = None,
                        form: Mapping[str, str] | None = None, status_code: int = 200) -> Response:
    path = f"/v1/replay/sessions/{quote(session_id, safe='')}"  # any stored id, `/` included
    meta = await api.call(request, session.principal, "GET", path)
    if not meta.is_success:
        return _api_error(request, session, meta)
    signals = await api.call(request, session.principal, "GET", f"{path}/signals")
    if not signals.is_success:
        return _api_error(request, session, signals)
    logged = await api.call(request, session.principal, "GET", f"{path}/console")
    if not logged.is_success:
        return _api_error(request, session, logged)
    recording = meta.json()
    found = signals.json()["signals"]
    filters = QueueFilters.from_query(request.query_params)
    around = await api.call(request, session.principal, "GET", f"/v1/replay/sessions/{quote(session_id, safe='')}"
                            "/neighbours", query=filters.api_query())
    if not around.is_success:
        return _api_error(request, session, around)
    # Reviews are support's (the reviews API's roles): others see neither the history nor the notes.
    history = await gateway_of(request).db.read(lambda conn: reviews.history(conn, session_id)) \
        if may_review(session) else []
    start = recording.get("first_ts") or 0
    return render(request, "session.html", {
        "title": f"Session {session_id}",
        "recording": recording,
        "signals": found,
        "console": logged.json(),
        "start": start,
        "history": history,
        "current": history[0] if history else None,
        "player_installed": player_installed(),
        "events_url": f"{ui_root(request)}/sessions/{quote(session_id, safe='')}/events",
        "lead_in_ms": SEEK_LEAD_IN_MS,
        "error_click_window_ms": gateway_of(request).policy.replay.detect.error_click_window_ms,
        "error": error,
        "form": form or {},
        "saved": request.query_params.get("saved", ""),
        "at": int(request.query_params["at"]) if request.query_params.get("at", "").isdigit() else None,
        "shared": request.query_params.get("shared") == "1",
        "share_link": f"{str(request.base_url).rstrip('/')}{ui_root(request)}/sessions/{quote(session_id, safe='')}"
                      f"?at={request.query_params.get('at', '')}",
        "filters": filters,
        "around": around.json(),
        "note_limit": reviews.MAX_NOTE_CHARS,
        "may_review": may_review(session),
    }, session=session, section=SECTION, status_code=status_code)


async def session_page(request: Request, session: UiSession) -> Response:
    return await _session_view(request, session, request.path_params["session_id"])


def may_review(session: UiSession) -> bool:
    return session.role == "admin" or session.role in reviews_api.ROLES


async def review(request: Request, session: UiSession) -> Response:
    session_id = request.path_params["session_id"]
    if not may_review(session):
        return render(request, "error.html", {"title": "Not for your role", "status": 403,
                                              "message": "Reviewing sessions is for support agents."},
                      session=session, status_code=403, section=SECTION)
    form = request.state.form
    try:
        gateway = gateway_of(request)
        saved = await reviews.submit(gateway.db, gateway.replay.store, gateway.audit, session.principal, session_id,
                                     form.get("status"), form.get("note"), gateway.setup.scrubber.scrub_text)
    except reviews.InvalidReview as error:
        return await _session_view(request, session, session_id, error=str(error).capitalize() + ".",
                                   form={"status": form.get("status"), "note": form.get("note")}, status_code=400)
    except reviews.NoSuchSession:
        return render(request, "error.html", {"title": "Not found", "status": 404, "message": "No such session."},
                      session=session, status_code=404, section=SECTION)
    back = QueueFilters.from_query(request.query_params).link()  # the queue it was opened from, for "next"
    target = f"{ui_root(request)}/sessions/{quote(session_id, safe='')}{back}{'&' if back != '?' else ''}" \
             f"saved={saved.status}"
    return RedirectResponse(target, status_code=303)


async def share(request: Request, session: UiSession) -> Response:
    """"Share this moment": the API makes (and audits) the link; the page shows it, the player at that moment."""
    session_id = request.path_params["session_id"]
    at = request.state.form.get("at")
    answer = await api.call(request, session.principal, "POST",
                            f"/v1/replay/sessions/{quote(session_id, safe='')}/share",
                            json={"at_ms": int(at) if at.isdigit() else -1})
    if answer.status_code == 400:
        return await _session_view(request, session, session_id, error="Play the recording to the moment to share.",
                                   status_code=400)
    if not answer.is_success:
        return _api_error(request, session, answer)
    at_ms = answer.json()["at_ms"]
    return RedirectResponse(f"{ui_root(request)}/sessions/{quote(session_id, safe='')}?at={at_ms}&shared=1",
                            status_code=303)


async def events(request: Request, session: UiSession) -> ASGIApp:
    """The recording for the player: the events API's answer, streamed through."""
    return api.relay(request, session.principal, f"/v1/replay/sessions/{request.path_params['session_id']}/events")


def routes() -> list[Route]:
    return [
        Route("/sessions", page(SECTION, queue), methods=["GET"]),
        Route("/sessions/find", page(SECTION, find_person), methods=["POST"]),
        Route(f"/sessions/{SESSION_ID}", page(SECTION, session_page), methods=["GET"]),
        Route(f"/sessions/{SESSION_ID}/events", page(SECTION, events, json=True), methods=["GET"]),
        Route(f"/sessions/{SESSION_ID}/review", page(SECTION, review), methods=["POST"]),
        Route(f"/sessions/{SESSION_ID}/share", page(SECTION, share), methods=["POST"]),
    ]

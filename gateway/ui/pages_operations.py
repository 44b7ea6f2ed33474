"""Operators' pages (role admin): the dead letters, what destinations refused for good, with the reason; one opened
shows its event and the vendor's reply (an audited read, as the API audits it); redrive or purge some, a
destination's, or all.

Everything goes through the admin API (gateway.ui.api): `/v1/dead-letters...`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from gateway.ui import api
from gateway.ui.auth import page
from gateway.ui.forms import FormData
from gateway.ui.navigation import ui_root
from gateway.ui.render import render
from gateway.ui.session import UiSession

SECTION = "dead_letters"
API = "/v1/dead-letters"
PAGE = 50
ACTIONS = {"redrive": "redriven", "purge": "purged"}


def _unavailable(request: Request, session: UiSession, answer: Any, title: str) -> Response:
    return render(request, "error.html", {"title": title, "status": answer.status_code,
                                          "message": api.message(answer)},
                  session=session, status_code=answer.status_code, section=SECTION)


async def dead_letters(request: Request, session: UiSession) -> Response:
    destination = request.query_params.get("destination", "").strip()[:200]
    before = request.query_params.get("before", "")
    query = {"destination": destination, "limit": str(PAGE), "before": before if before.isdigit() else ""}
    answer = await api.call(request, session.principal, "GET", API, query=query)
    if not answer.is_success:
        return _unavailable(request, session, answer, "The dead letters are unavailable")
    found = answer.json()
    older = None
    if found["next_before"] is not None:
        older = "?" + urlencode({k: v for k, v in {"destination": destination,
                                                      "before": found["next_before"]}.items() if v})
    return render(request, "dead_letters.html", {
        "title": "Dead letters",
        "destination": destination,
        "items": found["dead_letters"],
        "counts": found["counts"],
        "older": older,
        "paged": bool(query["before"]),
        "outcome": {key: request.query_params[key] for key in ("redriven", "purged", "kept", "remaining")
                    if request.query_params.get(key, "").isdigit()},
    }, session=session, section=SECTION)


async def dead_letter(request: Request, session: UiSession) -> Response:
    dead_letter_id = request.path_params["dead_letter_id"]
    answer = await api.call(request, session.principal, "GET", f"{API}/{dead_letter_id}")
    if not answer.is_success:
        return _unavailable(request, session, answer, "No such dead letter" if answer.status_code == 404
                            else "The dead letter is unavailable")
    return render(request, "dead_letter.html", {"title": f"Dead letter {dead_letter_id}", "item": answer.json()},
                  session=session, section=SECTION)


def selection(form: FormData) -> dict[str, Any] | None:
    """The API's selection from the form: checked rows, one destination's, or all (None: nothing chosen)."""
    ids = [int(value) for value in form.getlist("id") if value.isdigit()]
    if ids:
        return {"ids": ids}
    if form.get("destination"):
        return {"destination": form.get("destination")}
    return {"all": True} if form.get("all") == "1" else None


def action(name: str) -> Any:
    async def act(request: Request, session: UiSession) -> Response:
        chosen = selection(request.state.form)
        if chosen is None:
            return render(request, "error.html", {"title": "Nothing chosen", "status": 400,
                                                  "message": "Tick the dead letters to act on, then try again."},
                          session=session, status_code=400, section=SECTION)
        answer = await api.call(request, session.principal, "POST", f"{API}/{name}", json=chosen)
        if not answer.is_success:
            return _unavailable(request, session, answer, f"The dead letters were not {ACTIONS[name]}")
        done = answer.json()
        outcome = {ACTIONS[name]: done[ACTIONS[name]], "remaining": done["remaining"]}
        if name == "redrive":
            outcome["kept"] = sum(done["kept"].values())
        return RedirectResponse(f"{ui_root(request)}/dead-letters?{urlencode(outcome)}", status_code=303)

    return act


def routes() -> list[Route]:
    return [
        Route("/dead-letters", page(SECTION, dead_letters), methods=["GET"]),
        Route("/dead-letters/redrive", page(SECTION, action("redrive")), methods=["POST"]),
        Route("/dead-letters/purge", page(SECTION, action("purge")), methods=["POST"]),
        Route("/dead-letters/{dead_letter_id:int}", page(SECTION, dead_letter), methods=["GET"]),
    ]

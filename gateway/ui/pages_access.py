"""Compliance officers' access-request pages: file a request (identifiers posted, never in a link), follow it to
delivery, download the export; each with its due date from `[privacy] response_days`, overdue ones marked.

Everything goes through the admin API (`/v1/privacy/access-requests...`, gateway.access_requests_api), so the audit
entries and the data are the API's.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from gateway.ui import api
from gateway.ui.auth import page
from gateway.ui.forms import FormData
from gateway.ui.navigation import ui_root
from gateway.ui.pages_compliance import IDENTIFIER_FIELDS
from gateway.ui.render import render
from gateway.ui.session import UiSession

SECTION = "access"
PATH = "/v1/privacy/access-requests"


async def _list_view(request: Request, session: UiSession, *, problems: list[str] | None = None,
                     form: FormData | None = None, status_code: int = 200) -> Response:
    answer = await api.call(request, session.principal, "GET", PATH)
    body: dict[str, Any] = answer.json() if answer.is_success else {}
    return render(request, "access_requests.html", {
        "title": "Access requests",
        "load_error": None if answer.is_success else api.message(answer),
        "requests": body.get("requests", []),
        "response_days": body.get("response_days"),
        "problems": problems or [],
        "form": form or FormData(),
        "identifier_fields": IDENTIFIER_FIELDS,
    }, session=session, section=SECTION, status_code=status_code)


async def access_requests(request: Request, session: UiSession) -> Response:
    return await _list_view(request, session)


async def file_request(request: Request, session: UiSession) -> Response:
    form: FormData = request.state.form
    identifiers = {name: form.get(name).strip() for name in IDENTIFIER_FIELDS if form.get(name).strip()}
    if not identifiers:
        problems = ["Give at least one identifier of the person: a user ID, an anonymous ID or an email address."]
        return await _list_view(request, session, problems=problems, form=form, status_code=400)
    answer = await api.call(request, session.principal, "POST", PATH,
                            json={"identifiers": identifiers, "reference": form.get("reference").strip()})
    if not answer.is_success:
        return await _list_view(request, session, problems=[api.message(answer)], form=form,
                                status_code=answer.status_code if answer.status_code >= 400 else 502)
    request_id = answer.json()["id"]
    return RedirectResponse(f"{ui_root(request)}/access-requests/{quote(request_id, safe='')}?filed=1",
                            status_code=303)


async def access_request_page(request: Request, session: UiSession) -> Response:
    request_id = request.path_params["request_id"]
    answer = await api.call(request, session.principal, "GET", f"{PATH}/{request_id}")
    if not answer.is_success:
        return render(request, "error.html", {"title": "No such access request" if answer.status_code == 404
                                              else "The request is unavailable", "status": answer.status_code,
                                              "message": api.message(answer)},
                      session=session, status_code=answer.status_code, section=SECTION)
    return render(request, "access_request.html", {
        "title": f"Access request {request_id}",
        "item": answer.json(),
        "filed": bool(request.query_params.get("filed")),
    }, session=session, section=SECTION)


async def download(request: Request, session: UiSession) -> ASGIApp:
    """The export as the API gives it (an attachment); the first download marks the request delivered."""
    return api.relay(request, session.principal, f"{PATH}/{request.path_params['request_id']}/export")


def routes() -> list[Route]:
    return [
        Route("/access-requests", page(SECTION, access_requests), methods=["GET"]),
        Route("/access-requests", page(SECTION, file_request), methods=["POST"]),
        Route("/access-requests/{request_id}", page(SECTION, access_request_page), methods=["GET"]),
        Route("/access-requests/{request_id}/export", page(SECTION, download), methods=["GET"]),
    ]

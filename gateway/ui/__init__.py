"""The web pages under /ui/ for support agents, UX designers and compliance officers.

Server-rendered (Jinja2), with a little JavaScript only for the replay player and for following a deletion request.
The admin API stays the source of truth: the pages read and act through it (gateway.ui.api), as the signed-in person.

    auth.py               sign-in with an access token, the session cookie, CSRF, the page guard
    session.py            what the signed session cookie holds, and its signature
    navigation.py         sections, the roles that may use each, the menu
    pages_support.py      review queue and session page (signals, replay player, review)
    pages_ux.py           frustration report and its exports
    pages_heatmaps.py     click, rage-click and dead-click heatmaps per page and their exports
    pages_quality.py      data quality: tracking plan violations per event and day, the event catalog (analysts)
    pages_live.py         the live debugger: a source's events as they arrive, with what happened to each
    pages_compliance.py   deletion requests and the audit log
    pages_operations.py   dead letters (admins)
    api.py                in-process calls to the admin API (httpx's ASGI transport), as the signed-in person
    charts.py             inline SVG charts
    render.py, formatting.py, forms.py, headers.py, templates/, static/

`routes()` are mounted at /ui by gateway.app.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route, Router
from starlette.staticfiles import StaticFiles

from gateway.ui import (
    auth,
    navigation,
    pages_access,
    pages_compliance,
    pages_heatmaps,
    pages_live,
    pages_operations,
    pages_quality,
    pages_support,
    pages_ux,
)
from gateway.ui.headers import UiHeaders
from gateway.ui.render import STATIC


async def home(request: Request) -> Response:
    session = auth.current_session(request)
    if session is None:
        return RedirectResponse(navigation.ui_root(request) + "/sign-in", status_code=303)
    return RedirectResponse(navigation.home(request, session.role), status_code=303)


def routes() -> list[BaseRoute]:
    pages = Router(routes=[
        Route("/", home, methods=["GET"]),
        Route("/sign-in", auth.sign_in_page, methods=["GET"]),
        Route("/sign-in", auth.sign_in, methods=["POST"]),
        Route("/sign-out", auth.sign_out, methods=["POST"]),
        *pages_support.routes(),
        *pages_ux.routes(),
        *pages_heatmaps.routes(),
        *pages_compliance.routes(),
        *pages_quality.routes(),
        *pages_live.routes(),
        *pages_operations.routes(),
        *pages_access.routes(),
        # check_dir=False: the gateway starts even where the set-up has not run (the player page says so).
        Mount("/static", app=StaticFiles(directory=STATIC, check_dir=False)),
    ])
    return [Mount("", app=UiHeaders(pages))]

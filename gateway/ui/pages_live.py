"""The live debugger, for frontend engineers and analysts: pick a source (and, if wished, an event name, a user id
hash or an anonymous id) and watch its events arrive, scrubbed, each with what every destination got and why, and
the requests the gateway refused.

The page's script (static/live.js) reads `/ui/live/stream`, which relays the admin API's Server-Sent Events
(`GET /admin/v1/live`) as the signed-in person: the API checks the role, rate-limits and audits every watch.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from gateway.state import gateway_of
from gateway.ui import api
from gateway.ui.auth import page
from gateway.ui.render import render
from gateway.ui.session import UiSession

SECTION = "live"
FILTERS = ("source", "event", "user_id_hash", "anonymous_id")


async def live_page(request: Request, session: UiSession) -> Response:
    sources = [s.name for s in gateway_of(request).policy.sources]
    chosen = {key: request.query_params.get(key, "").strip()[:200] for key in FILTERS}
    if chosen["source"] not in sources:
        chosen["source"] = ""
    return render(request, "live.html", {"title": "Live debugger", "sources": sources, "chosen": chosen},
                  session=session, section=SECTION)


async def stream(request: Request, session: UiSession) -> ASGIApp:
    query = {key: request.query_params.get(key, "") for key in FILTERS}
    return api.relay(request, session.principal, "/v1/live", query)


def routes() -> list[Route]:
    return [
        Route("/live", page(SECTION, live_page), methods=["GET"]),
        Route("/live/stream", page(SECTION, stream, json=True), methods=["GET"]),
    ]

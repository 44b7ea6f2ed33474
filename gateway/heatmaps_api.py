"""Heatmaps over HTTP, for the UX role: the pages with placed clicks, one page's cells (JSON or CSV), and the snapshot
they are drawn over (replay.heatmaps). The page is a query parameter (`?page=`): page URLs hold slashes.

Cells are aggregates and are audited as the frustration report is (`reports.heatmaps`). The snapshot is the DOM of one
recorded page view: reading it is reading that session, audited as `replay.read_page_snapshot` with the session as
target, though the answer names no session.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.access import admin_route
from gateway.admin_request import audit, int_param, not_found
from gateway.state import gateway_of
from replay import heatmaps
from replay.detect.heat import LAYOUTS
from replay.reports import Period

ROLES = ("ux",)


def _period(request: Request) -> Period:
    return Period(int_param(request, "since"), int_param(request, "until"), request.query_params.get("source"))


def _page(request: Request) -> str | None:
    page = request.query_params.get("page", "").strip()
    return page[:2000] or None


def _layout(request: Request) -> str:
    layout = request.query_params.get("layout", "")
    return layout if layout in LAYOUTS else LAYOUTS[0]


def _no_page() -> JSONResponse:
    return JSONResponse({"error": "invalid_request", "message": "page is required (a page_url the report lists)"},
                        status_code=400)


async def heatmap_pages(request: Request) -> Response:
    """`GET /admin/v1/reports/heatmaps?since=&until=&source=`: every page with placed clicks, clicks per kind."""
    gateway = gateway_of(request)
    period = _period(request)
    found = await gateway.db.read(lambda conn: heatmaps.pages(conn, period))
    await audit(request, "reports.heatmaps", "*", {"filters": dict(request.query_params)})
    return JSONResponse({"pages": found})


async def heatmap_page(request: Request) -> Response:
    """`GET /admin/v1/reports/heatmaps/page?page=&layout=desktop|tablet|phone&since=&until=&source=&format=csv`: one
    page's cells in one layout (desktop unless told)."""
    gateway = gateway_of(request)
    page_url, layout, period = _page(request), _layout(request), _period(request)
    if page_url is None:
        return _no_page()
    found = await gateway.db.read(lambda conn: heatmaps.heatmap(conn, page_url, layout, period))
    await audit(request, "reports.heatmaps", page_url, {"filters": dict(request.query_params)})
    if request.query_params.get("format") == "csv":
        return Response(heatmaps.to_csv(found), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="heatmap.csv"'})
    return JSONResponse(found)


async def heatmap_snapshot(request: Request) -> Response:
    """`GET /admin/v1/reports/heatmaps/snapshot?page=&layout=`: the events that rebuild the page (DOM only,
    offline) as a session clicking on it in that layout last saw it."""
    gateway = gateway_of(request)
    page_url, layout = _page(request), _layout(request)
    if page_url is None:
        return _no_page()
    view = await gateway.db.read(lambda conn: heatmaps.latest_view(conn, page_url, layout))
    if view is None:
        return not_found("no recorded view of this page")
    session_id, window_id, entered_at = view
    await audit(request, "replay.read_page_snapshot", session_id, {"page": page_url, "layout": layout})
    store = gateway.replay.store
    events = await asyncio.to_thread(
        lambda: heatmaps.page_snapshot(store.read_events(session_id, window_id), entered_at))
    return JSONResponse(events)


def admin_routes() -> list[Route]:
    return [
        admin_route("/v1/reports/heatmaps", heatmap_pages, roles=ROLES),
        admin_route("/v1/reports/heatmaps/page", heatmap_page, roles=ROLES),
        admin_route("/v1/reports/heatmaps/snapshot", heatmap_snapshot, roles=ROLES),
    ]

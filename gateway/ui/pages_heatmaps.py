"""The UX designers' heatmaps: for a page, where people click, rage-click and dead-click, drawn over the page as it
looked (a recorded view's DOM, rebuilt offline by rrweb in the browser), with CSV and JSON export.

Everything comes from the heatmaps API (gateway.heatmaps_api) through gateway.ui.api, audited the same way: the
cells as a report, the snapshot as a read of the session it comes from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from gateway.state import gateway_of
from gateway.ui import api
from gateway.ui.auth import page
from gateway.ui.navigation import ui_root
from gateway.ui.pages_ux import ReportFilters
from gateway.ui.render import player_installed, render
from gateway.ui.session import UiSession
from replay.detect.heat import HEAT_KINDS, LAYOUTS

SECTION = "heatmaps"
LAYERS = {"click": "All clicks", "rage_click": "Rage clicks", "dead_click": "Dead clicks"}
LAYOUT_NAMES = {"desktop": "Desktop (1024 px and wider)", "tablet": "Tablet (768-1023 px)",
                "phone": "Phone (under 768 px)"}
assert tuple(LAYERS) == HEAT_KINDS and tuple(LAYOUT_NAMES) == LAYOUTS


@dataclass(frozen=True)
class HeatmapView:
    filters: ReportFilters
    page_url: str = ""
    layout: str = ""
    layer: str = "click"

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> HeatmapView:
        layer, layout = query.get("layer", ""), query.get("layout", "")
        return cls(ReportFilters.from_query(query), query.get("page", "").strip()[:2000],
                   layout if layout in LAYOUT_NAMES else "", layer if layer in LAYERS else "click")

    def chosen(self, pages: list[dict[str, Any]]) -> HeatmapView:
        """The page and layout to show: as asked, else the most clicked page and that page's most clicked layout
        (`pages` comes most clicked first)."""
        page_url = self.page_url or (pages[0]["page_url"] if pages else "")
        layouts = [p["layout"] for p in pages if p["page_url"] == page_url]
        layout = self.layout or (layouts[0] if layouts else LAYOUTS[0])
        return HeatmapView(self.filters, page_url, layout, self.layer)

    def api_query(self) -> dict[str, str]:
        return {**self.filters.api_query(), "page": self.page_url, "layout": self.layout}

    def link(self, **changes: str) -> str:
        fields = {"since": self.filters.since, "until": self.filters.until, "source": self.filters.source,
                  "page": self.page_url, "layout": self.layout, "layer": self.layer, **changes}
        return "?" + urlencode({k: v for k, v in fields.items() if v})


async def heatmaps_page(request: Request, session: UiSession) -> Response:
    view = HeatmapView.from_query(request.query_params)
    listed = await api.call(request, session.principal, "GET", "/v1/reports/heatmaps",
                            query=view.filters.api_query())
    if not listed.is_success:
        return _error(request, session, listed)
    pages: list[dict[str, Any]] = listed.json()["pages"]
    view = view.chosen(pages)
    clicks: dict[str, int] = {}
    for row in pages:
        clicks[row["page_url"]] = clicks.get(row["page_url"], 0) + row["clicks"]
    heatmap = None
    if view.page_url:
        cells = await api.call(request, session.principal, "GET", "/v1/reports/heatmaps/page", query=view.api_query())
        if not cells.is_success:
            return _error(request, session, cells)
        heatmap = cells.json()
    root = ui_root(request)
    return render(request, "heatmaps.html", {
        "title": "Heatmaps",
        "view": view,
        "pages": clicks,
        "heatmap": heatmap,
        "layers": LAYERS,
        "layouts": LAYOUT_NAMES,
        "sources": [s.name for s in gateway_of(request).policy.sources],
        "player_installed": player_installed(),
        "snapshot_url": f"{root}/reports/heatmaps/snapshot?{urlencode({'page': view.page_url, 'layout': view.layout})}",
    }, session=session, section=SECTION)


def _error(request: Request, session: UiSession, answer: Any) -> Response:
    return render(request, "error.html", {"title": "Heatmaps are unavailable", "status": answer.status_code,
                                          "message": api.message(answer)},
                  session=session, status_code=answer.status_code, section=SECTION)


async def export(request: Request, session: UiSession) -> ASGIApp:
    """`?page=&format=csv|json`: the API's own answer for the page, as a download."""
    view = HeatmapView.from_query(request.query_params)
    query = view.api_query()
    if request.query_params.get("format") == "csv":
        return api.relay(request, session.principal, "/v1/reports/heatmaps/page", query | {"format": "csv"})
    return api.relay(request, session.principal, "/v1/reports/heatmaps/page", query,
                     extra_headers={"Content-Disposition": 'attachment; filename="heatmap.json"'})


async def snapshot(request: Request, session: UiSession) -> ASGIApp:
    """The page's snapshot events for the player, streamed through."""
    view = HeatmapView.from_query(request.query_params)
    return api.relay(request, session.principal, "/v1/reports/heatmaps/snapshot",
                     {"page": view.page_url, "layout": view.layout})


def routes() -> list[Route]:
    return [
        Route("/reports/heatmaps", page(SECTION, heatmaps_page), methods=["GET"]),
        Route("/reports/heatmaps/export", page(SECTION, export), methods=["GET"]),
        Route("/reports/heatmaps/snapshot", page(SECTION, snapshot, json=True), methods=["GET"]),
    ]

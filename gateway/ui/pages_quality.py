"""The analysts' Data quality page: tracking plan violations per day (trend) and per event, the newest ones, the
event catalog with its volume and accounts, and the CSV of violations per day and event.

Everything is read from the admin API (`/admin/v1/tracking/...`, gateway.ui.api), so the page, the CSV and a
script see the same data. No value of any event appears: violations and the catalog hold none.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from gateway.state import gateway_of
from gateway.ui import api, charts
from gateway.ui.auth import page
from gateway.ui.render import render
from gateway.ui.session import UiSession

SECTION = "quality"
ACTION_SERIES = (
    charts.Series("flag", "Flagged", "#b45309"),
    charts.Series("omit_properties", "Properties omitted", "#1d4ed8"),
    charts.Series("block", "Blocked", "#be123c"),
)
PERIODS = {"7": "Last 7 days", "30": "Last 30 days", "90": "Last 90 days", "": "All time"}
DAY_S = 86_400


@dataclass(frozen=True)
class QualityFilters:
    source: str = ""
    event: str = ""
    days: str = "30"

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> QualityFilters:
        days = query.get("days", "30")
        return cls(query.get("source", "").strip()[:100], query.get("event", "").strip()[:200],
                   days if days in PERIODS else "30")

    def api_query(self) -> dict[str, str]:
        query = {"source": self.source, "event": self.event}
        if self.days:
            query["since"] = str(time.time() - int(self.days) * DAY_S)
        return query

    def link(self, **changes: str) -> str:
        fields = {k: v for k, v in {**self.__dict__, **changes}.items() if v}
        return "?" + urlencode(fields)


async def quality_page(request: Request, session: UiSession) -> Response:
    filters = QualityFilters.from_query(request.query_params)
    query = filters.api_query()
    summary = await api.call(request, session.principal, "GET", "/v1/tracking/summary", query=query)
    recent = await api.call(request, session.principal, "GET", "/v1/tracking/violations",
                            query={**query, "limit": "50"})
    catalog = await api.call(request, session.principal, "GET", "/v1/tracking/catalog",
                             query={"source": filters.source})
    for answer in (summary, recent, catalog):
        if not answer.is_success:
            return render(request, "error.html", {"title": "Data quality is unavailable", "status": answer.status_code,
                                                  "message": api.message(answer)},
                          session=session, status_code=answer.status_code, section=SECTION)
    report = summary.json()
    return render(request, "quality.html", {
        "title": "Data quality",
        "filters": filters,
        "periods": PERIODS,
        "report": report,
        "totals": totals(report),
        "series": charts.legend_series(report["daily"], ACTION_SERIES),
        "action_series": ACTION_SERIES,
        "recent": recent.json()["violations"],
        "catalog": catalog.json(),
        "sources": [s.name for s in gateway_of(request).policy.sources],
    }, session=session, section=SECTION)


def totals(report: Mapping[str, list[dict[str, Any]]]) -> dict[str, int]:
    daily = report["daily"]
    return {
        "violations": sum(d["violations"] for d in daily),
        "blocked": sum(d.get("block", 0) for d in daily),
        "events": len(report["events"]),
        "max_event": max((e["violations"] for e in report["events"]), default=0),
    }


async def export(request: Request, session: UiSession) -> ASGIApp:
    """The violations per day and event as CSV: the API's own download, streamed through."""
    query = QualityFilters.from_query(request.query_params).api_query() | {"format": "csv"}
    return api.relay(request, session.principal, "/v1/tracking/summary", query)


def routes() -> list[Route]:
    return [
        Route("/data-quality", page(SECTION, quality_page), methods=["GET"]),
        Route("/data-quality/export", page(SECTION, export), methods=["GET"]),
    ]

"""The UX designers' page: the frustration report (elements, forms, a trend per day) with CSV and JSON export.

The page and its exports read `GET /admin/v1/reports/frustration` (gateway.ui.api), so what is shown, what is
downloaded and what a script gets are the same data, audited the same way.
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
from gateway.ui import api, charts
from gateway.ui.auth import page
from gateway.ui.forms import day_ms
from gateway.ui.render import render
from gateway.ui.session import UiSession
from replay.reports import TABLES

SECTION = "report"
REPORT_PATH = "/v1/reports/frustration"


@dataclass(frozen=True)
class ReportFilters:
    since: str = ""  # YYYY-MM-DD, inclusive
    until: str = ""  # YYYY-MM-DD, inclusive
    source: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> ReportFilters:
        since, until = query.get("since", "").strip(), query.get("until", "").strip()
        return cls(since if day_ms(since) is not None else "", until if day_ms(until) is not None else "",
                   query.get("source", "").strip()[:100])

    def api_query(self) -> dict[str, str]:
        query = {"source": self.source}
        if self.since:
            query["since"] = str(day_ms(self.since))
        if self.until:
            query["until"] = str(day_ms(self.until, end=True))
        return query

    def export_link(self, fmt: str, table: str | None = None) -> str:
        fields = {k: v for k, v in self.__dict__.items() if v}
        fields["format"] = fmt
        if table:
            fields["table"] = table
        return "?" + urlencode(fields)


    def examples_link(self, page: str, element: str | None = None, signal: str | None = None) -> str:
        """The review queue's query for a report row's sessions in this period, newest first, whatever their review
        status (examples, not work to do)."""
        fields = {"order": "time", "status": "all", "page": page, "source": self.source, "since": self.since,
                  "until": self.until}
        if element is not None:
            fields["element"] = element
        if signal is not None:
            fields["signal"] = signal
        return "?" + urlencode({k: v for k, v in fields.items() if v})


def summary(report: Mapping[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The headline numbers over the period, and the largest values the table bars are drawn against."""
    elements, forms, daily = report["elements"], report["forms"], report["daily"]
    starts = sum(f["starts"] for f in forms)
    abandonments = sum(f["abandonments"] for f in forms)
    return {
        "sessions": sum(d["sessions"] for d in daily),
        "rage_clicks": sum(e["rage_clicks"] for e in elements),
        "dead_clicks": sum(e["dead_clicks"] for e in elements),
        "abandonments": abandonments,
        "abandonment_rate": abandonments / starts if starts else None,
        "max_clicks": max((max(e["rage_clicks"], e["dead_clicks"]) for e in elements), default=0),
        "max_sessions": max((e["sessions_affected"] for e in elements), default=0),
    }


async def report_page(request: Request, session: UiSession) -> Response:
    filters = ReportFilters.from_query(request.query_params)
    answer = await api.call(request, session.principal, "GET", REPORT_PATH, query=filters.api_query())
    if not answer.is_success:
        return render(request, "error.html", {"title": "The report is unavailable", "status": answer.status_code,
                                              "message": api.message(answer)},
                      session=session, status_code=answer.status_code, section=SECTION)
    report = answer.json()
    return render(request, "report.html", {
        "title": "Frustration report",
        "filters": filters,
        "report": report,
        "totals": summary(report),
        "series": charts.legend_series(report["daily"]),
        "colors": charts.KIND_COLORS,
        "tables": TABLES,
        "sources": [s.name for s in gateway_of(request).policy.sources],
    }, session=session, section=SECTION)


async def export(request: Request, session: UiSession) -> ASGIApp:
    """`?format=csv&table=elements|forms|daily` or `?format=json`: the API's own download, streamed through."""
    filters = ReportFilters.from_query(request.query_params)
    query = filters.api_query()
    extra = {}
    if request.query_params.get("format") == "csv":
        query |= {"format": "csv", "table": request.query_params.get("table", "elements")}
    else:
        extra = {"Content-Disposition": 'attachment; filename="frustration-report.json"'}
    return api.relay(request, session.principal, REPORT_PATH, query, extra_headers=extra)


def routes() -> list[Route]:
    return [
        Route("/reports/frustration", page(SECTION, report_page), methods=["GET"]),
        Route("/reports/frustration/export", page(SECTION, export), methods=["GET"]),
    ]

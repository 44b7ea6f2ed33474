"""Charts drawn on the server as inline SVG: no charting script, nothing to load, and they print.

Every chart sits next to the numbers it draws (a table or a legend), so the SVG is a picture of data a screen reader
can already reach: the trend has a title and description; the small bars inside table cells are hidden from assistive
technology. Colours have at least 3:1 contrast against white (WCAG 1.4.11) and every series is named in a legend, so
colour is never the only cue. All text is escaped: page URLs and selectors come from recorded sites.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Series:
    key: str  # the row field it draws
    label: str
    color: str


KIND_COLORS = {
    "rage_click": "#c2410c",
    "dead_click": "#6d28d9",
    "form_abandonment": "#0e7490",
    "error_click": "#be123c",
    "thrashed_cursor": "#4d7c0f",
}
TREND_SERIES = (
    Series("rage_clicks", "Rage clicks", KIND_COLORS["rage_click"]),
    Series("dead_clicks", "Dead clicks", KIND_COLORS["dead_click"]),
    Series("form_abandonments", "Abandoned forms", KIND_COLORS["form_abandonment"]),
    Series("error_clicks", "Error clicks", KIND_COLORS["error_click"]),
    Series("thrashed_cursors", "Thrashed cursors", KIND_COLORS["thrashed_cursor"]),
)
# Drop-off fields of one form, largest first; the rest are summed as "other fields" in grey.
FIELD_COLORS = ("#1d4ed8", "#b45309", "#047857", "#9d174d", "#5b21b6")
OTHER_COLOR = "#64748b"
TRACK_COLOR = "#e2e8f0"
AXIS_TEXT = "#475569"
GRID = "#e2e8f0"


def nice_ticks(maximum: float, count: int = 4) -> list[float]:
    """Round gridline values from 0 to at least `maximum`: steps of 1, 2 or 5 times a power of ten."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(step, 1)  # counts: no fractional gridlines
    top = math.ceil(maximum / step) * step
    return [i * step for i in range(round(top / step) + 1)]


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _day_label(day: str) -> str:
    try:
        return date.fromisoformat(day).strftime("%d %b").lstrip("0")
    except ValueError:
        return day


def trend(rows: Sequence[Mapping[str, Any]], series: Sequence[Series] = TREND_SERIES, *, chart_id: str = "trend",
          title: str = "Frustration signals per day", unit: str = "signal", width: int = 1100, height: int = 280
          ) -> Markup:
    """Stacked columns, one per day (`row["day"]`, YYYY-MM-DD), one segment per series with a count."""
    shown = [s for s in series if any(row.get(s.key, 0) for row in rows)] or list(series[:1])
    left, right, top, bottom = 44, 12, 12, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(row.get(s.key, 0) for s in shown) for row in rows]
    ticks = nice_ticks(max(totals, default=0))
    scale = plot_h / ticks[-1]
    parts: list[str] = []
    total_signals = sum(totals)
    described = (f"{len(rows)} day{'s' if len(rows) != 1 else ''}, "
                 f"{total_signals} {unit}{'s' if total_signals != 1 else ''} in all.")
    parts.append(
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img"'
        f' aria-labelledby="{chart_id}-title {chart_id}-desc" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(described)}</desc>'
    )
    for tick in ticks:
        y = top + plot_h - tick * scale
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{_fmt(y)}" y2="{_fmt(y)}" stroke="{GRID}"/>')
        parts.append(f'<text x="{left - 8}" y="{_fmt(y + 4)}" text-anchor="end" font-size="12" fill="{AXIS_TEXT}">'
                     f"{int(tick)}</text>")
    band = plot_w / max(1, len(rows))
    bar = min(band * 0.62, 56)
    label_every = max(1, math.ceil(len(rows) / 12))
    for i, row in enumerate(rows):
        x = left + i * band + (band - bar) / 2
        y = top + plot_h
        for s in shown:
            value = row.get(s.key, 0)
            if not value:
                continue
            h = value * scale
            y -= h
            tip = f"{row['day']}: {value} {s.label.lower()}"
            parts.append(f'<rect x="{_fmt(x)}" y="{_fmt(y)}" width="{_fmt(bar)}" height="{_fmt(h)}" fill="{s.color}">'
                         f"<title>{escape(tip)}</title></rect>")
        if i % label_every == 0:
            parts.append(f'<text x="{_fmt(left + i * band + band / 2)}" y="{height - 10}" text-anchor="middle"'
                         f' font-size="12" fill="{AXIS_TEXT}">{escape(_day_label(str(row["day"])))}</text>')
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#94a3b8"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def legend_series(rows: Sequence[Mapping[str, Any]], series: Sequence[Series] = TREND_SERIES) -> list[Series]:
    """The series the trend draws (those with any count), for the legend beside it."""
    return [s for s in series if any(row.get(s.key, 0) for row in rows)] or list(series[:1])


def meter(value: float, maximum: float, color: str, *, width: int = 120, height: int = 10) -> Markup:
    """A small horizontal bar for a table cell; the number is in the cell's text, so the bar is decorative."""
    filled = 0.0 if maximum <= 0 else max(0.0, min(1.0, value / maximum)) * width
    if value > 0:
        filled = max(filled, 2.0)  # a non-zero value never looks like zero
    return Markup(
        f'<svg class="meter" width="{width}" height="{height}" viewBox="0 0 {width} {height}" aria-hidden="true"'
        f' focusable="false" xmlns="http://www.w3.org/2000/svg">'
        f'<rect width="{width}" height="{height}" rx="{height / 2:g}" fill="{TRACK_COLOR}"/>'
        f'<rect width="{_fmt(filled)}" height="{height}" rx="{height / 2:g}" fill="{color}"/></svg>'
    )


@dataclass(frozen=True)
class Share:
    label: str
    count: int
    color: str


def shares(distribution: Mapping[str, int], limit: int = len(FIELD_COLORS)) -> list[Share]:
    """The largest parts of a distribution with their colours; the rest summed as "other fields"."""
    ordered = sorted(distribution.items(), key=lambda item: (-item[1], item[0]))
    result = [Share(label, count, FIELD_COLORS[i]) for i, (label, count) in enumerate(ordered[:limit])]
    rest = sum(count for _, count in ordered[limit:])
    if rest:
        result.append(Share(f"{len(ordered) - limit} other fields", rest, OTHER_COLOR))
    return result


def stacked(parts: Sequence[Share], *, width: int = 220, height: int = 12) -> Markup:
    """One bar split in proportion to the parts (their legend, with the counts, is next to it)."""
    total = sum(p.count for p in parts)
    out = [f'<svg class="stacked" width="{width}" height="{height}" viewBox="0 0 {width} {height}" aria-hidden="true"'
           f' focusable="false" xmlns="http://www.w3.org/2000/svg">'
           f'<rect width="{width}" height="{height}" rx="3" fill="{TRACK_COLOR}"/>']
    x = 0.0
    for part in parts:
        if not total or not part.count:
            continue
        w = part.count / total * width
        # A 1 px white gap keeps neighbouring parts apart without relying on colour alone.
        out.append(f'<rect x="{_fmt(x)}" width="{_fmt(max(w - 1, 1))}" height="{height}" fill="{part.color}">'
                   f"<title>{escape(part.label)}: {part.count}</title></rect>")
        x += w
    out.append("</svg>")
    return Markup("".join(out))

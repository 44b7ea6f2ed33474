"""How the pages write times, durations, counts and signal kinds: the template filters.

Times are shown in UTC and say so: the pages are read by people in several time zones who compare notes, and the
audit log and receipts are in UTC too.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

from replay.urls import normalize_page_url

KIND_LABELS = {
    "rage_click": "Rage click",
    "dead_click": "Dead click",
    "form_abandonment": "Form abandoned",
    "error_click": "Error click",
    "thrashed_cursor": "Thrashed cursor",
}
KIND_PLURALS = {
    "rage_click": "Rage clicks",
    "dead_click": "Dead clicks",
    "form_abandonment": "Abandoned forms",
    "error_click": "Error clicks",
    "thrashed_cursor": "Thrashed cursors",
}


def _datetime(value: float | int | None, ms: bool) -> datetime | None:
    if value is None:
        return None
    return datetime.fromtimestamp(value / 1000 if ms else value, UTC)


def when(value: float | int | None, ms: bool = False) -> str:
    """`2026-11-27 14:03 UTC`; an em dash for nothing."""
    moment = _datetime(value, ms)
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "—"


def when_precise(value: float | int | None, ms: bool = False) -> str:
    moment = _datetime(value, ms)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "—"


def iso(value: float | int | None, ms: bool = False) -> str:
    """For `<time datetime=...>`."""
    moment = _datetime(value, ms)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z") if moment else ""


def when_iso_text(value: str | None) -> str:
    """An ISO 8601 string from the API (deletion requests), shown like the other times."""
    if not value:
        return "—"
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def any_time(value: object) -> str:
    """Deletion requests' times may come as epoch seconds or ISO strings: show either."""
    if isinstance(value, (int, float)):
        return when(value)
    return when_iso_text(value if isinstance(value, str) else None)


def clock(ms: int | None) -> str:
    """An offset into a recording: `0:07`, `12:45`, `1:02:03`."""
    if ms is None or ms < 0:
        ms = 0
    seconds = int(ms // 1000)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def duration(ms: int | None) -> str:
    """`45 s`, `3 min 12 s`, `1 h 4 min`."""
    seconds = int((ms or 0) // 1000)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def number(value: int | float | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f} %"


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


def kind_plural(kind: str) -> str:
    return KIND_PLURALS.get(kind, kind.replace("_", " ").capitalize() + "s")


def page_label(url: str) -> str:
    """A recorded page as the queue shows it: host and path, no query string (queries can carry identifiers)."""
    normalized = normalize_page_url(url) or url
    return normalized.split("://", 1)[-1]


def path_part(value: str) -> str:
    """A value (a session id) as one segment of a link's path."""
    return quote(str(value), safe="")


FILTERS = {
    "path_part": path_part,
    "when": when,
    "when_precise": when_precise,
    "iso": iso,
    "any_time": any_time,
    "clock": clock,
    "duration": duration,
    "number": number,
    "percent": percent,
    "kind_label": kind_label,
    "kind_plural": kind_plural,
    "page_label": page_label,
}

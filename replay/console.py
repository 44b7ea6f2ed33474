"""A session's console and network timeline: what the page logged and requested, in time order, beside the player.

Recorders put both in the recording as rrweb Plugin events (type 6):
- `rrweb/console@1` (rrweb's console plugin; posthog-js with `enable_recording_console_log`): payload
  `{level, payload: [each argument stringified as JSON], trace: [frames]}`. Older rrweb recorders wrote the same
  fields as IncrementalSnapshot source 11 (Log).
- `rrweb/network@1` (posthog-js's network plugin): payload `{requests: [{name (the URL), method, status,
  initiatorType, startTime, endTime, timestamp, duration?, ...}]}`.

What was recorded has been scrubbed on ingest (replay.privacy: every string through the PII scrubber, network headers
and bodies dropped). The timeline keeps it short: a message is cut to MESSAGE_CHARS, a trace to its first frame, and a
session gives at most MAX_ENTRIES entries (a page that logs in a loop would otherwise send megabytes to a reviewer).

An error that made a click an error click (the detector's signal, replay.detect.errors) is marked on the error's
entry with the clicked element, so the reviewer sees the click and its cause side by side.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from replay import rrweb
from replay.elements import short_text

MESSAGE_CHARS = 160
MAX_ENTRIES = 1000
LEVELS = frozenset({"log", "info", "warn", "error", "debug", "assert", "trace", "table", "dir", "count", "group",
                    "groupCollapsed", "groupEnd", "time", "timeEnd", "timeLog", "countReset", "dirxml", "clear"})


@dataclass(slots=True)
class Entry:
    timestamp: int
    kind: str  # "console" or "network"
    level: str  # console: the console method (log, warn, error...); network: "error" for a failed request, else "info"
    message: str  # console: the logged arguments; network: method and URL
    source: str = ""  # console: where it was logged (the first frame of its trace)
    status: int | None = None  # network: the HTTP status
    duration_ms: int | None = None  # network
    error_click: str = ""  # the element whose click this error made an error click
    signal_id: str = ""


def console_message(payload: Any) -> tuple[str, str] | None:
    """The level and message of a console-plugin payload, None if it is not one."""
    if not isinstance(payload, dict):
        return None
    level = payload.get("level")
    if not isinstance(level, str) or level not in LEVELS:
        return None
    parts = payload.get("payload")
    if not isinstance(parts, list):
        return level, ""
    # The plugin stringifies each console argument as JSON: '"TypeError: x is undefined"'.
    texts = [p[1:-1] if len(p) >= 2 and p[0] == p[-1] == '"' else p for p in parts if isinstance(p, str)]
    return level, short_text(" ".join(texts), MESSAGE_CHARS)


def _frame(payload: Mapping[str, Any]) -> str:
    trace = payload.get("trace")
    first = trace[0] if isinstance(trace, list) and trace else ""
    return short_text(first, MESSAGE_CHARS) if isinstance(first, str) else ""


def _number(value: Any) -> int | None:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value == value else None


def _requests(ts: int, payload: Any) -> list[Entry]:
    requests = payload.get("requests") if isinstance(payload, dict) else None
    if not isinstance(requests, list):
        return []
    entries = []
    for request in requests:
        if not isinstance(request, dict) or not isinstance(request.get("name"), str):
            continue
        if request.get("entryType") == "serverTiming":
            continue  # a timing line of the request before it, not a request
        status = _number(request.get("status"))
        start, end = _number(request.get("startTime")), _number(request.get("endTime"))
        duration = _number(request.get("duration"))
        if duration is None and start is not None and end is not None:
            duration = end - start
        method = request.get("method")
        method = method if isinstance(method, str) else "GET"
        entries.append(Entry(
            timestamp=_number(request.get("timestamp")) or ts,
            kind="network",
            level="error" if status is not None and (status == 0 or status >= 400) else "info",
            message=short_text(f"{method.upper()} {request['name']}", MESSAGE_CHARS),
            source=str(request.get("initiatorType") or "")[:40],
            status=status,
            duration_ms=duration,
        ))
    return entries


def _entries_of(event: Any) -> list[Entry]:
    if type(event) is not dict or type(event.get("timestamp")) is not int or type(event.get("data")) is not dict:
        return []
    ts, data, kind = event["timestamp"], event["data"], event.get("type")
    if kind == rrweb.PLUGIN:
        plugin = data.get("plugin")
        if plugin == rrweb.CONSOLE_PLUGIN:
            payload = data.get("payload")
        elif plugin == rrweb.NETWORK_PLUGIN:
            return _requests(ts, data.get("payload"))
        else:
            return []
    elif kind == rrweb.INCREMENTAL_SNAPSHOT and data.get("source") == rrweb.LOG:
        payload = data
    else:
        return []
    found = console_message(payload)
    if found is None:
        return []
    return [Entry(ts, "console", found[0], found[1], _frame(payload))]


def timeline(events: Iterable[Any], signals: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """The console and network entries of a session's events (in time order), at most MAX_ENTRIES of them, with each
    error click's error marked. `signals` are the session's stored signals (replay.analysis.signals_of)."""
    entries: list[Entry] = []
    total = 0
    for event in events:
        found = _entries_of(event)
        total += len(found)
        if len(entries) < MAX_ENTRIES:
            entries.extend(found[: MAX_ENTRIES - len(entries)])
    entries.sort(key=lambda e: e.timestamp)
    caused: dict[int, Mapping[str, Any]] = {}
    for signal in signals:
        details = signal.get("details") or {}
        if signal.get("kind") == "error_click" and isinstance(details.get("time_to_error_ms"), int):
            caused[signal["timestamp"] + details["time_to_error_ms"]] = signal
    for entry in entries:
        cause = caused.pop(entry.timestamp, None) if entry.kind == "console" and entry.level == "error" else None
        if cause is not None:  # popped: one error per error click, the first, as the detector counts it
            entry.error_click, entry.signal_id = str(cause.get("description") or ""), str(cause.get("id") or "")
    counts: dict[str, int] = {}
    for entry in entries:
        key = f"{entry.kind}_{entry.level}" if entry.level in ("error", "warn") else entry.kind
        counts[key] = counts.get(key, 0) + 1
    return {"entries": [asdict(e) for e in entries], "total": total, "truncated": total > len(entries),
            "counts": counts}

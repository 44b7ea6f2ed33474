"""Reading recordings as SDKs send them: the native rrweb endpoint and PostHog's `$snapshot` events.

Both become `Batch`es: the events of one window of one session, with the identifiers of who was recorded. Every event is
validated before anything is stored, so a request with one malformed event is refused whole (400), with the position of
the bad event in the message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from policies import json_depth
from replay import rrweb
from replay.posthog_packing import PackingError, unpack_event

MAX_ID_LENGTH = 200
# A session id becomes one segment of the URLs that open the session (/admin/v1/replay/sessions/{id},
# /ui/sessions/{id}), so it is kept to what every SDK's ids use (uuids, base62, `sess_…`, PostHog's uuidv7) and needs
# no encoding there: no `/`, `%`, `?`, `#`, spaces or `@` (an e-mail address is not a session id), and no leading `.`
# (`..` is a path).
SESSION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
SESSION_ID_RULE = "1-128 characters of A-Z a-z 0-9 . _ : -, starting with a letter or digit"
KNOWN_EVENT_TYPES = range(0, 8)  # DomContentLoaded .. Asset (rrweb/packages/types)
_OBJECT_DATA = frozenset({rrweb.FULL_SNAPSHOT, rrweb.INCREMENTAL_SNAPSHOT, rrweb.META})


class Rejected(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def invalid(message: str) -> Rejected:
    return Rejected(400, "invalid_request", message)


@dataclass
class Batch:
    session_id: str
    window_id: str
    events: list[dict[str, Any]]
    identifiers: dict[str, str] = field(default_factory=dict)  # e.g. {"userId": ..., "anonymousId": ...}


def _id(value: Any, what: str) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_ID_LENGTH:
        raise invalid(f"{what} must be a non-empty string of at most {MAX_ID_LENGTH} characters")
    return value


def _session_id(value: Any, what: str) -> str:
    session_id = _id(value, what)
    if SESSION_ID.fullmatch(session_id) is None:
        raise invalid(f"{what} must be {SESSION_ID_RULE}")
    return session_id


def validate_event(event: Any, max_event_bytes: int | None) -> str | None:
    """What keeps `event` from being stored as an rrweb event (an object with a known numeric `type`, a numeric
    `timestamp` and `data`), as the end of a sentence naming it; None if nothing does. The caller names the event,
    and only when something is wrong: a valid event costs no message."""
    if not isinstance(event, dict):
        return " must be an rrweb event object"
    kind, ts = event.get("type"), event.get("timestamp")
    if kind.__class__ is not int or kind not in KNOWN_EVENT_TYPES:  # not bool, which is an int too
        return f".type must be an rrweb event type (0-7), got {kind!r}"
    if ts.__class__ not in (int, float) or ts <= 0:
        return ".timestamp must be epoch milliseconds"
    if "data" not in event:
        return ".data is missing"
    if kind in _OBJECT_DATA and not isinstance(event["data"], dict):
        return ".data must be an object"
    if max_event_bytes is not None and len(orjson.dumps(event)) > max_event_bytes:
        return f" is larger than {max_event_bytes // (1024 * 1024)} MB"
    return None


def parse_native(body: Any, session_id: str, query: Mapping[str, str], max_event_bytes: int,
                 body_bytes: int | None = None) -> tuple[str | None, Batch]:
    """`POST /v1/replay/{session_id}`: either an array of rrweb events, or
    `{"events": [...], "windowId", "userId", "anonymousId", "writeKey"}`. Returns (write key if in the body, batch).
    With `body_bytes` at most `max_event_bytes`, no event can be too large, and none is measured."""
    limit: int | None = None if body_bytes is not None and body_bytes <= max_event_bytes else max_event_bytes
    write_key = None
    identifiers: dict[str, str] = {}
    window_id = query.get("window_id") or "main"
    if isinstance(body, dict):
        events = body.get("events")
        write_key = body.get("writeKey") if isinstance(body.get("writeKey"), str) else None
        if body.get("windowId") is not None:
            window_id = _id(body["windowId"], "windowId")
        for key in ("userId", "anonymousId"):
            if body.get(key) is not None:
                identifiers[key] = _id(body[key], key)
    else:
        events = body
    for key in ("userId", "anonymousId"):
        if key not in identifiers and query.get(key):
            identifiers[key] = _id(query[key], key)
    if not isinstance(events, list) or not events:
        raise invalid("body must be a non-empty array of rrweb events, or an object with one under `events`")
    for i, event in enumerate(events):
        problem = validate_event(event, limit)
        if problem is not None:
            raise invalid(f"events[{i}]{problem}")
    return write_key, Batch(_session_id(session_id, "session id"), _id(window_id, "window id"), events, identifiers)


def parse_posthog(events: list[Any], max_event_bytes: int) -> tuple[str | None, list[Batch]]:
    """posthog-js `$snapshot` events (as decoded from a capture body) grouped into batches per session and window.
    Their in-event compression (`cv: '2024-10'`) is undone. Returns (project token, batches)."""
    token = None
    batches: dict[tuple[str, str], Batch] = {}
    for i, event in enumerate(events):
        where = f"[{i}]"
        if not isinstance(event, dict) or event.get("event") != "$snapshot":
            raise invalid(f"{where} is not a $snapshot event")
        properties = event.get("properties")
        if not isinstance(properties, dict):
            raise invalid(f"{where}.properties must be an object")
        for key in ("token", "api_key", "$token"):
            candidate = properties.get(key) or event.get(key)
            if isinstance(candidate, str) and candidate:
                token = token or candidate
        session_id = _session_id(properties.get("$session_id"), f"{where}.properties.$session_id")
        window_id = _id(properties.get("$window_id") or "main", f"{where}.properties.$window_id")
        data = properties.get("$snapshot_data")
        if isinstance(data, dict):
            data = [data]
        if not isinstance(data, list):
            raise invalid(f"{where}.properties.$snapshot_data must be an array of rrweb events")
        unpacked = []
        for j, item in enumerate(data):
            try:
                item = unpack_event(item) if isinstance(item, dict) else item
            except PackingError as exc:
                raise invalid(f"{where}.properties.$snapshot_data[{j}]: {exc}") from None
            if item is not data[j] and not json_depth.within(item):  # its packed fields held more levels
                raise invalid(f"{where}.properties.$snapshot_data[{j}] {json_depth.too_deep()}")
            problem = validate_event(item, max_event_bytes)
            if problem is not None:
                raise invalid(f"{where}.properties.$snapshot_data[{j}]{problem}")
            unpacked.append(item)
        batch = batches.setdefault((session_id, window_id), Batch(session_id, window_id, []))
        batch.events.extend(unpacked)
        distinct_id = event.get("distinct_id", properties.get("distinct_id"))
        if distinct_id is not None:
            batch.identifiers["distinct_id"] = _id(distinct_id, f"{where}.distinct_id")
    return token, list(batches.values())

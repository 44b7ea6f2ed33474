"""What a batch of rrweb events says about its session, for the session index: time span, pages, activity counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from replay import rrweb

MAX_URLS = 50  # per session, in the index


@dataclass
class Summary:
    # Epoch ms as the SDK sent them: integers, but a float is valid rrweb too (ingest.validate_event) and is kept as
    # sent. Both named, not `float`: compiled (mypyc), a `float` field would turn every integer into a float.
    first_ts: int | float | None = None
    last_ts: int | float | None = None
    events: int = 0
    clicks: int = 0
    inputs: int = 0
    mutations: int = 0
    urls: list[str] = field(default_factory=list)


def summarize(events: list[dict[str, Any]]) -> Summary:
    """The summary of a batch of validated events (each has a numeric `type` and `timestamp`)."""
    if not events:
        return Summary()
    stamps = [event["timestamp"] for event in events]
    summary = Summary(first_ts=min(stamps), last_ts=max(stamps), events=len(events))
    urls = summary.urls
    for event in events:
        kind = event["type"]
        if kind == rrweb.INCREMENTAL_SNAPSHOT:
            data = event.get("data")
            source = data.get("source") if isinstance(data, dict) else None
            if source == rrweb.MUTATION:
                summary.mutations += 1
            elif source == rrweb.INPUT:
                summary.inputs += 1
            elif source == rrweb.MOUSE_INTERACTION and data.get("type") == rrweb.CLICK:  # type: ignore[union-attr]
                summary.clicks += 1
        elif kind == rrweb.META:
            data = event.get("data")
            href = data.get("href") if isinstance(data, dict) else None
            if isinstance(href, str) and href not in urls and len(urls) < MAX_URLS:
                urls.append(href)
    return summary

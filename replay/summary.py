"""What a batch of rrweb events says about its session, for the session index: time span, pages, activity counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from replay import rrweb

MAX_URLS = 50  # per session, in the index


@dataclass
class Summary:
    first_ts: int | None = None
    last_ts: int | None = None
    events: int = 0
    clicks: int = 0
    inputs: int = 0
    mutations: int = 0
    urls: list[str] = field(default_factory=list)

    def add(self, event: dict[str, Any]) -> None:
        ts = event["timestamp"]
        self.first_ts = ts if self.first_ts is None else min(self.first_ts, ts)
        self.last_ts = ts if self.last_ts is None else max(self.last_ts, ts)
        self.events += 1
        kind, data = event["type"], event.get("data")
        if kind == rrweb.META and isinstance(data, dict):
            href = data.get("href")
            if isinstance(href, str) and href not in self.urls and len(self.urls) < MAX_URLS:
                self.urls.append(href)
        elif kind == rrweb.INCREMENTAL_SNAPSHOT and isinstance(data, dict):
            source = data.get("source")
            if source == rrweb.MUTATION:
                self.mutations += 1
            elif source == rrweb.INPUT:
                self.inputs += 1
            elif source == rrweb.MOUSE_INTERACTION and data.get("type") == rrweb.CLICK:
                self.clicks += 1


def summarize(events: list[dict[str, Any]]) -> Summary:
    summary = Summary()
    for event in events:
        summary.add(event)
    return summary

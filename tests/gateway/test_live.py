"""The live debugger's hub: nothing is kept for a source nobody watches, filters choose events, and a watcher gets
at most a burst then a steady rate, the next message saying how many were skipped."""

from __future__ import annotations

import pytest

from gateway.live import BURST, MAX_WATCHERS, LiveFilter, LiveHub, TooManyWatchers
from gateway.pipeline import EventOutcome


def outcome(message_id: str, name: str = "Report Exported", subjects: tuple[str, ...] = ("s-1",)) -> EventOutcome:
    return EventOutcome(message_id, None, "", (("sink", "forward", "granted"),), {}, None, "track", name, subjects)


def test_only_watched_sources_cost_anything_and_filters_choose_events() -> None:
    hub = LiveHub()
    assert not hub.watching("web")
    by_name = hub.watch("web", LiveFilter(event="User Invited"))
    by_subject = hub.watch("web", LiveFilter(subject="s-2"))
    assert hub.watching("web") and not hub.watching("app")
    hub.events("web", "segment", [outcome("m-1"), outcome("m-2", "User Invited"), outcome("m-3", subjects=("s-2",))])
    assert [by_name.queue.get_nowait()["message_id"]] == ["m-2"] and by_name.queue.empty()
    assert [by_subject.queue.get_nowait()["message_id"]] == ["m-3"] and by_subject.queue.empty()
    hub.stop(by_name)
    hub.stop(by_subject)
    assert not hub.watching("web")


def test_a_watcher_gets_a_burst_then_is_told_what_it_missed() -> None:
    hub = LiveHub()
    watcher = hub.watch("web", LiveFilter())
    hub.events("web", "segment", [outcome(f"m-{i}") for i in range(BURST + 30)])
    assert watcher.queue.qsize() == BURST and watcher.skipped == 30
    watcher.tokens = 1  # as if a twentieth of a second had passed
    hub.events("web", "segment", [outcome("m-next")])
    messages = [watcher.queue.get_nowait() for _ in range(BURST + 1)]
    assert messages[-1]["message_id"] == "m-next" and messages[-1]["skipped_before"] == 30


def test_refusals_without_a_source_reach_every_unfiltered_watcher_and_watchers_are_bounded() -> None:
    hub = LiveHub()
    web, app = hub.watch("web", LiveFilter()), hub.watch("app", LiveFilter())
    hub.refused(None, "segment", 401, "unauthorized", "missing or unknown write key")
    assert web.queue.get_nowait()["code"] == app.queue.get_nowait()["code"] == "unauthorized"
    for _ in range(MAX_WATCHERS - 2):
        hub.watch("web", LiveFilter())
    with pytest.raises(TooManyWatchers):
        hub.watch("web", LiveFilter())

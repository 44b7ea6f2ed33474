"""A session analysed as a whole: every window, stable ids, counts, score, and no exception on any input."""

from __future__ import annotations

import json
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from replay.detect import KINDS, DetectConfig, Signal, analyze_session
from tests.replay.streams import START, E, Recording

CONFIG = DetectConfig()


def frustrating() -> Recording:
    """A page with one rage click, one dead click and one abandoned form."""
    rec = Recording()
    ids = rec.page(
        0,
        "https://shop.example/checkout",
        E("button", "Apply", ref="apply", type="button"),
        E("span", "badge", ref="badge"),
        E("form", E("input", ref="email", type="email"), id="pay"),
        E("a", "Home", ref="home", href="/"),
    )
    for t in (1000, 1200, 1400):
        rec.click(t, ids["apply"])
    rec.click(3000, ids["badge"])
    rec.type_text(6000, ids["email"], "ada")
    rec.click(9000, ids["home"])
    rec.page(9200, "https://shop.example/", E("p"))
    return rec


def test_counts_and_score_follow_the_signals() -> None:
    analysis = analyze_session("s1", {"w1": frustrating().events}, CONFIG)
    assert analysis.counts == {
        "rage_click": 1,
        "dead_click": 1,
        "form_abandonment": 1,
        "error_click": 0,
        "thrashed_cursor": 0,
    }
    assert analysis.score == 3.0 + 1.0 + 2.0
    assert [s.kind for s in analysis.signals] == ["rage_click", "dead_click", "form_abandonment"]
    assert analysis.events == len(frustrating().events)


def test_the_score_uses_the_configured_weights() -> None:
    config = DetectConfig(weights={**CONFIG.weights, "dead_click": 10.0})
    assert analyze_session("s1", {"w1": frustrating().events}, config).score == 3.0 + 10.0 + 2.0


def test_a_session_without_events_has_no_signals_and_a_zero_score() -> None:
    analysis = analyze_session("s1", {}, CONFIG)
    assert (analysis.signals, analysis.score, set(analysis.counts)) == ([], 0.0, set(KINDS))


def test_analysing_the_same_events_again_gives_the_same_signals_and_ids() -> None:
    events = frustrating().events
    first = analyze_session("s1", {"w1": events}, CONFIG)
    second = analyze_session("s1", {"w1": json.loads(json.dumps(events))}, CONFIG)
    assert first.signals == second.signals
    assert len({s.id for s in first.signals}) == len(first.signals)


def test_ids_depend_on_session_and_window() -> None:
    events = frustrating().events
    ids_a = {s.id for s in analyze_session("s1", {"w1": events}, CONFIG).signals}
    ids_b = {s.id for s in analyze_session("s2", {"w1": events}, CONFIG).signals}
    ids_c = {s.id for s in analyze_session("s1", {"w2": events}, CONFIG).signals}
    assert ids_a.isdisjoint(ids_b) and ids_a.isdisjoint(ids_c)


def test_ids_of_earlier_signals_do_not_change_when_the_session_grows() -> None:
    events = frustrating().events
    cut = next(i for i, e in enumerate(events) if e["timestamp"] >= START + 7000)
    early = analyze_session("s1", {"w1": events[:cut]}, CONFIG)
    late = analyze_session("s1", {"w1": events}, CONFIG)
    assert {s.id for s in early.signals if s.kind != "form_abandonment"} <= {s.id for s in late.signals}


def test_interleaved_window_pairs_give_the_same_result_as_a_mapping() -> None:
    tab_a, tab_b = frustrating().events, frustrating().events
    pairs = sorted([("a", e) for e in tab_a] + [("b", e) for e in tab_b], key=lambda p: p[1]["timestamp"])
    by_mapping = analyze_session("s1", {"a": tab_a, "b": tab_b}, CONFIG)
    by_pairs = analyze_session("s1", pairs, CONFIG)
    assert by_pairs.signals == by_mapping.signals
    assert by_mapping.windows == ("a", "b")
    assert by_mapping.counts["rage_click"] == 2


def test_clicks_in_two_windows_never_chain() -> None:
    def one_window(clicks: list[int]) -> list[dict]:
        rec = Recording()
        ids = rec.page(0, "https://shop.example/", E("button", "Apply", ref="apply", type="button"))
        for t in clicks:
            rec.click(t, ids["apply"])
        return rec.events

    analysis = analyze_session("s1", {"a": one_window([1000, 1400]), "b": one_window([1200])}, CONFIG)
    assert analysis.counts["rage_click"] == 0


def test_a_signal_survives_a_round_trip_through_json() -> None:
    for signal in analyze_session("s1", {"w1": frustrating().events}, CONFIG).signals:
        data = json.loads(signal.to_json())
        assert data == signal.to_dict()
        assert Signal.from_dict(data) == signal
        assert set(data) == {
            "id",
            "kind",
            "session_id",
            "window_id",
            "timestamp",
            "page_url",
            "url",
            "selector",
            "description",
            "details",
        }
        assert data["url"] == "https://shop.example/checkout"  # the address-bar URL, beside its route


def test_the_analysis_serializes_to_a_plain_dict() -> None:
    analysis = analyze_session("s1", {"w1": frustrating().events}, CONFIG)
    assert json.loads(json.dumps(analysis.to_dict()))["counts"]["rage_click"] == 1


GARBAGE = [
    None,
    5,
    "event",
    [],
    {},
    {"type": 3},
    {"timestamp": "soon", "type": 3, "data": {"source": 2}},
    {"timestamp": float("nan"), "type": 4},
    {"timestamp": 1, "type": 4, "data": None},
    {"timestamp": 2, "type": 2, "data": {"node": "html"}},
    {"timestamp": 3, "type": 3, "data": {"source": 0, "adds": [{"parentId": None, "node": None}], "removes": 7}},
    {"timestamp": 4, "type": 3, "data": {"source": 2, "type": 2, "id": [1], "x": "left", "y": None}},
    {"timestamp": 5, "type": 3, "data": {"source": 5, "id": {"a": 1}, "text": None}},
    {
        "timestamp": 6,
        "type": 3,
        "data": {"source": 1, "positions": [None, {"x": "1"}, {"x": 1, "y": 2, "timeOffset": "x"}]},
    },
    {"timestamp": 7, "type": 3, "data": {"source": 14, "ranges": "all"}},
    {"timestamp": 8, "type": 5, "data": {"tag": ["$pageview"], "payload": {"href": 5}}},
    {"timestamp": 9, "type": 5, "data": {"tag": "$pageview", "payload": "x"}},
    {"timestamp": 10, "type": 6, "data": {"plugin": "rrweb/console@1", "payload": {"level": "error", "payload": "x"}}},
    {"timestamp": 11, "type": 2, "cv": "2024-10", "data": "not gzip"},
    {"timestamp": 12, "type": 3, "data": {"source": 2, "type": 5, "id": 10**30}},
    {"timestamp": 10**30, "type": 3, "data": {"source": 3}},
]


def test_garbage_events_are_skipped_without_raising() -> None:
    rec = frustrating()
    events = [*GARBAGE[:8], *rec.events, *GARBAGE[8:]]
    analysis = analyze_session("s1", {"w1": events}, CONFIG)
    assert analysis.events + analysis.skipped == len(events)
    assert analysis.skipped >= 6  # not dicts, no usable timestamp, a compressed field that is not gzip
    assert analysis.counts["rage_click"] == 1  # the real events are still understood


def test_odd_window_inputs_are_skipped_without_raising() -> None:
    assert analyze_session("s1", {"w1": None}, CONFIG).skipped == 1  # type: ignore[dict-item]
    assert analyze_session("s1", [None, ("w1",), ("w1", None)], CONFIG).skipped == 3  # type: ignore[list-item]
    assert analyze_session("s1", 5, CONFIG).skipped == 1  # type: ignore[arg-type]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
KEYS = st.sampled_from(
    [
        "source",
        "type",
        "id",
        "x",
        "y",
        "positions",
        "adds",
        "removes",
        "attributes",
        "texts",
        "node",
        "href",
        "tag",
        "payload",
        "plugin",
        "level",
        "text",
        "isChecked",
        "ranges",
        "parentId",
        "childNodes",
        "tagName",
        "attributes",
        "timeOffset",
        "userTriggered",
    ]
)
EVENT = st.fixed_dictionaries(
    {
        "type": st.integers(0, 7),
        "timestamp": st.integers(0, 10**6) | st.floats() | JSON,
        "data": st.dictionaries(KEYS, st.integers(-2, 20) | JSON, max_size=6) | JSON,
    },
)


@settings(max_examples=300, deadline=None)
@given(st.lists(EVENT, max_size=30))
def test_no_stream_of_event_shaped_garbage_makes_the_analysis_raise(events: list) -> None:
    analysis = analyze_session("s1", {"w1": events}, CONFIG)
    assert analysis.events + analysis.skipped == len(events)  # each one understood or skipped, none lost


def test_shuffled_real_events_never_make_the_analysis_raise() -> None:
    events = frustrating().events
    rng = random.Random(7)
    for _ in range(50):
        shuffled = events[:]
        rng.shuffle(shuffled)
        assert analyze_session("s1", {"w1": shuffled}, CONFIG).events == len(events)

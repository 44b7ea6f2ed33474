"""posthog-js compresses the bulky fields of some events (`cv: "2024-10"`); they are unpacked before analysis."""

from __future__ import annotations

import gzip

import pytest

from replay.detect import DetectConfig, analyze_session
from replay.posthog_packing import MAX_INFLATED_BYTES, PackingError, unpack_event
from tests.replay.streams import E, Recording, packed


def test_a_packed_full_snapshot_and_mutation_are_unpacked() -> None:
    rec = Recording()
    rec.snapshot(0, E("p", "hi"))
    snapshot = rec.events[0]
    packed_snapshot = {**snapshot, "data": packed(snapshot["data"]), "cv": "2024-10"}
    assert unpack_event(packed_snapshot) == snapshot

    mutation = {
        "type": 3,
        "timestamp": 5,
        "data": {
            "source": 0,
            "texts": [],
            "attributes": [],
            "removes": [],
            "adds": [{"parentId": 4, "node": {"type": 3, "textContent": "x", "id": 9}}],
        },
    }
    packed_mutation = {
        **mutation,
        "cv": "2024-10",
        "data": {"source": 0, **{k: packed(v) for k, v in mutation["data"].items() if k != "source"}},
    }
    assert unpack_event(packed_mutation) == mutation


def test_unpacking_does_not_modify_the_input() -> None:
    event = {"type": 3, "timestamp": 5, "cv": "2024-10", "data": {"source": 0, "adds": packed([])}}
    before = dict(event["data"])
    unpack_event(event)
    assert event["data"] == before and "cv" in event


def test_events_without_the_marker_are_returned_as_they_are() -> None:
    event = {"type": 3, "timestamp": 5, "data": {"source": 1, "positions": []}}
    assert unpack_event(event) is event


@pytest.mark.parametrize("field", ["not gzip", gzip.compress(b"{not json").decode("latin-1"), "\u0394"])
def test_a_field_that_is_not_gzipped_json_is_refused(field: str) -> None:
    with pytest.raises(PackingError):
        unpack_event({"type": 2, "timestamp": 1, "data": field, "cv": "2024-10"})


def test_a_gzip_bomb_is_refused_before_it_inflates() -> None:
    bomb = gzip.compress(b"[" + b"0," * (MAX_INFLATED_BYTES // 2) + b"0]").decode("latin-1")
    with pytest.raises(PackingError, match="inflates past"):
        unpack_event({"type": 2, "timestamp": 1, "data": bomb, "cv": "2024-10"})


def test_the_analysis_reads_a_packed_recording_like_a_plain_one() -> None:
    rec = Recording()
    ids = rec.page(0, "https://shop.example/", E("button", "Apply", ref="apply", type="button"))
    for t in (1000, 1200, 1400):
        rec.click(t, ids["apply"])
    plain = analyze_session("s", {"w": rec.events}, DetectConfig())
    packed_events = [{**e, "data": packed(e["data"]), "cv": "2024-10"} if e["type"] == 2 else e for e in rec.events]
    assert analyze_session("s", {"w": packed_events}, DetectConfig()).signals == plain.signals
    assert plain.counts["rage_click"] == 1

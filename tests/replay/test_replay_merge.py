"""Reading a session's chunks as one stream: time order across chunks, repeats dropped, each chunk loaded once and only
when its events are due."""

from __future__ import annotations

from typing import Any

from replay.merge import ChunkSpan, in_time_order


def event(ts: int, text: str = "x") -> dict[str, Any]:
    return {"type": 3, "timestamp": ts, "data": {"source": 0, "texts": [{"id": 1, "value": text}]}}


class Chunks:
    """Chunks as the store hands them over, counting how often each is loaded."""

    def __init__(self) -> None:
        self.loads: list[int] = []

    def span(self, index: int, events: list[dict[str, Any]]) -> ChunkSpan:
        stamps = [e["timestamp"] for e in events]

        def load() -> list[dict[str, Any]]:
            self.loads.append(index)
            return [dict(e) for e in events]  # a fresh parse, as from storage

        return ChunkSpan(min(stamps), max(stamps), load)


def stamps_and_texts(events: list[dict[str, Any]]) -> list[tuple[int, str]]:
    return [(e["timestamp"], e["data"]["texts"][0]["value"]) for e in events]


def test_chunks_that_follow_each_other_are_read_one_after_the_other_each_when_due() -> None:
    chunks = Chunks()
    stream = in_time_order([chunks.span(0, [event(1), event(2)]), chunks.span(1, [event(3), event(4)])])
    assert next(stream)["timestamp"] == 1
    assert chunks.loads == [0]  # the second chunk is not read before its turn
    assert [e["timestamp"] for e in stream] == [2, 3, 4]
    assert chunks.loads == [0, 1]


def test_overlapping_chunks_are_merged_by_time_and_ties_keep_storage_order() -> None:
    chunks = Chunks()
    early = chunks.span(0, [event(10, "a"), event(30, "a"), event(50, "a")])
    late = chunks.span(1, [event(20, "b"), event(30, "b"), event(40, "b")])
    merged = list(in_time_order([early, late]))
    assert stamps_and_texts(merged) == [(10, "a"), (20, "b"), (30, "a"), (30, "b"), (40, "b"), (50, "a")]
    assert sorted(chunks.loads) == [0, 1]


def test_a_chunk_starting_when_the_previous_ends_comes_after_it() -> None:
    chunks = Chunks()
    merged = list(in_time_order([chunks.span(0, [event(1, "a"), event(5, "a")]),
                                 chunks.span(1, [event(5, "b"), event(6, "b")])]))
    assert stamps_and_texts(merged) == [(1, "a"), (5, "a"), (5, "b"), (6, "b")]


def test_a_chunk_sent_out_of_order_inside_is_sorted_stably() -> None:
    chunks = Chunks()
    merged = list(in_time_order([chunks.span(0, [event(3, "c"), event(1, "a"), event(3, "d"), event(2, "b")])]))
    assert stamps_and_texts(merged) == [(1, "a"), (2, "b"), (3, "c"), (3, "d")]


def test_the_same_event_in_two_batches_is_read_once_but_different_events_at_one_instant_are_kept() -> None:
    chunks = Chunks()
    first = chunks.span(0, [event(1, "a"), event(2, "click"), event(2, "mutation")])
    retried = chunks.span(1, [event(2, "click"), event(2, "mutation"), event(3, "c")])
    merged = list(in_time_order([first, retried]))
    assert stamps_and_texts(merged) == [(1, "a"), (2, "click"), (2, "mutation"), (3, "c")]


def test_no_chunks_no_events() -> None:
    assert list(in_time_order([])) == []


def test_events_equal_as_dicts_but_sent_differently_are_both_kept() -> None:
    # Repeats are byte-identical resends; an event whose JSON differs (key order, 1 against 1.0) is another event,
    # even though Python compares the parsed dicts equal.
    chunks = Chunks()
    first = {"type": 3, "timestamp": 5, "data": {"source": 1, "x": 1}}
    reordered = {"timestamp": 5, "type": 3, "data": {"source": 1, "x": 1}}
    as_float = {"type": 3, "timestamp": 5, "data": {"source": 1, "x": 1.0}}
    resent = {"type": 3, "timestamp": 5, "data": {"source": 1, "x": 1}}
    events = list(in_time_order([chunks.span(0, [first, reordered]), chunks.span(1, [as_float, resent])]))
    assert events == [first, reordered, as_float]
    assert [list(e) for e in events] == [["type", "timestamp", "data"], ["timestamp", "type", "data"],
                                         ["type", "timestamp", "data"]]
    assert type(events[2]["data"]["x"]) is float

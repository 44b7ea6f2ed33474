"""The segments' layouts (replay.segment_codec): node ids and timestamps written as differences, and string values taken
out of the JSON, come back exactly, as orjson sees them, for every chunk of the corpora and for values that only look
like them."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from replay import segment_codec, training
from replay.generic_dictionary import chunks_of

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def corpus_chunks(corpus: str) -> list[bytes]:
    return [orjson.dumps(chunk) for path in sorted((FIXTURES / corpus).glob("sess_*.json"))
            for chunk in chunks_of(json.loads(path.read_text())["events"])]


@pytest.mark.parametrize("corpus", ["replay-corpus", "spa-corpus", "training-corpus"])
@pytest.mark.parametrize("layout", [segment_codec.DELTAS, segment_codec.STRINGS])
def test_every_chunk_of_the_corpus_reads_back_byte_for_byte_from_the_layout(corpus: str, layout: int) -> None:
    chunks = corpus_chunks(corpus)
    encoded = [segment_codec.encode(chunk, layout) for chunk in chunks]

    assert [segment_codec.decode(part, layout) for part in encoded] == chunks
    assert [segment_codec.decode_events(part, layout) for part in encoded] == [orjson.loads(c) for c in chunks]
    assert sum(map(len, encoded)) < sum(map(len, chunks))  # differences are shorter than ids and timestamps


def test_the_strings_layout_is_the_structure_with_empty_strings_then_the_strings_nul_separated() -> None:
    chunk = orjson.dumps([{"type": 2, "timestamp": 7, "data": {"node": {"id": 1, "tagName": "div", "attributes": {
        "class": "card", "title": ""}, "childNodes": [{"id": 2, "textContent": "Héllo \\ \"world\"\n"}]}}}])

    part = segment_codec.encode(chunk, segment_codec.STRINGS)

    structure, _, strings = part.partition(b"\0")
    assert orjson.loads(structure) == [{"type": 2, "timestamp": 7, "data": {"node": {
        "id": 1, "tagName": "", "attributes": {"class": "", "title": ""},
        "childNodes": [{"id": 1, "textContent": ""}]}}}]
    assert strings.split(b"\0") == [b"div", b"card", b"", 'Héllo \\ "world"\n'.encode()]
    assert segment_codec.decode(part, segment_codec.STRINGS) == chunk


def test_the_strings_layout_writes_rrweb_lists_of_same_shaped_objects_as_rows_of_values() -> None:
    chunk = orjson.dumps([{"type": 3, "timestamp": 50, "data": {"source": 1, "positions": [
        {"x": 300, "y": 200, "id": 42, "timeOffset": -40}, {"x": 302, "y": 199, "id": 42, "timeOffset": -20}]}},
        {"type": 3, "timestamp": 60, "data": {"source": 0, "texts": [{"id": 9, "value": "hi"}], "removes": [
            {"parentId": 4, "id": 9, "isShadow": True}], "adds": [], "attributes": [{"id": 7, "attributes": {
                "class": "on"}}, "not an object"]}}])

    part = segment_codec.encode(chunk, segment_codec.STRINGS)

    assert orjson.loads(part.partition(b"\0")[0]) == [{"type": 3, "timestamp": 50, "data": {"source": 1, "positions": [
        [300, 200, 42, -40], [2, -1, 0, 20]]}}, {"type": 3, "timestamp": 10, "data": {"source": 0, "texts": [
            [-33, ""]], "removes": [{"parentId": 4, "id": 0, "isShadow": True}], "adds": [], "attributes": [
                {"id": -2, "attributes": {"class": ""}}, ""]}}]  # rows only where every object has the known keys
    assert segment_codec.decode(part, segment_codec.STRINGS) == chunk


def test_lists_of_lists_where_rrweb_has_objects_fall_back_to_the_delta_layout() -> None:
    odd = orjson.dumps([{"type": 3, "timestamp": 5, "data": {"source": 1, "positions": [[1, 2, 3, 4]]}}])

    with pytest.raises(segment_codec.NotEncodable):
        segment_codec.encode(odd, segment_codec.STRINGS)
    assert segment_codec.encode_all([odd], segment_codec.STRINGS)[0] == segment_codec.DELTAS


def test_pointer_coordinates_in_single_precision_are_written_short_and_read_back_exactly() -> None:
    chunk = orjson.dumps([{"type": 3, "timestamp": 1, "data": {"source": 2, "type": 1, "id": 5,
                                                                "x": 130.24000549316406, "y": 459.3699951171875}},
                          {"type": 3, "timestamp": 2, "data": {"source": 2, "type": 2, "id": 5, "x": 0.5, "y": None}}])

    part = segment_codec.encode(chunk, segment_codec.STRINGS)

    assert b"130.24," in part and b"459.37}" in part and b"0.5," in part
    assert segment_codec.decode(part, segment_codec.STRINGS) == chunk


@pytest.mark.parametrize("coordinate", [0.1, 1e300, -3.4028235677973366e38 * 2])
def test_a_coordinate_that_is_no_single_precision_number_falls_back_to_the_delta_layout(coordinate: float) -> None:
    chunk = orjson.dumps([{"type": 3, "timestamp": 1, "data": {"source": 2, "x": coordinate, "y": 1.5}}])

    with pytest.raises(segment_codec.NotEncodable):
        segment_codec.encode(chunk, segment_codec.STRINGS)
    layout, parts = segment_codec.encode_all([chunk], segment_codec.STRINGS)
    assert layout == segment_codec.DELTAS and segment_codec.decode(parts[0], layout) == chunk


def test_a_string_holding_a_nul_makes_the_segment_fall_back_to_the_delta_layout() -> None:
    plain = orjson.dumps([{"type": 3, "timestamp": 1, "data": {"text": "a"}}])
    odd = orjson.dumps([{"type": 3, "timestamp": 2, "data": {"text": "a\u0000b"}}])

    with pytest.raises(segment_codec.NotEncodable):
        segment_codec.encode(odd, segment_codec.STRINGS)
    layout, parts = segment_codec.encode_all([plain, odd], segment_codec.STRINGS)
    assert layout == segment_codec.DELTAS
    assert [segment_codec.decode(part, layout) for part in parts] == [plain, odd]
    assert segment_codec.encode_all([plain], segment_codec.STRINGS)[0] == segment_codec.STRINGS


def test_node_ids_timestamps_and_mouse_positions_become_differences_from_the_previous_of_their_key() -> None:
    chunk = orjson.dumps([{"type": 3, "timestamp": 1_795_000_000_000, "data": {"adds": [
        {"parentId": 40, "nextId": None, "node": {"id": 41, "childNodes": [{"id": 42}]}}]}},
        {"type": 3, "timestamp": 1_795_000_000_016, "data": {"removes": [{"parentId": 40, "id": 42}]}},
        {"type": 3, "timestamp": 1_795_000_000_050, "data": {"source": 1, "positions": [
            {"x": 300, "y": 200, "id": 42, "timeOffset": -40}, {"x": 302, "y": 199, "id": 42, "timeOffset": -20}]}}])

    assert orjson.loads(segment_codec.encode(chunk, segment_codec.DELTAS)) == [
        {"type": 3, "timestamp": 1_795_000_000_000, "data": {"adds": [
            {"parentId": 40, "nextId": None, "node": {"id": 41, "childNodes": [{"id": 1}]}}]}},
        {"type": 3, "timestamp": 16, "data": {"removes": [{"parentId": 0, "id": 0}]}},
        {"type": 3, "timestamp": 34, "data": {"source": 1, "positions": [
            {"x": 300, "y": 200, "id": 0, "timeOffset": -40}, {"x": 2, "y": -1, "id": 0, "timeOffset": 20}]}}]


def test_values_that_are_not_integers_under_those_keys_come_back_with_their_types() -> None:
    chunk = orjson.dumps([{"timestamp": 5, "id": True, "parentId": 1.5, "nextId": "7", "previousId": None,
                           "data": {"id": {"id": 3}, "timestamp": False, "list": [{"timestamp": 2.0}, {"id": -9}]}},
                          {"timestamp": 0, "id": 0, "nested": [[{"previousId": 18_446_744_073_709_551_615 // 2}]]}])

    restored = segment_codec.decode(segment_codec.encode(chunk, segment_codec.DELTAS), segment_codec.DELTAS)
    assert segment_codec.decode(segment_codec.encode(chunk, segment_codec.STRINGS), segment_codec.STRINGS) == chunk

    assert restored == chunk


def test_a_difference_beyond_64_bits_is_refused_so_that_the_segment_stays_plain() -> None:
    wide = orjson.dumps([{"timestamp": -(2**63)}, {"timestamp": 2**63 - 1}])  # a difference of 2**64 - 1 still fits
    assert segment_codec.decode(segment_codec.encode(wide), segment_codec.LAYOUT) == wide
    chunk = orjson.dumps([{"timestamp": 2**64 - 1}, {"timestamp": -(2**63)}])

    for layout in (segment_codec.DELTAS, segment_codec.STRINGS):
        with pytest.raises(segment_codec.NotEncodable):
            segment_codec.encode(chunk, layout)
    assert segment_codec.encode_all([chunk], segment_codec.STRINGS) == (segment_codec.PLAIN, [chunk])


def test_a_plain_part_reads_as_stored_and_an_unknown_layout_is_an_error() -> None:
    chunk = orjson.dumps([{"type": 2, "timestamp": 10, "data": {"node": {"id": 1}}}])

    assert segment_codec.decode(chunk, segment_codec.PLAIN) == chunk
    assert segment_codec.decode_events(chunk, segment_codec.PLAIN) == orjson.loads(chunk)
    with pytest.raises(ValueError, match="unknown segment layout 9"):
        segment_codec.decode_events(chunk, 9)


def test_training_samples_in_a_layout_leave_out_the_chunks_it_cannot_encode_as_compaction_falls_back() -> None:
    plain = orjson.dumps([{"type": 3, "timestamp": 1, "data": {"text": "a"}}])
    odd = orjson.dumps([{"type": 3, "timestamp": 2, "data": {"text": "a\u0000b"}}])  # layout 2 cannot hold it

    assert training.encodable([plain, odd], segment_codec.STRINGS) == [segment_codec.encode(plain)]
    assert training.encodable([plain, odd], segment_codec.DELTAS) == [
        segment_codec.encode(plain, segment_codec.DELTAS), segment_codec.encode(odd, segment_codec.DELTAS)]

"""Chunk compression: dictionaries trained per source, and when a newer one replaces the current one."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import orjson

from replay.compression import Compressor, compressed_size, train, train_better
from replay.store import encode_chunk

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "replay-corpus"


def chunks(every_ms: int = 2000) -> tuple[list[bytes], list[bytes]]:
    """The corpus's recordings cut as posthog-js flushes them; (one half of the sessions, the other half)."""
    halves: tuple[list[bytes], list[bytes]] = ([], [])
    for i, path in enumerate(sorted(CORPUS.glob("sess_*.json"))):
        batch: list[dict] = []
        for event in json.loads(path.read_text())["events"]:
            if batch and event["timestamp"] - batch[0]["timestamp"] >= every_ms:
                halves[i % 2].append(encode_chunk(batch))
                batch = []
            batch.append(event)
        halves[i % 2].append(encode_chunk(batch))
    return halves


TRAINING, HELD_OUT = chunks()


def test_a_dictionary_from_some_sessions_compresses_others_to_under_half_of_gzip() -> None:
    dictionary = train(TRAINING, 112640, level=3)
    gzipped = sum(len(gzip.compress(chunk, compresslevel=6)) for chunk in HELD_OUT)
    assert compressed_size(HELD_OUT, dictionary, 3) < 0.5 * gzipped
    assert compressed_size(HELD_OUT, dictionary, 3) < 0.6 * compressed_size(HELD_OUT, None, 3)


def test_chunks_come_back_byte_for_byte_with_the_dictionary_they_were_compressed_with() -> None:
    compressor = Compressor(level=3)
    compressor.add_dictionary(7, train(TRAINING, 112640, level=3))
    for chunk in HELD_OUT:
        assert compressor.decompress(compressor.compress(chunk, 7), 7) == chunk
        assert compressor.decompress(compressor.compress(chunk, None), None) == chunk


def test_bare_frames_are_shorter_by_the_magic_number_and_dictionary_id_and_either_kind_reads_back() -> None:
    dictionary = train(TRAINING, 112640, level=19)
    framed, bare = Compressor(level=19), Compressor(level=19, bare=True)
    for compressor in (framed, bare):
        compressor.add_dictionary(7, dictionary)
    session = b"".join(HELD_OUT[:12])
    for dict_id in (7, None):
        old, new = framed.compress(session, dict_id), bare.compress(session, dict_id)
        assert old.startswith(b"\x28\xb5\x2f\xfd") and not new.startswith(b"\x28\xb5\x2f\xfd")
        assert len(new) <= len(old) - (8 if dict_id is not None else 4)  # magic number and dictionary id
        # A store that writes bare frames still reads the frames it wrote before, and the other way round.
        assert bare.decompress(old, dict_id) == bare.decompress(new, dict_id) == session
        assert framed.decompress(new, dict_id) == session


def test_a_first_dictionary_is_kept_when_it_beats_none() -> None:
    assert train_better(TRAINING, 112640, 3, current=None) is not None


def test_a_retrained_dictionary_replaces_one_that_knows_other_data() -> None:
    other = train([orjson.dumps({"user": i, "items": [{"sku": f"S{j}", "qty": j} for j in range(i % 7)]}) * 3
                   for i in range(400)], 112640, 3)
    assert train_better(TRAINING, 112640, 3, current=other) is not None


def test_a_retrained_dictionary_that_compresses_recent_chunks_worse_is_not_kept() -> None:
    # The current dictionary was trained on all these chunks, held-out fifth included: a new one, trained without that
    # fifth, cannot compress it as well, so the current one stays.
    current = train(TRAINING, 112640, 3)
    assert train_better(TRAINING, 112640, 3, current=current) is None

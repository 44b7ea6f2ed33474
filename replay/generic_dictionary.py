"""The generic rrweb dictionary shipped with the gateway: what a source's chunks are compressed with before it has sent
enough to train its own (replay.compression).

rrweb's redundancy is largely the recorder's, not the site's: the same event and node shapes, attribute names, mouse
position arrays on every page. A dictionary trained on recordings of one site (fixtures/replay-corpus, a travel site)
carries that much to any other. It is trained here, not at run time, and is never trained on the sessions the
benchmark measures (bench/replay_store.py measures another application's).

There are two: one for chunks as they arrive, and one for compacted segments, whose chunks are in
replay.segment_codec's layout (node ids and timestamps as differences) and compressed at zstd-19.

    .venv/bin/python -m replay.generic_dictionary    # retrain both from fixtures/replay-corpus
"""

from __future__ import annotations

import json
from pathlib import Path

import orjson

from replay import segment_codec
from replay.compression import train

PATH = Path(__file__).with_name("data") / "rrweb-generic.dict"
SIZE = 64 * 1024  # on the measurement, larger ones stored another app's chunks no smaller: they learn the site
LEVEL = 3
SEGMENTS_PATH = PATH.with_name("rrweb-generic-segments.dict")
# Chosen on fixtures/replay-corpus alone (trained on one half of its sessions in the segments' layout, measured on the
# other, both ways; zstd-19 whole-session segments vs per-chunk gzip-6): 64 KB 21.8 / 22.6 %, 96 KB 19.6 / 19.1 %,
# 128 KB 17.4 / 17.0 %, 160 KB 17.0 / 16.4 %, 192 KB 16.9 / 15.6 %. Past 128 KB a KB gains a fifth of what it did
# below, and what it gains there is more of the one site than of rrweb. It is shipped in the package: no source
# stores it.
SEGMENTS_SIZE = 128 * 1024
SEGMENTS_LEVEL = 19  # segments' compact_level by default
FLUSH_MS = 2000  # chunks cut as posthog-js flushes them


def load() -> bytes:
    return PATH.read_bytes()


def load_segments() -> bytes:
    return SEGMENTS_PATH.read_bytes()


def chunks_of(events: list[dict[str, object]], every_ms: int = FLUSH_MS) -> list[list[dict[str, object]]]:
    """Events cut into the batches an SDK flushing every `every_ms` would send."""
    chunks: list[list[dict[str, object]]] = []
    start: int | None = None
    for event in events:
        timestamp = int(event["timestamp"])  # type: ignore[call-overload]
        if start is None or timestamp - start >= every_ms:
            chunks.append([])
            start = timestamp
        chunks[-1].append(event)
    return chunks


def samples_of(corpus: Path) -> list[bytes]:
    return [orjson.dumps(chunk) for path in sorted(corpus.glob("sess_*.json"))
            for chunk in chunks_of(json.loads(path.read_text())["events"])]


def build(corpus: Path) -> bytes:
    return train(samples_of(corpus), SIZE, LEVEL)


def build_segments(corpus: Path) -> bytes:
    return train([segment_codec.encode(sample) for sample in samples_of(corpus)], SEGMENTS_SIZE, SEGMENTS_LEVEL)


if __name__ == "__main__":
    CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "replay-corpus"
    PATH.parent.mkdir(exist_ok=True)
    PATH.write_bytes(build(CORPUS))
    SEGMENTS_PATH.write_bytes(build_segments(CORPUS))
    for path in (PATH, SEGMENTS_PATH):
        print(f"{path}: {path.stat().st_size} bytes")

"""The generic rrweb dictionary shipped with the gateway: what a source's chunks are compressed with before it has sent
enough to train its own (replay.compression).

rrweb's redundancy is largely the recorder's, not the site's: the same event and node shapes, attribute names, mouse
position arrays on every page. A dictionary trained on recordings of one site (fixtures/replay-corpus, a travel site)
carries that much to any other. It is trained here, not at run time, and is never trained on the sessions the
benchmark measures (bench/replay_store.py measures another application's).

There are two: one for chunks as they arrive (trained on fixtures/replay-corpus), and one for compacted segments,
whose chunks are in replay.segment_codec's layout and compressed at zstd-19. The segments' one is trained on
fixtures/replay-corpus and fixtures/training-corpus (recordings of twelve small sites of other kinds, each styled in
another habit, made for this): what one site teaches a dictionary is mostly that site, what thirteen teach is more of
rrweb, HTML and CSS. On the training data (one site left out of training and measured), replay-corpus's segments took
45.4 % of per-chunk gzip-6 with the twelve training sites (when the training corpus had seven: 46.1 %; a dictionary of
replay-corpus alone gave the seven sites 49.7 % on average, one of the six others 45.5 %).

    .venv/bin/python -m replay.generic_dictionary    # retrain both from those corpora
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
# Chosen on the training corpora, one site left out and measured (zstd-19 whole-session segments in segment_codec's
# STRINGS layout vs per-chunk gzip-6), when the training corpus had seven sites: replay-corpus left out 47.6 % at
# 128 KB, 47.4 % at 192, 256 and 384 KB; the seven training sites on average 43.7, 43.1, 42.7, 42.5 % (they share a
# vocabulary, so that larger ones gain more there than on a site of its own); with twelve sites 128-384 KB all gave
# 45.4 %. It is shipped in the package: no source stores it.
SEGMENTS_SIZE = 192 * 1024
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


def build_segments(corpora: list[Path]) -> bytes:
    samples = [sample for corpus in corpora for sample in samples_of(corpus)]
    return train([segment_codec.encode(sample) for sample in samples], SEGMENTS_SIZE, SEGMENTS_LEVEL)


if __name__ == "__main__":
    FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
    PATH.parent.mkdir(exist_ok=True)
    PATH.write_bytes(build(FIXTURES / "replay-corpus"))
    SEGMENTS_PATH.write_bytes(build_segments([FIXTURES / "replay-corpus", FIXTURES / "training-corpus"]))
    for path in (PATH, SEGMENTS_PATH):
        print(f"{path}: {path.stat().st_size} bytes")

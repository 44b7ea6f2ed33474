"""The generic rrweb dictionary shipped with the gateway: what a source's chunks are compressed with before it has sent
enough to train its own (replay.compression).

rrweb's redundancy is largely the recorder's, not the site's: the same event and node shapes, attribute names, mouse
position arrays on every page. A dictionary trained on recordings of one site (fixtures/replay-corpus, a travel site)
carries that much to any other. It is trained here, not at run time, and is never trained on the sessions the
benchmark measures (bench/replay_store.py measures another application's).

    .venv/bin/python -m replay.generic_dictionary    # retrain it from fixtures/replay-corpus
"""

from __future__ import annotations

import json
from pathlib import Path

import orjson

from replay.compression import train

PATH = Path(__file__).with_name("data") / "rrweb-generic.dict"
SIZE = 64 * 1024  # on the measurement, larger ones stored another app's chunks no smaller: they learn the site
LEVEL = 3
FLUSH_MS = 2000  # chunks cut as posthog-js flushes them


def load() -> bytes:
    return PATH.read_bytes()


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


def build(corpus: Path) -> bytes:
    samples = [orjson.dumps(chunk) for path in sorted(corpus.glob("sess_*.json"))
               for chunk in chunks_of(json.loads(path.read_text())["events"])]
    return train(samples, SIZE, LEVEL)


if __name__ == "__main__":
    PATH.parent.mkdir(exist_ok=True)
    PATH.write_bytes(build(Path(__file__).resolve().parents[1] / "fixtures" / "replay-corpus"))
    print(f"{PATH}: {PATH.stat().st_size} bytes")

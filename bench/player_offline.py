"""What serving a recording for playback costs now that external URLs are replaced (replay/offline.py).

    python bench/player_offline.py [--rounds 5]

The events endpoint's own work per stored chunk, on every recording of fixtures/replay-corpus and fixtures/spa-corpus
(each recording stored as one chunk, zstd level 3 without a dictionary): decompress, parse, serialize each event (the
baseline, as before), and the same with `rewrite_event` on each event before it is serialized (now). Prints MB/s
(of JSON served) of each, the best of `--rounds` for each, taking turns, and their ratio. Every recording is distinct
and nothing is cached between rounds, so the figure is the cold one.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import orjson

from replay.compression import Compressor
from replay.offline import rewrite_event

ROOT = Path(__file__).resolve().parent.parent
CORPORA = (ROOT / "fixtures" / "replay-corpus", ROOT / "fixtures" / "spa-corpus")


def chunks(compressor: Compressor) -> tuple[list[bytes], int]:
    stored, size = [], 0
    for corpus in CORPORA:
        for path in sorted(corpus.glob("sess_*.json")):
            raw = orjson.dumps(orjson.loads(path.read_bytes())["events"])
            size += len(raw)
            stored.append(compressor.compress(raw, None))
    return stored, size


def serve(compressor: Compressor, stored: list[bytes], rewrite: bool) -> float:
    start = time.perf_counter()
    for chunk in stored:
        for event in orjson.loads(compressor.decompress(chunk, None)):
            if rewrite:
                rewrite_event(event)
            orjson.dumps(event)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    compressor = Compressor(3)
    stored, size = chunks(compressor)
    before, after = [], []
    for _ in range(rounds):
        before.append(serve(compressor, stored, rewrite=False))
        after.append(serve(compressor, stored, rewrite=True))
    mb = size / 1e6
    print(f"{len(stored)} recordings, {mb:.1f} MB of events; best of {rounds} rounds each")
    print(f"decompress, parse, serialize (before):   {mb / min(before):8.1f} MB/s")
    print(f"the same with rewrite_event (now):        {mb / min(after):8.1f} MB/s")
    print(f"ratio (now / before, time): {min(after) / min(before):.2f}x")


if __name__ == "__main__":
    main()

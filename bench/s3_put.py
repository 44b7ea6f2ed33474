"""S3 puts on the replay ingest path: replay.s3's signed put against boto3's `put_object`, per object.

    .venv/bin/python bench/s3_put.py [--rounds 5] [--puts 200] [--kb 20]

SeaweedFS (tests/support/seaweedfs.py) on loopback, signed requests, one thread putting objects one after the other
(as one object writer does), of random bytes that never repeat, under new keys. The two alternate round by round (the
machine is shared: its load drifts); prints each one's median wall and CPU milliseconds per put (the CPU of the
putting thread: what the ingest's one core pays) and the ratio.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from policies.replay import ReplayStorage  # noqa: E402
from replay.objects import new_key  # noqa: E402
from replay.s3 import S3Objects  # noqa: E402
from tests.support import seaweedfs  # noqa: E402


def timed(put: Callable[[str, bytes], None], puts: int, size: int) -> tuple[float, float]:
    """(wall ms, CPU ms of this thread) per put."""
    bodies = [secrets.token_bytes(size) for _ in range(puts)]
    wall, cpu = time.perf_counter(), time.thread_time()
    for body in bodies:
        put(new_key("bench/"), body)
    return (time.perf_counter() - wall) * 1000 / puts, (time.thread_time() - cpu) * 1000 / puts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--puts", type=int, default=200, help="per round and client")
    parser.add_argument("--kb", type=int, default=20, help="object size (the ingest's at 9 sessions in flight: ~20)")
    args = parser.parse_args()
    server = seaweedfs.launch()
    try:
        bucket = server.create_bucket()
        os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"] = bucket.access_key, bucket.secret_key
        ours = S3Objects(ReplayStorage(backend="s3", endpoint=bucket.endpoint_url, bucket=bucket.name, prefix="bench/"))
        clients: dict[str, Callable[[str, bytes], None]] = {
            "boto3 put_object": lambda key, body: ours.client.put_object(Bucket=bucket.name, Key=key, Body=body),
            "replay.s3 signed put": ours.put,
        }
        for put in clients.values():
            timed(put, 5, 1024)  # untimed: connections open, signer and credentials loaded
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in clients}
        for turn in range(args.rounds):
            for name in (list(clients) if turn % 2 == 0 else list(reversed(clients))):
                results[name].append(timed(clients[name], args.puts, args.kb * 1024))
        print(f"{args.puts} puts of {args.kb} KB per round, {args.rounds} rounds, load {os.getloadavg()[0]:.1f}")
        print(f"{'':<24}{'wall ms':>10}{'CPU ms':>10}{'CPU vs boto3':>14}")
        base_cpu = statistics.median(c for _, c in results["boto3 put_object"])
        for name, runs in results.items():
            cpu = statistics.median(c for _, c in runs)
            print(f"{name:<24}{statistics.median(w for w, _ in runs):>10.2f}{cpu:>10.3f}{cpu / base_cpu:>14.2f}")
        ours.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()

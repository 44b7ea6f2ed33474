"""CPU per identifier hashed: `hmac.new` per value (before) against policies.keyed_hash.KeyedHash (the key's two
SHA-256 states made once), in alternating rounds of one run, on ids that never repeat.

    .venv/bin/python bench/keyed_hash.py [--ids 200000] [--rounds 3]

The gateway hashes every identifier of every event (gateway.identity: user, anonymous and device ids, emails) before
its cache can answer; under bench/load.py every id is new, so each costs one HMAC on the event loop.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from policies.keyed_hash import KeyedHash


def timed(hash_: Callable[[bytes], str], ids: list[bytes]) -> float:
    started = time.process_time()
    for value in ids:
        hash_(value)
    return time.process_time() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ids", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    key = os.urandom(32)
    keyed = KeyedHash(key)

    def before(value: bytes) -> str:
        return hmac.new(key, value, hashlib.sha256).hexdigest()

    print(f"load average {os.getloadavg()[0]:.2f}; {args.ids:,} new ids per measurement")
    for round_number in range(args.rounds):
        ids = [f"u-{uuid.uuid4()}".encode() for _ in range(2 * args.ids)]
        runs = [("hmac.new", before, ids[:args.ids]), ("KeyedHash", keyed.hexdigest, ids[args.ids:])]
        results = {name: timed(fn, part) for name, fn, part in (reversed(runs) if round_number % 2 else runs)}
        per = {name: 1e6 * seconds / args.ids for name, seconds in results.items()}
        print(f"round {round_number + 1}: hmac.new {per['hmac.new']:.2f} us/id, KeyedHash {per['KeyedHash']:.2f} "
              f"us/id: {per['hmac.new'] / per['KeyedHash']:.2f}x less")
    print(f"load average after {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

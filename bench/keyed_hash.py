"""CPU per identifier hashed: `hmac.new` per value (before; `hmac.digest`, the scrubber's before) against
policies.keyed_hash.KeyedHash (the key's two SHA-256 states made once), in alternating rounds of one run
(bench/alternate.py), on ids that never repeat.

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

from alternate import in_rounds  # bench/, the script's folder

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
    hashes: dict[str, Callable[[bytes], str]] = {
        "hmac.new": lambda value: hmac.new(key, value, hashlib.sha256).hexdigest(),
        "hmac.digest": lambda value: hmac.digest(key, value, "sha256").hex(),  # one C call: the scrubber's before
        "KeyedHash": KeyedHash(key).hexdigest,
    }

    def us_per_id(variant: str) -> float:
        ids = [f"u-{uuid.uuid4()}".encode() for _ in range(args.ids)]  # new ones for every measurement
        return 1e6 * timed(hashes[variant], ids) / args.ids

    print(f"load average {os.getloadavg()[0]:.2f}; {args.ids:,} new ids per measurement")
    for number, per in in_rounds(args.rounds, list(hashes), us_per_id):
        print(f"round {number}: " + ", ".join(f"{name} {us:.2f} us/id" for name, us in per.items())
              + f": KeyedHash {per['hmac.new'] / per['KeyedHash']:.2f}x less than hmac.new, "
              f"{per['hmac.digest'] / per['KeyedHash']:.2f}x less than hmac.digest")
    print(f"load average after {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

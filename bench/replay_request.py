"""CPU per recording request of what the gateway does with it on the event loop, this tree against a git revision.

    python bench/replay_request.py [--before main] [--requests 300] [--rounds 3]

The requests are bench/load.lua's recording chunks (60 rrweb events: mouse moves, clicks, typing into fields, a card and
its text added; words from the same list, a tag new to every request, so no text repeats and the PII scrubber works
cold), made here with a fixed seed, the same for both trees. Each tree (this one, and `--before`'s taken with `git
archive`, its compiled modules built as this tree's: bench/before_tree.py) runs in a fresh interpreter pinned to one
CPU, with the real PII engine under the default `[pii]`, and times in CPU seconds each step of a request: the body's
parse (gateway.protocols.codec.read_json), its validation (replay.ingest.parse_native), the privacy pass (replay.privacy
with the batch text scrubber, as gateway.state builds it), the summary and the serialization for the store. Where the
tree has `RrwebPrivacy.walk`, the privacy pass is timed as its two parts: the walk (attributes, inputs, echo; on the
loop) and the free texts' scrub (`texts`: what a scrub worker does instead with `[http] scrub_workers` > 0, pickling
left out); "on the loop with workers" is the total without it. The trees take turns `--rounds` times; the best of each
is printed, with the ratio. What this leaves out, the HTTP stack and the store's writer thread, is the same code in both
(bench/load.py measures the whole server).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORDS = (  # bench/load.lua's
    "trail", "running", "shoe", "jacket", "merino", "wool", "alpine", "summit", "river", "canyon", "harbour", "meadow",
    "lantern", "compass", "granite", "cedar", "willow", "falcon", "copper", "velvet", "linen", "saddle", "orchard",
    "quartz", "ember", "glacier", "tundra", "prairie", "lagoon", "basalt", "juniper", "thistle", "bramble", "marble",
)
STEPS = ("parse", "validate", "privacy", "texts", "summary", "serialize")


def event(rng: random.Random, i: int, tag: str, ts: int) -> dict[str, Any]:
    """Event i of a chunk, as bench/load.lua's rrweb_event makes it."""
    kind = i % 4
    if kind == 0:
        return {"type": 3, "timestamp": ts, "data": {"source": 1, "positions": [
            {"x": rng.randint(0, 1400), "y": rng.randint(0, 900), "id": rng.randint(1, 400), "timeOffset": -p * 50}
            for p in range(1, 9)]}}
    if kind == 1:
        return {"type": 3, "timestamp": ts, "data": {"source": 2, "type": 2, "id": rng.randint(1, 400),
                                                     "x": rng.randint(0, 1400), "y": rng.randint(0, 900)}}
    if kind == 2:
        return {"type": 3, "timestamp": ts, "data": {"source": 5, "text": f"{rng.choice(WORDS)} {rng.choice(WORDS)} "
                                                     f"{tag}{i}", "isChecked": False, "id": rng.randint(1, 400)}}
    node = 1000 + i * 3
    text = (f"{rng.choice(WORDS)} {rng.choice(WORDS)} {tag}{i} for {rng.randint(1, 500)}.{rng.randint(0, 99):02d} "
            "EUR")
    return {"type": 3, "timestamp": ts, "data": {"source": 0, "texts": [], "attributes": [], "removes": [], "adds": [
        {"parentId": rng.randint(1, 400), "nextId": None, "node": {
            "type": 2, "tagName": "div", "attributes": {"class": f"card {rng.choice(WORDS)}-{tag}{i}"},
            "childNodes": [], "id": node}},
        {"parentId": node, "nextId": None, "node": {"type": 3, "textContent": text, "id": node + 1}}]}}


def bodies(count: int, seed: int) -> list[bytes]:
    import orjson

    rng = random.Random(seed)
    made = []
    for n in range(count):
        tag = f"1x{n}{rng.getrandbits(24):06x}"
        ts = 1795786653000 + n * 2000
        made.append(orjson.dumps({"writeKey": "k", "events": [event(rng, i, tag, ts + 30 * i) for i in range(1, 61)]}))
    return made


def measure(requests: int) -> None:
    """In the child: the CPU of each step over `requests` new requests (after 20 to warm up), printed as one line."""
    from gateway.protocols.codec import read_json
    from policies.pii import PiiConfig, Scrubber
    from replay.ingest import parse_native
    from replay.privacy import RrwebPrivacy
    from replay.store import encode_chunk
    from replay.summary import summarize

    # As gateway.state builds it, from the default [pii].
    scrubber = Scrubber(PiiConfig(), b"bench-key-0123456789abcdef012345", Path(tempfile.mkdtemp()))
    privacy = RrwebPrivacy((), scrub_text=scrubber.scrub_text, scrub_attribute=scrubber.scrub_attribute,
                           scrub_value=scrubber.scrub_json, scrub_texts=scrubber.scrub_texts)
    warm, timed = bodies(20, 2), bodies(requests, 1)
    spent = dict.fromkeys(STEPS, 0.0)
    for number, body in enumerate(warm + timed):
        t0 = time.process_time()
        parsed = read_json(body)
        t1 = time.process_time()
        _, batch = parse_native(parsed.value, "s-1", {}, 8 << 20, len(body))
        t2 = time.process_time()
        events, t3 = batch.events, time.process_time()
        if hasattr(privacy, "walk"):
            deferred = privacy.walk(events, set())
            t3 = time.process_time()
            if deferred.texts:
                deferred.fill(scrubber.scrub_texts(deferred.texts))
        else:  # a tree from before the split: all on the loop
            privacy.scrub(events, set())
            t3 = time.process_time()
        t4 = time.process_time()
        summarize(events)
        t5 = time.process_time()
        encode_chunk(events)
        t6 = time.process_time()
        if number >= len(warm):
            for step, seconds in zip(STEPS, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5), strict=True):
                spent[step] += seconds
    print(" ".join(f"{spent[step] / requests:.9f}" for step in STEPS))


def run(tree: Path, requests: int) -> dict[str, float]:
    cpu = min(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--requests", str(requests)]
    if cpu is not None:
        command = ["taskset", "-c", str(cpu), *command]
    out = subprocess.run(command, cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)}, check=True,
                         capture_output=True, text=True).stdout
    return dict(zip(STEPS, map(float, out.split()[-len(STEPS):]), strict=True))


def line(name: str, spent: dict[str, float]) -> str:
    total = sum(spent.values())
    return f"  {name:<14} {1000 * total:.3f} ms per request ({1000 * (total - spent['texts']):.3f} on the loop with " \
        "workers): " + ", ".join(f"{step} {1000 * spent[step]:.3f}" for step in STEPS)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", default="main", help="the git revision to compare with")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure(args.requests)
        return 0
    print(f"load average {os.getloadavg()[0]:.2f}; {args.requests} requests of ~15 KB per run, {args.rounds} rounds")
    from before_tree import archive  # bench/, the script's folder; here only: a child imports the modules of its tree

    trees = {"this tree": ROOT, args.before: archive(args.before)}
    best: dict[str, dict[str, float]] = {}
    for round_number in range(args.rounds):
        for name in reversed(trees) if round_number % 2 else trees:
            spent = run(trees[name], args.requests)
            print(line(name, spent))
            if name not in best or sum(spent.values()) < sum(best[name].values()):
                best[name] = spent
    print(f"best of each (load average after {os.getloadavg()[0]:.2f}):")
    for name, spent in best.items():
        print(line(name, spent))
    now, then = sum(best["this tree"].values()), sum(best[args.before].values())
    on_loop, then_on_loop = now - best["this tree"]["texts"], then - best[args.before]["texts"]
    print(f"  {args.before} / this tree: {then / now:.2f}x the CPU per request; with scrub workers, "
          f"{then_on_loop / on_loop:.2f}x on the loop")
    return 0


if __name__ == "__main__":
    sys.exit(main())

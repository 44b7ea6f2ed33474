"""CPU per recording request of what the gateway does with it on the event loop, this tree against a git revision.

    python bench/replay_request.py [--before main] [--requests 300] [--rounds 3]

The requests are bench/load.lua's recording chunks (60 rrweb events: mouse moves, clicks, typing into fields, a card and
its text added; words from the same list, a tag new to every request, so no text repeats and the PII scrubber works
cold), made here with a fixed seed, the same for both trees. Each tree (this one, and `--before`'s taken with `git
archive`, its compiled modules built as this tree's: bench/before_tree.py) runs in a fresh interpreter pinned to one
CPU, with the real PII engine under the default `[pii]`, and times in CPU seconds each step of a request: the body's
parse (gateway.protocols.codec.read_json), its validation (replay.ingest.parse_native), the privacy pass (replay.privacy
with the batch text scrubber, as gateway.state builds it) as its two parts, the walk (attributes, inputs, echo) and the
free texts' scrub (`texts`), the summary, the serialization for the store, and the hand-off to a scrub worker
(`handoff`: the job pickled, the answer unpickled; the pipe left out). "On the loop with workers" is what stays on the
event loop with `[http] scrub_workers` > 0: where the tree has replay.preparing, the parse, the validation and the
hand-off of the body (the worker parses it again, walks, scrubs, summarizes and serializes); before it, all but the
texts' scrub, and the hand-off of the texts. The trees take turns `--rounds` times (bench/alternate.py); the best of
each is printed, with the ratio. What this leaves out, the HTTP stack and the store's writer thread, is the same code
in both (bench/load.py measures the whole server).
"""

from __future__ import annotations

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
STEPS = ("parse", "validate", "privacy", "texts", "summary", "serialize", "handoff")
# With scrub workers, the loop's share of a request (printed by the child after the steps).
LOOP = "on the loop with workers"


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
    """In the child: the CPU of each step over `requests` new requests (after 20 to warm up), and of the part that stays
    on the loop with scrub workers, printed as one line."""
    import importlib.util
    import pickle

    from gateway.protocols.codec import read_json
    from gateway.scrub_worker import frame
    from policies.pii import PiiConfig, Scrubber
    from replay.ingest import parse_native
    from replay.privacy import RrwebPrivacy
    from replay.store import encode_chunk
    from replay.summary import summarize

    # Where the worker does the whole privacy pass, the summary and the serialization (replay.preparing), the loop
    # keeps the parse and validation and hands the body over; before, it walked, summarized and serialized too and
    # handed over the free texts only.
    whole = importlib.util.find_spec("replay.preparing") is not None
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
        events = batch.events
        deferred = privacy.walk(events, set())
        t3 = time.process_time()
        if deferred.texts:
            deferred.fill(scrubber.scrub_texts(deferred.texts))
        t4 = time.process_time()
        summary = summarize(events)
        t5 = time.process_time()
        raw = encode_chunk(events)
        t6 = time.process_time()
        # The hand-off's share of the loop: the job pickled, the answer unpickled (the pipe itself left out).
        job, answer = (("recording", (), [(body, set())]), ("done", 0.0, [(raw, summary, set())])) if whole else \
            (("texts", deferred.texts), ("done", 0.0, deferred.texts))
        answered = frame(answer)
        t7 = time.process_time()
        frame(job)
        pickle.loads(answered[4:])
        t8 = time.process_time()
        if number >= len(warm):
            for step, seconds in zip(STEPS, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5, t8 - t7),
                                     strict=True):
                spent[step] += seconds
    on_loop = ("parse", "validate", "handoff") if whole else ("parse", "validate", "privacy", "summary", "serialize",
                                                             "handoff")
    print(" ".join(f"{spent[step] / requests:.9f}" for step in STEPS),
          f"{sum(spent[step] for step in on_loop) / requests:.9f}")


def run(tree: Path, requests: int) -> dict[str, float]:
    cpu = min(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--requests", str(requests)]
    if cpu is not None:
        command = ["taskset", "-c", str(cpu), *command]
    out = subprocess.run(command, cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)}, check=True,
                         capture_output=True, text=True).stdout
    return dict(zip((*STEPS, LOOP), map(float, out.split()[-len(STEPS) - 1:]), strict=True))


def in_process(spent: dict[str, float]) -> float:
    """A request's CPU with no scrub workers: every step but the hand-off, all on the loop."""
    return sum(spent[step] for step in STEPS if step != "handoff")


def line(name: str, spent: dict[str, float]) -> str:
    return f"  {name:<14} {1000 * in_process(spent):.3f} ms per request ({1000 * spent[LOOP]:.3f} on the loop with " \
        "workers): " + ", ".join(f"{step} {1000 * spent[step]:.3f}" for step in STEPS)


def main() -> int:
    # bench/, the script's folder; here only: a child imports the modules of its own tree.
    from alternate import ab_arguments, this_and_before

    args = ab_arguments(__doc__, 300)
    if args.child:
        measure(args.requests)
        return 0
    print(f"load average {os.getloadavg()[0]:.2f}; {args.requests} requests of ~15 KB per run, {args.rounds} rounds")
    now, then = this_and_before(ROOT, args, lambda tree: run(tree, args.requests), line,
                                lambda kept, new: min(kept, new, key=in_process))
    print(f"  {args.before} / this tree: {in_process(then) / in_process(now):.2f}x the CPU per request; with scrub "
          f"workers, {then[LOOP] / now[LOOP]:.2f}x on the loop")
    return 0


if __name__ == "__main__":
    sys.exit(main())

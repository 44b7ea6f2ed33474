"""Byte-identical check of the scrubber before and after a change, on the PII corpus.

    python bench/scrub_identical.py                    # this tree against main
    python bench/scrub_identical.py --before HEAD~3    # against any revision
    python bench/scrub_identical.py --timing 3         # also time both on bench/scrub.py's streams, 3 rounds each
    python bench/scrub_identical.py --stream-events 0  # the corpora only, not bench/scrub.py's events
    python bench/scrub_identical.py --streams-only     # bench/scrub.py's events only (a minute, not several)

The scrubber of revision `--before` (its `policies/` taken with `git archive`) and the scrubber of this tree each run
in a fresh interpreter over every payload of the corpus (default fixtures/pii/corpus.jsonl) through every public entry
point, under three policies (the default; policy rules of every action with detector actions other than replace; no
built-in rules and a strict class for every key), and over bench/scrub.py's generated events (`--stream-events` of its
cold stream, whose strings never repeat, and as many of its warm one, under the default policy, in batches of 20 and
one event per call), and write what comes out, findings included, to a file. The two files must be equal byte for
byte; the first differences are printed (record id and entry point, never a value) and the exit status is 1 when they
differ.

With `--timing N`, both scrubbers also scrub bench/scrub.py's streams (4,000 cold events, whose strings never repeat;
4,000 warm ones to fill the cache, then 4,000 more), each in its own process pinned to one CPU, the two taking turns N
times; events per CPU-second, the best of each, and their ratio are printed (a change that must not change behaviour
must not cost speed either).

Entry points: `scrub_events` on each Segment batch as the model events the codecs build, `scrub_value` on every
payload, `scrub_text` and `scrub_attribute` (href, title, data-*, input value) on every string of it, and
`scrub_input_value` with the input types that take their own path. Then every recording of the replay corpus
(fixtures/replay-corpus) through the recordings' privacy pass (replay/privacy.py), with and without unmasked inputs.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import os
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fixtures" / "pii" / "corpus.jsonl"
RECORDINGS = ROOT / "fixtures" / "replay-corpus"
KEY = b"identical-check-key-0123456789ab"


def _strings(value: Any) -> Iterator[str]:
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            yield v
        elif isinstance(v, dict):
            stack.extend(reversed(list(v.values())))
        elif isinstance(v, list):
            stack.extend(reversed(v))


def _configs() -> dict[str, Any]:
    from policies.pii import FieldRule, PiiConfig

    rules = (
        FieldRule("properties.**.email", "hash"),
        FieldRule("**.order_id", "keep"),
        FieldRule("**.referrer", "replace", "[URL]"),
        FieldRule("**.comment", "mask"),
        FieldRule("context.ip", "truncate_ip"),
        FieldRule("**.created_at", "generalize_date"),
        FieldRule("**.sku", "remove"),
        FieldRule("context.page.*", "detect"),
        FieldRule("**.user_properties", "hash"),
    )
    default = PiiConfig()
    return {
        "default": default,
        "rules": dataclasses.replace(
            default, rules=rules, extra_sensitive_keys=("note",), allow_values=("support@example.com",),
            entity_actions={"IP_ADDRESS": "truncate_ip", "EMAIL_ADDRESS": "hash", "PHONE_NUMBER": "mask",
                            "CREDIT_CARD": "remove"},
        ),
        "strict": dataclasses.replace(default, default_rules=False, free_text_keys=("*", "properties", "url", "q"),
                                      id_fields=("**.id",), cache_entries=64, cache_max_chars=40),
    }


def _segment_events(payload: Any) -> list[Any] | None:
    """The batch's messages as model events (wire name → field), as the Segment codec builds them."""
    from policies.event import WIRE_NAMES, Event

    batch = payload.get("batch") if isinstance(payload, dict) else None
    if not isinstance(batch, list):
        return None
    events = []
    for item in batch:
        item = dict(item)
        event = Event(type=str(item.pop("type", "track")), message_id=str(item.pop("messageId", "")))
        for attr, wire in WIRE_NAMES:
            if wire in item:
                setattr(event, attr, item.pop(wire))
        event.extra = item
        events.append(event)
    return events


def _event_out(event: Any) -> dict[str, Any]:
    from policies.event import WIRE_NAMES

    return {"type": event.type, "messageId": event.message_id, "extra": event.extra,
            **{wire: getattr(event, attr) for attr, wire in WIRE_NAMES}}


def _stream_events(path: Path | None, analyzer: Any, f: Any) -> None:
    """bench/scrub.py's events (saved by the parent, so that both trees get the same), default policy: in batches of
    20 with a fresh scrubber per stream (cold: every string new to it), then again one event per call."""
    import copy

    import orjson

    from policies.pii import PiiConfig, Scrubber

    if path is None:
        return
    for name, wires in orjson.loads(path.read_bytes()).items():
        for batch in (20, 1):
            scrubber = Scrubber(PiiConfig(), KEY, None, analyzer=analyzer)
            events = _segment_events({"batch": copy.deepcopy(wires)}) or []
            for at in range(0, len(events), batch):
                found = scrubber.scrub_events(events[at : at + batch])
                line = {"policy": f"default, {name} stream, batches of {batch}", "id": at,
                        "scrub_events": [[_event_out(e), x.items()] for e, x in zip(events[at : at + batch], found,
                                                                                     strict=True)]}
                f.write(orjson.dumps(line, option=orjson.OPT_SORT_KEYS) + b"\n")


def dump(corpus: Path, out: Path, stream: Path | None = None, streams_only: bool = False) -> None:
    """Scrub the corpus through every entry point under every policy, writing one JSON line per (policy, record);
    then the saved stream events, if any."""
    import copy

    import orjson

    from policies.pii import Findings, PiiConfig, Scrubber, scrubber

    print(f"  scrubbing with {Path(scrubber.__file__).resolve()}", flush=True)
    records = [orjson.loads(line) for line in corpus.read_bytes().splitlines() if line.strip()]
    if streams_only:
        with out.open("wb") as f:
            _stream_events(stream, Scrubber(PiiConfig(), KEY, None).analyzer, f)
        return
    analyzer = None
    with out.open("wb") as f:
        for name, config in _configs().items():
            scrubber = Scrubber(config, KEY, None, analyzer=analyzer)
            analyzer = scrubber.analyzer
            for record in records:
                payload = record["payload"]
                line: dict[str, Any] = {"policy": name, "id": record["id"]}
                events = _segment_events(copy.deepcopy(payload))
                if events is not None:
                    found = scrubber.scrub_events(events)
                    line["scrub_events"] = [[_event_out(e), f.items()] for e, f in zip(events, found, strict=True)]
                value, findings = scrubber.scrub_value(copy.deepcopy(payload))
                line["scrub_value"] = [value, findings.items()]
                texts: list[Any] = []
                for text in _strings(payload):
                    found = Findings()
                    texts.append([
                        scrubber.scrub_text(text, found),
                        scrubber.scrub_attribute("a", "href", text, found),
                        scrubber.scrub_attribute("div", "title", text, found),
                        scrubber.scrub_attribute("div", "data-info", text, found),
                        scrubber.scrub_attribute("input", "value", text, found),
                        scrubber.scrub_input_value(text, "email", "", "", found),
                        scrubber.scrub_input_value(text, "text", "card_number", "", found),
                        scrubber.scrub_input_value(text, "text", "", "cc-number", found),
                        scrubber.scrub_input_value(text, "text", "", "", found),
                        found.items(),
                    ])
                line["texts"] = texts
                f.write(orjson.dumps(line, option=orjson.OPT_SORT_KEYS) + b"\n")
        _dump_recordings(Scrubber(_configs()["default"], KEY, None, analyzer=analyzer), f)
        _stream_events(stream, analyzer, f)


def _dump_recordings(scrubber: Any, f: Any) -> None:
    import orjson

    from replay.privacy import RrwebPrivacy

    for unmasked in ((), ("input[type=search]", "textarea", "#note")):
        # Text nodes in one batch where the scrubber offers it (scrub_texts), one by one where it does not (older
        # revisions): the two must agree.
        batch = {"scrub_texts": scrubber.scrub_texts} if hasattr(scrubber, "scrub_texts") else {}
        privacy = RrwebPrivacy(unmasked, scrub_text=scrubber.scrub_text, scrub_attribute=scrubber.scrub_attribute,
                               **batch)
        for path in sorted(RECORDINGS.glob("*.json")):
            if path.name == "manifest.json":
                continue
            events = orjson.loads(path.read_bytes())["events"]
            line = {"policy": f"recording, {len(unmasked)} unmasked", "id": path.stem,
                    "events": privacy.scrub(events, set())}
            f.write(orjson.dumps(line, option=orjson.OPT_SORT_KEYS) + b"\n")


def timing(stream: Path) -> None:
    """Print (cold, warm) events per CPU-second of this tree's scrubber on the saved stream, best of 3."""
    import copy
    import time

    import orjson

    from policies.pii import PiiConfig, Scrubber

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    streams = orjson.loads(stream.read_bytes())
    cold, warm_a, warm_b = streams["cold"], streams["warm"], streams["warm, second half"]
    analyzer = Scrubber(PiiConfig(), KEY, None).analyzer
    best = [1e9, 1e9]
    for _ in range(3):
        for i, (first, timed) in enumerate(((None, cold), (warm_a, warm_b))):
            scrubber = Scrubber(PiiConfig(), KEY, None, analyzer=analyzer)
            for wires in (first, timed):
                if wires is None:
                    continue
                events = _segment_events({"batch": copy.deepcopy(wires)}) or []
                start = time.process_time()
                for at in range(0, len(events), 20):
                    scrubber.scrub_events(events[at : at + 20])
            best[i] = min(best[i], time.process_time() - start)
    print(orjson.dumps([len(cold) / best[0], len(warm_b) / best[1]]).decode())


def _save_streams(path: Path, cold_events: int, warm_events: int) -> None:
    """bench/scrub.py's cold stream and its warm one (two parts: the second is timed after the first), generated here
    once, so that both trees scrub the same events."""
    import orjson

    sys.path.insert(0, str(ROOT / "bench"))
    from scrub import ColdStream, WarmStream

    cold, warm = ColdStream(), WarmStream()
    path.write_bytes(orjson.dumps({
        "cold": [cold.event()[0] for _ in range(cold_events)], "warm": [warm.event()[0] for _ in range(warm_events)],
        "warm, second half": [warm.event()[0] for _ in range(warm_events)]}))


def _time_both(old_tree: Path, tmp: Path, rounds: int) -> None:
    import orjson

    path = tmp / "timing-streams.json"
    _save_streams(path, 4000, 4000)
    rates: dict[str, list[list[float]]] = {"before": [], "after": []}
    for _ in range(rounds):
        for label, tree in (("before", old_tree), ("after", ROOT)):
            env = dict(os.environ, PYTHONPATH=str(tree), PYTHONHASHSEED="0")
            out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--timing-of", str(path)],
                                 cwd=tree, env=env, check=True, capture_output=True, text=True).stdout
            rates[label].append(orjson.loads(out.strip().splitlines()[-1]))
    print(f"events per CPU-second, best of {rounds} turns (load average {os.getloadavg()[0]:.1f}):")
    for i, name in enumerate(("cold cache", "warm cache")):
        before, after = (max(r[i] for r in rates[k]) for k in ("before", "after"))
        print(f"  {name}: before {before:,.0f}  after {after:,.0f}  after/before {after / before:.2f}")


def _run_dump(tree: Path, corpus: Path, out: Path, stream: Path | None, streams_only: bool) -> None:
    env = dict(os.environ, PYTHONPATH=str(tree), PYTHONHASHSEED="0")
    extra = ["--stream", str(stream)] if stream is not None else []
    extra += ["--streams-only"] if streams_only else []
    subprocess.run([sys.executable, str(Path(__file__).resolve()), "--dump", str(out), "--corpus", str(corpus),
                    *extra], cwd=tree, env=env, check=True)


def _export(revision: str, target: Path) -> None:
    archive = target / "tree.tar"
    with archive.open("wb") as f:
        subprocess.run(["git", "-C", str(ROOT), "archive", revision, "policies", "replay"], stdout=f, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    archive.unlink()


def _compare(before: Path, after: Path) -> int:
    old, new = before.read_bytes(), after.read_bytes()
    for label, data in (("before", old), ("after", new)):
        print(f"{label:6}  {len(data):>12,} bytes  sha256 {hashlib.sha256(data).hexdigest()}")
    old_lines, new_lines = old.splitlines(), new.splitlines()
    if old == new:
        print(f"identical: {len(new_lines)} lines ((policy, payload) and recordings), every entry point")
        return 0
    import orjson

    differing = 0
    for a, b in zip(old_lines, new_lines, strict=False):
        if a == b:
            continue
        differing += 1
        if differing <= 10:
            left, right = orjson.loads(a), orjson.loads(b)
            parts = [k for k in sorted(set(left) | set(right)) if left.get(k) != right.get(k)]
            print(f"differs: policy {left['policy']} record {left['id']}: {', '.join(parts)}")
    print(f"NOT identical: {differing} of {len(old_lines)} lines differ ({len(new_lines)} lines after)")
    return 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="main", help="git revision to compare against (default: main)")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--timing", type=int, default=0, metavar="N", help="also time both, N turns each")
    parser.add_argument("--stream-events", type=int, default=3000, metavar="N",
                        help="bench/scrub.py's cold and warm events compared (default 3000 of each; 0: none)")
    parser.add_argument("--streams-only", action="store_true", help="bench/scrub.py's events only, not the corpora")
    parser.add_argument("--stream", type=Path, help=argparse.SUPPRESS)  # internal: the saved stream events
    parser.add_argument("--dump", type=Path, help=argparse.SUPPRESS)  # internal: one tree's output
    parser.add_argument("--timing-of", type=Path, help=argparse.SUPPRESS)  # internal: one tree's rates
    args = parser.parse_args()
    if args.dump is not None:
        dump(args.corpus, args.dump, args.stream, args.streams_only)
        return 0
    if args.timing_of is not None:
        timing(args.timing_of)
        return 0
    with tempfile.TemporaryDirectory(prefix="scrub-identical-") as tmp:
        old_tree = Path(tmp) / "before"
        old_tree.mkdir()
        _export(args.before, old_tree)
        outputs = Path(tmp) / "before.jsonl", Path(tmp) / "after.jsonl"
        stream = None
        if args.stream_events:
            stream = Path(tmp) / "streams.json"
            _save_streams(stream, args.stream_events, args.stream_events)
        print(f"scrubbing {args.corpus} and {args.stream_events} cold and warm events of bench/scrub.py with "
              f"{args.before} and with this tree ({ROOT})")
        _run_dump(old_tree, args.corpus.resolve(), outputs[0], stream, args.streams_only)
        _run_dump(ROOT, args.corpus.resolve(), outputs[1], stream, args.streams_only)
        status = _compare(*outputs)
        if args.timing:
            _time_both(old_tree, Path(tmp), args.timing)
        return status


if __name__ == "__main__":
    sys.exit(main())

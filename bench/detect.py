"""Throughput of the frustration analysis (replay.detect) on one core, next to baselines measured in the same run.

    python bench/detect.py [--repeat N] [--before REV|none]

Read + detect, as the gateway analyses a stored session (replay.analysis.analyze_stored): the sessions are stored in a
real replay store (a SQLite file, 2 s chunks as posthog-js flushes them, zstd with a dictionary trained on those
chunks), then read back and analysed. Compared in the same run with the read path before issue 19
(`analyze_stored_before` below): it parsed each chunk, serialized every event again to merge and deduplicate the
chunks as bytes, and parsed each event once more for the detectors. Both must find the same signals and forms.

"Before" is printed two ways. With today's detectors on the old read path: only the read differs. And with the
detectors of revision --before (default 6326914, the code when issue 19 was filed; its replay/ and policies/ taken with
`git archive` and imported under a package of their own): the code before, read and detect. Those detectors were
cheaper than today's (they know nothing of single-page apps, autosave forms, overrides or heatmaps), so this is the
stricter ratio while today's detection costs more; they must report the same signals (kind, time, page).
"After" is this tree as `make` builds it: the modules listed in pyproject.toml compiled by mypyc (build_compiled.py),
or their sources when nothing was compiled or PRIVACY_GATEWAY_COMPILED=pure; the output's second line says which.
The code of --before always runs as Python (it is imported from its sources under a package of its own).
Beside them, detection alone on the events already in memory: the same in both paths, so it bounds the ratio (the
read + detect ratio reaches 2x only while detection takes at most read before - 2 x read after).

Then, for the events already parsed,
- rrweb events analysed per second;
- the same with the JSON parse included (orjson.loads of the stored bytes, then analysis);
- baselines: a plain Python loop that only reads each event's type and data, and orjson.loads of the same events.
The ratios say how far the analysis is from the cost of merely touching or parsing the events.

The synthetic hour is built to be heavier than a typical recording: 12 page loads with ~1,600-node snapshots, mouse
batches every 500 ms all hour, a ticker and a CSS animation mutating the DOM, typing into forms, scrolls, clicks with
and without responses (dead clicks, rage bursts), console errors and mouse shaking. Targets: >= 100,000 events/s, and
the hour in under 2 s.

The process is pinned to one CPU when the OS allows it, and times are the process's CPU time (so that other work on
a shared machine does not count). Each figure is the best of --repeat runs: timing noise only ever adds time.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import heapq
import importlib
import io
import os
import random
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from gateway.database import Database, Migration
from policies.compiled import how_it_runs
from replay import compaction, object_index, shredding
from replay import mirror as replay_mirror
from replay import store as replay_store
from replay.analysis import analyze_stored
from replay.compression import Compressor, train
from replay.detect import DetectConfig, SessionAnalysis, analyze_session
from replay.shredding import KeyRing, open_chunk
from replay.store import ChunkIn, ReplayStore, encode_chunk
from replay.summary import summarize

MASTER_KEY = bytes(range(32))  # not a secret: the benchmark's master key
STORE_MIGRATIONS = [Migration("replay-1", replay_store.SCHEMA), Migration("replay-objects-1", object_index.SCHEMA),
                    Migration("replay-keys-1", shredding.SCHEMA), Migration("replay-keys-2", shredding.INDEX_SCHEMA),
                    Migration("replay-segments-1", compaction.SCHEMA),
                    Migration("replay-segments-2", compaction.LAYOUT_SCHEMA),
                    Migration("replay-keys-3", shredding.ONE_SUBJECT_SCHEMA),
                    Migration("replay-segments-3", (*compaction.OFFSET_SCHEMA, *compaction.REPEATED_COLUMNS)),
                    Migration("replay-keys-4", shredding.UNREAD_COLUMNS),
                    Migration("replay-segments-4", compaction.UNREAD_COLUMNS),
                    Migration("replay-segments-5", compaction.SESSION_SEGMENTS)]

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fixtures" / "replay-corpus"
HOUR_MS = 3_600_000
T0 = 1_800_000_000_000


def pin_to_one_cpu() -> str:
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    except (AttributeError, OSError):
        return "not pinned (no sched_setaffinity here)"


# -- the synthetic hour -----------------------------------------------------------------------------------------------


class SyntheticHour:
    """Builds a deterministic one-hour rrweb stream."""

    def __init__(self, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        self.events: list[dict[str, Any]] = []
        self.next_id = 1

    def node(self, tag: str, attrs: dict[str, Any], children: list[dict[str, Any]]) -> dict[str, Any]:
        node_id = self.next_id
        self.next_id += 1
        return {"type": 2, "tagName": tag, "attributes": attrs, "childNodes": children, "id": node_id}

    def text(self, value: str) -> dict[str, Any]:
        node_id = self.next_id
        self.next_id += 1
        return {"type": 3, "textContent": value, "id": node_id}

    def page_tree(self, page: int) -> tuple[dict[str, Any], dict[str, list[int]]]:
        """A document of ~1,600 nodes: header links, a product grid, a form, a ticker. Returns it and id groups."""
        self.next_id = 1
        doc_id = self.next_id
        self.next_id += 1
        ids: dict[str, list[int]] = {"links": [], "buttons": [], "dead": [], "fields": [], "submit": [], "ticker": []}
        links = []
        for i in range(8):
            a = self.node("a", {"href": f"/section/{i}", "class": "nav__link"}, [self.text(f"Section {i}")])
            ids["links"].append(a["id"])
            links.append(a)
        cards = []
        for i in range(120):
            button = self.node("button", {"type": "button", "class": "card__like"}, [self.text("♥")])
            badge = self.node("span", {"class": "badge"}, [self.text("New")])
            ids["buttons"].append(button["id"])
            ids["dead"].append(badge["id"])
            card = [
                self.node("h3", {}, [self.text(f"Product {page}-{i}")]),
                self.node("p", {}, [self.text("x " * 20)]),
                badge,
                button,
                self.node("img", {"src": f"/img/{i}.jpg", "alt": f"Product {i}"}, []),
            ]
            cards.append(self.node("div", {"class": "card", "data-testid": f"card-{i}"}, card))
        fields = []
        for name in ("name", "email", "phone", "street", "city", "zip"):
            field = self.node("input", {"type": "text", "name": name}, [])
            ids["fields"].append(field["id"])
            fields.append(self.node("label", {"class": "row"}, [self.text(name), field]))
        submit = self.node("button", {"type": "submit"}, [self.text("Send")])
        ids["submit"].append(submit["id"])
        form = self.node("form", {"id": "contact"}, [*fields, submit])
        ticker_text = self.text("00:00")
        ticker = self.node("div", {"class": "ticker"}, [ticker_text])
        ids["ticker"] = [ticker["id"], ticker_text["id"]]
        body = self.node("body", {}, [self.node("header", {}, links), self.node("main", {}, cards), form, ticker])
        html = self.node("html", {}, [self.node("head", {}, []), body])
        ids["body"] = [body["id"]]
        return {"type": 0, "childNodes": [html], "id": doc_id}, ids

    def push(self, t: int, event_type: int, data: dict[str, Any]) -> None:
        self.events.append({"type": event_type, "data": data, "timestamp": T0 + t})

    def build(self) -> list[dict[str, Any]]:
        rng = self.rng
        pending: list[tuple[int, int, dict[str, Any]]] = []  # (t, type, data), sorted at the end
        page_ms = HOUR_MS // 12
        for page in range(12):
            start = page * page_ms
            tree, ids = self.page_tree(page)
            pending.append(
                (
                    start,
                    4,
                    {"href": f"https://shop.example/p/{page}/items/{page * 7}?q=x", "width": 1280, "height": 720},
                )
            )
            pending.append((start + 1, 2, {"node": tree, "initialOffset": {"top": 0, "left": 0}}))
            next_id = self.next_id
            # Mouse batches every 500 ms all along, 8 positions each, gliding toward a new target every 1.5 s.
            x, y, goal_x, goal_y = 600.0, 400.0, 600.0, 400.0
            for t in range(start + 500, start + page_ms, 500):
                if t % 1500 == 0:
                    goal_x, goal_y = rng.uniform(0, 1270), rng.uniform(0, 710)
                positions = []
                for k in range(8):
                    x += (goal_x - x) * 0.3 + rng.uniform(-2, 2)
                    y += (goal_y - y) * 0.3 + rng.uniform(-2, 2)
                    positions.append(
                        {"x": round(x), "y": round(y), "id": rng.choice(ids["buttons"]), "timeOffset": -490 + k * 60}
                    )
                pending.append((t, 3, {"source": 1, "positions": positions}))
            # A ticker (one text mutation per second) on every other page.
            for t in range(start + 1000, start + page_ms, 1000 if page % 2 else page_ms):
                pending.append(
                    (
                        t,
                        3,
                        {
                            "source": 0,
                            "texts": [{"id": ids["ticker"][1], "value": f"{t // 1000}"}],
                            "attributes": [],
                            "removes": [],
                            "adds": [],
                        },
                    )
                )
            # A CSS animation: 10 style mutations per second for the first half of every page.
            for t in range(start + 100, start + page_ms // 2, 100):
                card = rng.choice(ids["buttons"])
                pending.append(
                    (
                        t,
                        3,
                        {
                            "source": 0,
                            "texts": [],
                            "removes": [],
                            "adds": [],
                            "attributes": [{"id": card, "attributes": {"style": f"opacity: {t % 7 / 7}"}}],
                        },
                    )
                )
            # Clicks every ~6 s in the second half: most answered by a DOM change, some dead, a rage burst per page.
            t = start + page_ms // 2
            while t < start + page_ms - 10_000:
                kind = rng.random()
                target = rng.choice(ids["dead"] if kind < 0.2 else ids["buttons"])
                for interaction in (1, 0, 2):
                    pending.append((t, 3, {"source": 2, "type": interaction, "id": target, "x": 300, "y": 200}))
                if kind >= 0.2:
                    card_parent = ids["body"][0]
                    added = {
                        "type": 2,
                        "tagName": "div",
                        "attributes": {"class": "toast"},
                        "childNodes": [{"type": 3, "textContent": "Added", "id": next_id + 1}],
                        "id": next_id,
                    }
                    next_id += 2
                    pending.append(
                        (
                            t + 3,
                            3,
                            {
                                "source": 0,
                                "texts": [],
                                "attributes": [],
                                "removes": [],
                                "adds": [{"parentId": card_parent, "nextId": None, "node": added}],
                            },
                        )
                    )
                if kind > 0.95:
                    pending.append(
                        (
                            t + 40,
                            6,
                            {
                                "plugin": "rrweb/console@1",
                                "payload": {"level": "error", "trace": [], "payload": ['"TypeError: x is undefined"']},
                            },
                        )
                    )
                t += rng.randint(4000, 8000)
            dead_target = ids["dead"][0]
            for k in range(5):
                for interaction in (1, 0, 2):
                    pending.append(
                        (
                            start + page_ms - 9000 + k * 150,
                            3,
                            {"source": 2, "type": interaction, "id": dead_target, "x": 50, "y": 50},
                        )
                    )
            # Typing 40 keystrokes into the form, then leaving (an abandoned form every other page).
            field = ids["fields"][page % len(ids["fields"])]
            pending.append((start + 20_000, 3, {"source": 2, "type": 5, "id": field}))
            for k in range(40):
                pending.append(
                    (start + 20_100 + k * 120, 3, {"source": 5, "text": "a" * (k + 1), "isChecked": False, "id": field})
                )
            if page % 2 == 0:
                submit = ids["submit"][0]
                for interaction in (1, 0, 2):
                    pending.append(
                        (start + 26_000, 3, {"source": 2, "type": interaction, "id": submit, "x": 1, "y": 1})
                    )
                pending.append(
                    (
                        start + 26_200,
                        3,
                        {
                            "source": 0,
                            "texts": [],
                            "attributes": [],
                            "adds": [],
                            "removes": [{"parentId": ids["body"][0], "id": field - 1}],
                        },
                    )
                )
            # Scrolling: a burst of 20 scroll events every 30 s.
            for t in range(start + 15_000, start + page_ms, 30_000):
                for k in range(20):
                    pending.append((t + k * 50, 3, {"source": 3, "id": 1, "x": 0, "y": k * 40}))
            # A shaken mouse once per page.
            shake = [
                {"x": 400 + (120 if k % 2 else 0), "y": 300, "id": ids["buttons"][1], "timeOffset": -450 + k * 50}
                for k in range(10)
            ]
            pending.append((start + page_ms - 5000, 3, {"source": 1, "positions": shake}))
        pending.sort(key=lambda item: item[0])
        for t, event_type, data in pending:
            self.push(t, event_type, data)
        return self.events


# -- read + detect from a store ---------------------------------------------------------------------------------------

CHUNK_MS = 2000  # posthog-js flushes its recording buffer every 2 s
WINDOW = "window"


def chunks_of(events: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    chunks: list[list[dict[str, Any]]] = []
    start = None
    for event in events:
        if start is None or event["timestamp"] - start >= CHUNK_MS:
            chunks.append([])
            start = event["timestamp"]
        chunks[-1].append(event)
    return chunks


def stored(sessions: list[tuple[str, list[dict[str, Any]]]], db: Database) -> ReplayStore:
    """`sessions` in a replay store on `db`, compressed with a dictionary trained on their chunks (as the gateway
    trains one per source once it has enough chunks)."""
    store = ReplayStore(db, Compressor(level=3), KeyRing(MASTER_KEY))
    cut = [(session_id, chunks_of(events)) for session_id, events in sessions]

    async def fill() -> None:
        samples = [encode_chunk(chunk) for _, chunks in cut for chunk in chunks]
        await store.add_dictionary("bench", train(samples, 112_640), len(samples))
        for session_id, chunks in cut:
            await store.add("bench", [ChunkIn(session_id, WINDOW, (), chunk, summarize(chunk)) for chunk in chunks])

    asyncio.run(fill())
    return store


def events_before(store: ReplayStore, session_id: str, window_id: str) -> Iterator[bytes]:
    """The read path before issue 19 (ReplayStore.iter_events as it was): each chunk parsed, each event serialized
    again, chunks merged and repeats dropped as bytes."""
    rows = store.db.read_sync(
        lambda c: c.execute(
            """SELECT id, dictionary_id, digest, key_id FROM replay_chunks
               WHERE session_id = ? AND (? IS NULL OR window_id = ?) ORDER BY first_ts, id""",
            (session_id, window_id, window_id),
        ).fetchall()
    )

    def lines(order: int, chunk_id: int, dict_id: int | None, digest: bytes, key_id: str
              ) -> Iterator[tuple[int, int, bytes]]:
        data, key = store.db.read_sync(lambda c: (store.blobs.get_many(c, [chunk_id]).get(chunk_id),
                                                  store.keys.key(c, key_id)))
        if data is None:
            return
        # Chunks are sealed at rest now (replay.shredding): opened here as the read path opens them.
        opened = open_chunk(key, chunk_id, session_id, digest, dict_id, data)
        events = orjson.loads(store.compressor.decompress(opened, dict_id))
        yield from sorted(((e["timestamp"], order, orjson.dumps(e)) for e in events), key=lambda item: item[0])

    previous: tuple[int, bytes] | None = None
    seen_at_instant: set[bytes] = set()
    for ts, _, line in heapq.merge(*(lines(i, *row) for i, row in enumerate(rows))):
        if previous is None or ts != previous[0]:
            seen_at_instant.clear()
        if line in seen_at_instant:
            continue
        seen_at_instant.add(line)
        previous = (ts, line)
        yield line


def analyze_stored_before(store: ReplayStore, session_id: str, detectors: Detectors) -> Any:
    """replay.analysis.analyze_stored before issue 19: the detectors parsed each event's bytes once more."""
    windows = store.db.read_sync(
        lambda c: c.execute("SELECT windows FROM replay_sessions WHERE session_id = ?", (session_id,)).fetchone()
    )
    if windows is None:
        return None
    return detectors.analyze(
        session_id,
        {w: (orjson.loads(line) for line in events_before(store, session_id, w)) for w in orjson.loads(windows[0])},
        detectors.config,
    )


# The revision the code was at when issue 19 was filed (the last commit before its work began): its read path and its
# detectors are "before" in the strict sense.
ISSUE_19_FILED = "6326914"
_TOP_IMPORT = re.compile(r"^(\s*)(from|import) (replay|policies)(?=[.\s])", re.MULTILINE)


@dataclass(frozen=True)
class Detectors:
    """An `analyze_session` and the `DetectConfig` it takes, of this tree or of an older revision."""

    label: str
    analyze: Callable[[str, Any, Any], Any]
    config: Any


def detectors_of(revision: str, directory: Path) -> Detectors:
    """The detectors of `revision`: its replay/ and policies/ taken with `git archive` into `directory`, under a
    package of their own (`before_tree`, imports rewritten) so that both versions run in this process, in turns."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "replay", "policies"],
                             capture_output=True, check=True).stdout
    tree = directory / "before_tree"
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tree, filter="data")
    (tree / "__init__.py").write_text("")
    for path in tree.rglob("*.py"):
        path.write_text(_TOP_IMPORT.sub(r"\1\2 before_tree.\3", path.read_text()))
    sys.path.insert(0, str(directory))
    module = importlib.import_module("before_tree.replay.detect")
    return Detectors(f"detectors of {revision}", module.analyze_session, module.DetectConfig())


def common_findings(analysis: Any) -> list[tuple[str, int, str]]:
    """What detectors of any revision report alike: each signal's kind, time and page (selectors and details gained
    fields since)."""
    return [(s.kind, s.timestamp, s.page_url) for s in analysis.signals]


def same_findings(a: SessionAnalysis | None, b: SessionAnalysis | None) -> bool:
    if a is None or b is None:
        return a is b
    return (a.to_dict(), a.forms) == (b.to_dict(), b.forms)


def read_before(store: ReplayStore, session_id: str) -> None:
    for line in events_before(store, session_id, WINDOW):
        orjson.loads(line)


def read_after(store: ReplayStore, session_id: str) -> None:
    for _ in store.read_events(session_id, WINDOW):
        pass


def measure_read_and_detect(
    name: str, sessions: list[tuple[str, list[dict[str, Any]]]], rounds: int, repeat: int, old: Detectors | None
) -> None:
    """Prints the read path alone and read + detect, each before and after, with the ratios. "Before" runs today's
    detectors on the old read path and, with `old`, also the old read path with the detectors of that revision."""
    config = DetectConfig()
    today = Detectors("today's detectors", analyze_session, config)
    events = sum(len(e) for _, e in sessions) * rounds
    with tempfile.TemporaryDirectory() as directory:
        db = Database(Path(directory) / "bench.sqlite3", STORE_MIGRATIONS)
        try:
            store = stored(sessions, db)
            ids = [session_id for session_id, _ in sessions]
            parsed = {session_id: list(store.read_events(session_id, WINDOW)) for session_id in ids}
            # The events kept for "detect alone" are the bench's own input too: unfrozen, every collection in the
            # read runs would walk them, and the path before collects about 8 times as often as the path after
            # (corpus x20: 453 against 53 young collections; 31 ms against 6 ms in the collector, 24 and 4 frozen).
            gc.freeze()
            for session_id in ids:
                after = analyze_stored(store, session_id, config)
                if not same_findings(analyze_stored_before(store, session_id, today), after):
                    raise SystemExit(f"{session_id}: the two read paths disagree; the figures would mean nothing")
                if old is not None and common_findings(analyze_stored_before(store, session_id, old)) \
                        != common_findings(after):
                    raise SystemExit(f"{session_id}: the {old.label} find other signals; the figures would mean"
                                     " nothing")

            def each_session(work: Callable[[str], Any]) -> Callable[[], None]:
                def run() -> None:
                    for _ in range(rounds):
                        for session_id in ids:
                            work(session_id)

                return run

            runs = {
                "read before": each_session(lambda s: read_before(store, s)),
                "read after": each_session(lambda s: read_after(store, s)),
                "read + detect before": each_session(lambda s: analyze_stored_before(store, s, today)),
                "read + detect after": each_session(lambda s: analyze_stored(store, s, config)),
                "detect": each_session(lambda s: analyze_session(s, {WINDOW: parsed[s]}, config)),
            }
            if old is not None:
                runs["read + detect before, old detectors"] = each_session(
                    lambda s: analyze_stored_before(store, s, old))
                runs["detect, old detectors"] = each_session(lambda s: old.analyze(s, {WINDOW: parsed[s]}, old.config))
            times = best_of_interleaved(repeat, runs)
        finally:
            db.close()
    chunks = sum(len(chunks_of(e)) for _, e in sessions)
    print(f"\n{name}: from a replay store, {len(sessions)} session(s) in {chunks:,} chunks, read {rounds}x,"
          f" {events:,} events; the same signals and forms both ways")

    def line(label: str, key: str) -> None:
        best, median = times[key]
        print(f"  {label:<62}{events / best:>12,.0f} events/s {best * 1000:9.1f} ms   (median {median * 1000:.1f} ms)")

    def ratio(what: str, before: str, after: str) -> None:
        (before_best, before_median), (after_best, after_median) = times[before], times[after]
        print(f"  {what}: {before_best / after_best:.2f}x faster (median {before_median / after_median:.2f}x)")

    line("read before (parse, re-serialize, parse)", "read before")
    line("read after (parsed once)", "read after")
    ratio("read", "read before", "read after")
    line("read + detect before (that read path, today's detectors)", "read + detect before")
    if old is not None:
        line(f"read + detect before (that read path, {old.label})", "read + detect before, old detectors")
    line("read + detect after (parsed once, today's detectors)", "read + detect after")
    ratio("read + detect, today's detectors in both", "read + detect before", "read + detect after")
    if old is not None:
        ratio(f"read + detect, the code of {ISSUE_19_FILED} before", "read + detect before, old detectors",
              "read + detect after")
    detect, old_read, new_read = times["detect"][0], times["read before"][0], times["read after"][0]
    line("detect alone (events in memory), today's detectors", "detect")
    if old is not None:
        line(f"detect alone (events in memory), {old.label}", "detect, old detectors")
    print(f"  detect alone is {detect / times['read + detect after'][0]:.0%} of read + detect after;"
          f" with today's detectors in both, 2x needs detection <= read before - 2 x read after ="
          f" {(old_read - 2 * new_read) * 1000:.1f} ms; with a read that cost nothing:"
          f" {(old_read + detect) / detect:.2f}x")


# -- timing -----------------------------------------------------------------------------------------------------------


def best_of(repeat: int, run: Callable[[], Any]) -> tuple[float, float]:
    """(best, median) CPU time of this process in seconds: the work done on the one core, not the time spent waiting
    for it when other processes share the machine."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return min(times), statistics.median(times)


def best_of_interleaved(repeat: int, runs: dict[str, Callable[[], Any]]) -> dict[str, tuple[float, float]]:
    """`best_of` for several runs taken in turn, so that a busy spell on a shared machine slows all of them alike."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            start = time.process_time()
            run()
            times[name].append(time.process_time() - start)
    return {name: (min(t), statistics.median(t)) for name, t in times.items()}


def touch_every_event(events: list[dict[str, Any]]) -> int:
    n = 0
    for event in events:
        if event.get("type") == 3 and event.get("data") is not None:
            n += 1
    return n


def measure(name: str, sessions: list[tuple[str, list[dict[str, Any]]]], repeat: int) -> None:
    config = DetectConfig()
    events = sum(len(e) for _, e in sessions)
    blobs = [orjson.dumps(e) for _, e in sessions]
    megabytes = sum(len(b) for b in blobs) / 1e6

    def analyze_all() -> None:
        for session_id, session_events in sessions:
            analyze_session(session_id, {"w": session_events}, config)

    def parse_all() -> None:
        for blob in blobs:
            orjson.loads(blob)

    def parse_and_analyze_all() -> None:
        for (session_id, _), blob in zip(sessions, blobs, strict=True):
            analyze_session(session_id, {"w": orjson.loads(blob)}, config)

    def touch_all() -> None:
        for _, session_events in sessions:
            touch_every_event(session_events)

    analyze_best, analyze_median = best_of(repeat, analyze_all)
    parse_best, _ = best_of(repeat, parse_all)
    both_best, _ = best_of(repeat, parse_and_analyze_all)
    touch_best, _ = best_of(repeat, touch_all)

    def rate(seconds: float) -> str:
        return f"{events / seconds:>12,.0f} events/s"

    print(f"\n{name}: {len(sessions)} session(s), {events:,} events, {megabytes:.1f} MB of JSON")
    print(
        f"  analysis (parsed events)       {rate(analyze_best)}   {analyze_best * 1000:8.1f} ms"
        f"   (median {analyze_median * 1000:.1f} ms)"
    )
    print(f"  orjson parse + analysis        {rate(both_best)}   {both_best * 1000:8.1f} ms")
    print(f"  baseline: orjson parse only    {rate(parse_best)}   {parse_best * 1000:8.1f} ms")
    print(f"  baseline: plain loop over them {rate(touch_best)}   {touch_best * 1000:8.1f} ms")
    print(
        f"  analysis / orjson parse: {analyze_best / parse_best:.1f}x the time;"
        f" analysis / plain loop: {analyze_best / touch_best:.0f}x"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=10, help="runs per figure; the best is reported (default 10)")
    parser.add_argument("--before", default=ISSUE_19_FILED, metavar="REV",
                        help="also run the read path before with the detectors of this git revision (default: the"
                             f" code when issue 19 was filed, {ISSUE_19_FILED}); 'none' for today's detectors only")
    args = parser.parse_args(argv[1:])
    print(f"python {sys.version.split()[0]}, {pin_to_one_cpu()}")
    print(f"after = this tree's code, {how_it_runs(replay_mirror)}; before is pure Python")
    print("before = the read path when issue 19 was filed (bench's frozen copy), run with today's detectors"
          + ("" if args.before == "none" else f" and with the detectors of {args.before}"))
    with tempfile.TemporaryDirectory() as directory:
        old = None if args.before == "none" else detectors_of(args.before, Path(directory))
        return run(args.repeat, old)


def run(repeat: int, old: Detectors | None) -> int:
    corpus = []
    for path in sorted(CORPUS.glob("sess_*.json")):
        data = orjson.loads(path.read_bytes())
        corpus.append((data["session_id"], data["events"]))
    # The bench's own inputs are not what is measured: frozen out of the collector's walks (as the gateway freezes its
    # start-up heap, gateway/heap.py), or every collection during a run would walk them too.
    gc.freeze()
    if corpus:
        # The corpus is small (1,831 events); reading it 20 times gives a stable figure.
        measure_read_and_detect("labelled corpus", corpus, 20, repeat, old)
    hour = SyntheticHour().build()
    gc.freeze()
    measure_read_and_detect("synthetic one-hour session", [("sess_hour", hour)], 1, repeat, old)
    if corpus:
        # The corpus is small (1,831 events); analysing it 20 times gives a stable figure.
        measure("labelled corpus (x20)", corpus * 20, repeat)

    measure("synthetic one-hour session", [("sess_hour", hour)], repeat)
    analysis = analyze_session("sess_hour", {"w": hour}, DetectConfig())
    print(f"  signals found in the hour: {analysis.counts} (score {analysis.score})")
    best, _ = best_of(repeat, lambda: analyze_session("sess_hour", {"w": hour}, DetectConfig()))
    verdict = "under" if best < 2.0 else "OVER"
    print(
        f"\none-hour session analysed in {best:.3f} s ({verdict} the 2 s target);"
        f" {len(hour) / best:,.0f} events/s (target 100,000)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

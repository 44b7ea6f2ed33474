"""Live analysis (replay.live) on a real store: chunks arriving close together make one analysis; a form still being
filled is not called abandoned until the idle pass decides it; the live pass never overwrites a full analysis nor
writes signals for a session deleted meanwhile; the worker rests between analyses."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gateway.database import Database
from gateway.schema import DATABASE_FILE, MIGRATIONS
from policies.detect import DetectConfig
from replay.analysis import analyze_and_save, signals_of
from replay.compression import Compressor
from replay.live import SHARE, LiveAnalysis
from replay.shredding import KeyRing
from replay.store import ChunkIn, ReplayStore
from replay.summary import summarize
from tests.replay.streams import E, Recording
from tests.support.waiting import WAIT_TIMEOUT_S

MASTER_KEY = bytes(range(32))  # not a secret: the tests' master key


def store_of(tmp_path: Path) -> ReplayStore:
    return ReplayStore(Database(tmp_path / DATABASE_FILE, MIGRATIONS), Compressor(3), KeyRing(MASTER_KEY))


def chunk(session_id: str, events: list[dict[str, Any]]) -> ChunkIn:
    return ChunkIn(session_id, "main", (), events, summarize(events))


def rage_and_a_form_being_filled() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Two chunks: a rage click on "Pay", then typing into a form that the data so far ends in."""
    rec = Recording()
    refs = rec.page(1000, "https://shop.example/checkout", E("button", "Pay", ref="pay"),
                    E("form", E("input", ref="name", type="text"), E("button", "Send", type="submit"), id="contact"))
    for t in (2000, 2200, 2400):
        rec.click(t, refs["pay"])
    rec.wait(5000)
    first = list(rec.events)
    rec.type_text(6000, refs["name"], "Ann")
    return first, rec.events[len(first):]


async def until(condition: Callable[[], bool], timeout: float = WAIT_TIMEOUT_S) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


def kinds(signals: list[dict[str, Any]]) -> list[str]:
    return [s["kind"] for s in signals]


def test_live_signals_leave_an_unfinished_form_to_the_idle_pass(tmp_path: Path) -> None:
    store = store_of(tmp_path)
    first, second = rage_and_a_form_being_filled()

    async def scenario() -> None:
        live, stop = LiveAnalysis(store, DetectConfig(), delay_s=1.0), asyncio.Event()
        worker = asyncio.create_task(live.run(stop))
        await store.add("web", [chunk("s-1", first)])
        live.stored(["s-1"])
        await store.add("web", [chunk("s-1", second)])
        live.stored(["s-1"])  # within the delay: the same run
        await until(lambda: live.runs == 1)
        assert kinds(await signals_of(store, "s-1")) == ["rage_click"]  # the form is still being filled

        full = await analyze_and_save(store, "s-1", DetectConfig())  # the idle pass: the recording has ended
        assert full is not None and sorted(kinds(await signals_of(store, "s-1"))) == ["form_abandonment",
                                                                                      "rage_click"]
        live.stored(["s-1"])  # a live run after it, with nothing new, leaves the full analysis alone
        await until(lambda: live.runs == 2)
        assert sorted(kinds(await signals_of(store, "s-1"))) == ["form_abandonment", "rage_click"]
        stop.set()
        await worker

    asyncio.run(scenario())


def test_a_session_deleted_while_analysed_gets_no_signals(tmp_path: Path) -> None:
    store = store_of(tmp_path)
    first, _ = rage_and_a_form_being_filled()

    async def scenario() -> None:
        live, stop = LiveAnalysis(store, DetectConfig(), delay_s=0.0), asyncio.Event()
        await store.add("web", [chunk("s-2", first)])
        await store.db.write(lambda conn: store.delete_sessions(conn, ["s-2"]))
        live.stored(["s-2"])
        worker = asyncio.create_task(live.run(stop))
        await until(lambda: live.runs == 1)
        stop.set()
        await worker
        rows = await store.db.read(lambda conn: conn.execute("SELECT count(*) FROM replay_signals").fetchone()[0])
        assert rows == 0

    asyncio.run(scenario())


def test_the_live_worker_rests_after_each_analysis_so_that_it_analyses_at_most_its_share_of_the_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = store_of(tmp_path)
    first, _ = rage_and_a_form_being_filled()
    spans: list[tuple[float, float]] = []
    analyze = LiveAnalysis._analyze

    async def timed(self: LiveAnalysis, session_id: str) -> float:
        took = await analyze(self, session_id)  # its own measure of what it took, which the rest follows
        # One reading of the clock for both ends: with two, a loaded machine pausing between them lengthened the
        # span (and the rest it asks for) beyond the worker's own measure.
        now = time.monotonic()
        spans.append((now - took, now))
        return took

    monkeypatch.setattr(LiveAnalysis, "_analyze", timed)

    async def scenario() -> None:
        live, stop = LiveAnalysis(store, DetectConfig(), delay_s=0.0), asyncio.Event()
        for session_id in ("s-a", "s-b", "s-c"):
            await store.add("web", [chunk(session_id, first)])
        live.stored(["s-a", "s-b", "s-c"])  # all due at once
        worker = asyncio.create_task(live.run(stop))
        await until(lambda: live.runs == 3)
        stop.set()
        await worker

    asyncio.run(scenario())
    assert len(spans) == 3
    for (started, finished), (next_started, _) in itertools.pairwise(spans):
        assert next_started - finished >= (finished - started) * (1 / SHARE - 1)
    assert all(kinds(asyncio.run(signals_of(store, sid))) == ["rage_click"] for sid in ("s-a", "s-b", "s-c"))

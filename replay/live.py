"""Analysis while a session is being recorded: its signals in the API seconds after the chunk that completes them.

Each stored chunk marks its session due `analyze_live_delay_s` later (chunks arriving meanwhile fold into that one
run: a debounce). One worker analyses due sessions one at a time, off the event loop's thread, so live analysis never
takes more than one core however many sessions are recording. A session is re-analysed whole from its stored chunks
(replay.analysis.analyze_stored): chunks arrive out of order and retried, and only a pass over the merged stream gives
the same signals, with the same ids, as the idle pass and `privacy-gateway replay analyze`.

Re-reading a growing session costs more each time, so a session waits at least `COST_FACTOR` times its last
analysis before the next: one that takes 0.5 s to analyse is refreshed at most every 5 s, a usual one (tens of
milliseconds) after the delay alone. Across sessions, the worker analyses at most `SHARE` of the time: after an
analysis it rests (1 / SHARE - 1) times as long as that one took. The worker shares the interpreter lock with the event
loop, so under load every analysis takes longer, the worker rests longer, sessions that came due meanwhile wait, and
each run covers more of their chunks: fewer runs for the same recordings. Signals come later under load, not never: a
due session stays due until it is analysed.

What the live pass keeps back: a form abandonment found only because the recording ends where the data ends (the
person may still be typing). The idle pass, which runs once the session has been quiet for `analyze_after_idle_s`,
decides those and writes the forms and page views for the reports; the live pass leaves `analyzed_at` alone so that
it still runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import orjson

from policies.detect import DetectConfig
from replay.analysis import SIGNAL_COLUMNS, analyze_stored
from replay.database import Connection
from replay.detect import KINDS, SessionAnalysis
from replay.detect.pages import LEFT_BY_SESSION_END
from replay.detect.score import count_by_kind, frustration_score
from replay.detect.signal import FORM_ABANDONMENT
from replay.store import ReplayStore

log = logging.getLogger("replay")

COST_FACTOR = 10.0  # at most ~1/10 of the worker's time on any one session
SHARE = 0.25  # of the wall time the worker spends analysing, at most (it rests the rest)


def settled(analysis: SessionAnalysis, config: DetectConfig) -> SessionAnalysis:
    """The analysis without what only the end of the data so far decided (see the module's docstring)."""
    signals = [s for s in analysis.signals
               if not (s.kind == FORM_ABANDONMENT and s.details.get("left_by") == LEFT_BY_SESSION_END)]
    if len(signals) == len(analysis.signals):
        return analysis
    counts = count_by_kind(signals)
    return replace(analysis, signals=signals, counts=counts, score=frustration_score(counts, config))


def save_signals(conn: Connection, analysis: SessionAnalysis) -> None:
    """Replace the session's signals, counts and score (inside the caller's write); forms, pages and `analyzed_at`
    stay the idle pass's. Nothing is written for a session deleted since it was read (a deletion request), nor over a
    full analysis that has seen every chunk (the idle pass, or the CLI, ran since)."""
    row = conn.execute("SELECT analyzed_at, updated_at FROM replay_sessions WHERE session_id = ?",
                       (analysis.session_id,)).fetchone()
    if row is None or (row[0] is not None and row[0] >= row[1]):
        return
    conn.execute("DELETE FROM replay_signals WHERE session_id = ?", (analysis.session_id,))
    conn.executemany(
        f"INSERT INTO replay_signals ({', '.join(SIGNAL_COLUMNS)}) VALUES ({', '.join('?' * len(SIGNAL_COLUMNS))})",
        [(s.id, s.session_id, s.window_id, s.kind, s.timestamp, s.page_url, s.url, s.selector, s.description,
          orjson.dumps(dict(s.details)).decode()) for s in analysis.signals],
    )
    counts = {kind: analysis.counts.get(kind, 0) for kind in KINDS}
    conn.execute(
        "UPDATE replay_sessions SET signals = ?, score = ? WHERE session_id = ?",
        (orjson.dumps(counts).decode(), analysis.score, analysis.session_id),
    )


@dataclass
class LiveAnalysis:
    store: ReplayStore
    config: DetectConfig
    delay_s: float
    _due: dict[str, float] = field(default_factory=dict)  # session -> when to analyse it
    _not_before: dict[str, float] = field(default_factory=dict)  # session -> earliest next run (its cost)
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    runs: int = 0  # analyses done, for tests and metrics

    def stored(self, session_ids: Iterable[str]) -> None:
        """Chunks of these sessions were committed: analyse each once the delay has passed (or its cost allows)."""
        now = time.monotonic()
        self._not_before = {sid: at for sid, at in self._not_before.items() if at > now}
        for session_id in session_ids:
            if session_id not in self._due:
                self._due[session_id] = max(now + self.delay_s, self._not_before.get(session_id, 0.0))
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """The worker: analyse due sessions one at a time until `stop` is set."""
        while not stop.is_set():
            self._wake.clear()
            now = time.monotonic()
            ready = [sid for sid, at in self._due.items() if at <= now]
            if not ready:
                wait = min(self._due.values(), default=now + 60.0) - now
                waiter = asyncio.ensure_future(self._wake.wait())
                stopper = asyncio.ensure_future(stop.wait())
                await asyncio.wait({waiter, stopper}, timeout=wait, return_when=asyncio.FIRST_COMPLETED)
                waiter.cancel()
                stopper.cancel()
                continue
            session_id = min(ready, key=self._due.__getitem__)
            del self._due[session_id]
            took = await self._analyze(session_id)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), took * (1 / SHARE - 1))

    async def _analyze(self, session_id: str) -> float:
        """Analyse one session and save its signals; the seconds it took."""
        started = time.monotonic()
        try:
            analysis = await asyncio.to_thread(analyze_stored, self.store, session_id, self.config)
            if analysis is not None:
                live = settled(analysis, self.config)
                await self.store.db.write(lambda conn: save_signals(conn, live))
        except Exception:  # one bad session must not stop the analysis of the others; the idle pass retries it
            log.exception("replay: live analysis failed")
        finished = time.monotonic()
        self.runs += 1
        not_before = finished + COST_FACTOR * (finished - started)
        if not_before > finished + self.delay_s:  # a cheap session needs no reminder
            self._not_before[session_id] = not_before
        return finished - started

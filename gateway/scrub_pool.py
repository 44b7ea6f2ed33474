"""PII scrubbing in worker processes (`[http] scrub_workers`), so that a second core scrubs while this process keeps the
event loop, the commit and delivery. Two kinds of job: a request's events (`scrub`), and a recording request's
batches (`prepare`: scrubbed, summarized and encoded there, replay.preparing).

Scrubbing is most of an event's CPU (bench/load.py's profile: 64 % of the loop's time) and it is pure: events and
settings in, scrubbed events and counts out. One process owns the database and the loop; it hands each request's
events to one worker as one message (gateway.scrub_worker: a pipe, pickle) and awaits the answer without blocking, so
the loop reads sockets, answers and commits meanwhile. A worker is given several jobs at once, so that it starts the
next as soon as it has answered one: under load the loop takes milliseconds to read an answer and send the next job,
and a recording's batches take a worker about one, so how many follows the measured cost per job (`depth`). The
hand-off costs about 4 % of the scrub (bench/scrub_ipc.py).

- Workers start with the gateway (it serves once they are ready) and get the scrubber's settings and hash key over
  their pipe. A policy reload that changes `[pii]` starts a new set with the new settings and retires the old set once
  it has answered what it was given, so no request is scrubbed with a mix.
- A worker that dies is replaced (after a pause that doubles while replacements keep dying). The request it was
  scrubbing is given to another worker once; if that one dies too, the request is answered 503 with Retry-After.
  Either way nothing was stored: scrubbing comes before the commit, and a 2xx only after it.
- A job that raises in the worker is answered so, and its request refused as above (503 with Retry-After, nothing
  stored); the worker goes on.
- A worker that hangs alive (stopped, deadlocked, swapping) is taken as dead: once the job it has started has waited
  `job_timeout_s` for its answer, the worker is killed (SIGKILL) and its jobs go the dead worker's way above.
- `booked_s` is what the requests waiting for a worker will take, at the measured cost per request: admission control
  (gateway.admission) refuses work the workers cannot start within its bound, and admits more while they keep up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import pickle
import sys
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gateway.metrics import Metrics
from gateway.protocols.codec import ProtocolError
from gateway.scrub_worker import HEADER, frame, from_rows, to_rows
from policies.event import Event
from policies.pii.config import PiiConfig
from policies.pii.findings import Findings
from replay.preparing import Prepared
from replay.summary import Summary

log = logging.getLogger("gateway.scrub_pool")

Scrubbed = tuple[list[Event], list[Findings]]

FIRST_COST_S = 0.05  # a request's scrub until one has been measured (bench/load.py's batches: 40-50 ms of CPU)
COST_WEIGHT = 0.2  # of the latest measurement in the running estimate
TRIES = 2  # workers a request's events are given to before it is refused
START_TIMEOUT_S = 120.0  # Presidio and spaCy load in seconds; a worker not ready by then is taken as failed
MAX_RESTART_PAUSE_S = 30.0
DEPTH = 4  # jobs sent to one worker before it has answered them (it answers in order), at the least
MAX_DEPTH = 32  # ... and at the most
# A worker's work in hand (at the recent cost per job) that covers the busy loop's delay in reading an answer and
# sending the next job: under bench/load.py's recordings (64 connections, ~1 ms a job) that delay took 5-20 ms, and with
# DEPTH alone the worker sat idle 40 % of the time while 25 requests waited here for it.
IN_HAND_S = 0.02
JOB_TIMEOUT_S = 30.0  # [http] scrub_job_timeout_s's default: a request's scrub takes tens of milliseconds


class WorkerFailed(Exception):
    """A worker exited, or could not be started."""


@dataclass(eq=False)
class _Job:
    payload: bytes
    future: asyncio.Future[Any]
    result: Callable[[tuple[object, ...]], Any]  # the worker's answer ("done", ...) -> what the caller awaits
    tries: int = 0


@dataclass(eq=False)
class _Worker:
    process: asyncio.subprocess.Process
    jobs: deque[_Job] = field(default_factory=deque)  # sent, not yet answered, in order
    retiring: bool = False
    reader: asyncio.Task[None] | None = None
    deadline: asyncio.TimerHandle | None = None  # while it has jobs: when the one it is on is overdue


@dataclass(frozen=True)
class _Settings:
    config: PiiConfig
    hash_key: bytes
    data_dir: Path | None


@dataclass(eq=False)
class ScrubPool:
    size: int
    settings: _Settings
    metrics: Metrics
    retry_after_s: int = 1
    job_timeout_s: float = JOB_TIMEOUT_S
    cost_s: float = FIRST_COST_S
    _workers: list[_Worker] = field(default_factory=list)
    _queue: deque[_Job] = field(default_factory=deque)
    _closing: bool = False
    _restart_pause_s: float = 0.5
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    @classmethod
    async def start(cls, size: int, config: PiiConfig, hash_key: bytes, data_dir: Path | None, metrics: Metrics,
                    retry_after_s: int = 1, job_timeout_s: float = JOB_TIMEOUT_S) -> ScrubPool:
        """`size` workers, each ready to scrub under `config` (WorkerFailed if one cannot start)."""
        pool = cls(size, _Settings(config, hash_key, data_dir), metrics, retry_after_s, job_timeout_s)
        workers = await asyncio.gather(*(pool._spawn(pool.settings) for _ in range(size)), return_exceptions=True)
        started = [w for w in workers if isinstance(w, _Worker)]
        pool._workers.extend(started)
        if len(started) < size:
            await pool.close()
            raise WorkerFailed(f"{size - len(started)} of {size} scrub workers did not start")
        for worker in started:
            pool._listen(worker)
        return pool

    async def scrub(self, events: list[Event]) -> Scrubbed:
        """`events` scrubbed by a worker (copies: the ones given are left as they are), with what each held.
        ProtocolError 503 (Retry-After) when the workers died under it twice."""
        scrubbed: Scrubbed = await self._run(("events", to_rows(events)), _events_scrubbed)
        return scrubbed

    async def prepare(self, unmasked_inputs: tuple[str, ...], batches: list[tuple[bytes, set[int]]]) -> list[Prepared]:
        """A recording request's admitted batches ((their events' JSON, the window's unmasked field ids)) made ready
        to store by a worker, as replay.preparing.prepare makes them here. ProtocolError 503 (Retry-After) as
        `scrub`."""
        prepared: list[Prepared] = await self._run(("recording", unmasked_inputs, batches), _prepared)
        return prepared

    async def _run(self, message: tuple[Any, ...], result: Callable[[tuple[object, ...]], Any]) -> Any:
        job = _Job(frame(message), asyncio.get_running_loop().create_future(), result)
        self._queue.append(job)
        self._dispatch()
        return await job.future

    def booked_s(self, coming: int = 0) -> float:
        """Seconds until a request handed over now would start being scrubbed, at the recent cost per request, with
        `coming` more requests (admitted, still on the loop) handed over before it."""
        live = sum(1 for w in self._workers if not w.retiring) or 1
        return (self.queued() + coming) * self.cost_s / live

    def depth(self) -> int:
        """Jobs a worker is handed before it has answered them: IN_HAND_S of work at the recent cost per job, within
        DEPTH and MAX_DEPTH (events' jobs, tens of milliseconds each, stay at DEPTH: a deep hand would keep them from
        a worker that is free sooner)."""
        return max(DEPTH, min(MAX_DEPTH, int(IN_HAND_S / max(self.cost_s, 1e-6))))

    def in_hand(self) -> list[int]:
        """Jobs handed to each serving worker and not yet answered."""
        return [len(w.jobs) for w in self._workers if not w.retiring]

    def busy(self) -> int:
        return sum(1 for w in self._workers if w.jobs)

    def queued(self) -> int:
        """Requests no worker has started on: waiting here, or sent to a worker busy with an earlier one."""
        return len(self._queue) + sum(max(0, len(w.jobs) - 1) for w in self._workers)

    def pids(self) -> list[int]:
        """The serving workers' process ids (bench/scrub_pool.py reads their CPU time)."""
        return [w.process.pid for w in self._workers if not w.retiring]

    async def reconfigure(self, config: PiiConfig) -> None:
        """Serve with `config` from now: new workers first, then the old ones retire once they have answered."""
        settings = _Settings(config, self.settings.hash_key, self.settings.data_dir)
        spawned = await asyncio.gather(*(self._spawn(settings) for _ in range(self.size)), return_exceptions=True)
        fresh = [w for w in spawned if isinstance(w, _Worker)]
        if len(fresh) < self.size:  # the old set keeps serving; the reload fails
            for worker in fresh:
                self._stop(worker)
            await asyncio.gather(*(w.process.wait() for w in fresh))
            raise WorkerFailed("scrub workers with the new [pii] did not start")
        self.settings = settings
        old = [w for w in self._workers if not w.retiring]
        for worker in old:
            worker.retiring = True
            if not worker.jobs:
                self._stop(worker)
        self._workers.extend(fresh)
        for worker in fresh:
            self._listen(worker)
        self._dispatch()

    async def close(self) -> None:
        """Stop every worker (each finishes the request it has); requests still waiting are refused."""
        self._closing = True
        while self._queue:
            self._fail(self._queue.popleft())
        for worker in self._workers:
            worker.retiring = True
            self._stop(worker)
        await asyncio.gather(*(w.process.wait() for w in self._workers))
        for task in [*self._tasks, *(w.reader for w in self._workers if w.reader is not None)]:
            task.cancel()
        self._workers.clear()

    async def _spawn(self, settings: _Settings) -> _Worker:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "gateway.scrub_worker", stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE)
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(frame(("settings", settings.config, settings.hash_key, settings.data_dir)))
        try:
            async with asyncio.timeout(START_TIMEOUT_S):
                ready = await _read(process.stdout)
        except (TimeoutError, WorkerFailed):
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            raise WorkerFailed("a scrub worker did not start") from None
        if ready != ("ready",):
            process.kill()
            await process.wait()
            raise WorkerFailed("a scrub worker said something else than ready")
        return _Worker(process)

    def _listen(self, worker: _Worker) -> None:
        worker.reader = asyncio.get_running_loop().create_task(self._answers(worker), name="scrub-worker")

    def _dispatch(self) -> None:
        """Hand waiting jobs to the serving workers with the fewest in hand, up to `depth()` each."""
        depth = self.depth()
        while self._queue:
            if self._queue[0].future.done():  # its request was cancelled meanwhile
                self._queue.popleft()
                continue
            open_ = [w for w in self._workers if not w.retiring and len(w.jobs) < depth and _writable(w)]
            if not open_:
                return
            worker = min(open_, key=lambda w: len(w.jobs))
            job = self._queue.popleft()
            worker.jobs.append(job)
            if len(worker.jobs) == 1:  # it starts on this one now
                self._arm(worker)
            assert worker.process.stdin is not None
            # Killed since its pipe was checked (uvloop raises on a closed pipe; a 500 reached a client): the job
            # stays in its hand, and its reader hands it on once the exit is seen (_answers).
            with contextlib.suppress(RuntimeError, ConnectionError):
                worker.process.stdin.write(job.payload)

    async def _answers(self, worker: _Worker) -> None:
        """Read `worker`'s answers until it exits; then hand its request on and replace it."""
        assert worker.process.stdout is not None
        try:
            while True:
                answer = await _read(worker.process.stdout)
                self._settle(worker, answer)
        except WorkerFailed:
            pass
        await worker.process.wait()
        if worker.deadline is not None:
            worker.deadline.cancel()
        if worker in self._workers:  # not when close() has let go of every worker already
            self._workers.remove(worker)
        lost, worker.jobs = worker.jobs, deque()
        for job in reversed(lost):  # back at the head of the queue, in their order
            self._retry(job)
        if not worker.retiring and not self._closing:
            log.warning("a scrub worker exited (code %s); starting another", worker.process.returncode)
            self.metrics.inc("gateway_scrub_worker_restarts_total")
            self._keep(asyncio.get_running_loop().create_task(self._replace(), name="scrub-worker-restart"))

    def _settle(self, worker: _Worker, answer: tuple[object, ...]) -> None:
        assert worker.jobs, "a worker answered without a request"
        job = worker.jobs.popleft()
        self._arm(worker)  # for the next job in its hand, which it starts now
        if answer[0] == "done":  # the worker's own time for the job: not the loop's delay in reading the answer
            self.cost_s += COST_WEIGHT * (float(answer[1]) - self.cost_s)  # type: ignore[arg-type]
        if not job.future.done():
            if answer[0] == "done":
                job.future.set_result(job.result(answer))
            else:  # the job raised in the worker: refused as when workers die under it (503, Retry-After), not a 500
                log.warning("a scrub worker failed a job: %s", answer[1])  # the exception's type: never the payload
                self._fail(job)
        if worker.retiring and not worker.jobs:
            self._stop(worker)
        self._dispatch()

    def _arm(self, worker: _Worker) -> None:
        """(Re)start the clock of the job `worker` is on, if it has one."""
        if worker.deadline is not None:
            worker.deadline.cancel()
        worker.deadline = (asyncio.get_running_loop().call_later(self.job_timeout_s, self._overdue, worker)
                           if worker.jobs else None)

    def _overdue(self, worker: _Worker) -> None:
        """`worker` has not answered its job in `job_timeout_s`: alive but hung. Killed, it goes the way of a worker
        that died (_answers: its jobs handed on, a replacement started)."""
        log.warning("a scrub worker has not answered in %.0f s; killing it", self.job_timeout_s)
        self.metrics.inc("gateway_scrub_worker_timeouts_total")
        with contextlib.suppress(ProcessLookupError):
            worker.process.kill()

    def _retry(self, job: _Job) -> None:
        job.tries += 1
        if job.tries >= TRIES or self._closing:
            self._fail(job)
        else:
            self._queue.appendleft(job)
            self._dispatch()

    def _fail(self, job: _Job) -> None:
        if not job.future.done():
            job.future.set_exception(ProtocolError(503, "unavailable", "the gateway is busy; retry later",
                                                   retry_after=self.retry_after_s))

    async def _replace(self) -> None:
        while not self._closing:
            try:
                worker = await self._spawn(self.settings)
            except WorkerFailed:
                await asyncio.sleep(self._restart_pause_s)
                self._restart_pause_s = min(2 * self._restart_pause_s, MAX_RESTART_PAUSE_S)
                continue
            if self._closing:
                self._stop(worker)
                await worker.process.wait()
                return
            self._restart_pause_s = 0.5
            self._workers.append(worker)
            self._listen(worker)
            self._dispatch()
            return

    def _stop(self, worker: _Worker) -> None:
        """End of input: the worker exits once it has answered what it has."""
        stdin = worker.process.stdin
        if stdin is not None and not stdin.is_closing():
            stdin.close()

    def _keep(self, task: asyncio.Task[None]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _writable(worker: _Worker) -> bool:
    """Whether a job can be written to `worker`: a killed worker's pipe closes before its reader sees the exit."""
    return worker.process.stdin is not None and not worker.process.stdin.is_closing()


def _events_scrubbed(answer: tuple[object, ...]) -> Scrubbed:
    findings: list[Findings] = answer[2]  # type: ignore[assignment]
    rows: list[tuple[Any, ...]] = answer[3]  # type: ignore[assignment]
    return from_rows(rows), findings


def _prepared(answer: tuple[object, ...]) -> list[Prepared]:
    batches: list[tuple[bytes, Summary, set[int]]] = answer[2]  # type: ignore[assignment]
    return [Prepared(raw, summary, unmasked) for raw, summary, unmasked in batches]


async def _read(stream: asyncio.StreamReader) -> tuple[object, ...]:
    """One answer of a worker; WorkerFailed when it has exited."""
    try:
        header = await stream.readexactly(HEADER.size)
        body = await stream.readexactly(HEADER.unpack(header)[0])
    except (asyncio.IncompleteReadError, ConnectionError):
        raise WorkerFailed("the scrub worker exited") from None
    answer: tuple[object, ...] = pickle.loads(body)  # written by a worker this process started
    return answer

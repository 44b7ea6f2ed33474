"""The scrub pool (gateway.scrub_pool) with a real worker process: what a worker returns is what this process's
scrubber makes of the same events (and what this process would store of a recording's batches), the events handed
over are left as they were, the
requests waiting for a worker are booked as work that admission control (gateway.admission) refuses beyond its bound,
and the jobs a worker had in hand when it died, or hung past its deadline, are done by its replacement (or refused
503 when a second worker fails them too). Against a real gateway
(identical destination bytes, a killed worker, a reload): tests/e2e/test_scrub_workers.py."""

from __future__ import annotations

import asyncio
import copy
import os
import pickle
import signal
from pathlib import Path
from typing import Any

import orjson
import pytest

from gateway import admission, scrub_worker
from gateway.metrics import Metrics
from gateway.protocols.codec import ProtocolError
from gateway.scrub_pool import DEPTH, IN_HAND_S, MAX_DEPTH, ScrubPool
from policies.event import Event
from policies.pii.config import PiiConfig
from policies.pii.scrubber import Scrubber
from policies.policy import Http
from replay.preparing import Prepared
from replay.privacy import RrwebPrivacy
from replay.store import encode_chunk
from replay.summary import Summary, summarize

HASH_KEY = b"a-test-hash-key-of-some-length!!"


def events(tag: str, n: int = 20) -> list[Event]:
    return [Event("track", f"{tag}-{i}", event="Signed Up", user_id=f"user-{tag}-{i}",
                  properties={"email": f"person{i}.{tag}@example.com", "note": f"Ring Jane Doe on +1 415 555 {i:04d}",
                              "big": 2**70 + i, "ratio": 1 / (i + 3), "nested": {"ip": f"198.51.100.{i}"}},
                  context={"ip": f"203.0.113.{i}", "page": {"url": f"https://x.example/?token=s3cr3t{i}"}})
            for i in range(n)]


@pytest.fixture(scope="module")
def pool_and_scrubber(tmp_path_factory: pytest.TempPathFactory) -> Any:
    data_dir: Path = tmp_path_factory.mktemp("data")
    scrubber = Scrubber(PiiConfig(), HASH_KEY, data_dir)  # makes the spaCy pipeline the worker loads, as at start
    loop = asyncio.new_event_loop()
    pool = loop.run_until_complete(ScrubPool.start(1, PiiConfig(), HASH_KEY, data_dir, Metrics()))
    yield loop, pool, scrubber
    loop.run_until_complete(pool.close())
    loop.close()


def test_a_worker_returns_what_this_process_would_make_of_the_events_and_leaves_them_as_they_were(
        pool_and_scrubber: Any) -> None:
    loop, pool, scrubber = pool_and_scrubber
    given = events("same")
    before = pickle.dumps(given)
    in_worker, found_there = loop.run_until_complete(pool.scrub(given))
    here = copy.deepcopy(given)
    found_here = scrubber.scrub_events(here)

    assert pickle.dumps(given) == before, "the events handed over are not changed"
    assert pickle.dumps(in_worker) == pickle.dumps(here)
    assert found_there == found_here and any(found_here)
    assert in_worker[0].properties is not None and "@example.com" not in str(in_worker[0].properties)


CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "replay-corpus"
UNMASKED = ("input[name=search]", "#coupon")  # so that the walk keeps some fields' input, and adds their ids


def recording(tag: str, n: int = 12) -> list[dict[str, Any]]:
    """A recording batch with a page, a form, text nodes and mutation texts, some holding PII, some not."""
    field = {"type": 2, "tagName": "input", "id": 7, "attributes": {"name": "search", "value": f"jane {tag}"},
             "childNodes": []}
    masked = {"type": 2, "tagName": "input", "id": 8, "attributes": {"name": "email", "value": f"j{tag}@example.com"},
              "childNodes": []}
    texts = [{"type": 3, "id": 20 + i, "textContent": f"Order {tag}-{i} for Jane Doe, +44 20 7946 {i:04d}"
              if i % 3 == 0 else f"Trail running shoe {tag} size {i}"} for i in range(n)]
    return [
        {"type": 4, "timestamp": 1_700_000_000_000, "data": {"href": f"https://shop.example/{tag}?email=j{tag}@example.com",
                                                           "width": 1280, "height": 720}},
        {"type": 2, "timestamp": 1_700_000_000_001, "data": {"node": {
            "type": 0, "id": 1, "childNodes": [field, masked, *texts]}, "initialOffset": {"left": 0, "top": 0}}},
        {"type": 3, "timestamp": 1_700_000_000_002, "data": {"source": 5, "id": 8, "text": f"j{tag}@example.com"}},
        {"type": 3, "timestamp": 1_700_000_000_003, "data": {
            "source": 0, "adds": [], "removes": [], "attributes": [],
            "texts": [{"id": 20, "value": f"mail j{tag}@example.com"}]}},
    ]


def prepared_here(scrubber: Scrubber, batches: list[list[dict[str, Any]]]) -> list[tuple[bytes, Summary, set[int]]]:
    """What main's path made of a request's batches before the worker did all of it: walked, texts scrubbed in one
    call, summarized once scrubbed, encoded (replay.privacy, replay.summary, replay.store)."""
    privacy = RrwebPrivacy(UNMASKED, scrub_text=scrubber.scrub_text, scrub_attribute=scrubber.scrub_attribute,
                           scrub_value=scrubber.scrub_json, scrub_texts=scrubber.scrub_texts)
    made = []
    for events in copy.deepcopy(batches):
        unmasked: set[int] = set()
        privacy.scrub(events, unmasked)
        made.append((encode_chunk(events), summarize(events), unmasked))
    return made


def prepare(pool: ScrubPool, batches: list[list[dict[str, Any]]]) -> Any:
    return pool.prepare(UNMASKED, [(orjson.dumps(events), set()) for events in batches])


def as_tuples(prepared: list[Prepared]) -> list[tuple[bytes, Summary, set[int]]]:
    return [(p.raw, p.summary, p.unmasked) for p in prepared]


def test_a_worker_makes_a_recordings_batches_into_the_chunks_and_summaries_this_process_would_store(
        pool_and_scrubber: Any) -> None:
    loop, pool, scrubber = pool_and_scrubber
    sessions = [orjson.loads(path.read_bytes())["events"] for path in sorted(CORPUS.glob("sess_*.json"))[:3]]
    batches = [recording("rec"), *sessions]
    # The native body's object form is parsed there as its array is.
    native = orjson.dumps({"events": batches[0], "writeKey": "wk", "windowId": "w1", "userId": "u1"})
    in_worker = loop.run_until_complete(pool.prepare(UNMASKED, [(native, set()), *(
        (orjson.dumps(events), set()) for events in batches[1:])]))
    here = prepared_here(scrubber, batches)

    assert as_tuples(in_worker) == here
    first = orjson.loads(in_worker[0].raw)
    assert in_worker[0].unmasked == {7}, "the search field's input is kept; the email field's is not"
    assert first[2]["data"]["text"] == "*" * len("jrec@example.com")
    assert "Jane Doe" not in in_worker[0].raw.decode() and "+44 20 7946" not in in_worker[0].raw.decode()
    assert in_worker[0].summary.urls == ["https://shop.example/rec?email=[EMAIL]"], "summarized once scrubbed"


def test_the_window_s_unmasked_fields_travel_with_the_job(pool_and_scrubber: Any) -> None:
    loop, pool, _ = pool_and_scrubber
    typed = {"type": 3, "timestamp": 1_700_000_000_009, "data": {"source": 5, "id": 31, "text": "kept as typed"}}
    [known, unknown] = loop.run_until_complete(pool.prepare(UNMASKED, [
        (orjson.dumps([typed]), {31}), (orjson.dumps([typed]), set())]))
    assert orjson.loads(known.raw)[0]["data"]["text"] == "kept as typed" and known.unmasked == {31}
    assert orjson.loads(unknown.raw)[0]["data"]["text"] == "*" * len("kept as typed")


def test_a_worker_is_handed_as_many_jobs_as_their_recent_cost_fits_in_its_hand_within_the_bounds(
        tmp_path: Path, pool_and_scrubber: Any) -> None:
    """Jobs that cost a worker about a millisecond (recordings) are handed to it many at once, so that it is not left
    idle while the busy loop has yet to read its answers; jobs of tens of milliseconds (events) stay at DEPTH. The
    worker is stopped while its hand is counted, then all the jobs are answered in order."""
    _, _, scrubber = pool_and_scrubber
    loop = asyncio.new_event_loop()
    pool = loop.run_until_complete(ScrubPool.start(1, PiiConfig(), HASH_KEY, tmp_path, Metrics()))
    [stopped] = pool.pids()
    os.kill(stopped, signal.SIGSTOP)  # answers nothing while its hand is counted
    waiting: list[asyncio.Future[list[Prepared]]] = []

    async def handed(cost_s: float, jobs: int) -> list[int]:
        pool.cost_s = cost_s  # as the worker's own timings of its answers set it
        waiting.extend(asyncio.ensure_future(prepare(pool, [recording(f"d{len(waiting)}")])) for _ in range(jobs))
        await asyncio.sleep(0)  # one pass of the loop: the jobs are handed out
        return pool.in_hand()

    async def run() -> list[list[Prepared]]:
        assert await handed(0.05, 40) == [DEPTH]  # a scrub of events' cost
        assert await handed(0.001, 1) == [int(IN_HAND_S / 0.001)]  # a recording's: more, as soon as the next comes
        assert await handed(1e-5, 1) == [MAX_DEPTH]
        assert pool.queued() == 41  # all but the one it is on, counted for admission control as before
        os.kill(stopped, signal.SIGCONT)
        return await asyncio.gather(*waiting)

    try:
        done = loop.run_until_complete(run())
        assert [as_tuples(d) for d in done] == [prepared_here(scrubber, [recording(f"d{n}")]) for n in range(42)]
    finally:
        os.kill(stopped, signal.SIGCONT)
        loop.run_until_complete(pool.close())
        loop.close()


def test_a_job_that_raises_in_the_worker_is_refused_503_with_retry_after_and_the_worker_goes_on(
        tmp_path: Path, pool_and_scrubber: Any) -> None:
    """What the recording endpoints answer in their shapes (as for workers that died): a Starlette 500 before."""
    _, _, scrubber = pool_and_scrubber
    loop = asyncio.new_event_loop()
    pool = loop.run_until_complete(ScrubPool.start(1, PiiConfig(), HASH_KEY, tmp_path, Metrics(), retry_after_s=5))

    async def run() -> list[Prepared]:
        with pytest.raises(ProtocolError) as refused:
            await pool.prepare(UNMASKED, [(b"{not json", set())])  # the worker's parse raises
        assert (refused.value.status, refused.value.retry_after) == (503, 5)
        return await prepare(pool, [recording("after")])

    try:
        [worker] = pool.pids()
        assert as_tuples(loop.run_until_complete(run())) == prepared_here(scrubber, [recording("after")])
        assert pool.pids() == [worker]  # the same worker answered the next job
    finally:
        loop.run_until_complete(pool.close())
        loop.close()


def test_a_worker_keeps_the_recording_privacy_of_the_newest_few_policies_only(pool_and_scrubber: Any) -> None:
    """One per policy's unmasked inputs (each reload that changes them makes one): the oldest are dropped."""
    _, _, scrubber = pool_and_scrubber
    made = [scrub_worker._privacy(scrubber, (f"input[name=f{n}]",)) for n in range(scrub_worker.PRIVACIES_KEPT + 3)]
    assert len(scrub_worker._PRIVACIES) == scrub_worker.PRIVACIES_KEPT
    assert scrub_worker._privacy(scrubber, (f"input[name=f{len(made) - 1}]",)) is made[-1]  # the newest kept


def test_jobs_a_worker_had_in_hand_when_it_died_are_done_by_its_replacement(
        tmp_path: Path, pool_and_scrubber: Any) -> None:
    _, _, scrubber = pool_and_scrubber
    loop = asyncio.new_event_loop()
    metrics = Metrics()
    pool = loop.run_until_complete(ScrubPool.start(1, PiiConfig(), HASH_KEY, tmp_path, metrics))

    async def kill_under_jobs() -> list[list[Prepared]]:
        waiting = [asyncio.ensure_future(prepare(pool, [recording(f"k{n}")])) for n in range(DEPTH + 2)]
        await asyncio.sleep(0)  # one pass of the loop: the worker has DEPTH of them in hand
        assert (pool.busy(), pool.queued()) == (1, DEPTH + 1)
        [pid] = pool.pids()
        os.kill(pid, signal.SIGKILL)
        return await asyncio.gather(*waiting)

    try:
        done = loop.run_until_complete(kill_under_jobs())
        assert [as_tuples(d) for d in done] == [prepared_here(scrubber, [recording(f"k{n}")]) for n in range(DEPTH + 2)]
        assert metrics.value("gateway_scrub_worker_restarts_total") == 1
    finally:
        loop.run_until_complete(pool.close())
        loop.close()


def test_jobs_of_a_worker_that_hangs_alive_are_done_by_its_replacement_once_it_is_killed_past_the_deadline(
        tmp_path: Path, pool_and_scrubber: Any) -> None:
    _, _, scrubber = pool_and_scrubber
    loop = asyncio.new_event_loop()
    metrics = Metrics()
    pool = loop.run_until_complete(ScrubPool.start(1, PiiConfig(), HASH_KEY, tmp_path, metrics, job_timeout_s=1.0))
    [hung] = pool.pids()
    os.kill(hung, signal.SIGSTOP)  # alive, its pipe open, answering nothing

    async def jobs_to_the_hung_worker() -> list[list[Prepared]]:
        waiting = [asyncio.ensure_future(prepare(pool, [recording(f"h{n}")])) for n in range(DEPTH + 2)]
        await asyncio.sleep(0)  # one pass of the loop: the worker has DEPTH of them in hand, its clock started
        assert (pool.busy(), pool.queued()) == (1, DEPTH + 1)
        pool.job_timeout_s = 120.0  # the replacement's, however loaded the machine
        return await asyncio.gather(*waiting)

    try:
        done = loop.run_until_complete(jobs_to_the_hung_worker())
        assert [as_tuples(d) for d in done] == [prepared_here(scrubber, [recording(f"h{n}")]) for n in range(DEPTH + 2)]
        assert metrics.value("gateway_scrub_worker_timeouts_total") == 1
        assert metrics.value("gateway_scrub_worker_restarts_total") == 1
        assert hung not in pool.pids() and not os.path.exists(f"/proc/{hung}")  # killed, and reaped
    finally:
        loop.run_until_complete(pool.close())
        loop.close()


def test_a_job_whose_second_worker_hangs_too_is_refused_503_with_retry_after_and_the_pool_serves_again(
        tmp_path: Path, pool_and_scrubber: Any) -> None:
    _, _, scrubber = pool_and_scrubber
    loop = asyncio.new_event_loop()
    metrics = Metrics()
    pool = loop.run_until_complete(ScrubPool.start(2, PiiConfig(), HASH_KEY, tmp_path, metrics, retry_after_s=7,
                                                   job_timeout_s=1.0))
    for pid in pool.pids():
        os.kill(pid, signal.SIGSTOP)

    async def refused_then_served() -> list[Prepared]:
        # The job goes to one hung worker, past its deadline to the other (a replacement takes seconds to start).
        with pytest.raises(ProtocolError) as refused:
            await prepare(pool, [recording("twice")])
        assert (refused.value.status, refused.value.retry_after) == (503, 7)
        pool.job_timeout_s = 120.0
        return await prepare(pool, [recording("after")])  # type: ignore[no-any-return]  # waits for a replacement

    try:
        served = loop.run_until_complete(refused_then_served())
        assert as_tuples(served) == prepared_here(scrubber, [recording("after")])
        assert metrics.value("gateway_scrub_worker_timeouts_total") == 2
    finally:
        loop.run_until_complete(pool.close())
        loop.close()


def test_requests_waiting_for_a_worker_are_booked_work_that_admission_refuses_beyond_its_bound(
        pool_and_scrubber: Any) -> None:
    loop, pool, _ = pool_and_scrubber
    http = Http(max_queue_wait_s=2 * pool.cost_s)  # two requests' scrubbing at the cost measured so far
    metrics, backlog = Metrics(), admission.Backlog(offloaded=pool.booked_s)
    # Not stamped: its own wait for the loop is not counted, only the workers' booked work is. Stamped, a bound of
    # two scrubbing costs (milliseconds) was one a loaded machine could pass between the stamp and the check.
    scope: dict[str, Any] = {}

    async def burst() -> None:
        admission.check(scope, backlog, http, metrics, "events")  # nothing waits: admitted
        waiting = [asyncio.ensure_future(pool.scrub(events(f"burst{n}"))) for n in range(6)]
        await asyncio.sleep(0)  # one pass of the loop: each has handed its events over
        assert (pool.busy(), pool.queued()) == (1, 5)
        assert pool.booked_s() == pytest.approx(5 * pool.cost_s)
        assert pool.booked_s(coming=3) == pytest.approx(8 * pool.cost_s), "admitted ones still on the loop count"
        with pytest.raises(admission.Shed):
            admission.check(scope, backlog, http, metrics, "events")
        await asyncio.gather(*waiting)
        assert (pool.busy(), pool.queued()) == (0, 0)
        admission.check(scope, backlog, http, metrics, "events")

    loop.run_until_complete(burst())
    assert metrics.value("gateway_requests_shed_total", kind="events") == 1

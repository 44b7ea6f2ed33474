"""ReplayService with its batches made ready elsewhere (`scrub_elsewhere`: a scrub worker's job, replay.preparing, given
the batches' JSON) stores what it stores when it prepares them itself: the same chunks (events read back), session
summaries and unmasked fields, and hands the destinations the same scrubbed events. The job is run here by the
worker's own function (gateway.scrub_worker.work); the pipe and the pool are tests/gateway/test_scrub_pool.py's."""

from __future__ import annotations

import asyncio
import json
import pickle
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
import pytest

from gateway.database import Database
from gateway.schema import MIGRATIONS
from gateway.scrub_worker import frame, work
from policies.pii import PiiConfig, Scrubber
from policies.policy import Source
from policies.replay import ReplayPolicy
from replay.compression import Compressor
from replay.ingest import parse_native
from replay.preparing import Prepared
from replay.privacy import RrwebPrivacy
from replay.service import Gate, Recorded, ReplayService
from replay.shredding import KeyRing
from replay.store import ReplayStore

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "replay-corpus"
STORE_MIGRATIONS = [m for m in MIGRATIONS if m.name.startswith("replay-")]
SOURCE = Source("web", ("k",), (), "opt-out")
POLICY = ReplayPolicy(unmasked_inputs=("input[name=first]", "input[name=airport]"))
SENT_BY = 40


@pytest.fixture(scope="module")
def scrubber() -> Scrubber:
    return Scrubber(PiiConfig(), b"a-test-hash-key-of-some-length!!", None)


def served(db: Database, scrubber: Scrubber, forwarded: list[Recorded], elsewhere: bool) -> ReplayService:
    async def forward(source: Source, recorded: list[Recorded], headers: Mapping[str, str],
                      query: Mapping[str, str]) -> None:
        forwarded.extend(recorded)

    async def in_a_worker(unmasked_inputs: tuple[str, ...], batches: list[tuple[bytes, set[int]]]) -> list[Prepared]:
        # Through pickle both ways, as over the pool's pipe.
        message = pickle.loads(frame(("recording", unmasked_inputs, batches))[4:])
        [answered] = pickle.loads(frame(work(scrubber, message))[4:])
        return [Prepared(raw, summary, unmasked) for raw, summary, unmasked in answered]

    gate = Gate(source_for_key=lambda key: SOURCE, subjects=lambda ids: ("h-ada",),
                consent=lambda *a: (True, "test"), count=lambda *a, **k: None, forward=forward)
    privacy = RrwebPrivacy(POLICY.unmasked_inputs, scrub_text=scrubber.scrub_text,
                           scrub_attribute=scrubber.scrub_attribute, scrub_value=scrubber.scrub_json,
                           scrub_texts=scrubber.scrub_texts)
    store = ReplayStore(db, Compressor(level=3), KeyRing(bytes(range(32))))
    return ReplayService(POLICY, store, privacy, gate, scrub_elsewhere=in_a_worker if elsewhere else None)


async def send(service: ReplayService, sessions: list[tuple[str, list[dict[str, Any]]]]) -> list[dict[str, Any]]:
    """Each session in native requests of SENT_BY events; what the index then says of each, but when it was written."""
    for name, events in sessions:
        for i in range(0, len(events), SENT_BY):
            body = orjson.dumps({"events": events[i:i + SENT_BY], "userId": f"u-{name}"})
            _, batch = parse_native(orjson.loads(body), name, {}, POLICY.max_event_bytes, len(body))
            # Every other one without its body, as PostHog's batches come: their events are encoded to be sent.
            await service.ingest(SOURCE, [batch], {}, {}, body if i % (2 * SENT_BY) else None)
    written = ("created_at", "updated_at")
    return [{k: v for k, v in (await service.store.session(name) or {}).items() if k not in written}
            for name, _ in sessions]


def test_batches_prepared_elsewhere_are_stored_and_forwarded_as_those_prepared_here(
        tmp_path: Path, scrubber: Scrubber) -> None:
    sessions = [(path.stem, json.loads(path.read_text())["events"]) for path in sorted(CORPUS.glob("sess_*.json"))[:4]]
    kept: dict[bool, Any] = {}
    for elsewhere in (False, True):
        db = Database(tmp_path / f"elsewhere-{elsewhere}.sqlite3", STORE_MIGRATIONS)
        forwarded: list[Recorded] = []
        service = served(db, scrubber, forwarded, elsewhere)

        summaries = asyncio.run(send(service, sessions))
        stored = {name: orjson.dumps(list(service.store.read_events(name))) for name, _ in sessions}
        unmasked = {name: service.store.unmasked_nodes(name, "main") for name, _ in sessions}
        kept[elsewhere] = (stored, summaries, unmasked,
                           [(r.session_id, orjson.dumps(r.events), r.digest) for r in forwarded])
        db.close()

    assert kept[True] == kept[False]
    stored, summaries, unmasked, forwarded_events = kept[True]
    assert all(summary["events"] > 0 and summary["urls"] for summary in summaries)
    assert any(unmasked.values()), "the policy's unmasked inputs name fields of the corpus"
    assert len(forwarded_events) == sum(-(-len(events) // SENT_BY) for _, events in sessions)


def test_a_pool_gone_while_a_worker_prepares_a_request_forwards_what_the_worker_made_not_the_events_as_sent(
        tmp_path: Path, scrubber: Scrubber) -> None:
    """Where a request's batches are prepared is decided once: a pool stopped during the worker's job (a reload) leaves
    the request forwarding the worker's scrubbed events, as stored, never the events as they came."""
    [(name, events)] = [(path.stem, json.loads(path.read_text())["events"])
                        for path in sorted(CORPUS.glob("sess_*.json"))[:1]]
    db = Database(tmp_path / "gone.sqlite3", STORE_MIGRATIONS)
    forwarded: list[Recorded] = []
    service = served(db, scrubber, forwarded, elsewhere=True)
    job = service.scrub_elsewhere
    assert job is not None

    async def then_gone(unmasked_inputs: tuple[str, ...], batches: list[tuple[bytes, set[int]]]) -> list[Prepared]:
        service.scrub_elsewhere = None  # the pool stopped while this job was under way
        return await job(unmasked_inputs, batches)

    service.scrub_elsewhere = then_gone
    try:
        asyncio.run(send(service, [(name, events[:SENT_BY])]))
        [recorded] = forwarded
        assert orjson.dumps(recorded.events) == orjson.dumps(list(service.store.read_events(name)))
        assert orjson.dumps(recorded.events) != orjson.dumps(events[:SENT_BY]), "the corpus session has text to scrub"
    finally:
        db.close()

"""The event pipeline as named steps: what each event of a request became (where it stopped and why, what each
destination got, what PII was found), the runner that times each step, and how a step is added.

Real parts throughout: a SQLite database for identity, suppression and the consent ledger, the policy loader, the
Segment encoder, and the Presidio-backed scrubber.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from gateway import consent_ledger, identity, suppression
from gateway.consent_ledger import ConsentLedger
from gateway.database import Database
from gateway.identity import Identity
from gateway.pipeline import EventOutcome, Pipeline, Processed, Step
from gateway.pipeline.batch import Batch
from gateway.protocols import DESTINATION_PROTOCOLS, segment
from gateway.suppression import Suppression
from policies.event import Event
from policies.loader import parse_policy
from policies.pii.scrubber import Scrubber
from policies.policy import Policy

# One opt-in source sending to two destinations that need the same purpose: one drops what was never consented to,
# the other takes an anonymized copy.
POLICY = """
[[sources]]
name = "web"
write_keys = ["web-key"]
consent_model = "opt-in"
destinations = ["strict", "lenient"]

[[destinations]]
name = "strict"
protocol = "sink"
purposes = ["analytics"]

[[destinations]]
name = "lenient"
protocol = "sink"
purposes = ["analytics"]
on_missing_consent = "anonymize"
"""

ALL_STEPS = ["subjects", "suppression", "links", "consent", "names", "scrub", "route"]


@pytest.fixture(scope="module")
def policy() -> Policy:
    return parse_policy(POLICY, "test.toml", DESTINATION_PROTOCOLS, {})


@pytest.fixture(scope="module")
def scrubber(policy: Policy, tmp_path_factory: pytest.TempPathFactory) -> Scrubber:
    """The policy's PII engine (built once: Presidio takes about a second to start)."""
    return Scrubber(policy.pii, b"pii-key-0123456789abcdef01234567", tmp_path_factory.mktemp("pii"))


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "gateway.sqlite3",
                        [*identity.MIGRATIONS, *consent_ledger.MIGRATIONS, *suppression.MIGRATIONS])
    yield database
    database.close()


@pytest.fixture
def ids() -> Identity:
    return Identity(b"identity-key-0123456789abcdef012")


@pytest.fixture
def suppressed(db: Database) -> Suppression:
    return Suppression(db)


@pytest.fixture
def pipeline(policy: Policy, scrubber: Scrubber, db: Database, ids: Identity, suppressed: Suppression) -> Pipeline:
    encode = segment.CODEC.outbox_encoder()
    return Pipeline(policy, {"strict": encode, "lenient": encode}, ids, suppressed, ConsentLedger(db),
                    b"pseudonym-key-0123456789abcdef01", scrubber)


def track(message_id: str, user_id: str, analytics: bool | None = None, **properties: Any) -> Event:
    """A track call as analytics.js sends it; `analytics` is the Segment consent object's answer, if any."""
    context: dict[str, Any] = {"library": {"name": "analytics.js", "version": "next-1.84.3"}}
    if analytics is not None:
        context["consent"] = {"categoryPreferences": {"Analytics": analytics}}
    return Event("track", message_id, event="Report Exported", user_id=user_id, anonymous_id=f"device-of-{user_id}",
                 properties=properties or None, context=context)


def process(pipeline: Pipeline, policy: Policy, events: list[Event]) -> Processed:
    return pipeline.process(policy.sources[0], events, {}, {})


def test_each_event_says_where_it_stopped_why_and_what_each_destination_got(
    pipeline: Pipeline, policy: Policy, db: Database, ids: Identity, suppressed: Suppression
) -> None:
    deleted = track("m-deleted", "erased-user", analytics=True)
    db.write_sync(lambda conn: suppressed.add(conn, ids.subjects(deleted), "deletion-1"))
    events = [
        deleted,
        track("m-refused", "bob", analytics=False),
        track("m-granted", "alice", analytics=True, contact="write to alice@example.com"),
        track("m-silent", "carol"),
    ]

    processed = process(pipeline, policy, events)
    deleted_outcome, refused, granted, silent = processed.outcomes()

    assert deleted_outcome == EventOutcome("m-deleted", "suppression", "suppressed", (), {}, None, "track",
                                           "Report Exported", deleted_outcome.subjects)
    assert refused == EventOutcome(
        "m-refused", "consent", "segment_denied",
        (("strict", "drop", "segment_denied"), ("lenient", "drop", "segment_denied")), {}, None, "track",
        "Report Exported", refused.subjects,
    )
    # Not stopped: both destinations get it as it is, scrubbed; the e-mail address was found and replaced.
    assert (granted.stopped_at, granted.reason) == (None, "")
    assert granted.decisions == (("strict", "forward", "granted"), ("lenient", "forward", "granted"))
    assert granted.pii == {"EMAIL_ADDRESS": 1}
    assert granted.scrubbed is not None and granted.scrubbed.properties is not None
    assert "alice@example.com" not in granted.scrubbed.properties["contact"]
    # Nobody said anything at an opt-in source: the strict destination drops it, the lenient one is sent a copy
    # without the identifiers.
    assert silent.stopped_at is None
    assert silent.decisions == (("strict", "drop", "default_opt_in"), ("lenient", "anonymize", "default_opt_in"))
    assert silent.pii == {}

    sent = [(d.destination, d.message_id) for d in processed.deliveries]
    assert sent == [("strict", "m-granted"), ("lenient", "m-granted"), ("lenient", "m-silent")]
    body, _kind = processed.deliveries[2].encoded
    lenient_copy = orjson.loads(body)
    assert lenient_copy["userId"] not in ("carol", None)
    assert processed.suppressed == 1
    assert processed.findings.by_entity() == {"EMAIL_ADDRESS": 1}


def test_every_step_runs_in_order_and_is_timed(pipeline: Pipeline, policy: Policy) -> None:
    processed = process(pipeline, policy, [track("m-1", "alice", analytics=True)])

    assert [step for step, _ in processed.timings] == ALL_STEPS
    assert all(seconds >= 0 for _, seconds in processed.timings)


def test_steps_after_the_last_event_stopped_do_not_run(pipeline: Pipeline, policy: Policy) -> None:
    """So a step's count in /metrics says how many requests reached it: here nothing was left to scrub or route."""
    processed = process(pipeline, policy, [track("m-1", "bob", analytics=False), track("m-2", "eve", analytics=False)])

    assert [step for step, _ in processed.timings] == ["subjects", "suppression", "links", "consent"]
    assert processed.deliveries == []
    assert processed.decisions == {("strict", "drop", "segment_denied"): 2, ("lenient", "drop", "segment_denied"): 2}


def test_an_empty_request_runs_no_step(pipeline: Pipeline, policy: Policy) -> None:
    processed = process(pipeline, policy, [])

    assert processed.timings == []
    assert processed.outcomes() == []
    assert processed.links == []


def test_identity_links_are_learned_only_from_events_taken_in(
    pipeline: Pipeline, policy: Policy, db: Database, ids: Identity, suppressed: Suppression
) -> None:
    deleted = track("m-deleted", "erased-user")
    db.write_sync(lambda conn: suppressed.add(conn, ids.subjects(deleted), "deletion-1"))

    processed = process(pipeline, policy, [deleted, track("m-1", "alice")])

    alice = ids.subjects(track("m-1", "alice"))
    assert processed.links == [tuple(sorted(alice))]


def test_a_step_is_one_function_and_one_line_in_the_list(pipeline: Pipeline, policy: Policy) -> None:
    """How tracking-plan validation or event-name scrubbing plug in: a function of the batch that stops what it must
    (the batch records the step's name and the reason on the event) and keeps the rest going."""

    def block_debug_events(batch: Batch) -> None:
        kept = []
        for entry in batch.entries:
            if entry.event.event == "Debug Ping":
                batch.stop(entry, "blocked_by_plan")
            else:
                kept.append(entry)
        batch.entries = kept

    steps = list(pipeline.steps)
    steps.insert(steps.index(next(s for s in steps if s.name == "scrub")), Step("plan", block_debug_events))
    pipeline.steps = tuple(steps)
    debug = track("m-debug", "alice", analytics=True)
    debug.event = "Debug Ping"

    processed = process(pipeline, policy, [debug, track("m-1", "alice", analytics=True)])

    outcome = processed.outcomes()[0]
    assert (outcome.stopped_at, outcome.reason, outcome.scrubbed) == ("plan", "blocked_by_plan", None)
    assert [d.message_id for d in processed.deliveries] == ["m-1", "m-1"]
    assert [step for step, _ in processed.timings] == [*ALL_STEPS[:5], "plan", *ALL_STEPS[5:]]


def test_an_error_in_a_step_names_the_step(pipeline: Pipeline, policy: Policy) -> None:
    def broken(batch: Batch) -> None:
        raise ValueError("the plan file changed under us")

    pipeline.steps = (*pipeline.steps[:2], Step("plan", broken), *pipeline.steps[2:])

    with pytest.raises(ValueError, match="changed under us") as raised:
        process(pipeline, policy, [track("m-1", "alice")])
    assert raised.value.__notes__ == ["in the pipeline's 'plan' step"]


def test_consent_stored_for_a_subject_lets_its_events_through(
    pipeline: Pipeline, policy: Policy, db: Database, ids: Identity
) -> None:
    """The ledger is read per event's subjects: what the consent API recorded applies without any signal in the
    event."""
    event = track("m-1", "dana")
    ledger = ConsentLedger(db)
    db.write_sync(lambda conn: ledger.record(conn, ids.subjects(event), ["analytics"], [], scope="subject",
                                             provenance="server", source="web", via="api"))
    encode = segment.CODEC.outbox_encoder()
    with_ledger = Pipeline(policy, {"strict": encode, "lenient": encode}, ids, Suppression(db), ledger, b"k" * 32)

    processed = with_ledger.process(policy.sources[0], [event], {}, {})

    assert processed.outcomes()[0].decisions == (("strict", "forward", "granted"), ("lenient", "forward", "granted"))
    assert "scrub" not in [step for step, _ in processed.timings]  # no scrubber given: no scrub step

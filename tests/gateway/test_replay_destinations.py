"""Replay destinations: a PostHog destination with `replay = true` gets the recordings the gateway stored, as
posthog-js's `$snapshot` events at `/s/`, cut within PostHog's sizes, queued in the outbox only when the person's
consent covers the destination's purposes. (tests/browser/test_posthog_browser.py drives it end to end.)"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
import pytest

from gateway.database import Database
from gateway.metrics import Metrics, policy_series
from gateway.outbox.store import MIGRATIONS, OutboxStore
from gateway.protocols import PROTOCOLS, posthog
from gateway.protocols.posthog_snapshots import MAX_SNAPSHOT_BYTES, snapshot_events
from gateway.replay_destinations import forwarder
from policies.consent import Consent, PurposeConsent
from policies.loader import parse_policy
from policies.policy import Destination, Policy
from policies.table import PolicyError
from replay.ingest import parse_posthog
from replay.service import Recorded

META = {"type": 4, "timestamp": 1_700_000_000_000, "data": {"href": "https://shop.example/", "width": 1280,
                                                            "height": 720}}
CLICK = {"type": 3, "timestamp": 1_700_000_000_500, "data": {"source": 2, "type": 2, "id": 7, "x": 10, "y": 20}}

POLICY = """
[[sources]]
name = "web"
write_keys = ["wk"]
destinations = ["ph", "seg"]

[[destinations]]
name = "ph"
protocol = "posthog"
endpoint = "http://posthog.test"
credentials = { api_key = "phc_project" }
purposes = ["analytics"]
replay = true

[[destinations]]
name = "seg"
protocol = "segment"
endpoint = "http://segment.test"
credentials = { write_key = "seg" }
"""


def snapshots_as_posthog_reads_them(request_body: bytes) -> list[dict[str, Any]]:
    """What PostHog's capture reads from a `/s/` request, per reference/vendor-wire-formats.md: `{api_key, batch}`,
    each a `$snapshot` event with a distinct id and a uuid, `$snapshot_data` an array of rrweb events (numeric `type`
    and `timestamp`), `$session_id`, `$window_id`, `$snapshot_bytes`, `$lib`."""
    body = orjson.loads(request_body)
    assert body["api_key"] == "phc_project"
    for event in body["batch"]:
        assert event["event"] == "$snapshot"
        assert event["distinct_id"] == event["properties"]["distinct_id"]
        assert len(event["uuid"]) == 36
        properties = event["properties"]
        assert isinstance(properties["$session_id"], str) and isinstance(properties["$window_id"], str)
        assert isinstance(properties["$lib"], str)
        data = properties["$snapshot_data"]
        assert properties["$snapshot_bytes"] == len(orjson.dumps(data))
        assert all(isinstance(e["type"], int) and isinstance(e["timestamp"], int) for e in data)
    return list(body["batch"])


def test_a_chunk_becomes_snapshot_events_posthog_and_the_gateways_own_s_endpoint_read_back() -> None:
    destination = Destination("ph", "posthog", "http://posthog.test", {"api_key": "phc_project"}, ("analytics",))
    encoded = snapshot_events("sess-1", "win-1", "user-42", [META, CLICK], "sess-1/win-1/abc")
    request = posthog.build_batch([body for _, body in encoded], destination, "recording")

    assert request.url == "http://posthog.test/s/"
    [snapshot] = snapshots_as_posthog_reads_them(request.body)
    assert snapshot["properties"]["$snapshot_data"] == [META, CLICK]
    assert snapshot["timestamp"] == "2023-11-14T22:13:20.000Z"  # the first rrweb event's time
    # The gateway's reader of posthog-js's `/s/` takes it as one batch of the same session, window and person.
    _, [batch] = parse_posthog(orjson.loads(request.body)["batch"], max_event_bytes=1024 * 1024)
    assert (batch.session_id, batch.window_id, batch.identifiers, batch.events) == (
        "sess-1", "win-1", {"distinct_id": "user-42"}, [META, CLICK])


def test_a_large_chunk_is_cut_into_snapshots_within_posthogs_sizes_in_order_with_stable_ids() -> None:
    # 30 mutations of ~100 KB each (distinct texts, so nothing compresses away): about 3 MB in one stored chunk.
    events = [{"type": 3, "timestamp": 1_700_000_000_000 + i,
               "data": {"source": 0, "texts": [{"id": i, "value": f"{i:06d}" * 17_000}]}} for i in range(30)]
    encoded = snapshot_events("s", "w", "u", events, "s/w/digest")

    snapshots = [orjson.loads(body) for _, body in encoded]
    assert len(snapshots) > 1
    assert all(len(orjson.dumps(s["properties"]["$snapshot_data"])) <= MAX_SNAPSHOT_BYTES for s in snapshots)
    assert [e for s in snapshots for e in s["properties"]["$snapshot_data"]] == events  # none lost, none split
    assert [i for i, _ in encoded] == [f"s/w/digest/{n}" for n in range(len(encoded))]
    assert len({s["uuid"] for s in snapshots}) == len(snapshots)
    assert snapshot_events("s", "w", "u", events, "s/w/digest") == encoded  # a resent chunk: the same uuids


def test_one_rrweb_event_larger_than_a_snapshot_travels_alone() -> None:
    big = {"type": 2, "timestamp": 1_700_000_000_000, "data": {"node": {"text": "x" * (MAX_SNAPSHOT_BYTES + 10)}}}
    encoded = snapshot_events("s", "w", "u", [META, big, CLICK], "c")
    assert [[e["type"] for e in orjson.loads(b)["properties"]["$snapshot_data"]] for _, b in encoded] == \
        [[4], [2], [3]]


def test_only_posthog_destinations_take_recordings() -> None:
    with pytest.raises(PolicyError, match=r"replay.*posthog destinations only"):
        parse_policy(POLICY.replace('credentials = { write_key = "seg" }',
                                    'credentials = { write_key = "seg" }\nreplay = true'),
                     "site.toml", PROTOCOLS, {})


def consent(**purposes: bool) -> Consent:
    return Consent({p: PurposeConsent(granted, "test") for p, granted in purposes.items()})


def queued_after_forwarding(tmp_path: Path, policy: Policy, decision: Consent | None,
                            identifiers: Mapping[str, str]) -> list[tuple[str, str, str, bytes]]:
    """The outbox rows (destination, kind, subjects, body) one stored chunk leaves, under `decision`."""
    db = Database(tmp_path / "gateway.sqlite3", MIGRATIONS)
    outbox = OutboxStore(db, max_events=100, full_retry_after_s=1, destinations=["ph", "seg"])
    forward = forwarder(policy, lambda *_: decision, outbox, Metrics(policy_series(policy, PROTOCOLS)))
    assert forward is not None
    chunk = Recorded("sess-1", "win-1", identifiers, ("h1", "h2"), [META, CLICK], b"\x01\x02")

    async def forward_one() -> None:
        await forward(policy.sources[0], [chunk], {}, {})

    try:
        asyncio.run(forward_one())
        return db.read_sync(lambda c: c.execute(
            "SELECT destination, kind, subjects, body FROM outbox ORDER BY id").fetchall())
    finally:
        db.close()


def policy() -> Policy:
    return parse_policy(POLICY, "site.toml", PROTOCOLS, {})


def test_a_stored_chunk_is_queued_for_the_replay_destination_only_with_its_subjects(tmp_path: Path) -> None:
    rows = queued_after_forwarding(tmp_path, policy(), consent(analytics=True, session_replay=True),
                                   {"distinct_id": "user-42"})
    [(destination, kind, subjects, body)] = rows  # not for Segment, which takes no recordings
    assert (destination, kind, subjects) == ("ph", "recording", "h1 h2")  # deletion and withdrawal find it
    assert orjson.loads(body)["properties"]["$snapshot_data"] == [META, CLICK]


def test_consent_refused_for_the_destinations_purpose_queues_nothing(tmp_path: Path) -> None:
    assert queued_after_forwarding(tmp_path, policy(), consent(analytics=False, session_replay=True),
                                   {"distinct_id": "user-42"}) == []


def test_a_deleted_subject_or_a_recording_naming_nobody_queues_nothing(tmp_path: Path) -> None:
    assert queued_after_forwarding(tmp_path, policy(), None, {"distinct_id": "user-42"}) == []
    (tmp_path / "nobody").mkdir()
    assert queued_after_forwarding(tmp_path / "nobody", policy(), consent(analytics=True), {}) == []


def test_without_a_replay_destination_nothing_is_forwarded() -> None:
    quiet = parse_policy(POLICY.replace("replay = true", ""), "site.toml", PROTOCOLS, {})
    assert forwarder(quiet, lambda *_: None, None, Metrics([])) is None  # type: ignore[arg-type]

"""Each outbox row records the kind of endpoint its event goes to, as the encoder said it: Mixpanel's batches go out
as one request per kind (events to /import, user profile updates to /engage, group profile updates to /groups), in that
order, without anyone reading the bytes to find out. Rows queued before kinds existed get theirs once, when the
database is migrated."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import orjson
from starlette.datastructures import Headers

from gateway.database import Database
from gateway.outbox.store import MIGRATIONS, Delivery, OutboxStore
from gateway.outbox.transport import HttpTransport
from gateway.protocols import amplitude, mixpanel, posthog, segment
from gateway.protocols.codec import Codec, Inbound
from policies.event import Event
from policies.policy import Destination
from tests.support.fake_vendor import FakeVendor


def segment_call(kind: str, **fields: object) -> Event:
    body = orjson.dumps({"userId": "user-1", "messageId": f"m-{kind}", **fields})
    [event] = segment.decode(Inbound(kind, "POST", {}, Headers({}), body)).events
    return event


TRACK = segment_call("track", event="Order Completed")
IDENTIFY = segment_call("identify", traits={"plan": "pro"})
GROUP = segment_call("group", groupId="acme", traits={"seats": 10})


def kinds(codec: Codec, *events: Event) -> list[str]:
    encode = codec.outbox_encoder()
    return [kind for _, kind in map(encode, events)]


def test_the_mixpanel_encoder_says_which_endpoint_each_event_is_for_and_the_others_have_one() -> None:
    assert kinds(mixpanel.CODEC, TRACK, IDENTIFY, GROUP) == ["event", "profile", "group"]
    for codec in (segment.CODEC, amplitude.CODEC, posthog.CODEC):
        assert kinds(codec, TRACK, IDENTIFY, GROUP) == ["event"] * 3


def test_a_mixed_batch_reaches_import_engage_and_groups_in_that_order_with_the_project_token(tmp_path: Path) -> None:
    vendor = FakeVendor().start()
    destination = Destination("mp", "mixpanel", vendor.url, {"token": "dest-token"}, ("analytics",))
    db = Database(tmp_path / "gateway.sqlite3", MIGRATIONS)
    outbox = OutboxStore(db, max_events=100, full_retry_after_s=1, destinations=["mp"])
    # Queued in this order: a profile update, an event, a group update, another event.
    calls = [IDENTIFY, TRACK, GROUP, segment_call("track", event="Second")]
    encode = mixpanel.CODEC.outbox_encoder()
    deliveries = [Delivery("mp", "web", e.message_id, encode(e)) for e in calls]

    async def send() -> str:
        await outbox.commit(deliveries, also=None)
        batch = await outbox.next_batch("mp", 100, 1_000_000)
        assert [q.kind for q in batch] == ["profile", "event", "group", "event"]
        async with httpx.AsyncClient() as client:
            return (await HttpTransport(mixpanel.CODEC, destination, client).send(batch, timeout_s=10)).outcome

    try:
        assert asyncio.run(send()) == "delivered"
        imports, engage, groups = vendor.received()
    finally:
        vendor.stop()
        db.close()
    assert (imports.path, engage.path, groups.path) == ("/import", "/engage", "/groups")
    assert [e["event"] for e in imports.json()] == ["Order Completed", "Second"]
    assert engage.json() == [{"$distinct_id": "user-1", "$set": {"plan": "pro"}, "$token": "dest-token"}]
    [group] = groups.json()
    assert (group["$group_id"], group["$set"], group["$token"]) == ("acme", {"seats": 10}, "dest-token")


def test_an_empty_profile_update_still_carries_the_token() -> None:
    destination = Destination("mp", "mixpanel", "http://vendor.test", {"token": "dest-token"}, ("analytics",))
    assert orjson.loads(mixpanel.build_batch([b"{}"], destination, "profile").body) == [{"$token": "dest-token"}]


def test_rows_queued_before_kinds_existed_get_theirs_from_how_mixpanel_wrote_them(tmp_path: Path) -> None:
    path = tmp_path / "gateway.sqlite3"
    before = Database(path, [m for m in MIGRATIONS if m.name != "outbox-4"])
    rows: list[tuple[str, Codec, Event]] = [
        ("mp", mixpanel.CODEC, TRACK), ("mp", mixpanel.CODEC, IDENTIFY), ("mp", mixpanel.CODEC, GROUP),
        ("seg", segment.CODEC, IDENTIFY), ("ph", posthog.CODEC, GROUP), ("amp", amplitude.CODEC, IDENTIFY),
    ]
    before.write_sync(lambda conn: conn.executemany(
        "INSERT INTO outbox (destination, source, message_id, enqueued_at, body) VALUES (?, 'web', ?, 0, ?)",
        [(name, f"{name}-{event.type}", codec.encode(event)) for name, codec, event in rows],
    ))
    before.write_sync(lambda conn: conn.execute(
        """INSERT INTO dead_letters (destination, source, message_id, enqueued_at, failed_at, attempts, reason, body)
           VALUES ('mp', 'web', 'dead', 0, 0, 1, 'HTTP 400', ?)""", (mixpanel.encode(IDENTIFY),)))
    before.close()

    after = Database(path, MIGRATIONS)
    kinds = dict(after.read_sync(lambda c: c.execute("SELECT message_id, kind FROM outbox").fetchall()))
    dead = after.read_sync(lambda c: c.execute("SELECT kind FROM dead_letters").fetchone()[0])
    after.close()
    assert kinds == {"mp-track": "event", "mp-identify": "profile", "mp-group": "group",
                     "seg-identify": "event", "ph-group": "event", "amp-identify": "event"}
    assert dead == "profile"

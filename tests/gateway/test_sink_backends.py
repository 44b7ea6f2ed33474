"""The sink destination (events kept in the database instead of sent on) on either engine: newest first, bounded per
destination, and reached by a deletion request (each test runs on SQLite and on PostgreSQL)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson

from gateway import sink, subject_index
from gateway.database import Database
from gateway.outbox import Queued
from gateway.storage.engine import Engine


def queued(i: int, subjects: str = "") -> Queued:
    return Queued(i, "web", f"m{i}", 0, orjson.dumps({"messageId": f"m{i}"}), "event", subjects)


def test_the_sink_keeps_the_newest_events_and_forgets_a_deleted_subjects(database_location: Path | Engine) -> None:
    db = Database(database_location, sink.MIGRATIONS)
    kept = sink.SinkTransport(db, "archive", keep=3)

    async def scenario() -> None:
        assert (await kept.send([queued(1, "s-ann"), queued(2)], 5)).outcome == "delivered"
        await kept.send([queued(3, "s-ann"), queued(4), queued(5)], 5)
        assert [e["event"]["messageId"] for e in await sink.read_sink(db, "archive", 10)] == ["m5", "m4", "m3"]
        # A deletion request's step: the sink has no subject index, so it is looked through in slices of rows.
        assert await db.write(lambda conn: subject_index.take_scanning(conn, "sink_events", {"s-ann"}, 0, 10)) == (
            1, 5)
        assert [e["message_id"] for e in await sink.read_sink(db, None, 10)] == ["m5", "m4"]

    asyncio.run(scenario())
    db.close()

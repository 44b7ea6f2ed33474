"""The outbox, its dead letters, its subject index and the suppression list keep their promises on both storage
engines: the SQLite file and PostgreSQL (each test runs once per engine, `database_location`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar

import orjson

from gateway import subject_index
from gateway.database import Database
from gateway.outbox import MIGRATIONS as OUTBOX_MIGRATIONS
from gateway.outbox import Delivery, OutboxFull, OutboxStore
from gateway.outbox.dead_letters import DeadLetters, Selection
from gateway.storage.engine import Engine
from gateway.suppression import MIGRATIONS as SUPPRESSION_MIGRATIONS
from gateway.suppression import Suppression

MIGRATIONS = (*OUTBOX_MIGRATIONS, *SUPPRESSION_MIGRATIONS)
T = TypeVar("T")


def delivery(destination: str, message_id: str, subjects: str = "") -> Delivery:
    return Delivery(destination, "web", message_id, (orjson.dumps({"messageId": message_id}), "event"), subjects)


def test_queued_events_survive_a_restart_in_order_and_leave_once_delivered(database_location: Path | Engine) -> None:
    db = Database(database_location, MIGRATIONS)
    outbox = OutboxStore(db, 1000, 30, ["segment"])
    asyncio.run(outbox.commit([delivery("segment", f"m{i}") for i in range(5)], also=None))
    db.close()

    db = Database(database_location, MIGRATIONS)  # a restart: the depth is read back from the rows
    outbox = OutboxStore(db, 1000, 30, ["segment"])
    assert outbox.depth() == {"segment": 5}

    async def scenario() -> None:
        batch = await outbox.next_batch("segment", 3, 1_000_000)
        assert [q.message_id for q in batch] == ["m0", "m1", "m2"]
        assert orjson.loads(batch[0].body) == {"messageId": "m0"} and batch[0].kind == "event"
        await outbox.attempted("segment", batch)
        await outbox.delivered("segment", batch)
        rest = await outbox.next_batch("segment", 10, 1_000_000)
        assert [(q.message_id, q.attempts) for q in rest] == [("m3", 0), ("m4", 0)]

    asyncio.run(scenario())
    assert outbox.depth() == {"segment": 2}
    assert db.read_sync(lambda c: c.execute("SELECT count(*) FROM delivery_log").fetchone()[0]) == 3
    db.close()


def test_past_its_bound_the_outbox_refuses_and_stores_nothing_of_the_request(database_location: Path | Engine) -> None:
    db = Database(database_location, MIGRATIONS)
    outbox = OutboxStore(db, 3, 7, ["segment"])

    async def scenario() -> None:
        await outbox.commit([delivery("segment", "a"), delivery("segment", "b")], also=None)
        try:
            await outbox.commit([delivery("segment", "c"), delivery("segment", "d")], also=None)
            raise AssertionError("the outbox took more than its bound")
        except OutboxFull as full:
            assert full.retry_after == 7
        assert [q.message_id for q in await outbox.next_batch("segment", 10, 1_000_000)] == ["a", "b"]

    asyncio.run(scenario())
    assert outbox.depth() == {"segment": 2}
    db.close()


def test_a_suppressed_subject_is_dropped_inside_the_commit_and_stays_suppressed_after_a_restart(
    database_location: Path | Engine,
) -> None:
    db = Database(database_location, MIGRATIONS)
    suppression = Suppression(db)
    outbox = OutboxStore(db, 1000, 30, ["segment"], suppressed=suppression.in_commit)

    async def scenario() -> None:
        await outbox.commit([delivery("segment", "before", "s-alice")], also=None)
        # The deletion: suppress, and remove what is queued, in one write; recording the same subject twice is fine.
        await db.write(lambda conn: (suppression.add(conn, ["s-alice"], "del-1"),
                                     suppression.add(conn, ["s-alice"], "del-2"),
                                     outbox.remove_subjects(conn, ["segment"], ["s-alice"])))
        await outbox.commit([delivery("segment", "after", "s-bob s-alice"), delivery("segment", "other", "s-bob")],
                            also=None)
        assert [q.message_id for q in await outbox.next_batch("segment", 10, 1_000_000)] == ["other"]

    asyncio.run(scenario())
    assert outbox.depth() == {"segment": 1}
    db.close()
    db = Database(database_location, MIGRATIONS)
    assert Suppression(db).suppressed(["s-alice"]) and not Suppression(db).suppressed(["s-bob"])
    assert db.read_sync(lambda c: c.execute("SELECT deletion_id FROM suppressed_subjects").fetchall()) == [("del-1",)]
    db.close()


def test_dead_letters_keep_the_reason_are_listed_without_the_event_and_go_back_to_the_end_of_the_outbox(
    database_location: Path | Engine,
) -> None:
    db = Database(database_location, MIGRATIONS)
    outbox = OutboxStore(db, 1000, 30, ["segment", "amplitude"])
    dead = DeadLetters(outbox, enabled=["segment"], withheld=lambda destination, subjects, kind: None)

    async def scenario() -> None:
        await outbox.commit([delivery("segment", "refused", "s-carol"), delivery("segment", "fine"),
                             delivery("amplitude", "gone")], also=None)
        [refused, _] = await outbox.next_batch("segment", 10, 1_000_000)
        await outbox.dead_letter("segment", [refused], 400, "invalid event", reply='{"error": "bad"}')
        await outbox.dead_letter("amplitude", await outbox.next_batch("amplitude", 10, 1_000_000), None, "timeout")
        assert outbox.depth() == {"amplitude": 0, "segment": 1}

        listed = await dead.list()
        assert [(d["destination"], d["message_id"], d["status"], d["reason"], d["attempts"]) for d in listed] == [
            ("amplitude", "gone", None, "timeout", 1), ("segment", "refused", 400, "invalid event", 1)]
        assert all("body" not in d and "reply" not in d for d in listed)
        assert await dead.counts() == {"amplitude": 1, "segment": 1}
        shown = await dead.get(listed[1]["id"])
        assert shown is not None and shown["event"] == {"messageId": "refused"} and shown["reply"] == '{"error": "bad"}'

        redriven = await dead.redrive(Selection(everything=True))
        assert redriven.redriven == {"segment": 1} and redriven.kept == {"destination not enabled": 1}
        assert [q.message_id for q in await outbox.next_batch("segment", 10, 1_000_000)] == ["fine", "refused"]
        assert await dead.purge(Selection(destination="amplitude")) == (1, 0)
        assert await dead.counts() == {}

    asyncio.run(scenario())
    db.close()


def test_a_deletion_removes_the_subjects_dead_letters_and_nobody_elses_in_slices(database_location: Path | Engine
                                                                                  ) -> None:
    db = Database(database_location, MIGRATIONS)
    outbox = OutboxStore(db, 1000, 30, ["segment"])

    async def scenario() -> None:
        await outbox.commit([delivery("segment", "dana", "s-dana"), delivery("segment", "erin", "s-erin"),
                             delivery("segment", "dana-again", "s-x s-dana")], also=None)
        await outbox.dead_letter("segment", await outbox.next_batch("segment", 10, 1_000_000), 400, "refused")

    asyncio.run(scenario())
    steps: list[int] = []
    after: int | None = 0
    while after is not None:  # two rows looked at per step, as a deletion request's steps do with STEP_ROWS
        deleted, after = db.write_sync(partial(subject_index.take_scanning, table="dead_letters",
                                               subjects={"s-dana"}, after=after, limit=2))
        steps.append(deleted)
    assert steps == [1, 1, 0]  # two slices of rows, then one past the end
    assert db.read_sync(lambda c: c.execute("SELECT message_id FROM dead_letters").fetchall()) == [("erin",)]
    db.close()


def index(db: Database) -> list[tuple[str, str]]:
    """The outbox's subject index as (subject, message id) pairs."""
    found: list[tuple[str, str]] = db.read_sync(lambda c: c.execute(
        "SELECT subject, message_id FROM outbox_subjects JOIN outbox ON outbox.id = row_id ORDER BY subject, message_id"
    ).fetchall())
    assert db.read_sync(lambda c: c.execute("SELECT count(*) FROM outbox_subjects").fetchone()[0]) == len(found)
    return found


def test_the_subject_index_follows_the_outbox_through_delivery_dead_letters_redrive_and_withdrawal(
    database_location: Path | Engine,
) -> None:
    db = Database(database_location, MIGRATIONS)
    outbox = OutboxStore(db, 1000, 30, ["segment", "amplitude"])
    dead = DeadLetters(outbox, enabled=["segment", "amplitude"], withheld=lambda destination, subjects, kind: None)

    async def scenario() -> None:
        await outbox.commit([delivery("segment", "sent", "s-fay"), delivery("segment", "refused", "s-gus s-fay"),
                             delivery("segment", "twice", "s-gus s-gus"), delivery("amplitude", "amp", "s-fay"),
                             delivery("segment", "nobody")], also=None)
        assert index(db) == [("s-fay", "amp"), ("s-fay", "refused"), ("s-fay", "sent"), ("s-gus", "refused"),
                             ("s-gus", "twice")]
        sent, refused, _, _ = await outbox.next_batch("segment", 10, 1_000_000)
        await outbox.delivered("segment", [sent])
        await outbox.dead_letter("segment", [refused], 400, "invalid event")
        assert index(db) == [("s-fay", "amp"), ("s-gus", "twice")]  # the rows left, and their entries with them
        await dead.redrive(Selection(everything=True))
        assert index(db) == [("s-fay", "amp"), ("s-fay", "refused"), ("s-gus", "refused"), ("s-gus", "twice")]
        # Consent to Amplitude withdrawn: only its rows go.
        assert await db.write(lambda conn: outbox.remove_subjects(conn, ["amplitude"], ["s-fay"])) == 1
        assert index(db) == [("s-fay", "refused"), ("s-gus", "refused"), ("s-gus", "twice")]
        assert outbox.depth() == {"amplitude": 0, "segment": 3}

    asyncio.run(scenario())
    db.close()


def test_a_deletion_takes_a_subjects_queued_rows_in_bounded_steps_through_the_index(database_location: Path | Engine
                                                                                    ) -> None:
    db = Database(database_location, MIGRATIONS)
    outbox = OutboxStore(db, 1000, 30, ["segment", "amplitude"])
    asyncio.run(outbox.commit([delivery("segment", f"h{i}", "s-hal") for i in range(3)]
                              + [delivery("amplitude", "h-amp", "s-other s-hal"), delivery("segment", "ivy", "s-ivy")],
                              also=None))
    steps = []
    while True:
        handled, deleted = db.write_sync(lambda conn: outbox.take_subjects(conn, ["s-hal"], 2))
        if not handled:
            break
        steps.append(deleted)
    assert steps == [2, 2]
    assert outbox.depth() == {"amplitude": 0, "segment": 1}
    assert index(db) == [("s-ivy", "ivy")]
    db.close()


def test_rows_queued_before_the_subject_index_existed_are_indexed_by_its_migration(database_location: Path | Engine
                                                                                   ) -> None:
    before = tuple(m for m in MIGRATIONS if m.name != "outbox-6")
    db = Database(database_location, before)
    db.write_sync(lambda conn: conn.executemany(
        """INSERT INTO outbox (destination, source, message_id, enqueued_at, body, kind, subjects)
           VALUES ('segment', 'web', ?, 0, ?, 'event', ?)""",
        [("jo", b"{}", "s-jo s-kim"), ("kim", b"{}", "s-kim s-kim"), ("none", b"{}", "")]))
    db.close()

    db = Database(database_location, MIGRATIONS)
    assert db.migrated == ["outbox-6"]
    assert index(db) == [("s-jo", "jo"), ("s-kim", "jo"), ("s-kim", "kim")]
    outbox = OutboxStore(db, 1000, 30, ["segment"])
    assert db.write_sync(lambda conn: outbox.take_subjects(conn, ["s-kim"], 10)) == (2, 2)
    assert index(db) == []
    db.close()


def test_a_withdrawal_of_session_replay_can_take_only_the_recordings_of_a_destination(
    database_location: Path | Engine,
) -> None:
    db = Database(database_location, MIGRATIONS)
    outbox = OutboxStore(db, 1000, 30, ["posthog"])
    snapshot = Delivery("posthog", "web", "snap", (b'{"event":"$snapshot"}', "recording"), "s-hal")

    async def scenario() -> None:
        await outbox.commit([delivery("posthog", "event", "s-hal"), snapshot], also=None)
        assert await db.write(lambda conn: outbox.remove_subjects(conn, ["posthog"], ["s-hal"], "recording")) == 1
        [left] = await outbox.next_batch("posthog", 10, 1_000_000)
        assert (left.message_id, left.kind) == ("event", "event")
        assert index(db) == [("s-hal", "event")] and outbox.depth() == {"posthog": 1}

    asyncio.run(scenario())
    db.close()


class _Rows:
    """A cursor's rows, fetched at once so that the bodies among them can be counted."""

    def __init__(self, rows: list[Any]) -> None:
        self.rows = rows

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)

    def fetchall(self) -> list[Any]:
        return self.rows

    def fetchone(self) -> Any:
        return self.rows[0] if self.rows else None


class _BodiesRead(Database):
    """A Database whose reads note every event body they fetch (what next_batch took from the table)."""

    bodies: list[bytes] = []  # noqa: RUF012 (each test sets its own list before it looks)

    def read_sync(self, fn: Callable[[Any], T]) -> T:
        def watched(conn: Any) -> T:
            def execute(sql: str, parameters: Sequence[Any] = ()) -> _Rows:
                rows = conn.execute(sql, parameters).fetchall()
                self.bodies += [bytes(v) for row in rows for v in row if isinstance(v, bytes | memoryview)]
                return _Rows(rows)

            return fn(SimpleNamespace(execute=execute))

        return super().read_sync(watched)


def test_with_many_batches_in_flight_a_full_batch_is_read_and_no_body_of_a_row_in_flight(
    database_location: Path | Engine,
) -> None:
    db = _BodiesRead(database_location, MIGRATIONS)
    outbox = OutboxStore(db, 1000, 30, ["segment"])

    async def scenario() -> None:
        await outbox.commit([delivery("segment", f"m{i}") for i in range(30)], also=None)
        in_flight = await outbox.next_batch("segment", 20, 1_000_000)
        db.bodies = []
        batch = await outbox.next_batch("segment", 5, 1_000_000, {q.id for q in in_flight})
        assert [q.message_id for q in batch] == [f"m{i}" for i in range(20, 25)]
        assert db.bodies == [q.body for q in batch]
        # Within a byte budget: the rows past it are not read either.
        db.bodies = []
        size = len(batch[0].body) + 1
        cut = await outbox.next_batch("segment", 10, 3 * size, {q.id for q in in_flight})
        assert [q.message_id for q in cut] == ["m20", "m21", "m22"] and db.bodies == [q.body for q in cut]

    asyncio.run(scenario())
    db.close()

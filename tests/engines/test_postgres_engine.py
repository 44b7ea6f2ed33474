"""The PostgreSQL harness gives the storage tests a real server, as a user would run it: on loopback, with a password,
fsync on, a database of the test's own; and what it acknowledges as committed survives a crash."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
import pytest

from tests.support.postgres import PostgresServer

T = TypeVar("T")


def with_connection(url: str, work: Callable[[Any], Awaitable[T]]) -> T:
    async def run() -> T:
        connection = await asyncpg.connect(url)
        try:
            return await work(connection)
        finally:
            await connection.close()

    return asyncio.run(run())


def test_a_test_database_takes_writes_and_reads_them_back(postgres_url: str) -> None:
    async def work(db: Any) -> list[tuple[int, bytes]]:
        await db.execute("CREATE TABLE outbox (id bigserial PRIMARY KEY, body bytea NOT NULL)")
        async with db.transaction():
            await db.executemany("INSERT INTO outbox (body) VALUES ($1)", [(b"first",), (b"second",)])
        return [tuple(row) for row in await db.fetch("SELECT id, body FROM outbox ORDER BY id")]

    assert with_connection(postgres_url, work) == [(1, b"first"), (2, b"second")]


def test_each_test_database_starts_empty_and_is_its_own(postgres: PostgresServer) -> None:
    first, second = postgres.create_database(), postgres.create_database()
    try:
        with_connection(postgres.url(first), lambda db: db.execute("CREATE TABLE only_here (x int)"))
        tables = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        assert with_connection(postgres.url(first), lambda db: db.fetchval(tables)) == 1
        assert with_connection(postgres.url(second), lambda db: db.fetchval(tables)) == 0
    finally:
        postgres.drop_database(first)
        postgres.drop_database(second)


def test_the_server_is_durable_on_loopback_only_and_asks_for_the_password(postgres: PostgresServer,
                                                                            postgres_url: str) -> None:
    settings = "SELECT current_setting('fsync'), current_setting('listen_addresses'), current_setting('port')::int"
    assert tuple(with_connection(postgres_url, lambda db: db.fetchrow(settings))) == ("on", "127.0.0.1",
                                                                                       postgres.port)
    wrong_password = postgres_url.replace(f":{postgres.password}@", ":not-the-password@")
    with pytest.raises(asyncpg.InvalidPasswordError):
        with_connection(wrong_password, lambda db: db.fetchval("SELECT 1"))


def test_a_committed_row_survives_a_crash_and_an_uncommitted_one_does_not(postgres: PostgresServer,
                                                                            postgres_url: str) -> None:
    async def write_then_crash() -> None:
        db = await asyncpg.connect(postgres_url)
        await db.execute("CREATE TABLE events (message_id text PRIMARY KEY)")
        await db.execute("INSERT INTO events VALUES ('committed')")
        await db.execute("BEGIN")
        await db.execute("INSERT INTO events VALUES ('in flight')")
        # pg_ctl stop -m immediate: every server process quits at once, no checkpoint, as a power cut would leave it.
        try:
            postgres.stop("immediate")
        finally:
            postgres.start()  # replays the WAL; the session's other tests go on with the same server
        db.terminate()

    asyncio.run(write_then_crash())

    rows = with_connection(postgres_url, lambda db: db.fetch("SELECT message_id FROM events"))
    assert [row["message_id"] for row in rows] == ["committed"]

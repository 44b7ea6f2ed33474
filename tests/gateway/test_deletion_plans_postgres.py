"""On PostgreSQL, a deletion's replay step finds the subject's sessions and keys through indexes, as on SQLite
(tests/gateway/test_deletion_steps.py checks the whole deletion there with EXPLAIN QUERY PLAN): every statement the
step runs in the writer is explained with sequential scans priced out (`enable_seqscan = off`), so a plan that still
reads a subject table whole is one that no index can serve, whatever the table's size."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import psycopg
import pytest

from gateway.database import Database
from gateway.schema import MIGRATIONS
from gateway.storage.placeholders import to_format
from gateway.storage.postgres import postgres_engine
from replay.compression import Compressor
from replay.shredding import KeyRing
from replay.store import ChunkIn, ReplayStore
from replay.summary import summarize
from tests.gateway.test_deletion_steps import SUBJECT_TABLES
from tests.replay.streams import Recording

MASTER_KEY = bytes(range(32))  # not a secret: the tests' master key
SUBJECT, BYSTANDER = "s" * 32, "b" * 32


def visit(session_id: str, subject: str, t: int) -> ChunkIn:
    rec = Recording()
    rec.wait(t)
    return ChunkIn(session_id, "main", (subject,), rec.events, summarize(rec.events))


@pytest.fixture
def store(postgres_url: str) -> Iterator[ReplayStore]:
    db = Database(postgres_engine(postgres_url), MIGRATIONS)
    yield ReplayStore(db, Compressor(level=3), KeyRing(MASTER_KEY))
    db.close()


def seq_scans(plan: dict[str, Any]) -> Iterator[str]:
    if plan.get("Node Type") == "Seq Scan":
        yield plan["Relation Name"]
    for child in plan.get("Plans", ()):
        yield from seq_scans(child)


def test_the_replay_step_of_a_deletion_reads_no_subject_table_whole(store: ReplayStore, postgres_url: str) -> None:
    asyncio.run(store.add("web", [visit(f"subject-{i}", SUBJECT, 1000 + i) for i in range(3)]
                          + [visit(f"bystander-{i}", BYSTANDER, 2000 + i) for i in range(30)]))
    statements: list[tuple[str, Sequence[Any]]] = []
    writer = store.db._writer  # type: ignore[attr-defined]  # the writer's PostgresConnection
    execute, executemany = writer.execute, writer.executemany

    def traced(sql: str, parameters: Sequence[Any] = ()) -> Any:
        statements.append((sql, parameters))
        return execute(sql, parameters)

    def traced_many(sql: str, rows: Iterable[Sequence[Any]]) -> Any:
        rows = list(rows)
        statements.extend((sql, row) for row in rows)
        return executemany(sql, rows)

    writer.execute, writer.executemany = traced, traced_many
    try:
        keys, sessions = store.db.write_sync(lambda c: (store.shred_subjects(c, [SUBJECT], 500),
                                                        store.delete_subjects(c, [SUBJECT], 20)))
    finally:
        writer.execute, writer.executemany = execute, executemany
    assert keys == 1 and sorted(sessions) == ["subject-0", "subject-1", "subject-2"]

    scans = set()
    with psycopg.connect(postgres_url, autocommit=True) as explain:
        explain.execute("SET enable_seqscan = off")
        for sql, parameters in statements:
            if not sql.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE")):
                continue
            [(plan,)] = explain.execute(f"EXPLAIN (FORMAT JSON) {to_format(sql)}", parameters).fetchall()
            scans.update(f"{table}: {sql.strip()[:100]}" for table in seq_scans(plan[0]["Plan"])
                         if table in SUBJECT_TABLES)
    assert any("replay_key_subjects" in sql for sql, _ in statements)  # the trace saw the key and session look-ups
    assert any("replay_session_subjects" in sql for sql, _ in statements)
    assert not scans

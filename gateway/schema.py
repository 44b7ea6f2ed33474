"""The gateway's database: the file it lives in under the data directory, and every migration, in the order applied.

Each store declares its own migrations next to its queries; this list is the one place that says which stores make up
the gateway's database (the server, `privacy-gateway purge` and `privacy-gateway db` open it with the same list).
Names are never reused and the order never changes: a database records the names it has applied.

`open_database` opens it where the policy says: the SQLite file in the data directory, or the PostgreSQL database of
`[storage] database_url`, which it refuses while a part of the schema has not moved there (`not_on_postgres`).
"""

from __future__ import annotations

from pathlib import Path

from gateway import (
    access,
    accounts,
    audit,
    catalog,
    consent_ledger,
    consent_token,
    deletion,
    identity,
    outbox,
    reviews,
    shared_keys,
    sink,
    suppression,
    ui_sessions,
    violations,
)
from gateway.access_requests import MIGRATIONS as ACCESS_REQUEST_MIGRATIONS
from gateway.database import Database, Migration
from gateway.outbox import ownership
from gateway.storage.ddl import postgres_tables
from gateway.storage.migrations import unported
from gateway.storage.postgres import postgres_engine
from replay import analysis as replay_analysis
from replay import compaction as replay_compaction
from replay import object_index as replay_objects
from replay import search as replay_search
from replay import shredding
from replay import store as replay_store

DATABASE_FILE = "gateway.sqlite3"

MIGRATIONS: tuple[Migration, ...] = (
    *outbox.MIGRATIONS,
    *audit.MIGRATIONS,
    Migration("replay-1", replay_store.SCHEMA, postgres=postgres_tables(replay_store.SCHEMA)),
    Migration("replay-2", replay_analysis.SCHEMA, postgres=postgres_tables(replay_analysis.SCHEMA)),
    Migration("replay-3", replay_analysis.FORMS_SCHEMA, postgres=postgres_tables(replay_analysis.FORMS_SCHEMA)),
    Migration("replay-4", replay_analysis.PAGES_SCHEMA, postgres=postgres_tables(replay_analysis.PAGES_SCHEMA)),
    *sink.MIGRATIONS,
    *access.MIGRATIONS,
    *identity.MIGRATIONS,
    *consent_ledger.MIGRATIONS,
    *consent_token.MIGRATIONS,
    *suppression.MIGRATIONS,
    *deletion.MIGRATIONS,
    *reviews.MIGRATIONS,
    *accounts.MIGRATIONS,
    *catalog.MIGRATIONS,
    *violations.MIGRATIONS,
    *ui_sessions.MIGRATIONS,
    Migration("replay-search-1", replay_search.SCHEMA,
              postgres=(*postgres_tables(replay_search.TABLES), *replay_search.POSTGRES_TRIGGERS)),
    *ACCESS_REQUEST_MIGRATIONS,
    Migration("replay-objects-1", replay_objects.SCHEMA, postgres=postgres_tables(replay_objects.SCHEMA)),
    Migration("replay-5", replay_analysis.HEAT_SCHEMA, postgres=postgres_tables(replay_analysis.HEAT_SCHEMA)),
    Migration("replay-keys-1", shredding.SCHEMA, postgres=postgres_tables(shredding.SCHEMA)),
    Migration("replay-keys-2", shredding.INDEX_SCHEMA,
              postgres=(*postgres_tables(shredding.INDEX_TABLES), shredding.POSTGRES_INDEX_FILL)),
    *ownership.MIGRATIONS,
    *shared_keys.MIGRATIONS,
    Migration("replay-segments-1", replay_compaction.SCHEMA, postgres=postgres_tables(replay_compaction.SCHEMA)),
    Migration("replay-segments-2", replay_compaction.LAYOUT_SCHEMA,
              postgres=postgres_tables(replay_compaction.LAYOUT_SCHEMA)),
    Migration("replay-keys-3", shredding.ONE_SUBJECT_SCHEMA, postgres=shredding.ONE_SUBJECT_SCHEMA),
    Migration("replay-segments-3", (*replay_compaction.OFFSET_SCHEMA, *replay_compaction.REPEATED_COLUMNS),
              postgres=(*postgres_tables(replay_compaction.OFFSET_SCHEMA), *replay_compaction.REPEATED_COLUMNS)),
    Migration("replay-search-2", replay_search.REDUNDANT_INDEXES, postgres=replay_search.REDUNDANT_INDEXES),
    Migration("replay-search-3", replay_search.ONE_SUBJECT_SCHEMA, postgres=replay_search.POSTGRES_ONE_SUBJECT),
    Migration("replay-keys-4", shredding.UNREAD_COLUMNS, postgres=shredding.UNREAD_COLUMNS),
    Migration("replay-segments-4", replay_compaction.UNREAD_COLUMNS, postgres=replay_compaction.UNREAD_COLUMNS),
    Migration("replay-search-4", replay_search.ORDER_INDEXES, postgres=replay_search.ORDER_INDEXES),
    Migration("replay-segments-5", replay_compaction.SESSION_SEGMENTS,
              postgres=replay_compaction.POSTGRES_SESSION_SEGMENTS),
    Migration("replay-search-5", replay_search.BOUNDED_SUBJECTS, postgres=replay_search.BOUNDED_SUBJECTS),
)


class NotOnPostgres(Exception):
    """The gateway was pointed at PostgreSQL, but parts of it still keep their state in SQLite only."""


def not_on_postgres(migrations: tuple[Migration, ...] = MIGRATIONS) -> list[str]:
    """The parts of the gateway whose tables have not moved onto PostgreSQL yet (the names before their step numbers),
    in schema order."""
    return list(dict.fromkeys(name.rsplit("-", 1)[0] for name in unported(migrations)))


def check_backend(database_url: str, migrations: tuple[Migration, ...] = MIGRATIONS) -> None:
    """Raise NotOnPostgres, saying which parts hold it back, when `database_url` is set and not every part has moved:
    serving with some state in PostgreSQL and the rest in a node's own SQLite file would break the promises the
    shared database is for (a deletion on one node unseen by another), so it is refused rather than half-done."""
    parts = not_on_postgres(migrations) if database_url else []
    if parts:
        raise NotOnPostgres(
            "PostgreSQL storage (database_url) does not cover the whole gateway yet: these parts still keep their "
            f"state in SQLite only: {', '.join(parts)}. Serve without database_url (the SQLite file in the data "
            "directory) until they have moved; `privacy-gateway migrate --database-url ...` prepares the tables that "
            "have.")


def open_database(data_dir: Path, database_url: str) -> Database:
    """The gateway's database, migrated: PostgreSQL when `database_url` is set (see `check_backend`), else the SQLite
    file in `data_dir`."""
    check_backend(database_url)
    if database_url:
        return Database(postgres_engine(database_url), MIGRATIONS)
    return Database(data_dir / DATABASE_FILE, MIGRATIONS)

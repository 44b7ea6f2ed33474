"""The gateway's database: the file it lives in under the data directory, and every migration, in the order applied.

Each store declares its own migrations next to its queries; this list is the one place that says which stores make up
the gateway's database (the server, `privacy-gateway purge` and `privacy-gateway db` open it with the same list).
Names are never reused and the order never changes: a database records the names it has applied.
"""

from __future__ import annotations

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
    sink,
    suppression,
    ui_sessions,
    violations,
)
from gateway.access_requests import MIGRATIONS as ACCESS_REQUEST_MIGRATIONS
from gateway.database import Migration
from replay import analysis as replay_analysis
from replay import search as replay_search
from replay import store as replay_store

DATABASE_FILE = "gateway.sqlite3"

MIGRATIONS: tuple[Migration, ...] = (
    *outbox.MIGRATIONS,
    *audit.MIGRATIONS,
    Migration("replay-1", replay_store.SCHEMA),
    Migration("replay-2", replay_analysis.SCHEMA),
    Migration("replay-3", replay_analysis.FORMS_SCHEMA),
    Migration("replay-4", replay_analysis.PAGES_SCHEMA),
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
    Migration("replay-search-1", replay_search.SCHEMA),
    *ACCESS_REQUEST_MIGRATIONS,
)

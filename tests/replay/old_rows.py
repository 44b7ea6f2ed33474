"""Rows written as a gateway from before a column was dropped wrote them, for upgrade tests that record into an older
schema with today's store."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pytest

from gateway.storage.migrations import Migration
from replay import compaction
from replay.store import ReplayStore


def migrations_before(migrations: Sequence[Migration], name: str) -> list[Migration]:
    """The schema of a gateway from before migration `name`: the migrations up to it, not it."""
    return list(migrations[: [m.name for m in migrations].index(name)])


def keys_with_created_at(store: ReplayStore, patch: pytest.MonkeyPatch) -> None:
    """`store` makes keys as before replay-keys-4 (with their `created_at`)."""
    patch.setattr(store.keys, "_insert", lambda conn, key, subjects: conn.execute(
        "INSERT INTO replay_keys (key_id, master, wrapped, created_at) VALUES (?, ?, ?, 1)",
        (key.key_id, store.keys.fingerprint, key.wrapped)))


def segments_found_by_session(patch: pytest.MonkeyPatch) -> None:
    """Today's store on a schema from before replay-segments-5 finds a session's segments by their `session_id`, as
    the store did then (the sessions' rows had no `segments`; compaction.insert is patched as it was by the test)."""
    def segment_ids(conn: Any, session_ids: Iterable[str]) -> dict[str, list[int]]:
        found = {}
        for session_id in dict.fromkeys(session_ids):
            ids = [row[0] for row in conn.execute("SELECT id FROM replay_segments WHERE session_id = ? ORDER BY id",
                                                  (session_id,))]
            if ids:
                found[session_id] = ids
        return found

    patch.setattr(compaction, "segment_ids", segment_ids)

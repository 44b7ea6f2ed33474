"""Rows written as a gateway from before a column was dropped wrote them, for upgrade tests that record into an older
schema with today's store."""

from __future__ import annotations

import pytest

from replay.store import ReplayStore


def keys_with_created_at(store: ReplayStore, patch: pytest.MonkeyPatch) -> None:
    """`store` makes keys as before replay-keys-4 (with their `created_at`)."""
    patch.setattr(store.keys, "_insert", lambda conn, key, subjects: conn.execute(
        "INSERT INTO replay_keys (key_id, master, wrapped, created_at) VALUES (?, ?, ?, 1)",
        (key.key_id, store.keys.fingerprint, key.wrapped)))

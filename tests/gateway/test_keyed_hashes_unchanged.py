"""The gateway's keyed hashes (identifiers, audited values, accounts, the audit chain) went from `hmac.new` per value to
policies.keyed_hash.KeyedHash: the hashes stored before must still be found, so each is the HMAC-SHA256 it was."""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

import orjson

from gateway import audit
from gateway.audit_values import AuditValues
from gateway.catalog import account_hasher
from gateway.database import Database
from gateway.identity import Identity

VALUES = ("user-42", "anon-" + os.urandom(8).hex(), "ä@example.com", "+49 151 1234567")


def before(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def test_identity_hashes_are_unchanged_keyed_hmac_truncated_to_32_hex_digits() -> None:
    key = os.urandom(32)
    identity = Identity(key)
    for value in VALUES:
        assert identity.hash(value) == before(key, value)


def test_audited_values_hashed_before_are_still_found() -> None:
    key = os.urandom(32)
    values = AuditValues(key)
    for value in VALUES:
        assert values.hash(value) == "hmac:" + before(key, value)
        assert "hmac:" + before(key, value) in values.searched(value)


def test_accounts_counted_before_keep_their_hash() -> None:
    key = os.urandom(32)
    hash_account = account_hasher(key)
    for value in VALUES:
        assert hash_account(value) == before(key, value)
        assert hash_account(value) == before(key, value)  # from its cache


def test_the_audit_chain_keeps_the_hashes_it_had_so_a_chain_written_before_still_verifies(tmp_path: Path) -> None:
    key = os.urandom(32)
    db = Database(tmp_path / "audit.sqlite3", audit.MIGRATIONS)
    try:
        log = audit.AuditLog(db, key, os.urandom(32))
        for value in VALUES:
            db.write_sync(lambda c, value=value: log.append(c, "ann", "support", "replay.read_events", value, {}))
        rows = db.read_sync(lambda c: c.execute(
            "SELECT id, at, actor, role, action, target, details, prev, hash FROM audit_log ORDER BY id").fetchall())
    finally:
        db.close()
    for row_id, at, actor, role, action, target, details, prev, stored in rows:
        content = orjson.dumps([prev, row_id, repr(at), actor, role, action, target, details])
        assert stored == hmac.new(key, content, hashlib.sha256).hexdigest()
    assert len(rows) == len(VALUES)

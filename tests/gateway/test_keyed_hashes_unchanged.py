"""The gateway's keyed hashes (identifiers, audited values, accounts) went from `hmac.new` per value to
policies.keyed_hash.KeyedHash: the hashes stored before must still be found, so each is the HMAC-SHA256 it was."""

from __future__ import annotations

import hashlib
import hmac
import os

from gateway.audit_values import AuditValues
from gateway.catalog import account_hasher
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

"""gateway.keyed_hash: the precomputed HMAC gives hmac.new's digest, for any key length and value."""

from __future__ import annotations

import hashlib
import hmac
import os

import pytest

from gateway.identity import Identity
from gateway.keyed_hash import KeyedHash


@pytest.mark.parametrize("key_length", [0, 1, 16, 32, 63, 64, 65, 200])
def test_digest_is_hmac_sha256_for_keys_shorter_equal_and_longer_than_a_block(key_length: int) -> None:
    key = os.urandom(key_length)
    keyed = KeyedHash(key)
    for value in (b"", b"u-1", "jané@example.com".encode(), os.urandom(64), os.urandom(1000)):
        assert keyed.hexdigest(value) == hmac.new(key, value, hashlib.sha256).hexdigest()


def test_one_keyed_hash_serves_many_values_without_carrying_state_between_them() -> None:
    key = os.urandom(32)
    keyed = KeyedHash(key)
    values = [os.urandom(n) for n in range(50)]
    assert [keyed.hexdigest(v) for v in values] == [hmac.new(key, v, hashlib.sha256).hexdigest() for v in values]
    assert keyed.hexdigest(values[3]) == hmac.new(key, values[3], hashlib.sha256).hexdigest()


def test_identity_hashes_are_unchanged_keyed_hmac_truncated_to_32_hex_digits() -> None:
    key = os.urandom(32)
    identity = Identity(key)
    for value in ("user-42", "anon-" + os.urandom(8).hex(), "ä@example.com"):
        assert identity.hash(value) == hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:32]

"""policies.keyed_hash: the precomputed HMAC gives hmac.new's digest, for any key length and value, and the hashes the
gateway stored before it (pseudonyms, the scrubber's `hash` transform) are the ones it gives now."""

from __future__ import annotations

import hashlib
import hmac
import os
from datetime import date

import pytest

from policies.consent.anonymize import HEX_DIGITS, PREFIX, day_hash, day_key, pseudonym
from policies.keyed_hash import KeyedHash
from policies.pii.transforms import Hasher


@pytest.mark.parametrize("key_length", [0, 1, 16, 32, 63, 64, 65, 200])
def test_digest_is_hmac_sha256_for_keys_shorter_equal_and_longer_than_a_block(key_length: int) -> None:
    key = os.urandom(key_length)
    keyed = KeyedHash(key)
    for value in (b"", b"u-1", "jané@example.com".encode(), os.urandom(64), os.urandom(1000)):
        assert keyed.hexdigest(value) == hmac.new(key, value, hashlib.sha256).hexdigest()


def test_digest_is_rfc_4231s_hmac_sha256() -> None:
    # RFC 4231 test cases 2 and 6 (a key longer than a block): the published digests, not our own.
    assert KeyedHash(b"Jefe").hexdigest(b"what do ya want for nothing?") == (
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    assert KeyedHash(b"\xaa" * 131).hexdigest(b"Test Using Larger Than Block-Size Key - Hash Key First") == (
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")


def test_one_keyed_hash_serves_many_values_without_carrying_state_between_them() -> None:
    key = os.urandom(32)
    keyed = KeyedHash(key)
    values = [os.urandom(n) for n in range(50)]
    assert [keyed.hexdigest(v) for v in values] == [hmac.new(key, v, hashlib.sha256).hexdigest() for v in values]
    assert keyed.hexdigest(values[3]) == hmac.new(key, values[3], hashlib.sha256).hexdigest()


def test_pseudonyms_stored_before_are_given_again() -> None:
    key, day = os.urandom(32), date(2026, 3, 14)
    for value, text in (("user-42", "user-42"), (42, "42"), ("\udcff-lone-surrogate", "\udcff-lone-surrogate")):
        before = hmac.new(day_key(key, day), text.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()
        assert pseudonym(value, day_hash(key, day)) == PREFIX + before[:HEX_DIGITS]


def test_the_scrubbers_hashes_stored_before_are_given_again() -> None:
    key = os.urandom(32)
    hasher = Hasher(key, "h_", 16)
    for value in ("jo@example.com", "+49 151 1234567", "\udcff"):
        before = hmac.digest(key, value.encode("utf-8", "surrogatepass"), "sha256").hex()
        assert hasher(value) == "h_" + before[:16]

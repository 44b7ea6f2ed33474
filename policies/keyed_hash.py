"""HMAC-SHA256 under one fixed key, for the paths that hash many values under it: identifiers (gateway.identity),
audited values (gateway.audit_values), the audit chain's rows (gateway.audit), accounts (gateway.catalog), pseudonyms
(policies.consent.anonymize, under the day's key) and the scrubber's `hash` transform (policies.pii.transforms).

`hmac.new(key, value, sha256)` sets the key up again for every value: two SHA-256 states made from the padded key,
inside OpenSSL, each time. The key does not change, so its two states are made once here and copied for each value
(RFC 2104: H(K ^ opad, H(K ^ ipad, value))): the same digest as `hmac.new` (tests/policies/test_keyed_hash.py), so
hashes stored before stay valid, for about half the CPU on an identifier (bench/keyed_hash.py). It sits in policies,
the lowest layer, so that policies and gateway share it.
"""

from __future__ import annotations

import hashlib

_BLOCK = 64  # SHA-256's block size: a longer key is hashed first, a shorter one padded with zeros (RFC 2104)
_IPAD = bytes(b ^ 0x36 for b in range(256))  # byte -> byte ^ ipad, for bytes.translate (as the hmac module does)
_OPAD = bytes(b ^ 0x5C for b in range(256))


class KeyedHash:
    def __init__(self, key: bytes) -> None:
        if len(key) > _BLOCK:
            key = hashlib.sha256(key).digest()
        padded = key.ljust(_BLOCK, b"\0")
        self._inner = hashlib.sha256(padded.translate(_IPAD))
        self._outer = hashlib.sha256(padded.translate(_OPAD))

    def hexdigest(self, value: bytes) -> str:
        """HMAC-SHA256(key, value) in hex, as `hmac.new(key, value, hashlib.sha256).hexdigest()`."""
        inner = self._inner.copy()
        inner.update(value)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()

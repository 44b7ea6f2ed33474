"""HMAC-SHA256 under one fixed key, for the hot paths that hash many short values (identifiers, per event).

`hmac.new(key, value, sha256)` sets the key up again for every value: two SHA-256 states made from the padded key,
inside OpenSSL, each time. The key does not change, so its two states are made once here and copied for each value
(RFC 2104: H(K ^ opad, H(K ^ ipad, value))): the same digest as `hmac.new` (tests/gateway/test_keyed_hash.py) for
about half the CPU on an identifier (bench/keyed_hash.py).
"""

from __future__ import annotations

import hashlib

_BLOCK = 64  # SHA-256's block size: a longer key is hashed first, a shorter one padded with zeros (RFC 2104)


class KeyedHash:
    def __init__(self, key: bytes) -> None:
        if len(key) > _BLOCK:
            key = hashlib.sha256(key).digest()
        padded = key.ljust(_BLOCK, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded))

    def hexdigest(self, value: bytes) -> str:
        """HMAC-SHA256(key, value) in hex, as `hmac.new(key, value, hashlib.sha256).hexdigest()`."""
        inner = self._inner.copy()
        inner.update(value)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()

"""The gateway's secret for keyed hashing, and the purpose-specific keys derived from it.

Every pseudonym the gateway makes is HMAC-SHA256 under a key derived from this one secret and the purpose's name, so
that a hash made for one purpose (say, subject ids in the database) cannot be matched against one made for another
(say, pseudonyms sent to a vendor). Unkeyed hashes of identifiers are never used: they are reversed by guessing.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from policies.policy import Policy

KEY_FILE = "hash.key"


def load_secret(policy: Policy, data_dir: Path) -> bytes:
    """The policy's `[privacy] hash_key`, or else a random one made on first start and kept in the data directory."""
    if policy.privacy.hash_key:
        return policy.privacy.hash_key.encode("utf-8")
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_hex(32))
    return path.read_text().strip().encode("utf-8")


def derive(secret: bytes, purpose: str) -> bytes:
    return hmac.new(secret, purpose.encode("utf-8"), hashlib.sha256).digest()

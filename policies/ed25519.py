"""Ed25519 public keys as people write them: PEM (SubjectPublicKeyInfo, what `openssl pkey -pubout` prints) or the
key's 32 raw bytes in base64. Used where a policy names one (consent tokens) and where a verifier is given one
(receipts, audit checkpoints)."""

from __future__ import annotations

import base64
import binascii

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

RAW_BYTES = 32


def public_key_bytes(text: str) -> bytes:
    """The 32 raw bytes of the Ed25519 public key in `text`. Raises ValueError saying what is wrong."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_public_key(text.encode())
        except ValueError:
            raise ValueError("not a readable PEM public key") from None
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("expected an Ed25519 public key")
        return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    raw = b64decode(text)
    if len(raw) != RAW_BYTES:
        raise ValueError(f"expected a PEM public key, or the {RAW_BYTES} bytes of an Ed25519 key in base64")
    return raw


def b64decode(text: str) -> bytes:
    """Base64url or standard base64, padded or not (JWS and PEM bodies use one or the other)."""
    cleaned = text.strip().replace("+", "-").replace("/", "_")
    try:
        return base64.urlsafe_b64decode(cleaned + "=" * (-len(cleaned) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("not base64") from None


def b64encode(data: bytes) -> str:
    """Base64url without padding, as JWS writes it."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

"""Signed JSON documents (deletion receipts, audit checkpoints) that anyone can check with the gateway's public key.

A document is a JSON object; its `signature` is

    {"alg": "Ed25519", "key_id": "<16 hex digits>", "value": "<base64url>"}

over the document without `signature` in canonical form: keys sorted, no whitespace, UTF-8 (orjson's
OPT_SORT_KEYS output). The public key is served without authentication at PUBLIC_KEY_PATH, so that a data subject,
an auditor or a regulator can check a receipt offline with nothing of the gateway's but that key
(`privacy-gateway receipt verify FILE --public-key KEY`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from gateway.keys import PublicKey, SigningKey
from policies.ed25519 import b64decode, b64encode

ALG = "Ed25519"
PUBLIC_KEY_PATH = "/.well-known/privacy-gateway/receipt-key"


def canonical(document: dict[str, Any]) -> bytes:
    return orjson.dumps({k: v for k, v in document.items() if k != "signature"}, option=orjson.OPT_SORT_KEYS)


def sign(document: dict[str, Any], key: SigningKey) -> dict[str, Any]:
    """`document` with its signature."""
    value = key.sign(canonical(document))
    return {**document, "signature": {"alg": ALG, "key_id": key.public.key_id, "value": b64encode(value)}}


@dataclass(frozen=True)
class Checked:
    ok: bool
    problem: str = ""  # why not, for a person: "signed with another key", "the signature does not match"


def check(document: Any, key: PublicKey) -> Checked:
    """Whether `document` carries a valid signature by `key` over exactly its content."""
    if not isinstance(document, dict):
        return Checked(False, "not a JSON object")
    signature = document.get("signature")
    if not isinstance(signature, dict) or not isinstance(signature.get("value"), str):
        return Checked(False, "no signature")
    if signature.get("alg") != ALG:
        return Checked(False, f"signed with {signature.get('alg')!r}, not {ALG}: it cannot be checked with a public "
                              "key (receipts made before Ed25519 signing)")
    if signature.get("key_id") != key.key_id:
        return Checked(False, f"signed with key {signature.get('key_id')!r}, not with this key ({key.key_id})")
    try:
        value = b64decode(signature["value"])
    except ValueError:
        return Checked(False, "the signature is not base64")
    if not key.verifies(value, canonical(document)):
        return Checked(False, "the signature does not match the content: it was changed after signing, or forged")
    return Checked(True)


def public_key_document(key: PublicKey) -> dict[str, str]:
    return {"alg": ALG, "key_id": key.key_id, "public_key_pem": key.pem(), "public_key": b64encode(key.raw)}

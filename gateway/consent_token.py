"""Signed consent tokens: how a customer's backend speaks for its logged-in user through that user's browser.

The backend knows who is logged in; the browser does not prove it to anyone. So the backend signs what the user chose
and hands the token to the page, which posts it to `POST /v1/consent` with the public write key:

    {"writeKey": "<public key>", "token": "<JWT>"}

The token is a compact JWS (a JWT; any JWT library issues one): `base64url(header).base64url(claims).base64url(sig)`,

    header   {"alg": "HS256", "typ": "JWT"}   HMAC-SHA256 under `[consent] token_key`, a secret shared with the backend
             {"alg": "EdDSA", "typ": "JWT"}   Ed25519; the gateway holds only `[consent] token_public_key`
    claims   {"sub": "<userId>", "granted": ["analytics"], "denied": ["marketing"],
              "iat": 1767225600, "exp": 1767229200, "jti": "<unique id>"}

A token is refused with 401 when its signature does not verify (or its algorithm is not one the policy configured: the
header cannot choose a weaker one), when it has expired, is issued in the future or lives longer than
`token_max_lifetime_s`; and with 409 when its `jti` was used before (each token records consent once: the jti is kept
until the token expires, so a replayed token cannot undo a later withdrawal).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

import orjson

from gateway.database import Migration
from gateway.keys import PublicKey
from gateway.storage.connection import Connection
from policies.consent import ConsentConfig
from policies.ed25519 import b64decode

MIGRATIONS = (
    Migration(
        "consent-token-1",
        (
            """CREATE TABLE consent_token_uses (
                jti TEXT PRIMARY KEY,
                expires_at REAL NOT NULL
            ) WITHOUT ROWID""",
            "CREATE INDEX consent_token_uses_expires_at ON consent_token_uses (expires_at)",
        ),
        postgres=(
            """CREATE TABLE consent_token_uses (
                jti TEXT PRIMARY KEY,
                expires_at DOUBLE PRECISION NOT NULL
            )""",
            "CREATE INDEX consent_token_uses_expires_at ON consent_token_uses (expires_at)",
        ),
    ),
)

LEEWAY_S = 60.0  # clocks of the backend and the gateway may differ this much
MAX_TOKEN_CHARS = 8192
MAX_JTI_CHARS = 200


class TokenRefused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _invalid(message: str) -> TokenRefused:
    return TokenRefused(401, "invalid_token", message)


@dataclass(frozen=True)
class ConsentClaims:
    subject: str  # the userId the backend vouches for
    granted: Any  # as in the token; checked against the declared purposes by the consent API
    denied: Any
    issued_at: float
    expires_at: float
    jti: str


def accepts_tokens(config: ConsentConfig) -> bool:
    return bool(config.token_key or config.token_public_key)


def read_token(token: Any, config: ConsentConfig, now: float) -> ConsentClaims:
    """The claims of a valid token; TokenRefused (401) saying what is wrong otherwise."""
    if not accepts_tokens(config):
        raise TokenRefused(400, "invalid_request", "this gateway accepts no consent tokens: the policy sets neither "
                                                   "[consent] token_key nor token_public_key")
    if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS or token.count(".") != 2:
        raise _invalid("token must be a compact JWS (header.claims.signature)")
    header_part, claims_part, signature_part = token.split(".")
    try:
        header = orjson.loads(b64decode(header_part))
        claims = orjson.loads(b64decode(claims_part))
        signature = b64decode(signature_part)
    except (ValueError, orjson.JSONDecodeError):
        raise _invalid("token parts must be base64url-encoded JSON") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise _invalid("token header and claims must be JSON objects")
    _check_signature(header.get("alg"), f"{header_part}.{claims_part}".encode(), signature, config)
    return _check_claims(claims, config, now)


def _check_signature(alg: Any, signed: bytes, signature: bytes, config: ConsentConfig) -> None:
    # The policy decides which algorithms are accepted; the token's header only says which of them it used.
    if alg == "HS256" and config.token_key:
        expected = hmac.new(config.token_key.encode(), signed, hashlib.sha256).digest()
        if not hmac.compare_digest(expected, signature):
            raise _invalid("token signature does not verify")
        return
    if alg == "EdDSA" and config.token_public_key:
        if not PublicKey(config.token_public_key).verifies(signature, signed):
            raise _invalid("token signature does not verify")
        return
    accepted = [name for name, on in (("HS256", config.token_key), ("EdDSA", config.token_public_key)) if on]
    raise _invalid(f"token algorithm {alg!r} is not accepted here; accepted: {', '.join(accepted)}")


def _check_claims(claims: dict[str, Any], config: ConsentConfig, now: float) -> ConsentClaims:
    subject, jti = claims.get("sub"), claims.get("jti")
    if not isinstance(subject, str) or not subject.strip():
        raise _invalid("token claim sub (the userId) must be a non-empty string")
    if not isinstance(jti, str) or not jti or len(jti) > MAX_JTI_CHARS:
        raise _invalid(f"token claim jti must be a unique string of at most {MAX_JTI_CHARS} characters")
    iat, exp = _epoch(claims, "iat"), _epoch(claims, "exp")
    if exp <= now - LEEWAY_S:
        raise TokenRefused(401, "token_expired", "the consent token has expired: ask the backend for a new one")
    if iat > now + LEEWAY_S:
        raise _invalid("the consent token is issued in the future: check the backend's clock")
    if exp - iat > config.token_max_lifetime_s:
        raise _invalid(f"the consent token lives longer than {config.token_max_lifetime_s:g} s "
                       "([consent] token_max_lifetime_s)")
    return ConsentClaims(subject, claims.get("granted", []), claims.get("denied", []), iat, exp, jti)


def _epoch(claims: dict[str, Any], name: str) -> float:
    value = claims.get(name)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise _invalid(f"token claim {name} must be epoch seconds")
    return float(value)


def spend(conn: Connection, claims: ConsentClaims, now: float) -> None:
    """Record the token's jti as used (inside the consent record's write), or refuse a replay. Expired jtis are
    dropped here: a replay of an expired token is refused as expired before it gets this far. Not this token's own:
    it was read as unexpired a moment ago, and may have expired while its write waited for the writer (its jti
    dropped, a replay would record again)."""
    conn.execute("DELETE FROM consent_token_uses WHERE expires_at < ? AND jti != ?", (now - LEEWAY_S, claims.jti))
    inserted = conn.execute(
        "INSERT INTO consent_token_uses (jti, expires_at) VALUES (?, ?) ON CONFLICT (jti) DO NOTHING",
        (claims.jti, claims.expires_at)).rowcount
    if not inserted:
        raise TokenRefused(409, "token_replayed", "this consent token was used already: each token records once")

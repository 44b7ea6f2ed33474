"""A signed-in person's UI session, as its cookie holds it: name, role, expiry, a CSRF secret, a keyed reference to
the token signed in with (never the token) and the session's random id, signed with HMAC-SHA256 under a key derived
from the gateway's secret. How the cookie is set, checked and guarded is gateway.ui.auth; which sessions are still
signed in, gateway.ui_sessions.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

import orjson

from gateway import keys
from gateway.access import AccessControl, Principal
from policies.policy import ROLES

SESSION_SECONDS = 8 * 3600  # a working day
KEY_PURPOSE = "ui-session"


@dataclass(frozen=True, slots=True)
class UiSession:
    name: str
    role: str
    expires: int  # epoch seconds
    csrf: str
    token: str  # token_reference() of the token signed in with
    id: str  # random; the server keeps session_reference() of it while the session is signed in

    @property
    def principal(self) -> Principal:
        return Principal(self.name, self.role)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def mac(key: bytes, label: str, data: str) -> str:
    """The HMAC-SHA256 of `data` for the purpose `label`, base64url: a cookie's signature, a form's CSRF value."""
    return _b64(hmac.new(key, f"{label}\x00{data}".encode(), hashlib.sha256).digest())


def token_reference(key: bytes, token_digest: str) -> str:
    """What a session remembers of its token: useless without the key, enough to tell the token is still there."""
    return mac(key, "token", token_digest)


def encode_session(session: UiSession, key: bytes) -> str:
    payload = _b64(orjson.dumps({"n": session.name, "r": session.role, "e": session.expires, "c": session.csrf,
                                 "t": session.token, "s": session.id}))
    return f"{payload}.{mac(key, 'session', payload)}"


def decode_session(value: str, key: bytes, now: float | None = None) -> UiSession | None:
    """The session in a cookie, or None if it is not one this gateway signed, or it has expired."""
    payload, _, signature = value.partition(".")
    if not payload or not hmac.compare_digest(signature.encode(), mac(key, "session", payload).encode()):
        return None
    try:
        data = orjson.loads(_unb64(payload))
        session = UiSession(str(data["n"]), str(data["r"]), int(data["e"]), str(data["c"]), str(data["t"]),
                            str(data["s"]))
    except (ValueError, KeyError, TypeError):
        return None
    if session.role not in ROLES or session.expires <= (time.time() if now is None else now):
        return None
    return session


def new_session(principal: Principal, token: str, now: float | None = None) -> UiSession:
    """A session for `principal`, signed in with the token whose token_reference() is `token`."""
    return UiSession(principal.name, principal.role, int((time.time() if now is None else now) + SESSION_SECONDS),
                     secrets.token_urlsafe(24), token, secrets.token_urlsafe(24))


def session_reference(key: bytes, session: UiSession) -> str:
    """What the server keeps of a signed-in session: useless without the key, enough to find the session."""
    return mac(key, "session-id", session.id)


def token_still_valid(session: UiSession, access: AccessControl, key: bytes) -> bool:
    """The session's token is one of the gateway's tokens now, for the same name and role."""
    return any(principal == session.principal and hmac.compare_digest(token_reference(key, sha256), session.token)
               for sha256, principal in access.tokens())


def session_key(secret: bytes) -> bytes:
    """The key of the session cookie and the sign-in form, from the gateway's secret."""
    return keys.derive(secret, KEY_PURPOSE)

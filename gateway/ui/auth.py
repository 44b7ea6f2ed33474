"""Who is using the pages: sign-in with an access token, a signed session cookie, and CSRF tokens for forms.

- Sign-in: the person pastes an access token (the same tokens as the admin API). It is checked with
  `AccessControl.authenticate` and then forgotten: the cookie holds name, role, expiry, a CSRF secret and a keyed
  reference to the token's digest, signed with HMAC-SHA256 under a key derived from the gateway's secret (purpose
  "ui-session"), never the token. Every request checks that the token is still valid for that name and role, so
  removing a token from the policy (or changing its role) ends its sessions at the next start.
- The cookie is HttpOnly (scripts cannot read it), SameSite=Strict (other sites cannot make the browser send it),
  Secure when the page was served over https, and scoped to the UI's path. It expires after SESSION_SECONDS; signing
  out clears it. A changed gateway secret signs everyone out.
- CSRF: every form carries the session's CSRF secret and every POST is refused unless it matches (compared in constant
  time). The sign-in form, which has no session yet, is protected the same way by a short-lived random cookie whose
  HMAC the form carries (a double-submit), so another site cannot sign a browser into someone else's session.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp

from gateway import keys
from gateway.access import AccessControl, Principal, digest
from gateway.ui import navigation
from gateway.ui.forms import FormData, FormTooLarge, read_form
from gateway.ui.navigation import ui_root
from gateway.ui.render import render
from policies.policy import ROLES

if TYPE_CHECKING:
    from gateway.app import Gateway

log = logging.getLogger("gateway.ui")

COOKIE = "pgw_ui_session"
SIGN_IN_COOKIE = "pgw_ui_sign_in"
SESSION_SECONDS = 8 * 3600  # a working day
SIGN_IN_SECONDS = 3600
KEY_PURPOSE = "ui-session"


@dataclass(frozen=True, slots=True)
class UiSession:
    name: str
    role: str
    expires: int  # epoch seconds
    csrf: str
    token: str  # token_reference() of the token signed in with

    @property
    def principal(self) -> Principal:
        return Principal(self.name, self.role)


# -- the signed cookie ------------------------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, label: str, data: str) -> str:
    return _b64(hmac.new(key, f"{label}\x00{data}".encode(), hashlib.sha256).digest())


def token_reference(key: bytes, token_digest: str) -> str:
    """What a session remembers of its token: useless without the key, enough to tell the token is still there."""
    return _mac(key, "token", token_digest)


def encode_session(session: UiSession, key: bytes) -> str:
    payload = _b64(orjson.dumps({"n": session.name, "r": session.role, "e": session.expires, "c": session.csrf,
                                 "t": session.token}))
    return f"{payload}.{_mac(key, 'session', payload)}"


def decode_session(value: str, key: bytes, now: float | None = None) -> UiSession | None:
    """The session in a cookie, or None if it is not one this gateway signed, or it has expired."""
    payload, _, mac = value.partition(".")
    if not payload or not hmac.compare_digest(mac.encode(), _mac(key, "session", payload).encode()):
        return None
    try:
        data = orjson.loads(_unb64(payload))
        session = UiSession(str(data["n"]), str(data["r"]), int(data["e"]), str(data["c"]), str(data["t"]))
    except (ValueError, KeyError, TypeError):
        return None
    if session.role not in ROLES or session.expires <= (time.time() if now is None else now):
        return None
    return session


def new_session(principal: Principal, token: str, now: float | None = None) -> UiSession:
    """A session for `principal`, signed in with the token whose token_reference() is `token`."""
    return UiSession(principal.name, principal.role, int((time.time() if now is None else now) + SESSION_SECONDS),
                     secrets.token_urlsafe(24), token)


def token_still_valid(session: UiSession, access: AccessControl, key: bytes) -> bool:
    """The session's token is one of the gateway's tokens now, for the same name and role."""
    return any(principal == session.principal and hmac.compare_digest(token_reference(key, sha256), session.token)
               for sha256, principal in access.tokens())


def session_key(gateway: Gateway) -> bytes:
    return keys.derive(gateway.secret, KEY_PURPOSE)


def _key(request: Request) -> bytes:
    return session_key(request.app.state.gateway)


def current_session(request: Request) -> UiSession | None:
    value = request.cookies.get(COOKIE)
    if not value:
        return None
    key = _key(request)
    session = decode_session(value, key)
    if session is None or not token_still_valid(session, request.app.state.gateway.access, key):
        return None
    return session


def csrf_ok(session: UiSession, submitted: str | None) -> bool:
    if not submitted:
        return False
    return hmac.compare_digest(submitted.encode(), session.csrf.encode())


def _set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, path=ui_root(request) + "/", httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")


def _clear_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(name, path=ui_root(request) + "/", httponly=True, samesite="strict",
                           secure=request.url.scheme == "https")


# -- guarding pages ---------------------------------------------------------------------------------------------------

# A page answers with a Response, or with an ASGI app that streams the admin API's answer (api.relay).
Handler = Callable[[Request, UiSession], Awaitable[Response | ASGIApp]]


def _safe_next(request: Request, target: str | None) -> str | None:
    """Only a path inside the UI may follow sign-in (no open redirect to another site)."""
    root = ui_root(request) + "/"
    if target and target.startswith(root) and "//" not in target and "\\" not in target:
        return target
    return None


def page(
    section: str, handler: Handler, *, json: bool = False
) -> Callable[[Request], Awaitable[Response | ASGIApp]]:
    """Wrap a page handler: signed in (else to the sign-in page), the role may use `section` (else 403), and every
    POST carries the session's CSRF token (else 403). A POST's form is in `request.state.form`."""

    async def endpoint(request: Request) -> Response | ASGIApp:
        session = current_session(request)
        if session is None:
            if json:
                return JSONResponse({"error": "unauthorized", "message": "sign in again"}, status_code=401)
            target = request.url.path if request.method == "GET" else None
            safe_target = _safe_next(request, target)
            back = f"?next={quote(safe_target, safe='/')}" if safe_target else ""
            return RedirectResponse(ui_root(request) + "/sign-in" + back, status_code=303)
        if not navigation.allowed(session.role, section):
            if json:
                return JSONResponse({"error": "forbidden", "message": f"role {session.role!r} may not use this"},
                                    status_code=403)
            return render(request, "error.html", {"title": "Not for your role", "status": 403,
                                                  "message": forbidden_message(session, section)},
                          session=session, status_code=403)
        if request.method == "POST":
            try:
                form = await read_form(request)
            except FormTooLarge as error:
                return render(request, "error.html", {"title": "Form too large", "status": 413, "message": str(error)},
                              session=session, status_code=413)
            if not csrf_ok(session, form.get("csrf")):
                return render(request, "error.html", {
                    "title": "This form has expired", "status": 403,
                    "message": "The form was not sent from this session. Go back, reload the page and try again.",
                }, session=session, status_code=403)
            request.state.form = form
        return await handler(request, session)

    return endpoint


def forbidden_message(session: UiSession, section: str) -> str:
    who = navigation.SECTIONS[section].roles_text()
    return f"You are signed in as {session.name} with the {session.role} role. This page is for {who}."


# -- sign-in and sign-out ---------------------------------------------------------------------------------------------


def _sign_in_form(request: Request, *, error: str | None = None, status_code: int = 200,
                  notice: str | None = None) -> Response:
    nonce = request.cookies.get(SIGN_IN_COOKIE) or secrets.token_urlsafe(24)
    response = render(request, "sign_in.html", {
        "title": "Sign in", "error": error, "notice": notice,
        "sign_in_csrf": _mac(_key(request), "sign-in", nonce),
        "next": _safe_next(request, request.query_params.get("next") or None) or "",
    }, session=None, status_code=status_code)
    _set_cookie(request, response, SIGN_IN_COOKIE, nonce, SIGN_IN_SECONDS)
    return response


async def sign_in_page(request: Request) -> Response:
    session = current_session(request)
    if session is not None:
        return RedirectResponse(navigation.home(request, session.role), status_code=303)
    notice = "You have signed out." if request.query_params.get("signed_out") else None
    return _sign_in_form(request, notice=notice)


async def sign_in(request: Request) -> Response:
    try:
        form = await read_form(request)
    except FormTooLarge as error:
        return _sign_in_form(request, error=str(error), status_code=413)
    nonce = request.cookies.get(SIGN_IN_COOKIE, "")
    expected = _mac(_key(request), "sign-in", nonce) if nonce else ""
    submitted = form.get("csrf", "")
    if not nonce or not hmac.compare_digest(submitted.encode(), expected.encode()):
        return _sign_in_form(request, error="The sign-in form expired. Please try again.", status_code=403)
    gateway: Gateway = request.app.state.gateway
    token = form.get("token", "").strip()
    principal = gateway.access.authenticate("Bearer " + token)
    if principal is None:
        log.warning("ui: sign-in with an unknown token")  # the token itself is never logged
        return _sign_in_form(request, error="That access token is not valid. Check it and try again.",
                             status_code=401)
    session = new_session(principal, token_reference(_key(request), digest(token)))
    await gateway.audit.record(principal.name, principal.role, "ui.sign_in", principal.name)
    target = _safe_next(request, form.get("next")) or navigation.home(request, session.role)
    response = RedirectResponse(target, status_code=303)
    _set_cookie(request, response, COOKIE, encode_session(session, _key(request)), SESSION_SECONDS)
    _clear_cookie(request, response, SIGN_IN_COOKIE)
    return response


async def sign_out(request: Request) -> Response:
    session = current_session(request)
    try:
        form = await read_form(request)
    except FormTooLarge:
        form = FormData()
    if session is not None and not csrf_ok(session, form.get("csrf")):
        return render(request, "error.html", {"title": "This form has expired", "status": 403,
                                              "message": "Reload the page and sign out again."},
                      session=session, status_code=403)
    response = RedirectResponse(ui_root(request) + "/sign-in?signed_out=1", status_code=303)
    _clear_cookie(request, response, COOKIE)
    return response

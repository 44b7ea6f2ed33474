"""Who is using the pages: sign-in with an access token, the session cookie (gateway.ui.session signs it), and CSRF
tokens for forms.

- Sign-in: the person pastes an access token (the same tokens as the admin API). It is checked with
  `AccessControl.authenticate` and then forgotten: the cookie holds name, role, expiry, a CSRF secret and a keyed
  reference to the token's digest, signed with HMAC-SHA256 under a key derived from the gateway's secret (purpose
  "ui-session"), never the token. Every request checks that the token is still valid for that name and role, so
  removing a token from the policy (or changing its role) ends its sessions at the next start.
- The cookie is HttpOnly (scripts cannot read it), SameSite=Strict (other sites cannot make the browser send it),
  Secure when the page was served over https (as the request's scheme says: https itself, or X-Forwarded-Proto from a
  trusted proxy), and scoped to the UI's path. It expires after SESSION_SECONDS. A session is also kept server-side
  (gateway.ui_sessions) while it is signed in: signing out ends it there, so a copy of the cookie stops working too.
  A changed gateway secret signs everyone out.
- CSRF: every form carries the session's CSRF secret and every POST is refused unless it matches (compared in constant
  time). The sign-in form, which has no session yet, is protected the same way by a short-lived random cookie whose
  HMAC the form carries (a double-submit), so another site cannot sign a browser into someone else's session.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp

from gateway.access import digest
from gateway.state import gateway_of
from gateway.ui import navigation
from gateway.ui.forms import FormData, FormTooLarge, read_form
from gateway.ui.navigation import ui_root
from gateway.ui.render import render
from gateway.ui.session import (
    SESSION_SECONDS,
    UiSession,
    decode_session,
    encode_session,
    mac,
    new_session,
    session_key,
    session_reference,
    token_reference,
    token_still_valid,
)
from gateway.ui_sessions import UiSessions

log = logging.getLogger("gateway.ui")

COOKIE = "pgw_ui_session"
SIGN_IN_COOKIE = "pgw_ui_sign_in"
SIGN_IN_SECONDS = 3600


def _key(request: Request) -> bytes:
    return session_key(gateway_of(request).secret)


def current_session(request: Request) -> UiSession | None:
    value = request.cookies.get(COOKIE)
    if not value:
        return None
    key = _key(request)
    session = decode_session(value, key)
    gateway = gateway_of(request)
    if session is None or not token_still_valid(session, gateway.access, key):
        return None
    if not UiSessions(gateway.db).live(session_reference(key, session)):
        return None  # signed out
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
        "sign_in_csrf": mac(_key(request), "sign-in", nonce),
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
    expected = mac(_key(request), "sign-in", nonce) if nonce else ""
    submitted = form.get("csrf", "")
    if not nonce or not hmac.compare_digest(submitted.encode(), expected.encode()):
        return _sign_in_form(request, error="The sign-in form expired. Please try again.", status_code=403)
    gateway = gateway_of(request)
    token = form.get("token", "").strip()
    principal = gateway.access.authenticate("Bearer " + token)
    if principal is None:
        log.warning("ui: sign-in with an unknown token")  # the token itself is never logged
        return _sign_in_form(request, error="That access token is not valid. Check it and try again.",
                             status_code=401)
    session = new_session(principal, token_reference(_key(request), digest(token)))
    await UiSessions(gateway.db).start(session_reference(_key(request), session), session.name, session.role,
                                       session.expires)
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
    if session is not None:
        await UiSessions(gateway_of(request).db).end(session_reference(_key(request), session))
    response = RedirectResponse(ui_root(request) + "/sign-in?signed_out=1", status_code=303)
    _clear_cookie(request, response, COOKIE)
    return response

"""Who may use the admin API: bearer tokens, stored only as sha256 digests, each with one role. Deny by default.

Every admin route names the roles it allows (`admin_route`); there is no way to add one without. Role `admin` may use
every route. A request under /admin/ without a valid token gets 401, whatever the path, so route names do not leak.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.database import Database, Migration
from policies.policy import ROLES, AccessToken

TOKEN_PREFIX = "pgw_"

MIGRATIONS = (
    Migration(
        "access-1",
        (
            """CREATE TABLE access_tokens (
                sha256 TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                role TEXT NOT NULL,
                created_at REAL NOT NULL
            )""",
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class Principal:
    name: str
    role: str


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class AccessControl:
    def __init__(self, tokens: Iterable[AccessToken]) -> None:
        self._by_digest = {t.sha256: Principal(t.name, t.role) for t in tokens}

    def add(self, token: AccessToken) -> None:
        self._by_digest[token.sha256] = Principal(token.name, token.role)

    def has_admin(self) -> bool:
        return any(p.role == "admin" for p in self._by_digest.values())

    def authenticate(self, authorization: str | None) -> Principal | None:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        # Looking up the digest, not the token, keeps the comparison independent of how much of a guess is right.
        return self._by_digest.get(digest(token.strip()))

    def tokens(self) -> list[tuple[str, Principal]]:
        """(sha256 digest, principal) of every token that is valid now."""
        return list(self._by_digest.items())


def load_stored_tokens(db: Database) -> list[AccessToken]:
    rows = db.read_sync(lambda c: c.execute("SELECT name, role, sha256 FROM access_tokens").fetchall())
    return [AccessToken(name=n, role=r, sha256=s) for n, r, s in rows]


def bootstrap_admin_token(db: Database, access: AccessControl) -> str | None:
    """On a first start with no admin token anywhere, make one, keep only its digest, and return it to print once."""
    if access.has_admin():
        return None
    token = new_token()
    stored = AccessToken(name="bootstrap", role="admin", sha256=digest(token))

    def insert(conn: sqlite3.Connection) -> None:
        conn.execute(
            "INSERT INTO access_tokens (sha256, name, role, created_at) VALUES (?, ?, ?, ?)",
            (stored.sha256, stored.name, stored.role, time.time()),
        )

    db.write_sync(insert)
    access.add(stored)
    return token


class AdminGuard:
    """ASGI middleware for the /admin mount: authenticate first, then let the route check the role."""

    def __init__(self, app: ASGIApp, access: Callable[[], AccessControl]) -> None:
        self.app, self.access = app, access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        principal = self.access().authenticate(headers.get(b"authorization", b"").decode("latin-1"))
        if principal is None:
            response = JSONResponse(
                {"error": "unauthorized", "message": "send Authorization: Bearer <token>"},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="privacy-gateway"'},
            )
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)


Endpoint = Callable[[Request], Awaitable[Response]]


def admin_route(path: str, endpoint: Endpoint, roles: Iterable[str], methods: Iterable[str] = ("GET",)) -> Route:
    """A route under /admin that only `roles` (and admin) may call."""
    allowed = frozenset(roles) | {"admin"}
    unknown = allowed - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")

    async def guarded(request: Request) -> Response:
        principal: Principal = request.state.principal
        if principal.role not in allowed:
            return JSONResponse(
                {"error": "forbidden", "message": f"role {principal.role!r} may not use this endpoint"},
                status_code=403,
            )
        return await endpoint(request)

    return Route(path, guarded, methods=list(methods))

"""Who may use the admin API: bearer tokens, stored only as sha256 digests, each with one role. Deny by default.

Tokens are kept in one of two places: the policy's `[[access.tokens]]`, or the data directory's `access_tokens` table
(the one-time admin token of a first start, and tokens made with `privacy-gateway token create`). Those in the table
are looked up on each use, so `privacy-gateway token revoke` ends a token at once, on a running gateway too; a policy
token ends when the policy without it is reloaded.

Every admin route names the roles it allows (`admin_route`); there is no way to add one without. Role `admin` may use
every route. A request under /admin/ without a valid token gets 401, whatever the path, so route names do not leak.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.database import Database, Migration
from gateway.storage.connection import Connection
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
        postgres=(
            """CREATE TABLE access_tokens (
                sha256 TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                role TEXT NOT NULL,
                created_at DOUBLE PRECISION NOT NULL
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


@dataclass(frozen=True, slots=True)
class StoredToken:
    """A token kept in the data directory, as `privacy-gateway token list` shows it."""

    token: AccessToken
    created_at: float


class TokenStore:
    """The `access_tokens` table: tokens kept in the data directory, read on each use (a primary-key lookup; admin
    requests are few), so that one revoked by another process stops working at once."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def find(self, sha256: str) -> AccessToken | None:
        row = self.db.read_sync(lambda c: c.execute(
            "SELECT name, role FROM access_tokens WHERE sha256 = ?", (sha256,)).fetchone())
        return AccessToken(name=row[0], role=row[1], sha256=sha256) if row else None

    def all(self) -> list[StoredToken]:
        rows = self.db.read_sync(lambda c: c.execute(
            "SELECT name, role, sha256, created_at FROM access_tokens ORDER BY created_at, name").fetchall())
        return [StoredToken(AccessToken(name=n, role=r, sha256=s), at) for n, r, s, at in rows]

    def add(self, token: AccessToken) -> None:
        self.db.write_sync(lambda conn: insert_token(conn, token))


def insert_token(conn: Connection, token: AccessToken) -> None:
    conn.execute("INSERT INTO access_tokens (sha256, name, role, created_at) VALUES (?, ?, ?, ?)",
                 (token.sha256, token.name, token.role, time.time()))


def delete_token(conn: Connection, sha256: str) -> bool:
    return conn.execute("DELETE FROM access_tokens WHERE sha256 = ?", (sha256,)).rowcount > 0


class AccessControl:
    """The tokens valid now: the policy's, and those in the data directory (`store`)."""

    def __init__(self, tokens: Iterable[AccessToken], store: TokenStore | None = None) -> None:
        self._by_digest = {t.sha256: Principal(t.name, t.role) for t in tokens}
        self.store = store

    def has_admin(self) -> bool:
        return any(p.role == "admin" for _, p in self.tokens())

    def authenticate(self, authorization: str | None) -> Principal | None:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        # Looking up the digest, not the token, keeps the comparison independent of how much of a guess is right.
        sha256 = digest(token.strip())
        principal = self._by_digest.get(sha256)
        if principal is None and self.store is not None and (stored := self.store.find(sha256)) is not None:
            principal = Principal(stored.name, stored.role)
        return principal

    def tokens(self) -> list[tuple[str, Principal]]:
        """(sha256 digest, principal) of every token that is valid now."""
        stored = self.store.all() if self.store is not None else []
        return [*self._by_digest.items(), *((s.token.sha256, Principal(s.token.name, s.token.role)) for s in stored)]


def bootstrap_admin_token(access: AccessControl) -> str | None:
    """On a first start with no admin token anywhere, make one, keep only its digest in the data directory, and
    return it to print once."""
    if access.has_admin() or access.store is None:
        return None
    token = new_token()
    access.store.add(AccessToken(name="bootstrap", role="admin", sha256=digest(token)))
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

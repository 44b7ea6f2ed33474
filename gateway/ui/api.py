"""The pages as the admin API's first client: calls to `/admin/v1/...` made in-process, as the signed-in person.

A page does not query the stores itself. It calls the same route handlers a script with a bearer token would reach,
through the router mounted at /admin, with the principal of the UI session put where the bearer check puts it. So
role checks, validation, the audit entries and the data are the API's, whatever the pages show. (The bearer check
itself is skipped: the UI session was made from a token that passed it, see gateway.ui.auth.)

Two ways to call: `call` buffers the answer for a page to render; `relay` streams the API's answer straight to the
browser (replay events, CSV and JSON exports, deletion receipts), headers included.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import orjson
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.access import Principal

ADMIN_MOUNT = "/admin"


@dataclass(frozen=True)
class ApiAnswer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        return orjson.loads(self.body)

    def message(self) -> str:
        """The API's own explanation of a refusal (its `message`), for showing on the page."""
        try:
            answer = self.json()
        except orjson.JSONDecodeError:
            return self.body.decode("utf-8", "replace")[:200] or f"HTTP {self.status}"
        if isinstance(answer, dict) and isinstance(answer.get("message"), str):
            return answer["message"]
        return f"HTTP {self.status}"


def admin_router(request: Request) -> ASGIApp:
    """The router behind the /admin mount's bearer check (gateway.access.AdminGuard wraps it as `.app`)."""
    for route in request.app.routes:
        if isinstance(route, Mount) and route.path == ADMIN_MOUNT:
            inner: Any = route.app
            while not hasattr(inner, "routes") and hasattr(inner, "app"):
                inner = inner.app
            return inner
    raise RuntimeError("the admin API is not mounted at /admin")


def _scope(request: Request, principal: Principal, method: str, path: str, query: Mapping[str, str] | None,
           content_type: bytes | None, forwarded: tuple[str, ...] = ()) -> Scope:
    headers = [(b"accept", b"application/json")]
    if content_type is not None:
        headers.append((b"content-type", content_type))
    for name in forwarded:
        if name in request.headers:
            headers.append((name.encode("latin-1"), request.headers[name].encode("latin-1")))
    return {
        "type": "http",
        # 2.4: responses do not watch `receive` for a disconnect (an in-process call has no connection to lose).
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": method,
        "scheme": request.url.scheme,
        "server": request.scope.get("server"),
        "client": request.scope.get("client"),
        "root_path": "",
        "path": path,
        "raw_path": path.encode("utf-8"),
        "query_string": urlencode({k: v for k, v in (query or {}).items() if v not in (None, "")}).encode("utf-8"),
        "headers": headers,
        "app": request.app,
        "state": {"principal": principal},
    }


def _receiver(body: bytes) -> Receive:
    sent = False
    never = asyncio.Event()

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await never.wait()  # nothing more will come; the caller cancels this if it waits
        return {"type": "http.disconnect"}

    return receive


async def call(request: Request, principal: Principal, method: str, path: str, *,
               query: Mapping[str, str] | None = None, json: Any = None) -> ApiAnswer:
    """`method /admin{path}` as `principal`; the whole answer, buffered."""
    body = orjson.dumps(json) if json is not None else b""
    scope = _scope(request, principal, method, path, query, b"application/json" if json is not None else None)
    status, headers, chunks = 500, {}, []

    async def send(message: Message) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status = message["status"]
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in message.get("headers", [])}
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    try:
        await admin_router(request)(scope, _receiver(body), send)
    except HTTPException as error:  # the router's own "no such route" (e.g. an API this gateway does not have)
        return ApiAnswer(error.status_code, {}, orjson.dumps({"error": "not_found", "message": error.detail}))
    return ApiAnswer(status, headers, b"".join(chunks))


class relay:  # used like a Response class
    """An ASGI response that runs `GET /admin{path}` as `principal` and streams its answer to the browser."""

    def __init__(self, request: Request, principal: Principal, path: str, query: Mapping[str, str] | None = None,
                 extra_headers: Mapping[str, str] | None = None, forwarded: tuple[str, ...] = ()) -> None:
        """`forwarded`: the browser's request headers the API should see too (e.g. If-None-Match)."""
        self.router = admin_router(request)
        self.scope = _scope(request, principal, "GET", path, query, None, forwarded)
        self.extra = dict(extra_headers or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def forward(message: Message) -> None:
            if message["type"] == "http.response.start" and self.extra and 200 <= message["status"] < 300:
                message = {**message, "headers": list(message.get("headers", []))}
                headers = MutableHeaders(scope=message)
                for name, value in self.extra.items():
                    headers.setdefault(name, value)  # the API's own headers win
            await send(message)

        try:
            await self.router(self.scope, _receiver(b""), forward)
        except HTTPException as error:
            await JSONResponse({"error": "not_found", "message": error.detail},
                               status_code=error.status_code)(scope, receive, send)

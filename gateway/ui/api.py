"""The pages as the admin API's first client: `/admin/v1/...` called in-process, as the signed-in person.

A page does not query the stores itself. It calls the admin API, so role checks, validation, the audit entries and
the data are the API's, whatever the pages show. The calls go to the router behind the /admin mount's bearer check
(`app.state.admin_api`), with the UI session's principal where that check puts it: the session was made from a token
that passed the check, and is held against the current tokens on every request (gateway.ui.auth).

Two ways to call: `call` goes through httpx's ASGI transport (as Datasette's internal client does) and returns the
answer for a page to render; `relay` streams the API's answer straight to the browser (replay events, CSV and JSON
exports, deletion receipts), headers included, without holding a whole recording in memory as the transport would.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import httpx
from starlette.datastructures import MutableHeaders
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.access import Principal

BASE_URL = "http://admin.internal"  # the in-process API has no address; httpx wants one


def as_principal(request: Request, principal: Principal) -> ASGIApp:
    """The admin API, in the app serving `request`, as `principal` calls it. An unknown path gets the API's own
    404 (the exception middleware answers for the app around it)."""
    api = ExceptionMiddleware(request.app.state.admin_api)
    app = request.app

    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        await api({**scope, "app": app, "state": {"principal": principal}}, receive, send)

    return asgi


def _query(query: Mapping[str, str] | None) -> dict[str, str]:
    return {k: v for k, v in (query or {}).items() if v not in (None, "")}


async def call(request: Request, principal: Principal, method: str, path: str, *,
               query: Mapping[str, str] | None = None, json: Any = None) -> httpx.Response:
    """`method /admin{path}` as `principal`; the whole answer."""
    transport = httpx.ASGITransport(app=as_principal(request, principal))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, trust_env=False) as client:
        return await client.request(method, path, params=_query(query), json=json)


def message(answer: httpx.Response) -> str:
    """The API's own explanation of a refusal (its `message`), for showing on the page."""
    try:
        body = answer.json()
    except ValueError:
        return answer.text[:200] or f"HTTP {answer.status_code}"
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return body["message"]
    return f"HTTP {answer.status_code}"


def relay(request: Request, principal: Principal, path: str, query: Mapping[str, str] | None = None,
          extra_headers: Mapping[str, str] | None = None, forwarded: tuple[str, ...] = ()) -> ASGIApp:
    """An ASGI response that runs `GET /admin{path}` as `principal` and streams its answer to the browser.
    `forwarded`: the browser's request headers the API should see too (e.g. If-None-Match); `extra_headers` are added
    to a 2xx answer where the API did not set them."""
    api = as_principal(request, principal)
    headers = [(name.encode("latin-1"), request.headers[name].encode("latin-1"))
               for name in forwarded if name in request.headers]
    query_string = urlencode(_query(query)).encode("ascii")

    async def respond(scope: Scope, receive: Receive, send: Send) -> None:
        async def forward(message: Message) -> None:
            if message["type"] == "http.response.start" and extra_headers and 200 <= message["status"] < 300:
                message = {**message, "headers": list(message.get("headers", []))}
                response_headers = MutableHeaders(scope=message)
                for name, value in extra_headers.items():
                    response_headers.setdefault(name, value)  # the API's own headers win
            await send(message)

        inner = {**scope, "method": "GET", "root_path": "", "path": path, "raw_path": path.encode("utf-8"),
                 "query_string": query_string, "headers": headers}
        await api(inner, receive, forward)

    return respond

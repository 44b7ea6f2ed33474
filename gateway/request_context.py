"""The request being served: its id, and why it was refused if it was, for every log line written while serving it.

gateway.request_observer opens a `RequestContext` per request and keeps it in a context variable, so it follows the
request into everything it calls, awaits or hands to a thread with `asyncio.to_thread` (which copies the context);
gateway.logs reads it into each log line. A handler that refuses a request says why with `refused(...)`: the
observer logs the refusal once the answer is sent, with the status.

The id comes from `X-Request-ID` when a trusted proxy sent it (so a line of the proxy's log and one of ours can be
matched) and is otherwise made here. A received id is used only if it is short and plain (letters, digits, `.`, `_`,
`:`, `-`): it is written into every log line of the request, so it must not carry anything else into them.
"""

from __future__ import annotations

import os
import re
from contextvars import ContextVar, Token
from dataclasses import dataclass

import httpx

HEADER = "x-request-id"
MAX_ID_CHARS = 128
_PLAIN_ID = re.compile(rf"[A-Za-z0-9._:\-]{{1,{MAX_ID_CHARS}}}")


@dataclass(slots=True)
class RequestContext:
    id: str
    route: str | None = None  # the template of the route it was routed to (gateway.route_template)
    # Set by the handler that refused the request: what the refusal log line says besides the route and status.
    reason: str | None = None
    source: str | None = None
    protocol: str | None = None


_current: ContextVar[RequestContext | None] = ContextVar("gateway_request", default=None)


def current() -> RequestContext | None:
    return _current.get()


def new_id() -> str:
    """16 random bytes in hex, the form nginx's $request_id has."""
    return os.urandom(16).hex()


def accepted_id(value: str | None) -> str | None:
    """`value` if it is a usable request id, else None."""
    return value if value is not None and _PLAIN_ID.fullmatch(value) else None


def enter(request_id: str) -> tuple[RequestContext, Token[RequestContext | None]]:
    """A new context, current until `leave` is given the token."""
    context = RequestContext(request_id)
    return context, _current.set(context)


def leave(token: Token[RequestContext | None]) -> None:
    _current.reset(token)


def refused(reason: str, source: str | None = None, protocol: str | None = None) -> None:
    """Say why the request being served is refused: a code (never a value from the request), and the source and
    protocol when they are known."""
    context = _current.get()
    if context is not None:
        context.reason, context.source, context.protocol = reason, source, protocol


async def forward_id(request: httpx.Request) -> None:
    """An httpx request hook: a call made while serving a request carries its id, so the other side's log and ours
    can be matched."""
    context = _current.get()
    if context is not None:
        request.headers[HEADER] = context.id

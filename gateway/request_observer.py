"""ASGI middleware around the whole app: each request gets an id, a latency and status in /metrics by route
template, and, when it is refused, a log line that says why.

- The route template is what gateway.route_template's reporter, innermost, read from the router.
- The id: `X-Request-ID` from a trusted proxy (`[http] trusted_proxies`), else a new one; answered in `X-Request-ID`
  and in every log line written while the request is served (gateway.request_context, gateway.logs). It sits
  outside gateway.client_ip's middleware, so the peer it checks is the one that connected.
- Refusals (4xx and 5xx) are logged with the route template, the status, the reason the handler gave (or the
  status's name) and the source and protocol when known: never the path, query, headers or body, which may carry
  keys, ids or personal data. A refusal that repeats is logged once per interval per (route, status, reason,
  source), with how often it happened meanwhile (gateway.throttled_log): a flood of bad requests cannot flood the log.
- At DEBUG, every request is logged with its route template, status and duration.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from http import HTTPStatus

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway import request_context
from gateway.client_ip import Network, is_trusted
from gateway.metrics import Metrics
from gateway.request_context import RequestContext
from gateway.route_template import UNMATCHED
from gateway.throttled_log import ThrottledLog

log = logging.getLogger("gateway.requests")
_HEADER = request_context.HEADER.encode()


def status_reason(status: int) -> str:
    """A refusal's reason when the handler gave none: the status's name, `not_found`, `method_not_allowed`..."""
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return f"status_{status}"


class RequestObserver:
    def __init__(self, app: ASGIApp, metrics: Callable[[], Metrics | None],
                 trusted: Callable[[], tuple[Network, ...]], refusals: ThrottledLog) -> None:
        """`metrics()` and `trusted()` are asked per request: they belong to the gateway the app's lifespan builds
        (and a reloaded policy may change the trusted proxies)."""
        self.app, self.metrics, self.trusted = app, metrics, trusted
        self.refusals = refusals

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        context, token = request_context.enter(self._request_id(scope))
        header = (_HEADER, context.id.encode())
        status = 500  # unless an answer starts: the app raised before answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._observe(context, status, time.perf_counter() - started)
            request_context.leave(token)

    def _request_id(self, scope: Scope) -> str:
        client = scope.get("client")
        if client and is_trusted(client[0], self.trusted()):
            for name, value in scope["headers"]:
                if name == _HEADER:
                    received = request_context.accepted_id(value.decode("latin-1"))
                    if received is not None:
                        return received
        return request_context.new_id()

    def _observe(self, context: RequestContext, status: int, seconds: float) -> None:
        route = context.route or UNMATCHED  # unless gateway.route_template's reporter heard from the router
        metrics = self.metrics()
        if metrics is not None:
            metrics.observe("gateway_http_request_duration_seconds", seconds, route=route)
            metrics.inc("gateway_http_responses_total", route=route, status=str(status))
        if status >= 400:
            self._log_refusal(route, status, context)
        elif log.isEnabledFor(logging.DEBUG):
            log.debug("request served", extra={"route": route, "status": status, "seconds": round(seconds, 6)})

    def _log_refusal(self, route: str, status: int, context: RequestContext) -> None:
        reason = context.reason or status_reason(status)
        source = context.source or "unknown"
        fields: dict[str, object] = {"route": route, "status": status, "reason": reason, "source": source}
        if context.protocol:
            fields["protocol"] = context.protocol
        level = logging.WARNING if status >= 500 else logging.INFO
        self.refusals.log(level, f"refused {route} {status} {reason} {source}", "request refused", fields=fields)

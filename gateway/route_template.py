"""The route a request is for, as its template (`/v1/replay/{session_id}`, `/admin/v1/privacy/deletions/{id}`): the
label of its latency and status in /metrics and the path named in its log lines. The raw path would put ids into
label values (an unbounded set, and data the gateway must not log).

The router knows which route it chose: it writes it into the scope, with the mounts it passed through as
`root_path`. `RouteReporter` sits innermost, where it sees the router's scope (gateway.client_ip's middleware hands
the router a copy), and tells the request's context once the answer is done. A request that matches no route is
`unmatched`; one that matches a mount but none of its routes (or that the mount refused first, as the admin API's
authentication does) is the mount's path with `/*`.
"""

from __future__ import annotations

from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway import request_context

UNMATCHED = "unmatched"


def template(scope: Scope) -> str:
    """The template of the route the router chose for `scope` (after routing)."""
    route = scope.get("route")
    mounts = scope.get("root_path", "")[len(scope.get("app_root_path", "")):]  # the mounts' paths have no parameters
    if isinstance(route, Route):
        return mounts + route.path_format
    if isinstance(route, Mount) and mounts:
        return mounts + "/*"
    return UNMATCHED


class RouteReporter:
    """ASGI middleware, innermost: the route the router chose, into the request's context."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            context = request_context.current()
            if context is not None and scope["type"] == "http":
                context.route = template(scope)

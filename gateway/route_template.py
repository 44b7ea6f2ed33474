"""The route a request is for, as its template (`/v1/replay/{session_id}`, `/admin/v1/privacy/deletions/{id}`): the
label of its latency and status in /metrics and the path named in its log lines. The raw path would put ids into
label values (an unbounded set, and data the gateway must not log).

Routes are matched as Starlette's router matches them (mounts searched through their middleware), apart from the
router, because gateway.client_ip may hand the router a copy of the request's scope. A path that matches no route is
`unmatched`; one that matches a mount but none of its routes is the mount's path with `/*`. Paths of routes without
parameters (every ingest path) are remembered, so most requests cost one dictionary lookup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import ASGIApp, Scope

UNMATCHED = "unmatched"


def _routes_of(app: ASGIApp) -> Sequence[BaseRoute]:
    """The routes behind a mount's app, looking through middleware (which keeps the app it wraps as `.app`)."""
    while not hasattr(app, "routes") and hasattr(app, "app"):
        app = app.app
    return getattr(app, "routes", ())


class RouteTemplates:
    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self.routes = routes
        self._plain: dict[str, str] = {}  # paths matched by a route without parameters

    def template(self, scope: Scope) -> str:
        path = scope["path"]
        known = self._plain.get(path)
        if known is not None:
            return known
        found = _match(self.routes, scope, "") or UNMATCHED
        if found == path:
            self._plain[path] = found
        return found


def _match(routes: Sequence[BaseRoute], scope: Scope, prefix: str) -> str | None:
    """The template of the route Starlette would choose: the first full match, else the first partial one (a
    route for the path but not the method: it answers 405)."""
    partial = None
    for route in routes:
        match, child = route.matches(scope)
        if match is Match.NONE:
            continue
        template = _template(route, {**scope, **child}, prefix)
        if match is Match.FULL:
            return template
        partial = partial or template
    return partial


def _template(route: BaseRoute, scope: dict[str, Any], prefix: str) -> str | None:
    if isinstance(route, Mount):
        inner = _match(_routes_of(route.app), scope, prefix + route.path)
        return inner or (prefix + route.path + "/*" if route.path else None)
    if isinstance(route, Route):
        return prefix + route.path_format
    return prefix + "/*"

"""A router that tries only the routes whose path could match: those whose literal beginning (the path up to its first
parameter) begins the request's path.

Starlette's router tries every route in order, a regular expression each: the ingest router has some 45 routes and
`POST /v1/replay/{session_id}` comes after the vendors' event paths, so each recording request spent about 20 µs of
CPU matching some 35 routes it could not be for; this router takes about 5 µs (for `/v1/batch`, 7 against 4.5). A
route whose literal beginning does not begin the path matches neither fully nor partly (its expression starts with
that literal), so leaving it out changes nothing: the same routes, in the same order, are tried, and the first full
match (else the first partial one: 405) wins as before. When none of the candidates matches at all, Starlette's own
router runs (its trailing-slash redirect looks at every route; then 404), as rare as it is cheap to leave as it was;
so it does for a request under a root path (a mount), whose path Starlette reads its own way.

The routes are indexed once, when the router is made: the ingest router's are fixed (gateway.app.PublicApp).
"""

from __future__ import annotations

from typing import Any

from starlette.routing import BaseRoute, Match, Route, Router
from starlette.types import Receive, Scope, Send


def literal_beginning(route: BaseRoute) -> str:
    """What every path `route` matches begins with; "" (any path) for what is not a plain Route."""
    return route.path.split("{", 1)[0] if isinstance(route, Route) else ""


class PrefixRouter(Router):
    """Starlette's Router, trying only the candidate routes for a path (http requests; lifespan as Starlette's)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._index = [(literal_beginning(route), route) for route in self.routes]

    def candidates(self, path: str) -> list[BaseRoute]:
        """The routes that may match `path`, in their order."""
        return [route for beginning, route in self._index if path.startswith(beginning)]

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("root_path"):
            await super().app(scope, receive, send)
            return
        partial: tuple[BaseRoute, Scope] | None = None
        for route in self.candidates(scope["path"]):
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                chosen: tuple[BaseRoute, Scope] | None = (route, child_scope)
                break
            if match is Match.PARTIAL and partial is None:
                partial = (route, child_scope)
        else:
            chosen = partial
        if chosen is None:
            await super().app(scope, receive, send)  # no route at all: Starlette's redirect or 404
            return
        scope.setdefault("router", self)
        scope["route"] = chosen[0]
        scope.update(chosen[1])
        await chosen[0].handle(scope, receive, send)

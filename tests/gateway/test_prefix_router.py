"""The ingest router tries only the routes whose literal beginning begins the path: it must choose as Starlette's."""

from __future__ import annotations

import itertools
import re

import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Match, Route, Router
from starlette.testclient import TestClient

from gateway.app import ingest_routes
from gateway.prefix_router import PrefixRouter

METHODS = ("GET", "POST", "PUT", "OPTIONS")


def probes(routes: list[Route]) -> list[str]:
    """Paths around every route's: its parameters filled (a path parameter with a slash in it), with and without
    a trailing slash, its literal beginning alone, and a step beside it."""
    paths = {"/", "/nope", "/v1", "/v1/", "/v1/replay", "/v1/replay/", "/i/v0", "/array//config"}
    for route in routes:
        for value in ("abc", "a/b", ""):
            path = re.sub(r"\{[^}]*\}", value, route.path)
            paths.update({path, path.rstrip("/"), path + "/", path + "x", route.path.split("{", 1)[0]})
    return sorted(paths)


def test_the_candidates_are_every_route_that_matches_a_path_in_order() -> None:
    routes = ingest_routes()
    router = PrefixRouter(routes=routes)
    for path, method in itertools.product(probes(routes), METHODS):
        scope = {"type": "http", "path": path, "root_path": "", "method": method}
        every = [(r, r.matches(scope)[0]) for r in routes]
        among = [(r, r.matches(scope)[0]) for r in router.candidates(path)]
        assert [m for m in every if m[1] is not Match.NONE] == [m for m in among if m[1] is not Match.NONE], path
    assert len(router.candidates("/v1/replay/s1")) < len(routes) / 5


def _answer(name: str):  # an endpoint that says which route answered
    async def endpoint(request: Request) -> PlainTextResponse:
        return PlainTextResponse(f"{name} {sorted(request.path_params.items())}")
    return endpoint


ROUTES = [  # an earlier dynamic route shadows a later static one; slash variants; methods per route
    Route("/v1/batch", _answer("batch"), methods=["POST"]),
    Route("/v1/replay/{session_id:path}", _answer("replay"), methods=["POST"]),
    Route("/v1/replay/sessions", _answer("sessions")),
    Route("/track", _answer("track"), methods=["GET", "POST"]),
    Route("/track/", _answer("track/"), methods=["POST"]),
    Route("/array/{token}/config", _answer("config")),
    Route("/s", _answer("s"), methods=["POST"]),
]


@pytest.mark.parametrize("method", METHODS)
def test_answers_as_starlettes_router_does(method: str) -> None:
    paths = [*probes(ROUTES), "/v1/replay/sessions", "/array/t/config/", "/S", "/s/"]
    answers = {}
    for router in (Router(routes=ROUTES), PrefixRouter(routes=ROUTES)):
        with TestClient(router, base_url="http://gw") as client:
            answers[type(router).__name__] = [
                (path, r.status_code, r.headers.get("location"), r.text)
                for path in paths for r in [client.request(method, path, follow_redirects=False)]]
    assert answers["PrefixRouter"] == answers["Router"]
    assert {status for _, status, _, _ in answers["Router"]} >= ({200, 404} if method == "GET" else {404, 405})


def test_under_a_root_path_it_answers_as_starlettes_router_does() -> None:
    """A mount's root path: Starlette reads the route path its own way, and is left to choose."""
    paths = ["/gw/v1/batch", "/gw/v1/replay/s1", "/gw/track/", "/v1/batch", "/gw"]
    answers = {}
    for router in (Router(routes=ROUTES), PrefixRouter(routes=ROUTES)):
        with TestClient(router, base_url="http://gw", root_path="/gw") as client:
            answers[type(router).__name__] = [
                (path, r.status_code, r.headers.get("location"), r.text)
                for path in paths for r in [client.request("POST", path, follow_redirects=False)]]
    assert answers["PrefixRouter"] == answers["Router"]
    assert {status for _, status, _, _ in answers["Router"]} >= {200}

"""What posthog-js asks its `api_host` for besides events: feature flags (`/flags`, `/decide`), its remote config
(`/array/<token>/config`, `config.js`) and lazily loaded code such as the session recorder (`/static/*.js`). Without
answers, recording never starts. These are passed through to the PostHog destination of the source the token belongs
to, with the gateway's write key replaced by the destination's project key (the app's key never leaves the gateway),
and without cookies either way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
import orjson
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from policies.policy import Destination

if TYPE_CHECKING:
    from gateway.state import Gateway

MAX_BODY = 1024 * 1024
FORWARDED_REQUEST_HEADERS = ("content-type", "content-encoding", "accept", "accept-encoding", "user-agent")
# Not content-encoding: httpx has already decoded the body it hands us.
RETURNED_HEADERS = ("content-type", "cache-control", "etag", "last-modified")
_TOKEN_KEYS = ("token", "api_key", "$token")


def _posthog_destination(gateway: Gateway, token: str | None) -> Destination | None:
    """The PostHog destination for a source's token; with no token (static files), any enabled PostHog destination."""
    sources = [gateway.policy.source_for_key(token)] if token else list(gateway.policy.sources)
    for source in sources:
        if source is None:
            continue
        for name in source.destinations:
            destination = gateway.policy.destination(name)
            if destination.enabled and destination.protocol == "posthog":
                return destination
    return None


def _json_body(body: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, when it is one (posthog-js sends /flags that way); other bodies pass untouched."""
    try:
        data = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


def _app_key(request: Request, data: dict[str, Any] | None) -> str | None:
    """The key the SDK knows the project by (the gateway's write key): in the path, the query or the JSON body."""
    in_query = (request.query_params[k] for k in _TOKEN_KEYS if request.query_params.get(k))
    in_body = (data[k] for k in _TOKEN_KEYS if data and isinstance(data.get(k), str))
    return request.path_params.get("token") or next(in_query, None) or next(in_body, None)


@dataclass(frozen=True, slots=True)
class _KeySwap:
    """The app's key for the destination's project key on the way to PostHog, and back in what PostHog answers."""

    app_key: str | None
    project_key: str

    def path(self, path: str) -> str:
        return path.replace(f"/array/{self.app_key}/", f"/array/{self.project_key}/") if self.app_key else path

    def body(self, body: bytes, data: dict[str, Any] | None) -> bytes:
        if not self.app_key or data is None:
            return body
        for key in _TOKEN_KEYS:
            if data.get(key) == self.app_key:
                data[key] = self.project_key
        return orjson.dumps(data)

    def query(self, items: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
        # A tuple, not a list: httpx's parameter type is a union of containers, and only the tuple is covariant.
        return tuple((k, self.project_key if k in _TOKEN_KEYS and v == self.app_key else v) for k, v in items)

    def back(self, content: bytes) -> bytes:
        # The remote config names the project (config.js keys it by token): the SDK knows the gateway's key.
        if not self.app_key or self.project_key.encode() not in content:
            return content
        return content.replace(self.project_key.encode(), self.app_key.encode())


async def passthrough(request: Request) -> Response:
    gateway: Gateway = request.app.state.gateway
    body = await request.body() if request.method == "POST" else b""
    if len(body) > MAX_BODY:
        return PlainTextResponse("request too large", status_code=413)
    data = _json_body(body)
    token = _app_key(request, data)
    # Static files are the same for every project: any PostHog destination serves them, as they are.
    is_static = request.url.path.startswith("/static/")
    destination = _posthog_destination(gateway, None if is_static else token)
    if destination is None:
        return PlainTextResponse("no PostHog destination for this project key", status_code=404 if is_static else 401)
    swap = _KeySwap(token, destination.credentials["api_key"])
    headers = {k: v for k, v in request.headers.items() if k in FORWARDED_REQUEST_HEADERS}
    try:
        response = await gateway.http.request(
            request.method, destination.endpoint + swap.path(request.url.path),
            params=swap.query(request.query_params.multi_items()), content=swap.body(body, data) or None,
            headers=headers, timeout=10)
    except httpx.TransportError:
        gateway.metrics.inc("posthog_passthrough_failed_total", destination=destination.name)
        return PlainTextResponse("PostHog is unreachable", status_code=502)
    returned = {k: v for k, v in response.headers.items() if k in RETURNED_HEADERS}
    content = response.content if is_static else swap.back(response.content)
    return Response(content, status_code=response.status_code, headers=returned)


def routes() -> list[Route]:
    methods = ["GET", "POST"]
    return [
        *(Route(path, passthrough, methods=methods) for path in ("/flags", "/flags/", "/decide", "/decide/")),
        Route("/array/{token}/config", passthrough, methods=["GET"]),
        Route("/array/{token}/config.js", passthrough, methods=["GET"]),
        Route("/static/{file:path}", passthrough, methods=["GET"]),
    ]

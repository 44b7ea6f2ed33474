"""What posthog-js asks its `api_host` for besides events: feature flags (`/flags`, `/decide`), its remote config
(`/array/<token>/config`, `config.js`) and lazily loaded code such as the session recorder (`/static/<file>.js`).
Without answers, recording never starts. These are passed through to the PostHog destination of the source the token
belongs to, with the gateway's write key (the app's key) swapped for the destination's project key on the way out and
back on the way in, and without cookies either way.

The pass-through is an allow-list, not a proxy: each allowed path has its upstream path built here from constants and
checked parts (a source's key, a plain file name), never from the request's path, so nothing else on the PostHog host
can be reached. A request path with percent-escapes, backslashes, empty or dot segments is refused outright (400), as
`/static/..%2f..%2fdecide/` was once let through to fetch any path, the project key with it.

- Keys: every key the request names (path, query, body) must be one and the same source's, or the request is refused
  (401). A flags body arrives in any of posthog-js's forms (JSON, gzip, lz64, base64 `data=`): it is decoded, the key
  swapped, and sent on as plain JSON. In every answer, static files included, a PostHog destination's project key is
  replaced (by the app's key where the request named one), so a client never learns it and cannot skip the gateway.
- Limits both ways: the request body is read as it arrives, up to MAX_REQUEST_BYTES and `[http] body_timeout_s`; an
  answer is read as it arrives up to MAX_ANSWER_BYTES (flags and config, which are rewritten whole) or streamed up to
  MAX_STATIC_BYTES (static files), and a larger one is refused with 502.
"""

from __future__ import annotations

import base64
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from gateway.bodies import decode_content, read_body
from gateway.protocols import posthog
from gateway.protocols.codec import Inbound, ProtocolError
from gateway.state import Gateway, gateway_of
from policies.policy import Destination

MAX_REQUEST_BYTES = 1024 * 1024
MAX_ANSWER_BYTES = 2 * 1024 * 1024
MAX_STATIC_BYTES = 16 * 1024 * 1024
UPSTREAM_TIMEOUT_S = 10
FORWARDED_REQUEST_HEADERS = ("accept", "user-agent")
# Not content-encoding or content-length: the answer is decoded and perhaps rewritten on its way.
RETURNED_HEADERS = ("content-type", "cache-control", "etag", "last-modified")
KEY_NAMES = ("token", "api_key", "$token")
STATIC_FILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}\.(?:js|css|map)")
REDACTED = "phc_redacted_by_gateway"


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _refused_path(raw_path: bytes) -> bool:
    """Whether the path as sent has anything but plain segments: escapes, backslashes, empty or dot segments."""
    segments = raw_path.split(b"/")[1:]
    return b"%" in raw_path or b"\\" in raw_path or any(s in (b"", b".", b"..") for s in segments[:-1]) or (
        segments[-1:] in ([b"."], [b".."]))


# -- keys ---------------------------------------------------------------------------------------------------------


def _keys_named(path_key: str | None, query: Iterable[tuple[str, str]], data: Any) -> set[str]:
    named = {path_key} if path_key else set()
    named.update(v for k, v in query if k in KEY_NAMES and v)
    if isinstance(data, dict):
        named.update(v for k in KEY_NAMES if isinstance(v := data.get(k), str) and v)
    return named


def _destination(gateway: Gateway, app_key: str) -> Destination | None:
    """The enabled PostHog destination of the source `app_key` belongs to."""
    source = gateway.policy.source_for_key(app_key)
    for name in source.destinations if source else ():
        destination = gateway.policy.destination(name)
        if destination.enabled and destination.protocol == "posthog":
            return destination
    return None


def _any_destination(gateway: Gateway) -> Destination | None:
    """Static files are the same for every project: any enabled PostHog destination serves them."""
    return next((d for d in gateway.policy.enabled_destinations if d.protocol == "posthog"), None)


def _project_keys(gateway: Gateway) -> list[str]:
    return [key for d in gateway.policy.destinations if d.protocol == "posthog"
            if (key := d.credentials.get("api_key"))]


@dataclass(frozen=True, slots=True)
class KeySwap:
    """The app's key for the destination's project key on the way to PostHog, and every project key out of what
    PostHog answers (back to the app's key, or REDACTED where the request named none)."""

    app_key: str | None
    project_key: str
    project_keys: tuple[str, ...]  # every PostHog destination's: none may leave the gateway

    def query(self, items: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
        # A tuple, not a list: httpx's parameter type is a union of containers, and only the tuple is covariant.
        return tuple((k, self.project_key if k in KEY_NAMES and v else v) for k, v in items)

    def data(self, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: self.project_key if k in KEY_NAMES and isinstance(v, str) and v else v for k, v in data.items()}
        return data

    def replacements(self) -> list[tuple[bytes, bytes]]:
        back = (self.app_key or REDACTED).encode()
        return [(key.encode(), back) for key in self.project_keys if key]

    def back(self, content: bytes) -> bytes:
        for old, new in self.replacements():
            content = content.replace(old, new)
        return content


class StreamRedactor:
    """KeySwap.back over a stream: a key split across two chunks is replaced too (the tail of each chunk that could
    begin a key waits for the next)."""

    def __init__(self, replacements: list[tuple[bytes, bytes]]) -> None:
        self.replacements = replacements
        self.keep = max((len(old) for old, _ in replacements), default=1) - 1
        self.pending = b""

    def feed(self, chunk: bytes) -> bytes:
        data = self.pending + chunk
        for old, new in self.replacements:
            data = data.replace(old, new)
        cut = max(0, len(data) - self.keep)
        self.pending = data[cut:]
        return data[:cut]

    def end(self) -> bytes:
        rest, self.pending = self.pending, b""
        return rest


# -- the request --------------------------------------------------------------------------------------------------


async def _request_data(request: Request, gateway: Gateway) -> Any:
    """The JSON a flags request carries (in the body, or a GET's `data=`), in whichever of posthog-js's forms; None
    when there is none."""
    raw = await read_body(request, MAX_REQUEST_BYTES, gateway.policy.http.body_timeout_s)
    body = decode_content(raw, request.headers.get("content-encoding"), MAX_REQUEST_BYTES)
    if not body and "data" not in request.query_params:
        return None
    inbound = Inbound("flags", request.method, request.query_params, request.headers, body)
    return posthog.read_payload(inbound, MAX_REQUEST_BYTES)


@dataclass(frozen=True, slots=True)
class Outgoing:
    method: str
    path: str
    params: tuple[tuple[str, str], ...]
    body: bytes | None
    headers: Mapping[str, str]


# -- the answer ---------------------------------------------------------------------------------------------------


async def _buffered(gateway: Gateway, destination: Destination, outgoing: Outgoing, swap: KeySwap) -> Response:
    async with gateway.http.stream(outgoing.method, destination.endpoint + outgoing.path, params=outgoing.params,
                                   content=outgoing.body, headers=outgoing.headers,
                                   timeout=UPSTREAM_TIMEOUT_S) as answer:
        content = bytearray()
        async for chunk in answer.aiter_bytes():
            content += chunk
            if len(content) > MAX_ANSWER_BYTES:
                raise Refused(502, "PostHog's answer is larger than the gateway passes on")
    returned = {k: v for k, v in answer.headers.items() if k in RETURNED_HEADERS}
    return Response(swap.back(bytes(content)), status_code=answer.status_code, headers=returned)


async def _streamed(gateway: Gateway, destination: Destination, outgoing: Outgoing, swap: KeySwap) -> Response:
    upstream = gateway.http.build_request(outgoing.method, destination.endpoint + outgoing.path,
                                          params=outgoing.params, headers=outgoing.headers,
                                          timeout=UPSTREAM_TIMEOUT_S)
    answer = await gateway.http.send(upstream, stream=True)
    declared = answer.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_STATIC_BYTES:
        await answer.aclose()
        raise Refused(502, "PostHog's answer is larger than the gateway passes on")

    async def body() -> AsyncIterator[bytes]:
        redactor, sent = StreamRedactor(swap.replacements()), 0
        try:
            async for chunk in answer.aiter_bytes():
                sent += len(chunk)
                if sent > MAX_STATIC_BYTES:  # undeclared and too large: cut off, so the client sees a broken download
                    raise Refused(502, "PostHog's answer is larger than the gateway passes on")
                yield redactor.feed(chunk)
            yield redactor.end()
        finally:
            await answer.aclose()

    returned = {k: v for k, v in answer.headers.items() if k in RETURNED_HEADERS}
    return StreamingResponse(body(), status_code=answer.status_code, headers=returned)


# -- the endpoints ------------------------------------------------------------------------------------------------

Answer = Callable[[Gateway, Destination, Outgoing, KeySwap], Awaitable[Response]]


def _forwarded_headers(request: Request, json_body: bool) -> dict[str, str]:
    headers = {k: v for k, v in request.headers.items() if k in FORWARDED_REQUEST_HEADERS}
    if json_body:
        headers["content-type"] = "application/json"
    return headers


async def _flags(request: Request, gateway: Gateway, path: str) -> Response:
    data = await _request_data(request, gateway)
    named = _keys_named(None, request.query_params.multi_items(), data)
    swap, destination = _swap_for(gateway, named)
    # The payload goes on as plain JSON, its key swapped: `compression` no longer applies, and a `data=` is re-made.
    params = swap.query((k, v) for k, v in request.query_params.multi_items() if k not in ("compression", "data"))
    body = orjson.dumps(swap.data(data)) if data is not None else None
    if request.method == "GET" and body is not None:  # a GET carries its payload in the query
        params, body = (*params, ("data", base64.b64encode(body).decode())), None
    outgoing = Outgoing(request.method, path, params, body, _forwarded_headers(request, body is not None))
    return await _answer(gateway, destination, outgoing, swap, _buffered)


async def _remote_config(request: Request, gateway: Gateway, file: str) -> Response:
    named = _keys_named(request.path_params["token"], request.query_params.multi_items(), None)
    swap, destination = _swap_for(gateway, named)
    outgoing = Outgoing("GET", f"/array/{swap.project_key}/{file}", swap.query(request.query_params.multi_items()),
                        None, _forwarded_headers(request, False))
    return await _answer(gateway, destination, outgoing, swap, _buffered)


async def _static(request: Request, gateway: Gateway) -> Response:
    file = request.path_params["file"]
    if not STATIC_FILE.fullmatch(file):
        raise Refused(404, "no such file")
    destination = _any_destination(gateway)
    if destination is None:
        raise Refused(404, "no PostHog destination")
    swap = KeySwap(None, destination.credentials["api_key"], tuple(_project_keys(gateway)))
    params = tuple((k, v) for k, v in request.query_params.multi_items() if k not in KEY_NAMES)
    outgoing = Outgoing("GET", f"/static/{file}", params, None, _forwarded_headers(request, False))
    return await _answer(gateway, destination, outgoing, swap, _streamed)


def _swap_for(gateway: Gateway, named: set[str]) -> tuple[KeySwap, Destination]:
    if not named:
        raise Refused(401, "API key is missing: send token, api_key or $token")
    if len(named) > 1:
        raise Refused(401, "the request names more than one project key")
    [app_key] = named
    destination = _destination(gateway, app_key)
    if destination is None:
        raise Refused(401, "no PostHog destination for this project key")
    return KeySwap(app_key, destination.credentials["api_key"], tuple(_project_keys(gateway))), destination


async def _answer(gateway: Gateway, destination: Destination, outgoing: Outgoing, swap: KeySwap, answer: Answer
                  ) -> Response:
    try:
        return await answer(gateway, destination, outgoing, swap)
    except httpx.TransportError:
        gateway.metrics.inc("posthog_passthrough_failed_total", destination=destination.name)
        raise Refused(502, "PostHog is unreachable") from None


def _endpoint(handle: Callable[[Request, Gateway], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """A pass-through endpoint: its path checked first, its refusals as PostHog's plain-text errors."""

    async def endpoint(request: Request) -> Response:
        gateway = gateway_of(request)
        try:
            if _refused_path(request.scope.get("raw_path") or request.url.path.encode()):
                raise Refused(400, "refused path: escapes, backslashes and dot segments are not passed through")
            return await handle(request, gateway)
        except Refused as refused:
            gateway.metrics.inc("posthog_passthrough_refused_total", status=str(refused.status))
            return PlainTextResponse(refused.message, status_code=refused.status)
        except ProtocolError as error:
            gateway.metrics.inc("posthog_passthrough_refused_total", status=str(error.status))
            return PlainTextResponse(error.message, status_code=error.status)

    return endpoint


def routes() -> list[Route]:
    def flags(path: str) -> Callable[[Request, Gateway], Awaitable[Response]]:
        return lambda request, gateway: _flags(request, gateway, path)

    def config(file: str) -> Callable[[Request, Gateway], Awaitable[Response]]:
        return lambda request, gateway: _remote_config(request, gateway, file)

    return [
        *(Route(path, _endpoint(flags(path)), methods=["GET", "POST"])
          for path in ("/flags", "/flags/", "/decide", "/decide/")),
        *(Route(f"/array/{{token}}/{file}", _endpoint(config(file)), methods=["GET"])
          for file in ("config", "config.js")),
        # `path`, not a plain segment, so that a request with more in it is refused here rather than not found
        Route("/static/{file:path}", _endpoint(_static), methods=["GET"]),
    ]

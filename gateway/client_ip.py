"""Who sent a request and over what: the client's address and scheme, for vendors that place users by IP and for the
UI's Secure cookie.

A proxy's headers are believed only when the direct peer is in `[http] trusted_proxies`: X-Forwarded-For then names
the client as its rightmost address that is not itself a trusted proxy (entries left of it could have been written by
the client), and X-Forwarded-Proto (its rightmost value, the one our proxy set) the scheme. From anyone else both
headers are ignored. `ProxyHeaders` applies this to every request's scope, so the rest of the gateway reads
`request.client` and `request.url.scheme` and needs to know nothing of proxies. (uvicorn's own proxy-header handling,
which believes 127.0.0.1 whatever the policy says, is off: gateway.http_server.)
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Mapping

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(cidrs: Iterable[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(c, strict=False) for c in cidrs)


def _trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def is_trusted(peer: str, trusted: tuple[Network, ...]) -> bool:
    """Whether the peer that connected is a trusted proxy (whose X-Forwarded-For and X-Request-ID are believed)."""
    return bool(trusted) and _trusted(peer, trusted)


def client_ip(peer: str | None, headers: Mapping[str, str], trusted: tuple[Network, ...]) -> str | None:
    if peer is None or not trusted or not _trusted(peer, trusted):
        return peer
    forwarded = [a.strip() for a in headers.get("x-forwarded-for", "").split(",") if a.strip()]
    for address in reversed(forwarded):
        if not _trusted(address, trusted):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                return peer  # garbage in the header: fall back to what we know
    return peer


def forwarded_scheme(peer: str | None, headers: Mapping[str, str], trusted: tuple[Network, ...]) -> str | None:
    """The scheme a trusted proxy says the client used (http or https), or None."""
    if peer is None or not trusted or not _trusted(peer, trusted):
        return None
    scheme = headers.get("x-forwarded-proto", "").rpartition(",")[2].strip().lower()
    return scheme if scheme in ("http", "https") else None


class ProxyHeaders:
    """ASGI middleware: each request's client and scheme as a trusted proxy reports them (`trusted()` is read per
    request, so a reloaded policy applies at once)."""

    def __init__(self, app: ASGIApp, trusted: Callable[[], tuple[Network, ...]]) -> None:
        self.app, self.trusted = app, trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] == "http" and client:
            trusted = self.trusted()
            if trusted and _trusted(client[0], trusted):
                headers = Headers(scope=scope)
                scope = dict(scope)
                scope["client"] = (client_ip(client[0], headers, trusted), client[1])
                scope["scheme"] = forwarded_scheme(client[0], headers, trusted) or scope["scheme"]
        await self.app(scope, receive, send)

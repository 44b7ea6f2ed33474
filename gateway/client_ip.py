"""The address of the device that sent a request, for vendors that place users by IP.

X-Forwarded-For is read only when the direct peer is a configured trusted proxy; then the rightmost address that is not
itself a trusted proxy is the client (entries left of it could have been written by the client).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping

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

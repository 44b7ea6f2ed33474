"""Page URLs as reports group them: one URL per page *template*, never per record.

`https://shop.example/orders/84213/items?ref=mail#top` and `.../orders/99120/items` are the same page to a UX designer,
so ids in the path become `:id`, and the query and fragment are dropped (they carry search terms, tokens and e-mail
addresses more often than page identity). Hash routes (`#/users/42`) are the exception: in a single-page app they *are*
the page, so they are kept and normalized like a path. User info (`user:pass@`) is dropped, scheme and host are
lower-cased and default ports removed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final
from urllib.parse import unquote, urlsplit

ID_PLACEHOLDER: Final = ":id"

_DIGITS: Final = re.compile(r"^\d+$")
# Dates and numbers with separators: 2024-01-15, 1.2.3, 12_345.
_NUMERIC: Final = re.compile(r"^\d[\d._:,-]*\d$")
_UUID: Final = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
_HEX: Final = re.compile(r"^[0-9a-f]{8,}$", re.IGNORECASE)
# Random tokens (base62 ids, Mongo/Firebase ids): long, no word separators, letters mixed with digits.
_TOKEN: Final = re.compile(r"^[A-Za-z0-9]{12,}$")
# Prefixed ids (Stripe's cus_Nffr..., sess_7378f9a1...): a short word, a separator, then an id with a digit in it.
_PREFIXED: Final = re.compile(r"^[A-Za-z]{1,12}[_-]([A-Za-z0-9]{6,})$")
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
_OPAQUE_SCHEMES: Final = {"data", "blob", "javascript", "mailto", "tel", "about"}


def _count_digits(text: str) -> int:
    return sum(c.isdigit() for c in text)


def is_id_segment(segment: str) -> bool:
    """Whether one path segment names a record rather than a page (a number, uuid, hash, token, e-mail...)."""
    text = unquote(segment)
    if not text:
        return False
    if "@" in text:  # an e-mail address in a path is both an id and personal data
        return True
    if _DIGITS.match(text) or _NUMERIC.match(text) or _UUID.match(text):
        return True
    if _HEX.match(text) and _count_digits(text):
        return True
    if _TOKEN.match(text) and _count_digits(text) >= 2 and any(c.isalpha() for c in text):
        return True
    prefixed = _PREFIXED.match(text)
    return bool(prefixed and _count_digits(prefixed.group(1)))


def _normalize_path(path: str) -> str:
    segments = [ID_PLACEHOLDER if is_id_segment(s) else s for s in path.split("/")]
    normalized = "/".join(segments)
    if len(normalized) > 1:
        normalized = normalized.rstrip("/")
    return normalized or "/"


@lru_cache(maxsize=4096)
def normalize_page_url(url: object) -> str:
    """The page URL for reports: `https://Shop.example:443/orders/123?q=x` -> `https://shop.example/orders/:id`.

    Returns "" for anything that is not a string or not a URL at all.
    """
    if not isinstance(url, str) or not url.strip():
        return ""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    if scheme in _OPAQUE_SCHEMES:
        # `data:` carries the document itself and `mailto:` an address: keep only what kind of page it was.
        return "about:blank" if url.strip().lower() == "about:blank" else f"{scheme}:"
    host = (parts.hostname or "").lower()
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    path = _normalize_path(parts.path)
    fragment = parts.fragment
    route = ""
    if fragment.startswith("/") or fragment.startswith("!/"):
        bang = "!" if fragment.startswith("!") else ""
        route_path = fragment[len(bang) :].split("?", 1)[0]
        route = f"#{bang}{_normalize_path(route_path)}"
    prefix = f"{scheme}://{host}" if scheme or host else ""
    return f"{prefix}{path}{route}"

"""The request-body forms the browser-era SDKs (mixpanel-js and its fork posthog-js) send, shared by both codecs.

- an HTML form, `data=<payload>&verbose=1`, whatever the Content-Type says (sendBeacon labels it text/plain);
- a payload that is JSON, or base64 of JSON (standard or URL-safe alphabet, padding optional);
- a JSON array, a single JSON object, or NDJSON (one object per line, Mixpanel's /import).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from gateway.protocols.codec import JsonBody, ProtocolError, json_value, read_json


def invalid(message: str) -> ProtocolError:
    return ProtocolError(400, "invalid_request", message)


def looks_like_json(body: bytes) -> bool:
    start = body.lstrip()[:1]
    return start in (b"{", b"[")


def form_fields(body: bytes) -> dict[str, str]:
    """The fields of a urlencoded form; {} when the body is JSON rather than a form."""
    if not body or looks_like_json(body):
        return {}
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise invalid("form body is not valid UTF-8") from None
    return dict(parse_qsl(text, keep_blank_values=True))


def params(query: Mapping[str, str], form: Mapping[str, str]) -> dict[str, str]:
    """Request options (verbose, ip, img, callback, compression, ...) from the query string and the form; the Python
    mixpanel SDK puts `verbose` and `ip` in the form body, browsers in the query string."""
    return {**{k: v for k, v in form.items() if k != "data"}, **query}


def b64decode(text: str) -> bytes:
    cleaned = "".join(text.split())
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        if "-" in cleaned or "_" in cleaned:
            return base64.urlsafe_b64decode(cleaned)
        return base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        raise invalid("data is neither JSON nor base64") from None


def restore_plus(text: str) -> str:
    """parse_qsl turns '+' into ' '; base64 has '+' and no spaces, so an unescaped '+' is recoverable."""
    return text.replace(" ", "+")


def payload_bytes(data: str) -> bytes:
    """A `data=` value as JSON bytes: JSON as it is, base64 decoded."""
    stripped = data.lstrip()
    if stripped[:1] in ("{", "["):
        return stripped.encode("utf-8")
    return b64decode(restore_plus(data.strip()))


def json_or_ndjson(raw: bytes, parsed: JsonBody) -> Any:
    """A JSON document (`parsed`, what `raw` parsed to), or NDJSON (several objects, one per line) as a list."""
    if parsed.error is None:
        return parsed.value
    lines = [line for line in raw.splitlines() if line.strip()]
    if len(lines) < 2:
        raise invalid(f"body {parsed.error}")
    return [json_value(read_json(line), f"line {i + 1}") for i, line in enumerate(lines)]

"""posthog-js in-event compression (marker `cv: "2024-10"`), undone so the rest of replay sees plain rrweb events.

posthog-js gzips the bulky parts of some events into latin-1 strings before sending them: a FullSnapshot's whole
`data`, a Mutation's `texts`/`attributes`/`removes`/`adds`, a StyleSheetRule's `adds`/`removes` (posthog-js
sessionrecording-utils.ts, `compressEvent`). Everything else in the event stays readable, so only these fields are
decoded, and only on events that carry the marker.
"""

from __future__ import annotations

import zlib
from typing import Any

import orjson

from replay import rrweb

COMPRESSION_MARKER = "cv"

# A gzip bomb in one field must not take the analyser's memory: more than this after inflation is refused.
MAX_INFLATED_BYTES = 64 * 1024 * 1024

_MUTATION_FIELDS = ("texts", "attributes", "removes", "adds")
_STYLE_FIELDS = ("adds", "removes")


class PackingError(ValueError):
    """A compressed field that is not valid gzip of JSON (or inflates past MAX_INFLATED_BYTES)."""


def _inflate(packed: str) -> Any:
    try:
        raw = packed.encode("latin-1")
    except UnicodeEncodeError:
        raise PackingError("compressed field is not a latin-1 string") from None
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip container
    try:
        body = inflater.decompress(raw, MAX_INFLATED_BYTES)
    except zlib.error as exc:
        raise PackingError(f"compressed field is not gzip: {exc}") from None
    if inflater.unconsumed_tail:
        raise PackingError(f"compressed field inflates past {MAX_INFLATED_BYTES} bytes")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise PackingError(f"compressed field is not JSON: {exc}") from None


def unpack_event(event: dict[str, Any]) -> dict[str, Any]:
    """The event with its compressed fields decoded (a new dict; the input is not modified).

    Events without the marker are returned as they are. Raises PackingError on a field that cannot be decoded.
    """
    if COMPRESSION_MARKER not in event:
        return event
    data = event.get("data")
    etype = event.get("type")
    unpacked = {k: v for k, v in event.items() if k != COMPRESSION_MARKER}
    if etype == rrweb.FULL_SNAPSHOT and isinstance(data, str):
        unpacked["data"] = _inflate(data)
    elif etype == rrweb.INCREMENTAL_SNAPSHOT and isinstance(data, dict):
        source = data.get("source")
        fields = (
            _MUTATION_FIELDS if source == rrweb.MUTATION else _STYLE_FIELDS if source == rrweb.STYLE_SHEET_RULE else ()
        )
        if fields:
            data = dict(data)
            for name in fields:
                if isinstance(data.get(name), str):
                    data[name] = _inflate(data[name])
            unpacked["data"] = data
    return unpacked

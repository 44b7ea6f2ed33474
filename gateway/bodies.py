"""Reading request bodies safely: a cap on the bytes read from the wire, a deadline for them to arrive, and gzip with a
cap on what it expands to.

The gzip cap is the defence against decompression bombs: we never inflate more than the protocol's limit plus one byte.
The deadline (`[http] body_timeout_s`) is the defence against a client that sends its body a byte at a time to hold a
connection and a request slot: past it the request is refused with 408, in the caller's shape.
"""

from __future__ import annotations

import asyncio
import io
import zlib

import zstandard
from starlette.requests import ClientDisconnect, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.admission import BODY_IN
from gateway.protocols.codec import ProtocolError

GZIP_MAGIC = b"\x1f\x8b"
# Compressed bodies are smaller than what they expand to, so a wire body this far past the decoded limit is refused
# before it is read at all.
WIRE_SLACK = 64 * 1024


def too_large(limit: int) -> ProtocolError:
    return ProtocolError(413, "payload_too_large", f"request body is larger than {limit // 1024} KB")


def too_slow(timeout_s: float) -> ProtocolError:
    return ProtocolError(408, "timeout", f"the request body did not arrive within {timeout_s:g} s")


async def read_body(request: Request, max_bytes: int, timeout_s: float) -> bytes:
    """The raw body; ProtocolError(413) as soon as it is known to exceed `max_bytes`, or 408 if it has not arrived
    whole within `timeout_s`."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise too_large(max_bytes)
    try:
        if request.scope.get(BODY_IN):
            # The connection holds the whole body already (gateway.http_server stamps it): reading it cannot wait for
            # the client, so no deadline is armed (a timer per request, ~5 us of the loop's CPU, for nothing).
            return await _read_within(request, max_bytes)
        async with asyncio.timeout(timeout_s):
            return await _read_within(request, max_bytes)
    except ClientDisconnect:
        raise ProtocolError(400, "invalid_request", "client disconnected before the body was complete") from None
    except TimeoutError:
        raise too_slow(timeout_s) from None


async def _read_within(request: Request, max_bytes: int) -> bytes:
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise too_large(max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def expands_past(max_out: int) -> ProtocolError:
    return ProtocolError(400, "invalid_request", f"body expands past {max_out // 1024} KB when decompressed")


def inflate(data: bytes, max_out: int, wbits: int = 31) -> bytes:
    """Decompress gzip (wbits=31) or zlib (15) data, all members, never producing more than `max_out` bytes."""
    out = bytearray()
    while data:
        inflater = zlib.decompressobj(wbits)
        try:
            out += inflater.decompress(data, max_out + 1 - len(out))
        except zlib.error as exc:
            raise ProtocolError(400, "invalid_request", f"body is not valid compressed data: {exc}") from None
        if len(out) > max_out:
            raise expands_past(max_out)
        if not inflater.eof:
            raise ProtocolError(400, "invalid_request", "compressed body is truncated")
        data = inflater.unused_data
        if data and not data.startswith(GZIP_MAGIC):
            break  # trailing bytes after the last member are ignored, as gzip(1) does
    return bytes(out)


def unzstd(data: bytes, max_out: int) -> bytes:
    """Decompress zstd data (all frames), never producing more than `max_out` bytes (PostHog's capture v1 sends it)."""
    out = bytearray()
    try:
        with zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data), read_across_frames=True) as reader:
            while chunk := reader.read(64 * 1024):
                out += chunk
                if len(out) > max_out:
                    raise expands_past(max_out)
        declared = zstandard.frame_content_size(data)
    except zstandard.ZstdError as exc:
        raise ProtocolError(400, "invalid_request", f"body is not valid compressed data: {exc}") from None
    if (declared >= 0 and len(out) < declared) or (data and not out):
        raise ProtocolError(400, "invalid_request", "compressed body is truncated")
    return bytes(out)


def decode_content(body: bytes, content_encoding: str | None, max_out: int) -> bytes:
    """Undo Content-Encoding (gzip, deflate, zstd, identity). Gzip is also recognised by its magic bytes, because
    several SDKs gzip a body without saying so (posthog-js labels it text/plain)."""
    encoding = (content_encoding or "identity").strip().lower()
    if encoding in ("gzip", "x-gzip") or (encoding == "identity" and body.startswith(GZIP_MAGIC)):
        return inflate(body, max_out, wbits=31)
    if encoding == "deflate":
        return inflate(body, max_out, wbits=15)
    if encoding == "zstd":
        return unzstd(body, max_out)
    if encoding == "identity":
        return body
    raise ProtocolError(400, "invalid_request", f"unsupported Content-Encoding {encoding!r}; send gzip or no encoding")


UNREAD_BODY_STATUSES = frozenset({408, 413})


class CloseUnreadBodies:
    """ASGI middleware: an answer of 408 or 413 (a body too slow or too large, left unread) closes the connection, so
    that the server neither waits for the rest of the body nor reads it as the next request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_closing(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in UNREAD_BODY_STATUSES:
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"connection"]
                message = {**message, "headers": [*headers, (b"connection", b"close")]}
            await send(message)

        await self.app(scope, receive, send_closing)

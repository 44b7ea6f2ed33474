"""Response headers every UI answer gets: what the browser may load, that pages are not framed or cached, and that
no URL of ours is sent to anyone as a Referer.

The replay player draws recordings in a same-origin iframe that inherits this policy. Nothing may come from another
origin: a recording's images, fonts, stylesheets, media and frames either travel inside it (`data:`, `blob:`) or were
replaced by placeholders when its events were served (replay.offline); this policy blocks whatever that missed, so
watching a session never tells a third party that, when or from where it is watched. Recorded pages' own styles are
inline (so `style-src 'unsafe-inline'`). Scripts only ever come from our own static files: recorded pages' scripts are
not replayed.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "media-src 'self' data: blob:",
    "connect-src 'self'",
    "frame-src 'self' data: blob:",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
))
HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
}


class UiHeaders:
    """ASGI middleware for the /ui mount. Pages and data are `no-store` (they show personal data); our static files
    may be cached briefly."""

    def __init__(self, app: ASGIApp, static_prefix: str = "/static/") -> None:
        self.app, self.static_prefix = app, static_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope["ui_root"] = scope.get("root_path", "")  # before inner mounts extend root_path
        path, root = scope["path"], scope["ui_root"]
        relative = path[len(root):] if path.startswith(root) else path
        cache = "public, max-age=300" if relative.startswith(self.static_prefix) else "no-store"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                headers["cache-control"] = cache
            await send(message)

        await self.app(scope, receive, send_with_headers)

"""The HTTP server under the gateway: uvicorn, set up from the policy's `[http]`, with a connection protocol that
bounds what uvicorn leaves open.

uvicorn (httptools) closes an idle connection between requests after `timeout_keep_alive`, but a new connection that
sends nothing, or sends its request head a byte at a time (slowloris), is kept forever, and it counts against the
concurrency limit, so a few hundred of them would shut everyone else out. Here:

- a request head must arrive whole within `header_timeout_s`, counted from the connection's start or from the head's
  first byte; past it the gateway answers 408 and closes the connection;
- a head larger than `max_header_bytes` gets 431 (counted per chunk read, so the bound is exact to one read);
- the kernel's accept queue holds at most `accept_backlog` connections;
- at most `max_connections` connections and requests in progress are served; a request beyond them gets 503 with
  Retry-After and the connection is closed (uvicorn's own limit answers without Retry-After);
- each request is stamped when its head is complete and when its body is, so that admission control
  (gateway.admission) can tell how long it has waited for the event loop rather than for its client;
- bodies have their own deadline, in gateway.bodies, so that the refusal is in the vendor's shape;
- a connection is closed as nginx's `lingering_close` does (`LingeringTransport`): the answer is sent, then the
  gateway's side is shut and what the client still sends is read and dropped until it closes, for at most
  `LINGER_S` and `LINGER_MAX_BYTES`. A refusal (413, 408, 431, 503) is sent before the body is read; closing at
  once with unread bytes makes the kernel reset the connection, and a reset can destroy the answer before the client
  reads it: the SDK sees a network error and sends the same too-large batch again, instead of a 413.

uvicorn's proxy-header handling is off: it believes X-Forwarded-For from 127.0.0.1 by default, whatever the policy
says. What proxy headers mean is gateway.client_ip's to decide, from `[http] trusted_proxies`.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

import uvicorn
from uvicorn._types import ASGIReceiveCallable, ASGISendCallable, Scope
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from gateway import admission
from policies.policy import Http

GRACEFUL_SHUTDOWN_S = 10
BUSY_RETRY_AFTER_S = 1
LINGER_S = 5.0  # nginx's lingering_timeout
LINGER_MAX_BYTES = 16 * 1024 * 1024


def _plain_response(status: bytes, message: bytes, *extra: bytes) -> bytes:
    return b"".join([b"HTTP/1.1 ", status, b"\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ",
                     str(len(message)).encode(), b"\r\nconnection: close\r\n", *extra, b"\r\n", message])


class LingeringTransport:
    """The connection's transport as uvicorn and the protocol see it, but for `close()` in the middle of a request
    (its head or body not all read), which lingers: the answer already written is flushed and the write side shut
    (FIN), reading goes on and drops what arrives, and the socket is closed when the client closes its side (asyncio
    does that on EOF), after LINGER_S, or past LINGER_MAX_BYTES. Between requests (an idle keep-alive connection, a
    server shutting down) and at a second close() it closes at once: nothing unread can be in flight."""

    def __init__(self, raw: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self.raw, self._loop = raw, loop
        self.mid_request = False  # the protocol's: a request has begun and is not all read
        self.lingering = False
        self.dropped = 0
        self._timer: asyncio.TimerHandle | None = None

    def close(self) -> None:
        if not self.mid_request or self.lingering or self.raw.is_closing() or not self.raw.can_write_eof():
            self.close_now()  # (TLS cannot half-close)
            return
        self.lingering = True
        self.raw.write_eof()
        self.raw.resume_reading()  # uvicorn pauses reading while a body waits to be read
        self._timer = self._loop.call_later(LINGER_S, self.close_now)

    def drop(self, data: bytes) -> None:
        """What the client sent after the answer: read so the kernel has no reason to reset, and forgotten."""
        self.dropped += len(data)
        if self.dropped > LINGER_MAX_BYTES:
            self.close_now()

    def is_closing(self) -> bool:
        return self.lingering or self.raw.is_closing()

    def close_now(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.raw.close()

    def __getattr__(self, name: str) -> Any:  # write, pause_reading, get_extra_info...: the real transport's
        return getattr(self.raw, name)


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline and a size limit for each request head, and a concurrency limit
    that answers with Retry-After. The limits are class attributes: `protocol_for` makes a subclass per policy."""

    header_timeout_s: float = Http.header_timeout_s
    max_header_bytes: int = Http.max_header_bytes
    max_connections: int = Http.max_connections

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_concurrency = None  # ours, below: with Retry-After
        self.app = self._within_limit
        self._head_timer: asyncio.TimerHandle | None = None
        self._head_bytes = 0

    # -- the request head ---------------------------------------------------------------------------------------

    def _start_head(self) -> None:
        self._end_head()
        self._head_bytes = 0
        self._head_timer = self.loop.call_later(self.header_timeout_s, self._head_too_slow)

    def _end_head(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _refuse(self, status: bytes, message: bytes) -> None:
        self._end_head()
        if not self.transport.is_closing():
            self.transport.write(_plain_response(status, message))
            self.transport.close()

    def _head_too_slow(self) -> None:
        self._head_timer = None
        # The limit is named, as gateway.bodies names the body's: the client (and a test) can tell which one refused.
        limit = f"the request head did not arrive within {self.header_timeout_s:g} s"
        self._refuse(b"408 Request Timeout", limit.encode())

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._lingering = LingeringTransport(transport, self.loop)
        super().connection_made(cast(asyncio.Transport, self._lingering))
        self._start_head()  # a connection that never sends a request is closed too

    def connection_lost(self, exc: Exception | None) -> None:
        self._end_head()
        self._lingering.close_now()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._lingering.lingering:
            self._lingering.drop(data)
            return
        if self._head_timer is not None:
            self._head_bytes += len(data)
        super().data_received(data)
        if self._head_timer is not None and self._head_bytes > self.max_header_bytes:
            self._refuse(b"431 Request Header Fields Too Large", b"the request head is too large")

    def on_message_begin(self) -> None:
        self._lingering.mid_request = True
        super().on_message_begin()
        if self._head_timer is None:  # a later request on a kept-alive connection: its head starts now
            self._start_head()

    def on_headers_complete(self) -> None:
        self._end_head()
        admission.stamp(cast(dict[str, Any], self.scope))  # ready to start: its wait for the loop begins
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        # Its body is whole: any wait from now is the loop's.
        admission.stamp(cast(dict[str, Any], self.scope), body_in=True)
        self._lingering.mid_request = False
        super().on_message_complete()

    # -- concurrency --------------------------------------------------------------------------------------------

    async def _within_limit(self, scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable) -> None:
        # This request's own task is among `tasks` already, hence `>`.
        if len(self.connections) > self.max_connections or len(self.tasks) > self.max_connections:
            message = b"the gateway is busy; retry later"
            await send({"type": "http.response.start", "status": 503, "headers": [
                (b"content-type", b"text/plain; charset=utf-8"), (b"retry-after", str(BUSY_RETRY_AFTER_S).encode()),
                (b"connection", b"close")]})
            await send({"type": "http.response.body", "body": message, "more_body": False})
            return
        await self.config.loaded_app(scope, receive, send)


def protocol_for(http: Http) -> type[GuardedHttpProtocol]:
    """The connection protocol with `http`'s limits."""
    return type("GatewayHttpProtocol", (GuardedHttpProtocol,), {
        "header_timeout_s": http.header_timeout_s,
        "max_header_bytes": http.max_header_bytes,
        "max_connections": http.max_connections,
    })


def server_config(app: Any, http: Http, host: str, port: int, fd: int | None, log_level: str) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        fd=fd,
        http=protocol_for(http),
        proxy_headers=False,  # gateway.client_ip decides, from [http] trusted_proxies
        server_header=False,
        timeout_keep_alive=http.keep_alive_timeout_s,  # type: ignore[arg-type]  # a float works: call_later takes it
        log_config=None,  # uvicorn writes through gateway.logs' handler, in its format
        log_level=log_level,
        access_log=False,  # request lines carry query strings, which can carry identifiers (gateway.request_observer)
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        backlog=http.accept_backlog,  # also for a listener passed in (--fd): asyncio listens on it again with this
    )

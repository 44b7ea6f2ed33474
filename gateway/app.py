"""The Starlette application: the routes, and a lifespan that builds the gateway's state before serving and takes it
down after.

All state lives in one `Gateway` (gateway.state), made whole by the lifespan before the first request and reachable
from a request as `request.app.state.gateway` (`gateway.state.gateway_of`). Nothing but the command line imports this
module: handlers import the state, never the app.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, Router
from starlette.types import Receive, Scope, Send

from gateway import (
    admin,
    consent_api,
    dead_letters_api,
    heap,
    heatmaps_api,
    ingest,
    keys,
    posthog_proxy,
    privacy_api,
    reload,
    replay_api,
    reviews_api,
    tracking_api,
    ui,
)
from gateway.access import AdminGuard
from gateway.access_requests_api import routes as access_request_routes
from gateway.bodies import CloseUnreadBodies
from gateway.client_ip import ProxyHeaders
from gateway.metrics import CONTENT_TYPE
from gateway.policy_sync import PolicySync
from gateway.prefix_router import PrefixRouter
from gateway.protocols import PROTOCOLS
from gateway.reload import Reloader
from gateway.request_observer import RequestObserver
from gateway.route_template import RouteReporter
from gateway.state import Gateway, close_gateway, gateway_of, open_gateway
from gateway.throttled_log import ThrottledLog
from policies.policy import Policy


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """200 when the gateway can take and deliver events; else 503 with every reason (gateway.health)."""
    gateway: Gateway | None = getattr(request.app.state, "gateway", None)
    if gateway is None:
        return JSONResponse({"status": "starting", "reasons": ["starting"]}, status_code=503)
    reasons = gateway.health.reasons(gateway.supervised()) if gateway.ready else ["shutting down"]
    if reasons:
        return JSONResponse({"status": "not ready", "reasons": reasons}, status_code=503)
    return JSONResponse({"status": "ready"})


async def metrics(request: Request) -> Response:
    gateway = gateway_of(request)
    depth = [({"destination": name}, n) for name, n in gateway.outbox.depth().items()]
    lag = [({"destination": name}, seconds) for name, seconds in (await gateway.outbox.lag()).items()]
    dead = await gateway.dead_letters.counts()
    dead_letters = [({"destination": name}, dead.get(name, 0)) for name in gateway.outbox.depth()]
    owner = [({"destination": name}, 1.0 if gateway.ownership.owns(name) else 0.0) for name in gateway.outbox.depth()]
    storage: list[tuple[dict[str, str], float]] = [({}, 0.0 if gateway.db.health.failing else 1.0)]
    backlog = await gateway.deletions.backlog()
    pool = gateway.scrub_pool
    fingerprint = keys.policy_fingerprint(gateway.secret, gateway.policy.digest)
    busy: list[tuple[dict[str, str], float]] = [({}, pool.busy())] if pool is not None else []
    queued: list[tuple[dict[str, str], float]] = [({}, pool.queued())] if pool is not None else []
    text = gateway.metrics.render({"gateway_scrub_workers_busy": busy, "gateway_scrub_queue": queued,
                                   "gateway_outbox_depth": depth, "gateway_outbox_lag_seconds": lag,
                                   "gateway_destination_owner": owner,
                                   "gateway_dead_letters": dead_letters, "gateway_database_writable": storage,
                                   "gateway_deletion_backlog": [({}, backlog.requests)],
                                   "gateway_deletion_backlog_age_seconds": [({}, backlog.oldest_age_s)],
                                   "gateway_policy_info": [({"digest": fingerprint}, 1.0)]})
    return PlainTextResponse(text, media_type=CONTENT_TYPE)


def ingest_routes() -> list[Route]:
    return [
        *ingest.routes(PROTOCOLS.values()),
        *replay_api.ingest_routes(),
        Route("/v1/consent", consent_api.record_consent, methods=["POST"]),
        *posthog_proxy.routes(),
    ]


def create_app(policy: Policy, data_dir: Path | str, announce_token: Callable[[str], None],
               reload_on_sighup: bool = False) -> Starlette:
    """The gateway for `policy` with its data in `data_dir`. `announce_token` is given the one-time admin token made on
    a first start with no admin token anywhere. With `reload_on_sighup` (the command line's server), SIGHUP reloads the
    policy from its file (gateway.reload)."""
    data_dir = Path(data_dir)
    refusals = ThrottledLog(logging.getLogger("gateway.requests"))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        gateway = await open_gateway(policy, data_dir, announce_token)
        app.state.gateway = gateway
        flusher = asyncio.create_task(_flush_every_interval(refusals), name="refusal-log")
        app.state.reloader = Reloader(gateway)
        # Subscribed after the listener started: a notice heard before is of a reload this node's start has read.
        app.state.policy_sync = PolicySync(app.state.reloader, gateway.invalidation, asyncio.get_running_loop())
        stop_listening = reload.reload_on_sighup(app.state.reloader) if reload_on_sighup else None
        try:
            with heap.long_lived():
                yield
        finally:
            if stop_listening is not None:
                stop_listening()
            flusher.cancel()
            await close_gateway(gateway)
            refusals.flush()

    admin_api = Router(routes=[*admin.routes(), *replay_api.admin_routes(), *heatmaps_api.admin_routes(),
                               *privacy_api.routes(),
                               *consent_api.admin_routes(), *access_request_routes(),
                               *reviews_api.routes(), *tracking_api.routes(), *dead_letters_api.routes()])
    app = Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
            *privacy_api.public_routes(),
            Mount("/admin", app=AdminGuard(admin_api, access=lambda: app.state.gateway.access)),
            Mount("/ui", routes=ui.routes()),
            Mount("", app=PublicApp(lambda: app.state.gateway.policy)),
        ],
        # Innermost, where the router's choice of route can be read (gateway.route_template).
        middleware=[Middleware(RouteReporter)],
        lifespan=lifespan,
    )
    # The web UI calls the admin API in-process, behind the bearer check (gateway.ui.api).
    app.state.admin_api = admin_api
    app.add_middleware(CloseUnreadBodies)
    app.add_middleware(ProxyHeaders, trusted=lambda: gw.trusted_proxies if (gw := _running(app)) else ())
    # Added last, so outermost: it times the whole answer and sees the peer that connected (gateway.client_ip's
    # middleware, inside it, may replace the peer with the client a trusted proxy names).
    app.add_middleware(RequestObserver, metrics=lambda: gw.metrics if (gw := _running(app)) else None,
                       trusted=lambda: gw.trusted_proxies if (gw := _running(app)) else (), refusals=refusals)
    return app


def _running(app: Starlette) -> Gateway | None:
    """The gateway state, once the lifespan has built it."""
    return getattr(app.state, "gateway", None)


async def _flush_every_interval(log: ThrottledLog) -> None:
    """So that the count of a burst of refusals that stopped is logged within an interval, not at the next one."""
    while True:
        await asyncio.sleep(log.interval_s)
        log.flush()


class PublicApp:
    """What browsers call: the ingest paths, behind CORS for the origins the sources allow now (as the running policy
    says: a reload that changes them takes effect at the next request).

    Browser SDKs send credentialed requests, so `*` will not do: the allowed Origin is echoed, with
    Access-Control-Allow-Credentials, and preflights mirror the requested headers.
    """

    def __init__(self, policy: Callable[[], Policy]) -> None:
        self.policy = policy
        self.router = PrefixRouter(routes=ingest_routes())
        self._cors: tuple[tuple[str, ...], CORSMiddleware] | None = None

    def _for(self, origins: tuple[str, ...]) -> CORSMiddleware:
        if self._cors is None or self._cors[0] != origins:
            cors = CORSMiddleware(self.router, allow_origins=list(origins), allow_credentials=True,
                                  allow_methods=["GET", "POST", "OPTIONS"], allow_headers=["*"], max_age=600)
            self._cors = (origins, cors)
        return self._cors[1]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        policy = self.policy()
        origins = tuple(sorted({origin for source in policy.sources for origin in source.allowed_origins}))
        await self._for(origins)(scope, receive, send)


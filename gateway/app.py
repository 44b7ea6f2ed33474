"""The Starlette application: routes, and a lifespan that opens the database and starts and stops the senders.

All state lives in one `Gateway` made by the lifespan (no module-level mutable state), reachable from a request as
`request.app.state.gateway`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, Router

from gateway import (
    access,
    admin,
    audit,
    consent_api,
    consent_ledger,
    deletion,
    heap,
    identity,
    keys,
    outbox,
    posthog_proxy,
    privacy_api,
    replay_api,
    retention,
    reviews,
    sink,
    suppression,
    ui,
)
from gateway.access import AccessControl, AdminGuard
from gateway.audit import AuditLog
from gateway.client_ip import Network, parse_networks
from gateway.consent_ledger import ConsentLedger
from gateway.database import Database, Migration
from gateway.deletion import Deletions
from gateway.identity import Identity
from gateway.ingest import ingest_endpoint
from gateway.metrics import Metrics
from gateway.outbox import OutboxStore, Sender
from gateway.outbox.transport import HttpTransport, Transport
from gateway.pipeline import Encoder, Pipeline
from gateway.protocols import PROTOCOLS, check_credentials, segment
from gateway.suppression import Suppression
from policies.consent import decide, read_signals
from policies.event import Event
from policies.loader import LOCAL_SINK
from policies.pii.scrubber import Scrubber
from policies.policy import Policy, Source
from replay import analysis as replay_analysis
from replay import service as replay_service
from replay import store as replay_store
from replay.compression import Compressor
from replay.privacy import RrwebPrivacy
from replay.service import Gate, ReplayService
from replay.store import ReplayStore

log = logging.getLogger("gateway")

DATABASE_FILE = "gateway.sqlite3"
MIGRATIONS = (
    *outbox.MIGRATIONS,
    *audit.MIGRATIONS,
    Migration("replay-1", replay_store.SCHEMA),
    Migration("replay-2", replay_analysis.SCHEMA),
    Migration("replay-3", replay_analysis.FORMS_SCHEMA),
    *sink.MIGRATIONS,
    *access.MIGRATIONS,
    *identity.MIGRATIONS,
    *consent_ledger.MIGRATIONS,
    *suppression.MIGRATIONS,
    *deletion.MIGRATIONS,
    *ui.MIGRATIONS,
)


@dataclass
class Gateway:
    policy: Policy
    db: Database
    outbox: OutboxStore
    pipeline: Pipeline
    metrics: Metrics
    access: AccessControl
    identity: Identity
    ledger: ConsentLedger
    audit: AuditLog
    suppression: Suppression
    secret: bytes
    http: httpx.AsyncClient
    # Set by open_gateway right after the gateway exists: both are built from it.
    replay: ReplayService = field(init=False)
    deletions: Deletions = field(init=False)
    trusted_proxies: tuple[Network, ...] = ()
    senders: list[Sender] = field(default_factory=list)
    background: list[asyncio.Task[None]] = field(default_factory=list)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    ready: bool = False

    def learn(self, links: list[tuple[str, str]]) -> Callable[[sqlite3.Connection], None] | None:
        """What to write with a request's events: the identity links they revealed, and consent carried across them."""
        if not links:
            return None

        def write(conn: sqlite3.Connection) -> None:
            self.identity.record_links(conn, links)
            self.ledger.carry(conn, links)

        return write


def _encoder_of(protocol: str) -> Encoder:
    # The local sink keeps events in the canonical (Segment-shaped) wire form.
    return segment.encode if protocol == LOCAL_SINK else PROTOCOLS[protocol].encode


async def open_gateway(policy: Policy, data_dir: Path, announce_token: Callable[[str], None]) -> Gateway:
    check_credentials(policy)
    data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(data_dir / DATABASE_FILE, MIGRATIONS)
    enabled = policy.enabled_destinations
    suppressed = Suppression(db)
    store = OutboxStore(db, policy.outbox.max_events, policy.outbox.full_retry_after_s, [d.name for d in enabled],
                        suppressed=suppressed.suppressed)
    control = AccessControl([*policy.access_tokens, *access.load_stored_tokens(db)])
    secret = keys.load_secret(policy, data_dir)
    subjects = Identity(keys.derive(secret, "identity"))
    token = access.bootstrap_admin_token(db, control)
    if token is not None:
        announce_token(token)
    ledger = ConsentLedger(db)
    # The PII engine: Presidio offline, a blank spaCy pipeline kept in the data directory. Shared by the event
    # pipeline and replay; both run on the event loop's thread, which is what the scrubber needs.
    scrubber = Scrubber(policy.pii, keys.derive(secret, "pii"), data_dir)
    encoders = {d.name: _encoder_of(d.protocol) for d in enabled}
    gateway = Gateway(
        policy=policy,
        db=db,
        outbox=store,
        pipeline=Pipeline(policy, encoders, subjects, suppressed, ledger, keys.derive(secret, "consent-pseudonym"),
                          scrubber),
        metrics=Metrics(),
        access=control,
        identity=subjects,
        ledger=ledger,
        audit=AuditLog(db, keys.derive(secret, "audit")),
        suppression=suppressed,
        secret=secret,
        http=httpx.AsyncClient(follow_redirects=False),
        trusted_proxies=parse_networks(policy.http.trusted_proxies),
    )
    gateway.replay = _replay_service(gateway, scrubber)
    if policy.replay.enabled:
        analyzer = replay_analysis.analyze_idle_sessions(
            gateway.replay.store, policy.replay.detect, policy.replay.analyze_after_idle_s, gateway.stopping
        )
        gateway.background.append(asyncio.create_task(analyzer, name="replay-analysis"))
    gateway.deletions = Deletions(gateway, keys.derive(secret, "deletion-id"), keys.derive(secret, "receipt"),
                                  policy.retention.keep_consent_proof)
    gateway.background.append(asyncio.create_task(gateway.deletions.run(gateway.stopping), name="deletions"))
    purger = retention.purge_periodically(db, policy.retention, gateway.replay.store, gateway.stopping)
    gateway.background.append(asyncio.create_task(purger, name="retention"))
    for destination in enabled:
        transport: Transport
        if destination.protocol == LOCAL_SINK:
            transport, limits = sink.SinkTransport(db, destination.name), segment.OUTBOUND_LIMITS
        else:
            codec = PROTOCOLS[destination.protocol]
            transport, limits = HttpTransport(codec, destination, gateway.http), codec.outbound_limits
        sender = Sender(destination, transport, store, limits, gateway.metrics)
        sender.start()
        gateway.senders.append(sender)
    gateway.ready = True
    return gateway


def _replay_service(gateway: Gateway, scrubber: Scrubber) -> ReplayService:
    policy = gateway.policy

    def subjects(identifiers: Mapping[str, str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(gateway.identity.hash(value) for value in identifiers.values()))

    def consent(source: Source, ids: tuple[str, ...], headers: Mapping[str, str], query: Mapping[str, str]
                ) -> tuple[bool, str]:
        if gateway.suppression.suppressed(ids):
            return False, "suppressed"
        # A recording request carries no event: only the request's own signals (GPC, gdpr parameters) and the
        # subject's stored consent count.
        signals = read_signals(Event("track", "-"), headers, query, policy.consent)
        decision = decide(signals, gateway.ledger.state(ids), source.consent_model, policy.consent)
        # No reason when the policy does not declare the purpose at all; the metric still needs a label.
        return decision.granted(replay_service.PURPOSE), decision.reason(replay_service.PURPOSE) or "undeclared"

    privacy = RrwebPrivacy(policy.replay.unmasked_inputs, scrub_text=scrubber.scrub_text,
                           scrub_attribute=scrubber.scrub_attribute)
    store = ReplayStore(gateway.db, Compressor(policy.replay.compression_level))
    gate = Gate(source_for_key=policy.source_for_key, subjects=subjects, consent=consent, count=gateway.metrics.inc)
    return ReplayService(policy.replay, store, privacy, gate)


async def close_gateway(gateway: Gateway) -> None:
    """Stop taking work, let batches in flight finish, keep everything undelivered queued, close the database."""
    gateway.ready = False
    gateway.stopping.set()
    for sender in gateway.senders:
        await sender.stop()
    await asyncio.gather(*gateway.background, return_exceptions=True)
    await gateway.replay.close()
    await gateway.http.aclose()
    gateway.db.close()


def _print_token(token: str) -> None:
    print(
        "\n  No admin token is configured, so here is one. It is shown once; only its sha256 is kept.\n"
        f"  Admin token: {token}\n"
        "  Use it as `Authorization: Bearer <token>` on /admin/v1/...\n",
        file=sys.stderr,
        flush=True,
    )


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    gateway: Gateway | None = getattr(request.app.state, "gateway", None)
    if gateway is None or not gateway.ready:
        return JSONResponse({"status": "starting"}, status_code=503)
    return JSONResponse({"status": "ready"})


async def metrics(request: Request) -> Response:
    gateway: Gateway = request.app.state.gateway
    depth = [({"destination": name}, n) for name, n in gateway.outbox.depth().items()]
    text = gateway.metrics.render({"gateway_outbox_depth": depth})
    return PlainTextResponse(text, media_type="text/plain; version=0.0.4")


def ingest_routes() -> list[Route]:
    return [
        *(
            Route(route.path, ingest_endpoint(codec, route.kind), methods=list(route.methods))
            for codec in PROTOCOLS.values()
            for route in codec.routes
        ),
        *replay_api.ingest_routes(),
        Route("/v1/consent", consent_api.record_consent, methods=["POST"]),
        *posthog_proxy.routes(),
    ]


def create_app(
    policy: Policy, data_dir: Path | str, announce_token: Callable[[str], None] = _print_token
) -> Starlette:
    data_dir = Path(data_dir)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        gateway = await open_gateway(policy, data_dir, announce_token)
        app.state.gateway = gateway
        try:
            with heap.long_lived():
                yield
        finally:
            await close_gateway(gateway)

    admin_routes = [*admin.routes(), *replay_api.admin_routes(), *privacy_api.routes(), *reviews.admin_routes()]
    admin_app = AdminGuard(Router(routes=admin_routes), access=lambda: app.state.gateway.access)
    app = Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
            Mount("/admin", app=admin_app),
            Mount("/ui", routes=ui.routes()),
            Mount("", app=public_app(policy)),
        ],
        lifespan=lifespan,
    )
    return app


def public_app(policy: Policy) -> CORSMiddleware:
    """What browsers call: the ingest paths, behind CORS for the origins the sources allow.

    Browser SDKs send credentialed requests, so `*` will not do: the allowed Origin is echoed, with
    Access-Control-Allow-Credentials, and preflights mirror the requested headers.
    """
    origins = sorted({origin for source in policy.sources for origin in source.allowed_origins})
    return CORSMiddleware(
        Router(routes=ingest_routes()),
        allow_origins=origins,
        allow_credentials=True,
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["*"],
        max_age=600,
    )

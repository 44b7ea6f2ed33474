"""The gateway's shared state: everything a request may use, built whole before the first request is served.

`open_gateway` opens the database, builds every part from the policy, starts the senders and the background work, and
only then returns the `Gateway`; no part is filled in later. The app's lifespan (gateway.app) holds it for as long as
the server runs and `close_gateway` takes it down. A handler reaches it with `gateway_of(request)`; a function that
needs one or two parts is given those parts, not the gateway.

What the policy makes of the gateway (the policy itself, the pipeline, the PII engine, the access tokens, the trusted
proxies) is one `Setup`, which a reload (gateway.reload) builds anew and swaps in with one assignment: a request that
takes `gateway.setup` once sees one policy throughout. The rest lives as long as the process.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sqlite3
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from starlette.requests import Request

from gateway import access, audit_checkpoints, keys, replay_destinations, request_context, retention, shared_keys, sink
from gateway.access import AccessControl
from gateway.accounts import AccountMap
from gateway.admission import Backlog
from gateway.audit import AuditLog
from gateway.catalog import Catalog, account_hasher
from gateway.client_ip import Network, parse_networks
from gateway.consent_ledger import ConsentLedger
from gateway.data_dir import make_private
from gateway.database import Database
from gateway.deletion import DeletionKeys, Deletions
from gateway.health import Health
from gateway.identity import Identity, linked_to
from gateway.invalidation import Invalidation
from gateway.live import LiveHub
from gateway.metrics import Metrics, policy_series
from gateway.outbox import OutboxStore, Sender
from gateway.outbox.dead_letters import DeadLetters
from gateway.outbox.ownership import Ownership
from gateway.outbox.replies import kept_reply
from gateway.outbox.transport import HttpTransport, Transport
from gateway.pipeline import Encoder, Pipeline
from gateway.protocols import PROTOCOLS, check_credentials, segment
from gateway.provenance import Provenance, verifies
from gateway.schema import open_database
from gateway.scrub_pool import ScrubPool
from gateway.supervisor import Supervised
from gateway.suppression import Suppression
from policies.consent import Consent, decide, read_signals
from policies.event import Event
from policies.loader import LOCAL_SINK
from policies.pii.scrubber import Scrubber
from policies.policy import Destination, Policy, Source
from replay import analysis as replay_analysis
from replay import compaction, object_index
from replay import service as replay_service
from replay.batching import batching_for
from replay.compression import Compressor
from replay.live import LiveAnalysis
from replay.privacy import RrwebPrivacy
from replay.service import Gate, ReplayService
from replay.store import ReplayStore

log = logging.getLogger("gateway")


@dataclass(frozen=True)
class Setup:
    """What one policy makes of the gateway; replaced whole, never changed in place."""

    policy: Policy
    pipeline: Pipeline
    scrubber: Scrubber
    access: AccessControl
    trusted_proxies: tuple[Network, ...]


@dataclass
class Gateway:
    setup: Setup
    data_dir: Path
    db: Database
    outbox: OutboxStore
    metrics: Metrics
    identity: Identity
    ledger: ConsentLedger
    audit: AuditLog
    suppression: Suppression
    replay: ReplayService
    deletions: Deletions
    secret: bytes
    http: httpx.AsyncClient
    health: Health
    dead_letters: DeadLetters
    signing_key: keys.SigningKey  # signs receipts and audit checkpoints; its public half is published
    senders: list[Sender]  # each supervised, stopped by its own stop()
    background: list[Supervised]  # replay analysis, deletions, retention, the catalog, the disk watch, audit
                                  # checkpoints: until `stopping`
    stopping: asyncio.Event
    accounts: AccountMap
    catalog: Catalog
    live: LiveHub
    ownership: Ownership  # which destinations this node sends (all of them on SQLite)
    invalidation: Invalidation  # other nodes' changes to cached state (PostgreSQL)
    ready: bool = True  # False once closing starts: /readyz says so while the senders finish
    backlog: Backlog = field(default_factory=Backlog)  # ingest requests admitted, not yet answered (gateway.admission)
    scrub_pool: ScrubPool | None = None  # the scrub workers ([http] scrub_workers); None: scrubbing on the loop

    @property
    def policy(self) -> Policy:
        return self.setup.policy

    @property
    def pipeline(self) -> Pipeline:
        return self.setup.pipeline

    @property
    def access(self) -> AccessControl:
        return self.setup.access

    @property
    def trusted_proxies(self) -> tuple[Network, ...]:
        return self.setup.trusted_proxies

    def supervised(self) -> list[Supervised]:
        """Everything that must keep running, for /readyz."""
        return [*(sender.supervisor for sender in self.senders), *self.background]

    def learn(self, links: list[tuple[str, str]], provenance: Provenance
              ) -> Callable[[sqlite3.Connection], None] | None:
        """What to write with a request's events: the identity links they revealed, and, across links a verifying
        credential made, the subject's consent."""
        if not links:
            return None

        def write(conn: sqlite3.Connection) -> None:
            self.identity.record_links(conn, links, provenance)
            if verifies(provenance):
                self.ledger.carry(conn, links, provenance)

        return write


def gateway_of(request: Request) -> Gateway:
    """The state of the app serving `request` (put there by the app's lifespan)."""
    return request.app.state.gateway


async def open_gateway(policy: Policy, data_dir: Path, announce_token: Callable[[str], None]) -> Gateway:
    check_credentials(policy)
    make_private(data_dir)
    db = open_database(data_dir, policy.storage.database_url)
    enabled = policy.enabled_destinations
    invalidation = Invalidation(db.engine)
    suppression = Suppression(db, invalidation)
    ownership = Ownership(db.engine, f"{socket.gethostname()}:{os.getpid()}")
    outbox = OutboxStore(db, policy.outbox.max_events, policy.outbox.full_retry_after_s, [d.name for d in enabled],
                         suppressed=suppression.in_commit)
    tokens = access.TokenStore(db)
    secret = keys.load_secret(policy, data_dir)
    if invalidation.shared:  # before this node writes a hash or a wrapped key another node would not match
        shared_keys.check(db, {"hash key": secret, "master key": keys.load_master_key(policy, data_dir)})
    signing_key = keys.load_signing_key(policy, data_dir)
    for warning in keys.placement_warnings(policy, data_dir):
        log.warning("%s", warning)
    identity = Identity(keys.derive(secret, "identity"))
    ledger = ConsentLedger(db, invalidation)
    metrics = Metrics(policy_series(policy, PROTOCOLS))
    audit = AuditLog(db, keys.derive(secret, "audit"), keys.derive(secret, "audit-values"))
    # A call made while serving a request (the PostHog pass-through) carries the request's X-Request-ID.
    http = httpx.AsyncClient(follow_redirects=False, event_hooks={"request": [request_context.forward_id]})
    accounts = AccountMap(db, invalidation)
    invalidation.start()  # every cache that follows other nodes has subscribed
    catalog = _catalog(policy, db, keys.derive(secret, "account"))
    setup = build_setup(policy, None, data_dir, secret, identity, suppression, ledger, tokens, accounts, catalog)
    # After the engine above is built: it makes the blank spaCy pipeline in the data directory the workers load.
    pool = await ScrubPool.start(policy.http.scrub_workers, policy.pii, keys.derive(secret, "pii"), data_dir, metrics,
                                 policy.http.busy_retry_after_s, policy.http.scrub_job_timeout_s
                                 ) if policy.http.scrub_workers else None
    token = access.bootstrap_admin_token(setup.access)
    if token is not None:
        announce_token(token)
    batching = batching_for(policy.replay.storage)
    if batching is not None:
        await asyncio.to_thread(batching.objects.check)  # a wrong bucket or key is said now, not at the first chunk
    store = ReplayStore(db, Compressor(policy.replay.compression_level), keys.replay_keys(policy, data_dir),
                        linked=linked_to, batching=batching, compact_after_s=policy.replay.storage.compact_after_s,
                        compact_level=policy.replay.storage.compact_level)
    replay = ReplayService(policy.replay, store, *replay_parts(setup, identity, suppression, ledger, metrics, outbox),
                           scrub_elsewhere=pool.prepare if pool is not None else None)
    deletions = Deletions(
        db, destinations=policy.destinations, identity=identity, suppression=suppression, outbox=outbox,
        replay=replay.store, ledger=ledger, audit=audit, http=http,
        keys=DeletionKeys(keys.derive(secret, "deletion-id"), signing_key),
        keep_consent_proof=policy.retention.keep_consent_proof, accounts=accounts, metrics=metrics,
    )
    stopping = asyncio.Event()
    health = Health(db, data_dir, policy.storage, metrics)
    work: dict[str, Callable[[], Awaitable[None]]] = {
        "deletions": lambda: deletions.run(stopping),
        "disk-watch": lambda: health.watch(stopping),
        "catalog": lambda: catalog.flush_periodically(policy.catalog.flush_interval_s, stopping),
    }
    if ownership.shared:  # several nodes send from this database: take and keep destinations, count what others queue
        work["destination-ownership"] = lambda: ownership.run(stopping)
        work["outbox-depth"] = lambda: outbox.recount_periodically(stopping)
    if batching is not None:
        work["replay-objects"] = lambda: object_index.sweep_periodically(
            store.sweep, policy.replay.storage.sweep_interval_s, stopping)
    if policy.replay.storage.compact_after_s > 0:
        work["replay-compaction"] = lambda: compaction.compact_periodically(
            store.compact, policy.replay.storage.sweep_interval_s, stopping)
    if policy.audit.checkpoint_sink:
        sink = audit_checkpoints.open_sink(policy.audit.checkpoint_sink)
        work["audit-checkpoints"] = lambda: audit_checkpoints.checkpoint_periodically(
            db, signing_key, sink, policy.audit.checkpoint_interval_s, stopping)
    background = [*(Supervised(name, run, stopping, metrics).start() for name, run in work.items()),
                  *policy_tasks(policy, db, replay, stopping, metrics).values()]
    gateway = Gateway(
        setup=setup, data_dir=data_dir, db=db, outbox=outbox, metrics=metrics, identity=identity, ledger=ledger,
        audit=audit, suppression=suppression, replay=replay, deletions=deletions, secret=secret, http=http,
        health=health, dead_letters=dead_letters_for(policy, outbox, suppression, ledger), signing_key=signing_key,
        senders=[], background=background, stopping=stopping, accounts=accounts, catalog=catalog, live=LiveHub(),
        ownership=ownership, invalidation=invalidation, scrub_pool=pool,
        backlog=Backlog(offloaded=pool.booked_s if pool is not None else None),
    )
    gateway.senders = [sender_for(d, gateway) for d in enabled]
    for sender in gateway.senders:
        sender.start()
    return gateway


def build_setup(policy: Policy, previous: Setup | None, data_dir: Path, secret: bytes, identity: Identity,
                suppression: Suppression, ledger: ConsentLedger, tokens: access.TokenStore, accounts: AccountMap,
                catalog: Catalog) -> Setup:
    """What `policy` makes of the gateway. The PII engine (Presidio, spaCy: seconds to build) is `previous`'s when the
    policy's [pii] is the same. The account map and the event catalog live as long as the process: the pipeline is
    given them (the catalog only while [catalog] is enabled)."""
    if previous is not None and previous.policy.pii == policy.pii:
        scrubber = previous.scrubber
    else:
        # Presidio offline, a blank spaCy pipeline kept in the data directory. Shared by the event pipeline and
        # replay; both run on the event loop's thread, which is what the scrubber needs.
        scrubber = Scrubber(policy.pii, keys.derive(secret, "pii"), data_dir)
    encoders = {d.name: _encoder_of(d.protocol) for d in policy.enabled_destinations}
    pipeline = Pipeline(policy, encoders, identity, suppression, ledger, keys.derive(secret, "consent-pseudonym"),
                        scrubber, accounts=accounts, catalog=catalog if policy.catalog.enabled else None)
    return Setup(policy=policy, pipeline=pipeline, scrubber=scrubber,
                 access=AccessControl(policy.access_tokens, tokens),
                 trusted_proxies=parse_networks(policy.http.trusted_proxies))


async def close_gateway(gateway: Gateway) -> None:
    """Stop taking work, let batches in flight finish, keep everything undelivered queued, close the database."""
    gateway.ready = False
    gateway.stopping.set()
    # A batch in flight may finish (its outcome recorded); what is still queued waits for the next start.
    await asyncio.gather(*(sender.stop() for sender in gateway.senders),
                         *(task.wait(grace_s=5.0) for task in gateway.background))
    if gateway.scrub_pool is not None:
        await gateway.scrub_pool.close()
    await gateway.replay.close(finish_training=False)  # a dictionary is tried again after the restart
    await gateway.replay.store.close()
    await gateway.http.aclose()
    await asyncio.to_thread(gateway.invalidation.close)
    gateway.db.close()


def _catalog(policy: Policy, db: Database, account_key: bytes) -> Catalog:
    """The event catalog; account ids in its volume view keyed-hashed unless [enrich] plain_account_ids."""
    hashed = str if policy.enrich.plain_account_ids else account_hasher(account_key)
    return Catalog(db, policy.enrich.account_path, hashed)


def policy_tasks(policy: Policy, db: Database, service: ReplayService, stopping: asyncio.Event, metrics: Metrics
                 ) -> dict[str, Supervised]:
    """The background work whose settings are the policy's, by name, started under supervision: replay analysis (the
    idle pass, and the live one that `service` feeds as chunks arrive, when replay is on), retention. Each ends when
    `stopping` is set; a reload with other settings cancels it and starts it anew (and gives `service` the new live
    analysis)."""
    store = service.store
    work: dict[str, Callable[[], Awaitable[None]]] = {
        "retention": lambda: retention.purge_periodically(db, policy.retention, store, stopping)}
    service.live = None
    if policy.replay.enabled:
        replay = policy.replay
        work["replay-analysis"] = lambda: replay_analysis.analyze_idle_sessions(
            store, replay.detect, replay.analyze_after_idle_s, stopping)
        if replay.analyze_live:
            live = service.live = LiveAnalysis(store, replay.detect, replay.analyze_live_delay_s)
            work["replay-live-analysis"] = lambda: live.run(stopping)
    return {name: Supervised(name, run, stopping, metrics).start() for name, run in work.items()}


def _encoder_of(protocol: str) -> Encoder:
    # The local sink keeps events in the canonical (Segment-shaped) wire form.
    return (segment.CODEC if protocol == LOCAL_SINK else PROTOCOLS[protocol]).outbox_encoder()


def sender_for(destination: Destination, gateway: Gateway) -> Sender:
    """The sender of a destination's batches: to its vendor over HTTP, or into the local sink. A refusing vendor's
    reply is kept as the PII engine of the policy in force leaves it (gateway.outbox.replies)."""
    transport: Transport
    if destination.protocol == LOCAL_SINK:
        transport, limits = sink.SinkTransport(gateway.db, destination.name), segment.OUTBOUND_LIMITS
    else:
        codec = PROTOCOLS[destination.protocol]
        transport, limits = HttpTransport(codec, destination, gateway.http), codec.outbound_limits
    return Sender(destination, transport, gateway.outbox, limits, gateway.metrics,
                  keep_reply=lambda reply: kept_reply(reply, gateway.setup.scrubber), ownership=gateway.ownership)


def dead_letters_for(policy: Policy, outbox: OutboxStore, suppression: Suppression, ledger: ConsentLedger
                     ) -> DeadLetters:
    """Dead letters as `policy` has them: redriven to its enabled destinations only, and withheld from a destination
    when the subject was deleted since or withdrew consent to a purpose the destination needs (and, for a recording,
    to `session_replay`, the consent it was recorded under)."""
    purposes = {d.name: d.purposes for d in policy.destinations}

    def withheld(destination: str, subjects: Sequence[str], kind: str) -> str | None:
        if suppression.suppressed(subjects):
            return "subject deleted"
        state = ledger.state(subjects) or {}
        needed = (*purposes.get(destination, ()), *((replay_service.PURPOSE,) if kind == "recording" else ()))
        if any(state.get(purpose) is False for purpose in needed):
            return "consent withdrawn"
        return None

    return DeadLetters(outbox, [d.name for d in policy.enabled_destinations], withheld)


def replay_parts(setup: Setup, identity: Identity, suppression: Suppression, ledger: ConsentLedger, metrics: Metrics,
                 outbox: OutboxStore) -> tuple[RrwebPrivacy, Gate]:
    """What replay is given of a setup: its masking (the policy's unmasked inputs, the PII engine) and its gate
    (with the outbox, for the destinations that take recordings)."""
    policy = setup.policy

    def subjects(identifiers: Mapping[str, str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(identity.hash(value) for value in identifiers.values()))

    def decision(source: Source, identifiers: Mapping[str, str], headers: Mapping[str, str],
                 query: Mapping[str, str]) -> Consent | None:
        """Consent for a recording's subject; None when the subject asked to be deleted."""
        ids = subjects(identifiers)
        if suppression.suppressed(ids):
            return None
        # A recording request carries no event: only the request's own signals (GPC, gdpr parameters) and the
        # subject's stored consent count. posthog-js's distinct_id may be a user id: not a device id here.
        devices = [identity.hash(identifiers["anonymousId"])] if "anonymousId" in identifiers else []
        signals = read_signals(Event("track", "-"), headers, query, policy.consent)
        return decide(signals, ledger.state(ids, devices), source.consent_model, policy.consent)

    def consent(source: Source, identifiers: Mapping[str, str], headers: Mapping[str, str],
                query: Mapping[str, str]) -> tuple[bool, str]:
        found = decision(source, identifiers, headers, query)
        if found is None:
            return False, "suppressed"
        # No reason when the policy does not declare the purpose at all; the metric still needs a label.
        return found.granted(replay_service.PURPOSE), found.reason(replay_service.PURPOSE) or "undeclared"

    privacy = RrwebPrivacy(policy.replay.unmasked_inputs, scrub_text=setup.scrubber.scrub_text,
                           scrub_attribute=setup.scrubber.scrub_attribute, scrub_value=setup.scrubber.scrub_json,
                           scrub_texts=setup.scrubber.scrub_texts)
    gate = Gate(source_for_key=policy.source_for_key, subjects=subjects, consent=consent, count=metrics.inc,
                forward=replay_destinations.forwarder(policy, decision, outbox, metrics))
    return privacy, gate

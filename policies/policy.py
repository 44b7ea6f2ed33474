"""The policy: what a validated policy file becomes.

Plain frozen dataclasses, built only by `policies.loader.load_policy`, so every value here has already been checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from policies.audit import AuditPolicy
from policies.catalog import CatalogConfig
from policies.consent import CONSENT_MODELS, ConsentConfig
from policies.enrich import Enrich
from policies.pii.config import PiiConfig
from policies.plans import TrackingPlan
from policies.replay import ReplayPolicy
from policies.retention import Retention

__all__ = ["CONSENT_MODELS", "ROLES"]  # CONSENT_MODELS is re-exported: the loader validates sources with it

ROLES = ("support", "ux", "compliance", "analyst", "admin")


@dataclass(frozen=True)
class Retry:
    """How a sender retries a destination: exponential backoff with jitter, Retry-After honoured up to a cap."""

    initial_backoff_s: float = 0.5
    max_backoff_s: float = 60.0
    multiplier: float = 2.0
    jitter: float = 0.1
    max_retry_after_s: float = 300.0
    # The first attempt's timeout. Each attempt after a failure waits `multiplier` times longer, up to max_timeout_s,
    # so a vendor slower than timeout_s is not sent the same batch again and again.
    timeout_s: float = 15.0
    max_timeout_s: float = 120.0


@dataclass(frozen=True)
class Destination:
    name: str
    protocol: str  # a key of gateway.protocols.DESTINATION_PROTOCOLS
    endpoint: str  # base URL; empty for the local sink
    credentials: dict[str, str]
    purposes: tuple[str, ...]
    enabled: bool = True
    retry: Retry = field(default_factory=Retry)
    deletion: dict[str, str] = field(default_factory=dict)  # the vendor's user-deletion API (gateway.vendor_deletion)
    on_missing_consent: str = "drop"  # a needed purpose never granted: "drop" or "anonymize" (policies.consent)
    # Batches sent at once. 1 keeps delivery in order of arrival; more drain a slow vendor faster, but a batch retried
    # may then arrive after younger ones (vendors order events by their timestamps; profile updates apply as they come).
    max_in_flight: int = 1
    # Session recordings too (docs/replay.md, Replay destinations): the chunks the gateway stored, as scrubbed, sent as
    # `$snapshot` events. PostHog destinations only, and off unless asked: a recording is more than an event.
    replay: bool = False


@dataclass(frozen=True)
class Source:
    name: str
    write_keys: tuple[str, ...]  # public: browser and mobile SDKs put them in every page and app
    destinations: tuple[str, ...]
    consent_model: str = "opt-in"
    allowed_origins: tuple[str, ...] = ()
    tracking_plan: TrackingPlan | None = None  # read from the file its `tracking_plan` names (policies.plans.file)
    on_violation: str = "flag"  # one of policies.plans.ON_VIOLATION
    on_violation_events: dict[str, str] = field(default_factory=dict)  # event name -> action, overriding on_violation
    server_keys: tuple[str, ...] = ()  # secret: server-side SDKs and the customer's backend

    def violation_action(self, event_name: str) -> str:
        return self.on_violation_events.get(event_name, self.on_violation)


# Which kind of key a request came with. What a request may say depends on it: a public key records consent for the
# device it names and claims identity links; a server key speaks for users (see docs/consent.md, "Threat model").
KeyKind = Literal["public", "server"]


@dataclass(frozen=True, slots=True)
class SourceKey:
    source: Source
    kind: KeyKind


@dataclass(frozen=True)
class Outbox:
    """Bounds of the durable queue. When full, ingest answers 503 with Retry-After instead of dropping."""

    max_events: int = 1_000_000
    full_retry_after_s: int = 30


@dataclass(frozen=True)
class Storage:
    """The disk under the data directory. Below `min_free_mb` (counting the database's reusable pages) ingest answers
    503 with Retry-After and /readyz says not ready, so that delivery, which frees space, can still record its work."""

    min_free_mb: int = 64
    retry_after_s: int = 10  # what ingest tells clients when it cannot write (disk nearly full, writes failing)
    # A PostgreSQL database (postgresql://user:password@host/db) instead of the SQLite file in the data directory;
    # usually "${GATEWAY_DATABASE_URL}", so the password stays out of the file. Empty: SQLite (the default).
    database_url: str = ""


@dataclass(frozen=True)
class Http:
    """How the gateway sits on the network. The listener's settings (timeouts of a connection and its request head, the
    head's size, the connection limit) take effect at start; trusted proxies and the body timeout also on reload."""

    # Peers whose X-Forwarded-For and X-Forwarded-Proto are believed (CIDRs). Anyone else could write anything there.
    trusted_proxies: tuple[str, ...] = ()
    keep_alive_timeout_s: float = 5.0  # an idle connection between requests is closed after this
    header_timeout_s: float = 10.0  # a connection's request head must arrive whole within this (slowloris)
    body_timeout_s: float = 60.0  # a request body must arrive whole within this, from when the gateway reads it
    max_header_bytes: int = 64 * 1024  # a larger request head gets 431
    max_connections: int = 1000  # connections (and requests in progress) served at once; beyond them 503
    # Connections the kernel holds for the gateway before it accepts them (listen(2)'s backlog). The gateway's loop
    # stays free to accept (admission control below), so this fills only in a stall; beyond it the kernel drops new
    # connections (their clients retry) instead of piling up waits the gateway cannot see.
    accept_backlog: int = 512
    # Admission control (gateway.admission): an ingest request that has waited this long for the loop since it was
    # ready, or that arrives while a request admitted before it has waited this long for its answer, is refused at
    # once with 503 and Retry-After (busy_retry_after_s): under overload every answer comes within about the bound
    # plus one request's work.
    max_queue_wait_s: float = 0.5
    busy_retry_after_s: int = 1
    # Worker processes that scrub PII for ingest requests (gateway.scrub_pool), while this process keeps the loop, the
    # commit and delivery; 0: scrubbing on the loop. Read at start.
    scrub_workers: int = 0
    # A scrub worker that has not answered the job it is on in this time is taken as hung: killed and replaced, its
    # jobs given to another worker once, then answered 503. Generous: a job takes tens of milliseconds.
    scrub_job_timeout_s: float = 30.0


@dataclass(frozen=True)
class Privacy:
    # The secret behind every keyed hash (subject ids, pseudonyms, the `hash` redaction). Empty: the gateway makes one
    # and keeps it in the data directory, which suits development; production sets it from the environment.
    hash_key: str = ""
    # The Ed25519 private key (PEM) that signs deletion receipts and audit checkpoints. Empty: one made in the data
    # directory, which whoever holds the data can use to re-sign; production puts it elsewhere (made there if missing).
    key_file: str = ""
    # The master key (64 hex characters) that wraps the data keys recordings are encrypted under (replay.shredding).
    # The environment's PRIVACY_GATEWAY_MASTER_KEY wins over it. Empty: one made in the data directory.
    master_key_file: str = ""
    # Days within which an access or deletion request must be answered (GDPR: one month): the due dates shown.
    response_days: int = 30


@dataclass(frozen=True)
class AccessToken:
    name: str
    role: str
    sha256: str  # hex digest of the token; the token itself is never stored


@dataclass(frozen=True)
class Policy:
    path: str
    sources: tuple[Source, ...]
    destinations: tuple[Destination, ...]
    outbox: Outbox = field(default_factory=Outbox)
    storage: Storage = field(default_factory=Storage)
    http: Http = field(default_factory=Http)
    privacy: Privacy = field(default_factory=Privacy)
    replay: ReplayPolicy = field(default_factory=ReplayPolicy)
    retention: Retention = field(default_factory=Retention)
    consent: ConsentConfig = field(default_factory=ConsentConfig)
    pii: PiiConfig = field(default_factory=PiiConfig)
    audit: AuditPolicy = field(default_factory=AuditPolicy)
    access_tokens: tuple[AccessToken, ...] = ()
    enrich: Enrich = field(default_factory=Enrich)
    catalog: CatalogConfig = field(default_factory=CatalogConfig)
    # SHA-256 of the file's bytes as read (hex): what `sha256sum` prints for it, so that nodes (and an operator) can
    # tell whether they run the same file (gateway.policy_sync). Empty for a policy not read from a file.
    digest: str = ""

    def __post_init__(self) -> None:
        # Looked up on every request; the loader has already checked that keys are unique across sources and kinds.
        keys = {key: SourceKey(source, "public") for source in self.sources for key in source.write_keys}
        keys |= {key: SourceKey(source, "server") for source in self.sources for key in source.server_keys}
        object.__setattr__(self, "_sources_by_key", keys)

    def source_key(self, key: str) -> SourceKey | None:
        """The source a key belongs to and whether the key is public or secret (server)."""
        return self._sources_by_key.get(key)  # type: ignore[attr-defined]

    def source_for_key(self, key: str) -> Source | None:
        found = self.source_key(key)
        return found.source if found is not None else None

    def source_for_name(self, name: str) -> Source | None:
        return next((source for source in self.sources if source.name == name), None)

    def destination(self, name: str) -> Destination:
        for destination in self.destinations:
            if destination.name == name:
                return destination
        raise KeyError(name)

    @property
    def enabled_destinations(self) -> tuple[Destination, ...]:
        return tuple(d for d in self.destinations if d.enabled)

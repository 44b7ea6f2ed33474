"""Load and validate a policy file (TOML).

Every problem is reported as `PolicyError(file, key, problem)`, e.g.

    policies/site.toml: destinations[1].protocol: unknown protocol 'segmnt'; expected one of amplitude, mixpanel, ...

so that a bad file stops the start with a message that says where to look and what to change. Unknown keys are errors
too: a typo in a privacy setting must not silently fall back to a default. Each section is read by its own module's
reader, all of one shape (policies.table.SectionReader); this module puts them together and checks what spans them
(unique names, sources naming known destinations, destinations needing declared purposes).

Secrets are `${VAR}` references to the environment (`${VAR:-default}` gives a fallback). A disabled destination's
references are not resolved, so a policy can carry a vendor that is switched off without its secrets being set.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import re
import tomllib
from collections.abc import Collection, Mapping
from pathlib import Path

from policies.audit import read_audit
from policies.catalog import read_catalog
from policies.consent import DEFAULT_ON_MISSING_CONSENT, ON_MISSING_CONSENT, read_consent, validate_purposes
from policies.enrich import read_enrich
from policies.pii.config import read_pii
from policies.plans import ON_VIOLATION
from policies.plans.file import load_plan
from policies.policy import (
    CONSENT_MODELS,
    ROLES,
    AccessToken,
    Destination,
    Http,
    Outbox,
    Policy,
    Privacy,
    Retry,
    Source,
    Storage,
)
from policies.replay import read_replay
from policies.retention import read_retention
from policies.table import ENV_REF, REQUIRED, PolicyError, Table

DEFAULT_POLICY = Path(__file__).with_name("default.toml")
LOCAL_SINK = "sink"
# Protocols whose destinations can take session recordings (`replay = true`): the ones with a recording format.
REPLAY_PROTOCOLS = ("posthog",)

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
# A server key speaks for users (their consent, their identity links): it must not be guessable.
MIN_SERVER_KEY_CHARS = 24


def _read_retry(table: Table) -> Retry:
    defaults = Retry()
    retry = Retry(
        initial_backoff_s=table.number("initial_backoff_s", defaults.initial_backoff_s),
        max_backoff_s=table.number("max_backoff_s", defaults.max_backoff_s),
        multiplier=table.number("multiplier", defaults.multiplier, minimum=1.0),
        jitter=table.number("jitter", defaults.jitter),
        max_retry_after_s=table.number("max_retry_after_s", defaults.max_retry_after_s),
        timeout_s=table.number("timeout_s", defaults.timeout_s, minimum=0.001),
        max_timeout_s=table.number("max_timeout_s", defaults.max_timeout_s, minimum=0.001),
    )
    table.finish()
    if retry.jitter >= 1:
        raise table.error("jitter", "must be below 1 (a fraction of the delay)")
    if retry.max_timeout_s < retry.timeout_s:
        raise table.error("max_timeout_s", f"must be at least timeout_s ({retry.timeout_s:g})")
    return retry


def _read_destination(table: Table, protocols: Collection[str]) -> Destination:
    enabled = table.boolean("enabled", True)
    if not enabled:
        table.env = None  # a switched-off vendor's secrets need not be set
    protocol = table.string("protocol", choices=protocols)
    endpoint = table.string("endpoint", "" if protocol == LOCAL_SINK else REQUIRED)
    unresolved_ref = table.env is None and ENV_REF.search(endpoint)
    if endpoint and not endpoint.startswith(("http://", "https://")) and not unresolved_ref:
        raise table.error("endpoint", f"expected an http:// or https:// base URL, got {endpoint!r}")
    destination = Destination(
        name=table.string("name"),
        protocol=protocol,
        endpoint=endpoint.rstrip("/"),
        enabled=enabled,
        credentials=table.string_map("credentials"),
        purposes=table.strings("purposes", ("analytics",)),
        retry=_read_retry(table.table("retry")),
        deletion=table.string_map("deletion"),
        on_missing_consent=table.string("on_missing_consent", DEFAULT_ON_MISSING_CONSENT, choices=ON_MISSING_CONSENT),
        max_in_flight=table.integer("max_in_flight", Destination.max_in_flight, minimum=1),
        replay=table.boolean("replay", False),
    )
    table.finish()
    if destination.replay and protocol not in REPLAY_PROTOCOLS:
        raise table.error("replay", f"recordings can be sent to {', '.join(REPLAY_PROTOCOLS)} destinations only, "
                                    f"not {protocol}")
    return destination


def _read_source(table: Table, policy_dir: Path) -> Source:
    plan_file = table.string("tracking_plan", "")
    overrides = table.string_map("on_violation_events")
    for name, action in overrides.items():
        if action not in ON_VIOLATION:
            raise table.error(f"on_violation_events.{name}", f"unknown value {action!r}; expected one of "
                                                              f"{', '.join(ON_VIOLATION)}")
    source = Source(
        name=table.string("name"),
        write_keys=table.strings("write_keys"),
        destinations=table.strings("destinations"),
        consent_model=table.string("consent_model", "opt-in", choices=CONSENT_MODELS),
        allowed_origins=table.strings("allowed_origins", ()),
        # Relative to the policy file, so a policy and its plans move together.
        tracking_plan=load_plan(policy_dir / plan_file) if plan_file else None,
        on_violation=table.string("on_violation", "flag", choices=ON_VIOLATION),
        on_violation_events=overrides,
        server_keys=table.strings("server_keys", ()),
    )
    table.finish()
    if not source.write_keys:
        raise table.error("write_keys", "needs at least one key")
    for name, keys in (("write_keys", source.write_keys), ("server_keys", source.server_keys)):
        for i, key in enumerate(keys):
            if not key.strip():
                raise table.error(f"{name}[{i}]", "is empty (is its environment variable set to an empty string?)")
    for i, key in enumerate(source.server_keys):
        if len(key) < MIN_SERVER_KEY_CHARS:
            raise table.error(f"server_keys[{i}]", f"too short for a secret: use at least {MIN_SERVER_KEY_CHARS} "
                                                   "random characters (e.g. `openssl rand -hex 24`)")
    return source


def _read_access(table: Table) -> tuple[AccessToken, ...]:
    tokens = []
    for entry in table.tables("tokens"):
        sha = entry.string("sha256").lower()
        if not _HEX64.match(sha):
            raise entry.error(
                "sha256", "expected the 64 hex digits of sha256(token), e.g. from `privacy-gateway token`"
            )
        tokens.append(AccessToken(name=entry.string("name"), role=entry.string("role", choices=ROLES), sha256=sha))
        entry.finish()
    table.finish()
    return tuple(tokens)


def _read_http(table: Table) -> Http:
    proxies = table.strings("trusted_proxies", ())
    for i, cidr in enumerate(proxies):
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            raise table.error(f"trusted_proxies[{i}]", f"not an IP address or network: {cidr!r}") from None
    d = Http()
    http = Http(
        trusted_proxies=proxies,
        keep_alive_timeout_s=table.number("keep_alive_timeout_s", d.keep_alive_timeout_s, minimum=0.1),
        header_timeout_s=table.number("header_timeout_s", d.header_timeout_s, minimum=0.1),
        body_timeout_s=table.number("body_timeout_s", d.body_timeout_s, minimum=0.1),
        max_header_bytes=table.integer("max_header_bytes", d.max_header_bytes, minimum=1024),
        max_connections=table.integer("max_connections", d.max_connections, minimum=1),
        accept_backlog=table.integer("accept_backlog", d.accept_backlog, minimum=1),
        max_queue_wait_s=table.number("max_queue_wait_s", d.max_queue_wait_s, minimum=0.0),
        busy_retry_after_s=table.integer("busy_retry_after_s", d.busy_retry_after_s, minimum=1),
        scrub_workers=_scrub_workers(table, d.scrub_workers),
        scrub_job_timeout_s=table.number("scrub_job_timeout_s", d.scrub_job_timeout_s, minimum=0.1),
    )
    table.finish()
    return http


# `[http] scrub_workers = "auto"` gives at most this many: each worker holds a PII engine of its own in memory, and
# past a few the serving process's loop, not the scrubbing, is what limits ingest.
AUTO_SCRUB_WORKERS_MAX = 4


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, which a container's cpuset narrows), at least 1."""
    affinity = getattr(os, "sched_getaffinity", None)
    return max(1, len(affinity(0)) if affinity is not None else (os.cpu_count() or 1))


def auto_scrub_workers(cores: int) -> int:
    """What `[http] scrub_workers = "auto"` means on `cores` usable cores: one worker per core beyond the one
    the serving process's loop takes (none on one core, where a worker only adds the hand-off), up to the cap."""
    return max(0, min(cores - 1, AUTO_SCRUB_WORKERS_MAX))


def _scrub_workers(table: Table, default: int) -> int:
    """`[http] scrub_workers`: a count, or "auto" (auto_scrub_workers of the usable cores)."""
    if isinstance(table.data.get("scrub_workers"), str):
        table.string("scrub_workers", choices=("auto",))
        return auto_scrub_workers(usable_cores())
    return table.integer("scrub_workers", default, minimum=0)


def _read_outbox(table: Table) -> Outbox:
    outbox = Outbox(
        max_events=table.integer("max_events", Outbox.max_events, minimum=1),
        full_retry_after_s=table.integer("full_retry_after_s", Outbox.full_retry_after_s, minimum=1),
    )
    table.finish()
    return outbox


def _read_storage(table: Table) -> Storage:
    storage = Storage(
        min_free_mb=table.integer("min_free_mb", Storage.min_free_mb),
        retry_after_s=table.integer("retry_after_s", Storage.retry_after_s, minimum=1),
        database_url=table.string("database_url", Storage.database_url).strip(),
    )
    table.finish()
    return storage


def _read_privacy(table: Table) -> Privacy:
    privacy = Privacy(hash_key=table.string("hash_key", ""), key_file=table.string("key_file", "").strip(),
                      master_key_file=table.string("master_key_file", "").strip(),
                      response_days=table.integer("response_days", Privacy.response_days, minimum=1))
    table.finish()
    if privacy.hash_key and len(privacy.hash_key) < 16:
        raise table.error("hash_key", "too short: use at least 16 random characters (e.g. `openssl rand -hex 32`)")
    if privacy.key_file and not privacy.key_file.startswith("/"):
        raise table.error("key_file", f"expected an absolute path, got {privacy.key_file!r}")
    if privacy.master_key_file and not privacy.master_key_file.startswith("/"):
        raise table.error("master_key_file", f"expected an absolute path, got {privacy.master_key_file!r}")
    return privacy


def _unique(items: list[Table], values: list[str], what: str, key: str) -> None:
    seen: dict[str, int] = {}
    for table, value in zip(items, values, strict=True):
        if value in seen:
            raise table.error(key, f"duplicate {what} {value!r}")
        seen[value] = 1


def parse_policy(
    text: str, file: str, protocols: Collection[str], env: Mapping[str, str] | None = None
) -> Policy:
    """Validate policy `text` (the contents of `file`). `protocols` are the destination protocols the gateway speaks.
    The policy's digest is that of `text` in UTF-8: the file's bytes when `text` was read from it by load_policy."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(file, "", f"not valid TOML: {exc}") from None
    root = Table(file, data, "", os.environ if env is None else env)

    source_tables = root.tables("sources")
    destination_tables = root.tables("destinations")
    destinations = [_read_destination(t, protocols) for t in destination_tables]
    sources = [_read_source(t, Path(file).parent) for t in source_tables]
    outbox = root.read("outbox", _read_outbox)
    storage = root.read("storage", _read_storage)
    http = root.read("http", _read_http)
    privacy = root.read("privacy", _read_privacy)
    replay = root.read("replay", read_replay)
    retention = root.read("retention", read_retention)
    consent = root.read("consent", read_consent)
    pii = root.read("pii", read_pii)
    audit = root.read("audit", read_audit)
    access = root.read("access", _read_access)
    enrich = root.read("enrich", read_enrich)
    catalog = root.read("catalog", read_catalog)
    root.finish()

    if not sources:
        raise PolicyError(file, "sources", "no [[sources]]: nothing could send events to the gateway")
    _unique(destination_tables, [d.name for d in destinations], "destination name", "name")
    _unique(source_tables, [s.name for s in sources], "source name", "name")
    seen_keys: dict[str, str] = {}
    for table, source in zip(source_tables, sources, strict=True):
        for name, keys in (("write_keys", source.write_keys), ("server_keys", source.server_keys)):
            for i, key in enumerate(keys):
                if key in seen_keys:
                    raise table.error(f"{name}[{i}]", f"key already belongs to source {seen_keys[key]!r}")
                seen_keys[key] = source.name
    for i, destination in enumerate(destinations):
        validate_purposes(consent, destination.purposes, file, f"destinations[{i}].purposes")
    by_name = {d.name: d for d in destinations}
    for table, source in zip(source_tables, sources, strict=True):
        for i, name in enumerate(source.destinations):
            if name not in by_name:
                known = ", ".join(sorted(by_name)) or "none defined"
                raise table.error(f"destinations[{i}]", f"no destination named {name!r} (known: {known})")
    return Policy(
        path=file,
        sources=tuple(sources),
        destinations=tuple(destinations),
        outbox=outbox,
        storage=storage,
        http=http,
        privacy=privacy,
        replay=replay,
        retention=retention,
        consent=consent,
        pii=pii,
        audit=audit,
        access_tokens=access,
        enrich=enrich,
        catalog=catalog,
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def load_policy(path: str | Path, protocols: Collection[str], env: Mapping[str, str] | None = None) -> Policy:
    """Read and validate the policy file at `path`; raises PolicyError naming the file, the key and the problem."""
    file = str(path)
    try:
        # Bytes decoded as they are (no newline translation): the digest is then that of the file, as sha256sum's.
        text = Path(path).read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise PolicyError(file, "", "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(file, "", f"cannot be read: {exc}") from None
    return parse_policy(text, file, protocols, env)

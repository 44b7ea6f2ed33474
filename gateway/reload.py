"""Reloading the policy without a restart (`kill -HUP`): the file is read and validated again and everything it makes is
built before anything changes; on any error the running policy stays and the log says why (never a secret).

What a reload changes, at once:
- sources: write keys, consent model, destinations, allowed origins (CORS);
- destinations: endpoint, credentials, retry, purposes, consent handling, enabled or not, deletion settings. The sender
  of a destination whose settings changed is stopped (its batch in flight may finish) and started anew with them:
  queued events wait in the outbox meanwhile and keep their order, and go out with the new credentials. A destination
  removed or disabled keeps its queued events for when it returns;
- [consent], [pii] (the PII engine is built anew only when [pii] changed, off the event loop; scrub workers are
  replaced by a set started with it), [replay] limits,
  masking and detection, [retention] (the purge starts again with the new periods), [outbox] bounds, access tokens,
  `[http] trusted_proxies` and `body_timeout_s`, `[storage]` (free-space floor, Retry-After), dead letters' redrive
  targets.

What needs a restart, kept as it runs (the log names each such setting that changed): the data directory and the
listener (`--data-dir`, `--host`, `--port`), `[http]`'s other settings, `[privacy] hash_key` (every keyed hash and
pseudonym depends on it) and `key_file` (the signing key of receipts and checkpoints), `[audit]` (the checkpoints'
sink and interval), `[replay] compression_level` and `[replay.storage]`, the event catalog's
`[catalog] flush_interval_s` and `[enrich]` `account_path`/`plain_account_ids` (`[catalog] enabled` does change at
once).

Refused outright: a destination whose protocol changed. Its queued events are in the old protocol's wire format; give
the new one another name (the old name's events then wait until it returns).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable, Coroutine

from gateway import access, keys
from gateway.metrics import policy_series
from gateway.protocols import DESTINATION_PROTOCOLS, PROTOCOLS, check_credentials
from gateway.state import Gateway, build_setup, dead_letters_for, policy_tasks, replay_parts, sender_for
from policies.loader import load_policy
from policies.policy import Policy
from policies.table import PolicyError

log = logging.getLogger("gateway.reload")

# Settings a running gateway cannot take on: they are read once, at start.
RESTART_ONLY: tuple[tuple[str, Callable[[Policy], object]], ...] = (
    ("[privacy] hash_key", lambda p: p.privacy.hash_key),
    ("[privacy] key_file", lambda p: p.privacy.key_file),
    ("[privacy] master_key_file", lambda p: p.privacy.master_key_file),
    ("[audit] checkpoint_sink", lambda p: p.audit.checkpoint_sink),
    ("[audit] checkpoint_interval_s", lambda p: p.audit.checkpoint_interval_s),
    ("[http] keep_alive_timeout_s", lambda p: p.http.keep_alive_timeout_s),
    ("[http] header_timeout_s", lambda p: p.http.header_timeout_s),
    ("[http] max_header_bytes", lambda p: p.http.max_header_bytes),
    ("[http] max_connections", lambda p: p.http.max_connections),
    ("[http] accept_backlog", lambda p: p.http.accept_backlog),
    ("[http] scrub_workers", lambda p: p.http.scrub_workers),
    ("[replay] compression_level", lambda p: p.replay.compression_level),
    ("[replay.storage]", lambda p: p.replay.storage),
    ("[catalog] flush_interval_s", lambda p: p.catalog.flush_interval_s),
    ("[enrich] account_path", lambda p: p.enrich.account_path),
    ("[enrich] plain_account_ids", lambda p: p.enrich.plain_account_ids),
)
# Keys whose values may be secrets: an error there names the key, not the value.
SECRET_KEYS = ("credentials", "deletion", "hash_key", "write_keys", "sha256", "token", "key", "endpoint")


class ReloadRefused(Exception):
    """A policy that is valid on its own but cannot replace the running one."""


def loggable(error: Exception) -> str:
    """What to log of a failed reload: the file, the key and the problem, unless the problem quotes a value that may
    be a secret."""
    if isinstance(error, PolicyError):
        if any(word in error.key.lower() for word in SECRET_KEYS):
            return f"{error.file}: {error.key}: invalid value (not shown: it may be a secret)"
        return str(error)
    if isinstance(error, ReloadRefused):
        return str(error)
    return f"{type(error).__name__} while building the new policy's parts"


def restart_only_changes(old: Policy, new: Policy) -> list[str]:
    """Which of the settings read only at start differ; ReloadRefused if `new` cannot replace `old` at all."""
    before = {d.name: d.protocol for d in old.destinations}
    for destination in new.destinations:
        if before.get(destination.name, destination.protocol) != destination.protocol:
            raise ReloadRefused(f"{new.path}: destination {destination.name!r} changed protocol from "
                                f"{before[destination.name]} to {destination.protocol}: its queued events are in "
                                f"the old format; give the new destination another name")
    return [name for name, setting in RESTART_ONLY if setting(old) != setting(new)]


Announce = Callable[[Policy], Awaitable[None]]


class Reloader:
    """Reloads one gateway's policy from its file, one reload at a time. A reload on SIGHUP that succeeds is given to
    `announce` (gateway.policy_sync: other nodes then reload theirs); one started otherwise is not, so that a node
    following another's reload does not set off a round of its own."""

    def __init__(self, gateway: Gateway, announce: Announce | None = None) -> None:
        self.gateway = gateway
        self.announce = announce
        self._lock = asyncio.Lock()
        self._running: set[asyncio.Task[object]] = set()

    def on_signal(self) -> None:
        """The SIGHUP handler: start a reload (the loop keeps a reference until it is done)."""
        self.start(self._signalled())

    def start(self, reload: Coroutine[None, None, object]) -> None:
        """Run `reload` (a coroutine that reloads) on the running loop, keeping a reference until it is done."""
        task = asyncio.get_running_loop().create_task(reload, name="policy-reload")
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _signalled(self) -> bool:
        reloaded = await self.reload()
        if reloaded and self.announce is not None:
            await self.announce(self.gateway.policy)
        return reloaded

    async def reload(self) -> bool:
        """Read, validate and apply the policy file; True if the new policy now runs."""
        async with self._lock:
            gateway = self.gateway
            path = gateway.policy.path
            old = gateway.policy
            try:
                policy = load_policy(path, DESTINATION_PROTOCOLS)
                check_credentials(policy)
                pending = restart_only_changes(old, policy)
                setup = await asyncio.to_thread(
                    build_setup, policy, gateway.setup, gateway.data_dir, gateway.secret, gateway.identity,
                    gateway.suppression, gateway.ledger, access.TokenStore(gateway.db), gateway.accounts,
                    gateway.catalog)
                if gateway.scrub_pool is not None and policy.pii != old.pii:
                    await gateway.scrub_pool.reconfigure(policy.pii)  # before any request runs with the new policy
            except Exception as error:  # noqa: BLE001 - whatever it was, the running policy stays
                gateway.metrics.inc("gateway_policy_reloads_total", result="failed")
                log.error("policy reload failed; still serving the policy loaded before: %s", loggable(error))
                return False
            gateway.metrics.declare(policy_series(policy, PROTOCOLS))  # new sources' and destinations' at zero
            gateway.setup = setup  # one assignment: from here on, every request sees the new policy
            gateway.replay.reconfigure(policy.replay, *replay_parts(setup, gateway.identity, gateway.suppression,
                                                                    gateway.ledger, gateway.metrics, gateway.outbox))
            gateway.outbox.max_events = policy.outbox.max_events
            gateway.outbox.full_retry_after_s = policy.outbox.full_retry_after_s
            gateway.deletions.destinations = policy.destinations
            gateway.deletions.keep_consent_proof = policy.retention.keep_consent_proof
            gateway.dead_letters = dead_letters_for(policy, gateway.outbox, gateway.suppression, gateway.ledger)
            gateway.health.configure(policy.storage)
            _restart_policy_tasks(gateway, old, policy)
            restarted = await _reconcile_senders(gateway, policy)
            gateway.metrics.inc("gateway_policy_reloads_total", result="ok")
            log.info("policy reloaded from %s (fingerprint %s): %d source(s), %d destination(s) enabled%s", path,
                     keys.policy_fingerprint(gateway.secret, policy.digest), len(policy.sources),
                     len(policy.enabled_destinations),
                     f"; senders started anew: {', '.join(restarted)}" if restarted else "")
            for name in pending:
                log.warning("policy reload: %s changed; it takes effect at the next restart", name)
            return True


async def _reconcile_senders(gateway: Gateway, policy: Policy) -> list[str]:
    """One sender per enabled destination, with its current settings: unchanged ones keep running, changed ones are
    stopped before their successors start (never two for one destination, so delivery stays in order). Returns the
    names of the destinations whose sender started anew."""
    wanted = {d.name: d for d in policy.enabled_destinations}
    keep = [s for s in gateway.senders if wanted.get(s.destination.name) == s.destination]
    stop = [s for s in gateway.senders if s not in keep]
    await asyncio.gather(*(sender.stop() for sender in stop))
    running = {s.destination.name for s in keep}
    started = [] if gateway.stopping.is_set() else [
        sender_for(d, gateway)
        for name, d in wanted.items() if name not in running]
    for sender in started:
        sender.start()
    gateway.senders = keep + started
    return [s.destination.name for s in started]


def _task_settings(policy: Policy) -> tuple[object, ...]:
    replay = policy.replay
    return (replay.enabled, replay.detect, replay.analyze_after_idle_s, replay.analyze_live,
            replay.analyze_live_delay_s, policy.retention)


def _restart_policy_tasks(gateway: Gateway, old: Policy, new: Policy) -> None:
    """Replay analysis and retention run with the settings they were started with: start them anew if those changed."""
    if _task_settings(old) == _task_settings(new):
        return
    fresh = policy_tasks(new, gateway.db, gateway.replay, gateway.stopping, gateway.metrics)
    kept = []
    for supervised in gateway.background:
        if supervised.name in ("replay-analysis", "replay-live-analysis", "retention"):
            supervised.cancel()  # cancelled at an await: a write already queued still commits
        else:
            kept.append(supervised)
    gateway.background = [*kept, *fresh.values()]


def reload_on_sighup(reloader: Reloader) -> Callable[[], None]:
    """Install the SIGHUP handler on the running loop; returns what removes it. (Only the main thread's loop can have
    signal handlers: the command line's server, not tests' in-process apps.)"""
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGHUP, reloader.on_signal)

    def remove() -> None:
        loop.remove_signal_handler(signal.SIGHUP)

    return remove

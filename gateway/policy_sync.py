"""Nodes on one PostgreSQL database reload their policy together: a reload on SIGHUP that succeeds on one node is
announced (gateway.invalidation, topic "policy", with the fingerprint of the file it loaded), and every other node, on
hearing it, reloads its own policy file as SIGHUP does (gateway.reload: same checks, same log; a file that does not
load leaves the running policy in place). An operator whose configuration management changes every node's file then
signals one node. A reload set off by a notice is not announced again, so one signal makes one round.

The fingerprint is a keyed hash (gateway.keys.policy_fingerprint, under the hash key every node shares) of the SHA-256
of the file's bytes, not of the policy as loaded: it needs no canonical form of every setting and never covers a
secret taken from the environment (`${VAR}`). It is keyed because /metrics shows it to anyone: a plain hash of a file
that holds a secret would let them test guesses of it. Two files that differ only in a comment show as different:
configuration management gives every node the same bytes, so any difference is worth a look.

Drift is visible: /metrics shows each node's fingerprint (`gateway_policy_info`), and a node whose fingerprint, after
following a reload, is not the one announced logs a warning naming both (never the policy's contents).

A notice that names nothing (after the listening connection was lost: one may have been missed) reloads only if the
file on disk is no longer the one running. On SQLite there is one process and nothing is announced or heard.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
from pathlib import Path

from gateway import keys
from gateway.invalidation import Invalidation
from gateway.reload import Reloader
from gateway.storage.connection import Connection
from policies.policy import Policy

log = logging.getLogger("gateway.policy_sync")

TOPIC = "policy"


class PolicySync:
    """Announce this node's reloads on SIGHUP and follow the other nodes'. Notices arrive on the listener's thread;
    the reload they start runs on `loop`, the gateway's."""

    def __init__(self, reloader: Reloader, invalidation: Invalidation, loop: asyncio.AbstractEventLoop) -> None:
        self.reloader = reloader
        self.invalidation = invalidation
        self.loop = loop
        # Which notices are this node's own (every node hears its own NOTIFY too). Random: no host name goes out.
        self.node = secrets.token_hex(8)
        if invalidation.shared:
            reloader.announce = self.announce
            invalidation.subscribe(TOPIC, self.heard)

    async def announce(self, policy: Policy) -> None:
        """After this node's reload on SIGHUP: tell the other nodes to reload theirs."""
        def notify(conn: Connection) -> None:
            self.invalidation.announce(conn, TOPIC, [f"{self._fingerprint(policy)}@{self.node}"])

        try:
            await self.reloader.gateway.db.write(notify)
        except Exception as error:  # noqa: BLE001 - this node's reload stands; only the others are not told
            log.warning("policy reloaded here, but the other nodes could not be told (%s): signal each of them",
                        type(error).__name__)

    def heard(self, keys: frozenset[str] | None) -> None:
        """On the listener's thread: another node reloaded (with these digests), or None: a notice may have been
        missed."""
        if keys is None:
            if self._file_changed():
                self._start(frozenset())
            return
        digests = frozenset(digest for digest, _, node in (key.partition("@") for key in keys) if node != self.node)
        if digests:
            self._start(digests)

    def _start(self, digests: frozenset[str]) -> None:
        # The reloader keeps a reference to the task until it is done, as for SIGHUP's.
        self.loop.call_soon_threadsafe(lambda: self.reloader.start(self._follow(digests)))

    def _fingerprint(self, policy: Policy) -> str:
        return keys.policy_fingerprint(self.reloader.gateway.secret, policy.digest)

    def _file_changed(self) -> bool:
        policy = self.reloader.gateway.policy
        try:
            return hashlib.sha256(Path(policy.path).read_bytes()).hexdigest() != policy.digest
        except OSError:
            return True  # the reload says what is wrong with the file, as SIGHUP's would

    async def _follow(self, digests: frozenset[str]) -> None:
        log.info("policy: another node reloaded its policy; reloading this node's from its file")
        await self.reloader.reload()
        mine = self._fingerprint(self.reloader.gateway.policy)
        for digest in sorted(digests - {mine}):
            log.warning("policy drift: this node runs policy fingerprint %s, another node reloaded %s; compare "
                        "the nodes' policy files", mine, digest)

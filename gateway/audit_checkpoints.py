"""Signed checkpoints of the audit log: its chain's head, signed with the gateway's Ed25519 key and written where the
data directory's owner cannot rewrite it (`[audit] checkpoint_sink`: an append-only file elsewhere, stdout for the
service manager's journal, or syslog).

    {"kind": "privacy-gateway audit checkpoint", "through_id": 1234, "hash": "<chain hash of row 1234>",
     "at": 1767225600.5, "signature": {"alg": "Ed25519", "key_id": "...", "value": "..."}}

One JSON line per checkpoint, written every `checkpoint_interval_s` while the log grows, and once more at shutdown.
`verify` holds the database's chain against checkpoints: a row edited, inserted or removed at or before a checkpoint's
row changes the hash there; rows cut off the end leave the log shorter than a checkpoint says it was. Rows written
after the newest checkpoint are covered by the next one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import syslog
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from gateway import audit, signed_documents
from gateway.database import Database
from gateway.keys import PublicKey, SigningKey
from gateway.storage.connection import Connection

log = logging.getLogger("gateway.audit")

KIND = "privacy-gateway audit checkpoint"

Sink = Callable[[bytes], None]


def make(conn: Connection, key: SigningKey) -> dict[str, Any]:
    """A signed checkpoint of the chain's head as it is now."""
    through_id, digest = audit.head(conn)
    return signed_documents.sign({"kind": KIND, "through_id": through_id, "hash": digest, "at": time.time()}, key)


def open_sink(spec: str) -> Sink:
    """Where checkpoints go: a file path (appended, fsynced), "stdout" or "syslog"."""
    if spec == "stdout":
        def to_stdout(line: bytes) -> None:
            sys.stdout.write(line.decode() + "\n")
            sys.stdout.flush()
        return to_stdout
    if spec == "syslog":
        def to_syslog(line: bytes) -> None:
            syslog.syslog(syslog.LOG_INFO, line.decode())
        return to_syslog
    path = Path(spec)

    def to_file(line: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, line + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)
    return to_file


async def checkpoint_periodically(db: Database, key: SigningKey, sink: Sink, interval_s: float,
                                  stopping: asyncio.Event) -> None:
    """Write a checkpoint whenever the head has moved, every `interval_s`, and a last one when the gateway stops."""
    last: tuple[int, str] | None = None
    while True:
        stopped = stopping.is_set()
        try:
            checkpoint = await db.read(lambda conn: make(conn, key))
            head = (checkpoint["through_id"], checkpoint["hash"])
            if head != last and head[0] > 0:
                sink(orjson.dumps(checkpoint))
                last = head
        except Exception:
            log.exception("audit: could not write a checkpoint; trying again in %.0f s", interval_s)
        if stopped:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), timeout=interval_s)


@dataclass(frozen=True)
class Report:
    ok: bool
    lines: list[str]  # what was found, for a person


def read_checkpoints(text: str) -> list[Any]:
    """The checkpoints in a sink's output: JSON lines of KIND; other lines (a journal's, syslog's prefix) skipped."""
    found = []
    for line in text.splitlines():
        start = line.find("{")
        if start < 0 or KIND not in line:
            continue
        try:
            found.append(orjson.loads(line[start:]))
        except orjson.JSONDecodeError:
            found.append(line[start:])  # a damaged line: reported as such by verify
    return found


def verify(conn: Connection, audit_key: bytes, checkpoints: Iterable[Any], key: PublicKey) -> Report:
    """Hold the database's audit chain (hashed under `audit_key`) against signed checkpoints. A checkpoint that is not
    validly signed by `key` fails the verification too: someone tried to pass off a checkpoint of their own."""
    lines: list[str] = []
    ok = True
    valid: list[dict[str, Any]] = []
    for n, checkpoint in enumerate(checkpoints, 1):
        checked = signed_documents.check(checkpoint, key)
        if checked.ok and isinstance(checkpoint.get("through_id"), int):
            valid.append(checkpoint)
        else:
            ok = False
            lines.append(f"FORGED: checkpoint {n} is not validly signed by key {key.key_id}: {checked.problem}")
    if not valid:
        return Report(False, [*lines, "no valid checkpoint to verify against"])
    chain = audit.verify_chain(conn, audit_key, frozenset(c["through_id"] for c in valid))
    if not chain.ok:
        ok = False
        lines.append(f"BROKEN: the chain breaks at row {chain.first_bad_id}: a row was edited, inserted or removed")
    anchor_id, anchor_hash = audit.anchor(conn)
    for checkpoint in valid:
        held, line = _hold(checkpoint, chain, anchor_id, anchor_hash)
        ok = ok and held
        lines.append(line)
    return Report(ok, lines)


def _hold(checkpoint: dict[str, Any], chain: audit.Verification, anchor_id: int, anchor_hash: str
          ) -> tuple[bool, str]:
    through_id, expected = checkpoint["through_id"], checkpoint.get("hash")
    at = checkpoint.get("at")
    when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(at if isinstance(at, (int, float)) else 0))
    if through_id < anchor_id:
        return True, f"skipped: the checkpoint of {when} (row {through_id}) is older than what retention purged"
    if through_id == anchor_id:
        if expected == anchor_hash:
            return True, f"ok: the checkpoint of {when} matches the retention anchor (row {through_id})"
        return False, f"MISMATCH: the retention anchor at row {through_id} differs from the checkpoint of {when}"
    if through_id > chain.last_id and chain.ok:
        return False, (f"TRUNCATED: the checkpoint of {when} covers rows up to {through_id}; the log ends at row "
                       f"{chain.last_id}: its newest rows were removed")
    actual = chain.hashes.get(through_id)
    if actual is None:
        return False, f"MISMATCH: row {through_id} of the checkpoint of {when} is not in an intact chain"
    if actual != expected:
        return False, f"MISMATCH: rows up to {through_id} were rewritten since the checkpoint of {when}"
    return True, f"ok: rows up to {through_id} match the checkpoint of {when}"

"""The `[audit]` section: where the signed checkpoints of the audit log's hash chain go, and how often.

    [audit]
    checkpoint_sink = "/var/log/privacy-gateway/audit-checkpoints.jsonl"   # or "stdout", "syslog", "" (none)
    checkpoint_interval_s = 3600

Whoever holds the data directory (and the hash key) can rewrite the audit log and compute a consistent chain again.
A checkpoint is the chain's head (row id and hash) signed with the gateway's Ed25519 key and written somewhere that
person cannot rewrite: `privacy-gateway audit verify --checkpoint FILE` then finds rows edited, forged or removed up
to that head, the newest rows included.
"""

from __future__ import annotations

from dataclasses import dataclass

from policies.table import Table

STREAM_SINKS = ("stdout", "syslog")


@dataclass(frozen=True)
class AuditPolicy:
    checkpoint_sink: str = "stdout"  # a file path (JSON lines, appended), "stdout", "syslog", or "" for none
    checkpoint_interval_s: float = 3600.0


def read_audit(table: Table) -> AuditPolicy:
    defaults = AuditPolicy()
    audit = AuditPolicy(
        checkpoint_sink=table.string("checkpoint_sink", defaults.checkpoint_sink).strip(),
        checkpoint_interval_s=table.number("checkpoint_interval_s", defaults.checkpoint_interval_s, minimum=0.05),
    )
    table.finish()
    sink = audit.checkpoint_sink
    if sink and sink not in STREAM_SINKS and not sink.startswith("/"):
        raise table.error("checkpoint_sink", f"expected an absolute file path, {' or '.join(STREAM_SINKS)}, or \"\" "
                                             f"(none); got {sink!r}")
    return audit

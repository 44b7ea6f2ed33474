"""The `[retention]` section: how long each kind of data is kept, and the deadlines that follow.

    [retention]
    replay_days = 30              # recorded sessions: chunks, signals, form episodes, index
    delivery_log_days = 30        # which event went to which destination, when (metadata, no bodies)
    dead_letter_days = 30         # events a destination refused for good
    sink_days = 7                 # what the local sink kept
    consent_history_days = 1095   # consent records (the current state per subject is kept while it is current)
    audit_log_days = 2555         # the audit log (its hash chain continues from an anchor)
    receipt_days = 2555           # finished deletion requests and their receipts
    plan_violation_days = 90      # tracking plan violations (paths and types, no values)
    keep_consent_proof = false    # on deletion: keep the subject's consent history, unlinked from them
    purge_interval_s = 3600       # how often the gateway purges while it runs
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from policies.table import Table

DAY_S = 86_400.0


@dataclass(frozen=True)
class Retention:
    replay_days: float = 30
    delivery_log_days: float = 30
    dead_letter_days: float = 30
    sink_days: float = 7
    consent_history_days: float = 1095
    audit_log_days: float = 2555
    receipt_days: float = 2555
    plan_violation_days: float = 90
    keep_consent_proof: bool = False
    purge_interval_s: float = 3600

    def cutoff(self, category: str, now: float) -> float:
        """Epoch seconds before which data of `category` (e.g. "replay") has expired."""
        return now - getattr(self, f"{category}_days") * DAY_S


CATEGORIES = tuple(f.name.removesuffix("_days") for f in fields(Retention) if f.name.endswith("_days"))


def read_retention(table: Table) -> Retention:
    d = Retention()
    values = {name: table.number(f"{name}_days", getattr(d, f"{name}_days"), minimum=0.0) for name in CATEGORIES}
    retention = Retention(
        **{f"{name}_days": value for name, value in values.items()},
        keep_consent_proof=table.boolean("keep_consent_proof", d.keep_consent_proof),
        purge_interval_s=table.number("purge_interval_s", d.purge_interval_s, minimum=1.0),
    )
    table.finish()
    return retention

"""Consent: the request's and the event's consent signals and the subject's stored consent give the granted purposes
(policies.consent.decide); each destination then gets the event, an anonymized copy, or nothing
(policies.consent.verdict). An event no destination may have stops here. GPC from the request is stamped on the event.

Stored consent is the user-scoped records of any of the event's identifiers, and the device-scoped records (made
through a public key) of the ids it carries as device ids only (gateway.consent_ledger).

Events of one request mostly say the same about consent (the same consent object, or nothing): verdicts are decided
once per distinct (signal places, stored state) and reused within the request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from gateway.consent_ledger import ConsentLedger
from gateway.pipeline.batch import Batch
from gateway.pipeline.entry import Entry
from gateway.pipeline.runner import StepFunction
from policies.consent import ConsentConfig, Verdict, decide, read_signals, record_gpc, verdict
from policies.consent.signals import event_places, gpc_requested
from policies.event import Event

Decided = tuple[tuple[Verdict, ...], tuple[str, ...]]  # (a verdict per route, kinds of malformed signals)


def decide_consent(ledger: ConsentLedger, config: ConsentConfig) -> StepFunction:
    ledger_state = ledger.state

    def run(batch: Batch) -> None:
        headers, gpc = batch.headers, gpc_requested(batch.headers)
        memo: dict[Any, Decided] = {}
        malformed_kinds = batch.out.malformed
        any_devices = ledger.has_device_records
        kept = []
        for entry in batch.entries:
            state = ledger_state(entry.subjects, entry.devices if any_devices else ())
            try:
                key: Any = (orjson.dumps(event_places(entry.event, config), option=orjson.OPT_SORT_KEYS),
                            None if state is None else tuple(sorted(state.items())))
            except TypeError:
                key = None  # not serializable as JSON: decide for this event alone
            if gpc:
                entry.event = record_gpc(entry.event, headers)
            decided = memo.get(key) if key is not None else None
            if decided is None:
                decided = _decide(batch, entry.event, state, config)
                if key is not None:
                    memo[key] = decided
            entry.verdicts, malformed = decided
            for kind in malformed:
                malformed_kinds[kind] += 1
            if any(v.action != "drop" for v in entry.verdicts):
                kept.append(entry)
            else:
                _stop(batch, entry)
        batch.entries = kept

    return run


def _decide(batch: Batch, event: Event, state: Mapping[str, bool] | None, config: ConsentConfig) -> Decided:
    signals = read_signals(event, batch.headers, batch.query, config)
    consent = decide(signals, state, batch.source.consent_model, config)
    return (tuple(verdict(consent, r.destination.purposes, r.destination.on_missing_consent) for r in batch.routes),
            tuple(m.kind for m in signals.malformed))


def _stop(batch: Batch, entry: Entry) -> None:
    """No destination may have the event: count each one's verdict, and say why it stopped here."""
    for route, decision in zip(batch.routes, entry.verdicts, strict=True):
        batch.out.decisions[(route.destination.name, decision.action, decision.reason)] += 1
    batch.stop(entry, _why_dropped(entry.verdicts))


def _why_dropped(verdicts: Sequence[Verdict]) -> str:
    """The reasons every destination refused the event, once each, in route order."""
    if not verdicts:
        return "no_destination"
    return ",".join(dict.fromkeys(v.reason for v in verdicts))


"""The event pipeline: what happens between a decoded request and the outbox.

    subjects ► suppression ► consent (GPC stamped at the edge) ► scrub PII ► route: per destination forward,
             anonymize or drop ► encode per destination

- Subjects: each event's identifiers become keyed hashes, which travel with its outbox rows so that a withdrawal or a
  deletion can find them; the links between them are learned.
- Suppression: a subject that asked to be deleted is not taken in again.
- Consent: the request's and the event's consent signals and the subject's stored consent give the granted purposes
  (policies.consent.decide); each destination then gets the event, an anonymized copy, or nothing
  (policies.consent.verdict).
- Scrubbing: the PII engine (policies.pii) removes, replaces, hashes or masks what the policy's [pii] says, in every
  event that goes anywhere.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from gateway.consent_ledger import ConsentLedger
from gateway.identity import Identity
from gateway.outbox.store import Delivery
from gateway.protocols.codec import Encoded
from gateway.suppression import Suppression
from policies.consent import Signals, Verdict, anonymize, decide, read_signals, record_gpc, verdict
from policies.consent.signals import event_places, gpc_requested
from policies.event import Event
from policies.pii.findings import Findings
from policies.policy import Destination, Policy, Source

if TYPE_CHECKING:
    from policies.pii.scrubber import Scrubber

Encoder = Callable[[Event], Encoded]


@dataclass(frozen=True)
class Route:
    destination: Destination
    encode: Encoder


@dataclass
class Processed:
    deliveries: list[Delivery]
    links: list[tuple[str, str]]  # identity links these events revealed, not yet recorded
    suppressed: int = 0  # events dropped because their subject asked to be deleted
    decisions: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (destination, action, reason)
    malformed: Counter[str] = field(default_factory=Counter)  # consent signals that could not be read, by kind
    findings: Findings = field(default_factory=Findings)  # what the PII scrubber found, as counts


class Pipeline:
    def __init__(self, policy: Policy, encoders: Mapping[str, Encoder], identity: Identity, suppression: Suppression,
                 ledger: ConsentLedger, pseudonym_key: bytes, scrubber: Scrubber | None = None) -> None:
        """`encoders` maps each enabled destination's name to the encoder of its protocol; `scrubber` is the PII
        engine built from the policy's [pii] (None only in benchmarks that measure the rest)."""
        self.scrubber = scrubber
        self.identity = identity
        self.suppression = suppression
        self.ledger = ledger
        self.consent = policy.consent
        self.pseudonym_key = pseudonym_key
        self._routes: dict[str, list[Route]] = {
            source.name: [Route(policy.destination(name), encoders[name]) for name in source.destinations
                          if name in encoders]
            for source in policy.sources
        }

    def process(self, source: Source, events: Sequence[Event], headers: Mapping[str, str],
                query: Mapping[str, str]) -> Processed:
        subjects = [self.identity.subjects(event) for event in events]
        suppressed = 0
        if len(self.suppression):
            kept = [(e, ids) for e, ids in zip(events, subjects, strict=True) if not self.suppression.suppressed(ids)]
            suppressed = len(events) - len(kept)
            events, subjects = [e for e, _ in kept], [ids for _, ids in kept]
        processed = Processed([], self.identity.new_links(subjects), suppressed)
        routes = self._routes[source.name]
        today = datetime.datetime.now(datetime.UTC).date()
        gpc = gpc_requested(headers)
        # Events of one request mostly say the same about consent (the same consent object, or nothing): verdicts are
        # decided once per distinct (signal places, stored state) and reused.
        memo: dict[Any, tuple[list[Verdict], tuple[str, ...]]] = {}
        decided: list[tuple[Event, str, list[Verdict]]] = []
        for event, ids in zip(events, subjects, strict=True):
            state = self.ledger.state(ids)
            try:
                key: Any = (orjson.dumps(event_places(event, self.consent), option=orjson.OPT_SORT_KEYS),
                            None if state is None else tuple(sorted(state.items())))
            except TypeError:
                key = None  # not serializable as JSON: decide for this event alone
            if gpc:
                event = record_gpc(event, headers)
            cached = memo.get(key) if key is not None else None
            if cached is None:
                signals = read_signals(event, headers, query, self.consent)
                cached = (self._verdicts(signals, state, source, routes), tuple(m.kind for m in signals.malformed))
                if key is not None:
                    memo[key] = cached
            verdicts, malformed = cached
            for kind in malformed:
                processed.malformed[kind] += 1
            if any(v.action != "drop" for v in verdicts):
                decided.append((event, " ".join(ids), verdicts))
            else:
                for route, decision in zip(routes, verdicts, strict=True):
                    processed.decisions[(route.destination.name, decision.action, decision.reason)] += 1

        # Scrubbing after consent (it reads the signals as sent) and before anything is encoded; one batch per
        # request, so the detectors see every new string of the request together.
        if self.scrubber is not None and decided:
            for findings in self.scrubber.scrub_events([event for event, _, _ in decided]):
                processed.findings += findings

        for event, joined, verdicts in decided:
            anonymized: Event | None = None
            for route, decision in zip(routes, verdicts, strict=True):
                destination = route.destination
                processed.decisions[(destination.name, decision.action, decision.reason)] += 1
                if decision.action == "drop":
                    continue
                outgoing = event
                if decision.action == "anonymize":
                    if anonymized is None:
                        anonymized = anonymize(event, self.pseudonym_key, today)
                    outgoing = anonymized
                # The row keeps the real subjects (internal only): a withdrawal or a deletion must still find it.
                processed.deliveries.append(
                    Delivery(destination.name, source.name, event.message_id, route.encode(outgoing), joined)
                )
        return processed

    def _verdicts(self, signals: Signals, state: Mapping[str, bool] | None, source: Source,
                  routes: list[Route]) -> list[Verdict]:
        consent = decide(signals, state, source.consent_model, self.consent)
        return [verdict(consent, r.destination.purposes, r.destination.on_missing_consent) for r in routes]

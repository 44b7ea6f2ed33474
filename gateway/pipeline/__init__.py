"""The event pipeline: what happens between a decoded request and the outbox, as a list of named steps.

    subjects ► suppression ► links ► consent (GPC stamped at the edge) ► event names scrubbed ► accounts (from group
    calls) ► catalog ► tracking plan ► scrub PII ► route: per destination forward, anonymize or drop, encoded for it

Each step is a module in `steps/` and one line in `Pipeline.__init__`; the runner (runner.py) times each one for
/metrics and records on each event where it stopped and why (processed.py gives a request's outcome per event).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from time import perf_counter
from typing import TYPE_CHECKING

from gateway.accounts import AccountMap
from gateway.catalog import Catalog
from gateway.consent_ledger import ConsentLedger
from gateway.identity import Identity
from gateway.pipeline.batch import Batch
from gateway.pipeline.entry import Entry
from gateway.pipeline.processed import EventOutcome, Processed
from gateway.pipeline.routes import Encoder, Route, routes_by_source
from gateway.pipeline.runner import Step, run_steps
from gateway.pipeline.steps.accounts import stamp_accounts
from gateway.pipeline.steps.catalog import learn_catalog
from gateway.pipeline.steps.consent import decide_consent
from gateway.pipeline.steps.links import learn_links
from gateway.pipeline.steps.plan import check_plan
from gateway.pipeline.steps.route import route_and_encode
from gateway.pipeline.steps.scrub import scrub_names, scrub_pii, take_scrubbed
from gateway.pipeline.steps.subjects import hash_identifiers
from gateway.pipeline.steps.suppression import drop_suppressed
from gateway.provenance import Provenance
from gateway.suppression import Suppression
from policies.event import Event
from policies.pii.findings import Findings
from policies.policy import Policy, Source

if TYPE_CHECKING:
    from policies.pii.scrubber import Scrubber

# Scrubs a request's events elsewhere: returns them scrubbed (copies, in order) and what was found in each.
ScrubElsewhere = Callable[[list[Event]], Awaitable[tuple[list[Event], list[Findings]]]]

__all__ = ["Encoder", "EventOutcome", "Pipeline", "Processed", "Route", "ScrubElsewhere", "Step"]


class Pipeline:
    def __init__(self, policy: Policy, encoders: Mapping[str, Encoder], identity: Identity, suppression: Suppression,
                 ledger: ConsentLedger, pseudonym_key: bytes, scrubber: Scrubber | None = None, *,
                 accounts: AccountMap | None = None, catalog: Catalog | None = None) -> None:
        """`encoders` maps each enabled destination's name to the encoder of its protocol; `scrubber` is the PII
        engine built from the policy's [pii] (None only in benchmarks that measure the rest). `accounts` stamps
        accounts when the policy's [enrich] asks for it; `catalog` (None when [catalog] is off) counts events."""
        stamping = accounts is not None and policy.enrich.account_from_groups
        planned = any(source.tracking_plan is not None for source in policy.sources)
        self.identity = identity
        self.routes = routes_by_source(policy, encoders)
        self.steps: tuple[Step, ...] = (
            Step("subjects", hash_identifiers(identity)),
            Step("suppression", drop_suppressed(suppression)),
            Step("links", learn_links(identity)),
            Step("consent", decide_consent(ledger, policy.consent)),
            *([Step("names", scrub_names(scrubber))] if scrubber is not None else []),
            *([Step("accounts", stamp_accounts(accounts, policy.enrich))] if stamping and accounts else []),
            *([Step("catalog", learn_catalog(catalog))] if catalog is not None else []),
            *([Step("plan", check_plan())] if planned else []),
            *([Step("scrub", scrub_pii(scrubber))] if scrubber is not None else []),
            Step("route", route_and_encode(pseudonym_key)),
        )

        # Where scrubbing starts: the steps before it need this process's state (caches, the database); scrubbing
        # itself is pure and may run in a worker process (gateway.scrub_pool).
        self._scrub_at = next((i for i, step in enumerate(self.steps) if step.name == "scrub"), len(self.steps) - 1)

    def process(self, source: Source, events: Sequence[Event], headers: Mapping[str, str],
                query: Mapping[str, str], provenance: Provenance = "public") -> Processed:
        """`provenance`: the kind of key the request came with (a server key's links are verified)."""
        return self.finish(self.begin(source, events, headers, query, provenance))

    def begin(self, source: Source, events: Sequence[Event], headers: Mapping[str, str],
              query: Mapping[str, str], provenance: Provenance = "public") -> Batch:
        """The request's batch through the steps before scrubbing; `finish` or `finish_elsewhere` does the rest."""
        routes = self.routes[source.name]
        entries = list(map(Entry, events))
        out = Processed(tuple(route.destination.name for route in routes), tuple(entries))
        batch = Batch(source, routes, headers, query, entries, out, provenance=provenance)
        run_steps(self.steps[:self._scrub_at], batch)
        return batch

    def finish(self, batch: Batch) -> Processed:
        """Scrubbing (in this process) and the steps after it."""
        run_steps(self.steps[self._scrub_at:], batch)
        return batch.out

    async def finish_elsewhere(self, batch: Batch, scrub: ScrubElsewhere) -> Processed:
        """Like `finish`, with the events scrubbed by `scrub` (a worker pool), awaited without blocking the loop.
        The step's time, as /metrics shows it, includes the wait for a worker."""
        rest = self.steps[self._scrub_at:]
        if batch.entries and rest and rest[0].name == "scrub":
            batch.step = "scrub"
            started = perf_counter()
            events, findings = await scrub([entry.event for entry in batch.entries])
            take_scrubbed(batch, events, findings)
            batch.out.timings.append(("scrub", perf_counter() - started))
            rest = rest[1:]
        run_steps(rest, batch)
        return batch.out

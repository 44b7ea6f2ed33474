"""Tracking plan validation per event: jsonschema-rs (what policies.plans compiles each schema with) against
fastjsonschema (schema compiled to Python code), and the whole `TrackingPlan.check` (naming, required context,
event types, properties), in one run on the same events.

    .venv/bin/python bench/plan_validation.py [--events 20000]

Every event is distinct (its own ids, product, position and URL): nothing here is cached, so there is no warm/cold
split to report. Prints µs per event for each and the ratios; half the events of the `invalid` run break the schema
(a wrong type and an unplanned property), to show what collecting errors costs.
"""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Callable
from typing import Any

import fastjsonschema
import jsonschema_rs

from policies.event import Event
from policies.plans.file import read_plan
from policies.table import Table

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"product_id": {"type": "string"}, "name": {"type": "string"}, "category": {"type": "string"},
                   "price": {"type": "number", "minimum": 0}, "currency": {"enum": ["EUR", "USD", "GBP"]},
                   "position": {"type": "integer"}, "url": {"type": "string"}, "account_id": {"type": "string"}},
    "required": ["product_id", "price", "currency", "account_id"],
    "additionalProperties": False,
}


def properties(i: int, invalid: bool) -> dict[str, Any]:
    props: dict[str, Any] = {"product_id": f"sku-{i}", "name": f"Shoe model {i}", "category": f"Footwear {i % 97}",
                             "price": 10 + i / 100, "currency": "EUR", "position": i % 20,
                             "url": f"https://shop.example.com/p/sku-{i}?ref={i}", "account_id": f"acct-{i}"}
    if invalid and i % 2:
        props["price"] = str(props["price"])
        props[f"debug_{i}"] = True
    return props


def per_event(label: str, check: Callable[[Any], Any], items: list[Any]) -> float:
    started = time.process_time()  # this process's CPU time: what a neighbour's load does not inflate much
    for item in items:
        check(item)
    micros = (time.process_time() - started) / len(items) * 1e6
    print(f"{label:>34}: {micros:6.2f} µs per event")
    return micros


def fast_check(validate: Callable[[Any], Any]) -> Callable[[Any], None]:
    def check(item: Any) -> None:
        with contextlib.suppress(fastjsonschema.JsonSchemaException):
            validate(item)

    return check


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=20_000)
    args = parser.parse_args()
    rs = jsonschema_rs.validator_for(SCHEMA)
    fast = fastjsonschema.compile(SCHEMA)
    plan = read_plan(Table("bench", {"naming": "Object Action", "required": ["properties.account_id"],
                                     "events": {"Product Viewed": {"properties": SCHEMA}}}))
    for invalid in (False, True):
        items = [properties(i, invalid) for i in range(args.events)]
        events = [Event("track", f"m-{i}", event="Product Viewed", properties=p) for i, p in enumerate(items)]
        print(f"-- {'half invalid' if invalid else 'all valid'}, {args.events} distinct events")
        f = per_event("fastjsonschema (raises on first)", fast_check(fast), items)
        r = per_event("jsonschema-rs is_valid", rs.is_valid, items)
        e = per_event("jsonschema-rs is_valid + errors", lambda p: rs.is_valid(p) or list(rs.iter_errors(p)), items)
        c = per_event("TrackingPlan.check (all rules)", plan.check, events)
        print(f"{'ratio':>34}: fastjsonschema / jsonschema-rs {f / r:.1f}x; with errors {f / e:.1f}x; "
              f"whole check / schema alone {c / e:.1f}x")


if __name__ == "__main__":
    main()

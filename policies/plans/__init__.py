"""Tracking plans: the event taxonomy a source promises to send, and what an event that breaks it did wrong.

    plan.py       a compiled plan (per-event JSON Schema, plan-wide rules) and the violations it finds in an event
    file.py       reading a plan file (JSON) next to the policy, with errors that name the file, the key and the problem
    naming.py     naming conventions: a regex or a named style ("Object Action", snake_case, ...)
    shapes.py     what a value looks like without what it is: JSON type, string length, format (for the catalog)
    infer.py      a draft plan from what a catalog saw
    diff.py       a plan against what a catalog saw: unplanned and missing events, renames, property drift

Pure Python: no HTTP, no database. The gateway runs the plan as a pipeline step (gateway.pipeline.steps.plan).
"""

from policies.plans.plan import ON_VIOLATION, EventSpec, TrackingPlan, Violation

__all__ = ["ON_VIOLATION", "EventSpec", "TrackingPlan", "Violation"]

"""Reading a tracking plan file: JSON, next to the policy that names it.

    {
      "name": "web",
      "naming": "Object Action",                 // a style of policies.plans.naming, or a regular expression
      "event_types": ["track", "identify", "page", "group"],
      "required": ["properties.account_id"],     // a path, or a list of paths of which one must be present
      "allow_unplanned_events": false,
      "identify_traits": {"type": "object", "properties": {"plan": {"type": "string"}}},
      "events": {
        "Report Exported": {"description": "...", "properties": {"type": "object", "properties": {...},
                            "required": ["format"], "additionalProperties": false}}
      }
    }

Every problem is a PolicyError naming the plan file, the key and what is wrong (a bad plan stops the start, as a bad
policy does); unknown keys are errors, so a misspelt rule is not silently ignored.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson

from policies.event import EVENT_TYPES
from policies.plans.naming import naming_pattern
from policies.plans.plan import EventSpec, Schema, TrackingPlan
from policies.table import PolicyError, Table


def load_plan(path: Path) -> TrackingPlan:
    file = str(path)
    try:
        data = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        raise PolicyError(file, "", "tracking plan file not found") from None
    except OSError as exc:
        raise PolicyError(file, "", f"cannot be read: {exc}") from None
    except orjson.JSONDecodeError as exc:
        raise PolicyError(file, "", f"not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise PolicyError(file, "", "expected a JSON object at the top")
    return read_plan(Table(file, data, "", None))


def read_plan(table: Table) -> TrackingPlan:
    naming = table.string("naming", "")
    try:
        pattern = naming_pattern(naming) if naming else None
    except re.error as exc:
        raise table.error("naming", f"neither a named style nor a valid regular expression: {exc}") from None
    types = table.strings("event_types", ())
    for i, kind in enumerate(types):
        if kind not in EVENT_TYPES:
            raise table.error(f"event_types[{i}]", f"unknown event type {kind!r}; expected one of "
                                                   f"{', '.join(EVENT_TYPES)}")
    plan = TrackingPlan(
        path=table.file,
        name=table.string("name", Path(table.file).stem),
        naming=naming,
        naming_pattern=pattern,
        event_types=frozenset(types) if types else None,
        required=_read_required(table),
        allow_unplanned_events=table.boolean("allow_unplanned_events", False),
        identify_traits=_schema(table, "identify_traits"),
        events=_read_events(table.table("events")),
    )
    table.finish()
    return plan


def _read_required(table: Table) -> tuple[tuple[str, ...], ...]:
    required = []
    for i, entry in enumerate(table.array("required", [])):
        paths = [entry] if isinstance(entry, str) else entry
        if not isinstance(paths, list) or not paths or not all(isinstance(p, str) and p for p in paths):
            raise table.error(f"required[{i}]", "expected a path such as \"properties.account_id\" or a list of them")
        required.append(tuple(paths))
    return tuple(required)


def _read_events(table: Table) -> dict[str, EventSpec]:
    events = {}
    for name in list(table.data):
        spec = table.table(name)
        events[name] = EventSpec(name, _schema(spec, "properties"), spec.string("description", ""))
        spec.finish()
    return events


def _schema(table: Table, key: str) -> Schema | None:
    value: Any = table.table(key).data
    if key not in table.data:
        return None
    try:
        return Schema.compile(value)
    except ValueError as exc:
        raise table.error(key, f"not a valid JSON Schema: {exc}") from None

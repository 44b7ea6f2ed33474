"""A tracking plan against what traffic does (the event catalog of one source): events sent but not planned, planned
but not seen, likely renames between the two, properties sent but not planned, planned types that traffic breaks,
and names that break the plan's naming convention.

A rename is read from the two sides of the difference: an unplanned event and an unseen planned event whose names are
alike (difflib ratio RENAME_RATIO or more) or whose property names are the same.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from policies.plans.plan import TrackingPlan

RENAME_RATIO = 0.75

CatalogEvent = Mapping[str, Any]


@dataclass(frozen=True)
class Difference:
    kind: str  # unplanned_event, unseen_event, possible_rename, unplanned_property, type_mismatch, naming
    event: str
    detail: str
    other: str = ""  # a rename's planned name

    def __str__(self) -> str:
        return f"{self.kind:<18} {self.event}: {self.detail}"


def diff_plan(plan: TrackingPlan, events: Sequence[CatalogEvent]) -> list[Difference]:
    tracks = {e["name"]: e for e in events if e["type"] == "track"}
    unplanned = sorted(name for name in tracks if name not in plan.events)
    unseen = sorted(name for name in plan.events if name not in tracks)
    found = _renames(plan, tracks, unplanned, unseen)
    renamed_to = {d.event for d in found}
    renamed_from = {d.other for d in found}
    found += [Difference("unplanned_event", name, f"sent {tracks[name]['count']} times, not in the plan")
              for name in unplanned if name not in renamed_to]
    found += [Difference("unseen_event", name, "planned, never sent") for name in unseen if name not in renamed_from]
    for name, event in sorted(tracks.items()):
        if plan.naming_pattern is not None and not plan.naming_pattern.match(name):
            found.append(Difference("naming", name, f"does not follow {plan.naming!r}"))
        spec = plan.events.get(name)
        if spec is not None and spec.properties is not None:
            found += _property_drift(name, spec.properties.source, event)
    return found


def _renames(plan: TrackingPlan, tracks: Mapping[str, CatalogEvent], unplanned: list[str], unseen: list[str]
             ) -> list[Difference]:
    found = []
    for old in unseen:
        planned = set(_planned_names(plan, old))
        best, best_ratio = None, 0.0
        for new in unplanned:
            ratio = difflib.SequenceMatcher(None, old.lower(), new.lower()).ratio()
            sent = {p["path"].partition(".")[2] for p in tracks[new]["properties"] if p["path"].count(".") == 1}
            if planned and sent == planned:
                ratio = max(ratio, RENAME_RATIO)
            if ratio >= RENAME_RATIO and ratio > best_ratio:
                best, best_ratio = new, ratio
        if best is not None:
            found.append(Difference("possible_rename", best, f"planned as '{old}', sent under this name "
                                                             f"{tracks[best]['count']} times", old))
            unplanned.remove(best)
    return found


def _planned_names(plan: TrackingPlan, name: str) -> list[str]:
    spec = plan.events[name]
    if spec.properties is None:
        return []
    return list((spec.properties.source.get("properties") or {}).keys())


def _property_drift(name: str, schema: Mapping[str, Any], event: CatalogEvent) -> list[Difference]:
    found = []
    for shape in event["properties"]:
        path = shape["path"]
        node = _schema_at(schema, path.split(".")[1:])
        if node is None:
            found.append(Difference("unplanned_property", name, f"{path} sent {shape['seen']} times, not planned"))
            continue
        allowed = _types(node)
        observed = set(shape["types"])
        if allowed and not observed <= allowed:
            found.append(Difference("type_mismatch", name, f"{path} planned as {' or '.join(sorted(allowed))}, "
                                                           f"sent as {' or '.join(sorted(observed))}"))
    return found


def _schema_at(schema: Mapping[str, Any], parts: list[str]) -> Mapping[str, Any] | None:
    node: Any = schema
    for part in parts:
        members = node.get("properties") if isinstance(node, Mapping) else None
        if not isinstance(members, Mapping) or part not in members:
            open_ended = isinstance(node, Mapping) and node.get("additionalProperties", True) is not False
            return {} if open_ended else None
        node = members[part]
    return node if isinstance(node, Mapping) else {}


def _types(node: Mapping[str, Any]) -> set[str]:
    kind = node.get("type")
    types = set(kind) if isinstance(kind, list) else {kind} if isinstance(kind, str) else set()
    if "number" in types:
        types.add("integer")
    return types

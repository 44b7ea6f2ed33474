"""A draft tracking plan from what the event catalog saw (gateway.catalog.read_catalog's events of one source).

The draft keeps to the traffic it was made from: every observed property is planned with every type it was seen
with, a property present in every event of its name is required, and nothing else is allowed. Value shapes (formats,
lengths, how many distinct values) go into each property's description for the author to tighten; they are never
made into rules here, and no value is written, because the catalog holds none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from policies.plans.naming import naming_pattern
from policies.plans.plan import CONTEXT_TYPES

OBJECT_ACTION = "Object Action"
MAX_DEPTH = 4  # the catalog walks this many levels below `properties`; deeper members are not known
ACCOUNT_PATH = "properties.account_id"

CatalogEvent = Mapping[str, Any]


def infer_plan(name: str, events: Sequence[CatalogEvent]) -> dict[str, Any]:
    tracks = [e for e in events if e["type"] == "track"]
    plan: dict[str, Any] = {"name": name}
    pattern = naming_pattern(OBJECT_ACTION)
    if tracks and all(pattern.match(e["name"]) for e in tracks):
        plan["naming"] = OBJECT_ACTION
    plan["event_types"] = sorted({e["type"] for e in events})
    contextual = [e for e in events if e["type"] in CONTEXT_TYPES]
    if contextual and all(_seen(e, ACCOUNT_PATH) == e["count"] for e in contextual):
        plan["required"] = [ACCOUNT_PATH]
    identifies = [e for e in events if e["type"] == "identify"]
    if identifies:
        plan["identify_traits"] = _object_schema(identifies[0], "traits")
    plan["events"] = {e["name"]: {"description": f"seen {e['count']} times",
                                  "properties": _object_schema(e, "properties")}
                      for e in sorted(tracks, key=lambda e: e["name"])}
    return plan


def _seen(event: CatalogEvent, path: str) -> int:
    return next((p["seen"] for p in event["properties"] if p["path"] == path), 0)


def _object_schema(event: CatalogEvent, root: str) -> dict[str, Any]:
    """The schema of `root` ("properties" or "traits") built from the paths seen under it."""
    by_path = {p["path"]: p for p in event["properties"] if p["path"].startswith(root + ".")}
    return _node(root, event["count"], by_path, depth=0)


def _node(path: str, count: int, by_path: Mapping[str, Mapping[str, Any]], depth: int) -> dict[str, Any]:
    prefix = path + "."
    children = sorted(p for p in by_path if p.startswith(prefix) and "." not in p[len(prefix):])
    schema: dict[str, Any] = {"type": "object"}
    if children or depth < MAX_DEPTH:
        schema["properties"] = {child[len(prefix):]: _leaf(child, by_path, depth + 1) for child in children}
        required = [child[len(prefix):] for child in children if by_path[child]["seen"] >= count]
        if required:
            schema["required"] = required
        schema["additionalProperties"] = False
    return schema


def _leaf(path: str, by_path: Mapping[str, Mapping[str, Any]], depth: int) -> dict[str, Any]:
    shape = by_path[path]
    types = set(shape["types"])
    if "number" in types:
        types.discard("integer")  # an integer is a number: the wider type covers both
    schema: dict[str, Any] = {"type": sorted(types)[0] if len(types) == 1 else sorted(types)}
    if "object" in types and depth < MAX_DEPTH:
        schema = {**_node(path, shape["seen"], by_path, depth), "type": schema["type"]}
    schema["description"] = describe_shape(shape)
    return schema


def describe_shape(shape: Mapping[str, Any]) -> str:
    """What the catalog knows of a property's values, in words (never a value)."""
    parts = [f"seen {shape['seen']} times"]
    formats = [f for f in shape.get("formats", []) if f != "text"]
    if formats:
        parts.append("formats " + ", ".join(formats))
    if shape.get("min_length") is not None:
        parts.append(f"length {shape['min_length']}-{shape['max_length']}")
    if shape.get("distinct_values"):
        many = shape.get("many_values")
        parts.append("many distinct values" if many else f"{shape['distinct_values']} distinct values")
    return "; ".join(parts)

"""The tracking plan the plan tests use: a B2B product's Object-Action events, each needing an account."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

WEB_PLAN: dict[str, Any] = {
    "name": "web",
    "naming": "Object Action",
    "event_types": ["track", "identify", "page", "group"],
    "required": ["properties.account_id"],
    "identify_traits": {"type": "object", "properties": {"plan": {"enum": ["free", "pro", "enterprise"]}}},
    "events": {
        "Report Exported": {
            "description": "A report was downloaded.",
            "properties": {
                "type": "object",
                "properties": {"account_id": {"type": "string"}, "format": {"enum": ["csv", "pdf", "xlsx"]},
                               "rows": {"type": "integer", "minimum": 0}},
                "required": ["account_id", "format"],
                "additionalProperties": False,
            },
        },
        "User Invited": {
            "properties": {
                "type": "object",
                "properties": {"account_id": {"type": "string"}, "role": {"type": "string"},
                               "seats": {"type": "integer"}},
                "required": ["account_id", "role"],
            },
        },
        "Order Completed": {
            "properties": {
                "type": "object",
                "properties": {"account_id": {"type": "string"}, "total": {"type": "number"}},
                "required": ["account_id", "total"],
            },
        },
    },
}


def write_plan(workdir: Path, plan: dict[str, Any] = WEB_PLAN, name: str = "web.json") -> str:
    """Write `plan` under `workdir`/plans and return its path as the policy names it (relative to the policy)."""
    path = workdir / "plans" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(plan, indent=2))
    return f"plans/{name}"

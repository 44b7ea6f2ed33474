"""The thresholds of the frustration detectors: the `[replay.detect]` table of the policy file.

Defaults are the definitions in DESIGN.md (rage: 3 clicks, 1000 ms apart, 30 px; dead: 2500 ms; error click: 1 s).
Unknown keys are errors, as everywhere in the policy: a typo in a threshold must not silently fall back to a default.

    [replay.detect]
    rage_click_count = 3
    dead_click_timeout_ms = 2500

    [replay.detect.weights]      # how much one signal of each kind adds to a session's frustration score
    rage_click = 3.0
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from policies.table import Table

KINDS = ("rage_click", "dead_click", "form_abandonment", "error_click", "thrashed_cursor")

DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {"rage_click": 3.0, "dead_click": 1.0, "form_abandonment": 2.0, "error_click": 2.0, "thrashed_cursor": 1.0}
)


@dataclass(frozen=True)
class DetectConfig:
    # Rage click: >= rage_click_count clicks, each <= rage_click_interval_ms after the previous one and on the same
    # element or within rage_click_radius_px of it, with no response between the first and the last.
    rage_click_count: int = 3
    rage_click_interval_ms: int = 1000
    rage_click_radius_px: float = 30.0
    # Dead click: no response (mutation, navigation, scroll, input, text selection) within this many ms.
    dead_click_timeout_ms: int = 2500
    # Error click: a console error at most this many ms after a click.
    error_click_window_ms: int = 1000
    # Form submission: after a click on a submit control, a navigation, the form's removal or a DOM change outside
    # the form within this many ms means the form was submitted.
    form_submit_timeout_ms: int = 5000
    # rrweb Custom event tags (compared case-insensitively) that mean "this form was submitted".
    form_submit_event_tags: tuple[str, ...] = ("form submit", "form_submit", "$form_submit", "submit")
    # rrweb Custom event tags with a `payload.href` that mean "the page changed" in a single-page app
    # (posthog-js adds `$pageview` and `$url_changed` to its recordings).
    navigation_event_tags: tuple[str, ...] = ("$pageview", "$url_changed")
    # Thrashed cursor: >= thrash_min_reversals direction reversals, each of at least thrash_min_distance_px, within
    # thrash_window_ms.
    thrash_window_ms: int = 1500
    thrash_min_reversals: int = 5
    thrash_min_distance_px: float = 30.0
    weights: Mapping[str, float] = field(default_factory=lambda: DEFAULT_WEIGHTS, hash=False)

    def weight(self, kind: str) -> float:
        return float(self.weights.get(kind, 0.0))


def _lower_tags(table: Table, name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    tags = table.strings(name, default)
    for i, tag in enumerate(tags):
        if not tag.strip():
            raise table.error(f"{name}[{i}]", "is empty")
    return tuple(tag.strip().lower() for tag in tags)


def read_detect(table: Table) -> DetectConfig:
    """The `[replay.detect]` table (read as part of `[replay]`, see policies.replay)."""
    d = DetectConfig()
    values: dict[str, Any] = {
        "rage_click_count": table.integer("rage_click_count", d.rage_click_count, minimum=2),
        "rage_click_interval_ms": table.integer("rage_click_interval_ms", d.rage_click_interval_ms, minimum=1),
        "rage_click_radius_px": table.number("rage_click_radius_px", d.rage_click_radius_px),
        "dead_click_timeout_ms": table.integer("dead_click_timeout_ms", d.dead_click_timeout_ms, minimum=1),
        "error_click_window_ms": table.integer("error_click_window_ms", d.error_click_window_ms, minimum=1),
        "form_submit_timeout_ms": table.integer("form_submit_timeout_ms", d.form_submit_timeout_ms, minimum=1),
        "form_submit_event_tags": _lower_tags(table, "form_submit_event_tags", d.form_submit_event_tags),
        "navigation_event_tags": _lower_tags(table, "navigation_event_tags", d.navigation_event_tags),
        "thrash_window_ms": table.integer("thrash_window_ms", d.thrash_window_ms, minimum=1),
        "thrash_min_reversals": table.integer("thrash_min_reversals", d.thrash_min_reversals, minimum=2),
        "thrash_min_distance_px": table.number("thrash_min_distance_px", d.thrash_min_distance_px, minimum=1.0),
    }
    weights_table = table.table("weights")
    weights = {kind: weights_table.number(kind, DEFAULT_WEIGHTS[kind]) for kind in KINDS}
    weights_table.finish()
    table.finish()
    return DetectConfig(**values, weights=MappingProxyType(weights))

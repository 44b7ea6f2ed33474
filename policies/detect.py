"""The thresholds of the frustration detectors: the `[replay.detect]` table of the policy file.

Defaults are the definitions in DESIGN.md (rage: 3 clicks, 1000 ms apart, 30 px; dead: 2500 ms; error click: 1 s).
Unknown keys are errors, as everywhere in the policy: a typo in a threshold must not silently fall back to a default.

    [replay.detect]
    rage_click_count = 3
    dead_click_timeout_ms = 2500

    [replay.detect.weights]      # how much one signal of each kind adds to a session's frustration score
    rage_click = 3.0

    [[replay.detect.overrides]]  # other thresholds for some pages or controls (first matching override wins)
    page = "https://app.example/reports/*"    # a page as the report lists it, or its path; * matches anything
    element = 'button:has-text("Export")'     # an element as the report names it (every part it names must match)
    dead_click_timeout_ms = 8000              # a known slow control
    ignore = ["dead_click"]                   # kinds not reported there (a page whose buttons show nothing)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from policies.element_selector import Compound, parse_compound
from policies.table import Table

KINDS = ("rage_click", "dead_click", "form_abandonment", "error_click", "thrashed_cursor")

DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {"rage_click": 3.0, "dead_click": 1.0, "form_abandonment": 2.0, "error_click": 2.0, "thrashed_cursor": 1.0}
)


# What an override may set: the thresholds judged per click, on the page and element clicked.
OVERRIDABLE = ("rage_click_count", "rage_click_interval_ms", "rage_click_radius_px", "dead_click_timeout_ms")


@dataclass(frozen=True)
class Override:
    """Thresholds for the pages and elements that match; None keeps the section's value."""

    page: str = ""  # fnmatch pattern of a page URL as reports show it, or of its path when it starts with "/"
    element: Compound | None = None  # every part must be in the element's identity; None: every element
    rage_click_count: int | None = None
    rage_click_interval_ms: int | None = None
    rage_click_radius_px: float | None = None
    dead_click_timeout_ms: int | None = None
    ignore: frozenset[str] = frozenset()  # signal kinds not reported for what matches


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
    # Autosave forms (no submit control; the page confirms each change) are never abandoned. A change is confirmed by
    # a DOM change outside the changed field within autosave_confirm_ms of its last input: new or changed content
    # anywhere, or a change to an element that is not a control. With confirmation texts or selectors set, only a
    # change showing one of those texts (case-insensitive) or an element matching one of the selectors confirms.
    autosave_confirm_ms: int = 3000
    autosave_confirmation_texts: tuple[str, ...] = ()
    autosave_confirmation_selectors: tuple[Compound, ...] = ()
    # A single-page app renders the new route around its URL change: a form removed this soon after (or before) a
    # route change was removed by it, and is left; one still in the page stays open on the new route.
    route_change_render_ms: int = 1000
    weights: Mapping[str, float] = field(default_factory=lambda: DEFAULT_WEIGHTS, hash=False)
    overrides: tuple[Override, ...] = ()

    def weight(self, kind: str) -> float:
        return float(self.weights.get(kind, 0.0))


def _lower_tags(table: Table, name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    tags = table.strings(name, default)
    for i, tag in enumerate(tags):
        if not tag.strip():
            raise table.error(f"{name}[{i}]", "is empty")
    return tuple(tag.strip().lower() for tag in tags)


def _selector(table: Table, name: str, text: str) -> Compound:
    compound = parse_compound(text)
    if compound is None or compound.contradictory:
        raise table.error(name, f"not a selector of one element (tag#id.class[attr=value]:has-text(...)): {text!r}")
    return compound


def _optional(table: Table, name: str, read: Any, minimum: float) -> Any:
    return read(name, minimum=minimum) if name in table.data else None


def read_override(table: Table) -> Override:
    page = table.string("page", "").strip()
    element = table.string("element", "").strip()
    ignore = table.strings("ignore", ())
    for i, kind in enumerate(ignore):
        if kind not in KINDS:
            raise table.error(f"ignore[{i}]", f"unknown signal kind {kind!r}; expected one of {', '.join(KINDS)}")
    override = Override(
        page=page,
        element=_selector(table, "element", element) if element else None,
        rage_click_count=_optional(table, "rage_click_count", table.integer, 2),
        rage_click_interval_ms=_optional(table, "rage_click_interval_ms", table.integer, 1),
        rage_click_radius_px=_optional(table, "rage_click_radius_px", table.number, 0.0),
        dead_click_timeout_ms=_optional(table, "dead_click_timeout_ms", table.integer, 1),
        ignore=frozenset(ignore),
    )
    table.finish()
    if not page and not element:
        raise table.error("page", "an override names a page, an element or both")
    if not override.ignore and all(getattr(override, name) is None for name in OVERRIDABLE):
        raise table.error("ignore", f"an override sets ignore or one of {', '.join(OVERRIDABLE)}")
    return override


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
        "autosave_confirm_ms": table.integer("autosave_confirm_ms", d.autosave_confirm_ms, minimum=1),
        "autosave_confirmation_texts": _lower_tags(table, "autosave_confirmation_texts", ()),
        "autosave_confirmation_selectors": tuple(
            _selector(table, f"autosave_confirmation_selectors[{i}]", text)
            for i, text in enumerate(table.strings("autosave_confirmation_selectors", ()))
        ),
        "route_change_render_ms": table.integer("route_change_render_ms", d.route_change_render_ms, minimum=0),
        "overrides": tuple(read_override(t) for t in table.tables("overrides")),
    }
    weights_table = table.table("weights")
    weights = {kind: weights_table.number(kind, DEFAULT_WEIGHTS[kind]) for kind in KINDS}
    weights_table.finish()
    table.finish()
    return DetectConfig(**values, weights=MappingProxyType(weights))

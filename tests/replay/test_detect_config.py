"""The `[replay.detect]` policy table: defaults from DESIGN.md, every threshold settable, bad values named by key."""

from __future__ import annotations

import dataclasses
import tomllib

import pytest

from policies.detect import Override, read_detect
from policies.element_selector import Compound
from policies.table import PolicyError, Table
from replay.detect import KINDS, DetectConfig


def parse_detect(data: object, file: str) -> DetectConfig:
    """The `[replay.detect]` table read as the loader reads it, inside `[replay]`."""
    return Table(file, {"detect": data}, "replay").read("detect", read_detect)


def detect_table(toml: str) -> dict:
    return tomllib.loads(toml)["replay"]["detect"]


def test_defaults_are_the_definitions_of_design_md() -> None:
    config = parse_detect({}, "site.toml")
    assert config == DetectConfig()
    assert (config.rage_click_count, config.rage_click_interval_ms, config.rage_click_radius_px) == (3, 1000, 30.0)
    assert config.dead_click_timeout_ms == 2500
    assert config.error_click_window_ms == 1000


def test_every_threshold_is_read_from_the_table() -> None:
    table = detect_table(
        """
        [replay.detect]
        rage_click_count = 4
        rage_click_interval_ms = 800
        rage_click_radius_px = 24.5
        dead_click_timeout_ms = 3000
        error_click_window_ms = 1500
        form_submit_timeout_ms = 8000
        form_submit_event_tags = ["Checkout Completed"]
        navigation_event_tags = ["route"]
        thrash_window_ms = 2000
        thrash_min_reversals = 6
        thrash_min_distance_px = 40

        [replay.detect.weights]
        rage_click = 5
        dead_click = 0.5
        """
    )
    config = parse_detect(table, "site.toml")
    assert dataclasses.replace(config, weights=DetectConfig().weights) == DetectConfig(
        rage_click_count=4,
        rage_click_interval_ms=800,
        rage_click_radius_px=24.5,
        dead_click_timeout_ms=3000,
        error_click_window_ms=1500,
        form_submit_timeout_ms=8000,
        form_submit_event_tags=("checkout completed",),
        navigation_event_tags=("route",),
        thrash_window_ms=2000,
        thrash_min_reversals=6,
        thrash_min_distance_px=40.0,
    )
    assert config.weight("rage_click") == 5.0
    assert config.weight("dead_click") == 0.5
    assert config.weight("form_abandonment") == 2.0  # not set: the default


def test_no_field_of_the_config_is_missing_from_the_table() -> None:
    # A threshold added to DetectConfig must be settable from the policy file too.
    # (Tables and selectors have tests of their own below.)
    structured = ("weights", "overrides", "autosave_confirmation_selectors")
    fields = [f for f in dataclasses.fields(DetectConfig) if f.name not in structured]
    wanted = {f.name: ("x",) if isinstance(f.default, tuple) else f.default + 1 for f in fields}
    table = {name: list(value) if isinstance(value, tuple) else value for name, value in wanted.items()}
    config = parse_detect(table, "site.toml")
    assert {name: getattr(config, name) for name in wanted} == wanted


@pytest.mark.parametrize(
    ("table", "key", "problem"),
    [
        ({"rage_click_count": 1}, "replay.detect.rage_click_count", "must be at least 2"),
        ({"rage_click_count": 3.5}, "replay.detect.rage_click_count", "expected an integer, got number"),
        ({"rage_click_count": True}, "replay.detect.rage_click_count", "expected an integer, got boolean"),
        ({"dead_click_timeout_ms": 0}, "replay.detect.dead_click_timeout_ms", "must be at least 1"),
        ({"rage_click_radius_px": -1}, "replay.detect.rage_click_radius_px", "must be at least 0"),
        ({"rage_click_radius_px": "30px"}, "replay.detect.rage_click_radius_px", "expected a number"),
        ({"form_submit_event_tags": "submit"}, "replay.detect.form_submit_event_tags", "expected an array of strings"),
        ({"navigation_event_tags": [""]}, "replay.detect.navigation_event_tags[0]", "is empty"),
        ({"dead_click_timout_ms": 3000}, "replay.detect.dead_click_timout_ms", "unknown key"),
        ({"weights": {"rage": 2}}, "replay.detect.weights.rage", "unknown key"),
        ({"weights": {"rage_click": -2}}, "replay.detect.weights.rage_click", "must be at least 0"),
        ({"weights": 3}, "replay.detect.weights", "expected a table"),
        ({"autosave_confirmation_selectors": ["div > "]}, "replay.detect.autosave_confirmation_selectors[0]",
         "not a selector of one element"),
        ({"overrides": [{"dead_click_timeout_ms": 9000}]}, "replay.detect.overrides[0].page",
         "names a page, an element or both"),
        ({"overrides": [{"page": "/settings"}]}, "replay.detect.overrides[0].ignore", "sets ignore or one of"),
        ({"overrides": [{"page": "/settings", "ignore": ["dead"]}]}, "replay.detect.overrides[0].ignore[0]",
         "unknown signal kind 'dead'"),
        ({"overrides": [{"element": "#a#b", "ignore": ["dead_click"]}]}, "replay.detect.overrides[0].element",
         "not a selector of one element"),
        ({"overrides": [{"page": "/", "dead_click_timout_ms": 1}]}, "replay.detect.overrides[0].dead_click_timout_ms",
         "unknown key"),
    ],
)
def test_a_bad_value_names_the_key_and_the_problem(table: dict, key: str, problem: str) -> None:
    with pytest.raises(PolicyError) as bad:
        parse_detect(table, "site.toml")
    assert (bad.value.file, bad.value.key) == ("site.toml", key)
    assert problem in bad.value.problem
    assert str(bad.value).startswith(f"site.toml: {key}: ")


def test_a_detect_entry_that_is_not_a_table_is_refused() -> None:
    with pytest.raises(PolicyError) as bad:
        parse_detect(5, "site.toml")
    assert bad.value.key == "replay.detect"


def test_every_signal_kind_has_a_weight() -> None:
    assert all(DetectConfig().weight(kind) > 0 for kind in KINDS)


def test_overrides_name_pages_and_elements_as_the_report_shows_them() -> None:
    table = detect_table(
        """
        [replay.detect]
        autosave_confirmation_texts = ["Saved", " All changes saved "]
        autosave_confirmation_selectors = [".toast-saved", '[role="status"]']

        [[replay.detect.overrides]]
        page = "https://app.example/reports/*"
        element = 'button.btn:has-text("Export")'
        dead_click_timeout_ms = 8000

        [[replay.detect.overrides]]
        page = "/dashboard"
        ignore = ["dead_click", "rage_click"]
        rage_click_radius_px = 60
        """
    )
    config = parse_detect(table, "site.toml")
    assert config.autosave_confirmation_texts == ("saved", "all changes saved")
    assert config.autosave_confirmation_selectors == (
        Compound(classes=frozenset({"toast-saved"})), Compound(attrs=frozenset({("role", "status")}))
    )
    assert config.overrides == (
        Override(page="https://app.example/reports/*",
                 element=Compound("button", classes=frozenset({"btn"}), pseudos=frozenset({("has-text", "Export")})),
                 dead_click_timeout_ms=8000),
        Override(page="/dashboard", rage_click_radius_px=60.0, ignore=frozenset({"dead_click", "rage_click"})),
    )

"""Per-page and per-control thresholds (`[[replay.detect.overrides]]`), matched by the page and element identity the
report shows: a known slow control, a page whose buttons are expected to show nothing, a control clicked fast on
purpose."""

from __future__ import annotations

from typing import Any

from policies.detect import DetectConfig, Override
from policies.element_selector import parse_compound
from tests.replay.streams import E, Recording, analyze, of_kind

APP = "https://crm.example"


def override(page: str = "", element: str = "", **values: Any) -> DetectConfig:
    compound = parse_compound(element) if element else None
    return DetectConfig(overrides=(Override(page=page, element=compound, **values),))


def reports_page(rec: Recording, path: str = "/reports/42") -> dict[str, int]:
    return rec.page(0, APP + path, E("div", E("button", "Export", ref="export", class_="btn"),
                                     E("button", "Print", ref="print", class_="btn"), ref="bar"),
                    E("div", ref="out"))


def slow_export(rec: Recording, ids: dict[str, int]) -> None:
    rec.click(1000, ids["export"])
    rec.add(5000, ids["out"], "report.csv ready")  # answers after 4 s
    rec.click(8000, ids["print"])  # never answers
    rec.wait(15000)


def dead_selectors(rec: Recording, config: DetectConfig) -> list[str]:
    return [s.selector for s in of_kind(analyze(rec, config), "dead_click")]


def test_a_known_slow_control_gets_a_longer_timeout_and_only_it() -> None:
    rec = Recording()
    slow_export(rec, reports_page(rec))
    assert dead_selectors(rec, DetectConfig()) == ['button.btn:has-text("Export")', 'button.btn:has-text("Print")']
    config = override(element='button:has-text("Export")', dead_click_timeout_ms=6000)
    assert dead_selectors(rec, config) == ['button.btn:has-text("Print")']
    [dead] = of_kind(analyze(rec, config), "dead_click")
    assert dead.details["timeout_ms"] == 2500


def test_a_page_whose_buttons_show_nothing_reports_no_dead_clicks_there_and_elsewhere_still_does() -> None:
    config = override(page="/reports/*", ignore=frozenset({"dead_click"}))
    on_reports, elsewhere = Recording(), Recording()
    slow_export(on_reports, reports_page(on_reports))
    slow_export(elsewhere, reports_page(elsewhere, "/dashboard"))
    assert dead_selectors(on_reports, config) == []
    assert len(dead_selectors(elsewhere, config)) == 2
    assert dead_selectors(on_reports, override(page=APP + "/reports/:id", ignore=frozenset({"dead_click"}))) == []


def test_a_control_clicked_fast_on_purpose_needs_more_clicks_to_be_rage() -> None:
    rec = Recording()
    ids = reports_page(rec)
    for t in (1000, 1300, 1600):
        rec.click(t, ids["print"])
    rec.wait(9000)
    assert len(of_kind(analyze(rec), "rage_click")) == 1
    assert of_kind(analyze(rec, override(element=".btn", rage_click_count=5)), "rage_click") == []


def test_an_override_for_another_page_or_element_changes_nothing() -> None:
    rec = Recording()
    slow_export(rec, reports_page(rec))
    for config in (override(page="/settings", dead_click_timeout_ms=9000),
                   override(element='button:has-text("Share")', dead_click_timeout_ms=9000)):
        assert len(dead_selectors(rec, config)) == 2

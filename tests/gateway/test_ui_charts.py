"""The report's charts are inline SVG drawn on the server: proportional, labelled, and safe with any page text."""

from __future__ import annotations

import itertools
import re

import pytest

from gateway.ui import charts


@pytest.mark.parametrize("maximum", [0, 1, 3, 7, 10, 13, 99, 250, 1234])
def test_gridlines_are_round_whole_numbers_that_cover_the_largest_value(maximum: int) -> None:
    ticks = charts.nice_ticks(maximum)
    assert ticks[0] == 0 and ticks[-1] >= maximum and len(ticks) <= 7
    steps = {b - a for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1 and all(float(t).is_integer() for t in ticks)


def test_the_trend_stacks_each_days_signals_in_proportion() -> None:
    days = [{"day": "2026-11-20", "rage_clicks": 2, "dead_clicks": 4, "form_abandonments": 0},
            {"day": "2026-11-21", "rage_clicks": 1, "dead_clicks": 0, "form_abandonments": 1}]
    svg = str(charts.trend(days))
    drawn = re.findall(r'height="([\d.]+)" fill="#[0-9a-f]+"><title>([^<]+)</title>', svg)
    heights = {title: float(h) for h, title in drawn}
    assert set(heights) == {"2026-11-20: 2 rage clicks", "2026-11-20: 4 dead clicks", "2026-11-21: 1 rage clicks",
                            "2026-11-21: 1 abandoned forms"}
    unit = heights["2026-11-21: 1 rage clicks"]
    assert heights["2026-11-20: 4 dead clicks"] == pytest.approx(4 * unit, abs=0.05)  # drawn to 0.01 px
    assert 'role="img"' in svg and "<title id=" in svg and "2 days, 8 signals in all." in svg
    assert [s.label for s in charts.legend_series(days)] == ["Rage clicks", "Dead clicks", "Abandoned forms"]


def test_text_from_recorded_pages_is_escaped() -> None:
    svg = str(charts.trend([{"day": "<script>alert(1)</script>", "rage_clicks": 1}]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    parts = charts.shares({'input[name="<b>"]': 2})
    assert "<b>" not in str(charts.stacked(parts))


def test_a_meter_is_clamped_and_a_small_value_stays_visible() -> None:
    def filled(value: float, maximum: float) -> float:
        return float(re.findall(r'<rect width="([\d.]+)"', str(charts.meter(value, maximum, "#000")))[1])

    assert filled(5, 10) == 60 and filled(20, 10) == 120 and filled(0, 10) == 0 and filled(0.001, 10) == 2
    assert 'aria-hidden="true"' in str(charts.meter(1, 2, "#000"))


def test_a_distribution_keeps_its_largest_parts_and_sums_the_rest() -> None:
    distribution = {f"field-{i}": i for i in range(1, 9)}
    parts = charts.shares(distribution)
    assert [p.label for p in parts[:5]] == ["field-8", "field-7", "field-6", "field-5", "field-4"]
    assert parts[-1].label == "3 other fields" and parts[-1].count == 1 + 2 + 3
    assert sum(p.count for p in parts) == sum(distribution.values())

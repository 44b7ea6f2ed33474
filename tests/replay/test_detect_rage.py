"""Rage clicks: >= 3 clicks on the same element or within 30 px, each <= 1000 ms after the previous, with no response
(DOM mutation, input, navigation) between the first and the last click."""

from __future__ import annotations

from replay.detect import DetectConfig
from tests.replay.streams import START, E, Recording, analyze, of_kind


def dead_button_page(rec: Recording) -> dict[str, int]:
    return rec.page(
        0,
        "https://shop.example/cart",
        E("button", E("span", "Apply", ref="label"), ref="apply", type="button", data_testid="apply"),
        E("button", "Other", ref="other", type="button"),
        E("div", "plain", ref="plain"),
        E("div", "elsewhere", ref="far"),
    )


def dead_button_page_at(rec: Recording, t: int, href: str) -> dict[str, int]:
    return rec.page(t, href, E("button", "Apply", ref="apply", type="button"))


def rage(rec: Recording, config: DetectConfig | None = None) -> list:
    return of_kind(analyze(rec, config), "rage_click")


def test_three_quick_clicks_with_no_response_are_one_rage_click() -> None:
    rec = Recording()
    ids = dead_button_page(rec)
    for t in (1000, 1200, 1400):
        rec.click(t, ids["apply"])
    [signal] = rage(rec)
    assert signal.timestamp == START + 1000
    assert signal.selector == 'button[data-testid="apply"]'
    assert signal.page_url == "https://shop.example/cart"
    assert signal.details["click_count"] == 3
    assert signal.details["duration_ms"] == 400


def test_two_clicks_are_not_a_rage_click() -> None:
    rec = Recording()
    ids = dead_button_page(rec)
    rec.click(1000, ids["apply"])
    rec.click(1200, ids["apply"])
    assert rage(rec) == []


def test_a_long_burst_is_reported_once_with_its_click_count() -> None:
    rec = Recording()
    ids = dead_button_page(rec)
    for i in range(8):
        rec.click(1000 + i * 150, ids["apply"])
    [signal] = rage(rec)
    assert signal.details["click_count"] == 8


def test_a_gap_of_exactly_1000_ms_keeps_the_chain() -> None:
    rec = Recording()
    ids = dead_button_page(rec)
    for t in (1000, 2000, 3000):
        rec.click(t, ids["apply"])
    assert len(rage(rec)) == 1


def test_a_gap_of_1001_ms_breaks_the_chain() -> None:
    rec = Recording()
    ids = dead_button_page(rec)
    for t in (1000, 2000, 3001):
        rec.click(t, ids["apply"])
    assert rage(rec) == []


def test_the_interval_is_between_consecutive_clicks_not_from_the_first() -> None:
    rec = Recording()
    ids = dead_button_page(rec)
    for t in (1000, 1900, 2800, 3700):  # 2.7 s from first to last, but never more than 900 ms apart
        rec.click(t, ids["apply"])
    [signal] = rage(rec)
    assert signal.details["click_count"] == 4


def test_clicks_on_different_elements_within_30_px_chain() -> None:
    rec = Recording()
    ids = dead_button_page(rec)
    rec.click(1000, ids["plain"], x=100, y=100)
    rec.click(1200, ids["far"], x=118, y=124)  # exactly 30 px away
    rec.click(1400, ids["plain"], x=100, y=100)
    [signal] = rage(rec)
    assert signal.details["click_count"] == 3


def test_clicks_on_different_elements_more_than_30_px_apart_do_not_chain() -> None:
    rec = Recording()
    ids = dead_button_page(rec)
    rec.click(1000, ids["plain"], x=100, y=100)
    rec.click(1200, ids["far"], x=100, y=131)
    rec.click(1400, ids["plain"], x=100, y=100)
    assert rage(rec) == []


def test_clicks_on_the_same_element_chain_however_far_apart() -> None:
    rec = Recording()
    ids = dead_button_page(rec)
    rec.click(1000, ids["apply"], x=10, y=10)
    rec.click(1200, ids["apply"], x=300, y=10)
    rec.click(1400, ids["apply"], x=10, y=10)
    assert len(rage(rec)) == 1


def test_clicks_on_the_label_inside_a_button_count_as_clicks_on_the_button() -> None:
    rec = Recording()
    ids = dead_button_page(rec)
    rec.click(1000, ids["label"], x=10, y=10)
    rec.click(1200, ids["apply"], x=200, y=10)
    rec.click(1400, ids["label"], x=10, y=10)
    [signal] = rage(rec)
    assert signal.selector == 'button[data-testid="apply"]'


def test_the_distance_rule_can_be_configured() -> None:
    rec = Recording()
    ids = dead_button_page(rec)
    rec.click(1000, ids["plain"], x=100, y=100)
    rec.click(1200, ids["far"], x=100, y=140)
    rec.click(1400, ids["plain"], x=100, y=100)
    assert rage(rec) == []
    assert len(rage(rec, DetectConfig(rage_click_radius_px=40))) == 1


def test_the_click_count_can_be_configured() -> None:
    rec = Recording()
    ids = dead_button_page(rec)
    for t in (1000, 1200, 1400):
        rec.click(t, ids["apply"])
    assert rage(rec, DetectConfig(rage_click_count=4)) == []


def test_a_counter_that_changes_the_page_on_every_click_is_not_rage() -> None:
    rec = Recording()
    ids = rec.page(0, "https://shop.example/", E("button", "+", ref="plus", type="button"), E("span", "1", ref="n"))
    for i, t in enumerate((1000, 1150, 1300, 1450, 1600)):
        rec.click(t, ids["plus"])
        rec.mutate(t, ids["n"], {"data-count": str(i + 2)})  # in the same millisecond, after the click
    assert rage(rec) == []


def test_a_double_click_that_responds_is_not_rage() -> None:
    rec = Recording()
    ids = dead_button_page(rec)
    rec.click(1000, ids["plain"])
    rec.click(1100, ids["plain"])
    rec.dblclick(1100, ids["plain"])
    rec.mutate(1101, ids["plain"])
    rec.click(1900, ids["plain"])  # a later single click: the response above broke the chain
    assert rage(rec) == []


def test_dblclick_events_are_not_counted_as_clicks() -> None:
    rec = Recording()
    ids = dead_button_page(rec)
    rec.click(1000, ids["apply"])
    rec.click(1100, ids["apply"])
    rec.dblclick(1100, ids["apply"])
    assert rage(rec) == []


def test_an_input_between_clicks_breaks_the_chain() -> None:
    rec = Recording()
    ids = rec.page(0, "https://shop.example/", E("input", ref="box", type="checkbox"))
    rec.click(1000, ids["box"])
    rec.click(1200, ids["box"])
    rec.input(1201, ids["box"], "on", checked=True)
    rec.click(1400, ids["box"])
    assert rage(rec) == []


def test_a_mutation_just_after_the_last_click_does_not_undo_the_rage() -> None:
    rec = Recording()
    ids = dead_button_page(rec)
    for t in (1000, 1200, 1400):
        rec.click(t, ids["apply"])
    rec.mutate(1400, ids["apply"])
    [signal] = rage(rec)
    assert signal.details["time_to_response_ms"] == 400


def test_a_slow_button_reports_how_long_the_page_took_to_respond() -> None:
    rec = Recording()
    ids = dead_button_page(rec)
    for t in (1000, 1200, 1400, 1600):
        rec.click(t, ids["apply"])
    rec.scroll(2000)  # not a response for rage clicks
    rec.mutate(4400, ids["apply"])
    [signal] = rage(rec)
    assert signal.details["time_to_response_ms"] == 3400
    assert signal.details["response"] == "mutation"


def test_a_page_that_never_responds_reports_no_response_time() -> None:
    rec = Recording()
    ids = dead_button_page(rec)
    for t in (1000, 1200, 1400):
        rec.click(t, ids["apply"])
    rec.wait(9000)
    [signal] = rage(rec)
    assert signal.details["time_to_response_ms"] is None


def test_scroll_and_text_selection_between_clicks_do_not_break_the_chain() -> None:
    rec = Recording()
    ids = dead_button_page(rec)
    rec.click(1000, ids["plain"])
    rec.select_text(1050, ids["plain"] + 1)  # a fast second click selects a word
    rec.click(1200, ids["plain"])
    rec.scroll(1250)
    rec.click(1400, ids["plain"])
    assert len(rage(rec)) == 1


def test_a_navigation_between_clicks_breaks_the_chain_even_on_the_same_spot() -> None:
    rec = Recording()
    ids = dead_button_page(rec)
    rec.click(1000, ids["apply"])
    rec.click(1200, ids["apply"])
    ids = dead_button_page_at(rec, 1300, "https://shop.example/next")
    rec.click(1400, ids["apply"])
    rec.click(1600, ids["apply"])
    assert rage(rec) == []


def test_clicks_inside_an_iframe_chain_on_the_same_element() -> None:
    rec = Recording()
    ids = rec.page(0, "https://shop.example/", E("iframe", ref="frame"))
    frame = rec.attach_iframe(500, ids["frame"], E("button", "Pay", ref="pay", type="button"))
    for t in (1000, 1200, 1400):
        rec.click(t, frame["pay"], x=20, y=20)
    [signal] = rage(rec)
    assert signal.selector == 'button:has-text("Pay")'
    assert signal.description == 'button[type=button] "Pay"'


def test_coordinates_inside_an_iframe_are_not_compared_with_the_page_around_it() -> None:
    # Click positions in a frame are relative to the frame: (20, 20) in the frame is not (20, 20) on the page.
    rec = Recording()
    ids = rec.page(0, "https://shop.example/", E("div", "logo", ref="logo"), E("iframe", ref="frame"))
    frame = rec.attach_iframe(500, ids["frame"], E("div", "ad", ref="ad"))
    rec.click(1000, ids["logo"], x=20, y=20)
    rec.click(1200, frame["ad"], x=20, y=20)
    rec.click(1400, ids["logo"], x=20, y=20)
    assert rage(rec) == []


def test_a_stream_without_a_full_snapshot_still_finds_rage_by_node_id() -> None:
    rec = Recording()
    rec.meta(0, "https://shop.example/")
    for t in (1000, 1200, 1400):
        rec.click(t, 42)
    [signal] = rage(rec)
    assert signal.selector == ""
    assert "unknown element" in signal.description

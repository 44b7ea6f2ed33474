"""The checker that holds a labelled corpus to DESIGN.md's definitions: it finds the episodes the definitions name in
hand-written streams, and calls a label wrong when the events do not bear it out."""

from __future__ import annotations

from typing import Any

from tests.replay.label_rules import check_session, dead_clicks, error_clicks, rage_chains, timeline
from tests.replay.streams import START, E, Recording

URL = "http://127.0.0.1:8766/app/customers"


def page(rec: Recording) -> dict[str, int]:
    return rec.page(
        0,
        URL,
        E("div", E("button", "Export", ref="export", class_="btn"), E("button", "Share", ref="share", class_="btn")),
        E("a", "Billing", ref="billing", href="/billing/", target="_blank"),
        E("form", E("input", ref="name", name="name"), ref="form", class_="modal-form"),
    )


def clicks_at(rec: Recording, node: int, times: list[int], xs: list[float] | None = None) -> None:
    for i, t in enumerate(times):
        rec.click(t, node, x=(xs[i] if xs else 100), y=100)


def test_three_clicks_up_to_1000_ms_apart_without_a_response_are_a_rage_chain() -> None:
    rec = Recording()
    ids = page(rec)
    clicks_at(rec, ids["export"], [1000, 1950, 2900])
    rec.wait(9000)
    assert [len(chain) for chain in rage_chains(timeline(rec.events))] == [3]


def test_clicks_more_than_1000_ms_apart_are_not_a_chain_but_each_can_be_dead() -> None:
    rec = Recording()
    ids = page(rec)
    clicks_at(rec, ids["export"], [1000, 2150, 3350])
    rec.wait(9000)
    line = timeline(rec.events)
    assert rage_chains(line) == []
    assert [c.t - START for c in dead_clicks(line)] == [1000, 2150, 3350]


def test_neighbours_25_px_apart_chain_and_40_px_apart_do_not() -> None:
    near, far = Recording(), Recording()
    for rec, step in ((near, 25), (far, 40)):
        ids = page(rec)
        for i, t in enumerate([1000, 1300, 1600]):
            rec.click(t, ids["export"] if i % 2 == 0 else ids["share"], x=100 + i * step, y=100)
        rec.wait(9000)
    assert len(rage_chains(timeline(near.events))) == 1
    assert rage_chains(timeline(far.events)) == []


def test_a_response_inside_the_burst_breaks_the_chain() -> None:
    rec = Recording()
    ids = page(rec)
    clicks_at(rec, ids["export"], [1000, 1200])
    rec.mutate(1300, ids["export"])
    clicks_at(rec, ids["export"], [1400])
    rec.wait(9000)
    assert rage_chains(timeline(rec.events)) == []


def test_a_click_answered_within_2500_ms_is_not_dead_and_one_answered_later_is() -> None:
    rec = Recording()
    ids = page(rec)
    rec.click(1000, ids["export"])
    rec.mutate(3400, ids["export"])  # 2.4 s: slow, not dead
    rec.click(6000, ids["share"])
    rec.mutate(8600, ids["share"])  # 2.6 s: too late
    rec.wait(12000)
    assert [c.t - START for c in dead_clicks(timeline(rec.events))] == [6000]


def test_route_changes_scrolls_and_inputs_answer_a_click() -> None:
    rec = Recording()
    ids = page(rec)
    rec.click(1000, ids["export"])
    rec.custom(1010, "$url_changed", {"href": URL + "/1004"})
    rec.click(5000, ids["export"])
    rec.scroll(6000)
    rec.wait(12000)
    assert dead_clicks(timeline(rec.events)) == []


def test_fields_and_links_that_open_elsewhere_are_never_dead() -> None:
    rec = Recording()
    ids = page(rec)
    rec.click(1000, ids["name"])
    rec.click(5000, ids["billing"])
    rec.wait(12000)
    assert dead_clicks(timeline(rec.events)) == []


def test_a_console_error_within_a_second_makes_an_error_click() -> None:
    rec = Recording()
    ids = page(rec)
    rec.click(1000, ids["export"])
    rec.console_error(1004, "TypeError: Cannot read properties of null")
    rec.wait(6000)
    assert [c.t - START for c in error_clicks(timeline(rec.events))] == [1000]


def session(rec: Recording, labels: list[dict[str, Any]]) -> dict[str, Any]:
    return {"session_id": "sess_x", "events": rec.events, "labels": labels}


def label(kind: str, start: int, end: int, selector: str = "button.btn", url: str = URL) -> dict[str, Any]:
    return {"kind": kind, "t_start_ms": START + start, "t_end_ms": START + end, "selector": selector, "page_url": url}


def dead_export() -> Recording:
    rec = Recording()
    ids = page(rec)
    rec.click(1000, ids["export"])
    rec.wait(6000)
    return rec


def test_a_right_dead_click_label_passes() -> None:
    assert check_session(session(dead_export(), [label("dead_click", 990, 1010)])) == []


def test_a_missing_label_a_label_without_episode_a_wrong_element_or_page_are_all_reported() -> None:
    rec = dead_export()
    assert check_session(session(rec, [])) == [f"dead_click @{START + 1000}: 0 labels hold this episode's clicks"]
    assert len(check_session(session(rec, [label("dead_click", 990, 1010), label("dead_click", 3000, 3010)]))) == 1
    assert "label names 'a.link'" in check_session(session(rec, [label("dead_click", 990, 1010, "a.link")]))[0]
    wrong_page = check_session(session(rec, [label("dead_click", 990, 1010, url=URL + "/1004")]))
    assert "label page" in wrong_page[0]


def test_a_click_too_close_to_the_end_of_the_recording_cannot_be_labelled() -> None:
    rec = Recording()
    ids = page(rec)
    rec.click(1000, ids["export"])
    rec.wait(2000)
    assert any("too soon to tell" in p for p in check_session(session(rec, [])))


def test_a_form_label_starts_at_the_first_input_into_that_form_and_ends_when_the_page_is_left() -> None:
    rec = Recording()
    ids = page(rec)
    rec.type_text(1000, ids["name"], "Ada")
    rec.custom(5000, "$url_changed", {"href": URL + "/1004"})
    rec.wait(9000)
    good = label("form_abandonment", 990, 4990, "form.modal-form")
    assert check_session(session(rec, [good])) == []
    not_left = label("form_abandonment", 990, 3000, "form.modal-form")
    assert "no navigation" in check_session(session(rec, [not_left]))[0]
    other_form = label("form_abandonment", 990, 4990, "form.ticket-form")
    assert "not in 'form.ticket-form'" in check_session(session(rec, [other_form]))[0]

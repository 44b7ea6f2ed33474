"""Dead clicks: a click on an element that is not a text field, select, label or the page itself, followed by no DOM
mutation, navigation, scroll, input or selection change within 2500 ms. Links that open elsewhere are not dead.
Clicks of a rage click are reported as that rage click only."""

from __future__ import annotations

import pytest

from replay.detect import DetectConfig
from tests.replay.streams import START, E, Recording, analyze, of_kind


def shop(rec: Recording) -> dict[str, int]:
    return rec.page(
        0,
        "https://shop.example/orders/8812?tab=2",
        E("img", ref="badge", alt="Get the app", class_="app-badge", data_testid="app-badge"),
        E("span", "Verify email", ref="tag", class_="tag"),
        E("button", "Apply", ref="apply", type="button"),
        E("input", ref="button_input", type="button", value="Go"),
        E("input", ref="text", type="text", name="q"),
        E("textarea", ref="area"),
        E("select", E("option", "A", ref="option"), ref="select"),
        E("label", E("span", "Remember me", ref="label_text"), ref="label"),
        E("div", E("p", "Edit me", ref="editable_text"), ref="editable", contenteditable="true"),
        E("a", "Docs", ref="blank_link", href="https://docs.example/", target="_blank"),
        E("a", "Invoice", ref="download_link", href="/invoice.pdf", download=""),
        E("a", "Mail us", ref="mail_link", href="mailto:help@shop.example"),
        E("a", "Home", ref="self_link", href="/", target="_self"),
    )


def dead(rec: Recording, config: DetectConfig | None = None) -> list:
    return of_kind(analyze(rec, config), "dead_click")


def test_a_click_that_nothing_answers_for_2500_ms_is_dead() -> None:
    rec = Recording()
    ids = shop(rec)
    rec.click(1000, ids["badge"])
    rec.wait(4000)
    [signal] = dead(rec)
    assert signal.timestamp == START + 1000
    assert signal.selector == 'img.app-badge[data-testid="app-badge"]'
    assert signal.description == 'img "Get the app"'
    assert signal.page_url == "https://shop.example/orders/:id"
    assert signal.details["timeout_ms"] == 2500


def test_a_mutation_just_before_the_timeout_keeps_the_click_alive() -> None:
    rec = Recording()
    ids = shop(rec)
    rec.click(1000, ids["tag"])
    rec.mutate(3499, ids["tag"])
    rec.wait(6000)
    assert dead(rec) == []


def test_a_mutation_exactly_at_the_timeout_keeps_the_click_alive() -> None:
    rec = Recording()
    ids = shop(rec)
    rec.click(1000, ids["tag"])
    rec.mutate(3500, ids["tag"])
    rec.wait(6000)
    assert dead(rec) == []


def test_a_mutation_one_ms_after_the_timeout_is_too_late() -> None:
    rec = Recording()
    ids = shop(rec)
    rec.click(1000, ids["tag"])
    rec.mutate(3501, ids["tag"])
    [signal] = dead(rec)
    assert signal.details["time_to_response_ms"] == 2501
    assert signal.details["response"] == "mutation"


def test_a_mutation_before_the_click_does_not_answer_it() -> None:
    rec = Recording()
    ids = shop(rec)
    rec.mutate(1000, ids["tag"])  # same millisecond, but before the click in the stream
    rec.click(1000, ids["tag"])
    rec.wait(4000)
    assert len(dead(rec)) == 1


def test_the_timeout_can_be_configured() -> None:
    rec = Recording()
    ids = shop(rec)
    rec.click(1000, ids["tag"])
    rec.mutate(3000, ids["tag"])
    rec.wait(6000)
    assert dead(rec) == []
    assert len(dead(rec, DetectConfig(dead_click_timeout_ms=1500))) == 1


@pytest.mark.parametrize(
    "respond",
    [
        pytest.param(lambda rec, ids: rec.mutate(2000, ids["body"]), id="mutation"),
        pytest.param(lambda rec, ids: rec.add(2000, ids["body"], E("div", "Saved")), id="added node"),
        pytest.param(lambda rec, ids: rec.page(2000, "https://shop.example/next", E("p")), id="navigation"),
        pytest.param(lambda rec, ids: rec.scroll(2000), id="scroll"),
        pytest.param(lambda rec, ids: rec.input(2000, ids["text"], "x"), id="input"),
        pytest.param(lambda rec, ids: rec.select_text(2000, ids["tag"] + 1), id="text selection"),
    ],
)
def test_each_kind_of_response_keeps_a_click_alive(respond) -> None:
    rec = Recording()
    ids = shop(rec)
    rec.click(1000, ids["tag"])
    respond(rec, ids)
    rec.wait(9000)
    assert dead(rec) == []


def test_a_selection_collapsing_to_a_caret_is_not_a_response() -> None:
    # What a click on dead text does to an earlier selection: nothing happened, the click is still dead.
    rec = Recording()
    ids = shop(rec)
    rec.click(1000, ids["tag"])
    rec.collapse_selection(1001, ids["tag"] + 1)
    rec.wait(4000)
    assert len(dead(rec)) == 1


def test_mouse_moves_focus_and_console_output_are_not_responses() -> None:
    rec = Recording()
    ids = shop(rec)
    rec.click(1000, ids["apply"])
    rec.focus(1000, ids["apply"])
    rec.moves(1500, [(-100, 10, 10), (0, 50, 50)])
    rec.console_log(1600, "clicked")
    rec.blur(3000, ids["apply"])
    rec.wait(4000)
    assert len(dead(rec)) == 1


@pytest.mark.parametrize(
    "ref",
    ["text", "area", "select", "option", "label", "label_text", "editable", "editable_text", "body", "html"],
)
def test_clicks_on_fields_labels_and_the_page_itself_are_never_dead(ref: str) -> None:
    rec = Recording()
    ids = shop(rec)
    rec.click(1000, ids[ref])
    rec.wait(6000)
    assert dead(rec) == []


@pytest.mark.parametrize("ref", ["blank_link", "download_link", "mail_link"])
def test_links_that_open_elsewhere_are_never_dead(ref: str) -> None:
    rec = Recording()
    ids = shop(rec)
    rec.click(1000, ids[ref])
    rec.wait(6000)
    assert dead(rec) == []


def test_a_same_tab_link_that_goes_nowhere_is_dead() -> None:
    rec = Recording()
    ids = shop(rec)
    rec.click(1000, ids["self_link"])
    rec.wait(6000)
    [signal] = dead(rec)
    assert signal.selector == 'a:has-text("Home")'


def test_a_button_input_is_a_button_not_a_field() -> None:
    rec = Recording()
    ids = shop(rec)
    rec.click(1000, ids["button_input"])
    rec.wait(6000)
    [signal] = dead(rec)
    assert signal.description == "input[type=button]"


def test_clicks_of_a_rage_click_are_not_also_dead_clicks() -> None:
    rec = Recording()
    ids = shop(rec)
    for t in (1000, 1200, 1400):
        rec.click(t, ids["apply"])
    rec.wait(9000)
    analysis = analyze(rec)
    assert analysis.counts["rage_click"] == 1
    assert analysis.counts["dead_click"] == 0


def test_a_rage_chain_longer_than_the_timeout_is_still_not_dead() -> None:
    # The first click's 2.5 s run out before the chain stops growing; the chain decides at the end.
    rec = Recording()
    ids = shop(rec)
    for i in range(6):
        rec.click(1000 + i * 900, ids["apply"])
    rec.wait(12000)
    analysis = analyze(rec)
    assert (analysis.counts["rage_click"], analysis.counts["dead_click"]) == (1, 0)


def test_each_click_of_a_double_click_on_a_dead_element_is_a_dead_click() -> None:
    # Two clicks are no rage click; DESIGN.md's rule then judges each click on its own.
    rec = Recording()
    ids = shop(rec)
    rec.click(1000, ids["badge"])
    rec.click(1100, ids["badge"])
    rec.dblclick(1100, ids["badge"])
    rec.wait(6000)
    assert [s.timestamp - START for s in dead(rec)] == [1000, 1100]


def test_a_click_near_the_end_of_the_recording_is_undecided_and_not_reported() -> None:
    rec = Recording()
    ids = shop(rec)
    rec.click(1000, ids["badge"])
    rec.wait(3499)
    assert dead(rec) == []


def test_a_recording_that_lasts_exactly_until_the_deadline_decides_the_click() -> None:
    rec = Recording()
    ids = shop(rec)
    rec.click(1000, ids["badge"])
    rec.wait(3500)
    assert len(dead(rec)) == 1


def test_a_dead_click_inside_an_iframe_names_the_element_in_the_frame() -> None:
    rec = Recording()
    ids = rec.page(0, "https://shop.example/", E("iframe", ref="frame"))
    frame = rec.attach_iframe(500, ids["frame"], E("div", "Chat", ref="chat", id="chat"))
    rec.click(1000, frame["chat"])
    rec.wait(5000)
    [signal] = dead(rec)
    assert signal.selector == "div#chat"
    assert signal.page_url == "https://shop.example/"


def test_a_click_on_a_field_inside_an_iframe_is_not_dead() -> None:
    rec = Recording()
    ids = rec.page(0, "https://shop.example/", E("iframe", ref="frame"))
    frame = rec.attach_iframe(500, ids["frame"], E("input", ref="card", type="text"))
    rec.click(1000, frame["card"])
    rec.wait(5000)
    assert dead(rec) == []


def test_clicks_before_any_full_snapshot_are_not_judged() -> None:
    # Without the DOM there is no telling a text field from a button, so no dead click can be claimed.
    rec = Recording()
    rec.meta(0, "https://shop.example/")
    rec.click(1000, 42)
    rec.wait(6000)
    assert dead(rec) == []


def test_a_click_on_a_node_the_mirror_never_saw_is_not_judged() -> None:
    rec = Recording()
    shop(rec)
    rec.click(1000, 99999)
    rec.wait(6000)
    assert dead(rec) == []


def test_the_time_to_a_late_response_is_reported() -> None:
    rec = Recording()
    ids = shop(rec)
    rec.click(1000, ids["apply"])
    rec.wait(4000)
    rec.scroll(5200)
    [signal] = dead(rec)
    assert (signal.details["time_to_response_ms"], signal.details["response"]) == (4200, "scroll")


def test_a_click_on_an_anonymous_child_is_reported_on_its_nearest_named_ancestor() -> None:
    # A bare <img> names nothing a report could group by; the tile the page's authors named does.
    rec = Recording()
    ids = rec.page(
        0,
        "https://shop.example/",
        E("div", E("div", E("img", ref="img", src="/a.png")), data_testid="photo-tile"),
        E("div", E("span", "New", ref="badge", class_="badge"), data_testid="card"),
    )
    rec.click(1000, ids["img"])
    rec.click(5000, ids["badge"])
    rec.wait(9000)
    assert [s.selector for s in dead(rec)] == ['div[data-testid="photo-tile"]', 'span.badge:has-text("New")']

"""Form abandonment: a field of a form received input, and the form was not submitted before the page was left or the
recording ended. Submitted = a click on a submit control followed by a navigation, the form's removal or replacement,
or another DOM change; or a custom "form submit" event."""

from __future__ import annotations

from replay.detect import DetectConfig
from tests.replay.streams import START, E, Recording, analyze, of_kind


def checkout_body() -> tuple[E, ...]:
    return (
        E("a", "Home", ref="home", href="/"),
        E(
            "form",
            E("label", "Name", E("input", ref="name", type="text", name="name")),
            E("input", ref="email", type="email", name="email", data_testid="email"),
            E("select", E("option", "Standard"), ref="shipping", name="shipping"),
            E("input", ref="gift", type="checkbox", name="gift"),
            E("button", "+", ref="stepper", type="button"),
            E("button", E("span", "Pay", ref="pay_label"), ref="pay"),  # no type: a submit button
            E("p", "", ref="status"),
            ref="form",
            id="checkout",
        ),
        E("div", ref="results"),
        E("input", ref="search", type="search", name="q"),  # outside any form
    )


def checkout(rec: Recording, t: int = 0) -> dict[str, int]:
    return rec.page(t, "https://shop.example/checkout", *checkout_body())


def abandoned(rec: Recording, config: DetectConfig | None = None) -> list:
    return of_kind(analyze(rec, config), "form_abandonment")


def leave(rec: Recording, ids: dict[str, int], t: int) -> None:
    rec.click(t, ids["home"])
    rec.page(t + 200, "https://shop.example/", E("p", "Welcome"))


def test_typing_into_a_form_then_following_a_link_abandons_it() -> None:
    rec = Recording()
    ids = checkout(rec)
    rec.focus(1000, ids["name"])
    rec.type_text(1100, ids["name"], "Ada")
    rec.focus(3000, ids["email"])
    rec.type_text(3100, ids["email"], "ada@")
    rec.focus(6000, ids["shipping"])
    leave(rec, ids, 8000)
    [signal] = abandoned(rec)
    assert signal.timestamp == START + 1100
    assert signal.selector == "form#checkout"
    assert signal.page_url == "https://shop.example/checkout"
    assert signal.details == {
        "drop_off_field": 'select[name="shipping"]',
        "drop_off_field_description": 'select "shipping"',
        "fields_filled": 2,
        "fields": ['input[name="name"]', 'input[data-testid="email"]'],
        "started_at": START + 1100,
        "left_at": START + 8000,
        "time_spent_ms": 6900,
        "left_by": "navigation",
        "submit_clicks": 0,
    }


def test_typing_into_a_form_and_idling_until_the_recording_ends_abandons_it() -> None:
    rec = Recording()
    ids = checkout(rec)
    rec.type_text(1000, ids["email"], "a")
    rec.wait(30000)
    [signal] = abandoned(rec)
    assert signal.details["left_by"] == "session_end"
    assert signal.details["left_at"] == START + 30000


def test_focus_alone_does_not_start_a_form() -> None:
    rec = Recording()
    ids = checkout(rec)
    rec.click(1000, ids["name"])
    rec.focus(1000, ids["name"])
    rec.focus(2000, ids["email"])
    leave(rec, ids, 5000)
    assert abandoned(rec) == []


def test_a_select_change_starts_a_form() -> None:
    rec = Recording()
    ids = checkout(rec)
    rec.input(1000, ids["shipping"], "Standard")
    leave(rec, ids, 3000)
    assert len(abandoned(rec)) == 1


def test_a_checkbox_starts_a_form() -> None:
    rec = Recording()
    ids = checkout(rec)
    rec.click(1000, ids["gift"])
    rec.input(1000, ids["gift"], "on", checked=True)
    leave(rec, ids, 3000)
    [signal] = abandoned(rec)
    assert signal.details["fields_filled"] == 1


def test_input_outside_any_form_never_counts() -> None:
    rec = Recording()
    ids = checkout(rec)
    rec.type_text(1000, ids["search"], "shoes")
    leave(rec, ids, 4000)
    assert abandoned(rec) == []


def test_an_input_that_empties_a_field_does_not_start_a_form() -> None:
    # Applications clear fields from script (rrweb records that as Input); nothing was filled.
    rec = Recording()
    ids = checkout(rec)
    rec.input(1000, ids["email"], "")
    leave(rec, ids, 3000)
    assert abandoned(rec) == []


def test_a_side_effect_input_marked_not_user_triggered_does_not_start_a_form() -> None:
    rec = Recording()
    ids = checkout(rec)
    rec.input(1000, ids["gift"], "on", checked=True, user_triggered=False)
    leave(rec, ids, 3000)
    assert abandoned(rec) == []


def test_a_submit_click_followed_by_navigation_submits_the_form() -> None:
    rec = Recording()
    ids = checkout(rec)
    rec.type_text(1000, ids["email"], "ada@shop.example")
    rec.click(4000, ids["pay_label"])  # on the button's label: still the submit button
    rec.page(4600, "https://shop.example/thanks", E("p", "Thanks"))
    rec.wait(9000)
    assert abandoned(rec) == []


def test_a_submit_click_that_removes_the_form_submits_it() -> None:
    rec = Recording()
    ids = checkout(rec)
    rec.type_text(1000, ids["email"], "ada")
    rec.click(4000, ids["pay"])
    rec.remove(4010, ids["form"], ids["body"])
    leave(rec, ids, 8000)
    assert abandoned(rec) == []


def test_a_submit_click_that_renders_results_next_to_the_form_submits_it() -> None:
    rec = Recording()
    ids = checkout(rec)
    rec.type_text(1000, ids["email"], "ada")
    rec.click(4000, ids["pay"])
    rec.add(4300, ids["results"], E("div", "Order 1234 confirmed"))
    leave(rec, ids, 8000)
    assert abandoned(rec) == []


def test_a_submit_click_that_shows_a_confirmation_inside_the_form_submits_it() -> None:
    rec = Recording()
    ids = checkout(rec)
    rec.type_text(1000, ids["email"], "ada")
    rec.click(4000, ids["pay"])
    rec.add(4300, ids["status"], "Saved")
    leave(rec, ids, 8000)
    assert abandoned(rec) == []


def test_a_change_on_the_submit_button_alone_is_not_a_submission() -> None:
    # A ripple or a spinner follows any click on the button, including one that the browser's validation refuses.
    rec = Recording()
    ids = checkout(rec)
    rec.type_text(1000, ids["email"], "ada")
    rec.click(4000, ids["pay"])
    rec.mutate(4001, ids["pay"], {"class": "ripple"})
    rec.add(4002, ids["pay"], E("span", ref="ripple"))
    leave(rec, ids, 8000)
    [signal] = abandoned(rec)
    assert signal.details["submit_clicks"] == 1


def test_a_button_of_type_button_does_not_submit() -> None:
    rec = Recording()
    ids = checkout(rec)
    rec.type_text(1000, ids["email"], "ada")
    rec.click(4000, ids["stepper"])
    rec.mutate(4001, ids["status"], {"data-count": "2"})
    leave(rec, ids, 8000)
    [signal] = abandoned(rec)
    assert signal.details["submit_clicks"] == 0


def test_a_navigation_caused_by_a_later_link_click_does_not_count_as_the_submission() -> None:
    rec = Recording()
    ids = checkout(rec)
    rec.type_text(1000, ids["email"], "ada")
    rec.click(4000, ids["pay"])  # refused by the browser's validation: nothing changes
    leave(rec, ids, 5000)
    assert len(abandoned(rec)) == 1


def test_a_dom_change_long_after_the_submit_click_does_not_confirm_it() -> None:
    rec = Recording()
    ids = checkout(rec)
    rec.type_text(1000, ids["email"], "ada")
    rec.click(4000, ids["pay"])
    rec.add(9001, ids["results"], E("div", "unrelated"))  # 5001 ms later
    leave(rec, ids, 12000)
    assert len(abandoned(rec)) == 1


def test_the_submit_timeout_can_be_configured() -> None:
    rec = Recording()
    ids = checkout(rec)
    rec.type_text(1000, ids["email"], "ada")
    rec.click(4000, ids["pay"])
    rec.add(6000, ids["results"], E("div", "Order confirmed"))
    leave(rec, ids, 12000)
    assert abandoned(rec) == []
    assert len(abandoned(rec, DetectConfig(form_submit_timeout_ms=1000))) == 1


def test_a_custom_form_submit_event_submits_the_form() -> None:
    rec = Recording()
    ids = checkout(rec)
    rec.type_text(1000, ids["email"], "ada")
    rec.custom(3000, "form submit", {"form": "checkout"})
    leave(rec, ids, 8000)
    assert abandoned(rec) == []


def test_a_recording_that_ends_right_after_a_submit_click_counts_as_submitted() -> None:
    # Posting to a page that is not recorded (a payment provider) ends the recording exactly like this.
    rec = Recording()
    ids = checkout(rec)
    rec.type_text(1000, ids["email"], "ada")
    rec.click(4000, ids["pay"])
    rec.wait(4300)
    assert abandoned(rec) == []


def test_typing_again_after_a_submission_starts_a_new_episode() -> None:
    rec = Recording()
    ids = checkout(rec)
    rec.type_text(1000, ids["email"], "ada")
    rec.click(3000, ids["pay"])
    rec.add(3100, ids["results"], E("div", "Sent"))
    rec.type_text(6000, ids["email"], "b")
    leave(rec, ids, 9000)
    [signal] = abandoned(rec)
    assert signal.details["started_at"] == START + 6000


def test_a_field_naming_its_form_with_the_form_attribute_belongs_to_it() -> None:
    rec = Recording()
    ids = rec.page(
        0,
        "https://shop.example/",
        E("a", "Home", ref="home", href="/"),
        E("form", ref="form", id="signup"),
        E("input", ref="email", type="email", form="signup"),
    )
    rec.type_text(1000, ids["email"], "x")
    leave(rec, ids, 3000)
    [signal] = abandoned(rec)
    assert signal.selector == "form#signup"


def test_a_form_inside_an_iframe_is_its_own_form() -> None:
    rec = Recording()
    ids = rec.page(
        0,
        "https://shop.example/",
        E("a", "Home", ref="home", href="/"),
        E("form", E("iframe", ref="frame"), ref="outer", id="outer"),
    )
    frame = rec.attach_iframe(500, ids["frame"], E("form", E("input", ref="card", type="text"), id="card-form"))
    rec.type_text(1000, frame["card"], "4242")
    leave(rec, ids, 4000)
    [signal] = abandoned(rec)
    assert signal.selector == "form#card-form"


def test_a_resnapshot_of_the_same_page_does_not_leave_it() -> None:
    # rrweb checkouts and posthog-js's periodic full snapshots emit Meta + FullSnapshot with the same URL.
    rec = Recording()
    ids = checkout(rec)
    rec.type_text(1000, ids["email"], "ada")
    rec.page(3000, "https://shop.example/checkout", *checkout_body())
    rec.wait(20000)
    [signal] = abandoned(rec)
    assert signal.details["left_by"] == "session_end"
    assert signal.details["started_at"] == START + 1000


def test_a_submit_after_a_resnapshot_still_submits_the_form() -> None:
    rec = Recording()
    ids = checkout(rec)
    rec.type_text(1000, ids["email"], "ada")
    ids = rec.page(3000, "https://shop.example/checkout", *checkout_body())
    rec.click(5000, ids["pay"])
    rec.page(5400, "https://shop.example/thanks", E("p"))
    rec.wait(9000)
    assert abandoned(rec) == []


def test_a_single_page_app_route_change_that_removes_the_form_leaves_it() -> None:
    rec = Recording()
    ids = checkout(rec)
    rec.type_text(1000, ids["email"], "ada")
    rec.click(3000, ids["home"])
    rec.custom(3050, "$pageview", {"href": "https://shop.example/"})
    rec.remove(3070, ids["form"], ids["body"])  # the new route renders
    rec.wait(20000)
    [signal] = abandoned(rec)
    assert signal.details["left_by"] == "navigation"
    assert signal.details["left_at"] == START + 3000


def test_a_pageview_event_for_the_current_url_is_not_a_route_change() -> None:
    rec = Recording()
    ids = checkout(rec)
    rec.custom(10, "$pageview", {"href": "https://shop.example/checkout"})
    rec.type_text(1000, ids["email"], "ada")
    rec.click(3000, ids["pay"])
    rec.add(3100, ids["results"], E("div", "Done"))
    rec.wait(20000)
    assert abandoned(rec) == []


def test_two_forms_on_a_page_are_judged_separately() -> None:
    rec = Recording()
    ids = rec.page(
        0,
        "https://shop.example/",
        E("a", "Home", ref="home", href="/"),
        E("form", E("input", ref="q", type="search"), E("button", "Go", ref="go"), id="search"),
        E("form", E("input", ref="mail", type="email"), id="newsletter"),
        E("div", ref="results"),
    )
    rec.type_text(1000, ids["q"], "tents")
    rec.click(2000, ids["go"])
    rec.add(2100, ids["results"], E("p", "12 results"))
    rec.type_text(4000, ids["mail"], "a@")
    leave(rec, ids, 7000)
    [signal] = abandoned(rec)
    assert signal.selector == "form#newsletter"


def test_a_stream_without_a_full_snapshot_reports_no_form() -> None:
    rec = Recording()
    rec.meta(0, "https://shop.example/")
    rec.input(1000, 12, "ada")
    rec.wait(20000)
    assert abandoned(rec) == []

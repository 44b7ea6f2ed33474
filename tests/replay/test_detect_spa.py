"""Single-page apps: route changes without a page load as page boundaries, forms left when a route change removes
them, autosave forms, fetch-submitted forms, modals, shadow DOM, same-origin iframes and phone taps."""

from __future__ import annotations

from replay.detect import DetectConfig
from tests.replay.streams import MUTATION, START, E, Recording, analyze, of_kind

APP = "https://crm.example"


def contacts_view() -> tuple[E, ...]:
    return (
        E("nav", E("a", "Contacts", ref="nav_contacts", href="/contacts"),
          E("a", "Settings", ref="nav_settings", href="/settings")),
        E("main",
          E("form",
            E("input", ref="name", name="name"),
            E("input", ref="email", name="email", type="email"),
            E("button", "Create", ref="create"),
            E("p", "", ref="status"),
            ref="form", class_="contact-form"),
          ref="main"),
    )


def app(rec: Recording, path: str = "/contacts/new") -> dict[str, int]:
    return rec.page(0, APP + path, *contacts_view())


def settings_form(rec: Recording, t: int, parent: int) -> dict[str, int]:
    """An autosave settings panel: no submit control, a status line that says "Saved ✓" after each change."""
    return rec.add(
        t, parent,
        E("form",
          E("input", ref="display_name", name="display_name"),
          E("input", ref="newsletter", name="newsletter", type="checkbox"),
          E("span", E("span", "", ref="saved_text"), ref="saved", class_="save-status"),
          ref="settings", class_="settings"),
    )


def show_settings(rec: Recording, ids: dict[str, int], t: int) -> dict[str, int]:
    """Click "Settings": the route changes, the contact form goes, the settings panel renders."""
    rec.click(t, ids["nav_settings"])
    rec.route(t + 20, APP + "/settings")
    rec.remove(t + 30, ids["form"], ids["main"])
    return settings_form(rec, t + 40, ids["main"])


# -- route changes ---------------------------------------------------------------------------------------------------


def test_signals_carry_the_route_and_the_address_bar_url_at_their_moment() -> None:
    rec = Recording()
    ids = app(rec)
    rec.click(1000, ids["status"])  # dead on /contacts/new
    show_settings(rec, ids, 5000)
    rec.click(7000, ids["nav_contacts"])  # dead on /settings: nothing answers
    rec.wait(12000)
    dead = of_kind(analyze(rec), "dead_click")
    assert [(s.page_url, s.url) for s in dead] == [
        (APP + "/contacts/new", APP + "/contacts/new"),
        (APP + "/settings", APP + "/settings"),
    ]


def test_a_route_change_answers_the_click_that_caused_it() -> None:
    rec = Recording()
    ids = app(rec)
    rec.click(1000, ids["nav_settings"])
    rec.route(1400, APP + "/settings")  # the URL changed; this app renders nothing visible
    rec.wait(9000)
    assert of_kind(analyze(rec), "dead_click") == []


def test_page_views_follow_route_changes_and_the_last_is_where_the_session_ended() -> None:
    rec = Recording()
    ids = app(rec)
    show_settings(rec, ids, 5000)
    rec.route(8000, APP + "/contacts/42", tag="$pageview")
    rec.wait(12000)
    views = analyze(rec).pages
    assert [(v.page.page_url, v.entered_at - START, v.left_at - START, v.exit) for v in views] == [
        (APP + "/contacts/new", 0, 5000, False),
        (APP + "/settings", 5020, 5040, False),  # left at the last event before the next route
        (APP + "/contacts/:id", 8000, 12000, True),
    ]
    assert views[2].page.url == APP + "/contacts/42"


def test_route_urls_are_read_from_the_usual_payloads_and_plain_anchors_are_not_routes() -> None:
    rec = Recording()
    ids = app(rec, "/#/contacts")
    rec.custom(100, "$url_changed", {"href": APP + "/"})  # posthog-js leaves the fragment out: the same page
    rec.custom(1000, "$url_changed", APP + "/#/contacts/7")  # a hash route is a route
    rec.custom(2000, "$pageview", {"url": APP + "/#/contacts/7#notes"})  # an anchor on it is not
    rec.custom(3000, "$pageview", {"$current_url": APP + "/#/settings"})
    rec.click(4000, ids["status"])
    rec.wait(9000)
    analysis = analyze(rec)
    assert [v.page.page_url for v in analysis.pages] == [APP + "/#/contacts", APP + "/#/contacts/:id",
                                                         APP + "/#/settings"]
    [dead] = of_kind(analysis, "dead_click")
    assert dead.page_url == APP + "/#/settings"


# -- forms and route changes -----------------------------------------------------------------------------------------


def test_a_form_the_route_change_removes_is_abandoned_when_it_goes() -> None:
    rec = Recording()
    ids = app(rec)
    rec.type_text(1000, ids["name"], "Ada")
    show_settings(rec, ids, 5000)
    rec.wait(20000)
    [signal] = of_kind(analyze(rec), "form_abandonment")
    assert (signal.page_url, signal.details["left_at"], signal.details["left_by"]) == (
        APP + "/contacts/new", START + 5000, "navigation")


def test_a_form_removed_just_before_the_url_event_is_left_at_the_route_change() -> None:
    rec = Recording()
    ids = app(rec)
    rec.type_text(1000, ids["name"], "Ada")
    rec.click(5000, ids["nav_settings"])
    rec.remove(5010, ids["form"], ids["main"])  # the router rendered first
    rec.route(5015, APP + "/settings")
    rec.wait(20000)
    [signal] = of_kind(analyze(rec), "form_abandonment")
    assert (signal.details["left_at"], signal.details["left_by"]) == (START + 5010, "navigation")


def test_a_form_still_in_the_page_after_a_route_change_stays_open() -> None:
    rec = Recording()
    ids = app(rec)
    rec.type_text(1000, ids["name"], "Ada")
    rec.click(5000, ids["nav_contacts"])
    rec.route(5020, APP + "/contacts")  # a list next to the form; the form stays
    rec.remove(9000, ids["form"], ids["main"])  # removed much later, by something else
    rec.wait(20000)
    [signal] = of_kind(analyze(rec), "form_abandonment")
    assert (signal.details["left_at"], signal.details["left_by"]) == (START + 20000, "session_end")


def test_a_form_that_survives_the_route_change_can_still_be_submitted() -> None:
    rec = Recording()
    ids = app(rec)
    rec.type_text(1000, ids["name"], "Ada")
    rec.route(3000, APP + "/contacts/new?step=2")
    rec.click(6000, ids["create"])
    rec.add(6300, ids["status"], "Created ✓")
    rec.wait(20000)
    assert of_kind(analyze(rec), "form_abandonment") == []


def test_a_fetch_submitted_form_with_an_in_place_success_message_is_submitted() -> None:
    rec = Recording()
    ids = app(rec)
    rec.type_text(1000, ids["email"], "ada@example.com")
    rec.click(4000, ids["create"])
    rec.add(4400, ids["status"], "Contact created")
    show_settings(rec, ids, 8000)
    rec.wait(20000)
    analysis = analyze(rec)
    assert of_kind(analysis, "form_abandonment") == []
    assert [(f.submitted, f.autosave) for f in analysis.forms] == [(True, False)]


def test_a_modal_form_cancelled_after_typing_is_abandoned_when_the_page_is_left() -> None:
    rec = Recording()
    ids = rec.page(0, APP + "/contacts", E("button", "New contact", ref="open", type="button"), E("div", ref="root"))
    modal = rec.add(1000, ids["root"], E(
        "div",
        E("form", E("input", ref="name", name="name"), E("button", "Save", ref="save"),
          E("button", "Cancel", ref="cancel", type="button"), ref="form"),
        ref="modal", role="dialog"))
    rec.type_text(2000, modal["name"], "Bob")
    rec.click(4000, modal["cancel"])
    rec.remove(4020, modal["modal"], ids["root"])
    rec.wait(9000)
    analysis = analyze(rec)
    [signal] = of_kind(analysis, "form_abandonment")
    assert (signal.details["left_at"], signal.details["left_by"]) == (START + 9000, "session_end")
    assert of_kind(analysis, "dead_click") == []  # the Cancel click closed the modal


# -- autosave --------------------------------------------------------------------------------------------------------


def autosaving(rec: Recording, ids: dict[str, int], settings: dict[str, int], confirm: bool = True) -> None:
    rec.type_text(6000, settings["display_name"], "Ada L")
    if confirm:
        rec.set_text(6900, settings["saved_text"], "Saved ✓")
    rec.input(8000, settings["newsletter"], "on", checked=True)
    if confirm:
        rec.set_text(8600, settings["saved_text"], "Saved ✓")


def test_an_autosave_form_left_by_a_route_change_is_not_abandoned_and_is_reported_apart() -> None:
    rec = Recording()
    ids = app(rec)
    settings = show_settings(rec, ids, 5000)
    autosaving(rec, ids, settings)
    rec.click(10000, ids["nav_contacts"])
    rec.route(10020, APP + "/contacts")
    rec.remove(10030, settings["settings"], ids["main"])
    rec.wait(20000)
    analysis = analyze(rec)
    assert of_kind(analysis, "form_abandonment") == []
    [outcome] = analysis.forms
    assert (outcome.autosave, outcome.submitted, outcome.saved_changes) == (True, False, 2)
    assert outcome.drop_off_field is None
    assert outcome.page_url == APP + "/settings"


def test_a_form_without_a_submit_control_whose_changes_nothing_confirms_is_abandoned() -> None:
    rec = Recording()
    ids = app(rec)
    settings = show_settings(rec, ids, 5000)
    autosaving(rec, ids, settings, confirm=False)
    rec.wait(20000)
    [signal] = of_kind(analyze(rec), "form_abandonment")
    assert signal.selector == "form.settings:nth-of-type(1)"  # nothing but its position tells it apart


def test_a_change_left_unconfirmed_makes_the_form_no_autosave_form() -> None:
    rec = Recording()
    ids = app(rec)
    settings = show_settings(rec, ids, 5000)
    rec.type_text(6000, settings["display_name"], "Ada")
    rec.set_text(6700, settings["saved_text"], "Saved ✓")
    rec.input(8000, settings["newsletter"], "on", checked=True)  # the save failed silently: nothing is shown
    rec.wait(20000)
    assert len(of_kind(analyze(rec), "form_abandonment")) == 1


def test_leaving_before_the_last_change_could_be_confirmed_does_not_count_against_autosave() -> None:
    rec = Recording()
    ids = app(rec)
    settings = show_settings(rec, ids, 5000)
    rec.type_text(6000, settings["display_name"], "Ada")
    rec.set_text(6700, settings["saved_text"], "Saved ✓")
    rec.input(8000, settings["newsletter"], "on", checked=True)
    rec.route(8300, APP + "/contacts")  # gone 0.3 s later, before the page could say "Saved"
    rec.remove(8310, settings["settings"], ids["main"])
    rec.wait(20000)
    assert of_kind(analyze(rec), "form_abandonment") == []


def test_the_new_route_replacing_the_form_is_no_confirmation() -> None:
    rec = Recording()
    ids = app(rec)
    settings = show_settings(rec, ids, 5000)
    rec.type_text(6000, settings["display_name"], "Ada")
    rec.click(6500, ids["nav_contacts"])
    # One render: the contact list in, the settings form out (before posthog-js notices the URL).
    contact_list = rec.serialize(E("ul", E("li", "Bob")), {})
    rec.incremental(6510, MUTATION, texts=[], attributes=[],
                    removes=[{"parentId": ids["main"], "id": settings["settings"]}],
                    adds=[{"parentId": ids["main"], "nextId": None, "node": contact_list}])
    rec.route(6520, APP + "/contacts")
    rec.wait(20000)
    [signal] = of_kind(analyze(rec), "form_abandonment")
    assert signal.details["left_at"] == START + 6510


def test_a_controls_own_state_is_no_confirmation() -> None:
    rec = Recording()
    ids = app(rec)
    settings = show_settings(rec, ids, 5000)
    wizard_next = rec.add(5500, settings["settings"], E("button", "Next", ref="next", type="button", disabled=""))
    rec.type_text(6000, settings["display_name"], "Ada")
    rec.mutate(6400, wizard_next["next"], {"disabled": None})  # typing enabled the Next button
    rec.wait(20000)
    assert len(of_kind(analyze(rec), "form_abandonment")) == 1


def test_a_form_with_a_submit_control_is_never_an_autosave_form() -> None:
    rec = Recording()
    ids = app(rec)
    rec.type_text(1000, ids["email"], "ada")
    rec.add(1500, ids["status"], "Looks good")  # live validation after the change
    rec.wait(20000)
    analysis = analyze(rec)
    assert len(of_kind(analysis, "form_abandonment")) == 1
    assert [f.autosave for f in analysis.forms] == [False]


def test_configured_confirmations_ignore_a_ticker_and_accept_the_saved_message() -> None:
    config = DetectConfig(autosave_confirmation_texts=("saved",))
    rec = Recording()
    ids = app(rec)
    settings = show_settings(rec, ids, 5000)
    clock = rec.add(5100, ids["main"], E("span", "12:00", ref="clock"))
    rec.type_text(6000, settings["display_name"], "Ada")
    rec.add(6500, clock["clock"], "12:01")  # a ticker, not a confirmation
    rec.wait(20000)
    assert len(of_kind(analyze(rec, config), "form_abandonment")) == 1

    confirmed = Recording()
    ids = app(confirmed)
    settings = show_settings(confirmed, ids, 5000)
    confirmed.type_text(6000, settings["display_name"], "Ada")
    confirmed.set_text(6500, settings["saved_text"], "All changes SAVED")
    confirmed.wait(20000)
    assert of_kind(analyze(confirmed, config), "form_abandonment") == []


# -- shadow DOM, iframes, taps ---------------------------------------------------------------------------------------


def widget_page(rec: Recording) -> dict[str, int]:
    return rec.page(
        0, APP + "/dashboard",
        E("date-picker", ref="host", shadow=(
            E("button", "Today", ref="today", class_="chip"),
            E("button", "Next month", ref="next_month", class_="chip"),
            E("div", ref="calendar"),
        )),
    )


def test_a_click_inside_a_shadow_root_is_named_and_answered_inside_it() -> None:
    rec = Recording()
    ids = widget_page(rec)
    rec.click(1000, ids["next_month"])
    rec.add(1200, ids["calendar"], E("table", E("tr", E("td", "1"))))  # the widget re-renders itself
    rec.click(3000, ids["today"])  # nothing happens
    rec.wait(9000)
    [dead] = of_kind(analyze(rec), "dead_click")
    assert dead.selector == 'button.chip:has-text("Today")'


def test_a_dead_control_in_a_same_origin_iframe_is_dead_and_its_answer_inside_the_frame_counts() -> None:
    rec = Recording()
    ids = rec.page(0, APP + "/billing", E("iframe", ref="frame"))
    frame = rec.attach_iframe(500, ids["frame"], E("button", "Pay", ref="pay", type="button"),
                              E("button", "Help", ref="help", type="button"), E("p", ref="msg"))
    rec.click(1000, frame["pay"])
    rec.add(1300, frame["msg"], "Paid")
    rec.click(4000, frame["help"])
    rec.wait(9000)
    [dead] = of_kind(analyze(rec), "dead_click")
    assert dead.selector == 'button:has-text("Help")'


def test_phone_taps_are_clicks() -> None:
    rec = Recording()
    ids = rec.page(0, APP + "/m/contacts", E("button", "Call", ref="call", type="button"),
                   E("button", "Sync", ref="sync", type="button"))
    for t in (1000, 1350, 1700):
        rec.tap(t, ids["call"], x=40 + t % 7, y=60)
    rec.tap(5000, ids["sync"])
    rec.wait(12000)
    analysis = analyze(rec)
    [rage] = of_kind(analysis, "rage_click")
    assert (rage.selector, rage.details["click_count"]) == ('button:has-text("Call")', 3)
    [dead] = of_kind(analysis, "dead_click")
    assert dead.selector == 'button:has-text("Sync")'

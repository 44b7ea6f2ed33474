"""Elements in reports: Sentry-style selectors `tag#id.class[role][data-testid]`, what tells id-less controls apart,
and short descriptions."""

from __future__ import annotations

from replay.elements import Element, css_selector, describe, element_from, short_text


def test_the_selector_names_tag_id_classes_role_and_test_id() -> None:
    element = element_from("BUTTON", {"id": "save", "class": " btn  primary ", "role": "button", "data-testid": "save"})
    assert css_selector(element) == 'button#save.btn.primary[role="button"][data-testid="save"]'


def test_build_generated_classes_are_left_out_so_the_selector_survives_a_deploy() -> None:
    element = element_from("div", {"class": "card css-1x2y3z sc-bdVaJa Card_title__3xYz1 jsx-2048 is-open"})
    assert css_selector(element) == "div.card.is-open"
    hand_written = element_from("div", {"class": "card_big__title deal-card__img sc-header"})
    assert css_selector(hand_written) == "div.card_big__title.deal-card__img.sc-header"


def test_odd_ids_and_classes_are_escaped_as_css_escape_does() -> None:
    element = element_from("div", {"id": "2fa", "class": "w-1/2 a:b", "data-testid": 'say "hi"'})
    assert css_selector(element) == 'div#\\32 fa.w-1\\/2.a\\:b[data-testid="say \\"hi\\""]'


def test_an_element_without_identifying_features_is_its_tag() -> None:
    assert css_selector(element_from("span", {})) == "span"
    assert css_selector(Element(tag="")) == "*"


def test_descriptions_read_like_what_a_person_sees() -> None:
    assert describe(element_from("button", {"type": "submit"}, "  Pay\n now ")) == 'button[type=submit] "Pay now"'
    assert describe(element_from("img", {"alt": "Get the app"})) == 'img "Get the app"'
    assert describe(element_from("input", {"type": "email", "name": "email"})) == 'input[type=email] "email"'
    assert describe(element_from("a", {"aria-label": "Close", "id": "x"}, "X")) == 'a#x "Close"'
    assert describe(element_from("div", {})) == "div"


def test_input_values_are_never_part_of_an_element() -> None:
    element = element_from("input", {"type": "text", "value": "ada@example.com", "name": "email"})
    assert "ada" not in repr(element) and "ada" not in describe(element) and "ada" not in css_selector(element)


def test_short_text_collapses_whitespace_and_cuts_long_text() -> None:
    assert short_text(" a \n\t b ") == "a b"
    cut = short_text("word " * 40)
    assert len(cut) <= 60 and cut.endswith("…")


def test_short_text_treats_every_unicode_space_as_a_space() -> None:
    # Page text has non-breaking and ideographic spaces, and control separators: all of them collapse, as `\s+` does.
    assert short_text("\u00a0Add\u2003to\u3000cart\x1f\u00a0") == "Add to cart"
    assert short_text("\u200bzero\u200bwidth") == "\u200bzero\u200bwidth"  # not a space: kept


def test_controls_without_ids_are_told_apart_by_name_label_or_text() -> None:
    selectors = [
        css_selector(element_from("input", {"type": "email", "name": "email", "class": "field"})),
        css_selector(element_from("button", {"class": "btn", "aria-label": "Close dialog"}, "X")),
        css_selector(element_from("button", {"class": "btn"}, "Print report")),
        css_selector(element_from("button", {"class": "btn"}, "Share report")),
        css_selector(element_from("img", {"alt": "Get the app"})),
    ]
    assert selectors == [
        'input.field[name="email"]',
        'button.btn[aria-label="Close dialog"]',
        'button.btn:has-text("Print report")',
        'button.btn:has-text("Share report")',
        'img:has-text("Get the app")',
    ]


def test_an_id_or_a_test_id_names_an_element_alone() -> None:
    assert css_selector(element_from("button", {"id": "save", "name": "x"}, "Save")) == "button#save"
    assert css_selector(element_from("button", {"data-cy": "save"}, "Save")) == 'button[data-cy="save"]'
    assert css_selector(element_from("li", {"data-qa": "row-1", "data-test": "row"})) == 'li[data-test="row"]'


def test_a_form_is_not_named_by_its_text() -> None:
    form = element_from("form", {"class": "settings"}, "Name Email Newsletter")
    assert css_selector(form) == "form.settings"
    positioned = form.placed("section#profile", 2)
    assert css_selector(positioned) == "section#profile form.settings:nth-of-type(2)"

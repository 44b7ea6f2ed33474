"""How detections are scored against labels: same kind, page, element and moment, one-to-one."""

from __future__ import annotations

import pytest

from replay.detect.evaluation import Compound, Label, evaluate, match_one_to_one, matches, parse_compound
from replay.detect.signal import Signal

T = 1_800_000_000_000
PAGE = "http://127.0.0.1:8765/b/home.html"


def signal(kind: str, t: int, selector: str, page: str = PAGE, **details: int) -> Signal:
    return Signal(f"id{t}{selector}", kind, "s1", "w", t, page, selector, "", details)


def label(kind: str, start: int, end: int, selector: str, page: str = PAGE + "?x=1") -> Label:
    return Label("s1", kind, start, end, selector, page)


DEAD = label("dead_click", T + 1000, T + 1080, '[data-testid="badge"]')


def test_a_dead_click_on_the_labelled_element_inside_the_interval_matches() -> None:
    assert matches(signal("dead_click", T + 1079, 'img.badge[data-testid="badge"]'), DEAD)


@pytest.mark.parametrize(
    "wrong",
    [
        signal("dead_click", T + 999, 'img[data-testid="badge"]'),  # just before the interval
        signal("dead_click", T + 1081, 'img[data-testid="badge"]'),  # just after it
        signal("dead_click", T + 1050, 'div[data-testid="badge-wrapper"]'),  # the parent
        signal("dead_click", T + 1050, "img.badge"),  # no test id: cannot be told apart from other images
        signal("dead_click", T + 1050, 'img[data-testid="badge"][data-testid="apply"]'),  # claims two elements
        signal("dead_click", T + 1050, 'img[data-testid="badge"]', page="http://127.0.0.1:8765/b/other.html"),
        signal("rage_click", T + 1050, 'img[data-testid="badge"]', first_click_at=T + 1050, last_click_at=T + 1060),
    ],
    ids=["early", "late", "parent", "unnamed", "two elements at once", "other page", "other kind"],
)
def test_a_dead_click_at_another_moment_element_page_or_kind_does_not_match(wrong: Signal) -> None:
    assert not matches(wrong, DEAD)


def test_every_click_of_a_rage_click_must_lie_inside_the_labelled_burst() -> None:
    burst = label("rage_click", T + 1000, T + 2000, '[data-testid="apply"]')
    inside = signal(
        "rage_click", T + 1010, 'button[data-testid="apply"]', first_click_at=T + 1010, last_click_at=T + 1990
    )
    overruns = signal(
        "rage_click", T + 1010, 'button[data-testid="apply"]', first_click_at=T + 1010, last_click_at=T + 2001
    )
    assert matches(inside, burst) and not matches(overruns, burst)


def test_form_abandonment_must_start_and_end_within_a_second_of_the_label() -> None:
    form = label("form_abandonment", T + 5000, T + 20000, "#passenger-form")
    good = signal("form_abandonment", T + 5010, "form#passenger-form.frm", started_at=T + 5010, left_at=T + 20100)
    ends_late = signal("form_abandonment", T + 5010, "form#passenger-form", started_at=T + 5010, left_at=T + 21001)
    starts_late = signal("form_abandonment", T + 6001, "form#passenger-form", started_at=T + 6001, left_at=T + 20000)
    assert matches(good, form) and not matches(ends_late, form) and not matches(starts_late, form)


def test_matching_is_one_to_one() -> None:
    twice = [
        signal("dead_click", T + 1010, 'img[data-testid="badge"]'),
        signal("dead_click", T + 1020, 'img[data-testid="badge"]'),
    ]
    score = evaluate(twice, [DEAD], ["dead_click"])["dead_click"]
    assert (score.matched, score.precision, score.recall) == (1, 0.5, 1.0)
    assert len(score.false_positives) == 1


def test_the_matching_is_maximal_not_greedy() -> None:
    # Signal 0 fits both labels, signal 1 only the first: the best assignment matches both labels.
    first = label("dead_click", T, T + 100, "span")
    second = label("dead_click", T + 50, T + 200, "span")
    signals = [signal("dead_click", T + 60, "span"), signal("dead_click", T + 10, "span")]
    assert len(match_one_to_one(signals, [first, second])) == 2


def test_a_kind_without_signals_or_labels_has_no_figure() -> None:
    score = evaluate([], [], ["error_click"])["error_click"]
    assert (score.precision, score.recall) == (None, None)


def test_label_selectors_are_read_as_compound_selectors() -> None:
    assert parse_compound('form[data-testid="flight-search"]') == Compound(
        "form", "", frozenset(), frozenset({("data-testid", "flight-search")})
    )
    assert parse_compound("#passenger-form") == Compound("", "passenger-form")
    assert parse_compound("form.profile-form") == Compound("form", "", frozenset({"profile-form"}))
    assert parse_compound('[data-testid="faq"] details:nth-of-type(2) summary') == Compound("summary")
    assert parse_compound("div#\\32 fa") is not None
    assert parse_compound("") is None
    assert parse_compound('form#a button.btn:has-text("London (LGW) > Paris")') == Compound(
        "button", "", frozenset({"btn"}), pseudos=frozenset({("has-text", "London (LGW) > Paris")})
    )

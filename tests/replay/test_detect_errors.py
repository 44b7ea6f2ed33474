"""Error clicks: a click followed within 1 s by a console error recorded by rrweb's console plugin."""

from __future__ import annotations

from replay.detect import DetectConfig
from tests.replay.streams import LOG, START, E, Recording, analyze, of_kind


def page(rec: Recording) -> dict[str, int]:
    return rec.page(
        0,
        "https://shop.example/cart",
        E("button", "Apply", ref="apply", type="button"),
        E("button", "Other", ref="other", type="button"),
        E("a", "Next", ref="next", href="/next"),
    )


def errors(rec: Recording, config: DetectConfig | None = None) -> list:
    return of_kind(analyze(rec, config), "error_click")


def test_a_console_error_within_a_second_of_a_click_makes_it_an_error_click() -> None:
    rec = Recording()
    ids = page(rec)
    rec.click(1000, ids["apply"])
    rec.console_error(1400, "TypeError: cart is undefined")
    [signal] = errors(rec)
    assert signal.timestamp == START + 1000
    assert signal.description == 'button[type=button] "Apply"'
    assert signal.details == {"error": "TypeError: cart is undefined", "errors": 1, "time_to_error_ms": 400}


def test_an_error_exactly_one_second_after_the_click_counts() -> None:
    rec = Recording()
    ids = page(rec)
    rec.click(1000, ids["apply"])
    rec.console_error(2000, "boom")
    assert len(errors(rec)) == 1


def test_an_error_one_ms_too_late_does_not_count() -> None:
    rec = Recording()
    ids = page(rec)
    rec.click(1000, ids["apply"])
    rec.console_error(2001, "boom")
    assert errors(rec) == []


def test_the_window_can_be_configured() -> None:
    rec = Recording()
    ids = page(rec)
    rec.click(1000, ids["apply"])
    rec.console_error(2500, "boom")
    assert len(errors(rec, DetectConfig(error_click_window_ms=2000))) == 1


def test_an_error_before_the_click_does_not_count() -> None:
    rec = Recording()
    ids = page(rec)
    rec.console_error(1000, "boom")
    rec.click(1000, ids["apply"])
    assert errors(rec) == []


def test_console_messages_that_are_not_errors_do_not_count() -> None:
    rec = Recording()
    ids = page(rec)
    rec.click(1000, ids["apply"])
    rec.console_log(1100, "clicked")
    assert errors(rec) == []


def test_the_error_goes_to_the_most_recent_click_only() -> None:
    rec = Recording()
    ids = page(rec)
    rec.click(1000, ids["apply"])
    rec.click(1300, ids["other"])
    rec.console_error(1500, "boom")
    [signal] = errors(rec)
    assert signal.description == 'button[type=button] "Other"'


def test_several_errors_after_one_click_make_one_signal_with_their_count() -> None:
    rec = Recording()
    ids = page(rec)
    rec.click(1000, ids["apply"])
    rec.console_error(1100, "first")
    rec.console_error(1200, "second")
    [signal] = errors(rec)
    assert (signal.details["error"], signal.details["errors"]) == ("first", 2)


def test_an_error_on_the_next_page_does_not_belong_to_the_click_that_navigated() -> None:
    rec = Recording()
    ids = page(rec)
    rec.click(1000, ids["next"])
    rec.page(1200, "https://shop.example/next", E("p"))
    rec.console_error(1500, "error on the new page")
    assert errors(rec) == []


def test_errors_from_older_recorders_logged_as_incremental_log_events_count() -> None:
    rec = Recording()
    ids = page(rec)
    rec.click(1000, ids["apply"])
    rec.incremental(1200, LOG, level="error", trace=[], payload=['"legacy"'])
    [signal] = errors(rec)
    assert signal.details["error"] == "legacy"


def test_a_long_error_message_is_cut() -> None:
    rec = Recording()
    ids = page(rec)
    rec.click(1000, ids["apply"])
    rec.console_error(1100, "x" * 5000)
    [signal] = errors(rec)
    assert len(signal.details["error"]) <= 160


def test_an_error_click_is_found_without_a_full_snapshot_but_names_no_element() -> None:
    rec = Recording()
    rec.meta(0, "https://shop.example/cart")
    rec.click(1000, 42)
    rec.console_error(1100, "boom")
    [signal] = errors(rec)
    assert (signal.selector, signal.page_url) == ("", "https://shop.example/cart")

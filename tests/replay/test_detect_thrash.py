"""Thrashed cursor: >= 5 direction reversals of >= 30 px within 1.5 s, one signal per episode."""

from __future__ import annotations

from replay.detect import DetectConfig
from tests.replay.streams import MOUSE_MOVE, START, TOUCH_MOVE, E, Recording, analyze, of_kind


def page(rec: Recording) -> dict[str, int]:
    return rec.page(0, "https://shop.example/", E("div", "Pricing table", ref="table", id="pricing"))


def shake(rec: Recording, t: int, node: int, legs: int, leg_ms: int = 100, amplitude: float = 80) -> int:
    """The mouse going left and right `legs` times, one position every 50 ms, batched as rrweb does every 500 ms.
    Returns the time of the last position."""
    points = []
    x, direction, now = 500.0, 1, t
    for _ in range(legs):
        steps = max(1, leg_ms // 50)
        for _ in range(steps):
            now += 50
            x += direction * amplitude / steps
            points.append((now, x, 300.0))
        direction = -direction
    batch: list[tuple[int, float, float]] = []
    flush_at = t + 500
    for when, px, py in points:
        if when > flush_at and batch:
            rec.moves(flush_at, [(w - flush_at, bx, by) for w, bx, by in batch], node)
            batch, flush_at = [], flush_at + 500
        batch.append((when, px, py))
    rec.moves(max(flush_at, now), [(w - max(flush_at, now), bx, by) for w, bx, by in batch], node)
    return now


def thrash(rec: Recording, config: DetectConfig | None = None) -> list:
    return of_kind(analyze(rec, config), "thrashed_cursor")


def test_shaking_the_mouse_is_one_thrashed_cursor_episode() -> None:
    rec = Recording()
    ids = page(rec)
    shake(rec, 1000, ids["table"], legs=10)
    [signal] = thrash(rec)
    assert signal.selector == "div#pricing"
    assert signal.details["reversals"] == 9
    assert START + 1000 < signal.timestamp < START + 2100


def test_four_reversals_are_not_enough() -> None:
    rec = Recording()
    ids = page(rec)
    shake(rec, 1000, ids["table"], legs=5)  # 4 reversals
    assert thrash(rec) == []


def test_five_reversals_are() -> None:
    rec = Recording()
    ids = page(rec)
    shake(rec, 1000, ids["table"], legs=6)
    assert len(thrash(rec)) == 1


def test_reversals_spread_over_more_than_the_window_are_not_thrashing() -> None:
    rec = Recording()
    ids = page(rec)
    shake(rec, 1000, ids["table"], legs=10, leg_ms=400)  # one reversal every 400 ms: 4 per 1.5 s at most
    assert thrash(rec) == []


def test_small_jitter_is_not_a_reversal() -> None:
    rec = Recording()
    ids = page(rec)
    shake(rec, 1000, ids["table"], legs=20, amplitude=25)
    assert thrash(rec) == []
    assert len(thrash(rec, DetectConfig(thrash_min_distance_px=20))) == 1


def test_a_normal_path_to_a_button_is_not_thrashing() -> None:
    rec = Recording()
    ids = page(rec)
    path = [(-450 + 50 * i, 100 + 60 * i + (5 if i % 2 else 0), 100 + 30 * i) for i in range(10)]
    rec.moves(1500, path, ids["table"])
    rec.moves(2000, [(-450, 700, 395), (-400, 690, 400), (-350, 695, 398)], ids["table"])  # overshoot, settle
    assert thrash(rec) == []


def test_two_shakes_separated_by_a_pause_are_two_episodes() -> None:
    rec = Recording()
    ids = page(rec)
    end = shake(rec, 1000, ids["table"], legs=8)
    shake(rec, end + 3000, ids["table"], legs=8)
    assert len(thrash(rec)) == 2


def test_touch_moves_are_not_mouse_thrashing() -> None:
    rec = Recording()
    ids = page(rec)
    positions = [
        {"x": 100 + (80 if i % 2 else 0), "y": 300, "id": ids["table"], "timeOffset": -500 + 50 * i} for i in range(10)
    ]
    rec.incremental(1500, TOUCH_MOVE, positions=positions)
    assert thrash(rec) == []
    rec.incremental(2500, MOUSE_MOVE, positions=positions)  # the same path with a mouse is thrashing
    assert len(thrash(rec)) == 1


def test_thrashing_is_found_without_a_full_snapshot() -> None:
    rec = Recording()
    rec.meta(0, "https://shop.example/")
    shake(rec, 1000, 77, legs=10)
    [signal] = thrash(rec)
    assert signal.selector == ""


def test_a_page_change_ends_an_episode() -> None:
    rec = Recording()
    ids = page(rec)
    end = shake(rec, 1000, ids["table"], legs=8)
    ids = rec.page(end + 10, "https://shop.example/next", E("div", ref="table", id="next"))
    shake(rec, end + 20, ids["table"], legs=8)
    assert [s.page_url for s in thrash(rec)] == ["https://shop.example/", "https://shop.example/next"]

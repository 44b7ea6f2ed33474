"""Where clicks land for the heatmaps (replay/detect/heat.py): across as a share of the viewport's width, down in
document pixels (scrolling included), per page and layout; a rage click placed once, a dead click at its click."""

from __future__ import annotations

from tests.replay.streams import E, Recording, analyze

VIEWPORT_RESIZE = 4


def cells(rec: Recording) -> list[tuple[str, str, str, int, int, int]]:
    return [(c.page_url, c.layout, c.kind, c.x_bin, c.y_bin, c.clicks) for c in analyze(rec).heat]


def shop(rec: Recording, t: int = 0) -> dict[str, int]:
    return rec.page(t, "https://shop.example/cart?id=7", E("button", "Pay", ref="pay", type="button"),
                    E("button", "Help", ref="help", type="button"), E("p", "Total", ref="total"))


def test_a_click_is_placed_by_its_share_of_the_width_and_its_pixel_row() -> None:
    rec = Recording()  # a 1280 px wide viewport
    ids = shop(rec)
    rec.click(1000, ids["pay"], x=640, y=105)
    rec.mutate(1100, ids["pay"])
    rec.click(9000, ids["pay"], x=650, y=110)  # the same 2 % column and 20 px row
    rec.mutate(9100, ids["pay"])
    assert cells(rec) == [("https://shop.example/cart", "desktop", "click", 25, 5, 2)]


def test_scrolling_the_document_moves_a_click_down_the_page() -> None:
    rec = Recording()
    ids = shop(rec)
    rec.scroll(500, node=ids["document"], y=600)
    rec.scroll(600, node=ids["total"], y=9000)  # an inner scroller does not move the page
    rec.click(1000, ids["pay"], x=0, y=10)
    rec.mutate(1100, ids["pay"])
    assert cells(rec) == [("https://shop.example/cart", "desktop", "click", 0, 30, 1)]


def test_a_narrow_viewport_is_the_phone_layout_and_a_resize_is_followed() -> None:
    rec = Recording()
    ids = shop(rec)
    rec.incremental(500, VIEWPORT_RESIZE, width=390, height=844)
    rec.click(1000, ids["pay"], x=195, y=10)
    rec.mutate(1100, ids["pay"])
    assert cells(rec) == [("https://shop.example/cart", "phone", "click", 25, 0, 1)]


def test_a_rage_click_is_placed_once_at_its_first_click_and_a_dead_click_at_its_click() -> None:
    rec = Recording()
    ids = shop(rec)
    for i in range(4):
        rec.click(1000 + 200 * i, ids["pay"], x=100, y=100 + i)
    rec.click(8000, ids["help"], x=1279, y=300)  # nothing answers: dead
    rec.wait(12000)
    found = cells(rec)
    assert ("https://shop.example/cart", "desktop", "rage_click", 3, 5, 1) in found
    assert ("https://shop.example/cart", "desktop", "dead_click", 49, 15, 1) in found
    assert ("https://shop.example/cart", "desktop", "click", 3, 5, 4) in found


def test_a_click_without_a_position_or_a_page_is_not_placed() -> None:
    rec = Recording()
    ids = rec.snapshot(0, E("button", "Pay", ref="pay"))  # no Meta: no page, no width
    rec.click(1000, ids["pay"])
    rec.incremental(2000, 2, type=2, id=ids["pay"])  # a keyboard "click": no x, y
    assert analyze(rec).heat == []

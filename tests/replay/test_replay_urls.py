"""Page URLs for reports: one per page template. Ids in paths become :id; query, fragment and credentials go."""

from __future__ import annotations

import pytest

from replay.urls import is_id_segment, normalize_page_url


@pytest.mark.parametrize(
    ("url", "normalized"),
    [
        ("https://shop.example/orders/84213/items?ref=mail#top", "https://shop.example/orders/:id/items"),
        ("HTTPS://Shop.Example:443/Cart/", "https://shop.example/Cart"),
        ("http://127.0.0.1:8765/b/booking.html?flight=SK%20219", "http://127.0.0.1:8765/b/booking.html"),
        ("https://shop.example", "https://shop.example/"),
        ("https://user:secret@shop.example/account", "https://shop.example/account"),
        ("https://shop.example/u/3f2b8c1e-9d4a-4b7e-8f00-1234567890ab/profile", "https://shop.example/u/:id/profile"),
        ("https://shop.example/o/5f8d0d55b54764421b7156c3", "https://shop.example/o/:id"),
        ("https://shop.example/c/cus_NffrFeUfNV2Hib", "https://shop.example/c/:id"),
        ("https://shop.example/archive/2024-01-15", "https://shop.example/archive/:id"),
        ("https://shop.example/users/ada%40example.com", "https://shop.example/users/:id"),
        ("https://shop.example/app#/users/42/edit?tab=1", "https://shop.example/app#/users/:id/edit"),
        ("https://shop.example/app#!/orders/77", "https://shop.example/app#!/orders/:id"),
        ("https://shop.example/blog/how-to-pack-a-tent", "https://shop.example/blog/how-to-pack-a-tent"),
        ("https://shop.example/blog/covid-19-update", "https://shop.example/blog/covid-19-update"),
        ("data:text/html;base64,PGgxPkhpPC9oMT4=", "data:"),
        ("about:blank", "about:blank"),
        ("", ""),
        ("http://[::1", ""),
    ],
)
def test_page_urls_are_normalized(url: str, normalized: str) -> None:
    assert normalize_page_url(url) == normalized


def test_anything_but_a_string_gives_an_empty_url() -> None:
    assert normalize_page_url(None) == ""  # type: ignore[arg-type]
    assert normalize_page_url(42) == ""  # type: ignore[arg-type]


@pytest.mark.parametrize("segment", ["42", "a1b2c3d4e5f6", "deadbeef12", "sess_7378f9a16d3d", "V1StGXR8Z5jdHi6B"])
def test_record_ids_are_recognised(segment: str) -> None:
    assert is_id_segment(segment)


@pytest.mark.parametrize("segment", ["orders", "booking.html", "facade", "v2", "iphone-15", "b", ""])
def test_page_names_are_kept(segment: str) -> None:
    assert not is_id_segment(segment)

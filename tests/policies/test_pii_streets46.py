"""Issue 14, stop 46. Streets that the street patterns did not read because no street word they know was in them:

- a house number, the street's words and a US street suffix (USPS Publication 28: `Forest`, `Stravenue`, `Loaf`)
  before a postcode and its town, on the same line after a comma or on the next line of a block;
- a Dutch street and its number before a Dutch postcode (`Juliebaan 69, 7328VN Waskemeer`);
- Italian street words `Stretto`, `Traversa`, `Vico`, `Salita`, `Canale` before a name and a number;
- a URL parameter named for a street or an address that holds one without a house number (`?street=rue+Pons`).

Words and numbers that no postcode and town follow, or that end in no street's type, are kept."""

from __future__ import annotations

import pytest

from policies.pii import Scrubber
from tests.policies.pii_cases import default_scrubber, scrubbed

KEY = "note"


@pytest.fixture(scope="module")
def scrubber() -> Scrubber:
    return default_scrubber(b"streets46-key-0123456789abcdef012")


@pytest.mark.parametrize("text, expected", [
    ("Please deliver to 57466 Patel Forest, 24791 Barnesberg", "Please deliver to [LOCATION], 24791 Barnesberg"),
    ("Ship to 4266 Adkins Park Suite 021, Port Tony, CA 88337", "Ship to [LOCATION], Port Tony, CA 88337"),
    ("Deliver to 54360 Leah Village Apt. 057, 59561 South Craigstad",
     "Deliver to [LOCATION], 59561 South Craigstad"),
    ("Send it to 7 Young Stravenue, CO84 9YX Reidtown", "Send it to [LOCATION], CO84 9YX Reidtown"),
    ("Ship to:\n4266 Adkins Park Suite 021\nPort Tony, CA 88337", "Ship to:\n[LOCATION]\nPort Tony, CA 88337"),
    ("Please deliver to Juliebaan 69, 7328VN Waskemeer", "Please deliver to [LOCATION], 7328VN Waskemeer"),
    ("Bezorgen op Tarapad 08, 3920 HW Warfhuizen", "Bezorgen op [LOCATION], 3920 HW Warfhuizen"),
    ("Consegna in Stretto Pozzecco 2, 61030 San Gennarello", "Consegna in [LOCATION], 61030 San Gennarello"),
])
def test_a_street_before_its_postcode_and_town_is_an_address(scrubber: Scrubber, text: str, expected: str) -> None:
    assert scrubbed(scrubber, KEY, text) == expected


@pytest.mark.parametrize("text", [
    "Windows 10 Pro, 2019 SP",
    "Version 2 Beta, 12345 Downloads",
    "Seite 2, 10115 Berlin",
    "Top 10 Tips, 2024 Edition",
    "Order 12 Items\n10115 left in stock",
])
def test_numbers_before_a_postcode_like_number_are_kept(scrubber: Scrubber, text: str) -> None:
    assert scrubbed(scrubber, KEY, text) == text


@pytest.mark.parametrize("url, expected", [
    ("https://shop.example.com/checkout?street=rue+Pons&zip=94587",
     "https://shop.example.com/checkout?street=[LOCATION]&zip=94587"),
    ("https://shop.example.com/checkout?address=avenue+de+Weiss", "https://shop.example.com/checkout?address=[LOCATION]"),
    ("https://shop.example.com/checkout?street=Patel+Forest", "https://shop.example.com/checkout?street=[LOCATION]"),
])
def test_a_street_parameter_without_a_house_number_is_an_address(scrubber: Scrubber, url: str, expected: str) -> None:
    assert scrubbed(scrubber, "$current_url", url) == expected


@pytest.mark.parametrize("url", [
    "https://shop.example.com/checkout?street_view=rue+Pons",
    "https://shop.example.com/checkout?street=rue",
])
def test_other_street_parameters_are_kept(scrubber: Scrubber, url: str) -> None:
    assert scrubbed(scrubber, "$current_url", url) == url

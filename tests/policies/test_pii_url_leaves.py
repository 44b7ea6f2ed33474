"""The pieces of a URL (path segments, parameter values, the text around it) go through the prefilter before the
detectors, as whole strings do: a piece in which it rules out every finding is taken as it is. The scanner gives what
it gave when every piece went to the detectors."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.pii import PiiConfig, Scrubber, config
from policies.pii.engine import Analyzer
from policies.pii.scanner import STANDARD, STRICT, Scanned, Scanner, _leaves

KEY = b"test-key-0123456789abcdef0123456789"


@pytest.fixture(scope="module")
def analyzer(tmp_path_factory: pytest.TempPathFactory) -> Analyzer:
    return Analyzer(Path(tmp_path_factory.mktemp("pii-data")), ("US", "GB", "DE", "FR"), 0, 0.1)


def _scanner(analyzer: Analyzer, **changes: object) -> Scanner:
    return Scrubber(dataclasses.replace(PiiConfig(), **changes), KEY, analyzer=analyzer).scanner


def _every_piece_detected(scanner: Scanner, items: list[tuple[int, str]]) -> list[Scanned]:
    """The scans of strings as they were made before the prefilter looked at the pieces of URLs: every distinct piece
    of the batch detected, together, in the batch's order (a plain string is its own piece)."""
    plans = [scanner._plan(cls, value) for cls, value in items]
    keys = list(dict.fromkeys(leaf for (cls, _), plan in zip(items, plans, strict=True)
                              for leaf in _leaves(plan[1], cls)))
    results = scanner._detect_to_fixpoint([(text, scanner._classes[cls]) for cls, text in keys])
    fresh = dict(zip(keys, results, strict=True))
    return [scanner._assemble(plan, fresh) for plan in plans]


_URLS = [
    "https://app.example.com/users/anna-schmidt/edit?tab=1",
    "https://example.com/a?email=jane.doe%40example.com&utm_source=news",
    "https://example.com/next?redirect=https%3A%2F%2Fx.example%2Fb%3Fe%3Djane%2540example.com",
    "https://example.com/call/+1-415-555-0100?x=1",
    "https://example.com/team/Mark-Wood-300x300.jpg",
    "https://example.com/orders/2023042703/items/12345678",
    "see https://example.com/p?card=4111%201111%201111%201111 and mail bob@example.org",
    "?invite=ross.vansalm85669%40corp.example.de",
    "?q=Anna+Oosterhuis&page=2",
    "/users/jane%40example.com/edit",
    "https://example.com/ip/10.1.2.3/ssn/123-45-6789?iban=DE89370400440532013000",
    "https://consumer9132.app.example.com/pane/63cb241b/gun",
    "https://überall1691.app.example.com/artículo/7c047d4a/resistere?utm_campaign=officiis-314085",
    "https://example.com/x?token=abc123&note=call%20me%20at%20%2B49%2030%20123456",
    "https://example.com/12345/1234567/98765432109",
    "https://example.com/invoices/FT/2024/2454.138031.9377?invoice=2024-336916/475&phone=415-555-0100",
]


@pytest.mark.parametrize("value", _URLS)
@pytest.mark.parametrize("cls", [STANDARD, STRICT])
def test_a_url_scans_as_it_did_when_every_piece_was_detected(analyzer: Analyzer, value: str, cls: int) -> None:
    expected = _every_piece_detected(_scanner(analyzer), [(cls, value)])
    assert _scanner(analyzer).scan_many([(cls, value)]) == expected


def test_the_pieces_of_a_batch_of_urls_and_strings_scan_as_before(analyzer: Analyzer) -> None:
    items = [(cls, value) for value in _URLS for cls in (STANDARD, STRICT)]
    items += [(STANDARD, "Jane Doe"), (STANDARD, "gun"), (STRICT, "63cb241b"), (STANDARD, "anna-schmidt")]
    got = _scanner(analyzer).scan_many(items)
    assert got == _every_piece_detected(_scanner(analyzer), items)
    assert got[-4][1] and not got[-3][1]  # a name found, a word kept


def test_a_class_with_short_digit_runs_still_finds_them_in_a_short_piece(analyzer: Analyzer) -> None:
    strict = dataclasses.replace(config.STRICT, digit_run=4)
    value = "https://example.com/a/12345?x=98765&y=abc"
    got = _scanner(analyzer, strict=strict).scan_many([(STRICT, value)])
    assert got == _every_piece_detected(_scanner(analyzer, strict=strict), [(STRICT, value)])
    assert "98765" not in got[0][0] and "/12345?" in got[0][0]  # a run of 5 in a value; a path id is kept


_PIECES = st.sampled_from([
    "anna-schmidt", "Mark-Wood", "team", "users", "profile", "jane%40example.com", "jane@example.com", "4155550100",
    "%2B1%20415%20555%200100", "63cb241b", "2023042703", "edit", "Freude", "gun", "Anna+Oosterhuis", "10.1.2.3",
    "DE89370400440532013000", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "x", "%2540",
    "https%3A%2F%2Fa.example%2F%3Fm%3Db%2540c.de",
    "mot-de-passe", "123-45-6789", "Jürgen", "über", "",
])


@settings(max_examples=150, deadline=None)
@given(path=st.lists(_PIECES, max_size=5), params=st.lists(st.tuples(st.sampled_from(
    ["q", "email", "name", "next", "id", "utm_campaign", "phone", "v"]), _PIECES), max_size=3),
       cls=st.sampled_from([STANDARD, STRICT]))
def test_generated_urls_scan_as_they_did_when_every_piece_was_detected(
        analyzer: Analyzer, path: list[str], params: list[tuple[str, str]], cls: int) -> None:
    value = "https://www.example.com/" + "/".join(path)
    if params:
        value += "?" + "&".join(f"{name}={piece}" for name, piece in params)
    expected = _every_piece_detected(_scanner(analyzer), [(cls, value)])
    assert _scanner(analyzer).scan_many([(cls, value)]) == expected

"""The phone recognizer skips parsing candidates it would drop anyway, and the other regions' matchers when the first
read only numbers written with their country code: it must find exactly what it found before."""

from __future__ import annotations

import random

import phonenumbers
import pytest
from faker import Faker
from presidio_analyzer import EntityRecognizer, RecognizerResult

from policies.pii import recognizers
from policies.pii.recognizers import ContextPhoneRecognizer

REGIONS = ("US", "GB", "DE", "FR")
TEXTS = [
    "ticket 5329159, build 2859485, order 84629173",  # bare runs: ids, never phones
    "(ticket 2829909) build 7008488, order 50300001 ref 305550100",  # the same with zeros inside
    "call 4155550100 or 14155550100",  # bare, but North American numbers
    "tel:5329159 and callto://+4930123456",  # a link makes a bare run a number to call
    "ruf an: 0301234567, ticket 0532915",  # a trunk zero
    "+1 415 555 0100 +44 20 7946 0958 +49 30 123456 (ext. 12)",
    "Chrome/131.0.6450.75 Safari/537.36, 146.40.224.172, 2024-04-24, 1,234,567.89",
    "12 34 56, 123 4567, 555-0100 x2263, #4155550100",
]


class _Unskipped(ContextPhoneRecognizer):
    """The recognizer with phonenumbers' own matcher, parsing every candidate in every region."""

    def _matches(self, text: str) -> list[RecognizerResult]:
        found = [RecognizerResult("PHONE_NUMBER", m.start, m.end, self.SCORE)
                 for region in self.supported_regions
                 for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=self._leniency)]
        return EntityRecognizer.remove_duplicates(found)


@pytest.mark.parametrize("text", TEXTS)
def test_skipping_unkept_candidates_finds_the_same_phone_numbers(text: str) -> None:
    spans = [(r.start, r.end) for r in ContextPhoneRecognizer(REGIONS, 0).analyze(text, ["PHONE_NUMBER"])]
    expected = [(r.start, r.end) for r in _Unskipped(REGIONS, 0).analyze(text, ["PHONE_NUMBER"])]
    assert spans == expected


def test_a_bare_ticket_number_is_not_parsed_but_a_linked_one_is() -> None:
    text = "ticket 5329159 tel:5329159"
    assert recognizers._never_kept(text, "5329159", 7, 7, True)
    assert not recognizers._never_kept(text, "5329159", 19, 7, True)
    assert [text[r.start:r.end] for r in ContextPhoneRecognizer(REGIONS, 0).analyze(text, ["PHONE_NUMBER"])] == \
        ["5329159"]


_PIECES = ["ticket ", "call ", "tel:", "ruf an ", "+", "0", "1", "4155550100", "5329159", "030 1234567", "-", ".", "/",
           " x", "(", ")", " ", ", ", "2024-04-24", "20 7946 0958", "#", "ref ", "mobile", "99", "7"]


def test_generated_texts_find_the_same_phone_numbers_with_and_without_the_shared_candidate_walk() -> None:
    # The one candidate walk that skips the four regions' matchers when all candidates are ids must change no finding:
    # texts made of phone words, links, separators and digit runs, against phonenumbers' own matcher.
    rng = random.Random(14)
    ours, unskipped = ContextPhoneRecognizer(REGIONS, 0), _Unskipped(REGIONS, 0)
    for _ in range(1500):
        text = "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 12)))
        spans = [(r.start, r.end) for r in ours.analyze(text, ["PHONE_NUMBER"])]
        assert spans == [(r.start, r.end) for r in unskipped.analyze(text, ["PHONE_NUMBER"])], text


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The regions whose matcher the phone recognizer makes, in order (each region's matcher is one object)."""
    regions: list[str] = []

    class Counting(recognizers._Matcher):
        def __init__(self, text: str, region: str, leniency: int) -> None:
            regions.append(region)
            super().__init__(text, region, leniency=leniency)

    monkeypatch.setattr(recognizers, "_Matcher", Counting)
    return regions


def test_a_text_of_ticket_numbers_runs_no_region_matcher(made: list[str]) -> None:
    phone = ContextPhoneRecognizer(REGIONS, 0)
    assert phone.analyze("(ticket 2829909) build 7008488, order 50300001", ["PHONE_NUMBER"]) == []
    assert made == []
    assert [(r.start, r.end) for r in phone.analyze("ticket 2829909, call 030 1234567", ["PHONE_NUMBER"])] == [(21, 32)]
    assert made == list(REGIONS)


def _groups(rng: random.Random) -> str:
    """Digit groups split by single spaces, as cards, accounts and long ids are written: mostly too many digits for a
    phone number, of groups that may start with a 0, sometimes too long for the groups test to read."""
    sizes = rng.choice([(4, 4, 4, 4), (4, 4, 4, 4, 3), (4, 6, 5), (4, 4, 4, 2), (3, 3, 4), (2,) * 9, (1,) * 20,
                        (3, 4, 4, 4, 4), (8, 9), (4,) * 9, (6, 6, 6), (5, 5, 5, 3)])
    lead = "0123456789" if rng.random() < 0.3 else "123456789"
    return " ".join(rng.choice(lead) + "".join(rng.choice("0123456789") for _ in range(n - 1)) for n in sizes)


def test_runs_of_digit_groups_too_long_for_a_phone_find_the_same_phone_numbers() -> None:
    # Candidates of spaced digit groups with more digits than a phone number has are not parsed (_long_run_of_groups):
    # next to phone words, links, numbers, more groups and separators, they find what phonenumbers' own matchers find.
    rng = random.Random(15)
    ours, unskipped = ContextPhoneRecognizer(REGIONS, 0), _Unskipped(REGIONS, 0)
    pieces = [*_PIECES, "card ", "call me on ", "tel:", "+44 7794 193938", "030 1234567", "IBAN DE", "  ", "\u202f"]
    for _ in range(1500):
        parts = [rng.choice(pieces) if rng.random() < 0.6 else _groups(rng) for _ in range(rng.randint(1, 6))]
        text = "".join(parts)
        spans = [(r.start, r.end) for r in ours.analyze(text, ["PHONE_NUMBER"])]
        assert spans == [(r.start, r.end) for r in unskipped.analyze(text, ["PHONE_NUMBER"])], text


def test_a_card_number_in_spaced_groups_is_not_parsed(made: list[str]) -> None:
    text = "(ticket 8438923) card 4111 1111 1111 1111"
    assert recognizers._never_kept(text, "4111 1111 1111 1111", 22, 7, True)
    assert not recognizers._never_kept(text, "4111 0111 1111 1111", 22, 7, True)  # 16 digits, a group starts with 0
    assert recognizers._never_kept(text, "4111 0111 1111 1111 11", 22, 7, True)  # 18 digits: too many anyway
    assert not recognizers._never_kept(text, "415 555 0100", 22, 7, True)  # a phone number's digits
    assert not recognizers._never_kept(text, "1 2 3 4 5 6 7 8 9 1 2 3 4 5 6 7 8 9 1 2 3", 22, 7, True)  # past the reach
    assert ContextPhoneRecognizer(REGIONS, 0).analyze(text, ["PHONE_NUMBER"]) == []
    assert made == []


_INTERNATIONAL = ["+49 151 57525403", "+1 (415) 687-7909", "+44 7794 193938", "+33 6 74 67 47 89", "+4930123456",
                  "+999 123 4567", "+0 30 1234567", "+1 999", "+49 (0) 30 1234567", "+44 20 7946 0958 x12",
                  "+39 347 123 4567", "+34 612 34 56 78", "+31 6 12345678", "+800 1234 5678", "+882 1234 5678"]


def test_generated_texts_with_international_numbers_find_the_same_phone_numbers() -> None:
    # The first region's matcher stands for all when every candidate it parsed was a whole number written with its
    # country code: texts that mix such numbers (known country codes or not, with a trunk zero, an extension, too
    # short) with national numbers, ids and card-like runs find what phonenumbers' own matchers find in every region.
    rng = random.Random(20)
    ours, unskipped = ContextPhoneRecognizer(REGIONS, 0), _Unskipped(REGIONS, 0)
    pieces = _PIECES + _INTERNATIONAL * 3 + ["4725 9651 4686 1513", "call me on ", "(ticket 8438923) "]
    for _ in range(1500):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
        spans = [(r.start, r.end) for r in ours.analyze(text, ["PHONE_NUMBER"])]
        assert spans == [(r.start, r.end) for r in unskipped.analyze(text, ["PHONE_NUMBER"])], text


@pytest.mark.parametrize("locale", ["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL"])
def test_faker_phone_numbers_find_the_same_phone_numbers(locale: str) -> None:
    fake = Faker(locale)
    fake.seed_instance(14)
    ours, unskipped = ContextPhoneRecognizer(REGIONS, 0), _Unskipped(REGIONS, 0)
    for _ in range(150):
        text = f"(ticket {fake.random_number(7, True)}) call me on {fake.phone_number()} or {fake.msisdn()}"
        spans = [(r.start, r.end) for r in ours.analyze(text, ["PHONE_NUMBER"])]
        assert spans == [(r.start, r.end) for r in unskipped.analyze(text, ["PHONE_NUMBER"])], text


def test_a_text_of_international_numbers_runs_one_region_matcher(made: list[str]) -> None:
    phone = ContextPhoneRecognizer(REGIONS, 0)
    text = "(ticket 8438923) call me on +49 151 57525403 or +1 (415) 687-7909"
    assert [text[r.start : r.end] for r in phone.analyze(text, ["PHONE_NUMBER"])] == \
        ["+49 151 57525403", "+1 (415) 687-7909"]
    assert made == ["US"]
    made.clear()
    # A national number reads differently in each region: every region's matcher runs.
    text = "call me on +49 151 57525403 or 030 1234567"
    assert [text[r.start : r.end] for r in phone.analyze(text, ["PHONE_NUMBER"])] == ["+49 151 57525403", "030 1234567"]
    assert made == list(REGIONS)


def test_a_number_parsed_without_a_region_parses_the_same_in_every_region() -> None:
    # What the one-region shortcut rests on (recognizers._international).
    fake = Faker(["en_US", "de_DE", "fr_FR", "it_IT", "es_ES", "nl_NL"])
    fake.seed_instance(20)
    candidates = _INTERNATIONAL + [f"+{fake.msisdn()}" for _ in range(300)] + [fake.phone_number() for _ in range(300)]
    assert recognizers._international("+49 151 57525403")
    assert not recognizers._international("030 1234567")
    assert not recognizers._international("+999 123 4567")  # no such country code: read in the region after all
    international = [c for c in candidates if recognizers._international(c)]
    assert len(international) > 300
    for candidate in international:
        alone = phonenumbers.parse(candidate, None, keep_raw_input=True)
        for region in (*REGIONS, "ES", "IT", "NL", "JP", "BR", "IN"):
            assert phonenumbers.parse(candidate, region, keep_raw_input=True) == alone, (candidate, region)

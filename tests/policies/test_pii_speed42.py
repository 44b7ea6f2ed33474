"""Issue 14's speed-ups in the prefilter change nothing it answers: the street test as a gate on ASCII text, the gates'
spelling of Python's `\\s`, one name test for an id with glued runs, and the matches placed after the scan."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.pii import candidates
from policies.pii.places import STREET_TABLE, TYPE, TYPE_END, TYPE_WORD
from policies.pii.prefilter import by_text

_STREET_TYPES = sorted(word for word, flags in STREET_TABLE.items() if flags & (TYPE | TYPE_WORD | TYPE_END))
_STREET_WORDS = st.sampled_from([*_STREET_TYPES, "str.", "st", "ave", "av", "rd", "ln", "dr", "blvd", "bd", "ct", "pl",
                                 "sq", "pkwy", "hwy", "avda", "c/", "pza", "p.o. box", "po box", "p.o.box", "pobox",
                                 "post office box", "postfach", "postbus", "apartado de correos", "casella postale",
                                 "boite postale", "bp", "b.p", "straae", "stras", "allae", "plaaa", "traves",
                                 "Hauptstrasse", "Lindenweg", "Ostring", "rue", "via", "way", "row", "wayne", "viable",
                                 "ringo", "p", "o", "box", "x", "12", "Main"])
_STREET_GAPS = st.sampled_from([" ", "", "  ", "\t", "\n", "\x1c", "\x1f", ".", "-", "_", "/", ", ", "1", "42 ", "'",
                                "\x00"])


def _street_gate(text: str) -> bool:
    return bool(candidates.open_gates([text])[0] & candidates.STREET_ASCII)


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.tuples(_STREET_WORDS.map(lambda w: w.upper() if len(w) % 3 == 0 else w.title() if len(w) % 3 == 1
                                            else w), _STREET_GAPS), min_size=1, max_size=6))
def test_the_ascii_street_gate_is_the_street_test_on_generated_ascii_text(parts: list[tuple[str, str]]) -> None:
    text = "".join(w + g for w, g in parts)
    assert bool(candidates._STREET_HINT.search(text)) == _street_gate(text)


@pytest.mark.parametrize("text", ["12 Main Street", "Lindenweg 4", "p.o. box 4410", "P\x1cO\x1cBox 12", "Hauptstr. 5",
                                  "Casella\x1cpostale 7", "4 Rue de la Paix", "Via Roma 12", "1600 Pennsylvania Ave"])
def test_street_addresses_open_the_ascii_street_gate_and_keep_their_entity(text: str) -> None:
    assert _street_gate(text)
    assert "STREET_ADDRESS" in candidates.candidate_entities(text)


@pytest.mark.parametrize("text", ["order 1234567 straae", "allae 12", "plaaa 4", "Wayne 42", "viable 7", "ringo 12",
                                  "version 12.4.1", "sku 99 boxes"])
def test_ascii_look_alikes_of_the_street_words_shut_the_street_test(text: str) -> None:
    assert not _street_gate(text)
    assert "STREET_ADDRESS" not in candidates.candidate_entities(text)


@pytest.mark.parametrize("text", ["Hauptstraße 12", "Allée des Lilas 4", "Plaça Major 3", "Boîte postale 12",
                                  "Travesía 4", "Straße p\x1co box 12"])
def test_non_ascii_street_words_still_open_the_street_test(text: str) -> None:
    assert "STREET_ADDRESS" in candidates.candidate_entities(text)


@pytest.mark.parametrize(("text", "gate", "test"), [
    ("Kontakt: p\x1co box 12 à Köln", candidates.STREET, candidates._STREET_HINT),
    ("Klicken Sie auf log\x1cin für Zugang", candidates.PASSWORD, candidates._PASSWORD_HINT),
    ("Notiz: ss\x1c# für Müller", candidates.SSN_CUE, candidates._SSN_CUE),
    ("Überweisung an: Frau Müller", candidates.PERSON, candidates._PERSON_HINT),
])
def test_the_gates_read_python_s_whitespace_wherever_their_tests_do(text: str, gate: int,
                                                                      test: re.Pattern[str]) -> None:
    """`\\s?` and `\\s*` as well as `\\s+`: an information separator (\\x1c-\\x1f) is whitespace to Python's `re`,
    not to hyperscan, and a gate must never be shut where its test passes."""
    assert test.search(text)
    assert candidates.open_gates([text])[0] & gate


def test_the_gate_spelling_of_whitespace_keeps_classes_and_escapes() -> None:
    assert candidates._spell_space(r"a\s?b") == r"a[\s\x1c-\x1f]?b"
    assert candidates._spell_space(r"[\s\-]x[^\w\s]\\s") == r"[\s\x1c-\x1f\-]x[^\w\s]\\s"
    assert candidates._spell_space(r"[]\s]\s") == r"[]\s\x1c-\x1f][\s\x1c-\x1f]"


_ID_WORDS = st.sampled_from(["ed", "Ed", "da", "de", "anna", "Anna", "jane", "smith", "Doe", "usr", "ws", "fe", "a",
                              "van", "Mario", "eva", "x", "cv", "team", "ann's", "O'Neil", "maría"])
_ID_GAPS = st.sampled_from(["0", "1", "42", "_", "_7", "7_", "-", "-3", " ", ".", "+", "'s ", "/", "3-", "_-", ""])


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.tuples(_ID_WORDS, _ID_GAPS), min_size=1, max_size=7))
def test_one_name_test_for_an_id_with_glued_runs_answers_as_two(parts: list[tuple[str, str]]) -> None:
    text = "".join(w + g for w, g in parts)
    assert candidates._named_and_unglued(text) == (candidates._could_be_named(text)
                                                   and candidates._named_unglued(text))


@pytest.mark.parametrize(("text", "named"), [("usr_ed0a656a18d42af1", False), ("85da5918", False),
                                             ("anna_ed0a65", True), ("user/anna/5ed4", True)])
def test_ids_with_glued_names_and_names_beside_them(text: str, named: bool) -> None:
    assert candidates._named_and_unglued(text) is named


def test_matches_are_placed_in_the_texts_they_end_in_in_any_order() -> None:
    starts = [0, 4, 9, 10, 16]  # texts of 3, 4, 0, 5 and more characters, each with a NUL after it
    assert by_text(starts, [3, 5, 14, 17, 2, 20], [1, 2, 4, 8, 16, 32]) == [1 | 16, 2, 0, 4, 8 | 32]
    assert by_text(starts, [], []) == [0, 0, 0, 0, 0]


def test_a_batch_s_gates_are_each_text_s_own() -> None:
    texts = ["Call +1 415 555 0100", "", "jane@example.com", "12 Main Street", "plain words", "Anna Schmidt"]
    together = candidates.open_gates(texts)
    assert together == [candidates.open_gates([text])[0] for text in texts]
    assert together[0] & candidates.PHONE and together[2] & candidates.AT and together[3] & candidates.STREET_ASCII
    assert together[5] & candidates.NAME and not together[4]

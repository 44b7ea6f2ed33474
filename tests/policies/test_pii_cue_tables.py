"""The word tables that several rules share: the cues of name_context.cued_names (the finder, the lines it reads and
the prefilter's hint are built from one table) and places.STREET_TABLE (the street and place words of names.py,
name_context.py and the prefilter's street hint). A rule and its prefilter must not disagree: a cue the finder reads
that shuts the prefilter's gate would leak. The examples are this module's own."""

from __future__ import annotations

import re

import pytest

from policies.pii import candidates, name_context, places
from policies.pii.recognizers import _STREET_PATTERNS

# One text per family of cue (reporting word, button's verb, header's label, sign-off), in each language, with the
# name the finder takes after it.
CUED = [
    ("According to Taddeo Brambillasca the export fails.", "Taddeo Brambillasca"),
    ("Laut: Wolfhart Frommherz geht der Export nicht.", "Wolfhart Frommherz"),  # a colon after the cue
    ("D\u2019après Taddeo Brambillasca, c'est fini.", "Taddeo Brambillasca"),
    ("SEGÚN Taddeo Brambillasca, falla.", "Taddeo Brambillasca"),  # capitals and an accent
    ("Stando a Taddeo Brambillasca il pacco è partito.", "Taddeo Brambillasca"),
    ("Volgens Hidde Wijnbergen is de export stuk.", "Hidde Wijnbergen"),
    ("Écrire à Taddeo Brambillasca", "Taddeo Brambillasca"),
    ("Enviar un mensaje a Taddeo Brambillasca", "Taddeo Brambillasca"),
    ("Invia un messaggio a Taddeo Brambillasca", "Taddeo Brambillasca"),
    ("Nachricht an Wolfhart Frommherz", "Wolfhart Frommherz"),
    ("Objet : devis\nÀ : Taddeo Brambillasca\nMerci", "Taddeo Brambillasca"),  # the label on the second line
    ("Aan: Hidde Wijnbergen", "Hidde Wijnbergen"),
    ("Un saluto, Taddeo Brambillasca", "Taddeo Brambillasca"),
    ("Met vriendelijke groet, Hidde Wijnbergen", "Hidde Wijnbergen"),
    ("Mit freundlichen Grüßen, Wolfhart Frommherz", "Wolfhart Frommherz"),
    ("ok\nthanks all\nKind regards, Taddeo Brambillasca", "Taddeo Brambillasca"),
]
# No cue: no line to read (the words of cues inside other words, or a label that does not start its line).
NO_CUE = ["Plan: upgrade", "Kundenplan: Pro", "Gruß an alle", "the Dean: yes",
          "Regards to all", "Download the app", "Scrivania a noleggio"]


@pytest.mark.parametrize("text, name", CUED)
def test_a_cued_name_is_found_and_its_cue_opens_the_person_gate(text: str, name: str) -> None:
    at = text.index(name)
    assert (at, at + len(name)) in set(name_context.cued_names(text))
    lines = name_context._lines_with_a_cue(text)
    assert any(start <= at and at + len(name) <= stop for start, stop in lines)
    assert candidates._PERSON_HINT.search(text) is not None  # the Python test of the PERSON gate
    assert candidates.open_gates([text])[0] & candidates.PERSON  # and its hyperscan gate


@pytest.mark.parametrize("text", NO_CUE)
def test_a_text_without_a_cue_has_no_line_to_read(text: str) -> None:
    assert name_context._lines_with_a_cue(text) == []


def test_only_the_lines_with_a_cue_are_read() -> None:
    text = "Hallo zusammen\nLaut Wolfhart Frommherz geht es nicht\nDanke\nGrüße, Hidde Wijnbergen"
    assert [text[a:b] for a, b in name_context._lines_with_a_cue(text)] == [
        "Laut Wolfhart Frommherz geht es nicht", "Grüße, Hidde Wijnbergen"]


def test_the_street_sets_hold_the_words_of_their_kind() -> None:
    assert {"strada", "rue", "weg", "sainte"} <= places.STREET_WORDS
    assert {"ridge", "corner", "street"} <= places.STREET_SUFFIXES
    assert {"rue", "san", "fort", "west", "the"} <= places.PLACE_STARTS
    assert "the" not in places.STREET_WORDS and "ridge" not in places.PLACE_STARTS


# Streets of each address pattern of recognizers._STREET_PATTERNS, each with its street type spelled as people write
# it: the hint must open on every one.
STREETS = ["221B Baker Street", "1600 Pennsylvania Ave NW", "12 Elm St.", "4 Oak Blvd", "12 rue de la Paix",
           "5 bis allée des Tilleuls", "avenue Laine, 52212 Bouvet", "Hauptstraße 5", "Berliner Str. 12a",
           "Lindenweg 4", "Ostring 7", "Keizersgracht 123", "Lindenlaan 4", "Calle Mayor 5", "C/ Mayor 5",
           "Travesía del Sol 3", "Plaça Reial 1", "Via Roma 12", "Piazza San Marco 1", "Incrocio Nord 2"]
NOT_STREETS = ["Wegener 12", "Rowan 3", "Viaggio 2026", "Stringent 4", "Order 5512"]


@pytest.mark.parametrize("text", STREETS)
def test_the_street_hint_opens_on_every_pattern_s_streets(text: str) -> None:
    assert any(re.search(pattern, text) for _, pattern in _STREET_PATTERNS)  # a street the patterns find
    assert candidates._STREET_HINT.search(text) is not None
    assert candidates.open_gates([text])[0] & candidates.STREET


@pytest.mark.parametrize("text", NOT_STREETS)
def test_the_street_hint_stays_shut_without_a_street_type(text: str) -> None:
    assert candidates._STREET_HINT.search(text) is None

"""word_regex.one_of: a trie of words as a regex matches exactly the words, and finds what the plain alternation finds
where a word must be followed by something no word's letter can be (name_context's cue of lower-case names)."""

from __future__ import annotations

import random
import re

import pytest

from policies.pii import name_context
from policies.pii.word_regex import one_of


@pytest.mark.parametrize("words", [
    ["to", "told", "tell", "thank", "thanks", "a", "aan", "an", "für", "fur", "à"],
    ["x"],
    ["c++", "a.b", "(x)", "[y]", "a|b"],  # regex characters are letters of the words, escaped
])
def test_matches_exactly_the_words(words: list[str]) -> None:
    pattern = re.compile(one_of(words))
    for word in words:
        assert pattern.fullmatch(word), word
    for other in ["", "t", "tol", "thankss", "aa", "f", "b", "c+", "ab", "x)", "toldx"]:
        assert bool(pattern.fullmatch(other)) == (other in words), other


def test_the_longer_word_first_where_one_is_a_prefix() -> None:
    assert re.match(one_of(["thank", "thanks"]), "thanks a lot").group() == "thanks"


def test_an_empty_word_is_refused() -> None:
    with pytest.raises(ValueError):
        one_of(["to", ""])


def _plain_cue() -> re.Pattern[str]:
    """name_context._LOWER_CUE with its cues as the plain alternation, in the order it was once written."""
    trie = one_of(name_context._LOWER_CUES)
    pattern = name_context._LOWER_CUE.pattern
    assert trie in pattern
    return re.compile(pattern.replace(trie, "(?:" + "|".join(sorted(name_context._LOWER_CUES)) + ")"))


def test_the_cue_of_lower_case_names_finds_what_the_plain_alternation_finds() -> None:
    plain, rng = _plain_cue(), random.Random(7)
    words = [*name_context._LOWER_CUES, "anna", "schmidt", "van", "de", "jan", "vries", "Thanks", "FÜR", "À", "ask:",
             "thank-you", "to2", "(to", "email,", "thank\u017f", "de\t", "marie", "dubois", "x", "Owner:"]
    texts = ["talked to james miller", "email to sharon brown", "Owner: amaka chukwu", "de de de de jan de vries"]
    texts += [" ".join(rng.choice(words) for _ in range(rng.randint(2, 12))) for _ in range(3000)]
    for text in texts:
        expected = [(m.span(), m.groups()) for m in plain.finditer(text)]
        assert [(m.span(), m.groups()) for m in name_context._LOWER_CUE.finditer(text)] == expected, text

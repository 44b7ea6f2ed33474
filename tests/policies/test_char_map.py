"""prefilter.CharMap: a mapping of characters applied through bytes.translate to Latin-1 text gives what str.translate
gives, for the prefilter's stand-ins and the name gate's folding, on any text."""

from __future__ import annotations

import random

import pytest

from policies.pii import candidates, prefilter
from policies.pii.prefilter import CharMap

# Latin-1 letters, digits, spaces and signs; letters that fold to two (ß, æ, þ); characters beyond Latin-1 (a dash,
# a quote, Polish and Turkish letters, a long s, the Kelvin sign, a paragraph separator, an emoji).
_ALPHABET = ("aZ09 -'._,@\x09\x0a\x00\x1c\xe7\xc9\xe9\xfc\xd6\xdf\xe6\xc6\xfe\xde\xf0\xf8"
             "\xb5\xaa\xb2\xbc\xd7\xf7\xa0\xad\xb7"
             "\u2013\u2019\u0142\u0141\u0130\u0131\u017f\u212a\u2029\U0001f600")


@pytest.mark.parametrize(("char_map", "char"), [
    (prefilter._STAND_INS, prefilter._stand_in),
    (candidates._FOLDED, candidates._fold_char),
], ids=["stand-ins", "folding"])
def test_the_same_as_str_translate(char_map: CharMap, char: object) -> None:
    rng = random.Random(11)
    texts = ["Müller", "straße", "Ærø", "Dvořák", "naïve café", "l'été", "x\u2019y", ""]
    texts += ["".join(rng.choice(_ALPHABET) for _ in range(rng.randint(1, 40))) for _ in range(5000)]
    table = {code: char(chr(code)) for text in texts for code in map(ord, text)}  # type: ignore[operator]
    for text in texts:
        assert char_map.translate(text) == text.translate(table), repr(text)

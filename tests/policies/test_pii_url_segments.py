"""The URL splitter's test for a segment that names a collection of people (`/team/`, `/profile_pics/`, `/über-uns/`)
is a set look-up on ASCII segments: it gives the answer of the case-insensitive regex it stands in for."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.pii import urls
from policies.pii.names import PEOPLE_SEGMENTS, TEAM_PAGES


def _by_regex(segment: str) -> bool:
    return urls._PEOPLE_SEGMENT.fullmatch(segment) is not None


@pytest.mark.parametrize(("pattern", "words"), [
    ("team|staff", {"team", "staff"}),
    ("contacts?|profile[-_]?(?:pics?|img)", {"contact", "contacts", "profilepic", "profilepics", "profileimg",
                                             "profile-pic", "profile-pics", "profile-img", "profile_pic",
                                             "profile_pics", "profile_img"}),
    ("[ée]quipe|a(?:b|c(?:d|e)?)f", {"équipe", "equipe", "abf", "acf", "acdf", "acef"}),
    ("Team|about us", {"team", "about us"}),
])
def test_a_finite_pattern_gives_every_word_it_matches(pattern: str, words: set[str]) -> None:
    assert urls.finite_words(pattern) == words


@pytest.mark.parametrize("pattern", [
    "teams*", "team+", r"\w+", "[a-z]eam", "[^t]eam", "(team)", "te.m", "te{2}am", "(?:team", "team)", "(?i)team",
    r"te\am", "[team", "team$",
])
def test_a_pattern_that_matches_more_than_letters_and_options_is_refused(pattern: str) -> None:
    with pytest.raises(ValueError):
        urls.finite_words(pattern)


_VARIANTS = [*sorted(urls._PEOPLE_WORDS), "", "Team", "TEAM", "Über-Uns", "ÉQUIPE", "Équipe", "equipé", "\u017ftaff",
             "\u212aontakt", "profile-\u212aic", "\u0130n", "\u0131n", "team ", " team", "team/", "teamx", "xteam",
             "profile__pics", "profile-_pics", "contact-s"]


@pytest.mark.parametrize("segment", _VARIANTS)
def test_a_listed_segment_and_its_look_alikes_are_read_as_the_regex_reads_them(segment: str) -> None:
    assert urls.people_segment(segment) == _by_regex(segment)


def test_every_word_of_the_set_is_matched_by_the_regex_and_its_edits_are_read_alike() -> None:
    letters = "abcdefghijklmnopqrstuvwxyz-_ é"
    for word in urls._PEOPLE_WORDS:
        assert _by_regex(word) and _by_regex(word.upper())
        edits = {word[:i] + word[i + 1 :] for i in range(len(word))}  # one letter dropped
        edits |= {word[:i] + c + word[i:] for i in range(len(word) + 1) for c in letters}  # one letter added
        edits |= {word[:i] + c + word[i + 1 :] for i in range(len(word)) for c in letters}  # one replaced
        for edit in edits:
            assert urls.people_segment(edit) == _by_regex(edit), edit
            assert urls.people_segment(edit.title()) == _by_regex(edit.title()), edit


def test_the_set_is_built_from_the_names_modules_own_segments() -> None:
    assert urls.finite_words(f"(?:{PEOPLE_SEGMENTS}|{TEAM_PAGES})") == urls._PEOPLE_WORDS
    assert {"team", "profile_pics", "ueber-uns", "équipe", "ansprechpartnerinnen"} <= urls._PEOPLE_WORDS


_SEGMENT_CHARS = st.sampled_from(list("teamsuprofilcnkd-_ .%0123AÉé\u017f\u212a\u0130\u0131TEP"))


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet=_SEGMENT_CHARS, max_size=14) | st.sampled_from(sorted(urls._PEOPLE_WORDS)).map(str.upper))
def test_generated_segments_are_read_as_the_regex_reads_them(segment: str) -> None:
    assert urls.people_segment(segment) == _by_regex(segment)

"""Path selectors and key-name rules: pure functions, no Presidio."""

from __future__ import annotations

import pytest

from policies.pii.keys import DEFAULT_FREE_TEXT_KEYS, DEFAULT_SENSITIVE_KEYS, FreeTextKeys, SensitiveKeys, key_words
from policies.pii.selectors import DEAD, PathMatcher, SelectorError, normalize_key, parse_selector


def winner(matcher: PathMatcher, *path: str) -> int:
    state = matcher.root
    for key in path:
        state = matcher.step(state, normalize_key(key))
    return matcher.winner(state)


@pytest.mark.parametrize(
    "text, segments",
    [
        ("context.ip", ("=context", "=ip")),
        ("properties.**.email", ("=properties", "**", "=email")),
        ("traits.*", ("=traits", "*")),
        ("'a.b'.c", ("=ab", "=c")),
        ("'it''s'", ("=it's",)),
        ("$set.first_name", ("=set", "=firstname")),
    ],
)
def test_parse_selector(text: str, segments: tuple[str, ...]) -> None:
    assert parse_selector(text) == segments


@pytest.mark.parametrize("text", ["", "  ", "a..b", ".a", "a.", "'open", "'a'b", "a'b", "_.x"])
def test_parse_selector_rejects(text: str) -> None:
    with pytest.raises(SelectorError):
        parse_selector(text)


def test_matching_first_selector_wins_and_globstars() -> None:
    m = PathMatcher(["context.ip", "properties.**.email", "traits.*", "userId", "'a.b'.c", "**.first_name", "**"])
    assert winner(m, "context", "ip") == 0
    assert winner(m, "properties", "email") == 1  # ** matches zero keys
    assert winner(m, "properties", "user", "contact", "Email") == 1
    assert winner(m, "traits", "plan") == 2
    assert winner(m, "traits", "plan", "tier") == 6  # * is exactly one key; only the catch-all is left
    assert winner(m, "user_id") == 3  # normalised: userId, user_id, $user_id
    assert winner(m, "a.b", "c") == 4
    assert winner(m, "x", "y", "$firstName") == 5
    assert winner(m, "context") == 6


def test_dead_state_when_nothing_can_match() -> None:
    m = PathMatcher(["context.ip"])
    state = m.step(m.root, "properties")
    assert state == DEAD and m.winner(state) == -1
    assert m.step(state, "anything") == DEAD


@pytest.mark.parametrize(
    "key, words",
    [("apiKey", ("api", "key")), ("API_KEY", ("api", "key")), ("x-api-key", ("x", "api", "key")),
     ("HTTPAuthorization", ("http", "authorization")), ("$password", ("password",)), ("passwd2", ("passwd", "2"))],
)
def test_key_words(key: str, words: tuple[str, ...]) -> None:
    assert key_words(key) == words


@pytest.mark.parametrize(
    "key, term",
    [
        ("password", "password"), ("Password", "password"), ("user_password", "password"), ("apiKey", "api key"),
        ("API_KEY", "api key"), ("apikey", "api key"), ("x-api-key", "api key"), ("authToken", "auth"),
        ("csrftoken", "csrf token"), ("creditCardNumber", "credit card"), ("SSN", "ssn"),
        ("client_secret", "client secret"),
        ("Authorization", "authorization"), ("cvv", "cvv"), ("passport_number", "passport"), ("otp", "otp"),
        # Not secrets: whole words only, and analytics sessions are not session tokens.
        ("author", None), ("oauth_provider", None), ("tokens_used", None), ("prompt_tokens", None),
        ("session_id", None), ("$session_id", None), ("email", None), ("pinned", None), ("description", None),
    ],
)
def test_sensitive_keys(key: str, term: str | None) -> None:
    assert SensitiveKeys(DEFAULT_SENSITIVE_KEYS).match(key) == term


@pytest.mark.parametrize(
    "key, free",
    [("search_query", True), ("q", True), ("feedback", True), ("errorMessage", True), ("comment", True),
     ("message_id", False), ("messageId", False), ("sku", False), ("page_title", False)],
)
def test_free_text_keys(key: str, free: bool) -> None:
    assert FreeTextKeys(DEFAULT_FREE_TEXT_KEYS).match(key) is free

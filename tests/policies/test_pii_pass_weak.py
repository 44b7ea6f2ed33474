"""pw16 (issue 14, review39 P6): weak passwords after a user name under a key naming a login or an access, as test
accounts and shared logins are noted (`admin / hunter22`, `root:toor`), through the real Scrubber; and the choices,
ratios, numbered things and products that look like them and stay."""

from __future__ import annotations

from typing import Any

import pytest

from policies.pii import Scrubber
from tests.policies.pii_cases import default_scrubber, scrubbed

KEY = b"weak-login-key-0123456789abcdef01"


@pytest.fixture(scope="module")
def scrubber() -> Scrubber:
    return default_scrubber(KEY)


@pytest.mark.parametrize("key,value", [
    # a word and digits glued to it, six or more digits, a default no language has as a word, the name again
    ("login", "admin / hunter22"), ("login", "admin/password123"), ("login", "root:toor"), ("login", "admin admin123"),
    ("login", "jdoe | hunter2"), ("wifi", "CafeNet:espresso2024"), ("login", "jdoe / letmein"),
    ("login", "jdoe / Password1"), ("login", "jdoe / 12345678"), ("login", "admin / admin"),
    ("zugang", "mmueller / sommer2024"), ("anmeldedaten", "k.weber:changeme"), ("connexion", "jdupont / soleil75"),
    ("acceso", "mgarcia | qwerty"), ("dati_accesso", "mrossi / girasole88"), ("toegang", "jjansen / 87654321"),
    ("wlan", "Gastnetz:kaffee2023"), ("account", "guest:guest"), ("login_info", "test / test2024"),
    # quoted halves and a note after the pair
    ("login", "jdoe / 'Hunter2!x'"), ("login", '"jdoe" / "Hunter2!x"'), ("login", "jdoe / Hunter2!x (temporary)"),
    ("zugang", "mmueller / „Sommer2024!“"), ("account", "jdoe / hunter22 (expires Friday)")])
def test_a_login_and_its_weak_password_are_replaced(scrubber: Scrubber, key: str, value: str) -> None:
    assert scrubbed(scrubber, key, value) == "[SECRET]"


@pytest.mark.parametrize("key,value", [
    ("login", "google"), ("login_method", "sso"), ("login", "3 / 4"), ("login", "OK / Cancel"), ("login", "Yes / No"),
    ("login", "Paris / Berlin"), ("login", "16 / 9"), ("login", "email / sms"), ("login", "Google / Apple"),
    ("account", "Free / Pro"), ("login", "SSO / SAML"), ("login", "failed / retry"), ("access", "read / write"),
    # two words of a language are two choices (P1): a plain word is no password here
    ("login", "jdoe / sunshine"), ("login", "admin / password"), ("zugang", "Benutzer / Passwort"),
    ("connexion", "gratuit / payant"), ("acceso", "gratis / premium"), ("dati_accesso", "mensile / annuale"),
    ("toegang", "maandelijks / jaarlijks"), ("access", "user / admin"), ("access", "public / secret"),
    # a thing and its number, a technology and its version, an id's notation, a day, a state repeated
    ("login", "node / node18"), ("access", "room / room101"), ("account", "Team / Enterprise2"),
    ("access", "Room / room101"), ("account", "Acme / 123456"), ("account", "acct:12345678"),
    ("account", "Acme / 20240115"), ("login", "Android / android14"), ("account", "Microsoft / office365"),
    ("login", "Apple / ios17"), ("wifi", "Home / wpa2"), ("login", "utf8 / utf16"), ("login", "sha1 / sha256"),
    ("login", "none / none"), ("login", "Yes / Yes"), ("login", "1920 x 1080"), ("login", "OK / Cancel (default)")])
def test_choices_numbers_and_products_under_login_keys_stay(scrubber: Scrubber, key: str, value: Any) -> None:
    assert scrubbed(scrubber, key, value) == value

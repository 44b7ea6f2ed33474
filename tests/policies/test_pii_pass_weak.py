"""Weak passwords after a user name under a key naming a login or an access, as test
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
    ("login", "none / none"), ("login", "Yes / Yes"), ("login", "1920 x 1080"), ("login", "OK / Cancel (default)"),
    # a label and its value: the first half is a word of a language, no login (review40 W1, W2)
    ("account", "tier / gold2024"), ("account", "plan / basic12"), ("account", "region / europe1"),
    ("login", "server / node18"), ("account", "season / summer2024"), ("account", "promo / welcome10"),
    ("wifi", "band / wlan24"), ("access", "read / read"), ("account", "free / free"), ("login", "email / email"),
    ("account", "savings 12345678"), ("account", "checking 004512345"), ("login", "attempts / 123456")])
def test_choices_numbers_and_products_under_login_keys_stay(scrubber: Scrubber, key: str, value: Any) -> None:
    assert scrubbed(scrubber, key, value) == value


# A strong password alone under a key naming a login or a network (`wlan: "Gast!2024"`); a network's or an account's
# name with a symbol stays.
@pytest.mark.parametrize("key,value", [
    ("wlan", "Gast!2024"), ("wifi", "Caf3!Latte"), ("login", "Hunter2!x"), ("zugang", "S0mm3r#2024x"),
    ("toegang", "Welkom@2024"), ("acceso", "Verano$2024"), ("connexion", "Soleil&75x")])
def test_a_strong_password_alone_under_a_login_key_is_replaced(scrubber: Scrubber, key: str, value: str) -> None:
    assert scrubbed(scrubber, key, value) == "[SECRET]"


@pytest.mark.parametrize("key,value", [
    ("wifi", "FRITZ!Box 7590 KL"), ("account", "Team#42"), ("account", "acme-corp#2"), ("wifi", "Wifi FREE!!!"),
    ("wifi", "Cafe2024"), ("account", "ACME-2024-001"), ("access", "read+write"), ("wlan", "HomeNet_5G"),
    ("wifi", "Vodafone-A1B2"), ("account", "C++17"), ("access", "24/7")])
def test_a_network_or_an_account_named_with_a_symbol_stays(scrubber: Scrubber, key: str, value: str) -> None:
    assert scrubbed(scrubber, key, value) == value


# A form's list of fields flattened into one object's keys: `name` after a list's index is the field's name, no
# person's (`fields[3][name]: "plan"`); a person's name key after it, or without an index, is still one.
@pytest.mark.parametrize("key,value", [
    ("fields[3][name]", "plan"), ("fields[3][name]", "email"), ("fields[3][name]", "password"),
    ("items[0][name]", "Widget"), ("elements[2][name]", "Vorname"), ("champs[1][name]", "forfait")])
def test_a_listed_fields_name_is_no_persons_name(scrubber: Scrubber, key: str, value: str) -> None:
    assert scrubbed(scrubber, key, value) == value


@pytest.mark.parametrize("key,value", [
    ("user[name]", "Anna Schmidt"), ("customer[first_name]", "Anna"), ("contacts[0][first_name]", "Giulia"),
    ("kunden[2][nachname]", "Müller")])
def test_a_persons_name_key_flattened_is_still_one(scrubber: Scrubber, key: str, value: str) -> None:
    assert scrubbed(scrubber, key, value) == "[PERSON]"

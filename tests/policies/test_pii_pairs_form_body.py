"""pw16 (issue 14): a form's body posted as a string under an ordinary key (`body: "user=jdoe&new_password=…"`) is
split into its parameters as a URL's query is: a parameter whose name the key rules call a secret loses its value, and
only its value; other bodies stay byte for byte. Through the real Scrubber, names in en/de/fr/es/it/nl."""

from __future__ import annotations

import pytest

from policies.pii import Scrubber
from tests.policies.pii_cases import default_scrubber, scrubbed

KEY = b"form-body-key-0123456789abcdef0123"


@pytest.fixture(scope="module")
def scrubber() -> Scrubber:
    return default_scrubber(KEY)


@pytest.mark.parametrize("key,value,expected", [
    ("body", "user=jdoe&new_password=Hunter2!x", "user=jdoe&new_password=[SECRET]"),
    ("payload", "login=jdoe&password=hunter22&remember=1", "login=jdoe&password=[SECRET]&remember=1"),
    ("data", "benutzer=mmueller&passwort=sommer24", "benutzer=mmueller&passwort=[SECRET]"),
    ("data", "utilisateur=jdupont&mot_de_passe=soleil75", "utilisateur=jdupont&mot_de_passe=[SECRET]"),
    ("data", "usuario=mgarcia&contrasena=girasol88", "usuario=mgarcia&contrasena=[SECRET]"),
    ("form", "utente=mrossi&password=girasole", "utente=mrossi&password=[SECRET]"),
    ("raw", "gebruiker=jjansen&wachtwoord=tulp2024", "gebruiker=jjansen&wachtwoord=[SECRET]"),
    ("body", "email=a%40b.test&pwd=x1y2z3w4&submit=Login", "email=a%40b.test&pwd=[SECRET]&submit=Login"),
    ("body", "user[email]=a%40b.test&user[password]=Hunter2!x", "user[email]=a%40b.test&user[password]=[SECRET]")])
def test_a_secret_parameter_of_a_form_body_loses_its_value_only(scrubber: Scrubber, key: str, value: str,
                                                                  expected: str) -> None:
    assert scrubbed(scrubber, key, value) == expected


@pytest.mark.parametrize("key,value", [
    ("body", "utm_source=google&utm_medium=cpc"), ("data", "sort=name&order=asc"), ("q", "q=hello+world&page=2"),
    ("body", "a=1&b=2"), ("body", "grant_type=client_credentials&scope=read+write"), ("note", "x=y & z=w"),
    ("body", "plan=pro&seats=5&billing=annual"), ("body", "lang=de&theme=dark"), ("body", "taal=nl&thema=donker"),
    ("body", "ordre=prix&page=3"), ("body", "orden=precio&pagina=2"), ("body", "sortierung=preis&seite=2")])
def test_form_bodies_without_a_secret_stay(scrubber: Scrubber, key: str, value: str) -> None:
    assert scrubbed(scrubber, key, value) == value

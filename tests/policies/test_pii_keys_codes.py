"""A key naming a code by what it opens, with words after it saying what of it (`garage_code_set`,
`torcode_vorhanden`), keeps what no code is (a boolean, a state) and still removes a code, in en/de/fr/es/it/nl;
through the real Scrubber."""

from __future__ import annotations

from typing import Any

import pytest

from policies.pii import Scrubber
from tests.policies.pii_cases import default_scrubber, scrubbed

KEY = b"code-keys-key-0123456789abcdef0123"


@pytest.fixture(scope="module")
def scrubber() -> Scrubber:
    return default_scrubber(KEY)


@pytest.mark.parametrize("key,value", [
    ("garage_code_set", False), ("torcode_vorhanden", True), ("door_code_set", False), ("gate_code_configured", True),
    ("code_portail_defini", False), ("codigo_puerta_configurado", True), ("codice_cancello_impostato", False),
    ("deurcode_ingesteld", True), ("entry_code_hint", "ask reception"), ("lockbox_code_set", None),
    ("door_code_set", "yes"), ("sms_code_sent", True), ("door_code", "sent")])
def test_what_no_code_is_stays_under_a_code_key_with_words_after_it(scrubber: Scrubber, key: str, value: Any) -> None:
    assert scrubbed(scrubber, key, value) == value


@pytest.mark.parametrize("key,value", [
    ("garage_code_set", "4821"), ("torcode_vorhanden", 4821), ("door_code_value", "Zx81!kqa"), ("puk_code", "Bello"),
    ("code_portail_nouveau", "A4821"), ("codice_cancello_nuovo", 482193), ("deurcode_tijdelijk", "4821#"),
    ("gate_code", "4821"), ("door_code", 4821)])
def test_a_code_under_a_code_key_with_words_after_it_is_removed(scrubber: Scrubber, key: str, value: Any) -> None:
    assert scrubbed(scrubber, key, value) is None

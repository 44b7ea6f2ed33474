"""Issue 14, stop 45. Invoice, order and booking references are kept where the URL or the text says they are one:

- a URL parameter named for an identifier (`?invoice=`, `?order_id=`) whose value is written as references are
  (letters, digits and `-`, `.`, `_`, `/` between groups) is scanned as an identifier key's value is: no phone, IP
  address or national id is read into it, but e-mails, cards and names still are;
- so are the reference segments after a path segment that names numbered things (`/invoices/FT/2024/…`,
  `/orders/…`), up to the first word;
- an SSN or a national id glued by a dash or a slash into a longer reference (`INV-2024-66145169191`,
  `2024-218-72-9220`) is part of that reference, not a person's number, unless the word glued to it names one
  (`SSN-536-82-4419`).

- a sequence number padded with zeros, alone or after its year (`00046059`, `24-00049847`), is no phone: no phone
  number starts with three zeros or has a group of zeros after its first;
- keys that name a document by two words or by an abbreviation and its number word (`credit_note_number`,
  `nota_di_credito`, `inv_no`, `doc_nr`) are identifier keys.

Each kind of test includes what must still be found."""

from __future__ import annotations

import pytest

from policies.pii import Scrubber
from tests.policies.pii_cases import default_scrubber, scrubbed


@pytest.fixture(scope="module")
def scrubber() -> Scrubber:
    return default_scrubber(b"refs45-key-0123456789abcdef01234")


@pytest.mark.parametrize("url", [
    "https://app.example.com/billing?invoice=2024-73324.894937",
    "https://app.example.com/billing?invoice=2024-336916/475",
    "https://app.example.com/billing?invoice=2024-10/308/69",
    "https://app.example.com/billing?order_id=FT/2024/2454.138031.9377&tab=2",
    "https://app.example.com/invoices/2024-73324.894937",
    "https://app.example.com/invoices/FT/2024/2454.138031.9377",
    "https://app.example.com/factures/FAC/2024/763.7420.190/pdf",
    "https://app.example.com/orders/2024-218-72-9220",
    "https://app.example.com/invoices/Nr.%20738235%2025657",
    "https://app.example.com/rechnungen/No.%203172-1905-872",
    "https://app.example.com/credit-notes/2024-73324.894937",
    "https://app.example.com/billing/2024-73324.894937",
    "https://app.example.com/api/v1/invoice/FT/2024/625%204080/download",
    "https://app.example.com/billing?invoice_no=No.+20.216.5344",
])
def test_references_in_urls_named_for_them_are_kept(scrubber: Scrubber, url: str) -> None:
    assert scrubbed(scrubber, "url", url) == url


@pytest.mark.parametrize("url, expected", [
    # an e-mail or a card under an identifier's parameter is still found
    ("https://x.example/p?order_id=4111111111111111", "https://x.example/p?order_id=[CREDIT_CARD]"),
    ("https://x.example/p?invoice=jane.doe%40example.com", "https://x.example/p?invoice=[EMAIL]"),
    # a phone under a parameter that is not an identifier's, beside one that is
    ("https://x.example/p?order_id=A12&phone=4155550100", "https://x.example/p?order_id=A12&phone=[PHONE]"),
    # a word after the references ends them: what follows is scanned as before
    ("https://x.example/orders/17/customer/415-555-0100", "https://x.example/orders/17/customer/[PHONE]"),
    ("https://x.example/billing/address/415-555-0100", "https://x.example/billing/address/[PHONE]"),
    # a collection that is not of numbered things
    ("https://x.example/contacts/415-555-0100", "https://x.example/contacts/[PHONE]"),
    ("https://x.example/p?ref_note=call+415-555-0100", "https://x.example/p?ref_note=call+[PHONE]"),
    # a reference's later groups are digits: a word first is not one
    ("https://x.example/p?ref=call+0612345678", "https://x.example/p?ref=call+[PHONE]"),
    ("https://x.example/p?ref=%2B49+30+1234567", "https://x.example/p?ref=[PHONE]"),
])
def test_what_urls_do_not_name_as_a_reference_is_still_found(scrubber: Scrubber, url: str, expected: str) -> None:
    assert scrubbed(scrubber, "url", url) == expected


@pytest.mark.parametrize("key, text", [
    ("note", "Invoice INV-2024-66145169191 is overdue"),
    ("note", "Invoice RE-2024-87668856939 is overdue"),
    ("note", "Invoice 2024-218-72-9220 is overdue"),
    ("note", "see NR-60732622916"),
    ("invoice_number", "2024-971-31-6451"),
    ("invoice_number", "FAC-416.95.4921"),
])
def test_a_national_id_glued_into_a_reference_is_part_of_it(scrubber: Scrubber, key: str, text: str) -> None:
    assert scrubbed(scrubber, key, text) == text


@pytest.mark.parametrize("text, expected", [
    ("SSN 536-82-4419", "SSN [SSN]"),
    ("my SSN-536-82-4419, thanks", "my SSN-[SSN], thanks"),
    ("Steuer-ID 12345678903", "Steuer-ID [NATIONAL_ID]"),
    ("SSN: 536-82-4419 / DOB 1985", "SSN: [SSN] / DOB 1985"),
])
def test_a_national_id_on_its_own_or_after_its_word_is_found(scrubber: Scrubber, text: str, expected: str) -> None:
    assert scrubbed(scrubber, "note", text) == expected


@pytest.mark.parametrize("key, value", [
    ("inv_no", "25-97398647"),
    ("doc_no", "6729-29576356"),
    ("voucher_no", "2951/74/7217"),
    ("credit_note_number", "25-60-41666"),
    ("nota_di_credito", "2025/764911333"),
    ("rg_nr", "Nr. 344344/230931"),
])
def test_documents_named_by_two_words_or_an_abbreviation_are_identifier_keys(
        scrubber: Scrubber, key: str, value: str) -> None:
    assert scrubbed(scrubber, key, value) == value


@pytest.mark.parametrize("key, value, expected", [
    ("note_de_service", "appelez le 06 12 34 56 78", "appelez le [PHONE]"),
    ("doc", "call me on +49 30 1234567", "call me on [PHONE]"),
    ("inv_no", "jane.doe@example.com", "[EMAIL]"),
])
def test_other_keys_with_those_words_are_scanned_as_before(scrubber: Scrubber, key: str, value: str,
                                                          expected: str) -> None:
    assert scrubbed(scrubber, key, value) == expected


@pytest.mark.parametrize("text", [
    "refund 24/00000492 asap",
    "I paid R 24-00049847 yesterday",
    "Bitte 00046059 stornieren",
    "Fattura FA 2024/000918 scaduta",
])
def test_a_sequence_padded_with_zeros_is_no_phone(scrubber: Scrubber, text: str) -> None:
    assert scrubbed(scrubber, "note", text) == text


@pytest.mark.parametrize("text, expected", [
    ("call 0049 30 1234567", "call [PHONE]"),  # `00`: the international prefix
    ("ring 0031 6 12345678", "ring [PHONE]"),
    ("tel 06-00123456", "tel [PHONE]"),  # not a year before the zeros
    ("phone +1 24-00049847", "phone [PHONE]"),
])
def test_phones_with_zeros_are_still_found(scrubber: Scrubber, text: str, expected: str) -> None:
    assert scrubbed(scrubber, "note", text) == expected

"""One snapshot per built-in rule: each rule the default policy ships, on a value it applies to, and what comes out.

The tables below name every built-in rule (field rules, safe fields, id fields, sensitive key terms, URL secret
parameters, detector entities); a completeness test fails when a rule is added without its snapshot. Each snapshot also
checks the finding, so that it shows which rule fired, not only that something did. Hashes are HMAC-SHA256 under KEY.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import pytest

from policies.pii import Findings, PiiConfig, Scrubber
from policies.pii.config import DEFAULT_ID_FIELDS, DEFAULT_RULES, DEFAULT_SAFE_FIELDS, DEFAULT_URL_SECRET_PARAMS
from policies.pii.engine import Analyzer
from policies.pii.entities import PATTERN_ENTITIES
from policies.pii.keys import DEFAULT_SENSITIVE_KEYS, key_words

KEY = b"rules-key-0123456789abcdef0123456"


@pytest.fixture(scope="module")
def scrubber(tmp_path_factory: pytest.TempPathFactory) -> Scrubber:
    analyzer = Analyzer(tmp_path_factory.mktemp("pii-data"), ("US", "GB", "DE", "FR"), 0, 0.1)
    return Scrubber(PiiConfig(), KEY, analyzer=analyzer)


def h(value: str) -> str:
    return "h_" + hmac.new(KEY, value.encode(), hashlib.sha256).hexdigest()[:16]


def at(path: str, value: Any) -> dict[str, Any]:
    """`value` nested under the dotted `path`."""
    for key in reversed(path.split(".")):
        value = {key: value}
    return value


# ---- built-in field rules: (a path the rule selects, the value there, what it becomes, the finding) ---------------

FIELD_RULES: dict[str, tuple[str, Any, Any, tuple[str, str]]] = {
    "context.ip": ("context.ip", "203.0.113.7", "203.0.113.0", ("IP_ADDRESS", "truncate_ip")),
    "**.ip": ("properties.device.ip", "198.51.100.23", "198.51.100.0", ("IP_ADDRESS", "truncate_ip")),
    "**.ip_address": ("traits.ipAddress", "2001:db8:85a3:1234::1", "2001:db8:85a3::", ("IP_ADDRESS", "truncate_ip")),
    "**.email": ("traits.email", "jane@example.com", h("jane@example.com"), ("FIELD", "hash")),
    "**.phone": ("traits.phone", "+1 415 555 0100", "[PHONE]", ("PHONE", "replace")),
    "**.phone_number": ("properties.phoneNumber", "0171 1234567", "[PHONE]", ("PHONE", "replace")),
    "**.mobile": ("traits.mobile", "06 12 34 56 78", "[PHONE]", ("PHONE", "replace")),
    "traits.name": ("traits.name", "Jane Doe", "[PERSON]", ("PERSON", "replace")),
    "context.traits.name": ("context.traits.name", "Jane Doe", "[PERSON]", ("PERSON", "replace")),
    "**.user_properties.name": ("events.user_properties.name", "Jane Doe", "[PERSON]", ("PERSON", "replace")),
    "**.$set.name": ("properties.$set.name", "Jane Doe", "[PERSON]", ("PERSON", "replace")),
    "**.$set_once.name": ("properties.$set_once.name", "Jane Doe", "[PERSON]", ("PERSON", "replace")),
    "**.first_name": ("traits.firstName", "Jane", "[PERSON]", ("PERSON", "replace")),
    "**.last_name": ("traits.$last_name", "Doe", "[PERSON]", ("PERSON", "replace")),
    "**.full_name": ("properties.customer.full_name", "Jane Doe", "[PERSON]", ("PERSON", "replace")),
    "**.username": ("traits.username", "jdoe", h("jdoe"), ("FIELD", "hash")),
    "**.postal_code": ("traits.postalCode", "90210", "*****", ("FIELD", "mask")),
    "**.zip": ("traits.zip", "75001", "*****", ("FIELD", "mask")),
    "**.zipcode": ("properties.zipcode", 10115, "*****", ("FIELD", "mask")),
    "**.birthday": ("traits.birthday", "1990-05-17", "1990", ("DATE", "generalize_date")),
    "**.birthdate": ("traits.birthdate", "17.05.1990", "1990", ("DATE", "generalize_date")),
    "**.date_of_birth": ("traits.date_of_birth", "May 17, 1990", "1990", ("DATE", "generalize_date")),
    "**.dob": ("user_properties.dob", 642902400, "1990", ("DATE", "generalize_date")),
}


def test_every_builtin_field_rule_has_a_snapshot() -> None:
    assert list(FIELD_RULES) == [rule.path for rule in DEFAULT_RULES]


@pytest.mark.parametrize("rule", list(FIELD_RULES))
def test_builtin_field_rule(scrubber: Scrubber, rule: str) -> None:
    path, value, expected, (entity, action) = FIELD_RULES[rule]
    assert scrubber.scrub_value(at(path, value)) == (at(path, expected), Findings([((entity, rule, action), 1)]))


# ---- safe fields: kept as they are, even holding what a detector or a key rule would take ----------------------------

SAFE_FIELDS: dict[str, tuple[str, Any]] = {
    "event": ("event", "Emailed jane@example.com"),
    "timestamp": ("timestamp", "2024-05-17T12:00:00Z"),
    "sentAt": ("sentAt", "2024-05-17T12:00:01Z"),
    "originalTimestamp": ("originalTimestamp", "2024-05-17T11:59:59Z"),
    "receivedAt": ("receivedAt", "2024-05-17T12:00:02Z"),
    "messageId": ("messageId", "ajs-jane@example.com-1"),
    "context.library": ("context.library", {"name": "analytics.js", "version": "2.11.1", "token": "kept"}),
    "context.locale": ("context.locale", "de-DE"),
    "context.timezone": ("context.timezone", "Europe/Berlin"),
    "**.$insert_id": ("properties.$insert_id", "jane@example.com-17"),
    "**.insert_id": ("events.insert_id", "203.0.113.7-17"),
    "**.uuid": ("properties.uuid", "550e8400-e29b-41d4-a716-446655440000"),
    "**.event_type": ("events.event_type", "Called +1 415 555 0100"),
    "**.time": ("events.time", 1715940000123),
}


def test_every_safe_field_has_a_snapshot() -> None:
    assert tuple(SAFE_FIELDS) == DEFAULT_SAFE_FIELDS


@pytest.mark.parametrize("rule", list(SAFE_FIELDS))
def test_safe_field(scrubber: Scrubber, rule: str) -> None:
    path, value = SAFE_FIELDS[rule]
    assert scrubber.scrub_value(at(path, value)) == (at(path, value), Findings())


# ---- id fields: an identifier holding PII is pseudonymised whole (so that it still joins); other ids stay ----------

ID_FIELDS: dict[str, tuple[str, str]] = {
    "userId": ("userId", "jane@example.com"),
    "anonymousId": ("anonymousId", "call +1 415 555 0100"),
    "groupId": ("groupId", "billing@acme.com"),
    "previousId": ("previousId", "jane@example.com"),
    "**.user_id": ("events.user_id", "jane@example.com"),
    "**.distinct_id": ("properties.distinct_id", "jane@example.com"),
    "**.device_id": ("events.device_id", "203.0.113.7"),
    "**.anon_distinct_id": ("properties.$anon_distinct_id", "jane@example.com"),
    "**.alias": ("properties.alias", "jane@example.com"),
}
ID_ENTITY = {"anonymousId": "PHONE_NUMBER", "**.device_id": "IP_ADDRESS"}


def test_every_id_field_has_a_snapshot() -> None:
    assert tuple(ID_FIELDS) == DEFAULT_ID_FIELDS


@pytest.mark.parametrize("rule", list(ID_FIELDS))
def test_id_field(scrubber: Scrubber, rule: str) -> None:
    path, value = ID_FIELDS[rule]
    entity = ID_ENTITY.get(rule, "EMAIL_ADDRESS")
    assert scrubber.scrub_value(at(path, value)) == (at(path, h(value)), Findings([((entity, rule, "hash"), 1)]))
    assert scrubber.scrub_value(at(path, "usr_8812")) == (at(path, "usr_8812"), Findings())


# ---- key rules: each sensitive term removes the value under a key containing it, in any spelling -------------------

# The term a finding names is the first one found reading the key's words: `secretKey` is removed as `secret`.
REPORTED_AS = {"secret key": "secret", "csrf token": "csrf", "xsrf token": "xsrf", "cvv2": "cvv",
               "social security number": "social security", "passport number": "passport"}


def spellings(term: str) -> list[str]:
    words = key_words(term)
    return ["_".join(words), words[0] + "".join(w.capitalize() for w in words[1:]), "-".join(words).upper()]


@pytest.mark.parametrize("term", DEFAULT_SENSITIVE_KEYS)
def test_sensitive_key_term(scrubber: Scrubber, term: str) -> None:
    reported = REPORTED_AS.get(term, term)
    for key in spellings(term):
        payload = {"properties": {key: "s3cr3t-value", "plan": "pro"}}
        assert scrubber.scrub_value(payload) == (
            {"properties": {"plan": "pro"}}, Findings([(("SENSITIVE_KEY", f"key:{reported}", "remove"), 1)]))


def test_every_reported_term_is_a_sensitive_term() -> None:
    assert set(REPORTED_AS) <= set(DEFAULT_SENSITIVE_KEYS) and set(REPORTED_AS.values()) <= set(DEFAULT_SENSITIVE_KEYS)


# Keys about a secret, not the secret: when it changed, how strong it is, whether there is one, how one signs in.
# Analytics needs these; what they hold when they hold no secret is kept.
ABOUT_SECRETS = [
    ("password_changed_at", "2024-05-17T10:22:11Z"), ("passwordUpdatedAt", "2024-05-17"),
    ("password_reset_sent_at", 1714000000), ("password_strength", "strong"), ("password_strength", "very_strong"),
    ("password_strength", 3), ("password_length", 12), ("has_password", True), ("has_password", False),
    ("is_password_set", None), ("auth_method", "password"), ("auth_provider", "google"), ("token_type", "bearer"),
    ("token_expires_at", "2024-05-17T10:22:11.123+02:00"), ("two_factor_enabled", True), ("otp_channel", "sms"),
    ("credit_card_type", "visa"), ("pin_attempts", 2), ("ssn_verified", True), ("cookie_consent", "accepted"),
    ("api_key_count", 4), ("password_score", 0.75),
]
# Under the same keys, anything that could be a secret still goes; and keys whose last word is the secret's are
# sensitive whatever they hold.
SECRETS_UNDER_KEYS_ABOUT_THEM = [
    ("password_strength", "hunter2"), ("password_changed_at", "Tr0ub4dor&3"), ("has_password", "s3cr3t-value"),
    ("token_type", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.abc"), ("auth_method", "Basic dXNlcjpwYXNz"),
    ("password_strength", {"value": "sunshine"}), ("has_password", ["sunshine"]), ("token_expires_at", "a" * 41),
]
STILL_SECRETS = [
    ("password", "sunshine"), ("new_password", "sunshine"), ("password_confirmation", "sunshine"),
    ("password_reset", "sunshine"), ("password_reset_token", "abcdef"), ("passwordHint", "my dog"), ("pin", 1234),
    ("pin_code", "4321"), ("auth", True), ("api_key", "live"), ("session_token", "strong"),
]


@pytest.mark.parametrize("key, value", ABOUT_SECRETS)
def test_keys_about_a_secret_keep_what_cannot_be_one(scrubber: Scrubber, key: str, value: Any) -> None:
    payload = {"properties": {key: value, "plan": "pro"}}
    assert scrubber.scrub_value(payload) == (payload, Findings())
    assert scrubber.scrub_value(value, f"properties.{key}") == (value, Findings())


@pytest.mark.parametrize("key, value", SECRETS_UNDER_KEYS_ABOUT_THEM + STILL_SECRETS)
def test_secrets_are_still_removed_under_keys_about_them(scrubber: Scrubber, key: str, value: Any) -> None:
    scrubbed, findings = scrubber.scrub_value({"properties": {key: value, "plan": "pro"}})
    assert scrubbed == {"properties": {"plan": "pro"}}
    assert [(entity, action) for (entity, _rule, action), _ in findings.items()] == [("SENSITIVE_KEY", "remove")]
    assert scrubber.scrub_value(value, f"properties.{key}")[0] is None


# ---- URL secret parameters: their values go whatever they hold; other parameters are scanned -----------------------

@pytest.mark.parametrize("param", DEFAULT_URL_SECRET_PARAMS)
def test_url_secret_parameter(scrubber: Scrubber, param: str) -> None:
    url = f"https://app.example.com/cb?{param}=Zm9vYmFy42&utm_source=mail"
    assert scrubber.scrub_value({"url": url}) == (
        {"url": f"https://app.example.com/cb?{param}=[SECRET]&utm_source=mail"},
        Findings([(("URL_SECRET", "detector", "replace"), 1)]))


# ---- detectors: each entity in a sentence, replaced by its label (IP addresses truncated) --------------------------

DETECTORS: dict[str, tuple[str, str]] = {
    "EMAIL_ADDRESS": ("write to jane.doe@example.com today", "write to [EMAIL] today"),
    "PHONE_NUMBER": ("call +44 20 7946 0958 now", "call [PHONE] now"),
    "CREDIT_CARD": ("paid with 5555 5555 5555 4444", "paid with [CREDIT_CARD]"),
    "IBAN_CODE": ("IBAN FR14 2004 1010 0505 0001 3M02 606 on file", "IBAN [IBAN] on file"),
    "IP_ADDRESS": ("login from 198.51.100.23", "login from 198.51.100.0"),
    "US_SSN": ("ssn 536-90-4418 on file", "ssn [SSN] on file"),
    "NATIONAL_ID": ("DNI 12345678Z del cliente", "DNI [NATIONAL_ID] del cliente"),
    "CRYPTO": ("send to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "send to [CRYPTO_WALLET]"),
    "JWT": ("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl", "token [JWT]"),
    "BEARER_TOKEN": ("Authorization: Bearer 3f9a0c1b2d4e5f60a1b2", "Authorization: Bearer [TOKEN]"),
    "AWS_ACCESS_KEY": ("aws AKIAIOSFODNN7EXAMPLE leaked", "aws [AWS_KEY] leaked"),
    "SECRET_KEY": ("stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc", "stripe [SECRET]"),
    "PRIVATE_KEY": ("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg\n-----END EC PRIVATE KEY-----", "[PRIVATE_KEY]"),
    "URL_CREDENTIALS": ("db at postgres://admin:hunter2@db.example.com/app",
                        "db at postgres://[CREDENTIALS]@db.example.com/app"),
    "PASSWORD": ('temp password: "Sommer2024" until Monday', 'temp password: "[SECRET]" until Monday'),
    "STREET_ADDRESS": ("deliver to Hauptstraße 5, 10115 Berlin", "deliver to [LOCATION], 10115 Berlin"),
    "PERSON_NAME": ("Best regards,\nAnna van der Berg\nAcme", "Best regards,\n[PERSON]\nAcme"),
}

# Each language's street shape, a password said in each language, people named by context; look-alikes kept.
IN_TEXT = [
    ("ship to 221B Baker Street, London", "ship to [LOCATION], London"),
    ("Adresse : 12 rue de la Paix, 75002 Paris", "Adresse : [LOCATION], 75002 Paris"),
    ("Envío a Calle Mayor 5, Madrid", "Envío a [LOCATION], Madrid"),
    ("Consegna in Via Roma 12, Milano", "Consegna in [LOCATION], Milano"),
    ("Bezorgen op Keizersgracht 123, Amsterdam", "Bezorgen op [LOCATION], Amsterdam"),
    ("Das Passwort ist Sommer2024", "Das Passwort ist [SECRET]"),
    ("mot de passe : azerty123", "mot de passe : [SECRET]"),
    ("reset your password now", "reset your password now"),
    ("Dear Jane Doe, thanks", "Dear [PERSON], thanks"),
    ("Hallo Frau Müller, danke", "Hallo [PERSON], danke"),  # the title goes with the name
    ("Mit freundlichen Grüßen\nErika Mustermann", "Mit freundlichen Grüßen\n[PERSON]"),
    ("Cordiali saluti\nMarco Rossi", "Cordiali saluti\n[PERSON]"),
    ("cc: Jane Doe <jane@example.com>", "cc: [PERSON] <[EMAIL]>"),
    ("Thanks!\nThe Team", "Thanks!\nThe Team"),
    ("Hi team, the Pro plan is live", "Hi team, the Pro plan is live"),
    ("Store on 5th Avenue", "Store on 5th Avenue"),
    ("Version 2.3 of the Road Map", "Version 2.3 of the Road Map"),
]


@pytest.mark.parametrize("text, expected", IN_TEXT)
def test_addresses_passwords_and_people_in_text(scrubber: Scrubber, text: str, expected: str) -> None:
    assert scrubber.scrub_value({"info": text})[0] == {"info": expected}


def test_every_pattern_entity_has_a_snapshot() -> None:
    assert tuple(DETECTORS) == PATTERN_ENTITIES


@pytest.mark.parametrize("entity", list(DETECTORS))
def test_detector(scrubber: Scrubber, entity: str) -> None:
    text, expected = DETECTORS[entity]
    action = "truncate_ip" if entity == "IP_ADDRESS" else "replace"
    assert scrubber.scrub_value({"info": text}) == (
        {"info": expected}, Findings([((entity, "detector", action), 1)]))


# ---- what a key says, in six languages: a person's name, a street address, a person in a role, an identifier -------

KEYED: list[tuple[str, Any, Any, str]] = [
    # a name word with a qualifier that is not a thing, or a word that only names people
    ("employee_name", "Jane Doe", "[PERSON]", "field:person"),
    ("inviteeName", "Jan de Vries", "[PERSON]", "field:person"),
    ("Kundenname", "Erika Mustermann", "[PERSON]", "field:person"),
    ("nombre_cliente", "María García", "[PERSON]", "field:person"),
    ("nom_du_contact", "Jean Dupont", "[PERSON]", "field:person"),
    ("cognome", "Rossi", "[PERSON]", "field:person"),
    ("achternaam", "Jansen", "[PERSON]", "field:person"),
    # a street address, its lines and compounds; objects are walked (the country code stays)
    ("home_address", "12 Rue de la Paix\n75002 Paris", "[LOCATION]", "field:address"),
    ("Rechnungsadresse", "Hauptstraße 5, 10115 Berlin", "[LOCATION]", "field:address"),
    ("calle", "Calle Mayor 5", "[LOCATION]", "field:address"),
    ("indirizzo", "Via Roma 12", "[LOCATION]", "field:address"),
    ("straat", "Keizersgracht 123", "[LOCATION]", "field:address"),
    ("mailing_address", {"line1": "1 Main St", "city": "Springfield", "country_code": "US"},
     {"line1": "[LOCATION]", "city": "Springfield", "country_code": "US"}, "field:address"),
    # a person in a role: a name is replaced, anything else goes to the detectors
    ("assignee", "Anna van der Berg", "[PERSON]", "field:role"),
    ("empfaenger", "Doe, Jane", "[PERSON]", "field:role"),
]
NOT_KEYED: list[tuple[str, Any]] = [
    ("file_name", "Quarterly Report.pdf"), ("plan_name", "Business Pro"), ("event_name", "Annual Kickoff"),
    ("feature_name", "Smart Scheduling"), ("name", "Pricing Page"), ("name_de", "Preisseite"),
    ("Dateiname", "Angebot Mai.docx"), ("email_address", "not an e-mail"), ("ip_address", "n/a"),
    ("assignee", "Acme GmbH"), ("customer", "Northwind Traders Ltd"), ("owner", "team-billing"),
    ("app_build", "14.9.4.199"), ("sdk_version", "10.0.0.1"), ("build_number", "2024061812"),
    ("invoice_number", "4155550100"), ("order_ref", "+1 415 555 0100"),
    # organisations and products carry people's names often: under keys that name them, they are not people
    ("company", "Baker McKenzie"), ("brand", "Ralph Lauren"), ("account_name", "Morgan Stanley"),
    ("employer", "Johnson Controls"), ("Firmenname", "Müller Schmidt"), ("bedrijfsnaam", "Van Dijk"),
    ("nombre_empresa", "García Hermanos"), ("product_name", "Jordan Pro"),
    # an id word after a phone word names an id: the build of the mobile app, not a mobile number
    ("mobile_build", "4412398765"), ("sms_template_version", "4155550100"),
    ("Auftragsnummer", "0171-1234567"), ("factuurnummer", "0612345678"),
    # versions and builds under other words and languages, bills and receipts
    ("firmware", "14.9.4.199"), ("firmware_version", "4.12.0.199"), ("patch_level", "10.0.19045.3693"),
    ("changeset", "4412398765"), ("app_versione", "14.9.4.199"), ("app_versie", "14.9.4.199"),
    ("bill_number", "0171 1234567"), ("recibo", "4155550100"), ("ricevuta_n", "0612345678"),
    ("Quittung", "0171-1234567"),
]


@pytest.mark.parametrize("key, value, expected, rule", KEYED)
def test_keys_that_say_what_they_hold(scrubber: Scrubber, key: str, value: Any, expected: Any, rule: str) -> None:
    out, findings = scrubber.scrub_value({"properties": {key: value}})
    assert out == {"properties": {key: expected}}
    entity = "LOCATION" if rule == "field:address" else "PERSON"
    assert findings == Findings([((entity, rule, "replace"), 1)])


@pytest.mark.parametrize("key, value", NOT_KEYED)
def test_keys_that_name_things_and_identifier_numbers_are_kept(scrubber: Scrubber, key: str, value: Any) -> None:
    # Versions are not IP addresses and build or invoice numbers are not phone numbers under keys that say so.
    assert scrubber.scrub_value({"properties": {key: value}}) == ({"properties": {key: value}}, Findings())


def test_json_text_in_a_string_is_scrubbed_as_the_value_it_encodes(scrubber: Scrubber) -> None:
    payload = {"meta": '{"contact_name": "Jane Doe", "passwort": "Sommer2024", "plan": "pro", "n": [1, 2]}',
               "list": '["a", "b"]', "label": "[EMAIL]"}
    out, findings = scrubber.scrub_value(payload)
    assert out == {"meta": '{"contact_name":"[PERSON]","plan":"pro","n":[1,2]}', "list": '["a", "b"]',
                   "label": "[EMAIL]"}  # re-encoded only where something changed
    assert findings == Findings([(("PERSON", "field:person", "replace"), 1),
                                 (("SENSITIVE_KEY", "key:passwort", "remove"), 1)])


def test_a_phone_number_in_a_tel_link_is_found(scrubber: Scrubber) -> None:
    assert scrubber.scrub_value({"href": "tel:+4930123456789"})[0] == {"href": "tel:[PHONE]"}


def test_an_ip_address_as_a_url_host_is_kept(scrubber: Scrubber) -> None:
    # A host names a server: truncating it (issue 18) breaks the recorded URL. An address in a parameter is truncated.
    url = "http://127.0.0.1:8765/b/home.html?client=203.0.113.7"
    assert scrubber.scrub_value({"url": url})[0] == {"url": "http://127.0.0.1:8765/b/home.html?client=203.0.113.0"}


# Numbers that the word before them, or their shape, says are identifiers (identifiers.py): kept in free text.
IDENTIFIERS_IN_TEXT = [
    "Invoice 100045123 is overdue", "Rechnungsnr. 2024 0815 4711 bezahlt", "Order number 4155550123 was refunded",
    "Ticket #4412398765 escalated", "commande n° 0612345678 expédiée", "Build 20240517.2 failed",
    "Upgraded to version 10.0.19045.3693", "build 14.9.4.199 deployed", "Shipped on 2024-03-05T14:22:11Z",
    "Termin am 05.03.2024 14:30", "due 03/05/2024",
    # a label that says "number" names the number, however it is written; plural labels and lists after them;
    # an IP-shaped version with its build after it
    "Invoice No: 0171 1234567", "Rechnungsnr. 0171 1234567", "Facture n° 06 12 34 56 78", "fattura n. 4155550100",
    "builds 4412398765 and 4412398766", "see invoices 4155550100, 4155550101 or 4155550102", "release-14.9.4.199",
    "iOS app 14.9.4.199 (4412398765)", "Invoice 0171 1234567 - Billing",
]
# ...but not a number written as a phone, one without a label, or a date of birth.
NUMBERS_STILL_FOUND = [
    ("Order number +1 415 555 0100", "Order number [PHONE]"), ("customer 98765432 called", "customer [NUMBER] called"),
    ("born 1985-03-12", "born [NUMBER]"), ("geboren am 12.03.1985", "geboren am [NUMBER]"),
    ("ip 192.168.1.20 blocked", "ip 192.168.1.0 blocked"), ("Case 123: call (415) 555-0100", "Case 123: call [PHONE]"),
    # dotted phone numbers are not versions; a phone written as one after a label is still a phone
    ("Ligne directe 06.12.34.56.78", "Ligne directe [PHONE]"), ("tel 0049.30.1234.5678", "tel [PHONE]"),
    ("Fragen zur Bestellung: 0171 1234567", "Fragen zur Bestellung: [PHONE]"),
    ("Invoice No: +49 171 1234567", "Invoice No: [PHONE]"),
    ("order 1234 and call 0171 1234567", "order 1234 and call [PHONE]"),
    ("login from 14.9.4.199 (twice)", "login from 14.9.4.0 (twice)"),
]


@pytest.mark.parametrize("text", IDENTIFIERS_IN_TEXT)
def test_labelled_numbers_dates_and_versions_in_free_text_are_kept(scrubber: Scrubber, text: str) -> None:
    assert scrubber.scrub_value({"properties": {"message": text}}) == ({"properties": {"message": text}}, Findings())


@pytest.mark.parametrize("text, expected", NUMBERS_STILL_FOUND)
def test_phones_digit_runs_and_birth_dates_in_free_text_are_still_found(scrubber: Scrubber, text: str,
                                                                        expected: str) -> None:
    assert scrubber.scrub_value({"properties": {"message": text}})[0] == {"properties": {"message": expected}}


def test_a_key_naming_a_company_still_has_its_pattern_pii_found(scrubber: Scrubber) -> None:
    out = scrubber.scrub_value({"properties": {"company": "Jane Doe <jane.doe@example.com>", "partner": "Jane Doe"}})[0]
    assert out == {"properties": {"company": "Jane Doe <[EMAIL]>", "partner": "[PERSON]"}}


# Tokens after a key or token label, and vendor keys by their documented prefixes (recognizers.py).
SECRETS_IN_TEXT = [
    ("api_key=3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c", "api_key=[SECRET]"),
    ("X-Api-Key: 9d8f7e6a5b4c3d2e1f0a9b8c7d6e5f4a", "X-Api-Key: [SECRET]"),
    ("Authorization: Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b", "Authorization: Token [SECRET]"),
    ("license key: AB12C-DE34F-GH56I-JK78L", "license key: [SECRET]"),
    ("client_secret = 'Zx8Qw3Er5Ty7Ui9Op1As2Df4Gh6Jk8Lz'", "client_secret = '[SECRET]'"),
    ("Mailgun key-3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c leaked", "Mailgun [SECRET] leaked"),
    ("bot 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0", "bot [SECRET]"),
]
NOT_SECRETS = ["press the key 5 times", "sort key: created_at", "token expired at 2024-03-05T14:22:11Z",
               "Tokens used: 123456 of 1000000", "idempotency key 550e8400-e29b-41d4-a716-446655440000",
               "secret santa 2024 signup"]


@pytest.mark.parametrize("text, expected", SECRETS_IN_TEXT)
def test_tokens_after_their_label_and_vendor_keys_in_text_are_found(scrubber: Scrubber, text: str,
                                                                    expected: str) -> None:
    assert scrubber.scrub_value({"properties": {"message": text}})[0] == {"properties": {"message": expected}}


@pytest.mark.parametrize("text", NOT_SECRETS)
def test_words_about_keys_and_tokens_are_kept(scrubber: Scrubber, text: str) -> None:
    assert scrubber.scrub_value({"properties": {"message": text}}) == ({"properties": {"message": text}}, Findings())


@pytest.mark.parametrize("number", ["51664914664728", "2920163447957357", "6048375121812918", "3065 7607 2699"])
def test_luhn_valid_numbers_outside_issuer_ranges_are_ids(scrubber: Scrubber, number: str) -> None:
    # About one random number in ten passes Luhn; a card also has an issuer's prefix and one of its lengths.
    assert scrubber.scrub_value({"properties": {"build_number": number}})[0] == {"properties": {"build_number": number}}


def test_a_french_social_security_number_is_found_by_its_key(scrubber: Scrubber) -> None:
    # NIR 1 85 03 75 123 456, key 97 - (1850375123456 mod 97) = 41; with a wrong key it is just a number.
    out = scrubber.scrub_value({"properties": {"numero_secu_x": "1 85 03 75 123 456 41", "build": "185037512345642"}})
    assert out[0] == {"properties": {"numero_secu_x": "[NATIONAL_ID]", "build": "185037512345642"}}


@pytest.mark.parametrize("path, kept", [("/orders/2023042703", True), ("/invoices/2024-000123", True),
                                        ("/builds/4378_3373449", True), ("/contacts/415-555-0100", False),
                                        ("/people/536-90-4418", False), ("/cards/4111111111111111", False)])
def test_numeric_ids_in_url_paths_are_kept_phone_and_ssn_shapes_are_not(scrubber: Scrubber, path: str,
                                                                        kept: bool) -> None:
    url = "https://app.example.com" + path
    assert (scrubber.scrub_value({"url": url})[0] == {"url": url}) is kept


@pytest.mark.parametrize("key, value", [
    ("message", "Running 1.2.3+20240618.1234 in prod"), ("message", "app 5.2.1 (4412398765)"),
    ("message", "build_number=2024061812345"), ("url", "https://ci.example.com/builds?id=20240618-1234"),
    ("url", "https://shop.example.com/track?order_number=4155550123"),
    ("url", "https://dl.example.com/app?version=14.9.4.199&build=20240517.1234"),
    ("url", "https://dl.example.com/app?v=14.9.4.199"),
])
def test_builds_after_versions_and_ids_in_parameters_are_kept(scrubber: Scrubber, key: str, value: str) -> None:
    assert scrubber.scrub_value({key: value}) == ({key: value}, Findings())


def test_a_phone_number_in_a_url_parameter_not_named_for_an_id_is_found(scrubber: Scrubber) -> None:
    url = "https://shop.example.com/callback?to=4155550123"
    assert scrubber.scrub_value({"url": url})[0] == {"url": "https://shop.example.com/callback?to=[PHONE]"}
    url = "https://shop.example.com/login?client=14.9.4.199"  # an address where no version is named
    assert scrubber.scrub_value({"url": url})[0] == {"url": "https://shop.example.com/login?client=14.9.4.0"}


def test_a_phone_word_after_an_id_word_names_a_phone(scrubber: Scrubber) -> None:
    assert scrubber.scrub_value({"order_phone": "415-555-0100"})[0] == {"order_phone": "[PHONE]"}
    assert scrubber.scrub_value({"telefoonnummer": "06-12345678"})[0] == {"telefoonnummer": "[PHONE]"}
    assert scrubber.scrub_value({"Rufnummer": "030 1234567"})[0] == {"Rufnummer": "[PHONE]"}


def test_a_company_key_vouches_for_its_own_name_not_for_a_person_in_an_object_under_it(scrubber: Scrubber) -> None:
    event = {"company": "Baker McKenzie", "employer": {"name": "Acme", "ceo": "Jane Doe", "contact": "Jane Doe"}}
    scrubbed = scrubber.scrub_json(event)
    assert scrubbed["company"] == "Baker McKenzie"
    assert "Jane Doe" not in str(scrubbed["employer"])

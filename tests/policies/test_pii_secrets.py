"""Passwords and secrets written in free text, fields and URLs (en/de/fr/es/it/nl), through the real Scrubber: the
generated cases of tests/policies/secret_cases.py, each rule with a case, and the look-alikes that must stay."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from policies.pii import PiiConfig, Scrubber
from policies.pii.config import FieldRule
from tests.policies.pii_cases import default_scrubber, leaked, scrubbed
from tests.policies.secret_cases import KNOWN_CHANGED, LOOK_ALIKES, cases

KEY = b"secret-cases-key-0123456789abcdef"


@pytest.fixture(scope="module")
def scrubber() -> Scrubber:
    return default_scrubber(KEY)


@pytest.mark.parametrize("seed", [7, 8])
def test_generated_passwords_rarely_leak_and_look_alikes_stay(scrubber: Scrubber, seed: int) -> None:
    all_cases = cases(seed, 3)
    failed = [c for c in all_cases if leaked(c, str(scrubbed(scrubber, c.key, c.value)))]
    # What leaks is `use X to log in` with a value that is neither strong nor random (`use tulipano9312 to log in`):
    # narrowed after review, since `Use Chrome114 to log in` is no password.
    assert len([c for c in failed if c.kind == "PASSWORD"]) <= 4, failed
    assert {c.value for c in failed if c.kind == "BENIGN"} <= KNOWN_CHANGED


@pytest.mark.parametrize("text,secret", [
    ("Ihr Einmalpasswort lautet Qx7!mK2p", "Qx7!mK2p"),
    ("Routerkennwort: tulpe", "tulpe"),
    ("Geheimwort ist Sonne2024", "Sonne2024"),
    ("El código de acceso es 8k2Lm9Qz", "8k2Lm9Qz"),
    ("OTP: 836896", "836896"),
    ("Votre code de vérification est 4821", "4821"),
    ("Il tuo codice OTP è 552901", "552901"),
    ("Je verificatiecode is 778812", "778812"),
    ("secret: Estrella8565%", "Estrella8565%"),
    ("the secret is 'patience1'", "patience1"),
    ("la clave: S0l31l@", "S0l31l@"),
    ("I set the password to 'Tulipano2977%' for now", "Tulipano2977%"),
    ("password -> 652037", "652037"),
    ("Ho dimenticato la password, era CdJvWeAi1HJN", "CdJvWeAi1HJN"),
    # an arrow, a quoted or unquoted passphrase, all the quotes, short words, login pairs, verbs after the value
    ("new pass -> marmelade", "marmelade"), ("nieuw wachtwoord -> lemon-river-quiet-fox", "lemon-river-quiet-fox"),
    ("mot de passe : « correct horse battery staple »", "correct horse battery staple"),
    ("the password is correct horse battery staple.", "correct horse battery staple"),
    ("Kennwort: purple monkey dishwasher", "purple monkey dishwasher"),
    ("Passwort lautete \u201atortuga\u2018", "tortuga"),
    ("password \u2039Xk9mP2qL\u203a", "Xk9mP2qL"), ("psw: Xk9mP2qL", "Xk9mP2qL"), ("ww is tortuga", "tortuga"),
    ("mi clave es girasole!", "girasole"), ("la mia pw è “sunshine”", "sunshine"),
    ("utente bob password girasole", "girasole"), ("inloggen met bob / zvbnmqrt.", "zvbnmqrt"),
    ("login: bob / sunshine?", "sunshine"), ("Kennwort wurde auf tortuga gesetzt", "tortuga"),
    ("they use tortuga as the password", "tortuga"), ("ho messo come password marmelade", "marmelade"),
    ("le puse de contraseña bananas", "bananas"), ("j'ai essayé tortuga comme mot de passe", "tortuga"),
    ("mot de passe girasole refusé", "girasole"), ("Passwort für den Gastzugang: girasole", "girasole"),
    ("Contraseña temporal: sunshine;", "sunshine"), ("das Passwort ist bananas - danke", "bananas"),
    ("wachtwoord is sunshine - bedankt", "sunshine"), ("pw: *S1H4Wwt7f", "*S1H4Wwt7f"), ("PIN-Code: 4821", "4821"),
    ("temp password 482193.", "482193"), ("clave P@ssw0rd,", "P@ssw0rd"),
    ('"Sunny2019" was my old password', "Sunny2019"), ("le mot de passe était « girasole »", "girasole"),
    ("mot-de-passe: Xk9mP2qL", "Xk9mP2qL"), ("the password's zvbnmqrt?", "zvbnmqrt"),
    ("Passwort lemon-river-quiet-fox funktioniert nicht", "lemon-river-quiet-fox"),
    # what the look-alikes below keep apart: quoted right after the word or a verb, a shaped `pass`, `naar`/`auf`
    ('Change password to "jdoe2024"', "jdoe2024"), ('the password for the staging box is "Staging DB"', "Staging DB"),
    ("mot de passe \u00ab Service Client \u00bb", "Service Client"), ("my pass is Sunflower88", "Sunflower88"),
    ("the pass -> Xk9#mP2q", "Xk9#mP2q"), ('Password "reuse" denied', "reuse"),
    ("wachtwoord is naar tulpen gewijzigd", "tulpen"), ("wachtwoord is op Tulp!2024 gezet", "Tulp!2024"),
    ("user admin password tulipano", "tulipano"), ("tu clave es perro2020", "perro2020"),
    ('user bob pass "purple monkey dishwasher".', "purple monkey dishwasher"),
    ("mdp provisoire \u00ab tortuga \u00bb - merci", "tortuga"), ("pass: 'purple monkey dishwasher'", "monkey"),
    ("Kennwort wurde auf \u00ab blue ocean silver lamp \u00bb gesetzt", "blue ocean"),
    ("new pass -> \u00ab 482193 \u00bb", "482193"), ("the pass is \u00ab blue42sky \u00bb", "blue42sky"),
])
def test_a_password_said_in_text_is_removed(scrubber: Scrubber, text: str, secret: str) -> None:
    assert secret not in str(scrubbed(scrubber, "message", text))


@pytest.mark.parametrize("key", ["door_code", "alarmCode", "recovery_codes", "digicode", "seed_phrase", "geheimnis",
                                 "segreto", "codigo_secreto", "credenziali", "pass1",
                                 "pass_new", "clave_nueva", "pass_confirm", "creds", "sms_code", "mot_passe", "puk",
                                 "memorable_word", "codeword", "wpa_key", "network_key", "psk",
                                 "netzwerkschluessel", "cle_wifi", "chiave_wifi", "cle_de_securite", "temporary_pass",
                                 "one_time_pass", "sicherheitsfrage_antwort", "recovery_key", "safe_code",
                                 "keypad_code", "tresorcode", "haslo", "salasana", "adgangskode", "passord",
                                 "lösenord", "heslo", "jelszó", "şifre", "seed_words", "backup_phrase"])
def test_a_key_that_names_a_secret_removes_its_value(scrubber: Scrubber, key: str) -> None:
    assert "Winter2024!" not in str(scrubbed(scrubber, key, "Winter2024!"))


@pytest.mark.parametrize("key", ["boarding_pass", "season_pass", "palabra_clave", "parola_chiave", "pass_type",
                                 "clave_producto", "tan", "random_seed", "code", "gate_code", "product_key",
                                 "entry_code", "mnemonic", "pass_app", "pass_user"])
def test_keys_that_only_look_like_a_secret_keep_their_value(scrubber: Scrubber, key: str) -> None:
    assert scrubbed(scrubber, key, "blue") == "blue"


@pytest.mark.parametrize("key,value", [("passkey", "enabled"), ("passkey_provider", "iCloud Keychain"),
                                       ("passkey_error", "NotAllowedError"), ("passkey_registration", "success"),
                                       ("recovery_key_shown", True), ("recovery_key_downloaded", "true"),
                                       ("network_key_type", "WPA2"), ("memorable_information_step", "2 of 3")])
def test_keys_about_a_credential_keep_its_state(scrubber: Scrubber, key: str, value: Any) -> None:
    """A passkey is a public-key credential (apps send its states, never a secret); a recovery key's, a wifi key's and
    a memorable word's keys say whether it was shown, its type, a form's step."""
    assert scrubbed(scrubber, key, value) == value


@pytest.mark.parametrize("key,value", [("recovery_key_shown", "Xk9#mP2q-77"), ("network_key_type", "Sommer2024!"),
                                       ("memorable_information_step", "bluebird 42")])
def test_keys_about_a_credential_still_remove_a_secret(scrubber: Scrubber, key: str, value: Any) -> None:
    assert scrubbed(scrubber, key, value) is None


@pytest.mark.parametrize("key,value", [("sms_code", "sent"), ("puk", "locked"), ("door_code", "changed"),
                                       ("safe_code", "changed"),
                                       ("recovery_codes", None)])
def test_a_code_key_keeps_a_state(scrubber: Scrubber, key: str, value: Any) -> None:
    assert scrubbed(scrubber, key, value) == value


@pytest.mark.parametrize("key,value", [("door_code", 4821), ("sms_code", 482193), ("alarmCode", 1234),
                                       ("recovery_codes", [48213377, 99120455]), ("puk", 12345678),
                                       ("safe_code", 4821.0), ("login_code", -4821)])
def test_a_code_key_removes_a_code_sent_as_a_number(scrubber: Scrubber, key: str, value: Any) -> None:
    """JSON numbers are codes too (a form's number input, `Number(code)`): a key about a secret keeps its numbers
    (`password_changed_at: 1714000000`), a key naming a code does not."""
    assert scrubbed(scrubber, key, value) is None
    assert scrubber.scrub_value(value, f"properties.{key}")[0] is None


@pytest.mark.parametrize("key,value", [("sms_code", 0), ("sms_code", 1), ("door_code", 42), ("recovery_codes", 10),
                                       ("sms_code", True), ("sms_code_sent_at", 1714000000),
                                       ("door_code_attempts", 3)])
def test_a_code_key_keeps_a_flag_or_a_count_and_keys_about_a_code_keep_their_numbers(
        scrubber: Scrubber, key: str, value: Any) -> None:
    assert scrubbed(scrubber, key, value) == value


# pw14: a password word or `pass`/`clave` with which one it is or the form's field holding it after it, written apart or
# glued as lower-case keys lose their camelCase.
@pytest.mark.parametrize("key", ["pass_again", "old.pass.repeat", "secret_santa_password",
                                 "User clave wifi confirmation",
                                 "pass-wiederholen", "passwordtext", "kennwortfield", "passwordwifi",
                                 "kennwortherhalen", "passwortnouveau", "plainpasswdraw", "newpasswordconfirm",
                                 "userpasscode", "clavewifi", "doorpinrepeat", "currentcardpin",
                                 "mymotpassebestaetigen", "temploginpasswordconfirmation"])
def test_a_password_key_with_which_one_or_its_field_removes_its_value(scrubber: Scrubber, key: str) -> None:
    assert scrubbed(scrubber, key, "Winter2024!") is None


@pytest.mark.parametrize("key", ["passwords", "old_passwords", "Kennwörter", "mots_de_passe", "contraseñas",
                                 "wachtwoorden", "passcodes", "secrets", "pswd", "lock_code", "safe_combination"])
def test_plural_and_vowel_less_password_keys_remove_their_value(scrubber: Scrubber, key: str) -> None:
    assert "Winter2024!" not in str(scrubbed(scrubber, key, ["Winter2024!"]))


@pytest.mark.parametrize("key,value", [
    ("passwordpolicy", "strict"), ("passwordstrength", "weak"), ("passenger_new", "adult"),
    ("boarding_pass_new", "14C"), ("season_pass_again", "Gold"), ("passageway", "north"), ("compassnew", "NE"),
    ("password_reset_sent", True),
    ("passwordResetSent", True), ("password_reset_failed", True), ("passport_country", "DE"),
    ("passport_issuer", "DEU"), ("passport_nationality", "FR"), ("secret_santa", "Team party Dec 12"),
    ("secretSantaGroup", "Berlin office"), ("secret_sale_banner", "shown"), ("pass_rate", 0.93), ("passed", 3),
    ("bypass", "cache"), ("Passage", "Passage Choiseul"), ("pin_code_length", 6), ("passcode_enabled", True),
    ("passwords_match", True), ("password_visible", False), ("pins", 12), ("lock_code", "changed"),
    # review38: `pass` only before a sign-up form's repeat words, counts under plural keys, a secrets manager
    ("pass_value", "Gold"), ("pass_field", "Gold"), ("pass_text", "Gold"), ("pass_neu", "Gold"),
    ("pass_entered", "Gold"), ("passwords", 3), ("secrets", 0), ("secrets_manager", "AWS")])
def test_keys_that_name_a_password_word_without_a_password_keep_their_value(scrubber: Scrubber, key: str,
                                                                             value: Any) -> None:
    assert scrubbed(scrubber, key, value) == value


@pytest.mark.parametrize("key,value", [("passport_country", "C01X00T47"), ("password_reset_sent", "Winter2024!")])
def test_keys_about_a_secret_named_by_pw14_still_remove_a_secret(scrubber: Scrubber, key: str, value: Any) -> None:
    assert scrubbed(scrubber, key, value) is None


# A form serialised as name/value pairs (autocapture, form libraries, form builders): the value is the named field's.
@pytest.mark.parametrize("field", [
    {"name": "password", "value": "Winter2024!"}, {"name": "new_password", "type": "password", "value": "Winter2024!"},
    {"field": "passwort", "value": "Winter2024!"}, {"label": "Mot de passe", "input": "Winter2024!"},
    {"label": "Confirm Password", "value": "Winter2024!"}, {"name": "Mot de passe", "value": "Winter2024!"},
    {"name": "Confirm Password", "value": "Winter2024!"}, {"name": "Wi-Fi Password", "value": "Winter2024!"},
    {"id": "contraseña", "val": "Winter2024!"}, {"key": "wachtwoord_herhalen", "value": "Winter2024!"},
    {"type": "password", "value": "Winter2024!"}, {"name": "email", "type": "password", "value": "Winter2024!"},
    {"$el_name": "pwd", "$el_value": "Winter2024!"}, {"fieldName": "pin", "fieldValue": "4821"},
    {"name": "door_code", "value": "4821"}, {"name": "pin", "value": 4821}, {"name": "pin", "value": "4821\u00b2"},
    {"name": "password_strength", "value": "Winter2024!"}])
def test_a_form_fields_value_named_a_secret_is_removed(scrubber: Scrubber, field: dict[str, Any]) -> None:
    out = scrubber.scrub_value({"properties": {"form_data": {"fields": [{"name": "plan", "value": "pro"}, field]}}})
    fields = out[0]["properties"]["form_data"]["fields"]
    assert fields[0] == {"name": "plan", "value": "pro"}
    assert "Winter2024!" not in str(fields[1]) and "4821" not in str(fields[1])
    assert {k: v for k, v in fields[1].items() if k not in ("value", "input", "val", "$el_value", "fieldValue")} == {
        k: v for k, v in field.items() if k not in ("value", "input", "val", "$el_value", "fieldValue")}


@pytest.mark.parametrize("field", [
    {"name": "password", "type": "password"}, {"name": "password", "type": "password", "required": True},
    {"name": "password_strength", "value": "weak"}, {"name": "passwordPolicy", "value": "strict"},
    {"field": "pin_length", "value": "6"}, {"key": "password_reset_sent", "value": "true"},
    {"name": "door_code", "value": "sent"}, {"name": "Password Manager Pro", "value": "49.99"},
    {"name": "1Password Family", "value": 59.88}, {"type": "cookie", "value": "accepted"},
    {"name": "auth", "value": "google"}, {"type": "token", "value": 1500}, {"name": "passport", "value": "DE"},
    {"name": "pass_rate", "value": "0.93"}, {"label": "Passage", "value": "B"},
    {"name": "boarding_pass", "value": "14C"},
    {"label": "Password policy", "value": "strict"}, {"name": "secret_santa", "value": "yes"},
    {"name": "Secret Sale", "value": "20%"}, {"name": "password", "value": True},
    # review38: a `type` other than password, empty, masked and checkbox values, digits that are no ASCII number
    {"type": "pin", "value": "4821"}, {"type": "secret", "value": "Winter2024!"}, {"name": "password", "value": ""},
    {"name": "password", "value": "********"}, {"name": "remember_password", "value": "on"},
    {"name": "show_password", "value": "true"},
    {"label": "Your password must be at least 8 characters long and contain a digit", "value": "ok"}])
def test_form_fields_not_holding_a_secret_keep_their_value(scrubber: Scrubber, field: dict[str, Any]) -> None:
    out = scrubber.scrub_value({"properties": {"form_data": {"fields": [dict(field)]}}})
    assert out[0]["properties"]["form_data"]["fields"] == [field]


@pytest.mark.parametrize("value", ["\u00b2", "\u2460", "12\u00b3"])
def test_digits_that_are_no_ascii_number_under_a_pair_about_a_secret_are_no_error(scrubber: Scrubber,
                                                                                   value: str) -> None:
    """`str.isdigit` holds for `²` and `①`, which `int` refuses (review38 W1): such a value is a string, removed."""
    out = scrubber.scrub_value({"properties": {"form": {"name": "pin_length", "value": value}}})[0]
    assert out["properties"]["form"] == {"name": "pin_length"}


def test_a_policys_keep_rule_on_the_value_wins_and_its_extra_keys_name_fields_too(scrubber: Scrubber) -> None:
    config = dataclasses.replace(PiiConfig(), rules=(FieldRule("properties.kept.value", "keep"),),
                                 extra_sensitive_keys=("loyalty pin",))
    own = Scrubber(config, KEY, analyzer=scrubber.analyzer)
    out = own.scrub_value({"properties": {"kept": {"name": "password", "value": "Winter2024!"},
                                          "form": {"name": "loyalty_pin", "value": "4821"}}})[0]["properties"]
    assert out == {"kept": {"name": "password", "value": "Winter2024!"}, "form": {"name": "loyalty_pin"}}


# pw15: a form's fields flattened into one object (form-urlencoded bodies as PHP, Rails and qs parse them): the value
# is the named field's.
@pytest.mark.parametrize("form,left", [
    ({"fields[3][name]": "password", "fields[3][value]": "Winter2024!"}, {"fields[3][name]"}),
    ({"data[0][label]": "Mot de passe", "data[0][value]": "Winter2024!", "data[1][label]": "Plan",
      "data[1][value]": "pro"}, {"data[0][label]", "data[1][label]", "data[1][value]"}),
    ({"f[3][id]": "pin", "f[3][val]": "4821"}, {"f[3][id]"})])
def test_a_flattened_form_fields_value_named_a_secret_is_removed(scrubber: Scrubber, form: dict[str, Any],
                                                                 left: set[str]) -> None:
    out = scrubber.scrub_value({"properties": {"form": form}})[0]["properties"]["form"]
    assert set(out) == left and "Winter2024!" not in str(out) and "4821" not in str(out)


@pytest.mark.parametrize("form", [
    {"fields[3][name]": "password_strength", "fields[3][value]": "weak"},
    {"fields[1][name]": "password", "fields[0][value]": "pro"}, {"fields.1.name": "pin", "fields.1.value": "pro"},
    {"fields[2][name]": "password", "fields[2][value]": "****"}, {"a[value]": "pro"}])
def test_flattened_form_fields_not_holding_a_secret_keep_their_value(scrubber: Scrubber, form: dict[str, Any]) -> None:
    out = scrubber.scrub_value({"properties": {"form": dict(form)}})[0]["properties"]["form"]
    assert {k: v for k, v in out.items() if not k.endswith("name]") and not k.endswith(".name")} == {
        k: v for k, v in form.items() if not k.endswith("name]") and not k.endswith(".name")}


@pytest.mark.parametrize("table", [[["password", "Mot de passe"]], [["password", "varchar(255)"], ["pin", "integer"]],
                                   [["password", "Too short"]], [["password", "Winter2024!"]]])
def test_arrays_of_a_name_and_a_value_are_no_form_and_stay(scrubber: Scrubber, table: list[list[str]]) -> None:
    """Translation tables, schemas and `Object.entries(errors)` are written so too: review39 P4 (a form's entries
    alone cannot be told from them)."""
    assert scrubber.scrub_value({"properties": {"rows": table}})[0]["properties"]["rows"] == table


# pw15: a form field's name and value as autocapture (PostHog `$elements`' attributes), form builders and browsers
# (`autocomplete="new-password"`, an input's type) name them; a field's value as a list.
@pytest.mark.parametrize("field", [
    {"tag_name": "input", "attr__name": "pwd", "attr__type": "password", "attr__value": "Winter2024!"},
    {"attr__type": "password", "attr__value": "Winter2024!"}, {"input_type": "password", "input_value": "Winter2024!"},
    {"field_type": "password", "field_value": "Winter2024!"},
    {"fieldLabel": "Password", "fieldValue": "Winter2024!"}, {"autocomplete": "new-password", "value": "Winter2024!"},
    {"aria-label": "Mot de passe", "value": "Winter2024!"}, {"name": "password", "value": ["x", "Winter2024!"]}])
def test_a_form_fields_value_named_by_autocapture_or_a_form_builder_is_removed(scrubber: Scrubber,
                                                                               field: dict[str, Any]) -> None:
    out = scrubber.scrub_value({"properties": {"$elements": [field]}})[0]["properties"]["$elements"][0]
    assert "Winter2024!" not in str(out) and len(out) == len(field) - 1


@pytest.mark.parametrize("field", [
    {"type": "token", "value": 1500}, {"input_type": "text", "input_value": "hello"},
    {"autocomplete": "email", "value": "news"}, {"title": "Secret Santa", "response": "yes"},
    {"question": "Password strength?", "answer": "weak"}, {"name": "password_policy", "value": ["strict", "lax"]},
    {"name": "plan", "value": ["pro"]}, {"title": "Plan", "value": "pro"}, {"attr__type": "text", "attr__value": "x"},
    # review39 P3: an FAQ's answer, a ticket's reply, a chart's series, a validator's rules
    {"question": "Forgot password?", "answer": "Click the reset link on the sign-in page"},
    {"title": "Password reset", "response": "Email sent to the user"}, {"name": "password", "response": "Invalid"},
    {"field": "password", "values": ["required", "min:8"]}, {"name": "password_resets", "values": [3, 5, 8]}])
def test_form_fields_named_by_autocapture_or_a_form_builder_without_a_secret_stay(scrubber: Scrubber,
                                                                                  field: dict[str, Any]) -> None:
    assert scrubber.scrub_value({"properties": {"f": dict(field)}})[0]["properties"]["f"] == field


# pw15: a login and its password in one value under a key naming a login or an access (a test account, a shared
# login), in en/de/fr/es/it/nl; the value is replaced whole (its user name is often an e-mail address).
@pytest.mark.parametrize("key,value", [
    ("login", "admin / Hunter2!"), ("login_info", "jdoe / Winter2024!"), ("loginInfo", "nadine:Tr0ub4dor&3"),
    ("account", "jdoe@example.com / Pizza2037!"), ("test_account", "root | RpRSXxaHTsYs"),
    ("access", "admin, Quiet988"), ("zugang", "mmueller:Sommer2024!"), ("anmeldedaten", "u: mmueller\np: S0mm3r#2024"),
    ("connexion", "paula|PPZ&zu*d"),
    ("datos_de_acceso", "gino / MCwsTtVKSyAm"), ("accesso_admin", "admin Ch@ng3M3!"), ("toegang", "tmichaud/Perro360"),
    ("wifi", "Cafe_Guest / Espresso2024"), ("sign_in", "jdoe - yaSAYsz*d#p"), ("account", "user=jdoe;pass=xyz"),
    ("login_data", "user=jdoe&password=Winter2024!")])
def test_a_login_and_its_password_in_one_value_are_replaced(scrubber: Scrubber, key: str, value: str) -> None:
    assert scrubbed(scrubber, key, value) == "[SECRET]"


@pytest.mark.parametrize("key,value", [
    ("login", "google"), ("login", "jdoe"), ("login_method", "sso"), ("credentials_type", "oauth"),
    ("access_code_sent", True), ("wifi_ssid", "Cafe_Guest"), ("door_count", 3), ("backup_codes_remaining", 8),
    ("login", "a / b"), ("login", "3 / 4"), ("login", "OK / Cancel"), ("login", "Yes / No"),
    ("access", "Paris / Berlin"),
    ("login", "SSO / SAML2"), ("login", "Google / OAuth2.0"), ("account", "ACME / ACME-2024-001"),
    ("access", "read / write"), ("access", "read:write"), ("account", "Free / Pro"), ("login", "email / password"),
    ("login", "https://example.com/login"), ("wifi", "5GHz / 2.4GHz"), ("wlan", "WPA2 / WPA3"),
    ("login", "Chrome / 120.0.6099"), ("account", "acct:12345678"), ("zugang", "Haupteingang / Tor 2"),
    ("access_details", "Mon-Fri 9:00-17:00"), ("login", "jdoe / admin"), ("account", "Premium:Monthly"),
    ("lozinka_strength", "weak"), ("hasło_length", 12), ("parola", "ciao"), ("building_code", "IBC 2021"),
    # review39 P1, P2: status messages and products after one word
    ("access", "Access denied!"), ("login", "Login failed!"), ("account", "Konto gesperrt!"),
    ("account", "Hello, World!"), ("access", "Zugang: gesperrt!"), ("wifi", "MyNetwork FRITZ!Box"),
    ("wifi", "Wifi FREE!!!"), ("login", "Apple iPhoneSE"),
    ("login", "jdoe MacBookPro"), ("access", "Microsoft SharePointOnline")])
def test_values_under_login_keys_that_are_no_login_and_password_stay(scrubber: Scrubber, key: str, value: Any) -> None:
    assert scrubbed(scrubber, key, value) == value


@pytest.mark.parametrize("key,value", [
    ("gate_code", "4821"), ("entry_code", 482193), ("garage_code", "Zx81!kqa"), ("lockbox_code", "0427"),
    ("code_portail", "A4821"), ("codice_cancello", "4821"), ("codigo_puerta", 4821), ("deurcode", "4821#"),
    ("temporary_code", "482913"), ("hasło", "Winter2024!"), ("Hasło", "Winter2024!"), ("lozinka", "Winter2024!"),
    ("geslo", "Winter2024!"), ("slaptažodis", "Winter2024!"), ("contrasenya", "Winter2024!"),
    ("contrasinal", "Winter2024!"), ("pasahitza", "Winter2024!"), ("router_key", "Winter2024!")])
def test_codes_of_gates_and_entrances_and_passwords_of_more_languages_are_removed(scrubber: Scrubber, key: str,
                                                                                  value: Any) -> None:
    assert scrubbed(scrubber, key, value) is None


# pw15: a key that is a word naming a key or a password in de/nl/it/fr/es: a value shaped like a password replaced,
# words, ids and versions kept (`parola chiave` is a keyword too).
@pytest.mark.parametrize("key,value", [("parola_chiave", "Inverno2024!"), ("parolaChiave", "Zx81kqaP20"),
                                       ("sleutel", "Zx81kqaP20"), ("Schlüssel", "Sommer2024!"), ("clé", "Soleil2024#"),
                                       ("chiave", "Inverno2024!"), ("llave", "yaSAYsz*d#p")])
def test_a_password_under_a_word_naming_a_key_is_replaced(scrubber: Scrubber, key: str, value: str) -> None:
    assert scrubbed(scrubber, key, value) == "[SECRET]"


@pytest.mark.parametrize("key,value", [("parola_chiave", "scarpe rosse"), ("parola_chiave", "offerte estate 2024"),
                                       ("chiave", "id"), ("sleutel", "Voordeur"), ("schluessel", "Haustür 2"),
                                       ("cle", "FR-2024-001"), ("llave", "principal"), ("clef", "A4"),
                                       ("chiave", "v1.2.3"), ("schluessel", "ABC-123"),
                                       # review39 P8: words with sentence punctuation, products, languages
                                       ("cle", "Bienvenue!"), ("sleutel", "Welkom!"), ("schluessel", "Achtung!"),
                                       ("chiave", "Grazie!"), ("llave", "Wow!!!"), ("cle", "C#Sharp"),
                                       ("schluessel", "FRITZ!Box"), ("sleutel", "MacBookPro"),
                                       ("chiave", "PlayStationVR"), ("schluessel", "Q&A-Seite")])
def test_words_ids_and_versions_under_a_word_naming_a_key_stay(scrubber: Scrubber, key: str, value: str) -> None:
    assert scrubbed(scrubber, key, value) == value


@pytest.mark.parametrize("key,text", [
    *[(key, text) for key, text in LOOK_ALIKES if text not in KNOWN_CHANGED],
    ("note", "OTP sent by SMS to the customer"), ("note", "The secret is out"),
    ("note", "Zugang: Haupteingang / Halle B"), ("note", "use the app to log in"),
    ("note", "Votre code de vérification a expiré"), ("note", "Passwort vergessen, bitte zurücksetzen"),
    # rules, states, topics and UI paths after a password's word, with the rules above
    ("note", "password: (hidden)"), ("note", "Password manager: 1Password integration"),
    ("note", "contraseña: mínimo 8 caracteres"), ("note", "password: almeno 8 caratteri"),
    ("note", "wachtwoord: minimaal 8 tekens"), ("note", "Password requirements: Uppercase1 letter"),
    ("note", "the password is one-time-use"), ("note", "Settings -> Password -> Change"),
    ("note", "Kennwort wurde auf Wunsch geändert"), ("note", "Benutzer anna Passwort vergessen"),
    ("note", "user admin password policy"), ("note", "Password: expired last week"),
    ("query", 'palabra clave "zapatos"'), ("query", "palabra clave Xk9mP2qL"),
    ("note", "Season pass: valid until next year"), ("note", "mot de passe : envoyé par sms"),
    ("note", "login: email / password"), ("note", "Password: reset link sent to the customer"),
    ("note", "Password -> Forgot password"), ("el_text", "User settings password strength meter"),
    ("note", "Passwort: mindestens 8 Zeichen"), ("note", 'Password "must contain a digit"'),
    ("note", "Password field: optional"), ("note", "Password for admin accounts: required"),
    ("note", "Login: SSO / Google"), ("note", "Passwort: aktiviert"), ("note", "the boarding pass is ready for pickup"),
    ("note", "password is being reset by support"), ("note", "new password -> settings page"),
    ("note", "Password: stored in vault"), ("note", "PW: siehe oben"), ("note", "mdp : voir plus haut"),
    ("note", "mot de passe : voir coffre fort"), ("note", "ww: week 42"),
    # whose password it is, quoted a few words after its word (audit-log lines, PostgreSQL's own message)
    ("note", 'password authentication failed for user "postgres"'), ("note", 'Reset the password of user "alice"'),
    ("note", 'Change password for "jdoe"'), ("note", 'Password changed by admin "root"'),
    ("note", 'The password for "Staging DB" was rotated'), ("note", 'password expired for account "marketing-team"'),
    ("note", 'Wachtwoord van account "inkoop-team" gewijzigd'),
    ("note", "mot de passe du compte \u00ab Service Client \u00bb modifi\u00e9"),
    ("note", "Passwort f\u00fcr Konto \u201eBuchhaltung\u201c ge\u00e4ndert"),
    # a ticket's `pass`, a Spanish key's adjective
    ("note", "the pass was stolen"), ("note", "your pass is platinum"), ("note", "your pass \u2192 Premium"),
    ("note", 'the pass "Annual" renews'), ("note", 'the pass "Gold Member" expires'),
    ("note", "my pass 'Ticket to ride'"), ("note", 'new pass "Season Ticket" activated'),
    ("note", "tu clave es \u00fanica e intransferible"), ("note", "mi clave es importante"),
    ("note", "su clave es intransferible"),
    # a log line refusing a topic; Dutch and German adverbials before the participle
    ("note", "Password reuse denied"), ("note", "Password rotation refused"), ("note", "Password guessing refused"),
    ("note", "wachtwoord is op verzoek gewijzigd"), ("note", "wachtwoord is naar wens aangepast"),
    ("note", "het wachtwoord werd in overleg gewijzigd"), ("note", "Wachtwoord is op maandag gewijzigd"),
    ("note", "Passwort-Regel wurde auf streng gesetzt"), ("note", "Passwort wurde in 2024 ge\u00e4ndert"),
    # states quoted after `pw`, a log's two fields, advice
    ("note", "pw 'reset'"), ("note", "user admin password mismatch"), ("note", "login failed password mismatch"),
    ("note", "Don't use birthday as the password"), ("note", "we recommend using passphrases as the password"),
])
def test_password_words_without_a_secret_stay(scrubber: Scrubber, key: str, text: str) -> None:
    assert scrubbed(scrubber, key, text) == text

"""A form's field sent as a name and a value: `{"name": "password", "value": "…"}`, `{"label": "Mot de passe",
"input": "…"}`, `{"type": "password", "value": "…"}`, as autocapture, form libraries and form builders serialise a
form (a list of such objects). The value belongs under the key its name names, so a password's value is removed as it
would be under `password`; a name about a secret keeps its state (`{"name": "password_strength", "value": "weak"}`).
"""

from __future__ import annotations

from policies.pii.keys import key_words
from policies.pii.redactions import is_masked

# The value's key and the keys naming the field, as HTML (`name`, `id`, `type`, `for`), form builders (`field`,
# `label`, `key`) and autocapture (`$el_name`) write them; the first found is the pair's.
VALUE_KEYS = ("value", "Value", "input", "val", "input_value", "inputValue", "field_value", "fieldValue", "$el_value",
              "answer_value",
              # autocapture's element attributes (PostHog `$elements`); not `answer`, `response`, `values` (an FAQ's
              # answer, a ticket's reply, a chart's series)
              "attr__value")
NAME_KEYS = ("name", "Name", "field", "label", "Label", "key", "id", "type", "input_name", "inputName", "field_name",
             "fieldName", "input_id", "inputId", "field_id", "fieldId", "$el_name", "for", "placeholder",
             "aria_label", "ariaLabel",
             "attr__name", "attr__id", "attr__type", "attr__placeholder", "attr__aria-label", "aria-label",
             "input_type", "inputType", "field_type", "fieldType", "element_type", "elementType", "element_name",
             "elementName", "fieldLabel", "field_label", "autocomplete")
# Keys that name a field by its kind, whose names hold no secret but the one a browser knows for a password field
# (`type="password"`, `autocomplete="new-password"`): `{"type": "token", "value": 1500}` is a count.
TYPE_KEYS = frozenset({"type", "attr__type", "input_type", "inputType", "field_type", "fieldType", "element_type",
                       "elementType", "autocomplete"})
PASSWORD_TYPES = frozenset({"password", "new-password", "current-password"})
# A form's fields flattened into one object, as form-urlencoded bodies are parsed (PHP, Rails, qs: `fields[3][name]`,
# `fields[3][value]`): the value's key ends so, and the name's key is the same prefix with a name key. Not objects
# flattened with dots (`fields.3.value`): every dict's keys are tested, and one test per key is what it may cost.
FLAT_VALUE_ENDS = ("[value]", "[Value]", "[input]", "[val]")


def flat_value(key: str) -> tuple[str, str]:
    """A flattened value's key and its prefix with the bracket that opens a name's key (`fields[3][`)."""
    return key, key[:key.rindex("[") + 1]


def flat_name(prefix: str, name_key: str) -> str:
    """The key of a flattened field's name: `fields[3][` and `name` are `fields[3][name]`."""
    return prefix + name_key + "]"


# Keys that name a field by its label, which has blanks (`Mot de passe`, `Confirm Password`); the others name it by an
# identifier (`new_password`, `user[password]`) or in sentence case (`Mot de passe`), and one with blanks and a capital
# after its first letter there is a product's or a message's name (`{"name": "Password Manager Pro", "value": "9"}`).
LABEL_KEYS = frozenset({"label", "Label", "placeholder", "aria_label", "ariaLabel", "attr__placeholder",
                        "attr__aria-label", "aria-label", "fieldLabel", "field_label"})
# A field's label is short (`Confirm password`, `Mot de passe (confirmation)`); a longer text is a sentence.
_MAX_NAME_CHARS = 48
_MAX_NAME_WORDS = 5
# Terms whose fields hold a state or a choice as often as a secret (`{"type": "cookie", "value": "accepted"}`,
# `{"name": "auth", "value": "google"}`, `{"type": "token", "value": 1500}`, `{"name": "passport", "value": "DE"}`);
# a token's or a card's value is still found by its shape.
UNPAIRED_TERMS = frozenset({"cookie", "set cookie", "auth", "authorization", "token", "jeton", "passport", "jwt",
                            "bearer", "credit card", "card number", "id card", "identity card", "ausweis"})


# A form builder sends the question's title as the name (`Confirm Password`, `Wi-Fi Password`): a name in Title Case
# that ends with a password's word is a field's.
_FIELD_LAST = frozenset({"password", "passwort", "kennwort", "wachtwoord", "contrasena", "passe", "pin", "passcode",
                         "passphrase", "pwd", "clave"})


def field_name(name: str, labelled: bool) -> bool:
    """True if `name` may name a form's field (short, a few words; no blank unless a label, in sentence case or
    ending with a password's word), not a sentence or a product's name."""
    words = key_words(name)
    return (len(name) <= _MAX_NAME_CHARS and 0 < len(words) <= _MAX_NAME_WORDS
            and (labelled or " " not in name or name[1:].islower() or words[-1] in _FIELD_LAST))


# A checkbox's or a toggle's state, as forms send it, whatever the field's name.
_STATES = frozenset({"", "on", "off", "true", "false", "yes", "no", "0", "1", "checked", "unchecked"})


def not_a_secret(value: str | int) -> bool:
    """True if a form field's value is no secret whatever its name: empty, masked (`****`), a checkbox's state."""
    return type(value) is str and (value.lower() in _STATES or is_masked(value))

"""Where PII sits in a recording's elements: how each attribute and each form field's value is scrubbed.

An attribute is a URL (href, src, ...: scanned by its parts, in the standard class), text people read (title, alt,
placeholder, aria-*, data-*: the strict class), an input's value (by the input's type and name), or structure (class,
id, style, type: kept). What a user typed is masked whole when the field is a password, a card or one-time code field
(by type or autocomplete) or is named like a secret; e-mail and tel inputs become their label.
"""

from __future__ import annotations

from policies.pii.keys import SensitiveKeys

URL, TEXT, INPUT_VALUE, STRUCTURE = range(4)
MASK_INPUT, LABEL_INPUT, TEXT_INPUT = range(3)

FIELD_TAGS = frozenset({"input", "textarea", "select"})
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "cite", "poster", "data", "background"})
TEXT_ATTRIBUTES = frozenset({"value", "placeholder", "title", "alt", "aria-label", "aria-description",
                             "aria-valuetext", "label", "content", "summary"})
_SENSITIVE_AUTOCOMPLETE = ("cc-", "password", "one-time-code")
TYPED_INPUTS = {"email": "EMAIL_ADDRESS", "tel": "PHONE_NUMBER"}


def attribute_kind(tag: str, name: str, value: str) -> int:
    """URL, TEXT, INPUT_VALUE or STRUCTURE for attribute `name` of a `tag` element holding `value`."""
    lowered = name.lower()
    if lowered == "value" and tag.lower() in FIELD_TAGS:
        return INPUT_VALUE
    if lowered in URL_ATTRIBUTES or (lowered.startswith("data-") and "://" in value):
        return URL
    if lowered in TEXT_ATTRIBUTES or lowered.startswith(("aria-", "data-")):
        return TEXT
    return STRUCTURE


def input_kind(input_type: str, name: str, autocomplete: str, sensitive: SensitiveKeys) -> tuple[int, str]:
    """(MASK_INPUT | LABEL_INPUT | TEXT_INPUT, the entity of a labelled input) for what was typed into a field."""
    if (input_type == "password" or autocomplete.startswith(_SENSITIVE_AUTOCOMPLETE)
            or (name and sensitive.match(name) is not None)):
        return MASK_INPUT, "SENSITIVE_KEY"
    entity = TYPED_INPUTS.get(input_type)
    if entity is not None:
        return LABEL_INPUT, entity
    return TEXT_INPUT, ""

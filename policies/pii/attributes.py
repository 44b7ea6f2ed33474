"""Where PII sits in a recording's elements: how each attribute and each form field's value is scrubbed.

One policy for the scrubber and for replay/privacy.py: every attribute is scanned but structure. An attribute is a URL
(href, src, action, poster, ...: scanned by its parts, in the standard class), an input's value (by the input's type and
name), structure (class, id, style, type, role, sizes and states: kept), or text (everything else: title, alt,
placeholder, aria-*, data-*, and attributes no list names, in the strict class). What a user typed is masked whole
when the field is a password, a card or one-time code field (by type or autocomplete) or is named like a secret; e-mail
and tel inputs become their label.
"""

from __future__ import annotations

from policies.pii.keys import SensitiveKeys

URL, TEXT, INPUT_VALUE, STRUCTURE = range(4)
MASK_INPUT, LABEL_INPUT, TEXT_INPUT = range(3)

FIELD_TAGS = frozenset({"input", "textarea", "select"})
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "cite", "poster", "data", "background"})
# Attributes that say how a page is built, never what a person wrote or is: kept without a scan.
STRUCTURE_ATTRIBUTES = frozenset({
    "class", "id", "style", "type", "role", "tabindex", "width", "height", "rel", "target", "lang", "dir", "hidden",
    "disabled", "checked", "selected", "readonly", "required", "multiple", "autocomplete", "autofocus", "for", "name",
    "method", "enctype", "charset", "http-equiv", "media", "sizes", "crossorigin", "integrity", "loading", "decoding",
    "async", "defer", "colspan", "rowspan", "scope", "min", "max", "step", "maxlength", "minlength", "pattern", "size",
    "cols", "rows", "wrap", "draggable", "spellcheck", "translate", "contenteditable", "inputmode", "viewbox", "fill",
    "stroke", "d", "xmlns", "version", "rr_width", "rr_height", "rr_scrolltop", "rr_scrollleft", "rr_mediastate",
})
_SENSITIVE_AUTOCOMPLETE = ("cc-", "password", "one-time-code")
TYPED_INPUTS = {"email": "EMAIL_ADDRESS", "tel": "PHONE_NUMBER"}


def attribute_kind(tag: str, name: str, value: str) -> int:
    """URL, TEXT, INPUT_VALUE or STRUCTURE for attribute `name` of a `tag` element holding `value`."""
    lowered = name.lower()
    if lowered == "value" and tag.lower() in FIELD_TAGS:
        return INPUT_VALUE
    if lowered in URL_ATTRIBUTES or "://" in value:
        return URL
    if lowered in STRUCTURE_ATTRIBUTES or lowered.startswith("_"):  # rrweb's own (_cssText) is the page's CSS
        return STRUCTURE
    return TEXT


def input_kind(input_type: str, name: str, autocomplete: str, sensitive: SensitiveKeys) -> tuple[int, str]:
    """(MASK_INPUT | LABEL_INPUT | TEXT_INPUT, the entity of a labelled input) for what was typed into a field."""
    if (input_type == "password" or autocomplete.startswith(_SENSITIVE_AUTOCOMPLETE)
            or (name and sensitive.match(name) is not None)):
        return MASK_INPUT, "SENSITIVE_KEY"
    entity = TYPED_INPUTS.get(input_type)
    if entity is not None:
        return LABEL_INPUT, entity
    return TEXT_INPUT, ""

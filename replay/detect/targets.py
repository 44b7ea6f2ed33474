"""What a click landed on, in generic web terms: which control, whether it is a form field, the page itself, a link that
opens elsewhere, or a submit control (and of which form).

All of it comes from one walk from the clicked node up to its document, using only HTML semantics (tags, input types,
roles, `target`/`download`, `contenteditable`, form ownership), never anything site-specific.

The clicked node is often a child of the control (the <b> inside a link, the icon inside a button), so the click is
attributed to the nearest actionable ancestor, as Sentry's click detector does. With none, it is attributed to the node
itself, unless that node is anonymous (no id, class, role, test id or label: a bare <img> or <span>, whose selector
would name every image or span of the site); then to its nearest named ancestor, at most NAMING_CLIMB levels up.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from replay.elements import TEST_ID_ATTRIBUTES, Element
from replay.mirror import Mirror

# Input types that are buttons; every other <input> is a field (text, checkbox, date, file, colour...).
BUTTON_INPUT_TYPES: Final = frozenset({"button", "submit", "reset", "image"})
# Fields where a click's effect is focus, a caret or a native picker: no DOM change is expected, so never "dead".
FIELD_TAGS: Final = frozenset({"select", "option", "optgroup", "textarea", "label", "datalist"})
ACTIONABLE_TAGS: Final = frozenset({"a", "area", "button", "input", "select", "textarea", "label", "summary", "option"})
ACTIONABLE_ROLES: Final = frozenset(
    {
        "button", "link", "checkbox", "radio", "switch", "tab", "menuitem", "menuitemcheckbox", "menuitemradio",
        "option", "treeitem", "combobox", "slider", "spinbutton", "textbox", "searchbox",
    }
)  # fmt: skip
# ARIA widgets that are text fields or selects in all but tag.
EDITABLE_ROLES: Final = frozenset({"textbox", "searchbox", "combobox", "listbox"})
PAGE_TAGS: Final = frozenset({"html", "body"})
NAMING_ATTRIBUTES: Final = ("id", "class", "role", "aria-label", *TEST_ID_ATTRIBUTES)
NAMING_CLIMB: Final = 3
# Links with these schemes hand over to another application (mail, phone), which the page cannot show.
ELSEWHERE_SCHEMES: Final = ("mailto:", "tel:", "sms:", "callto:")


class ClickTarget:
    """What a click hit, classified. (Not a dataclass: see replay.detect.rage.Click.)"""

    __slots__ = ("document_id", "element", "element_id", "is_field", "is_link", "is_page", "known", "node_id",
                 "opens_elsewhere", "submits_form")

    def __init__(self, node_id: int | None) -> None:
        self.node_id = node_id  # the node rrweb recorded as the click target
        self.element_id: int | None = None  # the control the click is attributed to (None when the node is unknown)
        self.document_id: int | None = None  # the page's Document, or an iframe's: coordinates only compare within one
        self.element: Element | None = None
        self.known = False  # the node is in the mirror
        self.is_field = False  # text field, select, label, contenteditable...: excluded from dead clicks
        self.is_page = False  # <html>, <body> or the document itself
        self.opens_elsewhere = False  # target≠_self, download, mailto:...: its effect is outside this page
        self.is_link = False  # a link with an href (its click navigates by itself)
        self.submits_form: int | None = None  # the form this click submits, for a submit control


def _is_field(tag: str, attrs: Mapping[str, Any], input_type: str) -> bool:
    if tag in FIELD_TAGS:
        return True
    if tag == "input":
        return input_type not in BUTTON_INPUT_TYPES
    editable = attrs.get("contenteditable")
    if editable is not None and str(editable).lower() != "false":
        return True
    role = attrs.get("role")
    return isinstance(role, str) and role.lower() in EDITABLE_ROLES


def _is_actionable(tag: str, attrs: Mapping[str, Any]) -> bool:
    if tag in ACTIONABLE_TAGS:
        return True
    role = attrs.get("role")
    return (isinstance(role, str) and role.lower() in ACTIONABLE_ROLES) or "onclick" in attrs


def _opens_elsewhere(attrs: Mapping[str, Any]) -> bool:
    if "download" in attrs:
        return True
    target = attrs.get("target")
    if isinstance(target, str) and target.strip() and target.strip().lower() != "_self":
        return True
    href = attrs.get("href")
    return isinstance(href, str) and href.strip().lower().startswith(ELSEWHERE_SCHEMES)


def _is_named(attrs: Mapping[str, Any]) -> bool:
    for name in NAMING_ATTRIBUTES:
        value = attrs.get(name)
        if isinstance(value, str) and value.strip():
            return True
    return False


def _attributed(chain: list[tuple[int, str, Mapping[str, Any]]]) -> int:
    """The element a click on chain[0] is reported on when no actionable ancestor claims it."""
    for element_id, tag, attrs in chain[: NAMING_CLIMB + 1]:
        if tag in PAGE_TAGS:
            break
        if _is_named(attrs):
            return element_id
    return chain[0][0]


def is_submit_control(tag: str, input_type: str) -> bool:
    if tag == "button":
        # HTML: a <button> with no type, or an invalid one, is a submit button.
        return input_type not in ("button", "reset", "menu")
    return tag == "input" and input_type in ("submit", "image")


def classify_click(mirror: Mirror, node_id: object) -> ClickTarget:
    raw_id = node_id if type(node_id) is int else None
    target = ClickTarget(raw_id)
    if raw_id is None or raw_id not in mirror:
        return target
    target.known = True
    chain, target.document_id = mirror.lineage(raw_id)
    if not chain:  # the document itself, or a text node straight under it
        target.is_page = True
        return target
    target.is_page = chain[0][1] in PAGE_TAGS and chain[0][0] == raw_id
    actionable = None
    seen_button = False
    for element_id, tag, attrs in chain:
        input_type = attrs.get("type")
        input_type = input_type.strip().lower() if isinstance(input_type, str) else ""
        if _is_field(tag, attrs, input_type):
            target.is_field = True
        if tag in ("a", "area") and "href" in attrs:
            target.is_link = True
            if _opens_elsewhere(attrs):
                target.opens_elsewhere = True
        if not seen_button and tag in ("button", "input"):
            # Only the innermost button decides: a <button type=button> nested in a submit button does not submit.
            seen_button = True
            if is_submit_control(tag, input_type):
                target.submits_form = mirror.form_of(element_id)
        if actionable is None and _is_actionable(tag, attrs):
            actionable = element_id
    target.element_id = actionable if actionable is not None else _attributed(chain)
    target.element = mirror.element(target.element_id)
    return target

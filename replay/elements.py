"""An element as reports name it: its identifying features, a stable selector, and a short human description.

The selector follows Sentry's selector index: `tag#id.class[role="..."][data-testid="..."]`, so the same control gets
the same selector in every session and reports can group by it. Classes that build tools generate per deploy
(`css-1x2y3z`, `sc-bdVaJa`, `Button_primary__3xYz1`) are left out, or the selector would change with every release.

Components often have no id, and two of them can share tag and classes (`button.btn` "Print report" and "Share
report"). An element without an id or a test id is told apart by the first of these it has, in this order:
- its `name` (form controls: what the form posts it as);
- its `aria-label`;
- its visible text (or alt, title, placeholder), as Playwright writes it: `button.btn:has-text("Print report")`;
- its position: the n-th element of its tag inside the nearest ancestor with an id or test id,
  `section#billing button.icon:nth-of-type(2)` (the mirror knows the tree; see Mirror.element).

Test ids are any of the usual `data-*` attributes (TEST_ID_ATTRIBUTES). Input values are never part of an element:
replay data is personal data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Final

from policies.element_selector import Compound

SHORT_TEXT_CHARS: Final = 60
# The attributes test frameworks select by (Testing Library, Cypress, Playwright, QA conventions), first found wins.
TEST_ID_ATTRIBUTES: Final = ("data-testid", "data-test-id", "data-test", "data-cy", "data-qa", "data-e2e")
# Containers of fields: their text is their fields' labels and options, which is no name (and a form's text is where
# what people typed would show, were it ever recorded as text).
_NOT_NAMED_BY_TEXT: Final = frozenset({"form", "fieldset"})
# Elements whose `name` says what they are (a form posts their values under it).
NAMED_TAGS: Final = frozenset({"input", "select", "textarea", "form", "button", "fieldset", "output", "iframe"})

_GENERATED_CLASS: Final = re.compile(
    r"^(?:css|sc|jsx|emotion|styled|svelte|astro)-[A-Za-z0-9_-]*\d[A-Za-z0-9_-]*$"  # CSS-in-JS hashes
    # CSS modules' Component_local__hash; the hash has a digit or a capital, which tells it from BEM's block_mod__elem.
    r"|^[A-Za-z0-9]+_[A-Za-z0-9-]+__(?=[A-Za-z0-9_-]*[0-9A-Z])[A-Za-z0-9_-]{5}$"
    r"|^sc-(?=[a-z]*[A-Z])[A-Za-z]{5,}$"  # styled-components ids (mixed case, unlike a hand-written sc-header)
)
_PLAIN_IDENT: Final = re.compile(r"^-?[A-Za-z_][A-Za-z0-9_-]*$")
_FIELDS: Final = ("tag", "id", "classes", "role", "type", "name", "aria_label", "text", "testid", "testid_attribute",
                  "anchor", "nth")


class Element:
    """What identifies one DOM element to a person reading a report.

    A value: never changed after it is made (`placed` makes a new one), equal to and hashed like another with the
    same fields, as the frozen dataclass it was. A plain class because it is compiled (build_compiled.py): its
    constructor is then native code, where a dataclass's generated `__init__` runs interpreted for every element named.
    """

    __slots__ = ("anchor", "aria_label", "classes", "id", "name", "nth", "role", "tag", "testid", "testid_attribute",
                 "text", "type")

    def __init__(  # the parameters are the fields reports use, `id` and `type` included
        self, tag: str, id: str = "", classes: tuple[str, ...] = (), role: str = "",  # noqa: A002
        type: str = "", name: str = "", aria_label: str = "", text: str = "", testid: str = "",  # noqa: A002
        testid_attribute: str = "data-testid", anchor: str = "", nth: int = 0,
    ) -> None:
        self.tag = tag
        self.id = id
        self.classes = classes
        self.role = role
        self.type = type
        self.name = name
        self.aria_label = aria_label
        self.text = text  # short visible text; alt/title/placeholder for elements without text (img, input)
        self.testid = testid
        self.testid_attribute = testid_attribute  # which TEST_ID_ATTRIBUTES held `testid`
        self.anchor = anchor  # selector of the nearest ancestor with an id or test id, when `nth` is needed
        self.nth = nth  # 1-based position among the elements of its tag under `anchor`; 0 when something else names it

    def placed(self, anchor: str, nth: int) -> Element:
        """This element named by its position: `nth` of its tag under `anchor`."""
        return Element(self.tag, self.id, self.classes, self.role, self.type, self.name, self.aria_label, self.text,
                       self.testid, self.testid_attribute, anchor, nth)

    def _fields(self) -> tuple[str, str, tuple[str, ...], str, str, str, str, str, str, str, str, int]:
        return (self.tag, self.id, self.classes, self.role, self.type, self.name, self.aria_label, self.text,
                self.testid, self.testid_attribute, self.anchor, self.nth)

    def __eq__(self, other: object) -> bool:
        return other.__class__ is Element and isinstance(other, Element) and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return f"Element({', '.join(f'{name}={value!r}' for name, value in zip(_FIELDS, self._fields(), strict=True))})"

    @property
    def distinguisher(self) -> str:
        """What tells this element apart when it has no id or test id: "name", "aria-label", "text", "nth" or ""."""
        if self.id or self.testid:
            return ""
        if self.name and self.tag in NAMED_TAGS:
            return "name"
        if self.aria_label:
            return "aria-label"
        if self.text and self.tag not in _NOT_NAMED_BY_TEXT:
            return "text"
        return "nth" if self.nth else ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "tag": self.tag,
            "id": self.id,
            "classes": list(self.classes),
            "role": self.role,
            "type": self.type,
            "name": self.name,
            "aria_label": self.aria_label,
            "text": self.text,
            "testid": self.testid,
            "testid_attribute": self.testid_attribute,
            "anchor": self.anchor,
            "nth": self.nth,
        }


def short_text(text: str, limit: int = SHORT_TEXT_CHARS) -> str:
    """Whitespace collapsed, cut at `limit` characters with an ellipsis."""
    if not text:  # most elements have no aria-label, and many no text
        return ""
    # str.split() splits on what `\s+` matches (str.isspace) and drops the ends: a fifth of a regex sub's time.
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _attr(attrs: Mapping[str, Any], name: str) -> str:
    value = attrs.get(name)
    return value.strip() if isinstance(value, str) else ""


@lru_cache(maxsize=4096)
def stable_classes(class_attr: str) -> tuple[str, ...]:
    """The classes of a `class` attribute that survive a rebuild of the site (generated hashes dropped)."""
    return tuple(c for c in class_attr.split() if not _GENERATED_CLASS.match(c))


def test_id(attrs: Mapping[str, Any]) -> tuple[str, str]:
    """(attribute, value) of the element's test id, or ("", "")."""
    for name in TEST_ID_ATTRIBUTES:
        if name in attrs:  # most elements have none of them: a membership test each, not a lookup and a strip
            value = _attr(attrs, name)
            if value:
                return name, value
    return "", ""


def element_from(tag: str, attrs: Mapping[str, Any], text: str = "", classes: str | None = None) -> Element:
    """Build an Element from a tag and its attributes. `classes` overrides the `class` attribute (the mirror passes the
    classes the node was first seen with, so a toggled `is-open` does not make a second selector for the same control).
    """
    class_attr = classes if classes is not None else _attr(attrs, "class")
    if not text:
        text = _attr(attrs, "alt") or _attr(attrs, "title") or _attr(attrs, "placeholder")
    testid_attribute, testid = test_id(attrs)
    return Element(
        tag=tag.lower(),
        id=_attr(attrs, "id"),
        classes=stable_classes(class_attr),
        role=_attr(attrs, "role"),
        type=_attr(attrs, "type").lower(),
        name=_attr(attrs, "name"),
        aria_label=short_text(_attr(attrs, "aria-label")),
        text=short_text(text),
        testid=testid,
        testid_attribute=testid_attribute or "data-testid",
    )


def _escape_ident(ident: str) -> str:
    """CSS.escape (CSSOM spec), so that ids like `2fa` or `a:b` still give a selector a browser accepts."""
    if _PLAIN_IDENT.match(ident):
        return ident
    out = []
    for i, char in enumerate(ident):
        code = ord(char)
        if code == 0:
            out.append("\ufffd")
        elif (
            1 <= code <= 0x1F
            or code == 0x7F
            or (char.isdigit() and char.isascii() and (i == 0 or (i == 1 and ident[0] == "-")))
        ):
            out.append(f"\\{code:x} ")
        elif i == 0 and char == "-" and len(ident) == 1:
            out.append("\\-")
        elif code >= 0x80 or char in "-_" or (char.isascii() and char.isalnum()):
            out.append(char)
        else:
            out.append("\\" + char)
    return "".join(out)


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def anchor_selector(tag: str, attrs: Mapping[str, Any]) -> str:
    """How an ancestor with an id or a test id is named as an anchor: `section#billing`, `div[data-cy="panel"]`."""
    html_id = _attr(attrs, "id")
    if html_id:
        return f"{tag}#{_escape_ident(html_id)}"
    name, value = test_id(attrs)
    return f"{tag}[{name}={_quote(value)}]" if name else ""


def css_selector(element: Element) -> str:
    """`tag#id.class1.class2[role="..."][data-testid="..."]`, then what tells an element without an id or test id
    apart: `[name="..."]`, `[aria-label="..."]`, `:has-text("...")`, or its anchor and `:nth-of-type(n)`."""
    parts = [element.tag or "*"]
    if element.id:
        parts.append("#" + _escape_ident(element.id))
    parts.extend("." + _escape_ident(c) for c in element.classes)
    if element.role:
        parts.append(f"[role={_quote(element.role)}]")
    if element.testid:
        parts.append(f"[{element.testid_attribute}={_quote(element.testid)}]")
    distinguisher = element.distinguisher
    if distinguisher == "name":
        parts.append(f"[name={_quote(element.name)}]")
    elif distinguisher == "aria-label":
        parts.append(f"[aria-label={_quote(element.aria_label)}]")
    elif distinguisher == "text":
        parts.append(f":has-text({_quote(element.text)})")
    elif distinguisher == "nth":
        parts.append(f":nth-of-type({element.nth})")
        if element.anchor:
            parts.insert(0, element.anchor + " ")
    return "".join(parts)


def describe(element: Element) -> str:
    """A short phrase a support agent can read: `button "Apply"`, `input[type=email] "email"`, `div#chat`."""
    head = element.tag or "element"
    if element.type and element.tag in ("input", "button"):
        head += f"[type={element.type}]"
    if element.id:
        head += "#" + element.id
    label = element.aria_label or element.text or element.name or element.testid
    return f'{head} "{label}"' if label else head


def identity_compound(element: Element) -> Compound:
    """The element as a selector it would match: what a policy's `element = "..."` is compared with. Everything the
    element's selector may state is here (its text and position too, even when an id names it)."""
    attrs = {(name, value) for name, value in (
        ("role", element.role), (element.testid_attribute, element.testid), ("name", element.name),
        ("aria-label", element.aria_label), ("type", element.type),
    ) if value}
    pseudos = set()
    if element.text:
        pseudos.add(("has-text", element.text))
    if element.nth:
        pseudos.add(("nth-of-type", str(element.nth)))
    return Compound(element.tag, element.id, frozenset(element.classes), frozenset(attrs), frozenset(pseudos))


def dom_compound(tag: str, attrs: Mapping[str, Any]) -> Compound:
    """A DOM element as a selector it would match, with all its classes and attributes (as recorded)."""
    return Compound(
        tag.lower(),
        _attr(attrs, "id"),
        frozenset(_attr(attrs, "class").split()),
        frozenset((name.lower(), value) for name, value in attrs.items() if isinstance(value, str)),
    )

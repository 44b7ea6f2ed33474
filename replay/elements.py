"""An element as reports name it: its identifying features, a stable CSS selector, and a short human description.

The selector follows Sentry's selector index: `tag#id.class[role="..."][data-testid="..."]` built from the element
alone, so the same control gets the same selector in every session and reports can group by it. Classes that build
tools generate per deploy (`css-1x2y3z`, `sc-bdVaJa`, `Button_primary__3xYz1`) are left out, or the selector would
change with every release. Input values are never part of an element: replay data is personal data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

SHORT_TEXT_CHARS = 60

_GENERATED_CLASS = re.compile(
    r"^(?:css|sc|jsx|emotion|styled|svelte|astro)-[A-Za-z0-9_-]*\d[A-Za-z0-9_-]*$"  # CSS-in-JS hashes
    # CSS modules' Component_local__hash; the hash has a digit or a capital, which tells it from BEM's block_mod__elem.
    r"|^[A-Za-z0-9]+_[A-Za-z0-9-]+__(?=[A-Za-z0-9_-]*[0-9A-Z])[A-Za-z0-9_-]{5}$"
    r"|^sc-(?=[a-z]*[A-Z])[A-Za-z]{5,}$"  # styled-components ids (mixed case, unlike a hand-written sc-header)
)
_PLAIN_IDENT = re.compile(r"^-?[A-Za-z_][A-Za-z0-9_-]*$")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Element:
    """What identifies one DOM element to a person reading a report."""

    tag: str
    id: str = ""
    classes: tuple[str, ...] = ()
    role: str = ""
    type: str = ""
    name: str = ""
    aria_label: str = ""
    text: str = ""  # short visible text; alt/title/placeholder for elements without text (img, input)
    testid: str = ""

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
        }


def short_text(text: str, limit: int = SHORT_TEXT_CHARS) -> str:
    """Whitespace collapsed, cut at `limit` characters with an ellipsis."""
    text = _SPACE.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _attr(attrs: Mapping[str, Any], name: str) -> str:
    value = attrs.get(name)
    return value.strip() if isinstance(value, str) else ""


@lru_cache(maxsize=4096)
def stable_classes(class_attr: str) -> tuple[str, ...]:
    """The classes of a `class` attribute that survive a rebuild of the site (generated hashes dropped)."""
    return tuple(c for c in class_attr.split() if not _GENERATED_CLASS.match(c))


def element_from(tag: str, attrs: Mapping[str, Any], text: str = "", classes: str | None = None) -> Element:
    """Build an Element from a tag and its attributes. `classes` overrides the `class` attribute (the mirror passes the
    classes the node was first seen with, so a toggled `is-open` does not make a second selector for the same control).
    """
    class_attr = classes if classes is not None else _attr(attrs, "class")
    if not text:
        text = _attr(attrs, "alt") or _attr(attrs, "title") or _attr(attrs, "placeholder")
    return Element(
        tag=tag.lower(),
        id=_attr(attrs, "id"),
        classes=stable_classes(class_attr),
        role=_attr(attrs, "role"),
        type=_attr(attrs, "type").lower(),
        name=_attr(attrs, "name"),
        aria_label=short_text(_attr(attrs, "aria-label")),
        text=short_text(text),
        testid=_attr(attrs, "data-testid"),
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


def css_selector(element: Element) -> str:
    """`tag#id.class1.class2[role="..."][data-testid="..."]` for the element alone (no ancestors)."""
    parts = [element.tag or "*"]
    if element.id:
        parts.append("#" + _escape_ident(element.id))
    parts.extend("." + _escape_ident(c) for c in element.classes)
    if element.role:
        parts.append(f"[role={_quote(element.role)}]")
    if element.testid:
        parts.append(f"[data-testid={_quote(element.testid)}]")
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

"""Autosave forms (DESIGN.md): a form with no submit control whose every change the page confirms (a "Saved ✓" under
the field, a toast) saves as the user goes, so it is never abandoned; the report shows such forms apart.

A change is the input into one field, ended by its last Input event. The page confirms it when, within
`autosave_confirm_ms` of that input, a DOM change happens outside the field that shows something while the form is
still there: nodes added, text changed, or an attribute changed on an element that is not a form control. A control's
own state (a Next button enabled, a field marked invalid) is not a confirmation: it follows typing in forms that save
nothing; nor is what removes the form (a route rendering), nor anything after a route change.
Where a site's pages change a lot by themselves (tickers, animations), `autosave_confirmation_texts` and
`autosave_confirmation_selectors` narrow it down: then only a change that shows one of those texts, or an element
matching one of those selectors, confirms.

A form is autosave once at least one change was confirmed and none went unconfirmed; a change the user left before its
window was over (typed, then navigated at once) is not held against it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from policies.detect import DetectConfig
from replay import rrweb
from replay.detect.targets import is_submit_control
from replay.elements import dom_compound
from replay.mirror import Mirror

# Elements whose attribute changes are their own state as a control, not something the page shows.
_CONTROL_TAGS: Final = frozenset({"input", "select", "textarea", "button", "option", "optgroup"})
# A form with more elements than this is not searched for a submit control to its end (it is taken to have one).
_FORM_ELEMENTS_SEARCHED: Final = 5000
_ADDED_NODES_SEARCHED: Final = 2000


@dataclass(slots=True)
class Changes:
    """The changes made to one form and what the page said about them."""

    field: int | None = None  # the field of the change waiting for a confirmation
    last_input_at: int | None = None  # its last input; None when no change is waiting
    confirmed: int = 0
    unconfirmed: int = 0


def has_submit_control(mirror: Mirror, form_id: int) -> bool:
    for _, tag, attrs in mirror.elements_under(form_id, _FORM_ELEMENTS_SEARCHED):
        input_type = attrs.get("type")
        if is_submit_control(tag, input_type.strip().lower() if isinstance(input_type, str) else ""):
            return True
    return False


class AutosaveRule:
    def __init__(self, config: DetectConfig) -> None:
        self.window = config.autosave_confirm_ms
        self.texts = config.autosave_confirmation_texts
        self.selectors = config.autosave_confirmation_selectors

    def on_input(self, changes: Changes, field: int, timestamp: int) -> None:
        if changes.last_input_at is not None and changes.field != field:
            self.expire(changes, timestamp)  # typing moved to another field: the earlier change had its chance
        changes.field, changes.last_input_at = field, timestamp

    def expire(self, changes: Changes, now: int) -> None:
        """The waiting change went unconfirmed if its whole window passed before `now`."""
        if changes.last_input_at is not None and now - changes.last_input_at > self.window:
            changes.unconfirmed += 1
            changes.field = changes.last_input_at = None

    def on_mutation(self, changes: Changes, mirror: Mirror, timestamp: int, data: Mapping[str, Any]) -> None:
        """Called after the mirror applied the mutation."""
        if changes.last_input_at is None:
            return
        self.expire(changes, timestamp)
        if changes.field is not None and self.confirms(mirror, changes.field, data):
            changes.confirmed += 1
            changes.field = changes.last_input_at = None

    def on_leave(self, changes: Changes, left_at: int) -> None:
        self.expire(changes, left_at)

    @staticmethod
    def is_autosave(changes: Changes, submit_control: bool) -> bool:
        return not submit_control and changes.confirmed > 0 and changes.unconfirmed == 0

    # -- what a confirmation is ------------------------------------------------------------------------------------

    def confirms(self, mirror: Mirror, field: int, data: Mapping[str, Any]) -> bool:
        narrowed = bool(self.texts or self.selectors)
        for node, text in _shown(mirror, field, data, with_text=bool(self.texts)):
            if not narrowed or self._is_confirmation(node, text):
                return True
        return False

    def _is_confirmation(self, node: dict[str, Any], text: str) -> bool:
        lowered = text.lower()
        if any(t in lowered for t in self.texts):
            return True
        if self.selectors:
            for serialized in _elements_of(node):
                tag, attrs = serialized.get("tagName"), serialized.get("attributes")
                if isinstance(tag, str) and isinstance(attrs, dict):
                    compound = dom_compound(tag, attrs)
                    if any(selector.within(compound) for selector in self.selectors):
                        return True
        return False


def _outside(mirror: Mirror, field: int, node_id: Any) -> bool:
    return mirror.contains(field, node_id) is not True


def _as_serialized(mirror: Mirror, node_id: Any) -> dict[str, Any] | None:
    """A mirrored element in the shape of a serialized one, for selector matching."""
    node = mirror.get(node_id)
    return {"tagName": node.tag, "attributes": dict(node.attrs)} if node is not None and node.tag else None


def _shown(mirror: Mirror, field: int, data: Mapping[str, Any], *, with_text: bool
           ) -> Iterator[tuple[dict[str, Any], str]]:
    """What a mutation shows outside `field`: for each part that counts, the element it shows (serialized) and its
    text (only when `with_text`: naming text costs a walk)."""
    for entry in _entries(data, "adds"):
        node = entry.get("node")
        if isinstance(node, dict) and _outside(mirror, field, entry.get("parentId")):
            yield node, _text_in(node) if with_text else ""
    for entry in _entries(data, "texts"):
        text_id = entry.get("id")
        if _outside(mirror, field, text_id):
            text_node = mirror.get(text_id)
            value = entry.get("value")
            parent = _as_serialized(mirror, text_node.parent if text_node else None)
            yield parent or {}, value if isinstance(value, str) else ""
    for entry in _entries(data, "attributes"):
        node_id = entry.get("id")
        node = mirror.get(node_id)
        if node is not None and node.tag not in _CONTROL_TAGS and _outside(mirror, field, node_id):
            yield _as_serialized(mirror, node_id) or {}, mirror.text_of(node_id) if with_text else ""


def _entries(data: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    entries = data.get(key)
    return [entry for entry in entries if type(entry) is dict] if type(entries) is list else []


def _elements_of(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """A serialized node and the elements inside it (bounded)."""
    stack, seen = [node], 0
    while stack and seen < _ADDED_NODES_SEARCHED:
        current = stack.pop()
        seen += 1
        if current.get("type", rrweb.ELEMENT_NODE) == rrweb.ELEMENT_NODE:
            yield current
        children = current.get("childNodes")
        if type(children) is list:
            stack.extend(c for c in reversed(children) if type(c) is dict)


def _text_in(node: dict[str, Any]) -> str:
    """The text inside an added serialized node (bounded)."""
    pieces: list[str] = []
    stack, seen = [node], 0
    while stack and seen < _ADDED_NODES_SEARCHED:
        current = stack.pop()
        seen += 1
        if current.get("type") == rrweb.TEXT_NODE and isinstance(current.get("textContent"), str):
            pieces.append(current["textContent"])
        children = current.get("childNodes")
        if type(children) is list:
            stack.extend(c for c in reversed(children) if type(c) is dict)
    return " ".join(pieces)

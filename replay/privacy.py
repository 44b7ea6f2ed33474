"""Scrubbing rrweb events before they are stored.

- Input values are masked (`*` for each character, as rrweb's own maskAllInputs does) unless the field matches one of
  the policy's `unmasked_inputs` selectors; the same goes for the `value` attribute of inputs, textareas and selects
  in snapshots and mutations, and for a textarea's text. Checkbox and radio states (`isChecked`) are not values.
- Text nodes and every attribute but structure (the one attribute policy of policies/pii/attributes.py, which the
  scrubber's `scrub_attribute` applies too: data-*, aria-*, title, alt, placeholder, URLs in href, src, action and
  poster, ...) go through the PII scrubber's text functions; so do console-plugin payloads (and older rrweb's console
  records, IncrementalSnapshot source 11). Network-plugin records lose their headers and bodies.
- Custom events (rrweb type 5: posthog-js's `$pageview`, an app's own `addCustomEvent`) are JSON values: they are
  scrubbed as events are, key rules included, when the scrubber's `scrub_value` is given.
- Text that repeats what was typed into a masked field in the same request ("3 results for “jane doe”") is masked
  where it repeats it.
- What rrweb already masked (all `*`) is left as it is.

The scrubbing functions are passed in (the PII engine provides them), so this module only knows where rrweb puts text.
Events are changed in place: ingest owns the events it has just parsed, and copying every node of a full snapshot would
cost more than the scrubbing itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from policies.pii.attributes import STRUCTURE, attribute_kind
from replay import rrweb

TextScrubber = Callable[[str], str]
TextsScrubber = Callable[[list[str]], list[str]]  # many texts at once, each as TextScrubber leaves it
AttributeScrubber = Callable[[str, str, str], str]  # (tag, attribute name, value) -> value
ValueScrubber = Callable[[Any], Any]  # a JSON value -> its scrubbed copy
_MIN_ECHO = 3  # typed values shorter than this are not looked for in the page's text: they would match anything
# The characters beyond ASCII that re.IGNORECASE matches with an ASCII letter (Python's case fixes: capital I with
# dot, dotless i, long s, Kelvin sign); tests/replay/test_replay_privacy.py checks this against every code point.
ASCII_FOLDS = "\u0130\u0131\u017f\u212a"

FIELD_TAGS = frozenset({"input", "textarea", "select"})
_CODE_TAGS = frozenset({"script", "style"})
BUTTON_TYPES = frozenset({"submit", "button", "reset", "image"})
NETWORK_EXCHANGE_KEYS = ("requestHeaders", "responseHeaders", "requestBody", "responseBody")
_PART = re.compile(r"^[a-zA-Z][a-zA-Z0-9-]*|#([\w-]+)|\.([\w-]+)|\[([\w-]+)(?:=([^\]]*))?\]")


def mask(value: str) -> str:
    return "*" * len(value)


def is_masked(value: str) -> bool:
    return bool(value) and value.strip("*") == ""


@dataclass(frozen=True)
class Selector:
    """A simple selector, `tag#id.class[attr=value]`, matched against one element's tag and attributes."""

    tag: str | None
    conditions: tuple[tuple[str, str | None], ...]  # (attribute, required value or None for presence)
    classes: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> Selector:
        tag, conditions, classes = None, [], []
        for match in _PART.finditer(text):
            part = match.group(0)
            if match.group(1):
                conditions.append(("id", match.group(1)))
            elif match.group(2):
                classes.append(match.group(2))
            elif match.group(3):
                value = match.group(4)
                conditions.append((match.group(3), value.strip("\"'") if value is not None else None))
            else:
                tag = part.lower()
        return cls(tag, tuple(conditions), tuple(classes))

    def matches(self, tag: str, attributes: dict[str, Any]) -> bool:
        if self.tag is not None and self.tag != tag:
            return False
        for name, value in self.conditions:
            actual = attributes.get(name)
            if actual is None or (value is not None and str(actual) != value):
                return False
        if self.classes:
            present = str(attributes.get("class", "")).split()
            if not all(c in present for c in self.classes):
                return False
        return True


def _scanned(tag: str, name: str, value: Any) -> bool:
    """True for an attribute whose value the scrubber reads: a non-empty string that is not structure or masked."""
    return isinstance(value, str) and bool(value) and not is_masked(value) and \
        attribute_kind(tag, name, value) != STRUCTURE


class RrwebPrivacy:
    def __init__(self, unmasked_inputs: Iterable[str], scrub_text: TextScrubber, scrub_attribute: AttributeScrubber,
                 scrub_value: ValueScrubber | None = None, scrub_texts: TextsScrubber | None = None):
        """With `scrub_texts`, a batch's text nodes and the texts its mutations set (most of what a recording's
        scrubbing costs) are scrubbed together at the end of `scrub`, in one call, rather than one call each."""
        self.selectors = [Selector.parse(s) for s in unmasked_inputs]
        self.scrub_text = scrub_text
        self.scrub_attribute = scrub_attribute
        self.scrub_value = scrub_value
        self.scrub_texts = scrub_texts
        self._echo: Echo | None = None  # what was typed into masked fields, while a batch is walked
        self._deferred: list[tuple[dict[str, Any], str, str]] = []  # while a batch is walked: see Deferred

    def _text(self, value: Any) -> Any:
        # Whitespace between tags is most of a snapshot's text nodes; the scrubber leaves masked text as it is.
        if not isinstance(value, str) or not value or value.isspace():
            return value
        return self.scrub_text(self._echoed(value))

    def _echoed(self, text: str) -> str:
        return self._echo.sub(text) if self._echo is not None else text

    def _unmasked(self, tag: str, attributes: dict[str, Any]) -> bool:
        return any(s.matches(tag, attributes) for s in self.selectors)

    def scrub(self, events: list[dict[str, Any]], unmasked_ids: set[int]) -> list[dict[str, Any]]:
        """Scrub one window's events in place and return them. `unmasked_ids` are the ids of fields whose input may be
        kept; it is updated with the fields this batch's snapshots and mutations add (the caller keeps it across
        batches of the window)."""
        deferred = self.walk(events, unmasked_ids)
        if deferred.texts:
            deferred.fill(self.scrubbed_texts(deferred.texts))
        return events

    def scrubbed_texts(self, texts: list[str]) -> list[str]:
        """Free texts `walk` left (of one or several batches), scrubbed in one call where the scrubber takes a batch."""
        return self.scrub_texts(texts) if self.scrub_texts is not None else [self.scrub_text(text) for text in texts]

    def walk(self, events: list[dict[str, Any]], unmasked_ids: set[int]) -> Deferred:
        """`scrub` but for its free texts (text nodes, mutation texts): the caller scrubs them all in one call (`scrub`;
        replay.preparing, in this process or a scrub worker's) and puts them in place with `Deferred.fill`. Everything
        else of the events is scrubbed in place now."""
        self._echo = _typed(events, unmasked_ids)
        self._deferred = []
        try:
            for event in events:
                self._event(event, unmasked_ids)
            return Deferred(self._deferred)
        finally:
            self._echo = None
            self._deferred = []

    def _event(self, event: dict[str, Any], unmasked_ids: set[int]) -> None:
        kind, data = event.get("type"), event.get("data")
        if not isinstance(data, dict):
            return
        if kind == rrweb.INCREMENTAL_SNAPSHOT:
            source = data.get("source")
            if source == rrweb.INPUT:
                text = data.get("text")
                if isinstance(text, str) and not _kept(data.get("id"), unmasked_ids) and not is_masked(text):
                    data["text"] = mask(text)
            elif source == rrweb.MUTATION:
                self._mutation(data, unmasked_ids)
            elif source == rrweb.LOG and "payload" in data:  # older rrweb's console records: the plugin's fields
                data["payload"] = self._strings(data["payload"])
                if "trace" in data:
                    data["trace"] = self._strings(data["trace"])
        elif kind == rrweb.FULL_SNAPSHOT and isinstance(data.get("node"), dict):
            self._node(data["node"], unmasked_ids, None, False)
        elif kind == rrweb.META and isinstance(data.get("href"), str):
            data["href"] = self.scrub_attribute("a", "href", data["href"])
        elif kind == rrweb.CUSTOM and self.scrub_value is not None:
            event["data"] = self.scrub_value(data)  # {tag, payload}: keys have their rules, as in events
        elif kind in (rrweb.PLUGIN, rrweb.CUSTOM) and "payload" in data:
            if data.get("plugin") == rrweb.NETWORK_PLUGIN:
                _drop_exchanges(data["payload"])
            data["payload"] = self._strings(data["payload"])

    def _mutation(self, data: dict[str, Any], unmasked_ids: set[int]) -> None:
        for add in data.get("adds") or ():
            if isinstance(add, dict) and isinstance(add.get("node"), dict):
                self._node(add["node"], unmasked_ids, None, False)
        for text in data.get("texts") or ():
            value = text.get("value") if isinstance(text, dict) else None
            # As _text, but into the batch: whitespace and non-strings stay as they are.
            if isinstance(value, str) and value and not value.isspace():
                self._scrub_into(text, "value", self._echoed(value))
        for change in data.get("attributes") or ():
            if not isinstance(change, dict) or not isinstance(change.get("attributes"), dict):
                continue
            attributes = change["attributes"]
            for name, value in attributes.items():
                if not _scanned("", name, value):
                    continue
                if name == "value" and not _kept(change.get("id"), unmasked_ids):
                    # A value set by script on a node this batch may not show: mask rather than guess what it is.
                    attributes[name] = mask(value)
                else:
                    attributes[name] = self.scrub_attribute("", name, value)

    def _node(self, node: dict[str, Any], unmasked_ids: set[int], parent_tag: str | None,
              parent_unmasked: bool) -> None:
        """One serialized node and its subtree. (orjson refuses JSON nested past 1024 levels, so this recursion is
        bounded well under Python's limit.)"""
        node_type = node.get("type")
        if node_type == rrweb.TEXT_NODE:
            self._text_node(node, parent_tag, parent_unmasked)
            return
        tag, unmasked = parent_tag, parent_unmasked
        if node_type == rrweb.ELEMENT_NODE:
            tag, unmasked = self._element(node, unmasked_ids)
        children = node.get("childNodes")
        if isinstance(children, list):
            for child in children:
                if isinstance(child, dict):
                    self._node(child, unmasked_ids, tag, unmasked)

    def _text_node(self, node: dict[str, Any], parent_tag: str | None, parent_unmasked: bool) -> None:
        text = node.get("textContent")
        if not isinstance(text, str) or not text or text.isspace():
            return
        if parent_tag in _CODE_TAGS or node.get("isStyle"):
            return
        if parent_tag == "textarea" and not parent_unmasked:
            node["textContent"] = text if is_masked(text) else mask(text)
        else:  # a page often shows what was typed in a new text node ("3 results for “jane doe”")
            self._scrub_into(node, "textContent", self._echoed(text))

    def _scrub_into(self, holder: dict[str, Any], key: str, text: str) -> None:
        """`holder[key]` becomes `text` scrubbed, with the batch's other texts (Deferred.fill)."""
        self._deferred.append((holder, key, text))

    def _element(self, node: dict[str, Any], unmasked_ids: set[int]) -> tuple[str, bool]:
        """Scrub an element's attributes; returns its tag and whether it is a field whose input is kept."""
        tag = str(node.get("tagName", "")).lower()
        attributes = node.get("attributes")
        if not isinstance(attributes, dict) or not attributes:
            return tag, False
        # A submit or reset button's value is its label, written by the page, not by the user.
        label = tag == "input" and str(attributes.get("type", "")).lower() in BUTTON_TYPES
        unmasked = tag in FIELD_TAGS and (label or self._unmasked(tag, attributes))
        if unmasked and isinstance(node.get("id"), int):
            unmasked_ids.add(node["id"])
        for name, value in attributes.items():
            if not _scanned(tag, name, value):  # structure (class, style, id) is most attributes
                continue
            if name == "value" and tag in FIELD_TAGS and not unmasked:
                attributes[name] = mask(value)
            else:
                attributes[name] = self.scrub_attribute(tag, name, value)
        return tag, unmasked

    def _strings(self, value: Any, depth: int = 0) -> Any:
        if isinstance(value, str):
            return self._text(value)
        if depth > 20:
            return value
        if isinstance(value, list):
            return [self._strings(v, depth + 1) for v in value]
        if isinstance(value, dict):
            return {k: self._strings(v, depth + 1) for k, v in value.items()}
        return value


class Deferred:
    """A walked batch's free texts, in order, and where each goes once scrubbed. The texts are echo-masked already
    (they are what the scrubber is given); the holders are the events' own dicts, so `fill` scrubs them in place."""

    def __init__(self, places: list[tuple[dict[str, Any], str, str]]) -> None:
        self._places = places
        self.texts = [text for _, _, text in places]

    def fill(self, scrubbed: list[str]) -> None:
        for (holder, key, _), text in zip(self._places, scrubbed, strict=True):
            holder[key] = text


def _drop_exchanges(payload: Any) -> None:
    """A network record keeps what the timeline shows (URL, method, status, timing), never what was exchanged:
    headers carry cookies and tokens, bodies whatever the user sent or was sent, in shapes no scrubber knows."""
    requests = payload.get("requests") if isinstance(payload, dict) else None
    for request in requests if isinstance(requests, list) else ():
        if isinstance(request, dict):
            for key in NETWORK_EXCHANGE_KEYS:
                request.pop(key, None)


class Echo:
    """Masks, in text, what was typed into masked fields (any case; a later, longer value such as "jane doe" wins
    over its prefix "jan" typed before it).

    Compiling the pattern of a request's typed values was a tenth of a recording's work on the event loop, for text
    that seldom repeats them: it is compiled only for a text that may hold one. For values all ASCII, a text holds one
    only if its lower case does, unless it has one of ASCII_FOLDS (which re.IGNORECASE also matches with ASCII
    letters): such a text, or values beyond ASCII, always go through the pattern."""

    def __init__(self, values: Iterable[str]) -> None:
        self._values = sorted(values, key=len, reverse=True)  # longest first: alternation takes the first that fits
        self._lowered = [v.lower() for v in self._values] if all(v.isascii() for v in self._values) else None
        self._pattern: re.Pattern[str] | None = None

    def sub(self, text: str) -> str:
        if self._lowered is not None and not any(c in text for c in ASCII_FOLDS):
            lowered = text.lower()
            if not any(v in lowered for v in self._lowered):
                return text
        if self._pattern is None:
            self._pattern = re.compile("|".join(re.escape(v) for v in self._values), re.IGNORECASE)
        return self._pattern.sub(lambda m: mask(m.group()), text)


def _kept(node_id: Any, unmasked_ids: set[int]) -> bool:
    """Whether the node is a field whose input is kept. An id that is no integer never names one (a list or an object
    would not even be looked up: unhashable, a 500 where the event is only malformed)."""
    return isinstance(node_id, int) and node_id in unmasked_ids


def _typed(events: list[dict[str, Any]], unmasked_ids: set[int]) -> Echo | None:
    """The values typed into masked fields in `events`, or None if there are none."""
    values = set()
    for event in events:
        data = event.get("data")
        if event.get("type") == rrweb.INCREMENTAL_SNAPSHOT and isinstance(data, dict) and \
                data.get("source") == rrweb.INPUT and not _kept(data.get("id"), unmasked_ids):
            text = data.get("text")
            if isinstance(text, str) and len(text.strip()) >= _MIN_ECHO and not is_masked(text):
                values.add(text.strip())
    return Echo(values) if values else None

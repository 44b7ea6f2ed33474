"""Strings through the detectors: split around URLs, detected in batches, rewritten, and remembered.

A string is scanned in a detector class (`STANDARD` or `STRICT`, the policy's `[pii.detectors]` and
`[pii.free_text]`). It is first cut to the scan limit, made encodable, and split into leaves (urls.py): the text around
URLs and the decoded parts of URLs, so that percent-encoding hides nothing. Each distinct leaf of a batch is detected
once, and rewritten by the policy's redactions; the result is kept in two caches, one by whole string and one by leaf,
since URLs that differ elsewhere share their leaves (the same e-mail in the query of many pages). A leaf whose detection
timed out or used up its time budget makes its whole string "[UNSCANNED]": the scanner fails closed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from policies.pii.cache import ScanCache
from policies.pii.config import DetectorClass, PiiConfig
from policies.pii.detect import Detector, rewrite
from policies.pii.findings import FindingKey, Findings
from policies.pii.limits import BAD_UNICODE, OVERSIZE, TRUNCATED, UNSCANNED, encodable
from policies.pii.redactions import Redactor, is_masked
from policies.pii.transforms import is_label, label_for
from policies.pii.urls import Leaf, Nested, Part, Replaced, relative_url, split_text

# Detector classes, indexes of the scanner's caches: the policy's standard and free-text classes, the standard class
# without phone and IP detectors for identifier numbers (a version `14.9.4.199`, a build or invoice number), and the
# standard class without name detectors for the names of things (a company, a product).
STANDARD, STRICT, NUMBERS, THINGS = 0, 1, 2, 3
_CLASS_RULE = ("detector", "free_text", "detector", "detector")  # each class's rule name in findings
# An identifier number is not a phone, an IP address or a national id: one random 11-digit number in ten or so passes
# the German tax id's checks, and build and invoice numbers of 11 digits are common.
_NOT_NUMBERS = frozenset({"PHONE_NUMBER", "IP_ADDRESS", "NATIONAL_ID"})
_NOT_THINGS = frozenset({"PERSON_NAME", "PERSON"})
_ROUNDS = 3  # scans of a rewritten string, until nothing more is found

# A scanned string: its scrubbed text and what was found. A scanned leaf: its rewritten text and the entity types.
Scanned = tuple[str, tuple[FindingKey, ...]]
LeafScan = tuple[str, tuple[str, ...]]
_Plan = tuple[int, list[Part], list[FindingKey], bool]  # (class, parts, findings so far, truncated?)


class Scanner:
    def __init__(self, config: PiiConfig, detector: Detector, redactor: Redactor,
                 is_secret_param: Callable[[str], bool]) -> None:
        self._config = config
        self._detector = detector
        self._redactor = redactor
        self._is_secret_param = is_secret_param
        numbers = replace(config.standard, entities=tuple(e for e in config.standard.entities if e not in _NOT_NUMBERS))
        things = replace(config.standard, entities=tuple(e for e in config.standard.entities if e not in _NOT_THINGS))
        self._classes = (config.standard, config.strict, numbers, things)
        self.caches = tuple(ScanCache[Scanned](config.cache_entries) for _ in self._classes)
        # The string caches' young generations, for the walker's hot loop: the same dicts for the scanner's life.
        self.young = tuple(cache.young for cache in self.caches)
        self.cache_max_chars = config.cache_max_chars  # longer strings are not remembered
        self._leaf_caches = tuple(ScanCache[LeafScan](config.cache_entries) for _ in self._classes)


    def scan(self, value: str, cls: int) -> Scanned:
        """`value` scrubbed in class `cls`, from the cache when it was seen before."""
        cached = self.caches[cls].get(value)
        return cached if cached is not None else self.scan_and_remember(value, cls)

    def scan_and_remember(self, value: str, cls: int) -> Scanned:
        result = self.scan_many([(cls, value)])[0]
        self.remember(cls, value, result)
        return result

    def remember(self, cls: int, value: str, result: Scanned) -> None:
        if len(value) <= self.cache_max_chars:
            self.caches[cls].put(value, result)

    def scrub(self, value: str, cls: int, findings: Findings | None) -> str:
        """A single string (rrweb text, an attribute): its scrubbed text, with what was found added to `findings`."""
        if not isinstance(value, str) or not value or not self._config.enabled:
            return value
        # The cache first: recordings repeat the same texts (labels, menus) in every snapshot and mutation.
        found = self.caches[cls].get(value)
        if found is None:
            if is_masked(value):
                return value
            found = self.scan_and_remember(value, cls)
        new, keys = found
        if findings is not None:
            findings.add_all(keys)
        return new

    def scrub_many(self, values: Sequence[str], cls: int) -> list[str]:
        """Non-empty strings of one class (a recording's text nodes), each as `scrub` leaves it (findings aside): the
        ones not in the cache detected together, in one batch, instead of one detector call each."""
        if not self._config.enabled:
            return list(values)
        cache, out = self.caches[cls], list(values)
        todo: dict[str, list[int]] = {}
        for i, value in enumerate(values):
            found = cache.get(value)
            if found is not None:
                out[i] = found[0]
            elif not is_masked(value):
                todo.setdefault(value, []).append(i)
        for value, result in zip(todo, self.scan_many([(cls, value) for value in todo]), strict=True):
            self.remember(cls, value, result)
            for i in todo[value]:
                out[i] = result[0]
        return out

    def scan_many(self, items: Sequence[tuple[int, str]]) -> list[Scanned]:
        """Each (class, string) scrubbed by the detectors, without looking at the string cache (the uncached path).
        Plain strings (short enough, no URL, encodable as they are: their own single leaf) in which the prefilter rules
        out every finding are returned as they are; the distinct uncached leaves of the others are detected together."""
        limit = self._config.max_scan_chars
        plain = [len(value) <= limit and "://" not in value and value[:1] != "?" and not relative_url(value)
                 and self._encodable(value) for _, value in items]
        nothing = iter(self._detector.finds_nothing(
            [(value, self._classes[cls]) for (cls, value), p in zip(items, plain, strict=True) if p]))
        # A plain string that may hold something stays plain (False: not done); the others are not (None).
        done = [next(nothing) if p else None for p in plain]
        rest = [item for item, empty in zip(items, done, strict=True) if not empty]
        if not rest:
            return [(value, ()) for _, value in items]
        scanned = iter(self._scan_many(rest, [empty is not None for empty in done if not empty]))
        return [(value, ()) if empty else next(scanned) for (_, value), empty in zip(items, done, strict=True)]

    @staticmethod
    def _encodable(value: str) -> bool:
        """With the length and URL tests before it: a plain string, its own single leaf (see _plan)."""
        return value.isascii() or encodable(value) is None

    def _scan_many(self, items: Sequence[tuple[int, str]], plain: Sequence[bool]) -> list[Scanned]:
        """`plain[i]`: items[i] is a plain string (see scan_many), its own single leaf, with no plan to make."""
        plans = [None if p else self._plan(cls, value) for (cls, value), p in zip(items, plain, strict=True)]
        fresh = self._detect_leaves(self._uncached_leaves(items, plans))
        return [self._assemble(plan, fresh) if plan is not None else self._whole(cls, value, fresh)
                for (cls, value), plan in zip(items, plans, strict=True)]

    def _uncached_leaves(self, items: Sequence[tuple[int, str]],
                         plans: Sequence[_Plan | None]) -> dict[tuple[int, str], bool]:
        """Each distinct (class, leaf) of the items that the leaf cache does not know: True if it is a plain string
        (its own leaf, which scan_many's prefilter pass has seen), False if a piece of a plan."""
        todo: dict[tuple[int, str], bool] = {}
        leaf_caches = self._leaf_caches
        for (cls, value), plan in zip(items, plans, strict=True):
            for leaf_cls, text in (((cls, value),) if plan is None else _leaves(plan[1], cls)):
                if (leaf_cls, text) not in todo and leaf_caches[leaf_cls].get(text) is None:
                    todo[(leaf_cls, text)] = plan is None
        return todo

    def _detect_leaves(self, todo: dict[tuple[int, str], bool]) -> dict[tuple[int, str], LeafScan | None]:
        """The leaves detected (and remembered in the leaf cache). The pieces of plans go through the prefilter as the
        plain strings went (scan_many): most are words and ids, and a piece in which it rules out every finding is its
        own result, (text, ()), as the detectors would give it; only the others are detected."""
        leaves = [(text, self._classes[cls]) for cls, text in todo]
        split = [i for i, whole in enumerate(todo.values()) if not whole]
        nothing = self._detector.finds_nothing([leaves[i] for i in split], more=True) if split else []
        empty = {i for i, none in zip(split, nothing, strict=True) if none}
        found = iter(self._detect_to_fixpoint([leaf for i, leaf in enumerate(leaves) if i not in empty]))
        fresh: dict[tuple[int, str], LeafScan | None] = {}
        for i, (cls, text) in enumerate(todo):
            result: LeafScan | None = (text, ()) if i in empty else next(found)
            if result is not None and len(text) <= self._config.cache_max_chars:
                self._leaf_caches[cls].put(text, result)
            fresh[(cls, text)] = result
        return fresh

    def _whole(self, cls: int, value: str, fresh: dict[tuple[int, str], LeafScan | None]) -> Scanned:
        """A plain string from its one leaf's result: what _assemble makes of the plan [Leaf(value, value)]."""
        key = (cls, value)
        result = fresh[key] if key in fresh else self._leaf_caches[cls].get(value)
        if result is None:
            return UNSCANNED, ((UNSCANNED[1:-1], _CLASS_RULE[cls], "replace"),)
        new, entities = result
        if not entities:
            return value, ()
        rule, action = _CLASS_RULE[cls], self._redactor.action
        return new, tuple([(e, rule, action(e)) for e in entities])

    def _plan(self, cls: int, value: str) -> _Plan:
        """`value` cut to the scan limit, made encodable, and split into parts."""
        keys: list[FindingKey] = []
        text = value
        limit = self._config.max_scan_chars
        if len(text) > limit:
            space = text.rfind(" ", max(limit - 256, 0), limit)  # not in the middle of a word (or an address)
            text = text[: space if space > 0 else limit]
            keys.append(OVERSIZE)
        clean = encodable(text)
        if clean is not None:  # lone surrogates from "\ud800" escapes: not encodable, not forwardable
            text = clean
            keys.append(BAD_UNICODE)
        parts = split_text(text, self._is_secret_param, label_for("URL_SECRET")) or [Leaf(text, text)]
        return cls, parts, keys, len(text) < len(value)

    def _detect_to_fixpoint(self, leaves: list[tuple[str, DetectorClass]]) -> list[LeafScan | None]:
        """Each leaf rewritten, then scanned again while that finds more (at most _ROUNDS times).

        A replacement can reveal a finding that its neighbour hid: in `+1 415 555 0100 4111 1111 1111 1111` the phone
        number runs into the card's digits and is only seen once the card is a label. Scanning the rewritten text
        again makes a second scrub find nothing: scrubbing twice gives what scrubbing once gave."""
        results: list[LeafScan | None] = [None] * len(leaves)
        spent = [0.0] * len(leaves)
        budget = self._config.max_scan_ms / 1000
        current: list[tuple[int, str, DetectorClass, tuple[str, ...]]] = [
            (i, text, cls, ()) for i, (text, cls) in enumerate(leaves)
        ]
        for round_ in range(_ROUNDS):
            if not current:
                break
            spans = self._detector.find([(text, cls) for _, text, cls, _ in current])
            again = []
            for (i, text, cls, entities), found, elapsed in zip(current, spans, self._detector.elapsed, strict=True):
                spent[i] += elapsed
                if found is None or spent[i] > budget:
                    results[i] = None  # timed out: fail closed
                    continue
                new, more = rewrite(text, found, self._redactor.detected) if found else (text, [])
                results[i] = (new, entities + tuple(more))
                if more and round_ + 1 < _ROUNDS:
                    again.append((i, new, cls, entities + tuple(more)))
            current = again
        return results

    def _assemble(self, plan: _Plan, fresh: dict[tuple[int, str], LeafScan | None]) -> Scanned:
        cls, parts, keys, truncated = plan
        rule = _CLASS_RULE[cls]
        text = self._join(parts, cls, fresh, rule, keys)
        if text is None:
            return UNSCANNED, ((UNSCANNED[1:-1], rule, "replace"),)
        return (text + TRUNCATED if truncated else text), tuple(keys)

    def _join(self, parts: list[Part], cls: int, fresh: dict[tuple[int, str], LeafScan | None], rule: str,
              keys: list[FindingKey]) -> str | None:
        """The parts put back together, scrubbed; None if one of them could not be scanned."""
        out: list[str] = []
        for part in parts:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, Replaced):
                out.append(self._replaced(part, rule, keys))
            elif isinstance(part, Nested):
                inner = self._join(part.parts, cls, fresh, rule, keys)
                if inner is None:
                    return None
                out.append(part.raw if inner == part.text else part.encode(inner))
            else:
                leaf_cls = NUMBERS if part.an_id else cls
                key = (leaf_cls, part.text)
                result = fresh[key] if key in fresh else self._leaf_caches[leaf_cls].get(part.text)
                if result is None:
                    return None
                out.append(self._leaf(part, result, rule, keys))
        return "".join(out)

    @staticmethod
    def _replaced(part: Replaced, rule: str, keys: list[FindingKey]) -> str:
        if part.raw == part.replacement or is_label(part.raw) or is_masked(part.raw):
            return part.raw
        keys.append((part.entity, rule, "replace"))
        return part.replacement

    def _leaf(self, part: Leaf, result: LeafScan, rule: str, keys: list[FindingKey]) -> str:
        new, entities = result
        if not entities:
            return part.raw
        keys += [(e, rule, self._redactor.action(e)) for e in entities]
        return part.encode(new) if part.encode else new


def _leaves(parts: list[Part], cls: int) -> list[tuple[int, str]]:
    """The parts' leaves, each with the class it is scanned in: `cls`, or an identifier's for a leaf the URL says is
    one (urls.Leaf.an_id)."""
    found: list[tuple[int, str]] = []
    for part in parts:
        if isinstance(part, Leaf):
            found.append((NUMBERS if part.an_id else cls, part.text))
        elif isinstance(part, Nested):
            found += _leaves(part.parts, cls)
    return found

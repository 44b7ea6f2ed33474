"""The scrubber: one per policy, applied to every event, vendor payload and replay recording.

Three layers, in the spirit of Sentry Relay's rules, selectors and redactions (see config.py for the keys):

1. Key rules: a value under a sensitive key (`password`, `api_key`, `ssn`, ...) is removed, at any depth.
2. Field rules: selectors pick fields to keep, remove, replace by a label, mask, hash, truncate or generalise;
   safe fields are never touched; identifier fields are pseudonymised whole when they hold PII.
3. Value detectors on every other string (and on integers that could be card numbers), through Presidio.

Precedence for a field: the policy's own rules, then safe fields, then key rules, then the built-in rules, then the
detectors. A transform that a rule applies to an object or array applies to every value inside it.

Speed: walking an event costs one memoised step per key; a string's scan result is kept in a bounded cache keyed by
the string, so a value seen before (a user agent, a page URL, a user's e-mail) costs one dict look-up; the strings of a
whole batch of events that miss the cache are detected together. Errors never escape: odd input (deep nesting, huge
numbers, lone surrogates, enormous strings) is bounded, replaced or marked, and the result always encodes as JSON.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

from policies.event import WIRE_NAMES, Event
from policies.pii.config import DEFAULT_RULES, DetectorClass, FieldRule, PiiConfig
from policies.pii.detect import Detector, rewrite
from policies.pii.engine import Analyzer
from policies.pii.findings import FindingKey, Findings
from policies.pii.keys import FreeTextKeys, SensitiveKeys
from policies.pii.selectors import PathMatcher, normalize_key
from policies.pii.transforms import (
    Hasher,
    generalize_date,
    is_label,
    label_for,
    mask,
    truncate_ip,
)
from policies.pii.urls import Leaf, Replaced, split_text

# What a field's step resolves to.
KEEP, REMOVE, REPLACE, MASK, HASH, TRUNCATE_IP, GENERALIZE_DATE, DETECT, DETECT_ID, SENSITIVE = range(10)
# Sets rather than `in (A, B)`: on the per-key path a frozenset lookup is as fast as two comparisons, a tuple slower.
_REMOVING = frozenset((SENSITIVE, REMOVE))
_DETECTING = frozenset((DETECT, DETECT_ID))
_RULE_KINDS = {"keep": KEEP, "remove": REMOVE, "replace": REPLACE, "mask": MASK, "hash": HASH,
               "truncate_ip": TRUNCATE_IP, "generalize_date": GENERALIZE_DATE, "detect": DETECT}
_TRANSFORMS = frozenset({REPLACE, MASK, HASH, TRUNCATE_IP, GENERALIZE_DATE, DETECT_ID})
_TIER_POLICY, _TIER_SAFE, _TIER_DEFAULT, _TIER_ID = range(4)

_ROUNDS = 3  # scans of a rewritten string, until nothing more is found
_TEXT_FIELDS = frozenset({"event", "name", "timestamp", "sent_at"})  # str | None in the Event model
TOO_DEEP = "[TOO_DEEP]"
TRUNCATED = "[TRUNCATED]"
UNSCANNED = "[UNSCANNED]"
_INT64_MIN, _UINT64_MAX = -(2**63), 2**64 - 1
_RRWEB_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "cite", "poster", "data", "background"})
_RRWEB_TEXT_ATTRIBUTES = frozenset({"value", "placeholder", "title", "alt", "aria-label", "aria-description",
                                    "aria-valuetext", "label", "content", "summary"})
_SENSITIVE_AUTOCOMPLETE = ("cc-", "password", "one-time-code")
_TYPED_INPUTS = {"email": "EMAIL_ADDRESS", "tel": "PHONE_NUMBER"}


@dataclass(frozen=True, slots=True)
class _Rule:
    kind: int
    name: str  # the selector, as written in the policy: a metric label, never a value
    entity: str
    label: str
    tier: int


@dataclass(slots=True)
class _Ctx:
    """One event's scrub in progress."""

    findings: list[FindingKey] = field(default_factory=list)


@dataclass(slots=True)
class _Pending:
    holder: Any  # dict or list
    slot: Any  # key or index
    value: str
    strict: bool
    id_rule: str | None  # the id-field selector when the value is an identifier
    ctx: _Ctx


_V = TypeVar("_V")
# A scanned string: its scrubbed text and what was found. A scanned leaf: its rewritten text and the entity types.
_Scanned = tuple[str, tuple[FindingKey, ...]]
_LeafScan = tuple[str, tuple[str, ...]]


class _Cache(Generic[_V]):
    """Scan results by string, bounded: an approximate LRU in two generations.

    A hit in the young generation costs one dict look-up (the hot path: most strings of an event were seen before);
    a hit in the old one promotes the entry. When the young generation is full it becomes the old one and the previous
    old one is dropped, so entries not used for a whole generation go, and at most `maximum` entries are kept.
    """

    __slots__ = ("_half", "old", "young")

    def __init__(self, maximum: int) -> None:
        self.young: dict[str, _V] = {}
        self.old: dict[str, _V] = {}
        self._half = max(maximum // 2, 0)

    def get(self, key: str) -> _V | None:
        found = self.young.get(key)
        if found is None:
            found = self.old.get(key)
            if found is not None:
                self.put(key, found)
        return found

    def put(self, key: str, value: _V) -> None:
        if self._half <= 0:
            return
        if len(self.young) >= self._half:
            self.old, self.young = self.young, {}
        self.young[key] = value

    def __len__(self) -> int:
        return len(self.young) + len(self.old)


def _rule_entity(rule: FieldRule) -> str:
    if rule.action == "replace" and is_label(rule.label):
        return rule.label[1:-1]
    return {"truncate_ip": "IP_ADDRESS", "generalize_date": "DATE"}.get(rule.action, "FIELD")


class Scrubber:
    """Scrubs events, JSON values and rrweb text under one policy's `[pii]` section. Not thread-safe: one per thread.

    `hash_key` keys every pseudonym (HMAC-SHA256). `data_dir` holds the blank spaCy pipeline (made on first use);
    None uses a temporary directory. `analyzer` shares an already built Presidio engine (it must have been built from
    an equal config: same phone settings, time limit and NER model).
    """

    def __init__(
        self, config: PiiConfig, hash_key: bytes, data_dir: Path | None = None, analyzer: Analyzer | None = None
    ) -> None:
        self.config = config
        self._hasher = Hasher(hash_key, config.hash_prefix, config.hash_length)
        self.analyzer = analyzer or Analyzer(
            data_dir, config.phone_regions, config.phone_leniency, config.regex_timeout_ms / 1000, config.ner_model
        )
        self._detector = Detector(self.analyzer, config.allow_values, config.window_chars, config.window_overlap,
                                  config.max_scan_ms / 1000)
        self._sensitive = SensitiveKeys(config.sensitive_keys + config.extra_sensitive_keys)
        self._free_text = FreeTextKeys(config.free_text_keys)
        self._url_params = frozenset(normalize_key(p) for p in config.url_secret_params)
        self._classes = (config.standard, config.strict)
        self._class_rule = ("detector", "free_text")
        self._caches = (_Cache[_Scanned](config.cache_entries), _Cache[_Scanned](config.cache_entries))
        self._leaf_caches = (_Cache[_LeafScan](config.cache_entries), _Cache[_LeafScan](config.cache_entries))

        rules: list[_Rule] = []
        selectors: list[str] = []
        for rule in config.rules:
            rules.append(_Rule(_RULE_KINDS[rule.action], rule.path, _rule_entity(rule), rule.label, _TIER_POLICY))
            selectors.append(rule.path)
        for path in config.safe_fields:
            rules.append(_Rule(KEEP, path, "FIELD", "", _TIER_SAFE))
            selectors.append(path)
        if config.default_rules:
            for rule in DEFAULT_RULES:
                rules.append(_Rule(_RULE_KINDS[rule.action], rule.path, _rule_entity(rule), rule.label, _TIER_DEFAULT))
                selectors.append(rule.path)
        for path in config.id_fields:
            rules.append(_Rule(DETECT_ID, path, "FIELD", "", _TIER_ID))
            selectors.append(path)
        self._rules = rules
        self._matcher = PathMatcher(selectors)
        self._steps: dict[tuple[int, Any], tuple[int, int, str, str, str, bool, Any]] = {}

    # ---- public API ----

    def scrub_event(self, event: Event) -> Findings:
        """Scrub `event` in place: its model fields under their wire names, and `extra`. `type` and `message_id` are
        left alone."""
        return self.scrub_events([event])[0]

    def scrub_events(self, events: Sequence[Event]) -> list[Findings]:
        """Scrub a batch of events in place, detecting their uncached strings together. One Findings per event."""
        if not self.config.enabled:
            return [Findings() for _ in events]
        pending: list[_Pending] = []
        work = []
        root = self._matcher.root
        for event in events:
            ctx = _Ctx()
            model = {}
            present = []
            for attr, wire in WIRE_NAMES:
                value = getattr(event, attr)
                if value is not None:
                    model[wire] = value
                    present.append((attr, wire, value))
            self._walk_dict(model, root, 1, None, False, ctx, pending)
            if event.extra:
                self._walk_dict(event.extra, root, 1, None, False, ctx, pending)
            work.append((event, model, present, ctx))
        self._resolve(pending)
        out = []
        for event, model, present, ctx in work:
            for attr, wire, before in present:
                value = model.get(wire)
                if value is not before:
                    if value is not None and attr in _TEXT_FIELDS and not isinstance(value, str):
                        value = str(value)
                    setattr(event, attr, value)
            out.append(Findings.of(ctx.findings))
        return out

    def scrub_value(self, value: Any, path: str = "") -> tuple[Any, Findings]:
        """A scrubbed copy of any JSON value found at `path` (dotted wire names; "" for a whole payload)."""
        if not self.config.enabled:
            return value, Findings()
        state, kind, rule, entity, label, strict = self._matcher.root, DETECT, "", "FIELD", "", False
        for key in (path.split(".") if path else ()):
            state, kind, rule, entity, label, strict, _ = self._step(state, key)
            if kind in (REMOVE, SENSITIVE, KEEP):
                break
        ctx = _Ctx()
        pending: list[_Pending] = []
        box = [_copy(value)]
        if path and kind in (REMOVE, SENSITIVE):
            ctx.findings.append(("SENSITIVE_KEY" if kind == SENSITIVE else entity, rule, "remove"))
            box[0] = None
        else:
            self._value(box, 0, box[0], state, kind, rule, entity, label, strict, 0, None, ctx, pending)
        self._resolve(pending)
        return box[0], Findings.of(ctx.findings)

    def scrub_text(self, text: str, findings: Findings | None = None) -> str:
        """rrweb text node content: scanned as free text. Text that rrweb already masked (all `*`) stays."""
        return self._scrub_string(text, strict=True, findings=findings)

    def scrub_attribute(self, tag: str, name: str, value: str, findings: Findings | None = None) -> str:
        """An rrweb attribute value: URLs (href, src, ...) by their parts, human-readable attributes (value,
        placeholder, title, alt, aria-*) as free text; structural attributes (class, id, style, type) are kept."""
        if not isinstance(value, str) or not value:
            return value
        lowered = name.lower()
        if tag.lower() in ("input", "textarea", "select") and lowered == "value":
            return self.scrub_input_value(value, findings=findings)
        if lowered in _RRWEB_URL_ATTRIBUTES or (lowered.startswith("data-") and "://" in value):
            return self._scrub_string(value, strict=False, findings=findings)
        if lowered in _RRWEB_TEXT_ATTRIBUTES or lowered.startswith(("aria-", "data-")):
            return self._scrub_string(value, strict=True, findings=findings)
        return value

    def scrub_input_value(
        self,
        value: str,
        input_type: str = "",
        name: str = "",
        autocomplete: str = "",
        findings: Findings | None = None,
    ) -> str:
        """What a user typed into a form field. Passwords and fields named like secrets (or with autocomplete cc-*,
        one-time-code) are masked whole; e-mail and tel inputs are replaced by their label; the rest is free text."""
        if not isinstance(value, str) or not value or _is_masked(value):
            return value
        input_type, autocomplete = input_type.lower(), autocomplete.lower()
        sensitive = (
            input_type == "password"
            or autocomplete.startswith(_SENSITIVE_AUTOCOMPLETE)
            or (name and self._sensitive.match(name) is not None)
        )
        if sensitive:
            if findings is not None:
                findings.add(("SENSITIVE_KEY", "input", "mask"))
            return mask(value)
        entity = _TYPED_INPUTS.get(input_type)
        if entity is not None:
            label = label_for(entity)
            if value != label and findings is not None:
                findings.add((entity, "input", "replace"))
            return label
        return self._scrub_string(value, strict=True, findings=findings)

    # ---- walking ----

    def _step(self, state: int, key: Any) -> tuple[int, int, str, str, str, bool, Any]:
        """(child state, kind, rule name, entity, label, free text?, new key or None) for child `key`; memoised."""
        memo = (state, key)
        found = self._steps.get(memo)
        if found is not None:
            return found
        text = key if isinstance(key, str) else str(key)
        child = self._matcher.step(state, normalize_key(text))
        winner = self._matcher.winner(child)
        rule = self._rules[winner] if winner >= 0 else None
        sensitive = self._sensitive.match(text)
        if rule is not None and rule.tier <= _TIER_SAFE:
            kind, name, entity, label = rule.kind, rule.name, rule.entity, rule.label
        elif sensitive is not None:
            kind, name, entity, label = SENSITIVE, f"key:{sensitive}", "SENSITIVE_KEY", ""
        elif rule is not None:
            kind, name, entity, label = rule.kind, rule.name, rule.entity, rule.label
        else:
            kind, name, entity, label = DETECT, "", "FIELD", ""
        new_key = None
        if isinstance(key, str):
            clean = _encodable(key)
            if clean is not None:
                new_key = key = clean
            if kind not in (KEEP, REMOVE, SENSITIVE) and len(key) >= 6:  # keys can hold PII too
                scrubbed, _ = self._scan_now(key, False)
                if scrubbed != key:
                    new_key = scrubbed
        step = (child, kind, name, entity, label, self._free_text.match(text), new_key)
        if len(self._steps) >= 100_000:
            self._steps.clear()  # bounded: keys are chosen by whoever sends events
        self._steps[memo] = step
        return step

    def _walk_dict(
        self, d: dict[Any, Any], state: int, depth: int, forced: tuple[int, str, str, str] | None, strict: bool,
        ctx: _Ctx, pending: list[_Pending],
    ) -> None:
        # The hot loop: locals only, and values replaced in place (no change of size while iterating); removals
        # and renamed keys are done after the loop.
        steps = self._steps
        caches = self._caches
        young = (caches[0].young, caches[1].young)
        max_depth = self.config.max_depth
        later = None
        for key, value in d.items():
            step = steps.get((state, key))
            if step is None:
                step = self._step(state, key)
            kind = step[1]
            if kind == KEEP and step[6] is None:
                if type(value) is not str or not value.isascii():
                    self._keep(d, key, value, depth, ctx)
                continue
            if kind in _REMOVING or step[6] is not None:
                if later is None:
                    later = []
                later.append((key, value, step))
                continue
            if kind in _DETECTING and forced is None and type(value) is str:
                cls = 1 if (step[5] or strict) else 0
                cached = young[cls].get(value)
                if cached is None:
                    cached = caches[cls].get(value)
                    if cached is None:
                        pending.append(_Pending(d, key, value, bool(cls), step[2] if kind == DETECT_ID else None, ctx))
                        continue
                if cached[1]:
                    if kind == DETECT:
                        d[key] = cached[0]
                        ctx.findings += cached[1]
                    else:  # an identifier that holds PII: its pseudonym, so that it still joins
                        d[key] = self._hasher(value)
                        ctx.findings += [(k[0], step[2], "hash") for k in cached[1]]
                continue
            if forced is None and kind != DETECT_ID:
                t = type(value)
                if t is dict and kind == DETECT and depth < max_depth:
                    self._walk_dict(value, step[0], depth + 1, None, step[5] or strict, ctx, pending)
                    continue
                if t is str:
                    self._string(d, key, value, kind, step[2], step[3], step[4], step[5] or strict, ctx, pending)
                    continue
            self._field(d, key, value, step, depth, forced, strict, ctx, pending)
        if later is not None:
            for key, value, step in later:
                kind = step[1]
                del d[key]
                if kind in _REMOVING:
                    ctx.findings.append((step[3], step[2], "remove"))
                    continue
                ctx.findings.append(("FIELD", "key_name", "replace"))
                key = step[6]
                if key in d:
                    continue  # two keys scrubbed to the same label: keep the first
                d[key] = value
                self._field(d, key, value, step, depth, forced, strict, ctx, pending)

    def _field(self, d: dict[Any, Any], key: Any, value: Any, step: tuple[int, int, str, str, str, bool, Any],
               depth: int, forced: tuple[int, str, str, str] | None, strict: bool, ctx: _Ctx,
               pending: list[_Pending]) -> None:
        child, kind, rule, entity, label, key_strict, _ = step
        if forced is not None and kind == DETECT:
            kind, rule, entity, label = forced
        self._value(d, key, value, child, kind, rule, entity, label, key_strict or strict, depth, forced, ctx,
                    pending)

    def _value(
        self, holder: Any, slot: Any, value: Any, state: int, kind: int, rule: str, entity: str, label: str,
        strict: bool, depth: int, forced: tuple[int, str, str, str] | None, ctx: _Ctx, pending: list[_Pending],
    ) -> None:
        if kind == KEEP:
            self._keep(holder, slot, value, depth, ctx)
            return
        t = type(value)
        if t is dict or t is list or t is tuple:
            if depth >= self.config.max_depth:
                holder[slot] = TOO_DEEP
                ctx.findings.append(("DEPTH_LIMIT", "limits", "replace"))
                return
            inner = (kind, rule, entity, label) if kind in _TRANSFORMS else forced
            if t is dict:
                self._walk_dict(value, state, depth + 1, inner, strict, ctx, pending)
                return
            if t is tuple:
                value = holder[slot] = list(value)
            if kind == DETECT and inner is not None:
                kind, rule, entity, label = inner  # arrays are transparent: elements are treated as their array
            for i, item in enumerate(value):
                self._value(value, i, item, state, kind, rule, entity, label, strict, depth + 1, inner, ctx, pending)
            return
        if t is str:
            self._string(holder, slot, value, kind, rule, entity, label, strict, ctx, pending)
        elif t is int:
            self._int(holder, slot, value, kind, rule, entity, label, strict, ctx, pending)
        elif t is float:
            if not math.isfinite(value):
                holder[slot] = None  # NaN and Infinity are not JSON
                ctx.findings.append(("INVALID_NUMBER", "limits", "replace"))
            elif kind in (REPLACE, MASK, HASH, GENERALIZE_DATE, TRUNCATE_IP):
                self._string(holder, slot, repr(value), kind, rule, entity, label, strict, ctx, pending)
        elif value is None or t is bool:
            return
        else:  # not a JSON type: its text is what would be sent
            self._string(holder, slot, str(value), kind, rule, entity, label, strict, ctx, pending)

    def _keep(self, holder: Any, slot: Any, value: Any, depth: int, ctx: _Ctx) -> None:
        """Leave `value` as it is, except what no JSON encoder takes (lone surrogates, NaN, 64+ bit integers) and what
        is deeper than the limit: a kept field is never scrubbed, but it is still forwarded."""
        t = type(value)
        if t is str:
            clean = _encodable(value)
            if clean is not None:
                holder[slot] = clean
                ctx.findings.append(("INVALID_UNICODE", "limits", "replace"))
        elif t is dict or t is list or t is tuple:
            if depth >= self.config.max_depth:
                holder[slot] = TOO_DEEP
                ctx.findings.append(("DEPTH_LIMIT", "limits", "replace"))
                return
            if t is tuple:
                value = holder[slot] = list(value)
            if t is dict:
                for key in list(value):
                    clean = _encodable(key) if isinstance(key, str) else None
                    if clean is not None:
                        value[clean] = value.pop(key)
                        ctx.findings.append(("INVALID_UNICODE", "limits", "replace"))
                        key = clean
                    self._keep(value, key, value[key], depth + 1, ctx)
            else:
                for i, item in enumerate(value):
                    self._keep(value, i, item, depth + 1, ctx)
        elif t is int:
            if not _INT64_MIN <= value <= _UINT64_MAX:
                holder[slot] = str(value) if value.bit_length() < 13_000 else "[NUMBER]"
                ctx.findings.append(("INVALID_NUMBER", "limits", "replace"))
        elif t is float:
            if not math.isfinite(value):
                holder[slot] = None
                ctx.findings.append(("INVALID_NUMBER", "limits", "replace"))
        elif value is not None and t is not bool:
            holder[slot] = str(value)

    def _int(self, holder: Any, slot: Any, value: int, kind: int, rule: str, entity: str, label: str,
             strict: bool, ctx: _Ctx, pending: list[_Pending]) -> None:
        if isinstance(value, bool):
            return
        if not _INT64_MIN <= value <= _UINT64_MAX:
            # JSON encoders (orjson) refuse such integers, and str() refuses past 4300 digits: the number becomes
            # its text, which the field's rule then treats as it would any string.
            text = str(value) if value.bit_length() < 13_000 else "[NUMBER]"
            holder[slot] = text
            ctx.findings.append(("INVALID_NUMBER", "limits", "replace"))
            self._string(holder, slot, text, kind, rule, entity, label, strict, ctx, pending)
            return
        if kind in _DETECTING:
            if 10**11 <= abs(value) < 10**19:  # 12 to 19 digits: could be a card number
                scrubbed, keys = self._scan_now(str(value), False)
                if keys:
                    holder[slot] = self._hasher(str(value)) if kind == DETECT_ID else scrubbed
                    ctx.findings += [(k[0], rule, "hash") for k in keys] if kind == DETECT_ID else keys
            return
        if kind == GENERALIZE_DATE:
            year = _epoch_year(value)
            holder[slot] = year
            ctx.findings.append((entity, rule, "generalize_date"))
            return
        self._string(holder, slot, str(value), kind, rule, entity, label, strict, ctx, pending)

    def _string(self, holder: Any, slot: Any, value: str, kind: int, rule: str, entity: str, label: str,
                strict: bool, ctx: _Ctx, pending: list[_Pending]) -> None:
        if kind in _DETECTING:
            pending.append(_Pending(holder, slot, value, strict, rule if kind == DETECT_ID else None, ctx))
            return
        if kind == KEEP:
            return
        new: str | None
        if kind == REPLACE:
            new, action = label, "replace"
        elif kind == MASK:
            new, action = (value if _is_masked(value) else mask(value)), "mask"
        elif kind == HASH:
            new, action = self._hasher(value), "hash"
        elif kind == GENERALIZE_DATE:
            new, action = generalize_date(value), "generalize_date"
            if new == value:
                return
        elif kind == TRUNCATE_IP:
            new, action = truncate_ip(value, self.config.ipv4_prefix, self.config.ipv6_prefix), "truncate_ip"
            if new is None:  # not an address after all: the detectors decide
                pending.append(_Pending(holder, slot, value, strict, None, ctx))
                return
        else:
            return
        if new != value:
            holder[slot] = new
            ctx.findings.append((entity, rule, action))

    # ---- detection ----

    def _resolve(self, pending: list[_Pending]) -> None:
        """Detect PII in the pending strings (each distinct string once), cache the results, write them back."""
        if not pending:
            return
        results: dict[tuple[bool, str], tuple[str, tuple[FindingKey, ...]]] = {}
        todo: list[tuple[bool, str]] = []
        for p in pending:
            key = (p.strict, p.value)
            if key in results:
                continue
            cached = self._caches[p.strict].get(p.value)
            if cached is not None:
                results[key] = cached
            else:
                results[key] = ("", ())
                todo.append(key)
        for key, result in zip(todo, self._scan_many(todo), strict=True):
            results[key] = result
            if len(key[1]) <= self.config.cache_max_chars:
                self._caches[key[0]].put(key[1], result)
        for p in pending:
            new, keys = results[(p.strict, p.value)]
            if not keys:
                continue
            if p.id_rule is not None:
                p.holder[p.slot] = self._hasher(p.value)
                p.ctx.findings += [(k[0], p.id_rule, "hash") for k in keys]
            else:
                p.holder[p.slot] = new
                p.ctx.findings += keys

    def _scan_now(self, value: str, strict: bool) -> tuple[str, tuple[FindingKey, ...]]:
        cached = self._caches[strict].get(value)
        return cached if cached is not None else self._scan_and_remember(value, strict)

    def _scan_and_remember(self, value: str, strict: bool) -> tuple[str, tuple[FindingKey, ...]]:
        result = self._scan_many([(strict, value)])[0]
        if len(value) <= self.config.cache_max_chars:
            self._caches[strict].put(value, result)
        return result

    def _scrub_string(self, value: str, strict: bool, findings: Findings | None) -> str:
        if not isinstance(value, str) or not value or not self.config.enabled:
            return value
        # The cache first: recordings repeat the same texts (labels, menus) in every snapshot and mutation.
        found = self._caches[strict].get(value)
        if found is None:
            if _is_masked(value):
                return value
            found = self._scan_and_remember(value, strict)
        new, keys = found
        if findings is not None:
            findings.add_all(keys)
        return new

    def _scan_many(self, items: Sequence[tuple[bool, str]]) -> list[tuple[str, tuple[FindingKey, ...]]]:
        """Scrub each (strict, string) with the detectors: the uncached path.

        A string is split into leaves (the text around URLs and the decoded parts of URLs); each distinct leaf is
        detected once per batch and its result cached too, since URLs that differ elsewhere share their leaves (the
        same e-mail in the query of many pages)."""
        plans = []
        todo: dict[tuple[bool, str], int] = {}
        leaves: list[tuple[str, DetectorClass]] = []
        for strict, value in items:
            keys: list[FindingKey] = []
            text = value
            if len(text) > self.config.max_scan_chars:
                cut = self.config.max_scan_chars
                space = text.rfind(" ", max(cut - 256, 0), cut)  # not in the middle of a word (or an address)
                text = text[: space if space > 0 else cut]
                keys.append(("OVERSIZE", "limits", "truncate"))
            if not text.isascii():
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:  # lone surrogates from "\ud800" escapes: not encodable, not forwardable
                    text = text.encode("utf-8", "replace").decode("utf-8")
                    keys.append(("INVALID_UNICODE", "limits", "replace"))
            parts = split_text(text, self._is_secret_param, label_for("URL_SECRET")) or [Leaf(text, text)]
            for part in parts:
                if (isinstance(part, Leaf) and (strict, part.text) not in todo
                        and self._leaf_caches[strict].get(part.text) is None):
                    todo[(strict, part.text)] = len(leaves)
                    leaves.append((part.text, self._classes[strict]))
            plans.append((strict, parts, keys, len(text) < len(value)))
        fresh: dict[tuple[bool, str], _LeafScan | None] = {}
        for (strict, text), result in zip(todo, self._detect_to_fixpoint(leaves), strict=True):
            if result is not None and len(text) <= self.config.cache_max_chars:
                self._leaf_caches[strict].put(text, result)
            fresh[(strict, text)] = result
        return [self._assemble(strict, parts, fresh, keys, truncated) for strict, parts, keys, truncated in plans]

    def _detect_to_fixpoint(
        self, leaves: list[tuple[str, DetectorClass]]
    ) -> list[_LeafScan | None]:
        """Each leaf rewritten, then scanned again while that finds more (at most _ROUNDS times).

        A replacement can reveal a finding that its neighbour hid: in `+1 415 555 0100 4111 1111 1111 1111` the phone
        number runs into the card's digits and is only seen once the card is a label. Scanning the rewritten text
        again makes a second scrub find nothing: scrubbing twice gives what scrubbing once gave."""
        results: list[_LeafScan | None] = [None] * len(leaves)
        spent = [0.0] * len(leaves)
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
                if found is None or spent[i] > self.config.max_scan_ms / 1000:
                    results[i] = None  # timed out: fail closed
                    continue
                new, more = rewrite(text, found, self._replacement) if found else (text, [])
                results[i] = (new, entities + tuple(more))
                if more and round_ + 1 < _ROUNDS:
                    again.append((i, new, cls, entities + tuple(more)))
            current = again
        return results

    def _assemble(
        self, strict: bool, parts: list[Any], fresh: dict[tuple[bool, str], _LeafScan | None], keys: list[FindingKey],
        truncated: bool,
    ) -> tuple[str, tuple[FindingKey, ...]]:
        rule = self._class_rule[strict]
        out: list[str] = []
        for part in parts:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, Replaced):
                if part.raw == part.replacement or is_label(part.raw) or _is_masked(part.raw):
                    out.append(part.raw)
                else:
                    out.append(part.replacement)
                    keys.append((part.entity, rule, "replace"))
            else:
                key = (strict, part.text)
                result = fresh[key] if key in fresh else self._leaf_caches[strict].get(part.text)
                if result is None:
                    return UNSCANNED, ((UNSCANNED[1:-1], rule, "replace"),)
                new, entities = result
                if not entities:
                    out.append(part.raw)
                    continue
                out.append(part.encode(new) if part.encode else new)
                keys += [(e, rule, self._action(e)) for e in entities]
        if truncated:
            out.append(TRUNCATED)
        return "".join(out), tuple(keys)

    def _action(self, entity: str) -> str:
        return self.config.entity_actions.get(entity, "replace")

    def _replacement(self, entity: str, found: str) -> str | None:
        if is_label(found) or self._hasher.is_hash(found) or _is_masked(found):
            return None  # already scrubbed: scrubbing twice gives what scrubbing once gave
        action = self._action(entity)
        if action == "mask":
            return mask(found)
        if action == "hash":
            return self._hasher(found)
        if action == "remove":
            return ""
        if action == "truncate_ip":
            truncated = truncate_ip(found, self.config.ipv4_prefix, self.config.ipv6_prefix)
            return truncated if truncated is not None else label_for(entity)
        return label_for(entity)

    def _is_secret_param(self, name: str) -> bool:
        return normalize_key(name) in self._url_params or self._sensitive.match(name) is not None


def _encodable(text: str) -> str | None:
    """`text` with lone surrogates (from "\\ud800" escapes) replaced, or None if it encodes as it is."""
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return None


def _is_masked(value: str) -> bool:
    return bool(value) and value.count("*") == len(value)


def _epoch_year(value: int) -> str:
    seconds = value / 1000 if abs(value) >= 10**11 else value  # milliseconds, as Mixpanel and Amplitude send
    try:
        year = datetime.fromtimestamp(seconds, tz=UTC).year
    except (OverflowError, OSError, ValueError):
        return "[DATE]"
    return str(year) if 1000 <= year <= 2999 else "[DATE]"  # what generalize_date keeps from a string


def _copy(value: Any) -> Any:
    """A copy of the containers of a JSON value (strings and numbers are immutable), iteratively bounded by the
    caller's depth limit through the walk; recursion here stops at 200 levels and keeps the rest as is."""
    return _copy_at(value, 0)


def _copy_at(value: Any, depth: int) -> Any:
    if depth > 200:
        return TOO_DEEP
    t = type(value)
    if t is dict:
        return {k: _copy_at(v, depth + 1) for k, v in value.items()}
    if t is list or t is tuple:
        return [_copy_at(v, depth + 1) for v in value]
    return value

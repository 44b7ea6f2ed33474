"""The scrubber: one per policy, applied to every event, vendor payload and replay recording.

Built as Sentry Relay's `relay-pii` is: what to find, where, and what to do are data compiled once, and one walker
applies them.

- What to find: key rules (keys.py), the built-in field rules (config.py `DEFAULT_RULES`), and the value detectors
  (recognizers.py, behind the prefilter of candidates.py and the batching of detect.py).
- Where: path selectors (selectors.py), compiled with the policy's rules, safe fields and id fields into one decision
  per key (rules.py); URLs inside strings (urls.py); a recording's attributes and inputs (attributes.py).
- What to do: the redactions (redactions.py: keep, remove, replace, mask, hash, truncate_ip, generalize_date, and what
  the detectors' findings become).
- Applying them: the walker (walker.py) over JSON values; the scanner (scanner.py) for the strings it queues, with
  their cache (cache.py); odd input bounded and repaired (limits.py).

Precedence for a field: the policy's own rules, then safe fields, then key rules, then the built-in rules, then the
detectors. A transform that a rule applies to an object or array applies to every value inside it.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from policies.event import WIRE_NAMES, Event
from policies.pii.attributes import INPUT_VALUE, LABEL_INPUT, MASK_INPUT, STRUCTURE, URL, attribute_kind, input_kind
from policies.pii.config import PiiConfig
from policies.pii.detect import Detector
from policies.pii.engine import Analyzer
from policies.pii.findings import FindingKey, Findings
from policies.pii.keys import SensitiveKeys
from policies.pii.limits import copy_json
from policies.pii.redactions import (
    KEEP,
    REMOVING,
    SENSITIVE,
    Redactor,
    is_masked,
    kept_under_its_key,
)
from policies.pii.rules import DETECT_ANY, CompiledRules
from policies.pii.scanner import STANDARD, STRICT, Scanner
from policies.pii.selectors import normalize_key
from policies.pii.transforms import Hasher, label_for, mask
from policies.pii.walker import Pending, Walker

_MODEL_FIELDS = operator.attrgetter(*(attr for attr, _ in WIRE_NAMES))  # all of an event's fields in one call
_TEXT_FIELDS = frozenset({"event", "name", "timestamp", "sent_at"})  # str | None in the Event model
# URL parameter names remembered as secret or not: names repeat (`utm_source`, `q`) when values never do. Bounded,
# since a sender chooses the names.
_PARAM_MEMO = 4096


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
        self.analyzer = analyzer or Analyzer(
            data_dir, config.phone_regions, config.phone_leniency, config.regex_timeout_ms / 1000, config.ner_model
        )
        self._sensitive = SensitiveKeys(config.sensitive_keys + config.extra_sensitive_keys)
        self._url_params = frozenset(normalize_key(p) for p in config.url_secret_params)
        self._secret_params: dict[str, bool] = {}
        redactor = Redactor(Hasher(hash_key, config.hash_prefix, config.hash_length), config.ipv4_prefix,
                            config.ipv6_prefix, config.entity_actions)
        detector = Detector(self.analyzer, config.allow_values, config.window_chars, config.window_overlap,
                            config.max_scan_ms / 1000)
        self.scanner = Scanner(config, detector, redactor, self._is_secret_param)
        self.rules = CompiledRules(config, self._sensitive, lambda key: self.scanner.scan(key, STANDARD)[0])
        self._walker = Walker(self.rules, self.scanner, redactor, config.max_depth)

    def scrub_event(self, event: Event) -> Findings:
        """Scrub `event` in place: its model fields under their wire names, and `extra`. `type` and `message_id` are
        left alone."""
        return self.scrub_events([event])[0]

    def scrub_events(self, events: Sequence[Event]) -> list[Findings]:
        """Scrub a batch of events in place, detecting their uncached strings together. One Findings per event."""
        if not self.config.enabled:
            return [Findings() for _ in events]
        pending: list[Pending] = []
        work = []
        walk_dict, root = self._walker.walk_dict, self.rules.root
        for event in events:
            findings: list[FindingKey] = []
            values = _MODEL_FIELDS(event)
            model = {wire: value for (_, wire), value in zip(WIRE_NAMES, values, strict=True) if value is not None}
            walk_dict(model, root, 1, None, STANDARD, findings, pending)
            if event.extra:
                walk_dict(event.extra, root, 1, None, STANDARD, findings, pending)
            work.append((event, model, values, findings))
        self._walker.resolve(pending)
        for event, model, values, _ in work:
            for (attr, wire), before in zip(WIRE_NAMES, values, strict=True):
                if before is None:
                    continue
                value = model.get(wire)
                if value is not before:
                    if value is not None and attr in _TEXT_FIELDS and not isinstance(value, str):
                        value = str(value)
                    setattr(event, attr, value)
        return [Findings.of(findings) for *_, findings in work]

    def scrub_value(self, value: Any, path: str = "") -> tuple[Any, Findings]:
        """A scrubbed copy of any JSON value found at `path` (dotted wire names; "" for a whole payload)."""
        if not self.config.enabled:
            return value, Findings()
        state, action, cls = self.rules.root, DETECT_ANY, STANDARD
        for key in (path.split(".") if path else ()):
            step = self.rules.step(state, key)
            state, action, cls = step.child, step.action, step.cls
            if action.kind in REMOVING or action.kind == KEEP:
                break
        findings: list[FindingKey] = []
        box = [copy_json(value)]
        if path and kept_under_its_key(action.kind, value):
            return box[0], Findings()  # `password_changed_at`: a date, not the password
        if path and action.kind in REMOVING:
            findings.append(("SENSITIVE_KEY" if action.kind == SENSITIVE else action.entity, action.rule, "remove"))
            box[0] = None
        else:
            pending: list[Pending] = []
            self._walker.value(box, 0, box[0], state, action, cls, 0, None, findings, pending)
            self._walker.resolve(pending)
        return box[0], Findings.of(findings)

    def scrub_json(self, value: Any) -> Any:
        """A scrubbed copy of a whole JSON value (a recording's custom event), without its findings."""
        return self.scrub_value(value)[0]

    def scrub_text(self, text: str, findings: Findings | None = None) -> str:
        """rrweb text node content: scanned as free text. Text that rrweb already masked (all `*`) stays."""
        return self.scanner.scrub(text, STRICT, findings)

    def scrub_texts(self, texts: Sequence[str]) -> list[str]:
        """Many text node contents at once (a recording's batch), each as `scrub_text` leaves it: what the cache does
        not hold is detected in one batch."""
        return self.scanner.scrub_many(texts, STRICT)

    def scrub_attribute(self, tag: str, name: str, value: str, findings: Findings | None = None) -> str:
        """An rrweb attribute value: URLs (href, src, ...) by their parts, human-readable attributes (value,
        placeholder, title, alt, aria-*) as free text; structural attributes (class, id, style, type) are kept."""
        if not isinstance(value, str) or not value:
            return value
        kind = attribute_kind(tag, name, value)
        if kind == INPUT_VALUE:
            return self.scrub_input_value(value, findings=findings)
        if kind == STRUCTURE:
            return value
        return self.scanner.scrub(value, STANDARD if kind == URL else STRICT, findings)

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
        if not isinstance(value, str) or not value or is_masked(value):
            return value
        kind, entity = input_kind(input_type.lower(), name, autocomplete.lower(), self._sensitive)
        if kind == MASK_INPUT:
            if findings is not None:
                findings.add(("SENSITIVE_KEY", "input", "mask"))
            return mask(value)
        if kind == LABEL_INPUT:
            label = label_for(entity)
            if value != label and findings is not None:
                findings.add((entity, "input", "replace"))
            return label
        return self.scanner.scrub(value, STRICT, findings)

    def _is_secret_param(self, name: str) -> bool:
        known = self._secret_params.get(name)
        if known is None:
            known = normalize_key(name) in self._url_params or self._sensitive.match(name) is not None
            if len(self._secret_params) >= _PARAM_MEMO:
                self._secret_params.clear()
            self._secret_params[name] = known
        return known

"""The one walk that applies the compiled rules to a JSON value, in place (Relay's processor, for JSON events).

For each key the compiled rules (rules.py) give a `Step`: keep, remove, redact (redactions.py), or detect. Strings to
detect are not scanned where they are found: they are queued as `Pending` (unless the string cache already knows them),
and `resolve` detects the queued strings of a whole batch of events together, each distinct string once, then writes
the results back. A rule that transforms an object or an array applies to every value inside it (`forced`), and arrays
are transparent: an element has the path of its array.

Speed: walking an event costs one memoised step per key, and a string seen before costs one dict look-up in the hot
loop of `walk_dict`. Errors never escape: odd input is bounded, replaced or marked (limits.py). JSON text inside a
string (a property holding `{"password": ...}`) is scrubbed as the value it encodes, its keys included.
"""

from __future__ import annotations

import math
from typing import Any

import orjson

from policies.pii.findings import FindingKey
from policies.pii.limits import BAD_NUMBER, DEPTH, TOO_DEEP, in_int64, number_text, sanitize
from policies.pii.pairs import (
    FLAT_VALUE_ENDS,
    LABEL_KEYS,
    NAME_KEYS,
    PASSWORD_TYPES,
    TYPE_KEYS,
    VALUE_KEYS,
    flat_name,
    flat_value,
    not_a_secret,
)
from policies.pii.redactions import (
    ACTION_NAMES,
    DETECT,
    DETECT_ID,
    DETECTING,
    FLOAT_REDACTED,
    GENERALIZE_DATE,
    KEEP,
    REMOVING,
    TRANSFORMS,
    Redactor,
    epoch_year,
    kept_under_its_key,
)
from policies.pii.rules import DETECT_ANY, Action, CompiledRules, Step
from policies.pii.scanner import STANDARD, THINGS, Scanned, Scanner

_MAX_JSON_NESTING = 3
FindingList = list[FindingKey]  # one event's findings while it is walked


# A string queued for the detectors, and where its result goes: (holder: dict or list, slot: key or index, the string,
# its detector class, the id field's rule when the value is an identifier (hashed whole if it holds PII), the event's
# findings). A tuple, not an object: one is made for every new string.
Pending = tuple[Any, Any, str, int, str | None, FindingList]


class Walker:
    def __init__(self, rules: CompiledRules, scanner: Scanner, redactor: Redactor, max_depth: int) -> None:
        self._rules = rules
        self._scanner = scanner
        self._redactor = redactor
        self._max_depth = max_depth
        self._json_nesting = 0  # JSON text inside JSON text being scrubbed, bounded by _MAX_JSON_NESTING

    def walk_dict(self, d: dict[Any, Any], state: int, depth: int, forced: Action | None, cls: int,
                  findings: FindingList, pending: list[Pending]) -> None:
        """Apply the rules to every value of `d` (at selector `state`); `forced` is the transform of an enclosing
        object, `cls` the detector class inherited from a free-text key above."""
        if cls == THINGS:
            # A company's or product's key vouches for its own text (and a list of names), not for an object under
            # it: `company: {ceo: "Jane Doe"}` holds a person.
            cls = STANDARD
        self._pairs(d, state, findings)
        # The hot loop: locals only, and values replaced in place (no change of size while iterating).
        steps = self._rules.steps.get(state, {})
        young = self._scanner.young
        max_depth = self._max_depth
        later: list[tuple[Any, Any, Step]] = []
        for key, value in d.items():
            step = steps.get(key)
            if step is None:
                step = self._rules.step(state, key)
            if step.scan and forced is None:
                t = type(value)
                if t is str:
                    c = step.cls or cls
                    cached = young[c].get(value)
                    if cached is None:
                        if value[:1] in "{[":
                            self._maybe_json(d, key, value, c, step.id_rule, findings, pending)
                        else:  # queued, and resolve() looks in the whole cache (its old generation)
                            pending.append((d, key, value, c, step.id_rule, findings))
                        continue
                    if cached[1]:
                        self._apply(d, key, value, step.id_rule, cached, findings)
                    continue
                if t is dict and depth < max_depth and step.id_rule is None:
                    self.walk_dict(value, step.child, depth + 1, None, step.cls or cls, findings, pending)
                    continue
            if step.keep:
                if type(value) is not str or not value.isascii():
                    sanitize(d, key, value, depth, self._max_depth, findings)
                continue
            if step.deferred:
                later.append((key, value, step))
                continue
            self._field(d, key, value, step, depth, forced, cls, findings, pending)
        if later:
            self._remove_or_rename(d, later, depth, forced, cls, findings, pending)

    def _pairs(self, d: dict[Any, Any], state: int, findings: FindingList) -> None:
        """`d` as a form's field sent as a name and a value (pairs.py): its value removed if the name names a secret;
        or holding a form's fields flattened (`fields[3][name]`, `fields[3][value]`)."""
        for value_key in VALUE_KEYS:
            if value_key in d:
                self._pair(d, value_key, "", state, findings)
                return
        flattened: list[tuple[str, str]] | None = None
        for key in d:
            # one C call per key for most keys (every dict is walked): a flattened value's key ends with `]`
            if type(key) is str and key.endswith("]") and key.endswith(FLAT_VALUE_ENDS):
                if flattened is None:
                    flattened = []
                flattened.append(flat_value(key))
        if flattened is not None:
            for value_key, prefix in flattened:
                self._pair(d, value_key, prefix, state, findings)

    def _pair(self, d: dict[Any, Any], value_key: str, prefix: str, state: int, findings: FindingList) -> None:
        """Remove the value of a form's field whose name names a secret (`{"name": "password", "value": …}`; with a
        `prefix`, keys flattened as `<prefix>[name]`/`<prefix>.name`), as its key rule would under that name; done
        before the walk of `d`, whose size cannot change during it."""
        value = d[value_key]
        if type(value) is list:  # a field's values (`{"name": "password", "values": ["…"]}`): removed if one may be
            if not any((type(v) is str or type(v) is int) and not not_a_secret(v) for v in value):
                return
        elif (type(value) is not str and type(value) is not int) or not_a_secret(value):
            return
        for name_key in NAME_KEYS:
            name = d.get(flat_name(prefix, name_key) if prefix else name_key)
            if type(name) is str and name_key != value_key and (name_key not in TYPE_KEYS
                                                                or name.lower() in PASSWORD_TYPES):
                action = self._rules.paired(name, name_key in LABEL_KEYS)
                if action is None:
                    continue
                if self._removes(action, value) and not self._rules.step(state, value_key).keep:
                    del d[value_key]
                    findings.append((action.entity, action.rule, "remove"))
                return

    @staticmethod
    def _removes(action: Action, value: Any) -> bool:
        """Whether the key rule `action` removes a form field's `value` (`"6"` is a length's 6 under `pin_length`,
        a code under `door_code`: a form sends numbers as text); a list if one of its values is removed."""
        if type(value) is list:
            return any(Walker._removes(action, item) for item in value)
        number = (int(value) if type(value) is str and value.isascii() and value.isdigit() and len(value) <= 18
                  else value)
        return not kept_under_its_key(action.kind, number)

    def _remove_or_rename(self, d: dict[Any, Any], later: list[tuple[Any, Any, Step]], depth: int,
                          forced: Action | None, cls: int, findings: FindingList, pending: list[Pending]) -> None:
        for key, value, step in later:
            if step.new_key is None and kept_under_its_key(step.action.kind, value):
                continue  # `password_changed_at: "2024-05-17"`, `has_password: true`, `sms_code: "sent"`: kept
            del d[key]
            if step.action.kind in REMOVING:
                findings.append((step.action.entity, step.action.rule, "remove"))
                continue
            findings.append(("FIELD", "key_name", "replace"))
            new_key = step.new_key
            if new_key in d:
                continue  # two keys scrubbed to the same label: keep the first
            d[new_key] = value
            self._field(d, new_key, value, step, depth, forced, cls, findings, pending)

    def _field(self, d: dict[Any, Any], key: Any, value: Any, step: Step, depth: int, forced: Action | None,
               cls: int, findings: FindingList, pending: list[Pending]) -> None:
        action = forced if forced is not None and step.action.kind == DETECT else step.action
        if type(value) is str and action.kind != KEEP:  # most values: straight to their redaction
            self._string(d, key, value, action, step.cls or cls, findings, pending)
        else:
            self.value(d, key, value, step.child, action, step.cls or cls, depth, forced, findings, pending)

    def value(self, holder: Any, slot: Any, value: Any, state: int, action: Action, cls: int, depth: int,
              forced: Action | None, findings: FindingList, pending: list[Pending]) -> None:
        """Apply `action` to `holder[slot]`, which is `value`, at selector `state`."""
        kind = action.kind
        if kind == KEEP:
            sanitize(holder, slot, value, depth, self._max_depth, findings)
            return
        t = type(value)
        if t is dict or t is list or t is tuple:
            self._container(holder, slot, value, state, action, cls, depth, forced, findings, pending)
        elif t is str:
            self._string(holder, slot, value, action, cls, findings, pending)
        elif t is int:
            self._int(holder, slot, value, action, cls, findings, pending)
        elif t is float:
            if not math.isfinite(value):
                holder[slot] = None  # NaN and Infinity are not JSON
                findings.append(BAD_NUMBER)
            elif kind in FLOAT_REDACTED:
                self._string(holder, slot, repr(value), action, cls, findings, pending)
        elif value is not None and t is not bool:  # not a JSON type: its text is what would be sent
            self._string(holder, slot, str(value), action, cls, findings, pending)

    def _container(self, holder: Any, slot: Any, value: Any, state: int, action: Action, cls: int, depth: int,
                   forced: Action | None, findings: FindingList, pending: list[Pending]) -> None:
        if depth >= self._max_depth:
            holder[slot] = TOO_DEEP
            findings.append(DEPTH)
            return
        inner = action if action.kind in TRANSFORMS else forced
        if type(value) is dict:
            self.walk_dict(value, state, depth + 1, inner, cls, findings, pending)
            return
        if type(value) is tuple:
            value = holder[slot] = list(value)
        if action.kind == DETECT and inner is not None:
            action = inner  # arrays are transparent: elements are treated as their array
        for i, item in enumerate(value):
            self.value(value, i, item, state, action, cls, depth + 1, inner, findings, pending)

    def _int(self, holder: Any, slot: Any, value: int, action: Action, cls: int, findings: FindingList,
             pending: list[Pending]) -> None:
        if not in_int64(value):
            # JSON encoders (orjson) refuse such integers: the number becomes its text, which the field's rule then
            # treats as it would any string.
            text = holder[slot] = number_text(value)
            findings.append(BAD_NUMBER)
            self._string(holder, slot, text, action, cls, findings, pending)
            return
        kind = action.kind
        if kind in DETECTING:
            if 10**11 <= abs(value) < 10**19:  # 12 to 19 digits: could be a card number
                text = str(value)
                scanned = self._scanner.scan(text, STANDARD)
                if scanned[1]:
                    self._apply(holder, slot, text, action.rule if kind == DETECT_ID else None, scanned, findings)
            return
        if kind == GENERALIZE_DATE:
            holder[slot] = epoch_year(value)
            findings.append((action.entity, action.rule, "generalize_date"))
            return
        self._string(holder, slot, str(value), action, cls, findings, pending)

    def _string(self, holder: Any, slot: Any, value: str, action: Action, cls: int, findings: FindingList,
                pending: list[Pending]) -> None:
        kind = action.kind
        if kind in DETECTING:
            self._queue(holder, slot, value, cls, action.rule if kind == DETECT_ID else None, findings, pending)
            return
        if kind == KEEP:
            return
        new = self._redactor.field(kind, value, action.label)
        if new is None:  # not what the rule expects (truncate_ip on something else): the detectors decide
            pending.append((holder, slot, value, cls, None, findings))
        elif new != value:
            holder[slot] = new
            findings.append((action.entity, action.rule, ACTION_NAMES[kind]))

    def _maybe_json(self, holder: Any, slot: Any, value: str, cls: int, id_rule: str | None, findings: FindingList,
                    pending: list[Pending]) -> None:
        """A string of the hot loop that may be JSON text (or is empty), not in the cache's young generation: from
        the cache as a string if it is there (as the walk always did), otherwise queued or scrubbed as JSON."""
        cached = self._scanner.caches[cls].get(value)
        if cached is None:
            self._queue(holder, slot, value, cls, id_rule, findings, pending)
        elif cached[1]:
            self._apply(holder, slot, value, id_rule, cached, findings)

    def _queue(self, holder: Any, slot: Any, value: str, cls: int, id_rule: str | None, findings: FindingList,
               pending: list[Pending]) -> None:
        """Queue `value` for the detectors, unless it is JSON text, whose keys and values are scrubbed as a value's."""
        if (id_rule is None and value[:1] in "{[" and value[-1:] in "}]" and self._json_nesting < _MAX_JSON_NESTING
                and self._scrub_json(holder, slot, value, cls, findings)):
            return
        pending.append((holder, slot, value, cls, id_rule, findings))

    def _scrub_json(self, holder: Any, slot: Any, value: str, cls: int, findings: FindingList) -> bool:
        """Scrub JSON text held in a string (`"{\\"password\\": ...}"`) as the value it encodes: its keys get their
        rules, as anywhere else. Written back, re-encoded, only if something changed. False if it is not JSON."""
        try:
            parsed = orjson.loads(value)
        except orjson.JSONDecodeError:
            return False
        if not isinstance(parsed, (dict, list)):
            return False
        box: list[Any] = [parsed]
        inner: list[Pending] = []
        self._json_nesting += 1
        try:
            self.value(box, 0, parsed, self._rules.root, DETECT_ANY, cls, 1, None, findings, inner)
            self.resolve(inner)
        finally:
            self._json_nesting -= 1
        if box[0] != orjson.loads(value):
            holder[slot] = orjson.dumps(box[0]).decode()
        return True

    def _apply(self, holder: Any, slot: Any, value: str, id_rule: str | None, scanned: Scanned,
               findings: FindingList) -> None:
        """Write what the detectors found in `value` (`scanned`, not empty) to `holder[slot]`."""
        if id_rule is None:
            holder[slot] = scanned[0]
            findings += scanned[1]
        else:  # an identifier that holds PII: its pseudonym, so that it still joins
            holder[slot] = self._redactor.hash(value)
            findings += [(k[0], id_rule, "hash") for k in scanned[1]]

    def resolve(self, pending: list[Pending]) -> None:
        """Detect PII in the pending strings (each distinct string once), cache the results, write them back."""
        if not pending:
            return
        caches = self._scanner.caches
        results: dict[tuple[int, str], Scanned] = {}
        todo: list[tuple[int, str]] = []
        for p in pending:
            key = (p[3], p[2])
            if key in results:
                continue
            # the young generation, then the old one: most pending strings are in neither (walk_dict read the young)
            cached = caches[key[0]].get(key[1])
            if cached is None:
                todo.append(key)
                cached = ("", ())
            results[key] = cached
        longest = self._scanner.cache_max_chars
        for key, result in zip(todo, self._scanner.scan_many(todo), strict=True):
            results[key] = result
            if len(key[1]) <= longest:
                caches[key[0]].put(key[1], result)
        apply = self._apply
        for holder, slot, value, cls, id_rule, findings in pending:
            scanned = results[(cls, value)]
            if scanned[1]:
                apply(holder, slot, value, id_rule, scanned, findings)

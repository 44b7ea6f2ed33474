"""The policy's rules compiled once into one decision per (selector state, key): where each redaction applies.

Sources of a decision, in order of precedence (the first that says something wins):

1. the policy's own `[[pii.rules]]`,
2. safe fields (kept, never scrubbed),
3. key rules: a key containing a sensitive term (`password`, `api_key`, `ssn`, ...) has its value removed,
4. the built-in field rules (`DEFAULT_RULES`, unless `default_rules = false`); then a key naming a key or a signature
   (`algolia_key`, `hmac_key`; keys.py `names_a_token`): a token-shaped string under it is replaced; a key naming a
   login (`login`, `zugang`, `wifi`; `names_a_login`): a user name and a password in one value are replaced,
5. what the key's words say (fields.py): a person's name, a street address, a person in a role (with the built-in
   rules), an identifier number whose strings are detected without phone and IP detectors, or the name of a thing
   (a company, a product) whose strings are detected without name detectors,
6. id fields: identifiers pseudonymised whole when they hold PII,
7. otherwise the detectors.

Selectors (selectors.py) compile into one matcher whose states are small ints, so that the walker moves from a
parent's state to a child's with one dict look-up: `CompiledRules.step` is memoised per (state, key).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from policies.pii.config import DEFAULT_RULES, FieldRule, PiiConfig
from policies.pii.fields import (
    ADDRESS,
    NAMED_ROLE,
    NUMBER_ID,
    PERSON,
    ROLE,
    THING,
    field_class,
    name_in_object,
    object_context,
)
from policies.pii.keys import (
    FreeTextKeys,
    SensitiveKeys,
    about_a_secret,
    names_a_code,
    names_a_key_word,
    names_a_login,
    names_a_token,
)
from policies.pii.limits import encodable
from policies.pii.pairs import UNPAIRED_TERMS, field_name
from policies.pii.redactions import (
    A_CODE,
    ABOUT_SECRET,
    DETECT,
    DETECT_ID,
    DETECTING,
    KEEP,
    REMOVE,
    REMOVING,
    REPLACE_LISTED_NAME,
    REPLACE_LOGIN,
    REPLACE_NAME,
    REPLACE_PERSON,
    REPLACE_SHAPED_SECRET,
    REPLACE_TEXT,
    REPLACE_TOKEN,
    RULE_KINDS,
    SENSITIVE,
)
from policies.pii.scanner import NUMBERS, STANDARD, STRICT, THINGS
from policies.pii.selectors import PathMatcher, normalize_key
from policies.pii.transforms import is_label

_TIER_POLICY, _TIER_SAFE, _TIER_DEFAULT, _TIER_ID = range(4)
_MAX_STEPS = 100_000  # memoised steps kept; keys are chosen by whoever sends events
_UNSEEN = object()  # not in the pair memo yet (None there means: no removal)


@dataclass(frozen=True, slots=True)
class Action:
    """A redaction as a rule applies it: its kind (redactions.py), the rule's name and entity in findings, its label."""

    kind: int
    rule: str  # the selector as written in the policy, or a fixed name ("key:password"): a metric label, never a value
    entity: str
    label: str


DETECT_ANY = Action(DETECT, "", "FIELD", "")  # no rule: the detectors decide
_BY_FIELD = {
    PERSON: Action(REPLACE_PERSON, "field:person", "PERSON", "[PERSON]"),
    ADDRESS: Action(REPLACE_TEXT, "field:address", "LOCATION", "[LOCATION]"),
    ROLE: Action(REPLACE_NAME, "field:role", "PERSON", "[PERSON]"),
    NAMED_ROLE: Action(REPLACE_LISTED_NAME, "field:role", "PERSON", "[PERSON]"),
}
_TOKEN_KEY = Action(REPLACE_TOKEN, "field:key", "SECRET_KEY", "[SECRET]")
_LOGIN_KEY = Action(REPLACE_LOGIN, "field:login", "PASSWORD", "[SECRET]")
_KEY_WORD = Action(REPLACE_SHAPED_SECRET, "field:key_word", "PASSWORD", "[SECRET]")


def _a_secret_by_name(key: str, kind: str | None) -> Action | None:
    """A key naming a key or a signature (`algolia_key`), a login (`login_info`, `zugang`) or a key in another
    language (`sleutel`), whose value is replaced when shaped like a token, a login and its password or a password;
    else None."""
    if kind is None and names_a_key_word(key):  # before a token's: `parola_chiave` ends with `chiave`
        return _KEY_WORD
    if names_a_token(key):
        return _TOKEN_KEY
    return _LOGIN_KEY if kind is None and names_a_login(key) else None


@dataclass(frozen=True, slots=True)
class Step:
    """What applies to the value under one key: the decision the walker acts on, with its hot tests precomputed."""

    child: int  # the selector state of the value's own children
    action: Action
    cls: int  # the detector class the key asks for (STRICT: free text, NUMBERS: an identifier, THINGS: a company or
    # product), or 0: the parent's
    new_key: str | None  # the key itself scrubbed (it held PII or invalid unicode), or None
    scan: bool  # the hot path: a string under this key goes to the detectors as it is
    keep: bool  # kept as it is (only made encodable)
    deferred: bool  # removed or renamed: done after the walk of its object, whose size cannot change during it
    id_rule: str | None  # an identifier field: PII found in it hashes the whole value, in the name of this rule


@dataclass(frozen=True, slots=True)
class _Rule:
    selector: str
    action: Action
    tier: int


def _rule_entity(rule: FieldRule) -> str:
    if rule.action == "replace" and is_label(rule.label):
        return rule.label[1:-1]
    return {"truncate_ip": "IP_ADDRESS", "generalize_date": "DATE"}.get(rule.action, "FIELD")


def _compile(config: PiiConfig) -> list[_Rule]:
    def of(rules: tuple[FieldRule, ...], tier: int) -> list[_Rule]:
        return [_Rule(r.path, Action(RULE_KINDS[r.action], r.path, _rule_entity(r), r.label), tier) for r in rules]

    def each(paths: tuple[str, ...], kind: int, tier: int) -> list[_Rule]:
        return [_Rule(path, Action(kind, path, "FIELD", ""), tier) for path in paths]

    return [
        *of(config.rules, _TIER_POLICY),
        *each(config.safe_fields, KEEP, _TIER_SAFE),
        *(of(DEFAULT_RULES, _TIER_DEFAULT) if config.default_rules else ()),
        *each(config.id_fields, DETECT_ID, _TIER_ID),
    ]


class CompiledRules:
    """`step(state, key)` for every key of every event. `scrub_key` scans a key for PII (keys can hold e-mails)."""

    def __init__(self, config: PiiConfig, sensitive: SensitiveKeys, scrub_key: Callable[[str], str]) -> None:
        self._rules = _compile(config)
        self.matcher = PathMatcher([rule.selector for rule in self._rules])
        self.root = self.matcher.root
        self._sensitive = sensitive
        self._free_text = FreeTextKeys(config.free_text_keys)
        self._scrub_key = scrub_key
        self._by_field = config.default_rules
        # The memo, by state then key, read directly by the walker's loop: one dict per state, so that a key's look-up
        # makes no (state, key) tuple.
        self.steps: dict[int, dict[Any, Step]] = {}
        self._memoised = 0
        # pairs.py: a form field's name (and whether a label), to its value's removal
        self._paired: dict[tuple[str, bool], Action | None] = {}

    def step(self, state: int, key: Any) -> Step:
        """The decision for child `key` of a node in selector `state`; memoised."""
        found = self.steps.get(state, {}).get(key)
        if found is not None:
            return found
        text = key if isinstance(key, str) else str(key)
        child = self.matcher.step(state, normalize_key(text))
        holds = field_class(text) if self._by_field else None
        if self._by_field:
            context = self.matcher.context(state)
            holds = (name_in_object(text, context, holds) if context else None) or holds
            child = self.matcher.in_context(child, object_context(text, holds))
        action, cls = self._decide(child, text, holds)
        kind = action.kind
        new_key = self._new_key(key, kind) if isinstance(key, str) else None
        step = Step(child, action, cls, new_key,
                    scan=kind in DETECTING and new_key is None,
                    keep=kind == KEEP and new_key is None,
                    deferred=kind in REMOVING or new_key is not None,
                    id_rule=action.rule if kind == DETECT_ID else None)
        if self._memoised >= _MAX_STEPS:
            self.steps.clear()
            self._memoised = 0
        self.steps.setdefault(state, {})[key] = step
        self._memoised += 1
        return step

    def paired(self, name: str, labelled: bool) -> Action | None:
        """The key rule's removal for the value of a form's field named `name` (pairs.py; `labelled`: by its label),
        or None; memoised."""
        found = self._paired.get((name, labelled), _UNSEEN)  # one look-up: a clear() may run between two
        if found is not _UNSEEN:
            return found if isinstance(found, Action) else None
        sensitive = self._sensitive.match(name) if field_name(name, labelled) else None
        action = None if sensitive is None or sensitive in UNPAIRED_TERMS else Action(
            ABOUT_SECRET if about_a_secret(name) else A_CODE if names_a_code(name) else SENSITIVE,
            f"key:{sensitive}", "SENSITIVE_KEY", "")
        if len(self._paired) >= _MAX_STEPS:
            self._paired.clear()
        self._paired[(name, labelled)] = action
        return action

    def _decide(self, state: int, key: str, kind: str | None) -> tuple[Action, int]:
        """The key's action and the detector class it asks for; `kind` is what the key (in its object) says it holds
        (fields.py), None without the built-in rules."""
        cls = STRICT if self._free_text.match(key) else STANDARD
        winner = self.matcher.winner(state)
        rule = self._rules[winner] if winner >= 0 else None
        if rule is not None and rule.tier <= _TIER_SAFE:
            return rule.action, cls
        sensitive = self._sensitive.match(key)
        if sensitive is not None:
            removal = ABOUT_SECRET if about_a_secret(key) else A_CODE if names_a_code(key) else SENSITIVE
            return Action(removal, f"key:{sensitive}", "SENSITIVE_KEY", ""), cls
        if rule is not None and rule.tier == _TIER_DEFAULT:
            return rule.action, cls
        named = _a_secret_by_name(key, kind) if rule is None else None
        if named is not None:
            return named, cls
        if kind in (NUMBER_ID, THING) and cls == STRICT:
            # Free text under an identifier's key is still free text: a `ticket_body` or an `order_note` holds what
            # a customer wrote (phone numbers too), not a ticket's or an order's number.
            kind = None
        if kind in (NUMBER_ID, THING):
            return (rule.action if rule is not None else DETECT_ANY), NUMBERS if kind == NUMBER_ID else THINGS
        if kind is not None:
            return _BY_FIELD[kind], cls
        return (rule.action if rule is not None else DETECT_ANY), cls

    def _new_key(self, key: str, kind: int) -> str | None:
        new_key = None
        clean = encodable(key)
        if clean is not None:
            new_key = key = clean
        if kind not in (KEEP, REMOVE, SENSITIVE, ABOUT_SECRET, A_CODE) and len(key) >= 6:  # keys can hold PII too
            scrubbed = self._scrub_key(key)
            if scrubbed != key:
                new_key = scrubbed
        return new_key

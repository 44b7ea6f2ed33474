"""A compiled tracking plan and the violations it finds in an event.

A plan says, for a source: which event types may be sent, how event names are written (naming.py), which context
every event must carry (`properties.account_id`, or any one of several paths such as `context.groupId`), the JSON
Schema of each planned event's properties, and of identify traits. Every schema is compiled once, when the plan is
read (jsonschema-rs: an event that passes costs one `is_valid` call in Rust; errors are collected only for the rest).

A violation names the rule, the path, what the plan expects and the JSON type observed: never a value, so that a
violation can be stored and shown without carrying what the event said.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs

from policies.event import Event
from policies.plans.shapes import json_type

ON_VIOLATION = ("allow", "flag", "omit_properties", "block")
# Event types whose events must carry the plan's required context (identify, group and alias say who, not what).
CONTEXT_TYPES = frozenset({"track", "page", "screen"})
NAMES_KEPT = 10_000  # naming verdicts remembered per plan; past it names are checked each time
_LIMIT_KEYWORDS = frozenset({"minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
                             "minItems", "maxItems", "pattern", "format", "multipleOf", "const"})


@dataclass(frozen=True, slots=True)
class Violation:
    rule: str  # unplanned_event, naming, event_type, missing_context, wrong_type, missing_property,
    #            unplanned_property, invalid_value
    path: str  # where in the event, in wire names: "event", "properties.price", "context.groupId"
    expected: str  # what the plan says, e.g. "number", "one of 3 values", "present", "maxLength 40"
    observed: str  # the JSON type found ("missing" when absent); never the value


@dataclass(frozen=True)
class Schema:
    """A JSON Schema as written in the plan, and its compiled validator."""

    source: Mapping[str, Any]
    validator: Any = field(repr=False, compare=False)

    @classmethod
    def compile(cls, source: Mapping[str, Any]) -> Schema:
        """Raises ValueError (jsonschema-rs's errors are ValueErrors) for a schema that is not valid."""
        return cls(source, jsonschema_rs.validator_for(dict(source)))

    def errors(self, instance: Any, prefix: str) -> list[Violation]:
        if self.validator.is_valid(instance):
            return []
        found: list[Violation] = []
        for error in self.validator.iter_errors(instance):
            found.extend(_describe(error, instance, self.source, prefix))
        return found


@dataclass(frozen=True)
class EventSpec:
    name: str
    properties: Schema | None  # None: any properties
    description: str = ""


@dataclass(frozen=True)
class TrackingPlan:
    path: str  # the plan file, for messages
    name: str
    events: Mapping[str, EventSpec]
    naming: str = ""  # the style or regex as written; "" = any name
    naming_pattern: re.Pattern[str] | None = None
    event_types: frozenset[str] | None = None  # None = every type
    required: tuple[tuple[str, ...], ...] = ()  # each entry: paths of which at least one must be present
    allow_unplanned_events: bool = False
    identify_traits: Schema | None = None
    # Compiled from the above once: the required paths as getters, and each event name's naming verdict (names
    # repeat: a product sends tens of distinct names, millions of times).
    _required: tuple[tuple[Callable[[Event], Any], ...], ...] = field(init=False, repr=False, compare=False)
    _names: dict[str, bool] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_required", tuple(tuple(map(getter, paths)) for paths in self.required))

    def check(self, event: Event) -> list[Violation]:
        """Everything in `event` that breaks the plan; [] when it keeps to it."""
        found: list[Violation] = []
        kind = event.type
        if self.event_types is not None and kind not in self.event_types:
            found.append(Violation("event_type", "type", " or ".join(sorted(self.event_types)), kind))
        if kind in CONTEXT_TYPES and self.required:
            found.extend(self._missing_context(event))
        if kind == "track":
            found.extend(self._check_track(event))
        elif kind == "identify" and self.identify_traits is not None:
            found.extend(self.identify_traits.errors(event.traits or {}, "traits"))
        return found

    def _check_track(self, event: Event) -> list[Violation]:
        name = event_name(event)
        found = []
        if self.naming_pattern is not None and not self._follows_naming(name):
            found.append(Violation("naming", "event", self.naming, "string"))
        spec = self.events.get(name)
        if spec is None:
            if not self.allow_unplanned_events:
                found.append(Violation("unplanned_event", "event", "a planned event", "string"))
        elif spec.properties is not None:
            found.extend(spec.properties.errors(event.properties or {}, "properties"))
        return found

    def _follows_naming(self, name: str) -> bool:
        follows = self._names.get(name)
        if follows is None:
            assert self.naming_pattern is not None
            follows = self.naming_pattern.match(name) is not None
            if len(self._names) < NAMES_KEPT:
                self._names[name] = follows
        return follows

    def _missing_context(self, event: Event) -> list[Violation]:
        missing = []
        for paths, getters in zip(self.required, self._required, strict=True):
            for get in getters:
                if get(event) is not None:
                    break
            else:
                missing.append(Violation("missing_context", " | ".join(paths), "present", "missing"))
        return missing


def event_name(event: Event) -> str:
    """The name an event is planned and catalogued under: a track call's event, a page's or screen's name."""
    if event.type == "track":
        return event.event if isinstance(event.event, str) else ""
    if event.type in ("page", "screen"):
        return event.name if isinstance(event.name, str) else ""
    return ""


def getter(path: str) -> Callable[[Event], Any]:
    """A function giving the value at a wire-name path of an event (`properties.account_id`, `context.groupId`,
    `userId`), or None where there is none."""
    head, _, rest = path.partition(".")
    top = _TOP.get(head) or (lambda e: e.extra.get(head))
    parts = tuple(rest.split(".")) if rest else ()
    if len(parts) == 1:
        [key] = parts

        def one(event: Event) -> Any:
            value = top(event)
            return value.get(key) if type(value) is dict else None

        return one

    def walk(event: Event) -> Any:
        value = top(event)
        for part in parts:
            if not isinstance(value, dict):
                return None
            value = value.get(part)
        return value

    return walk


def value_at(event: Event, path: str) -> Any:
    """The value at a wire-name path of `event`; None if absent (for a path used once: `getter` for one used often)."""
    return getter(path)(event)


_TOP: dict[str, Callable[[Event], Any]] = {
    "properties": lambda e: e.properties, "context": lambda e: e.context, "traits": lambda e: e.traits,
    "userId": lambda e: e.user_id, "anonymousId": lambda e: e.anonymous_id, "groupId": lambda e: e.group_id,
    "event": lambda e: e.event, "name": lambda e: e.name, "type": lambda e: e.type,
}


def top_property(violation: Violation) -> str | None:
    """The member of `properties` that holds what `violation` is about, for omitting it; None for a violation no
    omission can mend (a missing property, an unplanned event)."""
    if violation.rule not in ("wrong_type", "unplanned_property", "invalid_value"):
        return None
    head, _, rest = violation.path.partition(".")
    return rest.partition(".")[0] if head == "properties" and rest else None


def _describe(error: Any, instance: Any, schema: Mapping[str, Any], prefix: str) -> list[Violation]:
    """A jsonschema-rs error as violations, with its expectation read from the plan's schema (never from the
    message, which quotes the value)."""
    kind = type(error.kind).__name__
    where = [str(p) for p in error.instance_path]
    path = ".".join([prefix, *where])
    observed = json_type(_at(instance, error.instance_path))
    keyword = error.schema_path[-1] if error.schema_path else kind
    expected: Any = _at(schema, error.schema_path)
    if kind == "AdditionalProperties":
        extra = _at(instance, error.instance_path)
        return [Violation("unplanned_property", f"{path}.{name}", "not in the plan", json_type(extra.get(name)))
                for name in error.kind.unexpected]
    if kind == "Required":
        return [Violation("missing_property", f"{path}.{error.kind.property}", "present", "missing")]
    if kind == "Type":
        text = " or ".join(expected) if isinstance(expected, list) else str(expected)
        return [Violation("wrong_type", path, text, observed)]
    if kind == "Enum":
        count = len(expected) if isinstance(expected, list) else 0
        return [Violation("invalid_value", path, f"one of {count} planned values", observed)]
    text = f"{keyword} {expected}" if keyword in _LIMIT_KEYWORDS else str(keyword)
    return [Violation("invalid_value", path, text, observed)]


def _at(value: Any, path: Sequence[Any]) -> Any:
    for part in path:
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
            value = value[part]
        else:
            return None
    return value

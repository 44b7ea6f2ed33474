"""The `[pii]` section of a policy: what the scrubber removes, transforms and detects.

Every key is optional; a policy without `[pii]` gets the defaults below, which scrub well on their own.

    [pii]
    enabled = true                      # false: events pass unscrubbed (for a destination you fully trust)
    hash_prefix = "h_"                  # pseudonyms look like h_3f9a0c1b2d4e5f60 (HMAC-SHA256 keyed by the gateway's
                                        # secret, `[privacy] hash_key`, through a key derived for this purpose)
    hash_length = 16                    # hex digits kept (8..64)
    ipv4_prefix = 24                    # truncate_ip keeps this many leading bits (0..32) ...
    ipv6_prefix = 48                    # ... and these for IPv6 (0..128)
    sensitive_keys = [...]              # layer 1: values under keys containing these words are removed, at any depth
                                        # (default: Relay's password/secret/token/auth... and Segment's Red list)
    extra_sensitive_keys = []           # added to sensitive_keys without repeating the defaults
    safe_fields = [...]                 # selectors never touched (default: event, name, timestamps, message ids)
    event_names_kept = []               # event names forwarded as they are; every other name is scrubbed as free
                                        # text by the pipeline's scrub step (`Newsletter a@b.c` -> `Newsletter [EMAIL]`)
    id_fields = [...]                   # selectors of identifiers: PII found in one hashes the whole value, so that
                                        # the id still joins (default: userId, anonymousId, groupId, previousId, ...)
    default_rules = true                # also apply the built-in field rules (DEFAULT_RULES) after yours
    free_text_keys = [...]              # keys whose strings get the [pii.free_text] class (query, comment, note, ...)
    allow_values = []                   # exact values the detectors never replace (e.g. your support address)
    url_secret_params = [...]           # query parameters whose values are always replaced (besides sensitive_keys)
    ner_model = ""                      # path of an installed spaCy model directory for PERSON/LOCATION in free text

    [[pii.rules]]                       # layer 2: field rules by path selector; the first that matches wins
    path = "properties.**.email"        # selector: keys separated by dots, `*` one key, `**` any depth (selectors.py)
    action = "hash"                     # keep | remove | replace | mask | hash | truncate_ip | generalize_date | detect
    label = "[EMAIL]"                   # replace only (default "[REDACTED]")

    [pii.detectors]                     # layer 3: value detectors on every other string (the standard class)
    entities = [...]                    # default: every pattern entity (recognizers.PATTERN_ENTITIES)
    score_threshold = 0.4
    phone_regions = ["US", "GB", "DE", "FR"]
    phone_leniency = 0                  # phonenumbers leniency: 0 possible, 1 valid, 2 strict grouping, 3 exact
    actions = { IP_ADDRESS = "truncate_ip" }  # per entity: replace (default) | mask | hash | remove | truncate_ip

    [pii.free_text]                     # the stricter class for free_text_keys
    entities = [...]                    # default: pattern entities plus PERSON and LOCATION (these need ner_model)
    score_threshold = 0.3
    digit_run = 8                       # runs of this many digits that no recognizer claimed become [NUMBER]; 0 = off

    [pii.limits]
    max_depth = 32                      # deeper JSON is replaced by "[TOO_DEEP]"
    max_scan_chars = 65536              # a longer string is cut here and marked "[TRUNCATED]"
    window_chars = 8192                 # long strings are analysed in windows of this size ...
    window_overlap = 4096               # ... overlapping by this much (≥ the longest secret, e.g. a PEM key)
    regex_timeout_ms = 100              # per regex search, in CPU time (a search stalled by the wall clock alone is
                                        # tried again, up to 5 times); a scan that times out gives "[UNSCANNED]"
    max_scan_ms = 250                   # CPU time per long string (all its windows and rescans); past it, "[UNSCANNED]"
    cache_entries = 32768               # bounded LRU of scan results, per class
    cache_max_chars = 1024              # longer strings are scanned every time, not cached
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policies.pii.entities import ENTITIES, PATTERN_ENTITIES
from policies.pii.keys import DEFAULT_FREE_TEXT_KEYS, DEFAULT_SENSITIVE_KEYS
from policies.pii.selectors import SelectorError, parse_selector
from policies.table import Table

RULE_ACTIONS = ("keep", "remove", "replace", "mask", "hash", "truncate_ip", "generalize_date", "detect")
DETECTOR_ACTIONS = ("replace", "mask", "hash", "remove", "truncate_ip")


@dataclass(frozen=True)
class FieldRule:
    path: str
    action: str
    label: str = "[REDACTED]"


# Built-in field rules (`default_rules = true`), after the policy's own. Keys match normalised (`**.firstname` is also
# first_name, firstName, $first_name). The detectors would miss names and addresses, which have no pattern; besides
# these, keys that say they hold a person's name, a street address or a person in a role are read in several
# languages by fields.py (also part of the built-in rules).
DEFAULT_RULES = (
    FieldRule("context.ip", "truncate_ip"),
    FieldRule("**.ip", "truncate_ip"),
    FieldRule("**.ip_address", "truncate_ip"),
    FieldRule("**.email", "hash"),
    FieldRule("**.phone", "replace", "[PHONE]"),
    FieldRule("**.phone_number", "replace", "[PHONE]"),
    FieldRule("**.mobile", "replace", "[PHONE]"),
    # Not `**.name`: that is also the page name, the product name, `context.os.name`. A person's name is a trait.
    FieldRule("traits.name", "replace", "[PERSON]"),
    FieldRule("context.traits.name", "replace", "[PERSON]"),
    FieldRule("**.user_properties.name", "replace", "[PERSON]"),
    FieldRule("**.$set.name", "replace", "[PERSON]"),
    FieldRule("**.$set_once.name", "replace", "[PERSON]"),
    FieldRule("**.first_name", "replace", "[PERSON]"),
    FieldRule("**.last_name", "replace", "[PERSON]"),
    FieldRule("**.full_name", "replace", "[PERSON]"),
    FieldRule("**.username", "hash"),
    FieldRule("**.postal_code", "mask"),
    FieldRule("**.zip", "mask"),
    FieldRule("**.zipcode", "mask"),
    FieldRule("**.birthday", "generalize_date"),
    FieldRule("**.birthdate", "generalize_date"),
    FieldRule("**.date_of_birth", "generalize_date"),
    FieldRule("**.dob", "generalize_date"),
)

DEFAULT_SAFE_FIELDS = (
    "event", "timestamp", "sentAt", "originalTimestamp", "receivedAt", "messageId",
    "context.library", "context.locale", "context.timezone",
    "**.$insert_id", "**.insert_id", "**.uuid", "**.event_type", "**.time",
)
DEFAULT_ID_FIELDS = (
    "userId", "anonymousId", "groupId", "previousId",
    "**.user_id", "**.distinct_id", "**.device_id", "**.anon_distinct_id", "**.alias",
)
DEFAULT_URL_SECRET_PARAMS = ("code", "key", "sig", "signature", "jwt", "session", "sid", "hash", "reset")
DEFAULT_PHONE_REGIONS = ("US", "GB", "DE", "FR")
DEFAULT_ENTITY_ACTIONS = {"IP_ADDRESS": "truncate_ip"}


@dataclass(frozen=True)
class DetectorClass:
    """How strictly a string is scanned: which entities, from what score, and whether long digit runs are masked."""

    entities: tuple[str, ...]
    score_threshold: float
    digit_run: int = 0
    entity_set: frozenset[str] = field(init=False, repr=False, compare=False)  # the entities, for set operations

    def __post_init__(self) -> None:
        object.__setattr__(self, "entity_set", frozenset(self.entities))


STANDARD = DetectorClass(entities=PATTERN_ENTITIES, score_threshold=0.4)
STRICT = DetectorClass(entities=ENTITIES, score_threshold=0.3, digit_run=8)


@dataclass(frozen=True)
class PiiConfig:
    enabled: bool = True
    hash_prefix: str = "h_"
    hash_length: int = 16
    ipv4_prefix: int = 24
    ipv6_prefix: int = 48
    sensitive_keys: tuple[str, ...] = DEFAULT_SENSITIVE_KEYS
    extra_sensitive_keys: tuple[str, ...] = ()
    safe_fields: tuple[str, ...] = DEFAULT_SAFE_FIELDS
    event_names_kept: tuple[str, ...] = ()
    id_fields: tuple[str, ...] = DEFAULT_ID_FIELDS
    rules: tuple[FieldRule, ...] = ()
    default_rules: bool = True
    free_text_keys: tuple[str, ...] = DEFAULT_FREE_TEXT_KEYS
    allow_values: tuple[str, ...] = ()
    url_secret_params: tuple[str, ...] = DEFAULT_URL_SECRET_PARAMS
    ner_model: str = ""
    standard: DetectorClass = STANDARD
    strict: DetectorClass = STRICT
    phone_regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS
    phone_leniency: int = 0
    entity_actions: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_ENTITY_ACTIONS))
    max_depth: int = 32
    max_scan_chars: int = 65536
    window_chars: int = 8192
    window_overlap: int = 4096
    regex_timeout_ms: int = 100
    max_scan_ms: int = 250
    cache_entries: int = 32768
    cache_max_chars: int = 1024

    @property
    def all_rules(self) -> tuple[FieldRule, ...]:
        return self.rules + (DEFAULT_RULES if self.default_rules else ())


def _selectors(table: Any, name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    values = table.strings(name, default)
    for i, value in enumerate(values):
        try:
            parse_selector(value)
        except SelectorError as exc:
            raise table.error(f"{name}[{i}]", str(exc)) from None
    return values


def _entities(table: Any, name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    values = table.strings(name, default)
    for i, value in enumerate(values):
        if value not in ENTITIES:
            raise table.error(f"{name}[{i}]", f"unknown entity {value!r}; expected one of {', '.join(ENTITIES)}")
    return values


def _threshold(table: Any, default: float) -> float:
    value = table.number("score_threshold", default)
    if value > 1:
        raise table.error("score_threshold", f"must be at most 1, got {value}")
    return value


def _rules(root: Any) -> tuple[FieldRule, ...]:
    rules = []
    for entry in root.tables("rules"):
        path = entry.string("path")
        try:
            parse_selector(path)
        except SelectorError as exc:
            raise entry.error("path", str(exc)) from None
        action = entry.string("action", choices=RULE_ACTIONS)
        label = entry.string("label", "[REDACTED]")
        if "label" in entry.data and action != "replace":
            raise entry.error("label", f"only a `replace` rule has a label (this rule's action is {action!r})")
        entry.finish()
        rules.append(FieldRule(path, action, label))
    return tuple(rules)


def _actions(table: Any) -> dict[str, str]:
    actions = dict(DEFAULT_ENTITY_ACTIONS)
    for entity in list(table.data):
        if entity not in ENTITIES:
            raise table.error(entity, f"unknown entity; expected one of {', '.join(ENTITIES)}")
        action = table.string(entity, choices=DETECTOR_ACTIONS)
        if action == "truncate_ip" and entity != "IP_ADDRESS":
            raise table.error(entity, "truncate_ip applies to IP_ADDRESS only")
        actions[entity] = action
    table.finish()
    return actions


def read_pii(root: Table) -> PiiConfig:
    """The `[pii]` table; raises PolicyError(file, "pii.<key>", problem)."""
    d = PiiConfig()
    settings: dict[str, Any] = {**_hashing(root, d), "ner_model": _ner_model(root)}
    settings.update(_detectors(root.table("detectors"), d))
    settings["strict"] = _free_text(root.table("free_text"))
    settings.update(_limits(root.table("limits"), d))
    config = PiiConfig(
        enabled=root.boolean("enabled", True),
        sensitive_keys=root.strings("sensitive_keys", d.sensitive_keys),
        extra_sensitive_keys=root.strings("extra_sensitive_keys", ()),
        safe_fields=_selectors(root, "safe_fields", d.safe_fields),
        event_names_kept=root.strings("event_names_kept", ()),
        id_fields=_selectors(root, "id_fields", d.id_fields),
        rules=_rules(root),
        default_rules=root.boolean("default_rules", True),
        free_text_keys=root.strings("free_text_keys", d.free_text_keys),
        allow_values=root.strings("allow_values", ()),
        url_secret_params=root.strings("url_secret_params", d.url_secret_params),
        **settings,
    )
    root.finish()
    return config


def _hashing(root: Table, d: PiiConfig) -> dict[str, Any]:
    hash_prefix = root.string("hash_prefix", d.hash_prefix)
    if not hash_prefix or hash_prefix != hash_prefix.strip():
        # The prefix tells a pseudonym from other hex (so that it is not hashed again): it cannot be empty.
        raise root.error("hash_prefix", f"must be a non-empty prefix without spaces, got {hash_prefix!r}")
    hash_length = root.integer("hash_length", d.hash_length, minimum=8)
    if hash_length > 64:
        raise root.error("hash_length", f"must be at most 64 (the hex digits of SHA-256), got {hash_length}")
    ipv4_prefix = root.integer("ipv4_prefix", d.ipv4_prefix)
    if ipv4_prefix > 32:
        raise root.error("ipv4_prefix", f"must be at most 32, got {ipv4_prefix}")
    ipv6_prefix = root.integer("ipv6_prefix", d.ipv6_prefix)
    if ipv6_prefix > 128:
        raise root.error("ipv6_prefix", f"must be at most 128, got {ipv6_prefix}")
    return {"hash_prefix": hash_prefix, "hash_length": hash_length, "ipv4_prefix": ipv4_prefix,
            "ipv6_prefix": ipv6_prefix}


def _ner_model(root: Table) -> str:
    ner_model = root.string("ner_model", "")
    if ner_model and not (Path(ner_model) / "config.cfg").is_file():
        # An installed model package (site-packages/en_core_web_sm) holds the model one directory down.
        inner = [p for p in Path(ner_model).glob("*/config.cfg")] if Path(ner_model).is_dir() else []
        if len(inner) == 1:
            ner_model = str(inner[0].parent)
    if ner_model and not (Path(ner_model) / "config.cfg").is_file():
        raise root.error(
            "ner_model",
            f"{ner_model!r} is not a spaCy model directory (no config.cfg); install a model package (e.g. the "
            "en_core_web_sm wheel from spaCy's model releases) and give its directory, as printed by "
            "`python -c 'import en_core_web_sm, os; print(os.path.dirname(en_core_web_sm.__file__))'`",
        )
    return ner_model


def _detectors(detectors: Table, d: PiiConfig) -> dict[str, Any]:
    standard = DetectorClass(
        entities=_entities(detectors, "entities", STANDARD.entities),
        score_threshold=_threshold(detectors, STANDARD.score_threshold),
    )
    regions = detectors.strings("phone_regions", d.phone_regions)
    import phonenumbers  # light (no Presidio): the region list is its metadata

    unknown = [r for r in regions if r not in phonenumbers.SUPPORTED_REGIONS]
    if unknown:
        raise detectors.error("phone_regions", f"unknown region {unknown[0]!r}; use ISO 3166 codes such as US, GB, DE")
    leniency = detectors.integer("phone_leniency", d.phone_leniency)
    if leniency > 3:
        raise detectors.error("phone_leniency", f"must be 0..3, got {leniency}")
    actions = _actions(detectors.table("actions"))
    detectors.finish()
    return {"standard": standard, "phone_regions": regions, "phone_leniency": leniency, "entity_actions": actions}


def _free_text(free_text: Table) -> DetectorClass:
    strict = DetectorClass(
        entities=_entities(free_text, "entities", STRICT.entities),
        score_threshold=_threshold(free_text, STRICT.score_threshold),
        digit_run=free_text.integer("digit_run", STRICT.digit_run),
    )
    if 0 < strict.digit_run < 4:
        raise free_text.error("digit_run", f"must be 0 (off) or at least 4, got {strict.digit_run}")
    free_text.finish()
    return strict


def _limits(limits: Table, d: PiiConfig) -> dict[str, Any]:
    max_depth = limits.integer("max_depth", d.max_depth, minimum=1)
    if max_depth > 200:
        raise limits.error("max_depth", f"must be at most 200 (Python's recursion limit), got {max_depth}")
    max_scan_chars = limits.integer("max_scan_chars", d.max_scan_chars, minimum=64)
    window_chars = limits.integer("window_chars", d.window_chars, minimum=256)
    window_overlap = limits.integer("window_overlap", d.window_overlap)
    if window_overlap >= window_chars:
        raise limits.error("window_overlap", f"must be below window_chars ({window_chars}), got {window_overlap}")
    regex_timeout_ms = limits.integer("regex_timeout_ms", d.regex_timeout_ms, minimum=1)
    if regex_timeout_ms >= 1000:
        raise limits.error("regex_timeout_ms", f"must be below 1000 (one second per regex is a denial of service), "
                                               f"got {regex_timeout_ms}")
    max_scan_ms = limits.integer("max_scan_ms", d.max_scan_ms, minimum=1)
    if max_scan_ms >= 1000:
        raise limits.error("max_scan_ms", f"must be below 1000, got {max_scan_ms}")
    values = {"max_depth": max_depth, "max_scan_chars": max_scan_chars, "window_chars": window_chars,
              "window_overlap": window_overlap, "regex_timeout_ms": regex_timeout_ms, "max_scan_ms": max_scan_ms,
              "cache_entries": limits.integer("cache_entries", d.cache_entries),
              "cache_max_chars": limits.integer("cache_max_chars", d.cache_max_chars)}
    limits.finish()
    return values

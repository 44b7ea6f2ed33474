"""What a request and its event say about consent: each signal read into purpose decisions, and the malformed ones.

| kind           | where it is read                                                        | what it can say         |
|----------------|-------------------------------------------------------------------------|-------------------------|
| `gpc`          | header `Sec-GPC: 1`; `context.consent.gpc = true` (stamped at the edge) | opt-out of gpc_purposes |
| `segment`      | `context.consent.categoryPreferences` {category: bool}                  | per category            |
| `rudderstack`  | `context.consentManagement` {allowedConsentIds, deniedConsentIds,       | per consent id          |
|                |  provider, resolutionStrategy "and" / "or"}                             |                         |
| `property`     | `properties.$consent` (or `traits.$consent`) {purpose: bool}            | per purpose             |
| `tcf`          | query `gdpr_consent`, `context.consent.tcString`,                       | per purpose             |
|                | `context.gdpr_consent`; GDPR applies: query `gdpr` (0/1),               |                         |
|                | `context.consent.gdprApplies`                                           |                         |
| `consent_mode` | query `gcs`, `context.consent.gcs` (e.g. G101)                          | per signal              |
| `us_privacy`   | query `us_privacy`, `context.consent.usPrivacy`, `context.us_privacy`   | opt-out of gpc_purposes |
|                | (the IAB US Privacy string, e.g. 1YYN: version, notice, opted out of    | when opted out of sale; |
|                | sale, LSPA)                                                             | nothing otherwise       |

A signal that is present but cannot be read exactly is malformed: it is listed (for metrics) and the decision fails
closed (decision.py). Reading never raises, whatever the event holds.

Unlike RudderStack's own filter, which acts only when `deniedConsentIds` is non-empty and ignores
`allowedConsentIds` (fail-open), both lists are read here: an id that is not allowed grants nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

from policies.consent import tcf
from policies.consent.config import ConsentConfig
from policies.consent.gcs import parse_gcs
from policies.consent.mappings import NECESSARY, normalise
from policies.event import Event

KINDS = ("gpc", "segment", "rudderstack", "property", "tcf", "consent_mode", "us_privacy")
GPC_HEADER = "sec-gpc"
RESOLUTION_STRATEGIES = ("and", "or")
TC_MEMO_ENTRIES = 1024  # TC strings remembered per configuration (see ConsentConfig.tc_memo) ...
TC_MEMO_MAX_CHARS = 4096  # ... if no longer than this: at most 4 MB


@dataclass(frozen=True, slots=True)
class Signal:
    kind: str  # one of KINDS
    where: str  # e.g. "query:gdpr_consent" or "context.consent.categoryPreferences"
    purposes: Mapping[str, bool]  # the purposes this signal speaks about: granted (True) or denied (False)


@dataclass(frozen=True, slots=True)
class Malformed:
    kind: str
    where: str
    problem: str


@dataclass(frozen=True, slots=True)
class Signals:
    gpc: bool = False
    gdpr_applies: bool | None = None  # None: nothing said; True makes an opt-out source's default a denial
    signals: tuple[Signal, ...] = ()
    malformed: tuple[Malformed, ...] = ()


class _Bad(Exception):
    """A signal that is present but not readable."""


class _Collected:
    def __init__(self) -> None:
        self.gpc = False
        self.gdpr_applies: bool | None = None
        self.signals: list[Signal] = []
        self.malformed: list[Malformed] = []

    def read(self, kind: str, where: str, reader: _Reader, value: Any, config: ConsentConfig) -> None:
        try:
            purposes = reader(self, value, config)
        except _Bad as bad:
            self.malformed.append(Malformed(kind, where, str(bad)))
        except Exception as exc:  # noqa: BLE001 - garbage must never stop ingest; it is a malformed signal like any other
            self.malformed.append(Malformed(kind, where, f"unreadable ({type(exc).__name__})"))
        else:
            if purposes is not None:
                self.signals.append(Signal(kind, where, purposes))


# A reader gets a value that is present (not None) and returns the purposes it speaks about, or None when it says
# nothing about purposes (GPC, the GDPR flag: these set fields of _Collected); it raises _Bad when unreadable.
_Reader = Callable[[_Collected, Any, ConsentConfig], "Mapping[str, bool] | None"]


def read_signals(
    event: Event, headers: Mapping[str, str], query: Mapping[str, str], config: ConsentConfig
) -> Signals:
    """Everything the request (`headers`, `query`) and `event` say about consent, per purpose of `config`."""
    found = _Collected()
    context = event.context if isinstance(event.context, dict) else {}
    consent = context.get("consent")
    if consent is not None and not isinstance(consent, dict):
        found.malformed.append(Malformed("segment", "context.consent", "expected an object"))
        consent = None
    consent = consent or {}
    prop = config.event_property
    properties = event.properties if isinstance(event.properties, dict) else {}
    traits = event.traits if isinstance(event.traits, dict) else {}

    for kind, where, reader, value in (
        ("gpc", "header:Sec-GPC", _gpc_header, _header(headers, GPC_HEADER)),
        ("gpc", "context.consent.gpc", _gpc_stamp, consent.get("gpc")),
        ("segment", "context.consent.categoryPreferences", _segment, consent.get("categoryPreferences")),
        ("rudderstack", "context.consentManagement", _rudderstack, context.get("consentManagement")),
        ("property", f"properties.{prop}", _property, properties.get(prop)),
        ("property", f"traits.{prop}", _property, traits.get(prop)),
        ("tcf", "query:gdpr", _gdpr_applies, query.get("gdpr")),
        ("tcf", "context.consent.gdprApplies", _gdpr_applies, consent.get("gdprApplies")),
        ("tcf", "query:gdpr_consent", _tc_string, query.get("gdpr_consent")),
        ("tcf", "context.consent.tcString", _tc_string, consent.get("tcString")),
        ("tcf", "context.gdpr_consent", _tc_string, context.get("gdpr_consent")),
        ("consent_mode", "query:gcs", _gcs, query.get("gcs")),
        ("consent_mode", "context.consent.gcs", _gcs, consent.get("gcs")),
        ("us_privacy", "query:us_privacy", _us_privacy, query.get("us_privacy")),
        ("us_privacy", "context.consent.usPrivacy", _us_privacy, consent.get("usPrivacy")),
        ("us_privacy", "context.us_privacy", _us_privacy, context.get("us_privacy")),
    ):
        if value is not None:
            found.read(kind, where, reader, value, config)
    return Signals(found.gpc, found.gdpr_applies, tuple(found.signals), tuple(found.malformed))


_CONTEXT_PLACES = ("consent", "consentManagement", "gdpr_consent", "us_privacy")


def event_places(event: Event, config: ConsentConfig) -> tuple[Any, ...]:
    """The values of every place in `event` that read_signals looks at (None where absent). Two events with equal
    places, in the same request, have equal signals: the pipeline decides once for them. (Keep in step with
    read_signals' table above.)"""
    context = event.context if isinstance(event.context, dict) else {}
    prop = config.event_property
    properties = event.properties if isinstance(event.properties, dict) else {}
    traits = event.traits if isinstance(event.traits, dict) else {}
    return (
        *(context.get(name) for name in _CONTEXT_PLACES),
        None if event.context is None or isinstance(event.context, dict) else event.context,
        properties.get(prop),
        traits.get(prop),
    )


def gpc_requested(headers: Mapping[str, str]) -> bool:
    """Whether the request carries `Sec-GPC: 1`."""
    value = _header(headers, GPC_HEADER)
    return isinstance(value, str) and value.strip() == "1"


def record_gpc(event: Event, headers: Mapping[str, str]) -> Event:
    """`event` with the request's GPC opt-out stamped into `context.consent.gpc`, so that every later stage (and a
    re-read from the outbox) sees it; `event` itself when there is none. The input is never changed.

    A `context.consent` that is not an object is left as it is: it is a malformed signal, which already refuses
    everything GPC would."""
    if not gpc_requested(headers):
        return event
    context = dict(event.context) if isinstance(event.context, dict) else {}
    consent = context.get("consent")
    if consent is None:
        consent = {}
    elif not isinstance(consent, dict):
        return event
    context["consent"] = {**consent, "gpc": True}
    return replace(event, context=context)


# -- the readers (see _Reader) ----------------------------------------------------------------------------------------


def _header(headers: Mapping[str, str], name: str) -> Any:
    value = headers.get(name)
    if value is None and type(headers) is dict:  # Starlette's Headers is case-insensitive; a plain dict is not
        for key, candidate in headers.items():
            if isinstance(key, str) and key.lower() == name:
                return candidate
    return value


def _gpc_header(found: _Collected, value: Any, config: ConsentConfig) -> None:
    if not isinstance(value, str) or value.strip() != "1":
        raise _Bad(f"Sec-GPC must be 1 when sent, got {value!r:.40}")
    found.gpc = True
    return None


def _gpc_stamp(found: _Collected, value: Any, config: ConsentConfig) -> None:
    if value is False:
        return None
    if value is not True:
        raise _Bad(f"expected true or false, got {value!r:.40}")
    found.gpc = True
    return None


def _flags(value: Any, what: str) -> dict[str, bool]:
    if not isinstance(value, dict):
        raise _Bad(f"expected an object of {what}: true/false, got {type(value).__name__}")
    for key, flag in value.items():
        if not isinstance(flag, bool):
            raise _Bad(f"{what} {key!r:.40} is {flag!r:.40}, not true or false")
    return value


def _resolve(said: Iterable[tuple[str, bool]], table: Mapping[str, tuple[str, ...]], strategy: str) -> dict[str, bool]:
    """Purposes from (category or id, granted) pairs. Several that map to one purpose resolve by `strategy`:
    "and" grants only if every one mentioned is granted, "or" if any is. Unmapped names say nothing."""
    votes: dict[str, list[bool]] = {}
    for name, granted in said:
        for purpose in table.get(normalise(name), ()):
            votes.setdefault(purpose, []).append(granted)
    combine = all if strategy == "and" else any
    return {purpose: combine(values) for purpose, values in votes.items()}


def _segment(found: _Collected, value: Any, config: ConsentConfig) -> dict[str, bool]:
    preferences = _flags(value, "category")
    return _resolve(preferences.items(), config.segment_categories, "and")


def _consent_ids(value: Any, field: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, dict):  # rudder-sdk-js also accepts an object keyed by consent id
        value = list(value)
    if not isinstance(value, list):
        raise _Bad(f"{field} must be an array of consent ids, got {type(value).__name__}")
    ids = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, (str, int)):
            raise _Bad(f"{field} holds {item!r:.40}, not a consent id")
        ids.append(str(item))
    return ids


def _rudderstack(found: _Collected, value: Any, config: ConsentConfig) -> dict[str, bool]:
    if not isinstance(value, dict):
        raise _Bad(f"expected an object, got {type(value).__name__}")
    allowed = _consent_ids(value.get("allowedConsentIds"), "allowedConsentIds")
    denied = _consent_ids(value.get("deniedConsentIds"), "deniedConsentIds")
    both = {normalise(i) for i in allowed} & {normalise(i) for i in denied}
    if both:
        raise _Bad(f"consent id {sorted(both)[0]!r:.40} is both allowed and denied")
    # Missing (or provider "custom", whose strategy RudderStack takes from its own destination settings): "and",
    # the stricter.
    strategy = value.get("resolutionStrategy")
    strategy = "and" if strategy is None or strategy == "" else strategy
    if not isinstance(strategy, str) or strategy.lower() not in RESOLUTION_STRATEGIES:
        raise _Bad(f"resolutionStrategy must be and or or, got {strategy!r:.40}")
    said = [(i, True) for i in allowed] + [(i, False) for i in denied]
    return _resolve(said, config.rudderstack_ids, strategy.lower())


def _property(found: _Collected, value: Any, config: ConsentConfig) -> dict[str, bool]:
    flags = _flags(value, "purpose")
    declared = set(config.purposes) - {NECESSARY}
    purposes: dict[str, bool] = {}
    for key, granted in flags.items():
        name = key.lower() if isinstance(key, str) else key
        if name in declared:
            purposes[name] = purposes.get(name, True) and granted
    return purposes


def _gdpr_applies(found: _Collected, value: Any, config: ConsentConfig) -> None:
    if value == "":
        return None
    if value is True or value == "1" or (type(value) is int and value == 1):
        found.gdpr_applies = True
    elif value is False or value == "0" or (type(value) is int and value == 0):
        found.gdpr_applies = found.gdpr_applies or False  # "applies" anywhere wins over "does not apply"
    else:
        raise _Bad(f"expected 0 or 1, got {value!r:.40}")
    return None


def _tc_string(found: _Collected, value: Any, config: ConsentConfig) -> Mapping[str, bool] | None:
    if value == "":
        return None  # `gdpr=0&gdpr_consent=` is how tags say "no TC string"
    if not isinstance(value, str):
        raise _Bad(f"expected a TC string, got {type(value).__name__}")
    memo = config.tc_memo
    known = memo.get(value)
    if known is None:
        known = _tc_purposes(value, config)
        if len(value) <= TC_MEMO_MAX_CHARS:
            if len(memo) >= TC_MEMO_ENTRIES:
                memo.clear()
            memo[value] = known
    if isinstance(known, str):
        raise _Bad(known)
    return known


def _tc_purposes(value: str, config: ConsentConfig) -> Mapping[str, bool] | str:
    """What a TC string says per purpose, or why it is malformed."""
    try:
        decoded = tcf.decode(value)
    except tcf.TCStringError as exc:
        return f"not a TCF v2 TC string: {exc}"
    consented = decoded.purposes_consent
    if config.tcf_legitimate_interest:
        consented = consented | (decoded.purposes_li_transparency & tcf.LEGITIMATE_INTEREST_PURPOSES)
    return MappingProxyType({
        purpose: all(any(number in consented for number in clause) for clause in clauses)
        for purpose, clauses in config.tcf_purposes.items()
    })


def _gcs(found: _Collected, value: Any, config: ConsentConfig) -> dict[str, bool] | None:
    if value == "":
        return None
    try:
        states = parse_gcs(value)
    except ValueError as exc:
        raise _Bad(str(exc)) from None
    purposes: dict[str, bool] = {}
    for signal, granted in states.items():
        for purpose in config.consent_mode.get(signal, ()):
            purposes[purpose] = purposes.get(purpose, True) and granted
    return purposes


_US_PRIVACY = re.compile(r"1[YN-]{3}")


def _us_privacy(found: _Collected, value: Any, config: ConsentConfig) -> Mapping[str, bool] | None:
    """The IAB US Privacy string (CCPA): its third character says whether the person opted out of the sale of their
    data, the opt-out GPC also expresses; so `Y` denies the gpc_purposes. `N` and `-` say nothing: under an opt-out
    law, not having opted out is not consent."""
    if not isinstance(value, str) or not _US_PRIVACY.fullmatch(value.upper()):
        raise _Bad(f"a US Privacy string is 1 and three of Y, N or -, got {value!r:.40}")
    if value[2].upper() != "Y":
        return None
    return MappingProxyType({purpose: False for purpose in config.gpc_purposes})

"""The `[consent]` section of a policy: the purposes, and how each consent signal maps onto them.

Every key is optional; a policy without `[consent]` gets the defaults of mappings.py.

    [consent]
    purposes = ["necessary", "analytics", "session_replay", "marketing", "advertising"]
                                         # what destinations may need; `necessary` is always granted (added if missing)
    gpc_purposes = ["marketing", "advertising"]   # what GPC (Sec-GPC: 1) and a US Privacy opt-out of sale opt out of
    event_property = "$consent"          # properties.$consent = {"analytics": true, ...}: consent from other SDKs
    tcf_legitimate_interest = false      # true: a TCF purpose that may rest on legitimate interest (2, 7-11) counts
                                         # when its legitimate-interest bit is set, not only its consent bit
    on_withdrawal = "stop_new"           # a withdrawal stops new events; "purge_queued" also removes the subject's
                                         # queued ones (withdrawals from a server key, a token or the admin API only)
    token_key = "${CONSENT_TOKEN_KEY}"   # HMAC-SHA256 secret of signed consent tokens (HS256), at least 32 characters
    token_public_key = "..."             # and/or the Ed25519 public key (PEM, or 32 bytes base64) of EdDSA tokens
    token_max_lifetime_s = 3600          # a token's exp may be at most this far after its iat

    [consent.segment_categories]         # Segment context.consent.categoryPreferences keys → purposes
    "Analytics" = ["analytics"]          # merged over the defaults; `[]` unmaps a default; case and punctuation
    "Functional" = []                    # are ignored ("Data Sharing" = "data_sharing" = "DataSharing")

    [consent.rudderstack_ids]            # RudderStack context.consentManagement consent ids → purposes (same rules)
    C0002 = ["analytics"]

    [consent.tcf_purposes]               # gateway purpose → TCF purposes a TC string must consent to:
    analytics = [1, [8, 9, 10]]          # "1, and one of 8, 9 or 10"; [] means TC strings say nothing about it

    [consent.consent_mode]               # Google Consent Mode signals (gcs) → purposes
    analytics_storage = ["analytics"]
    ad_storage = ["advertising", "marketing"]

Destinations name the purposes they need (`purposes`, checked by `validate_purposes`) and what happens when consent is
missing (`on_missing_consent`, one of ON_MISSING_CONSENT).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from policies.consent.gcs import SIGNALS as CONSENT_MODE_SIGNALS
from policies.consent.mappings import (
    DEFAULT_CATEGORIES,
    DEFAULT_CONSENT_MODE,
    DEFAULT_EVENT_PROPERTY,
    DEFAULT_GPC_PURPOSES,
    DEFAULT_PURPOSES,
    DEFAULT_TCF_PURPOSES,
    NECESSARY,
    normalise,
)
from policies.ed25519 import public_key_bytes
from policies.table import PolicyError, Table

# A source's `consent_model`: opt-in (nothing beyond necessary until granted) or opt-out (granted until denied).
CONSENT_MODELS = ("opt-in", "opt-out")

# A destination's `on_missing_consent`: what happens to an event whose needed purposes were never granted.
# An explicit refusal (a denial, GPC, a malformed signal) always drops; see verdict.py.
ON_MISSING_CONSENT = ("drop", "anonymize")
DEFAULT_ON_MISSING_CONSENT = "drop"

# What a withdrawal does to the subject's events already accepted and queued for delivery. `stop_new`: they were
# accepted under the consent then in force, and are delivered as acknowledged; `purge_queued`: they are removed.
ON_WITHDRAWAL = ("stop_new", "purge_queued")
MIN_TOKEN_KEY_CHARS = 32

# Purpose names become metric labels, ledger keys and keys of the documented event property.
_PURPOSE_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
_TCF_PURPOSE_IDS = range(1, 25)  # the core string has 24 purpose bits


@dataclass(frozen=True)
class ConsentConfig:
    purposes: tuple[str, ...] = DEFAULT_PURPOSES
    gpc_purposes: tuple[str, ...] = DEFAULT_GPC_PURPOSES
    event_property: str = DEFAULT_EVENT_PROPERTY
    tcf_legitimate_interest: bool = False
    # Keys normalised (mappings.normalise); every value names declared purposes only.
    segment_categories: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: _defaults(DEFAULT_CATEGORIES, DEFAULT_PURPOSES)
    )
    rudderstack_ids: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: _defaults(DEFAULT_CATEGORIES, DEFAULT_PURPOSES)
    )
    tcf_purposes: Mapping[str, tuple[tuple[int, ...], ...]] = field(default_factory=lambda: dict(DEFAULT_TCF_PURPOSES))
    consent_mode: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_CONSENT_MODE))
    on_withdrawal: str = "stop_new"
    token_key: str = ""  # HS256 consent tokens; empty: not accepted
    token_public_key: bytes = b""  # raw Ed25519 public key of EdDSA consent tokens; empty: not accepted
    token_max_lifetime_s: float = 3600.0
    # TC strings already read, with what they said under this configuration (signals.py): a request's string comes
    # with every event of its batch, a user's with each of their events. Bounded; lives as long as the policy; not
    # part of the configuration's value.
    tc_memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def _defaults(table: Mapping[str, tuple[str, ...]], purposes: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """A default category table for `purposes`: each declared purpose's own name, then the table's entries, with
    purposes the policy does not declare left out."""
    declared = set(purposes) - {NECESSARY}
    merged: dict[str, tuple[str, ...]] = {normalise(p): (p,) for p in purposes if p in declared}
    for key, targets in table.items():
        kept = tuple(p for p in targets if p in declared)
        if kept:
            merged[normalise(key)] = kept
    return merged


def read_consent(root: Table) -> ConsentConfig:
    """The `[consent]` table."""
    purposes = _purposes(root)
    declared = set(purposes)

    gpc = root.strings("gpc_purposes", tuple(p for p in DEFAULT_GPC_PURPOSES if p in declared))
    for i, name in enumerate(gpc):
        if name == NECESSARY:
            raise root.error(f"gpc_purposes[{i}]", f"{NECESSARY!r} is always granted; GPC cannot opt out of it")
        if name not in declared:
            raise root.error(f"gpc_purposes[{i}]", _undeclared(name, purposes))

    event_property = root.string("event_property", DEFAULT_EVENT_PROPERTY)
    if not event_property or "." in event_property:
        raise root.error("event_property", f"expected a property name without dots, got {event_property!r}")

    config = ConsentConfig(
        purposes=purposes,
        gpc_purposes=gpc,
        event_property=event_property,
        tcf_legitimate_interest=root.boolean("tcf_legitimate_interest", False),
        segment_categories=_categories(root.table("segment_categories"), purposes),
        rudderstack_ids=_categories(root.table("rudderstack_ids"), purposes),
        tcf_purposes=_tcf_purposes(root.table("tcf_purposes"), purposes),
        consent_mode=_consent_mode(root.table("consent_mode"), purposes),
        on_withdrawal=root.string("on_withdrawal", "stop_new", choices=ON_WITHDRAWAL),
        token_key=_token_key(root),
        token_public_key=_token_public_key(root),
        token_max_lifetime_s=root.number("token_max_lifetime_s", 3600.0, minimum=1.0),
    )
    root.finish()
    return config


def _token_key(root: Table) -> str:
    key = root.string("token_key", "")
    if key and len(key) < MIN_TOKEN_KEY_CHARS:
        raise root.error("token_key", f"too short: use at least {MIN_TOKEN_KEY_CHARS} random characters "
                                      "(e.g. `openssl rand -hex 32`), shared with the backend that issues tokens")
    return key


def _token_public_key(root: Table) -> bytes:
    text = root.string("token_public_key", "").strip()
    if not text:
        return b""
    try:
        return public_key_bytes(text)
    except ValueError as error:
        raise root.error("token_public_key", str(error)) from None


def _purposes(root: Table) -> tuple[str, ...]:
    purposes = root.strings("purposes", DEFAULT_PURPOSES)
    seen: set[str] = set()
    for i, name in enumerate(purposes):
        if not _PURPOSE_NAME.fullmatch(name):
            raise root.error(f"purposes[{i}]", f"expected a lower-case name of letters, digits and _, got {name!r}")
        if name in seen:
            raise root.error(f"purposes[{i}]", f"duplicate purpose {name!r}")
        seen.add(name)
    return purposes if NECESSARY in seen else (NECESSARY, *purposes)


def _undeclared(name: str, purposes: Sequence[str]) -> str:
    return f"unknown purpose {name!r}; declared purposes (consent.purposes): {', '.join(purposes)}"


def _purpose_list(table: Table, key: str, purposes: Sequence[str]) -> tuple[str, ...]:
    names = table.strings(key)
    for i, name in enumerate(names):
        if name == NECESSARY:
            raise table.error(f"{key}[{i}]", f"{NECESSARY!r} is always granted; no signal maps onto it")
        if name not in purposes:
            raise table.error(f"{key}[{i}]", _undeclared(name, purposes))
    return names


def _categories(table: Table, purposes: Sequence[str]) -> dict[str, tuple[str, ...]]:
    merged = _defaults(DEFAULT_CATEGORIES, purposes)
    written: dict[str, str] = {}
    for key in list(table.data):
        normal = normalise(key)
        if not normal:
            raise table.error(key, "a category or consent id needs at least one letter or digit")
        if normal in written:
            raise table.error(key, f"the same key as {written[normal]!r} (case and punctuation are ignored)")
        written[normal] = key
        targets = _purpose_list(table, key, purposes)
        if targets:
            merged[normal] = targets
        else:
            merged.pop(normal, None)
    table.finish()
    return merged


def _tcf_purposes(table: Table, purposes: Sequence[str]) -> dict[str, tuple[tuple[int, ...], ...]]:
    merged = {p: clauses for p, clauses in DEFAULT_TCF_PURPOSES.items() if p in purposes}
    for name in list(table.data):
        if name == NECESSARY:
            raise table.error(name, f"{NECESSARY!r} is always granted; TC strings do not decide it")
        if name not in purposes:
            raise table.error(name, _undeclared(name, purposes))
        value = table._get(name, None, (list,), "an array of TCF purpose numbers (1-24) or arrays of them")
        clauses = []
        for i, item in enumerate(value):
            alternatives = item if isinstance(item, list) else [item]
            if not alternatives:
                raise table.error(f"{name}[{i}]", "an empty alternative can never be satisfied")
            for number in alternatives:
                if isinstance(number, bool) or not isinstance(number, int) or number not in _TCF_PURPOSE_IDS:
                    raise table.error(f"{name}[{i}]", f"expected TCF purpose numbers 1-24, got {number!r}")
            clauses.append(tuple(alternatives))
        if clauses:
            merged[name] = tuple(clauses)
        else:
            merged.pop(name, None)
    table.finish()
    return merged


def _consent_mode(table: Table, purposes: Sequence[str]) -> dict[str, tuple[str, ...]]:
    merged = {
        signal: kept
        for signal, targets in DEFAULT_CONSENT_MODE.items()
        if (kept := tuple(p for p in targets if p in purposes))
    }
    for signal in list(table.data):
        if signal not in CONSENT_MODE_SIGNALS:
            raise table.error(signal, f"unknown Consent Mode signal; gcs carries {', '.join(CONSENT_MODE_SIGNALS)}")
        targets = _purpose_list(table, signal, purposes)
        if targets:
            merged[signal] = targets
        else:
            merged.pop(signal, None)
    table.finish()
    return merged


def validate_purposes(config: ConsentConfig, purposes: Sequence[str], file: str, key: str) -> None:
    """Check a destination's `purposes` (at `key`, e.g. "destinations[0].purposes") against the declared ones."""
    if not purposes:
        needs_none = f"[{NECESSARY!r}]"
        raise PolicyError(file, key, f"needs at least one purpose (a destination that needs no consent: {needs_none})")
    for i, name in enumerate(purposes):
        if name not in config.purposes:
            raise PolicyError(file, f"{key}[{i}]", _undeclared(name, config.purposes))

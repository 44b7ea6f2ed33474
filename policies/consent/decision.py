"""Decide, for one event, whether each purpose is granted, and why.

Precedence, the first rule that applies wins:

1. `necessary` is granted                                                  → "necessary"
2. GPC denies the gpc_purposes; nothing overrides it                       → "gpc"
3. a malformed signal denies every other purpose for this event            → "malformed_signal"
4. a denial in the ledger (the consent API) denies                         → "ledger_denied"
5. a denial in the event or request denies                                 → "<kind>_denied", e.g. "tcf_denied"
6. a grant in the ledger grants                                            → "ledger_granted"
7. a grant in the event or request grants                                  → "<kind>_granted", e.g. "segment_granted"
8. nothing said: the source's consent_model decides; opt-in denies          → "default_opt_in"
   and opt-out grants, except when the request says GDPR applies (gdpr=1),  → "default_opt_out"
   which needs consent first                                                → "default_gdpr"

Why denials come before grants whatever their source: the signals carry no trustworthy time (an event's timestamp is
the client's), so "the newest wins" cannot be decided; and a refusal wrongly honoured costs some data, while a grant
wrongly honoured sends someone's data where they said no. So an in-event grant cannot lift a denial stored in the
ledger: recording the new grant through the consent API does. Every rule can only deny more as signals are added:
a denial, a GPC signal or a malformed signal never grants anything (tests/policies/test_consent_decision.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from policies.consent.config import CONSENT_MODELS, ConsentConfig
from policies.consent.mappings import NECESSARY
from policies.consent.signals import KINDS, Signals


@dataclass(frozen=True, slots=True)
class PurposeConsent:
    granted: bool
    reason: str  # a short label, for metrics; see REASONS


def _outcome(granted: bool, reason: str) -> PurposeConsent:
    return PurposeConsent(granted, reason)


NECESSARY_GRANTED = _outcome(True, "necessary")
GPC_DENIED = _outcome(False, "gpc")
MALFORMED_DENIED = _outcome(False, "malformed_signal")
LEDGER_DENIED = _outcome(False, "ledger_denied")
LEDGER_GRANTED = _outcome(True, "ledger_granted")
DEFAULT_OPT_IN = _outcome(False, "default_opt_in")
DEFAULT_OPT_OUT = _outcome(True, "default_opt_out")
DEFAULT_GDPR = _outcome(False, "default_gdpr")
_STATING_KINDS = tuple(kind for kind in KINDS if kind != "gpc")  # GPC only ever opts out: rule 2
_GRANTING_KINDS = tuple(kind for kind in _STATING_KINDS if kind != "us_privacy")  # it can only opt out too: rule 5
_SIGNAL_DENIED = {kind: _outcome(False, f"{kind}_denied") for kind in _STATING_KINDS}
_SIGNAL_GRANTED = {kind: _outcome(True, f"{kind}_granted") for kind in _GRANTING_KINDS}

# Every reason `decide` can give, so that metrics can be labelled with a known, bounded set.
REASONS = tuple(
    o.reason
    for o in (NECESSARY_GRANTED, GPC_DENIED, MALFORMED_DENIED, LEDGER_DENIED, LEDGER_GRANTED,
              *_SIGNAL_DENIED.values(), *_SIGNAL_GRANTED.values(), DEFAULT_OPT_IN, DEFAULT_OPT_OUT, DEFAULT_GDPR)
)
# Denials that only mean nobody has said yes yet: a destination's on_missing_consent applies to these. Any other
# denial is a refusal (someone said no, or said something unreadable), and a refused event is never forwarded.
MISSING_REASONS = frozenset({DEFAULT_OPT_IN.reason, DEFAULT_GDPR.reason})


@dataclass(frozen=True, slots=True)
class Consent:
    purposes: Mapping[str, PurposeConsent]  # every declared purpose

    def granted(self, purpose: str) -> bool:
        outcome = self.purposes.get(purpose)
        return outcome is not None and outcome.granted

    def reason(self, purpose: str) -> str | None:
        outcome = self.purposes.get(purpose)
        return None if outcome is None else outcome.reason

    @property
    def granted_purposes(self) -> frozenset[str]:
        return frozenset(p for p, outcome in self.purposes.items() if outcome.granted)


def decide(
    signals: Signals, ledger: Mapping[str, bool] | None, consent_model: str, config: ConsentConfig
) -> Consent:
    """Consent per purpose for one event. `ledger` is the subject's current state from the consent API (None when
    nothing is recorded); `consent_model` is the source's, "opt-in" or "opt-out"."""
    if consent_model not in CONSENT_MODELS:
        raise ValueError(f"consent_model must be one of {', '.join(CONSENT_MODELS)}, got {consent_model!r}")
    if consent_model == "opt-in":
        default = DEFAULT_OPT_IN
    elif signals.gdpr_applies:
        default = DEFAULT_GDPR
    else:
        default = DEFAULT_OPT_OUT
    ledger = ledger or {}
    malformed = bool(signals.malformed)
    decided: dict[str, PurposeConsent] = {}
    for purpose in config.purposes:
        if purpose == NECESSARY:
            decided[purpose] = NECESSARY_GRANTED
        elif signals.gpc and purpose in config.gpc_purposes:
            decided[purpose] = GPC_DENIED
        elif malformed:
            decided[purpose] = MALFORMED_DENIED
        else:
            decided[purpose] = _explicit(purpose, signals, ledger.get(purpose)) or default
    return Consent(decided)


def _explicit(purpose: str, signals: Signals, stored: bool | None) -> PurposeConsent | None:
    if stored is False:
        return LEDGER_DENIED
    granted_by = None
    for signal in signals.signals:
        said = signal.purposes.get(purpose)
        if said is False:
            return _SIGNAL_DENIED[signal.kind]
        if said is True and granted_by is None:
            granted_by = signal.kind
    if stored is True:
        return LEDGER_GRANTED
    return None if granted_by is None else _SIGNAL_GRANTED[granted_by]

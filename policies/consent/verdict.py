"""What happens to one event at one destination: forward it, forward it anonymized, or drop it.

A destination names the purposes it needs and, in `on_missing_consent`, what to do when they were never granted:

- every needed purpose granted                       → forward
- one was refused: denied (ledger, event, GPC) or    → drop, whatever on_missing_consent says: anonymized data is
  the event carried a malformed signal                 still data about someone who said no (or whose answer
                                                       could not be read)
- one was only never granted (opt-in default, or     → on_missing_consent: "drop" (the default) or "anonymize"
  GDPR applies and nobody said yes)

The reason is the first blocking purpose's reason (decision.REASONS), or "granted".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from policies.consent.config import ON_MISSING_CONSENT
from policies.consent.decision import MISSING_REASONS, Consent

ACTIONS = ("forward", "anonymize", "drop")
UNDECLARED = "undeclared_purpose"  # the destination needs a purpose the policy does not declare (the loader refuses it)


@dataclass(frozen=True, slots=True)
class Verdict:
    action: str  # one of ACTIONS
    reason: str
    purpose: str | None = None  # the purpose that blocked forwarding as it is


FORWARD = Verdict("forward", "granted")


def verdict(consent: Consent, purposes_needed: Iterable[str], on_missing: str) -> Verdict:
    if on_missing not in ON_MISSING_CONSENT:
        raise ValueError(f"on_missing_consent must be one of {', '.join(ON_MISSING_CONSENT)}, got {on_missing!r}")
    missing: Verdict | None = None
    for purpose in purposes_needed:
        outcome = consent.purposes.get(purpose)
        if outcome is None:
            return Verdict("drop", UNDECLARED, purpose)
        if outcome.granted:
            continue
        if outcome.reason not in MISSING_REASONS:
            return Verdict("drop", outcome.reason, purpose)
        if missing is None:  # keep looking: a later purpose may have been refused outright
            missing = Verdict(on_missing, outcome.reason, purpose)
    return missing or FORWARD

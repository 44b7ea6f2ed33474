"""Consent: which purposes an event may be used for, and what each destination gets. Pure: no HTTP, no database.

    signals = read_signals(event, headers, query, config)        # signals.py: GPC, Segment, RudderStack, $consent,
                                                                  # TCF (tcf.py), Consent Mode (gcs.py)
    consent = decide(signals, ledger_state, source.consent_model, config)   # decision.py: precedence, reasons
    v = verdict(consent, destination.purposes, destination.on_missing_consent)   # verdict.py
    if v.action == "anonymize": event = anonymize(event, key, day)              # anonymize.py

The policy's `[consent]` section is read by `read_consent` (config.py); its defaults are in mappings.py.
"""

from policies.consent.anonymize import anonymize, pseudonym
from policies.consent.config import (
    CONSENT_MODELS,
    DEFAULT_ON_MISSING_CONSENT,
    ON_MISSING_CONSENT,
    ON_WITHDRAWAL,
    ConsentConfig,
    read_consent,
    validate_purposes,
)
from policies.consent.decision import MISSING_REASONS, REASONS, Consent, PurposeConsent, decide
from policies.consent.mappings import NECESSARY
from policies.consent.signals import KINDS, Malformed, Signal, Signals, gpc_requested, read_signals, record_gpc
from policies.consent.verdict import ACTIONS, Verdict, verdict

__all__ = [
    "ACTIONS", "CONSENT_MODELS", "DEFAULT_ON_MISSING_CONSENT", "KINDS", "MISSING_REASONS", "NECESSARY",
    "ON_MISSING_CONSENT", "ON_WITHDRAWAL", "REASONS",
    "Consent", "ConsentConfig", "Malformed", "PurposeConsent", "Signal", "Signals", "Verdict",
    "anonymize", "decide", "gpc_requested", "pseudonym", "read_consent", "read_signals", "record_gpc",
    "validate_purposes", "verdict",
]

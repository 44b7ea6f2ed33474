"""Per destination: forward when every needed purpose is granted; when consent is only missing, do what the
destination's on_missing_consent says; when it was refused, drop."""

from __future__ import annotations

import pytest

from policies.consent import ConsentConfig, Malformed, Signal, Signals, Verdict, decide, verdict

CONFIG = ConsentConfig()


def consent(model: str = "opt-in", ledger: dict | None = None, **signals):
    return decide(Signals(**signals), ledger, model, CONFIG)


def test_a_destination_whose_purposes_are_granted_gets_the_event() -> None:
    granted = consent(ledger={"analytics": True, "session_replay": True})
    assert verdict(granted, ["analytics", "session_replay"], "drop") == Verdict("forward", "granted")
    assert verdict(consent(), ["necessary"], "drop").action == "forward"


@pytest.mark.parametrize("on_missing", ["drop", "anonymize"])
def test_missing_consent_does_what_the_destination_says(on_missing: str) -> None:
    assert verdict(consent(), ["analytics"], on_missing) == Verdict(on_missing, "default_opt_in", "analytics")
    gdpr = consent("opt-out", gdpr_applies=True)
    assert verdict(gdpr, ["analytics"], on_missing) == Verdict(on_missing, "default_gdpr", "analytics")


@pytest.mark.parametrize(
    ("refused", "reason"),
    [
        (consent("opt-out", gpc=True), "gpc"),
        (consent("opt-out", ledger={"advertising": False}), "ledger_denied"),
        (consent("opt-out", signals=(Signal("segment", "x", {"advertising": False}),)), "segment_denied"),
        (consent("opt-out", malformed=(Malformed("gpc", "header:Sec-GPC", "2"),)), "malformed_signal"),
    ],
)
def test_refused_consent_drops_even_where_missing_consent_would_anonymize(refused, reason: str) -> None:
    assert verdict(refused, ["advertising"], "anonymize") == Verdict("drop", reason, "advertising")


def test_a_refusal_of_any_needed_purpose_outweighs_a_purpose_that_is_only_missing() -> None:
    mixed = consent(ledger={"advertising": False})  # analytics missing (opt-in), advertising refused
    assert verdict(mixed, ["analytics", "advertising"], "anonymize") == Verdict("drop", "ledger_denied", "advertising")


def test_a_purpose_the_policy_does_not_declare_is_never_granted() -> None:
    assert verdict(consent("opt-out"), ["telepathy"], "anonymize") == Verdict("drop", "undeclared_purpose", "telepathy")


def test_an_unknown_on_missing_consent_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="on_missing_consent"):
        verdict(consent(), ["analytics"], "forward")

"""Deciding consent per purpose: the precedence of signals, the source's consent model, and why each purpose was
granted or denied. Adding a refusal never grants more; adding a grant never refuses more."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.consent import REASONS, ConsentConfig, Malformed, Signal, Signals, decide, read_signals
from policies.event import Event
from tests.policies.test_consent_tcf import ES_ISSUE_201, JAVA_BITFIELDS

CONFIG = ConsentConfig()
NOTHING = Signals()


def grant(kind: str, *purposes: str) -> Signal:
    return Signal(kind, "test", {p: True for p in purposes})


def deny(kind: str, *purposes: str) -> Signal:
    return Signal(kind, "test", {p: False for p in purposes})


BROKEN = Malformed("tcf", "query:gdpr_consent", "not base64url")


def reason(signals: Signals, purpose: str, ledger: dict | None = None, model: str = "opt-in") -> str:
    return decide(signals, ledger, model, CONFIG).purposes[purpose].reason


def test_with_nothing_said_opt_in_denies_and_opt_out_grants_everything_but_necessary_is_always_granted() -> None:
    opt_in = decide(NOTHING, None, "opt-in", CONFIG)
    assert opt_in.granted_purposes == {"necessary"}
    assert opt_in.reason("analytics") == "default_opt_in"
    opt_out = decide(NOTHING, None, "opt-out", CONFIG)
    assert opt_out.granted_purposes == set(CONFIG.purposes)
    assert opt_out.reason("analytics") == "default_opt_out"


@pytest.mark.parametrize(
    ("signals", "ledger", "model", "expected"),
    [
        # 1. necessary: granted whatever anyone says
        (Signals(gpc=True, malformed=(BROKEN,), signals=(deny("segment", "necessary"),)), {"necessary": False},
         "opt-in", {"necessary": "necessary"}),
        # 2. GPC denies the sale/share purposes, even against a stored and an in-event grant
        (Signals(gpc=True, signals=(grant("segment", "advertising", "analytics"),)), {"marketing": True},
         "opt-out", {"advertising": "gpc", "marketing": "gpc", "analytics": "segment_granted"}),
        # 3. a malformed signal denies every non-necessary purpose, even against grants
        (Signals(malformed=(BROKEN,), signals=(grant("segment", "analytics"),)), {"analytics": True},
         "opt-out", {"analytics": "malformed_signal", "session_replay": "malformed_signal"}),
        # 3 after 2: GPC is named when both apply
        (Signals(gpc=True, malformed=(BROKEN,)), None, "opt-in",
         {"advertising": "gpc", "analytics": "malformed_signal"}),
        # 4. a stored denial wins over an in-event grant
        (Signals(signals=(grant("property", "analytics"),)), {"analytics": False}, "opt-out",
         {"analytics": "ledger_denied"}),
        # 5. an in-event denial wins over a stored grant (and over an in-event grant from another signal)
        (Signals(signals=(grant("segment", "analytics"), deny("tcf", "analytics"))), {"analytics": True}, "opt-in",
         {"analytics": "tcf_denied"}),
        # 6. a stored grant
        (NOTHING, {"analytics": True}, "opt-in", {"analytics": "ledger_granted", "marketing": "default_opt_in"}),
        # 7. an in-event grant; the first granting signal is named
        (Signals(signals=(grant("consent_mode", "analytics"), grant("segment", "analytics"))), None, "opt-in",
         {"analytics": "consent_mode_granted"}),
        # 8. GDPR applies: an opt-out source needs a yes first; an explicit grant still counts
        (Signals(gdpr_applies=True, signals=(grant("tcf", "analytics"),)), None, "opt-out",
         {"analytics": "tcf_granted", "marketing": "default_gdpr"}),
        (Signals(gdpr_applies=False), None, "opt-out", {"marketing": "default_opt_out"}),
    ],
)
def test_the_precedence_of_rules(signals: Signals, ledger: dict | None, model: str, expected: dict) -> None:
    consent = decide(signals, ledger, model, CONFIG)
    assert {p: consent.reason(p) for p in expected} == expected


def test_purposes_the_policy_does_not_declare_are_ignored_wherever_they_come_from() -> None:
    consent = decide(Signals(signals=(grant("segment", "telepathy"),)), {"crm": True}, "opt-in", CONFIG)
    assert set(consent.purposes) == set(CONFIG.purposes)
    assert not consent.granted("telepathy") and consent.reason("telepathy") is None


def test_an_unknown_consent_model_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="consent_model"):
        decide(NOTHING, None, "opt-maybe", CONFIG)


def test_every_reason_decide_can_give_is_listed_for_metrics() -> None:
    assert len(REASONS) == len(set(REASONS))
    assert {"necessary", "gpc", "malformed_signal", "ledger_denied", "ledger_granted", "tcf_denied", "segment_granted",
            "default_opt_in", "default_opt_out", "default_gdpr"} <= set(REASONS)


# -- from real requests, end to end through read_signals ---------------------------------------------------------------


def decide_request(context: dict | None = None, headers: dict | None = None, query: dict | None = None,
                   ledger: dict | None = None, model: str = "opt-in"):
    e = Event(type="track", message_id="m", event="Clicked", context=context)
    return decide(read_signals(e, headers or {}, query or {}, CONFIG), ledger, model, CONFIG)


def test_an_accept_all_tc_string_grants_everything_on_an_opt_in_source_but_gpc_still_opts_out_of_sale() -> None:
    consent = decide_request(query={"gdpr": "1", "gdpr_consent": ES_ISSUE_201})
    assert consent.granted_purposes == set(CONFIG.purposes)
    with_gpc = decide_request(headers={"Sec-GPC": "1"}, query={"gdpr": "1", "gdpr_consent": ES_ISSUE_201})
    assert with_gpc.granted_purposes == {"necessary", "analytics", "session_replay"}


def test_a_tc_string_without_storage_consent_denies_an_opt_out_source() -> None:
    consent = decide_request(query={"gdpr_consent": JAVA_BITFIELDS}, model="opt-out")
    assert consent.granted_purposes == {"necessary"}
    assert consent.reason("analytics") == "tcf_denied"


def test_a_broken_tc_string_fails_closed_even_with_an_accept_all_consent_object() -> None:
    consent = decide_request(
        context={"consent": {"categoryPreferences": {"Analytics": True, "Advertising": True, "DataSharing": True}}},
        query={"gdpr_consent": "COtybn4PA_zT4KjACBEN"},  # cut short
        ledger={"analytics": True},
        model="opt-out",
    )
    assert consent.granted_purposes == {"necessary"}
    assert {consent.reason(p) for p in CONFIG.purposes} == {"necessary", "malformed_signal"}


def test_consent_mode_and_segment_together_a_denial_from_either_wins() -> None:
    consent = decide_request(context={"consent": {"categoryPreferences": {"Advertising": True, "Analytics": True}}},
                             query={"gcs": "G101"})
    assert consent.granted("analytics")
    assert consent.reason("advertising") == "consent_mode_denied"


def test_a_us_privacy_opt_out_of_sale_outweighs_a_grant_and_leaves_other_purposes_alone() -> None:
    consent = decide_request(context={"consent": {"categoryPreferences": {"Advertising": True, "Analytics": True}}},
                             query={"us_privacy": "1YYN"}, ledger={"marketing": True}, model="opt-out")
    assert consent.granted("analytics") and consent.granted("session_replay")
    assert {consent.reason(p) for p in CONFIG.gpc_purposes} == {"us_privacy_denied"}
    assert "us_privacy_granted" not in REASONS  # it can only opt out


# -- monotonicity ------------------------------------------------------------------------------------------------------

_purposes = st.sampled_from((*CONFIG.purposes, "undeclared"))
_kinds = st.sampled_from(("segment", "rudderstack", "property", "tcf", "consent_mode"))
_signal = st.builds(lambda kind, says: Signal(kind, "test", says), _kinds,
                    st.dictionaries(_purposes, st.booleans(), max_size=4))
_signals = st.builds(
    Signals,
    gpc=st.booleans(),
    gdpr_applies=st.none() | st.booleans(),
    signals=st.lists(_signal, max_size=4).map(tuple),
    malformed=st.lists(st.just(BROKEN), max_size=1).map(tuple),
)
_ledger = st.none() | st.dictionaries(_purposes, st.booleans(), max_size=4)
_model = st.sampled_from(("opt-in", "opt-out"))


def _add(signals: Signals, ledger: dict | None, change: tuple, value: bool) -> tuple[Signals, dict | None]:
    what, kind, purpose, position = change
    if what == "ledger":
        return signals, {**(ledger or {}), purpose: value}
    listed = list(signals.signals)
    listed.insert(min(position, len(listed)), Signal(kind, "added", {purpose: value}))
    return Signals(signals.gpc, signals.gdpr_applies, tuple(listed), signals.malformed), ledger


_change = st.tuples(st.sampled_from(("ledger", "signal")), _kinds, _purposes, st.integers(0, 4))
_refusal = st.sampled_from(("gpc", "malformed", "gdpr_applies"))


@settings(max_examples=300, deadline=None)
@given(_signals, _ledger, _model, _change)
def test_adding_a_denial_never_grants_more(signals, ledger, model, change) -> None:
    before = decide(signals, ledger, model, CONFIG).granted_purposes
    after = decide(*_add(signals, ledger, change, False), model, CONFIG).granted_purposes
    assert after <= before


@settings(max_examples=300, deadline=None)
@given(_signals, _ledger, _model, _refusal)
def test_gpc_a_malformed_signal_or_gdpr_applying_never_grants_more(signals, ledger, model, refusal) -> None:
    before = decide(signals, ledger, model, CONFIG).granted_purposes
    if refusal == "gpc":
        more = Signals(True, signals.gdpr_applies, signals.signals, signals.malformed)
    elif refusal == "malformed":
        more = Signals(signals.gpc, signals.gdpr_applies, signals.signals, (*signals.malformed, BROKEN))
    else:
        more = Signals(signals.gpc, True, signals.signals, signals.malformed)
    assert decide(more, ledger, model, CONFIG).granted_purposes <= before


@settings(max_examples=300, deadline=None)
@given(_signals, _ledger, _model, _change)
def test_adding_a_grant_never_refuses_more(signals, ledger, model, change) -> None:
    before = decide(signals, ledger, model, CONFIG).granted_purposes
    after = decide(*_add(signals, ledger, change, True), model, CONFIG).granted_purposes
    assert before <= after


@settings(max_examples=300, deadline=None)
@given(_signals, _ledger)
def test_opt_out_grants_at_least_what_opt_in_grants(signals, ledger) -> None:
    assert decide(signals, ledger, "opt-in", CONFIG).granted_purposes <= decide(
        signals, ledger, "opt-out", CONFIG).granted_purposes

"""Reading consent signals: every kind the gateway understands, where it is read, what it says per purpose, and what
counts as malformed. Reading never raises, whatever the event holds."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.consent import KINDS, ConsentConfig, Malformed, Signal, gpc_requested, read_signals, record_gpc
from policies.consent.gcs import parse_gcs
from policies.event import Event
from tests.policies.test_consent_tcf import ES_ISSUE_201, JAVA_BITFIELDS, SPEC_SERVICE_SPECIFIC, encode_core

CONFIG = ConsentConfig()


def event(**fields: Any) -> Event:
    return Event(type=fields.pop("type", "track"), message_id="m-1", event="Clicked", **fields)


def read(e: Event | None = None, headers: dict | None = None, query: dict | None = None, config=CONFIG):
    return read_signals(e or event(), headers or {}, query or {}, config)


def said(signals, kind: str) -> dict[str, bool]:
    """What the signals of one kind say, merged (the tests below send one of each kind)."""
    merged: dict[str, bool] = {}
    for signal in signals.signals:
        if signal.kind == kind:
            merged.update(signal.purposes)
    return merged


def test_an_event_without_consent_information_has_no_signals() -> None:
    signals = read(event(context={"ip": "203.0.113.9"}, properties={"plan": "pro"}))
    assert not signals.gpc and signals.gdpr_applies is None
    assert signals.signals == () and signals.malformed == ()


# -- Global Privacy Control --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{"sec-gpc": "1"}, {"Sec-GPC": "1"}, {"SEC-GPC": " 1 "}])
def test_the_gpc_header_is_read_in_any_letter_case(headers: dict) -> None:
    assert read(headers=headers).gpc
    assert gpc_requested(headers)


def test_a_gpc_header_with_another_value_is_malformed() -> None:
    signals = read(headers={"Sec-GPC": "0"})
    assert not signals.gpc
    assert signals.malformed == (Malformed("gpc", "header:Sec-GPC", "Sec-GPC must be 1 when sent, got '0'"),)


def test_record_gpc_stamps_the_opt_out_into_a_new_event_that_downstream_reads() -> None:
    original = event(context={"consent": {"categoryPreferences": {"Analytics": True}}, "ip": "203.0.113.9"})
    stamped = record_gpc(original, {"sec-gpc": "1"})
    assert stamped.context["consent"] == {"categoryPreferences": {"Analytics": True}, "gpc": True}
    assert "gpc" not in original.context["consent"]  # the input is untouched
    assert read(stamped).gpc  # no header needed any more: the event carries it
    assert record_gpc(original, {}) is original
    for bare in (event(), event(context={"consent": None})):
        assert record_gpc(bare, {"sec-gpc": "1"}).context["consent"] == {"gpc": True}


def test_record_gpc_leaves_a_malformed_consent_object_for_the_reader_to_refuse() -> None:
    original = event(context={"consent": "yes please"})
    assert record_gpc(original, {"sec-gpc": "1"}) is original
    assert read(original).malformed[0].where == "context.consent"


def test_a_stamped_gpc_that_is_not_a_boolean_is_malformed() -> None:
    assert read(event(context={"consent": {"gpc": "true"}})).malformed[0].kind == "gpc"
    assert not read(event(context={"consent": {"gpc": False}})).gpc


# -- Segment: context.consent.categoryPreferences ----------------------------------------------------------------------


def test_segment_categories_map_to_purposes_whatever_their_case() -> None:
    signals = read(event(context={"consent": {"categoryPreferences": {
        "analytics": True, "ADVERTISING": False, "Functional": True, "Session Replay": True,
    }}}))
    assert signals.signals[0].where == "context.consent.categoryPreferences"
    # Functional has no purpose behind it: it says nothing.
    assert said(signals, "segment") == {"analytics": True, "advertising": False, "session_replay": True}


def test_when_two_categories_speak_for_one_purpose_a_denial_wins() -> None:
    signals = read(event(context={"consent": {"categoryPreferences": {"Advertising": True, "DataSharing": False}}}))
    assert said(signals, "segment") == {"advertising": False, "marketing": False}


@pytest.mark.parametrize("preferences", [["Analytics"], {"Analytics": "true"}, {"Analytics": 1}, "all"])
def test_segment_preferences_that_are_not_an_object_of_booleans_are_malformed(preferences: Any) -> None:
    signals = read(event(context={"consent": {"categoryPreferences": preferences}}))
    assert signals.signals == ()
    assert [(m.kind, m.where) for m in signals.malformed] == [("segment", "context.consent.categoryPreferences")]


# -- RudderStack: context.consentManagement ----------------------------------------------------------------------------


def rudder(**management: Any) -> Event:
    return event(context={"consentManagement": {"provider": "oneTrust", **management}})


def test_rudderstack_allowed_ids_grant_and_denied_ids_deny() -> None:
    signals = read(rudder(allowedConsentIds=["C0001", "C0002"], deniedConsentIds=["C0004"]))
    assert said(signals, "rudderstack") == {"analytics": True, "advertising": False}


def test_unlike_rudderstack_an_empty_denied_list_does_not_mean_everything_is_allowed() -> None:
    # RudderStack's filter only acts on deniedConsentIds, so [] lets everything through; here only what was allowed
    # is granted, and the rest falls to the source's consent model.
    signals = read(rudder(allowedConsentIds=["C0002"], deniedConsentIds=[]))
    assert said(signals, "rudderstack") == {"analytics": True}


@pytest.mark.parametrize(("strategy", "analytics"), [("and", False), ("or", True), ("OR", True), (None, False)])
def test_the_resolution_strategy_decides_between_ids_that_disagree_on_one_purpose(strategy, analytics) -> None:
    # Both ids mean analytics (OneTrust's C0002 and a "Performance" category); one is allowed, one denied.
    signals = read(rudder(allowedConsentIds=["C0002"], deniedConsentIds=["performance"], resolutionStrategy=strategy))
    assert said(signals, "rudderstack") == {"analytics": analytics}


def test_rudderstack_ids_may_come_as_an_object_keyed_by_id() -> None:
    signals = read(rudder(allowedConsentIds={"C0002": "Performance Cookies"}))
    assert said(signals, "rudderstack") == {"analytics": True}


@pytest.mark.parametrize(
    ("management", "problem"),
    [
        ({"allowedConsentIds": "C0002"}, "must be an array"),
        ({"allowedConsentIds": [None]}, "not a consent id"),
        ({"allowedConsentIds": ["C0002"], "deniedConsentIds": ["c0002"]}, "both allowed and denied"),
        ({"resolutionStrategy": "xor"}, "resolutionStrategy"),
    ],
)
def test_unreadable_rudderstack_consent_is_malformed(management: dict, problem: str) -> None:
    signals = read(rudder(**management))
    assert signals.malformed[0].kind == "rudderstack"
    assert problem in signals.malformed[0].problem
    assert read(event(context={"consentManagement": ["C0002"]})).malformed[0].kind == "rudderstack"


# -- the documented property: properties.$consent ----------------------------------------------------------------------


def test_the_documented_property_grants_and_denies_purposes_by_name() -> None:
    signals = read(event(properties={"$consent": {"analytics": True, "Marketing": False, "necessary": False,
                                                  "unknown_purpose": True}}))
    assert signals.signals == (Signal("property", "properties.$consent", {"analytics": True, "marketing": False}),)


def test_identify_calls_carry_the_property_among_their_traits() -> None:
    signals = read(event(type="identify", traits={"$consent": {"analytics": True}}))
    assert signals.signals[0].where == "traits.$consent"


def test_the_property_name_comes_from_the_policy() -> None:
    config = ConsentConfig(event_property="consent")
    assert said(read(event(properties={"consent": {"analytics": True}}), config=config), "property") == {
        "analytics": True
    }


@pytest.mark.parametrize("value", [True, ["analytics"], {"analytics": "yes"}, {"analytics": None}])
def test_a_property_that_is_not_an_object_of_booleans_is_malformed(value: Any) -> None:
    assert read(event(properties={"$consent": value})).malformed[0].where == "properties.$consent"


# -- IAB TCF v2 --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "context", "where"),
    [
        ({"gdpr_consent": ES_ISSUE_201}, {}, "query:gdpr_consent"),
        ({}, {"consent": {"tcString": ES_ISSUE_201}}, "context.consent.tcString"),
        ({}, {"gdpr_consent": ES_ISSUE_201}, "context.gdpr_consent"),
    ],
)
def test_tc_strings_are_read_from_the_query_or_the_context(query: dict, context: dict, where: str) -> None:
    signals = read(event(context=context), query=query)
    assert [s.where for s in signals.signals] == [where]


def test_a_tc_string_grants_a_purpose_when_its_tcf_purposes_are_consented() -> None:
    # iabtcf-es issue 201: purposes 1-10 consented, so every default mapping holds.
    assert said(read(query={"gdpr_consent": ES_ISSUE_201}), "tcf") == {
        "analytics": True, "session_replay": True, "marketing": True, "advertising": True,
    }
    # The spec's service-specific example: purposes 1, 3, 9 and 10. Analytics needs 1 and one of 8, 9 or 10; replay
    # needs 8 too; marketing 5 and 6; advertising 3, 4 and 7.
    assert said(read(query={"gdpr_consent": SPEC_SERVICE_SPECIFIC}), "tcf") == {
        "analytics": True, "session_replay": False, "marketing": False, "advertising": False,
    }
    # iabtcf-java's bit field string: purposes 3-9 but not 1 (storage on the device), so nothing is granted.
    assert set(said(read(query={"gdpr_consent": JAVA_BITFIELDS}), "tcf").values()) == {False}


def test_legitimate_interest_counts_only_when_the_policy_says_so_and_only_where_tcf_allows_it() -> None:
    # The service-specific example has legitimate interest for 3, 4, 5, 8, 9, 10: purpose 8 may rest on it (so replay
    # is granted), purposes 3-5 may not (so marketing and advertising are still refused).
    config = ConsentConfig(tcf_legitimate_interest=True)
    assert said(read(query={"gdpr_consent": SPEC_SERVICE_SPECIFIC}, config=config), "tcf") == {
        "analytics": True, "session_replay": True, "marketing": False, "advertising": False,
    }
    # Advertising needs 1, 3, 4 and 7: legitimate interest for 3 and 4 does not count, for 7 it does.
    only_li = encode_core(consent={1, 7}, legitimate_interest={3, 4, 7})
    assert said(read(query={"gdpr_consent": only_li}, config=config), "tcf")["advertising"] is False
    with_consent = encode_core(consent={1, 3, 4}, legitimate_interest={7})
    assert said(read(query={"gdpr_consent": with_consent}, config=config), "tcf")["advertising"] is True
    assert said(read(query={"gdpr_consent": with_consent}), "tcf")["advertising"] is False  # off by default


@pytest.mark.parametrize("tc_string", ["CPx", "BOhwdphOxFC7tAHABBFRC--AAAAuhr", "${GDPR_CONSENT_755}", 42])
def test_a_tc_string_that_does_not_decode_is_malformed(tc_string: Any) -> None:
    signals = read(event(context={"gdpr_consent": tc_string}))
    assert signals.signals == ()
    assert signals.malformed[0].kind == "tcf" and signals.malformed[0].where == "context.gdpr_consent"


def test_an_empty_tc_string_says_nothing() -> None:
    signals = read(query={"gdpr": "0", "gdpr_consent": ""})
    assert signals.signals == () and signals.malformed == () and signals.gdpr_applies is False


@pytest.mark.parametrize(
    ("query", "consent", "applies"),
    [({"gdpr": "1"}, {}, True), ({"gdpr": "0"}, {}, False), ({}, {"gdprApplies": True}, True),
     ({"gdpr": "0"}, {"gdprApplies": 1}, True)],
)
def test_whether_gdpr_applies_is_read_and_applies_anywhere_wins(query: dict, consent: dict, applies: bool) -> None:
    assert read(event(context={"consent": consent}), query=query).gdpr_applies is applies


def test_a_gdpr_flag_other_than_0_or_1_is_malformed() -> None:
    assert read(query={"gdpr": "yes"}).malformed[0].where == "query:gdpr"


# -- Google Consent Mode: gcs ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gcs", "states"),
    [
        ("G100", {"ad_storage": False, "analytics_storage": False}),
        ("G101", {"ad_storage": False, "analytics_storage": True}),
        ("G110", {"ad_storage": True, "analytics_storage": False}),
        ("G111", {"ad_storage": True, "analytics_storage": True}),
        ("G1--", {}),
        ("G1-1", {"analytics_storage": True}),
    ],
)
def test_gcs_values_are_the_ad_and_analytics_storage_states(gcs: str, states: dict) -> None:
    assert parse_gcs(gcs) == states


@pytest.mark.parametrize("gcs", ["G1", "G102", "g101", "G2101", "G1011", " G101", None])
def test_other_gcs_values_are_refused(gcs: Any) -> None:
    with pytest.raises(ValueError):
        parse_gcs(gcs)


def test_consent_mode_maps_to_purposes_from_the_query_or_the_context() -> None:
    assert said(read(query={"gcs": "G101"}), "consent_mode") == {
        "analytics": True, "advertising": False, "marketing": False,
    }
    signals = read(event(context={"consent": {"gcs": "G110"}}))
    assert signals.signals[0].where == "context.consent.gcs"
    assert said(signals, "consent_mode") == {"analytics": False, "advertising": True, "marketing": True}
    assert read(query={"gcs": "G1x1"}).malformed[0].kind == "consent_mode"


# -- the US Privacy string ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "context", "where"),
    [
        ({"us_privacy": "1YYN"}, None, "query:us_privacy"),
        ({}, {"consent": {"usPrivacy": "1NYN"}}, "context.consent.usPrivacy"),
        ({}, {"us_privacy": "1yyy"}, "context.us_privacy"),
    ],
)
def test_a_us_privacy_opt_out_of_sale_denies_what_gpc_would(query: dict, context: dict | None, where: str) -> None:
    signals = read(event(context=context), query=query)
    assert [s.where for s in signals.signals] == [where]
    assert said(signals, "us_privacy") == {purpose: False for purpose in CONFIG.gpc_purposes}


@pytest.mark.parametrize("value", ["1YNN", "1---", "1-N-", "1NNY"])
def test_a_us_privacy_string_without_an_opt_out_of_sale_says_nothing(value: str) -> None:
    signals = read(query={"us_privacy": value})
    assert signals.signals == () and signals.malformed == ()


@pytest.mark.parametrize("value", ["2YYN", "1YY", "1YYNN", "1YYX", "", 1, True, ["1YYN"]])
def test_other_us_privacy_values_are_malformed(value: Any) -> None:
    assert [m.kind for m in read(event(context={"us_privacy": value})).malformed] == ["us_privacy"]


# -- never raises ------------------------------------------------------------------------------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
_plausible = _json | st.sampled_from(["G101", "1", "0", ES_ISSUE_201, ES_ISSUE_201[:40], "C0002", "and", "or", "1YYN"])
_consent = st.fixed_dictionaries({}, optional={
    "categoryPreferences": st.dictionaries(st.sampled_from(["Analytics", "Advertising", "x"]), _plausible) | _json,
    "gpc": _plausible, "tcString": _plausible, "gcs": _plausible, "gdprApplies": _plausible, "usPrivacy": _plausible,
})
_management = st.fixed_dictionaries({}, optional={
    "allowedConsentIds": st.lists(_plausible, max_size=3) | _json,
    "deniedConsentIds": st.lists(_plausible, max_size=3) | _json,
    "resolutionStrategy": _plausible, "provider": _plausible,
})
_context = st.fixed_dictionaries({}, optional={
    "consent": _consent | _json, "consentManagement": _management | _json, "gdpr_consent": _plausible,
    "us_privacy": _plausible,
}) | st.none()
_properties = st.fixed_dictionaries({}, optional={"$consent": st.dictionaries(st.text(max_size=12), _plausible)
                                                  | _json}) | st.none()
_params = st.dictionaries(st.sampled_from(["gdpr", "gdpr_consent", "gcs", "us_privacy", "sec-gpc", "Sec-GPC", "x"]),
                          _plausible)


@settings(max_examples=250, deadline=None)
@given(context=_context, properties=_properties, traits=_properties, headers=_params, query=_params)
def test_reading_never_raises_and_every_signal_speaks_only_of_declared_purposes(
    context, properties, traits, headers, query
) -> None:
    signals = read_signals(event(context=context, properties=properties, traits=traits), headers, query, CONFIG)
    for signal in signals.signals:
        assert set(signal.purposes) <= set(CONFIG.purposes) - {"necessary"}
        assert all(isinstance(v, bool) for v in signal.purposes.values())
    assert all(m.kind in KINDS for m in signals.malformed)


def test_a_tc_string_read_before_says_the_same_and_a_malformed_one_stays_malformed() -> None:
    config = ConsentConfig()
    first, again = (read(query={"gdpr_consent": SPEC_SERVICE_SPECIFIC}, config=config) for _ in range(2))
    assert first == again and said(again, "tcf")["analytics"] is True
    for _ in range(2):
        assert read(query={"gdpr_consent": "CPx"}, config=config).malformed[0].kind == "tcf"


def test_the_memory_of_tc_strings_is_bounded() -> None:
    from policies.consent.signals import TC_MEMO_ENTRIES

    config = ConsentConfig()
    for i in range(TC_MEMO_ENTRIES + 10):
        read(query={"gdpr_consent": f"C{i}"}, config=config)
    assert 0 < len(config.tc_memo) <= TC_MEMO_ENTRIES


# -- the pipeline's shortcut: equal signal places, equal signals ----------------------------------------------------

_places = st.none() | st.booleans() | st.text(max_size=5) | st.dictionaries(
    st.sampled_from(["categoryPreferences", "gpc", "tcString", "Analytics"]), st.booleans() | st.text(max_size=4),
    max_size=2)


@settings(max_examples=300, deadline=None)
@given(context=st.dictionaries(st.sampled_from(["consent", "consentManagement", "gdpr_consent", "us_privacy", "ip"]),
                               _places | st.sampled_from(["1YYN", "1YNN"]), max_size=3),
       properties=st.dictionaries(st.sampled_from(["$consent", "plan"]), _places, max_size=2),
       other=st.dictionaries(st.sampled_from(["ip", "page", "locale"]), st.text(max_size=4), max_size=2))
def test_events_with_equal_signal_places_have_equal_signals(context, properties, other) -> None:
    from policies.consent.signals import event_places

    config = ConsentConfig()
    one = Event("track", "1", context=context, properties=properties)
    two = Event("track", "2", context={**other, **context}, properties={**properties, "noise": 1})
    assert event_places(one, config) == event_places(two, config)
    query = {"gdpr": "1"}
    assert read_signals(one, {}, query, config) == read_signals(two, {}, query, config)

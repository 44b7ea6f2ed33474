"""Anonymized forwarding: identifiers become keyed pseudonyms that change every day, addresses and advertising ids
go, and the original event is left as it was for the destinations that have consent."""

from __future__ import annotations

import copy
import hashlib
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.consent import anonymize, pseudonym
from policies.consent.anonymize import day_hash
from policies.event import Event

KEY = b"0123456789abcdef-test-key"
DAY = date(2026, 3, 14)


def full_event(**overrides) -> Event:
    fields = dict(
        type="track", message_id="msg-1", event="Order Completed",
        user_id="user-42", anonymous_id="anon-7", group_id="acme", previous_id=None,
        properties={"total": 12.5, "distinct_id": "user-42", "$device_id": "anon-7", "$ip": "203.0.113.9",
                    "items": [{"sku": "a", "user_id": 42}]},
        traits={"plan": "pro"},
        context={"ip": "203.0.113.9", "traits": {"email": "jo@example.com"}, "userAgent": "Mozilla/5.0",
                 "device": {"id": "device-1", "advertisingId": "38400000-8cf0-11bd-b23e-10b96e40000d",
                            "token": "push-token", "model": "Pixel 8"},
                 "externalIds": [{"id": "crm-1", "type": "crm_id"}], "library": {"name": "analytics.js"}},
        integrations={"All": True},
        origin="mixpanel",
        extra={"$distinct_id": "user-42", "time": 1700000000, "profile": {"$user_id": "user-42", "ip": "1.2.3.4"}},
    )
    fields.update(overrides)
    return Event(**fields)


def test_identifiers_are_replaced_by_the_same_keyed_pseudonym_wherever_they_appear() -> None:
    out = anonymize(full_event(), KEY, DAY)
    user = pseudonym("user-42", day_hash(KEY, DAY))
    assert out.user_id == user and user.startswith("anon_") and len(user) == len("anon_") + 32
    assert out.properties["distinct_id"] == user  # Mixpanel's copy of the user id
    assert out.extra["$distinct_id"] == user and out.extra["profile"]["$user_id"] == user
    assert out.properties["items"][0]["user_id"] == pseudonym("42", day_hash(KEY, DAY))  # 42 and "42": one user
    assert out.anonymous_id == out.properties["$device_id"] == pseudonym("anon-7", day_hash(KEY, DAY))
    assert out.group_id == pseudonym("acme", day_hash(KEY, DAY))
    assert out.context["device"]["id"] == pseudonym("device-1", day_hash(KEY, DAY))
    assert out.previous_id is None


def test_addresses_advertising_ids_push_tokens_and_traits_are_removed() -> None:
    out = anonymize(full_event(), KEY, DAY)
    assert "ip" not in out.context and "$ip" not in out.properties and "ip" not in out.extra["profile"]
    assert out.context["device"] == {"id": out.context["device"]["id"], "model": "Pixel 8"}
    assert "traits" not in out.context and "externalIds" not in out.context
    assert out.traits == {"plan": "pro"}  # a track call's traits are kept; an identify call's are the person
    assert anonymize(full_event(type="identify"), KEY, DAY).traits is None


def test_everything_else_is_kept_as_it_was() -> None:
    original = full_event()
    out = anonymize(original, KEY, DAY)
    assert (out.type, out.message_id, out.event, out.origin) == ("track", "msg-1", "Order Completed", "mixpanel")
    assert out.properties["total"] == 12.5 and out.properties["items"][0]["sku"] == "a"
    assert out.context["userAgent"] == "Mozilla/5.0" and out.context["library"] == {"name": "analytics.js"}
    assert out.integrations == {"All": True} and out.extra["time"] == 1700000000


def test_the_input_event_is_not_changed_and_shares_nothing_mutable_with_the_output() -> None:
    original = full_event()
    before = copy.deepcopy(original)
    out = anonymize(original, KEY, DAY)
    assert original == before
    out.context["library"]["name"] = "changed"
    out.properties["items"][0]["sku"] = "changed"
    out.extra["profile"]["x"] = 1
    assert original == before


def test_pseudonyms_are_keyed_not_plain_hashes() -> None:
    out = anonymize(full_event(), KEY, DAY)
    plain = {hashlib.sha256(b"user-42").hexdigest(), hashlib.md5(b"user-42").hexdigest()}
    assert not any(out.user_id.removeprefix("anon_") in p for p in plain)
    with pytest.raises(ValueError, match="secret key"):
        anonymize(full_event(), b"", DAY)


def test_absent_and_empty_ids_stay_absent_and_empty() -> None:
    out = anonymize(full_event(user_id=None, anonymous_id="", context=None, properties=None, extra={}), KEY, DAY)
    assert out.user_id is None and out.anonymous_id == "" and out.context is None and out.properties is None


_ids = st.one_of(st.text(min_size=1, max_size=40), st.integers())
_days = st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 1, 1))
_keys = st.binary(min_size=16, max_size=64)


@settings(max_examples=200, deadline=None)
@given(_ids, _keys, _days)
def test_within_a_day_a_pseudonym_is_stable(user_id, key, day) -> None:
    first = anonymize(full_event(user_id=user_id), key, day)
    second = anonymize(full_event(user_id=user_id, message_id="msg-2"), key, day)
    assert first.user_id == second.user_id


@settings(max_examples=200, deadline=None)
@given(_ids, _keys, _days, st.integers(1, 3650))
def test_the_pseudonym_changes_from_one_day_to_another(user_id, key, day, days_later) -> None:
    other_day = date.fromordinal(day.toordinal() + days_later)
    assert anonymize(full_event(user_id=user_id), key, day).user_id != anonymize(
        full_event(user_id=user_id), key, other_day).user_id


@settings(max_examples=200, deadline=None)
@given(_ids, _keys, _keys, _days)
def test_another_key_gives_another_pseudonym(user_id, key, other_key, day) -> None:
    if key != other_key:
        assert anonymize(full_event(user_id=user_id), key, day).user_id != anonymize(
            full_event(user_id=user_id), other_key, day).user_id


@settings(max_examples=200, deadline=None)
@given(_ids, _ids, _keys, _days)
def test_different_ids_get_different_pseudonyms(a, b, key, day) -> None:
    if str(a) != str(b):
        assert anonymize(full_event(user_id=a), key, day).user_id != anonymize(full_event(user_id=b), key, day).user_id

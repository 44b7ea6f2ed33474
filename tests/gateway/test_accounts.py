"""Which account a group call names, in each vendor's shape as the codecs decode it: Segment's group call, PostHog's
$groupidentify, and the `groups` of Amplitude and PostHog events (the configured group type when there are several)."""

from __future__ import annotations

from gateway.accounts import account_of_group_call
from policies.enrich import Enrich
from policies.event import Event


def test_each_vendors_group_call_names_its_account() -> None:
    config = Enrich(account_from_groups=True)
    assert account_of_group_call(Event("group", "m", user_id="u", group_id="acme"), config) == "acme"
    posthog = Event("track", "m", event="$groupidentify",
                    properties={"$group_type": "company", "$group_key": "acme", "$group_set": {"name": "Acme"}})
    assert account_of_group_call(posthog, config) == "acme"
    amplitude = Event("track", "m", event="Report Exported", context={"groups": {"company": "acme"}})
    assert account_of_group_call(amplitude, config) == "acme"
    assert account_of_group_call(Event("track", "m", event="Report Exported"), config) is None


def test_with_several_groups_the_configured_type_is_the_account() -> None:
    several = Event("track", "m", event="Report Exported", context={"groups": {"team": "t-1", "company": "acme"}})
    assert account_of_group_call(several, Enrich(group_type="company")) == "acme"
    assert account_of_group_call(several, Enrich()) is None  # which one would be a guess
    other = Event("track", "m", event="$groupidentify", properties={"$group_type": "team", "$group_key": "t-1"})
    assert account_of_group_call(other, Enrich(group_type="company")) is None

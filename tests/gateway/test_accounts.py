"""Which account a group call names, in each vendor's shape as the codecs decode it: Segment's group call, PostHog's
$groupidentify, and the `groups` of Amplitude and PostHog events (the configured group type when there are several);
and the map of who acts for which account, kept in the database and in memory, and forgotten in both on deletion."""

from __future__ import annotations

from pathlib import Path

from gateway.accounts import AccountMap, account_of_group_call
from gateway.database import Database
from gateway.schema import MIGRATIONS
from gateway.storage.engine import Engine
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


def test_the_map_is_stored_read_at_start_and_a_deletion_forgets_it_in_both(database_location: Path | Engine
                                                                            ) -> None:
    db = Database(database_location, MIGRATIONS)
    accounts = AccountMap(db)
    changes = accounts.changes([(("h-user", "h-anon"), "acme")])
    db.write_sync(lambda conn: accounts.record(conn, changes))
    assert accounts.changes([(("h-user",), "acme")]) == []  # known: nothing to write again
    assert AccountMap(db).account(["h-other", "h-anon"]) == "acme"  # as a restart reads it

    assert db.write_sync(lambda conn: accounts.delete_subjects(conn, {"h-user", "h-anon"})) == 2
    assert accounts.account(["h-user", "h-anon"]) is None
    assert AccountMap(db).account(["h-user", "h-anon"]) is None
    db.close()

"""Identity links and the consent ledger: keyed hashes only, components across verified links, claimed links counted,
consent ordered by receive time and scoped to devices or users. The stored parts run on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway import consent_ledger, identity
from gateway.consent_ledger import ConsentLedger, Recorded, Scope
from gateway.database import Database
from gateway.identity import Identity, claimed_links, component
from gateway.storage.engine import Engine
from policies.event import Event


@pytest.fixture
def db(database_location: Path | Engine):
    database = Database(database_location, [*identity.MIGRATIONS, *consent_ledger.MIGRATIONS])
    yield database
    database.close()


def test_identifiers_are_keyed_hashes_that_differ_by_key() -> None:
    a, b = Identity(b"k" * 32), Identity(b"j" * 32)
    assert a.hash("user-1") == a.hash("user-1") != b.hash("user-1")
    assert len(a.hash("user-1")) == 32 and "user-1" not in a.hash("user-1")


def test_an_events_subjects_include_device_ids_and_lower_cased_emails() -> None:
    ids = Identity(b"k" * 32)
    event = Event("identify", "m", user_id="u", anonymous_id="a", traits={"email": "Ann@Example.COM"},
                  context={"device": {"id": "dev-1"}})
    assert ids.subjects(event) == tuple(ids.hash(v) for v in ("u", "a", "dev-1", "ann@example.com"))


def test_links_make_one_subject_of_an_identify_and_an_alias_when_a_server_key_sent_them(db: Database) -> None:
    ids = Identity(b"k" * 32)
    identify = Event("identify", "1", user_id="user", anonymous_id="anon")
    alias = Event("alias", "2", user_id="user", previous_id="old-anon")
    links = ids.new_links([ids.subjects(identify), ids.subjects(alias)], verified=True)
    db.write_sync(lambda conn: ids.record_links(conn, links, "server"))
    assert ids.new_links([ids.subjects(identify)], verified=True) == []  # already known: not written again
    found = db.read_sync(lambda conn: component(conn, [ids.hash("old-anon")]))
    assert found == {ids.hash("user"), ids.hash("anon"), ids.hash("old-anon")}


def test_claimed_links_are_counted_not_followed_unless_asked_and_a_server_key_verifies_them(db: Database) -> None:
    ids = Identity(b"k" * 32)
    forged = ids.subjects(Event("identify", "1", user_id="victim", anonymous_id="attacker"))
    db.write_sync(lambda conn: ids.record_links(conn, ids.new_links([forged]), "public"))
    attacker = {ids.hash("attacker")}

    assert db.read_sync(lambda conn: component(conn, attacker)) == attacker
    assert db.read_sync(lambda conn: claimed_links(conn, attacker)) == 1
    assert db.read_sync(lambda conn: component(conn, attacker, include_claimed=True)) == set(forged)

    # The same pair from the customer's backend (a server key) is worth more: it becomes verified.
    assert ids.new_links([forged]) == []  # nothing new for another public request
    upgrade = ids.new_links([forged], verified=True)
    assert upgrade == [tuple(sorted(forged))]
    db.write_sync(lambda conn: ids.record_links(conn, upgrade, "server"))
    assert db.read_sync(lambda conn: component(conn, attacker)) == set(forged)
    assert db.read_sync(lambda conn: claimed_links(conn, attacker)) == 0
    rows = db.read_sync(lambda c: c.execute("SELECT DISTINCT verified, provenance FROM identity_links").fetchall())
    assert rows == [(1, "server")]


def record(ledger: ConsentLedger, db: Database, subjects: list[str], granted: list[str], denied: list[str],
           scope: Scope = "subject", occurred_at: float | None = None) -> Recorded:
    return db.write_sync(lambda c: ledger.record(c, subjects, granted, denied, scope=scope,
                                                  provenance="public" if scope == "device" else "server",
                                                  source="web", via="api", occurred_at=occurred_at))


def test_the_ledger_orders_records_by_receive_time_whatever_their_timestamps_say(db: Database) -> None:
    ledger = ConsentLedger(db)
    record(ledger, db, ["s1"], ["analytics", "marketing"], [], occurred_at=4_102_444_800.0)  # stamped in 2100
    result = record(ledger, db, ["s1"], [], ["marketing"], occurred_at=100.0)  # stamped in 1970, received later
    assert result.withdrawn == {"marketing"}
    assert result.state == {"analytics": True, "marketing": False}
    assert ledger.state(["s1"]) == {"analytics": True, "marketing": False}
    stamps = db.read_sync(lambda c: c.execute("SELECT occurred_at FROM consent_history ORDER BY id").fetchall())
    assert stamps == [(4_102_444_800.0,), (100.0,)]  # kept, as information
    assert ConsentLedger(db).state(["s1"]) == {"analytics": True, "marketing": False}  # reloaded from the table


def test_a_denial_for_any_identifier_of_an_event_wins(db: Database) -> None:
    ledger = ConsentLedger(db)
    record(ledger, db, ["anon"], ["analytics"], [])
    record(ledger, db, ["user"], [], ["analytics"])
    assert ledger.state(["anon", "user"]) == {"analytics": False}
    assert ledger.state(["stranger"]) is None


def test_device_scoped_consent_applies_only_where_the_id_is_the_events_device_id(db: Database) -> None:
    ledger = ConsentLedger(db)
    record(ledger, db, ["device-1"], ["analytics"], [], scope="device")
    assert ledger.state(["user-1", "device-1"], devices=["device-1"]) == {"analytics": True}
    # The same hash as a user id (someone posted the victim's user id as an anonymousId): nothing.
    assert ledger.state(["device-1"], devices=[]) is None
    assert ledger.scope_state(["device-1"], "subject") == {}


def test_user_consent_carries_over_verified_links_and_device_consent_never_does(db: Database) -> None:
    ledger = ConsentLedger(db)
    record(ledger, db, ["user"], ["analytics"], ["marketing"])
    record(ledger, db, ["device"], ["advertising"], [], scope="device")
    db.write_sync(lambda c: ledger.carry(c, [("user", "device")], "server"))
    assert ledger.state(["device"]) == {"analytics": True, "marketing": False}
    assert ledger.state(["user"]) == {"analytics": True, "marketing": False}  # the device's own stays its own
    via = db.read_sync(lambda c: c.execute("SELECT via, provenance FROM consent_history WHERE subject = 'device' "
                                           "AND scope = 'subject'").fetchone())
    assert via == ("carried", "server")


def test_a_deletion_forgets_consent_and_links_but_keeps_the_history_as_proof_under_its_id(db: Database) -> None:
    ids, ledger = Identity(b"k" * 32), ConsentLedger(db)
    db.write_sync(lambda c: ids.record_links(c, [("anon", "user")], "server"))
    record(ledger, db, ["user"], ["analytics"], [])
    record(ledger, db, ["anon"], [], ["marketing"])
    assert db.write_sync(lambda c: ids.forget(c, {"user", "anon"})) == 2
    assert db.write_sync(lambda c: ledger.forget(c, {"user", "anon"}, "del_1")) == 2
    assert ledger.state(["user", "anon"]) is None and ConsentLedger(db).state(["user", "anon"]) is None
    assert db.read_sync(lambda c: component(c, ["user"])) == {"user"}
    assert db.read_sync(lambda c: c.execute("SELECT subject, granted, denied FROM consent_history ORDER BY id"
                                            ).fetchall()) == [("del_1", '["analytics"]', "[]"),
                                                              ("del_1", "[]", '["marketing"]')]

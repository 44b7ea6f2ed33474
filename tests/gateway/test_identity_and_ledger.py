"""Identity links and the consent ledger: keyed hashes only, components across links, state carried over links."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway import consent_ledger, identity
from gateway.consent_ledger import ConsentLedger
from gateway.database import Database
from gateway.identity import Identity, component
from policies.event import Event


@pytest.fixture
def db(tmp_path: Path):
    database = Database(tmp_path / "db.sqlite3", [*identity.MIGRATIONS, *consent_ledger.MIGRATIONS])
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


def test_links_make_one_subject_of_an_identify_and_an_alias(db: Database) -> None:
    ids = Identity(b"k" * 32)
    identify = Event("identify", "1", user_id="user", anonymous_id="anon")
    alias = Event("alias", "2", user_id="user", previous_id="old-anon")
    links = ids.new_links([ids.subjects(identify), ids.subjects(alias)])
    db.write_sync(lambda conn: ids.record_links(conn, links))
    assert ids.new_links([ids.subjects(identify)]) == []  # already known: not written again
    found = db.read_sync(lambda conn: component(conn, [ids.hash("old-anon")]))
    assert found == {ids.hash("user"), ids.hash("anon"), ids.hash("old-anon")}


def test_ledger_keeps_history_and_latest_state_ignoring_older_records(db: Database) -> None:
    ledger = ConsentLedger(db)
    db.write_sync(lambda c: ledger.record(c, ["s1"], ["analytics", "marketing"], [], 100.0, "web", "api"))
    result = db.write_sync(lambda c: ledger.record(c, ["s1"], [], ["marketing"], 200.0, "web", "api"))
    assert result.withdrawn == {"marketing"}
    late = db.write_sync(lambda c: ledger.record(c, ["s1"], ["marketing"], [], 150.0, "web", "api"))
    assert late.withdrawn == frozenset()
    assert ledger.state(["s1"]) == {"analytics": True, "marketing": False}
    assert db.read_sync(lambda c: c.execute("SELECT count(*) FROM consent_history").fetchone()[0]) == 3
    assert ConsentLedger(db).state(["s1"]) == {"analytics": True, "marketing": False}  # reloaded from the table


def test_a_denial_for_any_linked_identifier_wins(db: Database) -> None:
    ledger = ConsentLedger(db)
    db.write_sync(lambda c: ledger.record(c, ["anon"], ["analytics"], [], 1.0, "web", "api"))
    db.write_sync(lambda c: ledger.record(c, ["user"], [], ["analytics"], 2.0, "web", "api"))
    assert ledger.state(["anon", "user"]) == {"analytics": False}
    assert ledger.state(["stranger"]) is None


def test_consent_given_under_an_anonymous_id_carries_to_the_user_id_once_linked(db: Database) -> None:
    ledger = ConsentLedger(db)
    db.write_sync(lambda c: ledger.record(c, ["anon"], ["analytics"], ["marketing"], 5.0, "web", "api"))
    db.write_sync(lambda c: ledger.carry(c, [("anon", "user")]))
    assert ledger.state(["user"]) == {"analytics": True, "marketing": False}
    via = db.read_sync(lambda c: c.execute("SELECT via FROM consent_history WHERE subject = 'user'").fetchone()[0])
    assert via == "carried"

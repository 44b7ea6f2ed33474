"""Caches every node keeps in memory follow the other nodes' writes on one PostgreSQL database (gateway.invalidation):
the consent ledger and the account map, with only the changed subjects' rows read again."""

from __future__ import annotations

import pytest

from gateway.accounts import MIGRATIONS as ACCOUNT_MIGRATIONS
from gateway.accounts import AccountMap
from gateway.consent_ledger import MIGRATIONS as CONSENT_MIGRATIONS
from gateway.consent_ledger import ConsentLedger
from gateway.database import Database
from gateway.invalidation import MAX_PAYLOAD, Invalidation, changes
from gateway.storage.postgres import postgres_engine
from tests.support.waiting import WAIT_TIMEOUT_S, wait_until

MIGRATIONS = (*CONSENT_MIGRATIONS, *ACCOUNT_MIGRATIONS)


def test_notices_name_the_changed_keys_and_one_without_keys_means_everything() -> None:
    assert changes(["consent s1 s2", "consent s3", "accounts a1"]) == {
        "consent": frozenset({"s1", "s2", "s3"}), "accounts": frozenset({"a1"})}
    assert changes(["consent s1", "consent", "consent s2"]) == {"consent": None}


def test_consent_and_account_links_recorded_on_one_node_govern_the_other_once_notified(postgres_url: str) -> None:
    """Only the notification tells node B's caches (they do not poll), so a generous deadline proves it as well as a
    short one (these were 1 s: a timing threshold that a loaded machine need not meet)."""
    engine = postgres_engine(postgres_url)
    node_a, node_b = Database(engine, MIGRATIONS), Database(engine, MIGRATIONS)
    heard_a, heard_b = Invalidation(engine), Invalidation(engine)
    ledger_a, ledger_b = ConsentLedger(node_a, heard_a), ConsentLedger(node_b, heard_b)
    accounts_a, accounts_b = AccountMap(node_a, heard_a), AccountMap(node_b, heard_b)
    read: list[frozenset[str] | None] = []
    heard_b.subscribe("consent", read.append)
    heard_b.start()
    try:
        assert heard_b.listening.wait(WAIT_TIMEOUT_S)
        read.clear()
        node_a.write_sync(lambda conn: ledger_a.record(conn, ["s-alice"], [], ["analytics"], scope="subject",
                                                       provenance="server", source="web", via="api"))
        wait_until(lambda: ledger_b.state(["s-alice"]) is not None, WAIT_TIMEOUT_S, 0.005,
                   "node B to hear of the consent")
        assert ledger_b.state(["s-alice"]) == {"analytics": False}
        assert read == [frozenset({"s-alice"})]  # only her rows were read again, not the table

        node_a.write_sync(lambda conn: accounts_a.record(conn, [("s-alice", "acme")]))
        wait_until(lambda: accounts_b.account(["s-alice"]) == "acme", WAIT_TIMEOUT_S, 0.005,
                   "node B to hear of the account")

        # A deletion through node A forgets her on node B too.
        node_a.write_sync(lambda conn: (ledger_a.forget(conn, {"s-alice"}, None),
                                        accounts_a.delete_subjects(conn, {"s-alice"})))
        wait_until(lambda: ledger_b.state(["s-alice"]) is None and accounts_b.account(["s-alice"]) is None,
                   WAIT_TIMEOUT_S, 0.005, "node B to forget her")
        # So many subjects that their keys do not fit a notice: node B reads the whole state.
        many = [f"s-{n:040d}" for n in range(MAX_PAYLOAD // 40 + 1)]
        node_a.write_sync(lambda conn: ledger_a.record(conn, many, ["analytics"], [], scope="subject",
                                                       provenance="server", source="web", via="api"))
        wait_until(lambda: ledger_b.state(many[-1:]) == {"analytics": True}, WAIT_TIMEOUT_S, 0.005,
                   "node B to read it all")
        assert read[-1] is None
    finally:
        heard_a.close()
        heard_b.close()
        node_a.close()
        node_b.close()


@pytest.mark.parametrize("keys", [[], None])
def test_a_write_that_changes_no_subject_announces_nothing_and_one_without_keys_announces_the_topic(
    postgres_url: str, keys: list[str] | None
) -> None:
    engine = postgres_engine(postgres_url)
    node = Database(engine, MIGRATIONS)
    listener = engine.open()
    try:
        listener.execute("LISTEN gateway_invalidation")
        node.write_sync(lambda conn: Invalidation(engine).announce(conn, "consent", keys))
        # A notice expected ends the wait as it comes: its deadline can be generous; none expected waits it out.
        timeout = 0.5 if keys == [] else WAIT_TIMEOUT_S
        notices = [n.payload for n in listener.raw.notifies(timeout=timeout, stop_after=1)]  # type: ignore[attr-defined]
        assert notices == ([] if keys == [] else ["consent"])
    finally:
        listener.close()
        node.close()

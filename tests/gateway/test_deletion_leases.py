"""A deletion request is carried by one node at a time, across nodes sharing one database: its lease is a row with
an expiry, taken by a conditional upsert. Each test runs on SQLite and on PostgreSQL, with two nodes that each have
their own database connections (two `Database`s on one database), as two gateway processes would."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway import deletion
from gateway.database import Database
from gateway.deletion import LEASE_S, take_lease
from gateway.storage.engine import Engine


@pytest.fixture
def nodes(database_location: Path | Engine) -> Iterator[tuple[Database, Database]]:
    first = Database(database_location, deletion.MIGRATIONS)
    second = Database(database_location, deletion.MIGRATIONS)  # migrations already applied: nothing to do
    yield first, second
    second.close()
    first.close()


def test_a_lease_is_held_by_one_node_renewed_by_it_and_taken_over_once_it_expires(
        nodes: tuple[Database, Database]) -> None:
    a, b = nodes
    assert a.write_sync(lambda c: take_lease(c, "del_1", "node-a", now=1000.0))
    assert not b.write_sync(lambda c: take_lease(c, "del_1", "node-b", now=1000.0 + LEASE_S / 2))  # a holds it
    assert a.write_sync(lambda c: take_lease(c, "del_1", "node-a", now=1000.0 + LEASE_S / 2))  # a renews it
    assert not b.write_sync(lambda c: take_lease(c, "del_1", "node-b", now=1000.0 + LEASE_S))  # renewed: still a's
    # a stops renewing (it died): once its lease has expired, b takes the request over, and a's late step fails.
    assert b.write_sync(lambda c: take_lease(c, "del_1", "node-b", now=1000.0 + LEASE_S * 2))
    assert not a.write_sync(lambda c: take_lease(c, "del_1", "node-a", now=1000.0 + LEASE_S * 2))
    held = b.read_sync(lambda c: c.execute("SELECT holder FROM deletion_leases WHERE deletion_id = 'del_1'").fetchall())
    assert held == [("node-b",)]


def test_nodes_racing_for_the_same_requests_get_one_holder_each(nodes: tuple[Database, Database]) -> None:
    """Both nodes try to take the same 50 requests at the same moment, from two threads: every request ends up with
    exactly one holder, and the node that was told it holds a request is the one the row names."""
    requests = [f"del_{i}" for i in range(50)]
    won: dict[str, list[str]] = {"node-a": [], "node-b": []}
    start = threading.Barrier(2)

    def race(db: Database, node: str) -> None:
        start.wait()
        for deletion_id in requests:
            if db.write_sync(lambda c, deletion_id=deletion_id: take_lease(c, deletion_id, node, now=5000.0)):
                won[node].append(deletion_id)

    threads = [threading.Thread(target=race, args=(db, node)) for db, node in zip(nodes, won, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(won["node-a"] + won["node-b"]) == sorted(requests)  # each request won exactly once
    holders = dict(nodes[0].read_sync(lambda c: c.execute("SELECT deletion_id, holder FROM deletion_leases")
                                      .fetchall()))
    assert holders == {deletion_id: node for node, ids in won.items() for deletion_id in ids}

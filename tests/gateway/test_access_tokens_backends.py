"""Access tokens kept in the database (`privacy-gateway token create`) on either engine: found by their digest only,
listed oldest first, and gone once revoked (each test runs on SQLite and on PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from gateway import access
from gateway.database import Database
from gateway.storage.engine import Engine
from policies.policy import AccessToken


def test_a_stored_token_is_found_by_its_digest_listed_and_stops_working_once_revoked(database_location: Path | Engine
                                                                                     ) -> None:
    db = Database(database_location, access.MIGRATIONS)
    store = access.TokenStore(db)
    secret = access.new_token()
    store.add(AccessToken("ops", "admin", access.digest(secret)))
    store.add(AccessToken("viewer", "viewer", access.digest(access.new_token())))

    assert store.find(access.digest(secret)) == AccessToken("ops", "admin", access.digest(secret))
    assert store.find(access.digest(secret + "x")) is None
    assert [stored.token.name for stored in store.all()] == ["ops", "viewer"]
    assert db.write_sync(lambda conn: access.delete_token(conn, access.digest(secret)))
    assert store.find(access.digest(secret)) is None
    assert not db.write_sync(lambda conn: access.delete_token(conn, access.digest(secret)))  # nothing left to revoke
    db.close()

"""The web UI's sign-ins and the consent tokens already spent are kept in the database on either engine (each test
runs on SQLite and on PostgreSQL): a signed-out session stays out, and a token records consent once."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from gateway import consent_token, ui_sessions
from gateway.consent_token import ConsentClaims, TokenRefused
from gateway.database import Database
from gateway.storage.engine import Engine
from gateway.ui_sessions import UiSessions


def test_a_session_is_live_until_signed_out_or_expired_and_a_new_sign_in_replaces_its_row(
    database_location: Path | Engine,
) -> None:
    db = Database(database_location, ui_sessions.MIGRATIONS)
    sessions = UiSessions(db)
    now = time.time()

    async def scenario() -> None:
        await sessions.start("ref-a", "ana", "viewer", now + 3600)
        await sessions.start("ref-old", "bo", "admin", now - 1)  # already expired: never live
        assert sessions.live("ref-a") and not sessions.live("ref-old")
        await sessions.start("ref-a", "ana", "admin", now + 7200)  # the same reference again: one row, the new role
        assert db.read_sync(lambda c: c.execute("SELECT role FROM ui_sessions WHERE ref = ?", ("ref-a",)).fetchall()
                            ) == [("admin",)]
        await sessions.end("ref-a")
        assert not sessions.live("ref-a")

    asyncio.run(scenario())
    db.close()


def test_a_consent_token_records_once_and_its_replay_is_refused(database_location: Path | Engine) -> None:
    db = Database(database_location, consent_token.MIGRATIONS)
    now = time.time()
    claims = ConsentClaims("user-1", ["analytics"], [], now, now + 300, "jti-1")
    db.write_sync(lambda conn: consent_token.spend(conn, claims, now))
    with pytest.raises(TokenRefused) as refused:
        db.write_sync(lambda conn: consent_token.spend(conn, claims, now))
    assert (refused.value.status, refused.value.code) == (409, "token_replayed")
    # Spent tokens long expired are forgotten as new ones are spent.
    db.write_sync(lambda conn: consent_token.spend(conn, ConsentClaims("user-2", [], [], now, now + 300, "jti-2"),
                                                   now + 1000))
    assert db.read_sync(lambda c: c.execute("SELECT jti FROM consent_token_uses").fetchall()) == [("jti-2",)]
    db.close()


def test_a_replay_read_just_before_its_token_expired_is_refused_though_its_write_comes_after(
    database_location: Path | Engine,
) -> None:
    """The API reads a token (unexpired: it goes on) and spends it in the write that records the consent, a moment
    later under load. A replay whose token expires in between must not find its own jti dropped as expired."""
    db = Database(database_location, consent_token.MIGRATIONS)
    now = time.time()
    claims = ConsentClaims("user-1", ["analytics"], [], now, now + 300, "jti-1")
    db.write_sync(lambda conn: consent_token.spend(conn, claims, now))
    expired_meanwhile = claims.expires_at + consent_token.LEEWAY_S + 1
    with pytest.raises(TokenRefused) as refused:
        db.write_sync(lambda conn: consent_token.spend(conn, claims, expired_meanwhile))
    assert (refused.value.status, refused.value.code) == (409, "token_replayed")
    db.close()

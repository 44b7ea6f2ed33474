"""Recordings at rest are sealed under keys that deletion and retention destroy (replay.shredding), through ReplayStore
on a real SQLite file and on PostgreSQL."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from gateway.database import Database
from gateway.schema import MIGRATIONS
from gateway.storage.connection import Connection
from gateway.storage.engine import Engine
from replay import shredding
from replay.compression import Compressor
from replay.shredding import (
    DataKey,
    KeyRing,
    MasterKeyMismatch,
    Shredded,
    binding_key_id,
    fingerprint,
    open_chunk,
    seal_chunk,
    unwrap,
)
from replay.store import ChunkIn, ReplayStore, encode_chunk
from replay.summary import summarize
from tests.replay.old_rows import migrations_before, segments_found_by_session
from tests.replay.streams import E, Recording

MASTER = bytes(range(32))  # not a secret: the tests' master key


@pytest.fixture
def db(database_location: Path | Engine) -> Iterator[Database]:
    database = Database(database_location, MIGRATIONS)
    yield database
    database.close()


def visit(session_id: str, subjects: tuple[str, ...], typed: str) -> ChunkIn:
    rec = Recording()
    refs = rec.page(1_795_000_000_000, "https://shop.example/", E("input", name="q", ref="q"))
    rec.type_text(1_795_000_001_000, refs["q"], typed)
    return ChunkIn(session_id, "w-1", subjects, list(rec.events), summarize(list(rec.events)))


Sealed = tuple[int, int | None, str, bytes, str, bytes]  # id, dictionary, session, digest, key id, sealed bytes


def chunks(db: Database) -> list[Sealed]:
    return db.read_sync(lambda c: c.execute(
        """SELECT c.id, c.dictionary_id, c.session_id, c.digest, c.key_id, b.data FROM replay_chunks c
           JOIN replay_blobs b ON b.chunk_id = c.id ORDER BY c.id""").fetchall())


def opened(key: object, chunk: Sealed, data: bytes | None = None) -> bytes:
    """`chunk` opened in its own place (its identity as associated data), with its own bytes or `data`."""
    chunk_id, dict_id, session_id, digest, _, own = chunk
    return open_chunk(key, chunk_id, session_id, digest, dict_id, own if data is None else data)  # type: ignore[arg-type]


def test_chunks_are_sealed_under_their_binding_and_open_only_in_their_own_place(db: Database) -> None:
    store = ReplayStore(db, Compressor(3), KeyRing(MASTER))
    asyncio.run(store.add("web", [visit("s-1", ("h-ann",), "size 44 boots")]))
    asyncio.run(store.add("web", [visit("s-2", ("h-ann",), "red scarf")]))
    asyncio.run(store.add("web", [visit("s-3", (), "anonymous")]))
    asyncio.run(store.add("web", [visit("s-1", ("h-ann",), "and gloves")]))
    first, second, anonymous, later = chunks(db)
    assert first[4] == second[4] == later[4] == "subjects:h-ann"  # one key for the binding
    assert anonymous[4] == "session:s-3"  # an anonymous session's own
    assert b"size 44" not in first[5]
    assert any(e.get("data", {}).get("text") == "size 44 boots" for e in store.read_events("s-1"))
    key = db.read_sync(lambda c: store.keys.key(c, first[4]))
    assert opened(key, first) and opened(key, later)
    for other in (second, later):  # another session's bytes, or another chunk's of the same session, in its place
        with pytest.raises(ValueError, match="fail authentication"):
            opened(key, first, other[5])


def test_retention_destroys_a_key_with_the_last_chunk_sealed_under_it(db: Database) -> None:
    store = ReplayStore(db, Compressor(3), KeyRing(MASTER))
    for session_id, subjects in (("s-1", ("h-ann",)), ("s-2", ("h-ann",)), ("s-3", ())):
        asyncio.run(store.add("web", [visit(session_id, subjects, "typed")]))
    sealed = {row[2]: row for row in chunks(db)}
    db.write_sync(lambda c: store.delete_sessions(c, ["s-1", "s-3"]))

    keys = db.read_sync(lambda c: [r[0] for r in c.execute("SELECT key_id FROM replay_keys")])
    assert keys == ["subjects:h-ann"]  # s-2 still needs Ann's key; the anonymous session's key went with it
    with pytest.raises(Shredded):
        opened(db.read_sync(lambda c: store.keys.key(c, sealed["s-3"][4])), sealed["s-3"])


def test_shredding_a_subject_destroys_every_binding_naming_them(db: Database) -> None:
    store = ReplayStore(db, Compressor(3), KeyRing(MASTER))
    asyncio.run(store.add("web", [visit("s-1", ("h-ann", "h-device"), "typed")]))
    asyncio.run(store.add("web", [visit("s-2", ("h-bob",), "typed")]))
    assert db.write_sync(lambda c: store.shred_subjects(c, {"h-device"}, 500)) == 1
    assert [e for e in store.read_events("s-1")] == []  # its chunks' key is gone: nothing can be read
    assert list(store.read_events("s-2"))


def test_a_subjects_keys_are_destroyed_in_bounded_steps_through_the_key_index(db: Database) -> None:
    store = ReplayStore(db, Compressor(3), KeyRing(MASTER))
    for session_id, subjects in (("s-1", ("h-ann",)), ("s-2", ("h-ann", "h-phone")), ("s-3", ("h-ann", "h-tablet")),
                                 ("s-4", ("h-bob",))):
        asyncio.run(store.add("web", [visit(session_id, subjects, "typed")]))
    steps = [db.write_sync(lambda c: store.shred_subjects(c, ["h-ann"], 2)) for _ in range(3)]
    assert steps == [2, 1, 0]  # a deletion's step stops at its bound; the next goes on; none once none is left
    assert db.read_sync(lambda c: c.execute("SELECT key_id FROM replay_keys").fetchall()) == [("subjects:h-bob",)]
    assert db.read_sync(lambda c: c.execute("SELECT subject, key_id FROM replay_key_subjects").fetchall()) == []
    # (the index held only the two-identifier keys, gone; h-bob's key is found by its id)


def test_a_one_identifier_binding_has_no_index_row_and_its_deletion_still_finds_its_key(db: Database) -> None:
    store = ReplayStore(db, Compressor(3), KeyRing(MASTER))
    asyncio.run(store.add("web", [visit("s-1", ("h-ann",), "typed")]))
    asyncio.run(store.add("web", [visit("s-2", ("h-ann", "h-phone"), "typed")]))
    assert db.read_sync(lambda c: c.execute("SELECT subject, key_id FROM replay_key_subjects ORDER BY subject")
                        .fetchall()) == [("h-ann", "subjects:h-ann h-phone"), ("h-phone", "subjects:h-ann h-phone")]
    assert db.write_sync(lambda c: store.shred_subjects(c, ["h-ann"], 500)) == 2
    assert list(store.read_events("s-1")) == [] and list(store.read_events("s-2")) == []
    assert db.read_sync(lambda c: c.execute("SELECT count(*) FROM replay_keys").fetchone()[0]) == 0


def test_keys_stored_before_the_key_index_are_indexed_by_its_migration(tmp_path: Path) -> None:
    path = tmp_path / "replay.sqlite3"
    index_step = [m.name for m in MIGRATIONS].index("replay-keys-2")
    before = Database(path, MIGRATIONS[:index_step])  # a gateway from before the key index
    before.write_sync(lambda c: c.executemany(
        "INSERT INTO replay_keys (key_id, subjects, master, wrapped, created_at) VALUES (?, ?, 'fp', x'00', 0)",
        [("subjects:h-ann h-phone", "h-ann h-phone"), ("subjects:h-bob", "h-bob"), ("session:s-9", "")]))
    before.close()
    after = Database(path, MIGRATIONS[: index_step + 1])
    try:
        indexed = after.read_sync(lambda c: c.execute(
            "SELECT subject, key_id FROM replay_key_subjects ORDER BY subject").fetchall())
    finally:
        after.close()
    assert indexed == [("h-ann", "subjects:h-ann h-phone"), ("h-bob", "subjects:h-bob"),
                       ("h-phone", "subjects:h-ann h-phone")]  # an anonymous session's key names nobody


def test_keys_stored_before_one_identifier_keys_went_unindexed_upgrade_and_are_still_destroyed(
        database_location: Path | Engine) -> None:
    # a gateway that indexed every binding's key
    before = Database(database_location, migrations_before(MIGRATIONS, "replay-keys-3"))
    old = ReplayStore(before, Compressor(3), KeyRing(MASTER))
    old.keys._insert = old_insert.__get__(old.keys)  # type: ignore[method-assign]
    with pytest.MonkeyPatch.context() as patch:
        segments_found_by_session(patch)
        for session_id, subjects in (("s-1", ("h-ann",)), ("s-2", ("h-ann", "h-phone")), ("s-3", ("h-bob",))):
            asyncio.run(old.add("web", [visit(session_id, subjects, "typed")]))
    asyncio.run(old.close())
    before.close()
    after = Database(database_location, MIGRATIONS)
    try:
        store = ReplayStore(after, Compressor(3), KeyRing(MASTER))
        indexed = after.read_sync(lambda c: c.execute(
            "SELECT subject, key_id FROM replay_key_subjects ORDER BY subject").fetchall())
        assert indexed == [("h-ann", "subjects:h-ann h-phone"), ("h-phone", "subjects:h-ann h-phone")]
        assert [list(store.read_events(s)) != [] for s in ("s-1", "s-2", "s-3")] == [True, True, True]
        assert after.write_sync(lambda c: store.shred_subjects(c, ["h-ann"], 500)) == 2
        assert list(store.read_events("s-1")) == [] and list(store.read_events("s-2")) == []
        assert list(store.read_events("s-3"))
    finally:
        after.close()


def old_insert(self: KeyRing, conn: Connection, key: DataKey, subjects: str) -> None:
    """How keys were stored before replay-keys-3: the binding in its own column, every identifier in the index."""
    conn.execute("INSERT INTO replay_keys (key_id, subjects, master, wrapped, created_at) VALUES (?, ?, ?, ?, 0)",
                 (key.key_id, subjects, self.fingerprint, key.wrapped))
    conn.executemany("INSERT INTO replay_key_subjects (subject, key_id) VALUES (?, ?)",
                     [(subject, key.key_id) for subject in subjects.split()])


def test_another_master_key_is_refused_before_anything_is_sealed_under_it(db: Database) -> None:
    asyncio.run(ReplayStore(db, Compressor(3), KeyRing(MASTER)).add("web", [visit("s-1", ("h-ann",), "typed")]))
    with pytest.raises(MasterKeyMismatch, match="not by the configured one"):
        ReplayStore(db, Compressor(3), KeyRing(bytes(32)))


def test_rewrapping_under_a_new_master_key_keeps_every_recording_readable(db: Database) -> None:
    store = ReplayStore(db, Compressor(3), KeyRing(MASTER))
    asyncio.run(store.add("web", [visit("s-1", ("h-ann",), "kept")]))
    new = bytes(range(32, 64))
    assert db.write_sync(lambda c: store.keys.rewrap(c, new)) == 1
    reopened = ReplayStore(db, Compressor(3), KeyRing(new))
    assert any(e.get("data", {}).get("text") == "kept" for e in reopened.read_events("s-1"))


def unkeyed_digest(chunk: ChunkIn) -> bytes:
    """What a chunk's digest was before it was keyed: BLAKE2b of window id and events, which anyone could compute."""
    h = hashlib.blake2b(chunk.window_id.encode(), digest_size=16)
    h.update(b"\0")
    h.update(encode_chunk(chunk.events))
    return h.digest()


def test_a_chunks_digest_confirms_no_guess_of_its_content_without_the_master_key(db: Database) -> None:
    store = ReplayStore(db, Compressor(3), KeyRing(MASTER))
    sent = visit("s-1", ("h-ann",), "size 44 boots")
    asyncio.run(store.add("web", [sent]))
    assert asyncio.run(store.add("web", [sent]))[0].duplicate  # an SDK retry is still stored once
    ((_, _, _, digest, _, _),) = chunks(db)

    # Someone holding the index (a backup, after the deletion shredded the chunk) who guesses the exact content
    # cannot confirm it: the digest is neither the plain hash nor what another master key makes of it.
    assert digest != unkeyed_digest(sent)
    assert digest != KeyRing(bytes(32)).chunk_digest(sent.window_id, encode_chunk(sent.events))
    assert digest == KeyRing(MASTER).chunk_digest(sent.window_id, encode_chunk(sent.events))


def test_a_chunk_digested_before_digests_were_keyed_is_still_read(db: Database) -> None:
    store = ReplayStore(db, Compressor(3), KeyRing(MASTER))
    sent = visit("s-1", ("h-ann",), "size 44 boots")
    asyncio.run(store.add("web", [sent]))
    chunk_id, dict_id, session_id, digest, key_id, data = chunks(db)[0]
    key = db.read_sync(lambda c: store.keys.key(c, key_id))
    assert key is not None
    # As an older gateway stored it: the unkeyed digest in its row and in its seal's associated data.
    old = unkeyed_digest(sent)
    compressed = open_chunk(key, chunk_id, session_id, digest, dict_id, data)
    legacy = seal_chunk(DataKey(key_id, key, b""), session_id, old, dict_id, compressed)
    db.write_sync(lambda c: (c.execute("UPDATE replay_chunks SET digest = ? WHERE id = ?", (old, chunk_id)),
                             c.execute("UPDATE replay_blobs SET data = ? WHERE chunk_id = ?", (legacy, chunk_id))))

    reader = ReplayStore(db, Compressor(3), KeyRing(MASTER))
    assert any(e.get("data", {}).get("text") == "size 44 boots" for e in reader.read_events("s-1"))


def test_a_hex_identifier_and_a_uuid_session_name_their_keys_by_their_bytes_and_old_text_ids_still_shred(
        db: Database) -> None:
    ann, session = hashlib.sha256(b"ann").hexdigest()[:32], "0193a5c2-7d1e-7b3f-9c4a-2f6e8d1b5a90"
    assert binding_key_id(session, [ann]) == "s:" + base64.urlsafe_b64encode(bytes.fromhex(ann)).decode().rstrip("=")
    assert binding_key_id(session, []) == "a:" + base64.urlsafe_b64encode(uuid.UUID(session).bytes).decode()[:22]
    assert len(binding_key_id(session, [ann])) == len(binding_key_id(session, [])) == 24
    for other, subjects in (("s-1", ["h-ann"]), (session.upper(), []), (session, [ann.upper()]),
                            (session, [ann, "h-b"]), ("s-1", [])):  # not of that form: the text id, as before
        assert binding_key_id(other, subjects).startswith(("subjects:", "session:"))

    store = ReplayStore(db, Compressor(3), KeyRing(MASTER))
    # A key made before short ids (its row as it was written), then the same binding's chunks after the upgrade.
    older = ReplayStore(db, Compressor(3), KeyRing(MASTER))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(shredding, "binding_key_id", lambda s, subjects: shredding._text_key_id(s, sorted(subjects)))
        asyncio.run(older.add("web", [visit("s-old", (ann,), "typed before")]))
    asyncio.run(store.add("web", [visit(session, (ann,), "typed after")]))
    asyncio.run(store.add("web", [visit("0193a5c2-7d1e-7b3f-9c4a-2f6e8d1b5a91", (), "anonymous")]))
    keys = {row[0] for row in db.read_sync(lambda c: c.execute("SELECT key_id FROM replay_keys").fetchall())}
    assert keys == {f"subjects:{ann}", binding_key_id(session, [ann]),
                    binding_key_id("0193a5c2-7d1e-7b3f-9c4a-2f6e8d1b5a91", [])}

    assert db.write_sync(lambda c: store.shred_subjects(c, {ann}, 500)) == 2  # both of Ann's keys
    assert list(store.read_events("s-old")) == list(store.read_events(session)) == []
    assert list(store.read_events("0193a5c2-7d1e-7b3f-9c4a-2f6e8d1b5a91"))


def test_data_keys_are_wrapped_in_40_bytes_bound_to_their_id_and_keys_wrapped_by_aes_gcm_before_still_open(
        db: Database) -> None:
    store = ReplayStore(db, Compressor(3), KeyRing(MASTER))
    asyncio.run(store.add("web", [visit("s-new", ("h-new",), "typed after")]))
    # A key made before (AES-GCM under the master key with its id as associated data), and a chunk sealed under it.
    data_key = os.urandom(32)
    nonce = os.urandom(12)
    db.write_sync(lambda c: c.execute("INSERT INTO replay_keys (key_id, master, wrapped) VALUES (?, ?, ?)",
                                      ("subjects:h-old", fingerprint(MASTER),
                                       nonce + AESGCM(MASTER).encrypt(nonce, data_key, b"subjects:h-old"))))
    asyncio.run(store.add("web", [visit("s-old", ("h-old",), "typed before")]))
    wrapped = dict(db.read_sync(lambda c: c.execute("SELECT key_id, wrapped FROM replay_keys").fetchall()))
    assert len(wrapped["subjects:h-new"]) == 40 and len(wrapped["subjects:h-old"]) == 60
    masters = dict(db.read_sync(lambda c: c.execute("SELECT key_id, master FROM replay_keys").fetchall()))
    assert masters == {"subjects:h-new": "", "subjects:h-old": fingerprint(MASTER)}  # unwrapping tells the new one's
    assert unwrap(MASTER, "subjects:h-old", wrapped["subjects:h-old"]) == data_key
    with pytest.raises(InvalidTag):  # a wrapped key read as another id's does not open
        unwrap(MASTER, "subjects:h-other", wrapped["subjects:h-new"])
    with pytest.raises(InvalidTag):
        unwrap(bytes(32), "subjects:h-new", wrapped["subjects:h-new"])

    other = bytes(range(1, 33))
    assert db.write_sync(lambda c: KeyRing(MASTER).rewrap(c, other)) == 2
    rewrapped = dict(db.read_sync(lambda c: c.execute("SELECT key_id, wrapped FROM replay_keys").fetchall()))
    assert {len(w) for w in rewrapped.values()} == {40}
    with pytest.raises(MasterKeyMismatch, match="wrapped by another master key"):  # the keys' own check
        db.read_sync(KeyRing(MASTER).check)
    assert unwrap(other, "subjects:h-old", rewrapped["subjects:h-old"]) == data_key
    reader = ReplayStore(db, Compressor(3), KeyRing(other))
    assert list(reader.read_events("s-old")) and list(reader.read_events("s-new"))

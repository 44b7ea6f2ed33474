"""Crypto-shredding of recordings: every stored chunk is encrypted under a data key of the identifiers its session is
bound to, and deleting those identifiers destroys the key, so that the chunks are unreadable wherever their bytes are
(a batched object that is not rewritten, a disk's free blocks, a copy).

- Data keys: 256-bit AES-GCM keys, one per binding (the identifier hashes a session was opened with, sorted; every
  session bound to the same identifiers shares it) and one per anonymous session (bound to none), kept in
  `replay_keys` wrapped (AES key wrap under a key derived from the master key and the key's id: `wrap`; AES-GCM
  under the master key for keys made before) by the master key, never in the clear. A key's id names its binding
  (`binding_key_id`), so a deletion finds the key of a one-identifier binding by its id; `replay_key_subjects` indexes
  the keys of bindings of several identifiers by each identifier hash they name (made and deleted with the key), so a
  deletion finds a subject's keys without reading `replay_keys` whole. (A row per one-identifier key, most of them,
  would only repeat its id: about 160 bytes per recording, bench/replay_store.py.)
- The master key is not in the database (the gateway reads it from `[privacy] master_key_file` or the environment, see
  gateway.keys); a key wrapped by AES-GCM (before AES key wrap) names the master key's fingerprint, and one wrapped
  by AES key wrap is checked by unwrapping it (`KeyRing.check`), so a wrong or missing master key is told at start
  rather than found at the first read.
- A chunk is sealed after compression as nonce (12 random bytes) + ciphertext + tag, with its identity as associated
  data: its session id, its digest (keyed BLAKE2b of window id and events, which its index row keeps and which is
  unique in its session) and its dictionary id. All three are known before the chunk has a row id, so both backends
  seal a chunk before its bytes are written: the database's in the index's transaction, the object store's before
  the put that precedes the index commit (replay.batching). A chunk's bytes put in another chunk's place (of the same
  session or any other, in the same object or another) fail to open, as do bytes under a key that was destroyed
  (`Shredded`).

Destroying a key deletes its row; the gateway's connections zero deleted content (secure_delete) and a deletion
truncates the WAL, so no copy of the wrapped key stays in the database's files. A backup taken before a deletion
still holds the wrapped key: it is opened only by the master key it was wrapped under, so a deletion reaches such
copies when that master key is retired (`rewrap` under a new one, then destroy the old one).

A chunk's digest is keyed (`KeyRing.chunk_digest`) with a key derived from the master key: an unkeyed hash of the
plaintext, kept in the index row of a shredded chunk (or in a backup), would let anyone who guesses a chunk's exact
content confirm the guess. Rows digested before the key keep their unkeyed digest, which is their seal's associated
data (so they stay readable); they go with retention or with their subject's deletion. A rotated master key digests
with a new key, so a batch retried across a rotation (gateway stopped) would be stored twice (reading drops its
repeated events); a stored chunk keeps its digest, so the ids forwarded recordings take from it do not change.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from replay.database import Connection

SCHEMA = (
    """CREATE TABLE replay_keys (
        key_id TEXT PRIMARY KEY,
        subjects TEXT NOT NULL,
        master TEXT NOT NULL,
        wrapped BLOB NOT NULL,
        created_at REAL NOT NULL
    ) WITHOUT ROWID""",
    # Which key sealed a chunk; NULL for chunks stored before encryption (read as they are).
    "ALTER TABLE replay_chunks ADD COLUMN key_id TEXT",
)
# What a deletion and retention look keys up by, so that neither reads a key table whole: the keys of a binding by each
# identifier hash it names (keyed hashes, as the binding itself holds them), and the chunks sealed under a key.
INDEX_TABLES = (
    """CREATE TABLE replay_key_subjects (
        subject TEXT NOT NULL,
        key_id TEXT NOT NULL,
        PRIMARY KEY (subject, key_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX replay_key_subjects_key ON replay_key_subjects (key_id)",
    "CREATE INDEX replay_chunks_key ON replay_chunks (key_id)",
)
INDEX_SCHEMA = (
    *INDEX_TABLES,
    # Keys made before this migration: their bindings split on spaces.
    """INSERT OR IGNORE INTO replay_key_subjects (subject, key_id)
        WITH RECURSIVE split (key_id, subject, rest) AS (
            SELECT key_id, '', subjects || ' ' FROM replay_keys WHERE subjects != ''
            UNION ALL
            SELECT key_id, substr(rest, 1, instr(rest, ' ') - 1), substr(rest, instr(rest, ' ') + 1) FROM split
            WHERE rest != ''
        )
        SELECT subject, key_id FROM split WHERE subject != ''""",
)
# One-identifier bindings' keys are found by their id: their index rows go, and the binding column, which only
# repeated the key id, too.
ONE_SUBJECT_SCHEMA = (
    "DELETE FROM replay_key_subjects WHERE key_id = 'subjects:' || subject",
    "ALTER TABLE replay_keys DROP COLUMN subjects",
)
# When a key was made: written, never read (a key goes with the last chunk or segment sealed under it, or with its
# subject), and 9 bytes a key, that is a session.
UNREAD_COLUMNS = ("ALTER TABLE replay_keys DROP COLUMN created_at",)
POSTGRES_INDEX_FILL = """INSERT INTO replay_key_subjects (subject, key_id)
    SELECT DISTINCT subject, key_id FROM replay_keys, unnest(string_to_array(subjects, ' ')) AS s(subject)
    WHERE subjects <> '' AND subject <> '' ON CONFLICT DO NOTHING"""

MASTER_KEY_BYTES = 32
_NONCE = 12
_LONGEST_KEY_ID = 1000  # characters (see _text_key_id)
_GCM_WRAPPED = _NONCE + 32 + 16  # a data key wrapped by AES-GCM (keys made before AES key wrap)
_CACHED_KEYS = 10_000  # unwrapped data keys kept in memory (sessions being recorded or read)
_IDS_PER_QUERY = 500  # under SQLite's limit on bound parameters in older builds (999)


class Shredded(Exception):
    """A chunk whose key was destroyed (its subject deleted, or its anonymous session expired)."""


class MasterKeyMismatch(Exception):
    """The database holds data keys wrapped by another master key than the one configured."""


def fingerprint(master: bytes) -> str:
    """Names a master key without revealing it: what a key wrapped by AES-GCM records it was wrapped under, and how a
    mismatch names the configured one."""
    return hmac.new(master, b"privacy-gateway replay master key", hashlib.sha256).hexdigest()[:16]


def digest_key(master: bytes) -> bytes:
    """The key chunk digests are made with: derived from the master key, so nothing new is stored, and a digest tells
    nothing to whoever lacks the master key."""
    return hmac.new(master, b"privacy-gateway replay chunk digest", hashlib.sha256).digest()


def binding_key_id(session_id: str, subjects: Iterable[str]) -> str:
    """The data key of a session: its binding's (the identifier hashes it was opened with), or its own when it was
    opened without identifiers. An id is in the key's row, its segments' rows and their key index: an identifier hash
    (hex) or a session id that is a UUID (posthog-js's) is named by its bytes in base64 (`_short_key_id`), 17 and 20
    bytes less each time than the text (`_text_key_id`, which ids made before keep, and any other id takes)."""
    bound = sorted(subjects)
    return _short_key_id(session_id, bound) or _text_key_id(session_id, bound)


def _text_key_id(session_id: str, bound: list[str]) -> str:
    """The id as text; past _LONGEST_KEY_ID (a binding of some 30 identifiers or more) a digest of that text, as a
    PostgreSQL btree entry holds at most ~2.7 KB (such a key is found through replay_key_subjects, not by its id)."""
    text = "subjects:" + " ".join(bound) if bound else "session:" + session_id
    if len(text) <= _LONGEST_KEY_ID:
        return text
    return "subjects#" + hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _short_key_id(session_id: str, bound: list[str]) -> str | None:
    """"s:" and a hex identifier hash's bytes, or "a:" and a UUID session id's, in unpadded base64url; None for a
    binding of several identifiers or an id not of that form. The prefixes tell either apart from the text ids."""
    if len(bound) > 1:
        return None
    try:
        if bound:
            data = bytes.fromhex(bound[0])
            prefix = "s:"
            if data.hex() != bound[0]:  # upper case or spaces: not the one text its bytes give back
                return None
        else:
            data = uuid.UUID(session_id).bytes
            prefix = "a:"
            if str(uuid.UUID(bytes=data)) != session_id:
                return None
    except ValueError:
        return None
    return prefix + base64.urlsafe_b64encode(data).rstrip(b"=").decode() if data else None


def own_key_ids(subject: str) -> list[str]:
    """The ids a one-identifier binding's key may have: today's, and the text one keys made before have."""
    return list(dict.fromkeys((binding_key_id("", (subject,)), _text_key_id("", [subject]))))


def _wrapping_key(master: bytes, key_id: str) -> bytes:
    """The key a data key is wrapped by: its own per id, derived from the master key (HMAC-SHA-256 as the PRF), so
    that a wrapped key opens under its own id only."""
    base = hmac.new(master, b"privacy-gateway replay data key wrapping", hashlib.sha256).digest()
    return hmac.new(base, key_id.encode(), hashlib.sha256).digest()


def wrap(master: bytes, key_id: str, data_key: bytes) -> bytes:
    """A data key wrapped (AES key wrap, RFC 3394: 40 bytes, against 60 for the nonce, ciphertext and tag of AES-GCM
    that keys made before have) under its id's wrapping key. Deterministic, and safe so: each wrapping key wraps
    random keys only."""
    return aes_key_wrap(_wrapping_key(master, key_id), data_key)


def unwrap(master: bytes, key_id: str, wrapped: bytes) -> bytes:
    """A data key from its row's `wrapped`, of either form (told apart by length); InvalidTag if it is not the key of
    `key_id` under `master`, as AES-GCM says it."""
    if len(wrapped) == _GCM_WRAPPED:
        return AESGCM(master).decrypt(wrapped[:_NONCE], wrapped[_NONCE:], key_id.encode())
    try:
        return aes_key_unwrap(_wrapping_key(master, key_id), wrapped)
    except InvalidUnwrap:
        raise InvalidTag from None


def chunk_aad(session_id: str, digest: bytes, dict_id: int | None) -> bytes:
    return struct.pack(">q", -1 if dict_id is None else dict_id) + digest + session_id.encode()


@dataclass(frozen=True)
class DataKey:
    """A data key as sealing uses it: unwrapped, and the wrapped form its row held (which tells this key from one
    made again under the same id after it was destroyed)."""

    key_id: str
    aead: AESGCM
    wrapped: bytes


def seal_chunk(key: DataKey, session_id: str, digest: bytes, dict_id: int | None, compressed: bytes) -> bytes:
    nonce = os.urandom(_NONCE)  # random 96-bit nonces: safe far beyond the chunks one key ever seals (2^32)
    return nonce + key.aead.encrypt(nonce, compressed, chunk_aad(session_id, digest, dict_id))


def open_chunk(key: AESGCM | None, chunk_id: int, session_id: str, digest: bytes, dict_id: int | None,
               sealed: bytes) -> bytes:
    """A chunk's compressed bytes; `Shredded` if its key is gone, ValueError if the bytes are not this chunk's."""
    if key is None:
        raise Shredded(f"chunk {chunk_id}: its key was destroyed")
    try:
        return key.decrypt(sealed[:_NONCE], sealed[_NONCE:], chunk_aad(session_id, digest, dict_id))
    except InvalidTag:
        raise ValueError(f"chunk {chunk_id}: stored bytes fail authentication (not this chunk's)") from None


class KeyRing:
    """Data keys: made, unwrapped (and cached), destroyed; chunks sealed and opened under them. Safe to use from the
    writer thread and reader threads at once."""

    def __init__(self, master: bytes) -> None:
        if len(master) != MASTER_KEY_BYTES:
            raise ValueError(f"the master key must be {MASTER_KEY_BYTES} bytes, not {len(master)}")
        self._master = master
        self.fingerprint = fingerprint(master)
        self._digest_key = digest_key(master)
        self._keys: OrderedDict[str, DataKey] = OrderedDict()
        self._proposed: dict[str, tuple[DataKey, str]] = {}  # new keys sealed under, not stored yet (and bindings)
        self._lock = threading.Lock()

    def check(self, conn: Connection) -> None:
        """Refuse a master key that did not wrap the stored data keys: with it, every recording would be unreadable
        and new ones would be sealed under keys nobody else could open."""
        other = conn.execute("SELECT master, count(*) FROM replay_keys WHERE master NOT IN ('', ?) GROUP BY master",
                             (self.fingerprint,)).fetchall()
        if other:
            found = ", ".join(f"{fp} ({n} keys)" for fp, n in other)
            raise MasterKeyMismatch(
                f"replay data keys were wrapped by master key {found}, not by the configured one "
                f"({self.fingerprint}): configure that master key (or rewrap them under this one)")
        # Keys wrapped by AES key wrap name no master key (`_insert`): its integrity check tells whether this one
        # wrapped them. One of them answers for all: one master key wraps every key (rewrap changes all at once, and
        # nodes sharing a database are held to one master key at start, gateway.shared_keys).
        sample = conn.execute("SELECT key_id, wrapped FROM replay_keys WHERE master = '' LIMIT 1").fetchone()
        if sample is not None:
            try:
                unwrap(self._master, sample[0], sample[1])
            except InvalidTag:
                raise MasterKeyMismatch(
                    f"replay data keys were wrapped by another master key, not by the configured one "
                    f"({self.fingerprint}): configure that master key (or rewrap them under this one)") from None

    def chunk_digest(self, window_id: str, raw: bytes) -> bytes:
        """What makes two batches the same batch: a MAC of window id and events. BLAKE2b's keyed mode (its MAC, RFC
        7693) rather than HMAC-SHA-256, as it is about three times faster here and keyed in one pass."""
        h = hashlib.blake2b(window_id.encode(), digest_size=16, key=self._digest_key)
        h.update(b"\0")
        h.update(raw)
        return h.digest()

    # -- sealing ---------------------------------------------------------------------------------------------------
    # The row, not the cache, says which key a chunk is sealed under: another process (`privacy-gateway purge`) may
    # have destroyed it, or it may have been destroyed and made again under the same id, and a chunk sealed under a
    # key nobody stored could never be read.

    def for_sealing(self, conn: Connection, key_id: str, subjects: Iterable[str]) -> DataKey:
        """The key to seal a chunk under in the write that stores it (the database backend): the stored one, or one
        made now, in the caller's write."""
        row = conn.execute("SELECT wrapped FROM replay_keys WHERE key_id = ?", (key_id,)).fetchone()
        if row is None:
            key = self._new(key_id)
            self._insert(conn, key, " ".join(sorted(subjects)))
            return self._cache(key)
        return self._known(key_id, row[0])

    def propose(self, conn: Connection, bindings: Iterable[tuple[str, Iterable[str]]]) -> dict[str, DataKey]:
        """Keys to seal chunks under before the write that indexes them (the object store's: chunks are sealed before
        their object is put), by key id, from a read: the stored ones, and for an id with none a new key, not stored
        yet, the same one for every caller until `settle` stores it. Any thread."""
        wanted = {key_id: " ".join(sorted(subjects)) for key_id, subjects in bindings}
        stored: dict[str, bytes] = {}
        ids = list(wanted)
        for start in range(0, len(ids), _IDS_PER_QUERY):
            batch = ids[start : start + _IDS_PER_QUERY]
            stored.update(conn.execute(f"SELECT key_id, wrapped FROM replay_keys WHERE key_id IN "
                                       f"({', '.join('?' * len(batch))})", batch).fetchall())
        keys = {}
        for key_id, subjects in wanted.items():
            if key_id in stored:
                keys[key_id] = self._known(key_id, stored[key_id])
                continue
            with self._lock:
                proposal = self._proposed.get(key_id)
                if proposal is None:
                    proposal = self._proposed[key_id] = (self._new(key_id), subjects)
            keys[key_id] = proposal[0]
        return keys

    def settle(self, conn: Connection, key: DataKey) -> bool:
        """In the write that indexes chunks sealed under `key` (from `propose`): whether it is its id's stored key,
        storing it now if it was proposed and nothing was stored under its id meanwhile. False if the key was
        destroyed (or made again) since: the chunks must be sealed again. A destroyed key is never stored again."""
        row = conn.execute("SELECT wrapped FROM replay_keys WHERE key_id = ?", (key.key_id,)).fetchone()
        if row is not None:
            if row[0] != key.wrapped:
                self.withdraw(key)  # proposed while another was being stored under its id: never to be stored
            return bool(row[0] == key.wrapped)
        with self._lock:
            proposal = self._proposed.get(key.key_id)
            if proposal is None or proposal[0] is not key:
                return False
            del self._proposed[key.key_id]  # from here on, it is stored or (rolled back) forgotten
        self._insert(conn, key, proposal[1])
        self._cache(key)
        return True

    def withdraw(self, key: DataKey) -> None:
        """Forget `key` if it is its id's proposal (`propose`): the chunks sealed under it were sealed again under
        another, or refused, so no write will store it."""
        with self._lock:
            proposal = self._proposed.get(key.key_id)
            if proposal is not None and proposal[0] is key:
                del self._proposed[key.key_id]

    def _new(self, key_id: str) -> DataKey:
        data_key = AESGCM.generate_key(bit_length=256)
        return DataKey(key_id, AESGCM(data_key), wrap(self._master, key_id, data_key))

    def _insert(self, conn: Connection, key: DataKey, subjects: str) -> None:
        # No master fingerprint (16 bytes a key): AES key wrap's integrity check tells the master key (`check`).
        conn.execute("INSERT INTO replay_keys (key_id, master, wrapped) VALUES (?, '', ?)", (key.key_id, key.wrapped))
        bound = subjects.split()
        if len(bound) > 1:  # one identifier's key is found by its id (binding_key_id)
            conn.executemany("INSERT INTO replay_key_subjects (subject, key_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                             [(subject, key.key_id) for subject in bound])

    def _known(self, key_id: str, wrapped: bytes) -> DataKey:
        """The stored key `wrapped`: from the cache if it holds that one, else unwrapped."""
        with self._lock:
            cached = self._keys.get(key_id)
        if cached is not None and cached.wrapped == wrapped:
            return cached
        return self._unwrap(key_id, wrapped)

    # -- opening ---------------------------------------------------------------------------------------------------

    def key(self, conn: Connection, key_id: str) -> AESGCM | None:
        """A data key, unwrapped; None if it was destroyed (or never made)."""
        with self._lock:
            cached = self._keys.get(key_id)
            if cached is not None:
                self._keys.move_to_end(key_id)
                return cached.aead
        row = conn.execute("SELECT wrapped FROM replay_keys WHERE key_id = ?", (key_id,)).fetchone()
        return None if row is None else self._unwrap(key_id, row[0]).aead

    def _unwrap(self, key_id: str, wrapped: bytes) -> DataKey:
        data_key = unwrap(self._master, key_id, wrapped)
        return self._cache(DataKey(key_id, AESGCM(data_key), wrapped))

    def _cache(self, key: DataKey) -> DataKey:
        with self._lock:
            self._keys[key.key_id] = key
            self._keys.move_to_end(key.key_id)
            if len(self._keys) > _CACHED_KEYS:
                self._keys.popitem(last=False)
        return key

    # -- destroying ------------------------------------------------------------------------------------------------

    def destroy_for_subjects(self, conn: Connection, subjects: Iterable[str], limit: int) -> int:
        """Destroy up to `limit` data keys of bindings that name one of `subjects` (inside the caller's write): the
        subject's own binding's by its id, the others' through `replay_key_subjects`. Returns how many (none once none
        is left)."""
        doomed: list[str] = []
        for subject in subjects:
            for own in own_key_ids(subject):
                if own not in doomed and conn.execute("SELECT 1 FROM replay_keys WHERE key_id = ?", (own,)).fetchone():
                    doomed.append(own)
            if len(doomed) >= limit:
                break
            doomed += [row[0] for row in conn.execute(
                "SELECT key_id FROM replay_key_subjects WHERE subject = ? LIMIT ?", (subject, limit - len(doomed)))
                if row[0] not in doomed]
            if len(doomed) >= limit:
                break
        return self.destroy(conn, doomed)

    def destroy_unused(self, conn: Connection, key_ids: Iterable[str]) -> int:
        """Destroy those of `key_ids` that no stored chunk is sealed under any more (retention removed the last)."""
        unused = [key_id for key_id in set(key_ids)
                  if not conn.execute("SELECT 1 FROM replay_chunks WHERE key_id = ? LIMIT 1", (key_id,)).fetchone()]
        return self.destroy(conn, unused)

    def destroy(self, conn: Connection, key_ids: list[str]) -> int:
        conn.executemany("DELETE FROM replay_keys WHERE key_id = ?", [(k,) for k in key_ids])
        conn.executemany("DELETE FROM replay_key_subjects WHERE key_id = ?", [(k,) for k in key_ids])
        self.forget(key_ids)
        return len(key_ids)

    def forget(self, key_ids: Iterable[str] | None = None) -> None:
        """Drop unwrapped keys from memory: destroyed ones, or all of them (and proposals) after a write was rolled
        back (a key made or settled in it was never stored)."""
        with self._lock:
            if key_ids is None:
                self._keys.clear()
                self._proposed.clear()
            for key_id in key_ids or ():
                self._keys.pop(key_id, None)

    # -- rotating the master key -----------------------------------------------------------------------------------

    def rewrap(self, conn: Connection, new_master: bytes) -> int:
        """Wrap every data key under `new_master` instead (inside the caller's write). Returns how many."""
        rows = conn.execute("SELECT key_id, wrapped FROM replay_keys").fetchall()
        for key_id, wrapped in rows:
            conn.execute("UPDATE replay_keys SET master = '', wrapped = ? WHERE key_id = ?",
                         (wrap(new_master, key_id, unwrap(self._master, key_id, wrapped)), key_id))
        return len(rows)

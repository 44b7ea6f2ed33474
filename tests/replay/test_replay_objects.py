"""Recordings on S3 (SeaweedFS on loopback, a bucket per test): the chunks of many requests share one object, written
before the index rows that point into it; a session reads back from byte ranges; deletion zeroes a person's ranges,
an object goes when its last chunk does, and an object no index row names is swept once old enough."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from gateway.database import Database, Migration
from gateway.schema import MIGRATIONS
from policies.replay import ReplayStorage
from replay import object_index
from replay import store as replay_store
from replay.batching import Batching, batching_for
from replay.compression import Compressor
from replay.objects import Span, new_key
from replay.s3 import PUT_ATTEMPTS, S3Objects
from replay.shredding import KeyRing
from replay.store import ChunkIn, ReplayStore
from replay.summary import summarize
from tests.support.seaweedfs import S3Bucket

MASTER_KEY = bytes(range(32))  # not a secret: the tests' master key


def chunk(session_id: str, ts: int, text: str = "hello", subjects: tuple[str, ...] = ()) -> ChunkIn:
    events = [{"type": 3, "timestamp": ts, "data": {"source": 0, "texts": [{"id": 1, "value": text}]}}]
    return ChunkIn(session_id, "main", subjects, events, summarize(events))


def storage(s3: S3Bucket, **settings: object) -> ReplayStorage:
    """The S3 backend on the test's bucket; every flush an object unless `settings` say otherwise (`inline_below`):
    these tests are about objects."""
    return dataclasses.replace(ReplayStorage(backend="s3", endpoint=s3.endpoint_url, bucket=s3.name, inline_below=0),
                               **settings)


@pytest.fixture
def credentials(s3_bucket: S3Bucket, monkeypatch: pytest.MonkeyPatch) -> S3Bucket:
    """The bucket's credentials where a deployment puts them: the environment."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_bucket.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_bucket.secret_key)
    return s3_bucket


def open_store(tmp_path: Path, bucket: S3Bucket, migrations: Sequence[Migration] = MIGRATIONS, **settings: object
               ) -> ReplayStore:
    db = Database(tmp_path / "replay.sqlite3", migrations)
    batching = batching_for(storage(bucket, **settings))
    assert batching is not None
    batching.objects.check()
    return ReplayStore(db, Compressor(level=3), KeyRing(MASTER_KEY), batching=batching)


@pytest.fixture
def store(tmp_path: Path, credentials: S3Bucket) -> Iterator[ReplayStore]:
    store = open_store(tmp_path, credentials)
    yield store
    asyncio.run(store.close())
    store.db.close()


def batching_of(store: ReplayStore) -> Batching:
    assert store.batching is not None
    return store.batching


def bucket_keys(store: ReplayStore) -> list[str]:
    return [key for key, _ in batching_of(store).objects.listing()]


def object_bytes(bucket: S3Bucket, store: ReplayStore, key: str) -> bytes:
    return S3Objects(storage(bucket)).client.get_object(Bucket=bucket.name, Key=key)["Body"].read()


def texts(store: ReplayStore, session_id: str) -> list[str]:
    return [e["data"]["texts"][0]["value"] for e in store.read_events(session_id)]


def test_requests_arriving_together_share_objects_and_read_back_event_by_event(store: ReplayStore) -> None:
    async def scenario() -> list[list[replay_store.Stored]]:
        return await asyncio.gather(*(store.add("web", [chunk(f"s{i % 5}", 1000 + i, f"text {i}")])
                                      for i in range(50)))

    results = asyncio.run(scenario())
    assert [r[0].duplicate for r in results] == [False] * 50
    keys = bucket_keys(store)
    assert 1 <= len(keys) < 50  # many requests per object
    for s in range(5):
        assert texts(store, f"s{s}") == [f"text {i}" for i in range(s, 50, 5)]
    objects = store.db.read_sync(lambda c: c.execute("SELECT key, chunks FROM replay_objects").fetchall())
    assert sorted(k for k, _ in objects) == sorted(keys)
    assert sum(n for _, n in objects) == 50


def test_an_object_takes_chunks_up_to_batch_bytes(tmp_path: Path, credentials: S3Bucket) -> None:
    store = open_store(tmp_path, credentials, batch_bytes=64 * 1024)
    big = "x" * 20_000  # each request ~20 KB of events: three fit an object of 64 KB

    async def scenario() -> None:
        await asyncio.gather(*(store.add("web", [chunk(f"s{i}", 1000, big + str(i))]) for i in range(12)))

    asyncio.run(scenario())
    sizes = store.db.read_sync(lambda c: [n for (n,) in c.execute("SELECT chunks FROM replay_objects")])
    assert sum(sizes) == 12 and max(sizes) <= 3 and len(sizes) >= 4
    assert all(texts(store, f"s{i}") == [big + str(i)] for i in range(12))
    asyncio.run(store.close())
    store.db.close()


def test_a_resent_batch_is_stored_once_and_its_object_keeps_one_chunk(store: ReplayStore) -> None:
    async def scenario() -> list[list[replay_store.Stored]]:
        return await asyncio.gather(store.add("web", [chunk("s", 1000)]), store.add("web", [chunk("s", 1000)]))

    results = asyncio.run(scenario())
    assert sorted(r[0].duplicate for r in results) == [False, True]
    assert texts(store, "s") == ["hello"]
    assert store.db.read_sync(lambda c: c.execute("SELECT sum(chunks) FROM replay_objects").fetchone()[0]) == 1


def test_a_deletion_zeroes_the_persons_ranges_and_other_sessions_still_read(store: ReplayStore,
                                                                            credentials: S3Bucket) -> None:
    secret = "Ada Lovelace, 12 Analytical Row, " * 20

    async def scenario() -> None:
        await asyncio.gather(store.add("web", [chunk("ada", 1000, secret, ("subject-ada",))]),
                             store.add("web", [chunk("bob", 1000, "bob's page", ("subject-bob",))]))

    asyncio.run(scenario())
    (key,) = bucket_keys(store)  # both in one object
    span = store.db.read_sync(lambda c: object_index.spans_of(c, [c.execute(
        "SELECT id FROM replay_chunks WHERE session_id = 'ada'").fetchone()[0]]))
    (ada,) = span.values()
    before = object_bytes(credentials, store, key)
    assert before[ada.offset : ada.offset + ada.length] != bytes(ada.length)

    assert asyncio.run(store.db.write(lambda conn: store.delete_subjects(conn, ["subject-ada"], 20))) == ["ada"]
    swept = asyncio.run(store.sweep())
    assert swept.erased == 1 and swept.emptied == 0

    after = object_bytes(credentials, store, key)
    assert len(after) == len(before)
    assert after[ada.offset : ada.offset + ada.length] == bytes(ada.length)
    assert texts(store, "bob") == ["bob's page"]
    assert list(store.read_events("ada")) == []


def test_an_object_is_removed_when_its_last_chunk_expires(store: ReplayStore) -> None:
    async def scenario() -> None:
        await asyncio.gather(store.add("web", [chunk("old", 1000)]), store.add("web", [chunk("newer", 1000)]))

    asyncio.run(scenario())
    (key,) = bucket_keys(store)
    asyncio.run(store.db.write(lambda conn: store.delete_sessions(conn, ["old"])))  # retention: no rewrite
    assert asyncio.run(store.sweep()) == object_index.Swept()
    assert bucket_keys(store) == [key] and texts(store, "newer") == ["hello"]

    asyncio.run(store.db.write(lambda conn: store.delete_sessions(conn, ["newer"])))
    assert asyncio.run(store.sweep()).emptied == 1
    assert bucket_keys(store) == []
    assert store.db.read_sync(lambda c: c.execute("SELECT count(*) FROM replay_objects").fetchone()[0]) == 0


def test_an_object_no_index_row_names_is_swept_once_older_than_orphan_after_s(tmp_path: Path,
                                                                              credentials: S3Bucket) -> None:
    store = open_store(tmp_path, credentials, orphan_after_s=5.0)
    objects = batching_of(store).objects
    asyncio.run(store.add("web", [chunk("kept", 1000)]))
    (indexed,) = bucket_keys(store)
    orphan = new_key("replay/")  # as a flush that crashed before its index commit leaves it
    objects.put(orphan, b"compressed chunks nobody indexed")

    assert asyncio.run(store.sweep()).orphans == 0  # young: it may be a flush in flight elsewhere
    swept = asyncio.run(object_index.sweep(store.db, batching_of(store), now=time.time() + 60))
    assert swept.orphans == 1
    assert bucket_keys(store) == [indexed]
    assert texts(store, "kept") == ["hello"]
    asyncio.run(store.close())
    store.db.close()


def test_a_sweep_lists_only_the_keys_since_the_one_before_not_the_old_objects_of_the_bucket(
    tmp_path: Path, credentials: S3Bucket
) -> None:
    store = open_store(tmp_path, credentials, orphan_after_s=5.0)
    objects = batching_of(store).objects
    old = [new_key("replay/", now=time.time() - 3 * 86400) for _ in range(30)]  # recordings of three days ago

    def index_old(conn: Any) -> None:
        for key in old:
            object_id = object_index.add_object(conn, key, 8, time.time())
            conn.execute("UPDATE replay_objects SET chunks = 1 WHERE id = ?", (object_id,))

    for key in old:
        objects.put(key, b"old data")
    store.db.write_sync(index_old)
    listed: list[str] = []
    list_all = objects.listing

    def recorded(start_after: str = "") -> Iterator[tuple[str, float]]:
        for key, modified in list_all(start_after):
            listed.append(key)
            yield key, modified

    objects.listing = recorded  # type: ignore[method-assign]
    now = time.time()
    assert asyncio.run(object_index.sweep(store.db, batching_of(store), now=now + 60)).orphans == 0
    assert sorted(listed) == sorted(old)  # the process's first sweep lists the whole prefix

    listed.clear()
    orphan = new_key("replay/")  # as a flush that crashed before its index commit leaves it
    objects.put(orphan, b"compressed chunks nobody indexed")
    assert asyncio.run(object_index.sweep(store.db, batching_of(store), now=now + 120)).orphans == 1

    assert listed == [orphan]  # none of the old objects was listed again
    assert sorted(bucket_keys(store)) == sorted(old)
    asyncio.run(store.close())
    store.db.close()


def test_a_failed_index_commit_answers_the_requests_with_the_error_and_leaves_no_object(store: ReplayStore) -> None:
    def broken(conn: object) -> None:
        raise OSError("disk gone")

    original = store.db.write_sync

    def failing_commit(fn: object) -> object:  # the index commit, on the object writer thread
        store.db.write_sync = original  # type: ignore[method-assign]
        return original(broken)

    store.db.write_sync = failing_commit  # type: ignore[method-assign]

    async def scenario() -> list[object]:
        return await asyncio.gather(store.add("web", [chunk("s", 1000)]), return_exceptions=True)

    (outcome,) = asyncio.run(scenario())
    assert isinstance(outcome, OSError)
    assert bucket_keys(store) == []
    assert list(store.read_events("s")) == []


def test_a_database_backend_refuses_to_open_an_index_that_points_into_objects(tmp_path: Path,
                                                                              credentials: S3Bucket) -> None:
    store = open_store(tmp_path, credentials)
    asyncio.run(store.add("web", [chunk("s", 1000)]))
    asyncio.run(store.close())
    with pytest.raises(RuntimeError, match=r"\[replay.storage\]"):
        ReplayStore(store.db, Compressor(level=3), KeyRing(MASTER_KEY))
    store.db.close()


def test_a_bucket_that_does_not_answer_is_said_at_start(credentials: S3Bucket) -> None:
    from replay.objects import ObjectStoreUnavailable

    with pytest.raises(ObjectStoreUnavailable, match="no-such-bucket"):
        S3Objects(storage(credentials, bucket="no-such-bucket")).check()


def test_a_put_is_signed_with_the_environments_credentials_and_a_wrong_secret_is_refused(
        credentials: S3Bucket, monkeypatch: pytest.MonkeyPatch) -> None:
    from replay.objects import ObjectStoreUnavailable

    objects = S3Objects(storage(credentials))
    objects.put("replay/signed", b"sealed bytes")
    assert objects.read([Span("replay/signed", 7, 5)]) == {Span("replay/signed", 7, 5): b"bytes"}
    objects.close()

    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    forged = S3Objects(storage(credentials))
    with pytest.raises(ObjectStoreUnavailable, match="HTTP 403"):
        forged.put("replay/forged", b"sealed bytes")
    forged.close()


def test_a_store_that_cannot_be_reached_refuses_the_request_and_indexes_nothing(tmp_path: Path,
                                                                              credentials: S3Bucket) -> None:
    from replay.objects import ObjectStoreUnavailable

    store = open_store(tmp_path, credentials)
    unreachable = batching_for(dataclasses.replace(storage(credentials), endpoint="http://127.0.0.1:9"))
    assert unreachable is not None
    store.batching = unreachable  # as if the store went away after the start

    async def scenario() -> list[object]:
        return await asyncio.gather(store.add("web", [chunk("s", 1000)]), return_exceptions=True)

    (outcome,) = asyncio.run(scenario())
    assert isinstance(outcome, ObjectStoreUnavailable)
    assert store.db.read_sync(lambda c: c.execute("SELECT count(*) FROM replay_chunks").fetchone()[0]) == 0
    asyncio.run(store.close())
    store.db.close()


def test_the_object_is_in_the_bucket_before_its_index_commit_and_the_request_is_answered_after_it(
    store: ReplayStore,
) -> None:
    original = store.db.write_sync
    commit_may_go = threading.Event()
    seen_at_commit: list[list[str]] = []

    def gated_commit(fn: object) -> object:  # the index commit, on the object writer thread
        seen_at_commit.append(bucket_keys(store))  # what the store holds when the index is about to commit
        assert commit_may_go.wait(60)
        return original(fn)

    async def scenario() -> None:
        store.db.write_sync = gated_commit  # type: ignore[method-assign]
        request = asyncio.ensure_future(store.add("web", [chunk("s", 1000)]))
        while not seen_at_commit:
            await asyncio.sleep(0.01)
        assert len(seen_at_commit[0]) == 1  # write-ahead: the object first
        await asyncio.sleep(0.2)
        assert not request.done()  # no answer while the index is not committed
        commit_may_go.set()
        assert (await request)[0].duplicate is False
        store.db.write_sync = original  # type: ignore[method-assign]

    asyncio.run(scenario())
    assert texts(store, "s") == ["hello"]


def test_objects_hold_sealed_chunks_and_one_sealed_under_a_key_destroyed_before_its_commit_is_sealed_again(
    store: ReplayStore, credentials: S3Bucket
) -> None:
    asyncio.run(store.add("web", [chunk("before", 1000, "Ann's first visit", ("h-ann",))]))

    def wrapped_key() -> list[bytes]:
        return store.db.read_sync(lambda c: [w for (w,) in c.execute(
            "SELECT wrapped FROM replay_keys WHERE key_id = 'subjects:h-ann'")])

    (first_key,) = wrapped_key()

    original = store.db.write_sync
    deleted = False

    def deleting_first(fn: object) -> object:  # the index commit, on the object writer thread
        # Ann is deleted after her next chunk was sealed under her key and put, before its index commit.
        nonlocal deleted
        if not deleted:
            deleted = True
            original(lambda conn: (store.shred_subjects(conn, {"h-ann"}, 500),
                                   store.delete_subjects(conn, {"h-ann"}, 500)))
        return original(fn)

    async def scenario() -> list[replay_store.Stored]:
        store.db.write_sync = deleting_first  # type: ignore[method-assign]
        try:
            return await store.add("web", [chunk("after", 2000, "Ann again", ("h-ann",))])
        finally:
            store.db.write_sync = original  # type: ignore[method-assign]

    (stored,) = asyncio.run(scenario())
    assert stored.duplicate is False
    # Stored under a key made after the deletion, never under the destroyed one (which is not stored again).
    (second_key,) = wrapped_key()
    assert second_key != first_key
    assert texts(store, "after") == ["Ann again"]
    assert list(store.read_events("before")) == []
    # The first object (sealed under the destroyed key) was indexed with no chunk, and goes at the next sweep.
    assert asyncio.run(store.sweep()).emptied == 2  # and the first visit's
    (kept,) = bucket_keys(store)
    assert not object_bytes(credentials, store, kept).startswith(b"\x28\xb5\x2f\xfd")  # sealed, not a zstd frame


def test_a_put_the_store_answers_503_is_retried_and_one_refused_for_good_says_the_stores_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from replay.objects import ObjectStoreUnavailable

    received: list[tuple[str, bytes, str]] = []  # (path, body, its Authorization header)
    busy = {"left": 2}  # 503s before the store takes a put

    class Store(BaseHTTPRequestHandler):
        def do_PUT(self) -> None:
            received.append((self.path, self.rfile.read(int(self.headers["Content-Length"])),
                             self.headers.get("Authorization", "")))
            status = 503 if busy["left"] else 200
            busy["left"] -= bool(busy["left"])
            body = b"<Error><Code>SlowDown</Code><Message>key x</Message></Error>" if status == 503 else b""
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Store)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    objects = S3Objects(ReplayStorage(backend="s3", endpoint=f"http://127.0.0.1:{server.server_port}", bucket="b"))
    try:
        objects.put("replay/2026/12/04/16/k1", b"chunks")
        assert [(path, body) for path, body, _ in received] == [("/b/replay/2026/12/04/16/k1", b"chunks")] * 3
        assert all(auth.startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") for _, _, auth in received)

        busy["left"] = 100  # a store that stays busy: every attempt, then a refusal naming its code, not its message
        with pytest.raises(ObjectStoreUnavailable, match=r"HTTP 503 SlowDown$"):
            objects.put("replay/2026/12/04/16/k2", b"chunks")
        assert len(received) == 3 + PUT_ATTEMPTS
    finally:
        objects.close()
        server.shutdown()
        server.server_close()

"""The policy's `[replay.storage]`: the database by default; S3 with an endpoint and a bucket, credentials never in the
file; every mistake reported with the key and the problem."""

from __future__ import annotations

import tomllib

import pytest

from policies.replay import ReplayPolicy, ReplayStorage, read_replay
from policies.table import PolicyError, Table


def parse(text: str, env: dict[str, str] | None = None) -> ReplayPolicy:
    data = tomllib.loads(text)
    return Table("site.toml", data, "", env or {}).read("replay", read_replay)


def test_without_a_storage_section_chunks_stay_in_the_database() -> None:
    assert parse("").storage == ReplayStorage()
    assert parse("").storage.backend == "database"


def test_the_s3_backend_takes_its_endpoint_and_bucket_from_the_file_or_the_environment() -> None:
    storage = parse("""
        [replay.storage]
        backend = "s3"
        endpoint = "${S3_ENDPOINT}"
        bucket = "recordings"
        linger_s = 0.5
    """, {"S3_ENDPOINT": "http://127.0.0.1:8333"}).storage
    assert (storage.backend, storage.endpoint, storage.bucket, storage.linger_s) == (
        "s3", "http://127.0.0.1:8333", "recordings", 0.5)
    assert storage.prefix == "replay/" and storage.batch_bytes == 32 * 1024 * 1024


def test_idle_sessions_are_compacted_after_an_hour_unless_the_file_says_otherwise() -> None:
    assert (parse("").storage.compact_after_s, parse("").storage.compact_level) == (3600.0, 19)
    storage = parse("[replay.storage]\ncompact_after_s = 0\ncompact_level = 9\n").storage
    assert (storage.compact_after_s, storage.compact_level) == (0.0, 9)


def test_small_flushes_go_inline_below_one_mebibyte_of_events_unless_the_file_says_otherwise() -> None:
    assert parse("").storage.inline_below == 1024 * 1024
    assert parse("[replay.storage]\ninline_below = 0\n").storage.inline_below == 0  # every flush an object


@pytest.mark.parametrize(("table", "key", "problem"), [
    ('backend = "s3"', "replay.storage.bucket", "needs a bucket"),
    ('backend = "gcs"', "replay.storage.backend", "unknown value"),
    ('backend = "s3"\nbucket = "b"\nendpoint = "s3.example"', "replay.storage.endpoint", "not an http(s) URL"),
    ('access_key = "AKIA..."', "replay.storage.access_key", "unknown key"),  # credentials come from the environment
    ("batch_bytes = 1000", "replay.storage.batch_bytes", "at least"),
    ("compact_level = 23", "replay.storage.compact_level", "up to 22"),
    ("compact_after_s = -1", "replay.storage.compact_after_s", "at least"),
    ("inline_below = -1", "replay.storage.inline_below", "at least"),
    ('inline_below = "1 MB"', "replay.storage.inline_below", "integer"),
    ("batch_bytes = 65536\ninline_below = 65537", "replay.storage.inline_below", "more than batch_bytes"),
])
def test_mistakes_name_the_key(table: str, key: str, problem: str) -> None:
    with pytest.raises(PolicyError) as error:
        parse(f"[replay.storage]\n{table}\n")
    assert key in str(error.value) and problem in str(error.value)

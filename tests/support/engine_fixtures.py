"""Fixtures for tests that run against real engines, a pytest plugin listed in tests/conftest.py's `pytest_plugins`
(one registration for the whole suite, so each engine starts at most once per session, on first use):

- `postgres`: the session's PostgreSQL cluster (tests/support/postgres.py); `postgres_url`: a URL to a database of the
  test's own, cloned from `postgres_template` (template1; a suite that needs its schema in place overrides that fixture
  with a session fixture that migrates a database once and returns its name), dropped after the test.
- `database_location`: where a test's gateway database lives, once per backend (the test runs twice): a SQLite file
  in the test's temporary directory, or an engine on a PostgreSQL database of the test's own. Open it with
  `gateway.database.Database(database_location, migrations)`, as many times as the test restarts.
- `seaweedfs`: the session's S3 store (tests/support/seaweedfs.py); `s3_bucket`: a fresh bucket and its credentials,
  deleted after the test.

An engine that cannot start skips the tests that need it, saying why; under CI=true it fails them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.storage import postgres as postgres_storage
from gateway.storage.engine import Engine
from tests.support import postgres as postgres_engine
from tests.support import seaweedfs as seaweedfs_engine
from tests.support.engines import EngineUnavailable, skip_or_fail
from tests.support.postgres import PostgresServer
from tests.support.seaweedfs import S3Bucket, SeaweedFS


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    try:
        server = postgres_engine.launch()
    except EngineUnavailable as error:
        skip_or_fail("PostgreSQL", str(error))
    yield server
    server.close()


@pytest.fixture(scope="session")
def postgres_template() -> str:
    return "template1"


@pytest.fixture
def postgres_url(postgres: PostgresServer, postgres_template: str) -> Iterator[str]:
    name = postgres.create_database(template=postgres_template)
    yield postgres.url(name)
    postgres.drop_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_location(request: pytest.FixtureRequest, tmp_path: Path) -> Path | Engine:
    if request.param == "sqlite":
        return tmp_path / "gateway.sqlite3"
    return postgres_storage.postgres_engine(request.getfixturevalue("postgres_url"))


@pytest.fixture(scope="session")
def seaweedfs() -> Iterator[SeaweedFS]:
    try:
        store = seaweedfs_engine.launch()
    except EngineUnavailable as error:
        skip_or_fail("SeaweedFS", str(error))
    yield store
    store.close()


@pytest.fixture
def s3_bucket(seaweedfs: SeaweedFS) -> Iterator[S3Bucket]:
    bucket = seaweedfs.create_bucket()
    yield bucket
    seaweedfs.delete_bucket(bucket)

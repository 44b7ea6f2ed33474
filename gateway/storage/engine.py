"""What differs between the two database servers under the one writer (gateway.database): how to connect, how a write
transaction opens, which errors blame the storage rather than the write, and the engine's own statements."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gateway.storage.connection import Connection


class StorageUnavailable(Exception):
    """The database cannot take writes now (`reason`: disk full, I/O error, server unreachable, ...). Nothing of the
    write was stored; the same write may succeed later, so ingest answers 503 with Retry-After and senders wait."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"storage unavailable: {reason}")
        self.reason = reason


@dataclass(frozen=True)
class Engine:
    name: str  # "sqlite" or "postgresql": which migration statements apply, and for messages
    where: str  # the file, or the server and database without credentials: for messages and logs
    connect: Callable[[bool], Any]  # a new Connection; True: for reads only
    begin: str  # opens a write transaction (SQLite: IMMEDIATE, so the write lock is taken at once)
    fault: Callable[[BaseException], StorageUnavailable | None]  # the error as a storage fault, or None
    usable: Callable[[Any], bool]  # False once the connection is broken (a server restart): connect again
    # Run a statement outside any transaction (VACUUM), or with None keep the log from holding deleted data.
    outside: Callable[[Any, str | None], Any]
    # Serialises migrations between processes, inside the migrating transaction (SQLite's BEGIN IMMEDIATE does).
    migration_lock: str | None
    blob_type: str  # the column type of bytes
    # Run before the migrations, every time (idempotent): what makes the stores' SQL mean the same here.
    functions: tuple[str, ...] = ()
    # True when the transaction lost a conflict with another one (PostgreSQL's deadlock victim, a serialization
    # failure): it was rolled back whole, nothing is wrong with the storage, and running it again is the cure.
    conflict: Callable[[BaseException], bool] = lambda error: False

    def open(self, readonly: bool = False) -> Connection:
        connection: Connection = self.connect(readonly)
        return connection

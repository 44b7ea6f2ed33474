"""What replay needs of the gateway's database (gateway.database.Database provides it): group-committed writes,
reads on a read connection, and reads and writes from a thread other than the event loop's; and what it calls on the
connection a read or write function is given, on either engine (SQLite's, or the gateway's PostgreSQL connection,
which takes the same `?` placeholders). replay's SQL is portable: no SQLite-only statement, type or function."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol


class Engine(Protocol):
    @property
    def name(self) -> str: ...  # "sqlite" or "postgresql" (gateway.storage.engine.Engine)


class Database(Protocol):
    @property
    def engine(self) -> Engine: ...

    @property
    def transaction(self) -> int: ...  # the number of the writer's transaction open now, or last begun

    async def write(self, fn: Any) -> Any: ...
    async def read(self, fn: Any) -> Any: ...
    def read_sync(self, fn: Any) -> Any: ...
    def write_sync(self, fn: Any) -> Any: ...
    def after_commit(self, callback: Callable[[], None]) -> None: ...  # from a write function: once it committed


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    @property
    def description(self) -> Any: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Cursor: ...

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Cursor: ...

"""What a write or read function may call on the connection it is given, on either engine.

`sqlite3.Connection` is one as it is; on PostgreSQL it is gateway.storage.postgres.PostgresConnection. A store that runs
on both types its functions with `Connection` (a function of `Connection` is also a function of
`sqlite3.Connection`, so the SQLite-only stores keep their annotations until they move).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol


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

    @property
    def in_transaction(self) -> bool: ...

    def close(self) -> None: ...

"""What replay needs of the gateway's database (gateway.database.Database provides it): group-committed writes,
reads on a read connection, and reads from a worker thread."""

from __future__ import annotations

from typing import Any, Protocol


class Database(Protocol):
    async def write(self, fn: Any) -> Any: ...
    async def read(self, fn: Any) -> Any: ...
    def read_sync(self, fn: Any) -> Any: ...

"""Chunk objects in a store apart from the index: what an object-store backend provides (the S3 one is replay.s3).

An object holds the compressed chunks of many sessions, one after another; an index row names its chunk by (object,
offset, length). The store knows nothing of the index: objects are written before the index rows that point into
them are committed (write-ahead), so a crash in between leaves an object nothing points to, which the sweeper
removes (replay.sweeper). Every method blocks: the replay store calls them on worker threads, never on the event
loop's.
"""

from __future__ import annotations

import calendar
import secrets
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

HOUR = "%Y/%m/%d/%H"  # how a key names the hour it was written


class ObjectStoreUnavailable(Exception):
    """The object store cannot be used now (unreachable, refusing, no such bucket): nothing of the write was
    indexed, and the same write may succeed later (ingest answers 503 with Retry-After)."""


@dataclass(frozen=True)
class Span:
    """Where one chunk's bytes are: `length` bytes at `offset` of the object named `key`."""

    key: str
    offset: int
    length: int


class ObjectStore(Protocol):
    def check(self) -> None:
        """Raise, saying why, unless the store answers (called before the gateway serves)."""

    def put(self, key: str, data: bytes) -> None:
        """Store `data` as `key` (replacing it); durable when this returns."""

    def read(self, spans: Sequence[Span]) -> dict[Span, bytes]:
        """The bytes of each span whose object exists (a span of a deleted object is left out)."""

    def delete(self, keys: Sequence[str]) -> None:
        """Remove objects; a key that is already gone is no error."""

    def listing(self, start_after: str = "") -> Iterator[tuple[str, float]]:
        """(key, last modified as epoch seconds) of every object under the store's prefix whose key sorts after
        `start_after` (S3's order: by UTF-8 bytes)."""

    def close(self) -> None: ...


def new_key(prefix: str, now: float | None = None) -> str:
    """A fresh object's key: the hour it was written (so an operator or a bucket lifecycle rule, and the sweeper of
    orphans, can tell old objects from new by name), then 128 random bits (so two gateway processes never pick the
    same)."""
    hour = time.strftime(HOUR, time.gmtime(time.time() if now is None else now))
    return f"{prefix}{hour}/{secrets.token_hex(16)}"


def written_at(prefix: str, key: str) -> float:
    """The start of the hour `new_key` named in `key`."""
    return float(calendar.timegm(time.strptime(key[len(prefix) : len(prefix) + 13], HOUR)))


def keys_from(prefix: str, when: float) -> str:
    """A `start_after` that lists every key `new_key` made at `when` or later: the name of the hour before. S3 lists
    from that hour on (a key continues its hour's name); SeaweedFS, whose listing walks directories and takes the
    hour's name for one, from the next hour on."""
    return prefix + time.strftime(HOUR, time.gmtime(when - 3600))

"""Scan results by string, bounded: an approximate LRU in two generations.

Most strings of an event were seen before (a user agent, a page URL, a user's e-mail), so a hit must cost one dict
look-up: the walker reads the young generation directly. A hit in the old one promotes the entry. When the young
generation is full its entries become the old one and the previous old one is dropped, so entries not used for a whole
generation go, and at most `maximum` entries are kept. The young generation is one dict for the cache's life, so that
its readers can hold it.
"""

from __future__ import annotations

from typing import Generic, TypeVar

V = TypeVar("V")


class ScanCache(Generic[V]):
    __slots__ = ("_half", "old", "young")

    def __init__(self, maximum: int) -> None:
        self.young: dict[str, V] = {}
        self.old: dict[str, V] = {}
        self._half = max(maximum // 2, 0)

    def get(self, key: str) -> V | None:
        found = self.young.get(key)
        if found is None:
            found = self.old.get(key)
            if found is not None:
                self.put(key, found)
        return found

    def put(self, key: str, value: V) -> None:
        if self._half <= 0:
            return
        if len(self.young) >= self._half:
            # The young dict stays the same object (the walker holds it): its entries move to a new old one.
            self.old = self.young.copy()
            self.young.clear()
        self.young[key] = value

    def __len__(self) -> int:
        return len(self.young) + len(self.old)

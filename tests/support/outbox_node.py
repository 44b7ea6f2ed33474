"""A sending node for the multi-node tests: the outbox's sender for one Segment destination on a shared PostgreSQL
database, with destination ownership, and nothing else. Run as a process (so a test can SIGKILL it):

    python -m tests.support.outbox_node DATABASE_URL VENDOR_URL NODE_NAME

It runs until killed; ownership and delivery are visible in the database and at the vendor.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from gateway.database import Database
from gateway.metrics import Metrics
from gateway.outbox import MIGRATIONS, OutboxStore, Sender
from gateway.outbox import ownership as ownership_module
from gateway.outbox.ownership import Ownership
from gateway.outbox.transport import HttpTransport
from gateway.protocols import segment
from gateway.protocols.codec import Limits
from gateway.storage.postgres import postgres_engine
from policies.policy import Destination, Retry

NODE_MIGRATIONS = (*MIGRATIONS, *ownership_module.MIGRATIONS)
BATCH_OF_TEN = Limits(max_body_bytes=500 * 1024, max_event_bytes=32 * 1024, max_events=10)
FAST = Retry(initial_backoff_s=0.05, max_backoff_s=0.2, jitter=0.0, timeout_s=5.0)


@dataclass
class Node:
    db: Database
    outbox: OutboxStore
    ownership: Ownership
    sender: Sender


@asynccontextmanager
async def node(database_url: str, vendor_url: str, name: str) -> AsyncIterator[Node]:
    """A node sending `segment` to `vendor_url` while it owns it; stopped and closed on leaving."""
    engine = postgres_engine(database_url)
    db = Database(engine, NODE_MIGRATIONS)
    outbox = OutboxStore(db, 1_000_000, 30, ["segment"])
    ownership = Ownership(engine, name, ["segment"])
    destination = Destination("segment", "segment", vendor_url, {"write_key": "w"}, ("analytics",), retry=FAST)
    stopping = asyncio.Event()
    async with httpx.AsyncClient() as client:
        sender = Sender(destination, HttpTransport(segment.CODEC, destination, client), outbox, BATCH_OF_TEN,
                        Metrics(), keep_reply=lambda reply: reply, ownership=ownership)
        owning = asyncio.create_task(ownership.run(stopping))
        sender.start()
        try:
            yield Node(db, outbox, ownership, sender)
        finally:
            stopping.set()
            await sender.stop()
            await owning
            db.close()


async def main(database_url: str, vendor_url: str, name: str) -> None:
    async with node(database_url, vendor_url, name):
        await asyncio.Event().wait()  # until killed


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))

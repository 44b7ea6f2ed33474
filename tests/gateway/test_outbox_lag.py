"""How far delivery is behind, per destination: the age of the oldest event still waiting in the outbox."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import orjson

from gateway.database import Database
from gateway.outbox import MIGRATIONS, Delivery, OutboxStore
from gateway.storage.engine import Engine


def delivery(destination: str, message_id: str) -> Delivery:
    return Delivery(destination, "web", message_id, (orjson.dumps({"messageId": message_id}), "event"))


def test_lag_is_the_age_of_the_oldest_waiting_event_and_zero_when_none_waits(database_location: Path | Engine
                                                                           ) -> None:
    db = Database(database_location, MIGRATIONS)
    outbox = OutboxStore(db, 1000, 30, ["slow", "idle"])

    async def scenario() -> None:
        before = time.time()
        await outbox.commit([delivery("slow", "first")], also=None)
        queued_at = time.time()
        await outbox.commit([delivery("slow", "second")], also=None)
        lag = await outbox.lag(now=queued_at + 90)
        # The first one's age (queued between `before` and `queued_at`, however long its commit took on a loaded
        # machine), not the second's (queued after `queued_at`: younger than 90 s).
        assert 89.999 < lag["slow"] <= 90.001 + (queued_at - before)
        assert lag["idle"] == 0.0

        [first, second] = await outbox.next_batch("slow", 10, 1_000_000)
        await outbox.delivered("slow", [first])
        assert (await outbox.lag(now=queued_at + 90))["slow"] < 90.0  # now the second is the oldest
        await outbox.delivered("slow", [second])
        assert await outbox.lag() == {"idle": 0.0, "slow": 0.0}
        assert outbox.depth() == {"idle": 0, "slow": 0}

    asyncio.run(scenario())
    db.close()

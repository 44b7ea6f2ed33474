"""Dead letters: deliveries a destination refused for good, kept with the reason until an operator redrives or purges
them (admin API `/admin/v1/dead-letters`, `privacy-gateway dead-letters`, the UI's Dead letters page).

- list: newest first, without the event and without the destination's reply (both may hold personal data);
- get: one dead letter with its event (the encoded body, as it was sent) and the reply: the admin API audits it;
- redrive: back to the end of the outbox, as new deliveries to the same destination (attempts from zero, enqueued
  now, so the lag shows the redrive and not the original failure). A dead letter stays where it is when its
  destination is no longer enabled, its subject has since been deleted, or consent to a purpose the destination needs
  has since been withdrawn (`Withheld`; for a recording, `session_replay` too, the consent it was stored under);
  the answer counts those by reason;
- purge: deleted.

The columns holding event data are `body` and `reply` (and `subjects`, as keyed hashes only): a pass that scrubs dead
letters rewrites those two in place and nothing else.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from gateway import subject_index
from gateway.outbox.store import OutboxStore
from gateway.storage.connection import Connection

MAX_PER_CALL = 10_000  # dead letters redriven or purged by one call; the answer says how many match still
SUMMARY_COLUMNS = ("id", "destination", "source", "message_id", "enqueued_at", "failed_at", "attempts", "status",
                   "reason")

# (destination, subject hashes, endpoint kind) -> why that dead letter may not be sent again, or None.
Withheld = Callable[[str, Sequence[str], str], str | None]


class InvalidSelection(ValueError):
    pass


@dataclass(frozen=True)
class Selection:
    """Which dead letters an action is for: some ids, a destination's, or all of them (said explicitly)."""

    ids: tuple[int, ...] = ()
    destination: str | None = None
    everything: bool = False

    @classmethod
    def parse(cls, body: Any) -> Selection:
        if not isinstance(body, dict):
            raise InvalidSelection('send a JSON object: {"ids": [...]}, {"destination": "name"} or {"all": true}')
        ids, destination, everything = body.get("ids"), body.get("destination"), body.get("all", False)
        if ids is not None and not (isinstance(ids, list) and ids and len(ids) <= MAX_PER_CALL
                                    and all(isinstance(i, int) and not isinstance(i, bool) for i in ids)):
            raise InvalidSelection(f"ids must be a list of 1 to {MAX_PER_CALL} dead letter ids (integers)")
        if destination is not None and not (isinstance(destination, str) and destination):
            raise InvalidSelection("destination must be a destination's name")
        if everything is not True and everything is not False:
            raise InvalidSelection("all must be true or false")
        if sum((ids is not None, destination is not None, everything)) != 1:
            raise InvalidSelection('say which dead letters: exactly one of "ids", "destination" or "all": true')
        return cls(tuple(ids or ()), destination, everything)

    def where(self) -> tuple[str, list[Any]]:
        if self.ids:
            return f"id IN ({','.join('?' * len(self.ids))})", list(self.ids)
        if self.destination is not None:
            return "destination = ?", [self.destination]
        return "TRUE", []

    def describe(self) -> dict[str, Any]:
        """For the audit log."""
        if self.ids:
            return {"ids": list(self.ids)}
        return {"destination": self.destination} if self.destination is not None else {"all": True}


@dataclass(frozen=True)
class Redriven:
    redriven: dict[str, int] = field(default_factory=dict)  # per destination
    kept: dict[str, int] = field(default_factory=dict)  # per reason they may not go again
    remaining: int = 0  # selected but past MAX_PER_CALL: call again

    def to_dict(self) -> dict[str, Any]:
        return {"redriven": sum(self.redriven.values()), "by_destination": self.redriven, "kept": self.kept,
                "remaining": self.remaining}


class DeadLetters:
    def __init__(self, outbox: OutboxStore, enabled: Iterable[str], withheld: Withheld) -> None:
        self.outbox, self.db = outbox, outbox.db
        self.enabled = frozenset(enabled)
        self.withheld = withheld

    async def list(self, destination: str | None = None, source: str | None = None, before_id: int | None = None,
                   limit: int = 100) -> list[dict[str, Any]]:
        """Newest first, without event or reply. `before_id` pages: the next page is before the last id seen."""
        clauses, args = ["TRUE"], []
        for clause, value in (("destination = ?", destination), ("source = ?", source), ("id < ?", before_id)):
            if value is not None:
                clauses.append(clause)
                args.append(value)

        def select(conn: Connection) -> list[dict[str, Any]]:
            cursor = conn.execute(
                f"SELECT {', '.join(SUMMARY_COLUMNS)} FROM dead_letters WHERE {' AND '.join(clauses)} "
                "ORDER BY id DESC LIMIT ?", (*args, limit))
            return [dict(zip(SUMMARY_COLUMNS, row, strict=True)) for row in cursor]

        return await self.db.read(select)

    async def counts(self) -> dict[str, int]:
        return dict(await self.db.read(
            lambda c: c.execute("SELECT destination, count(*) FROM dead_letters GROUP BY destination").fetchall()))

    async def get(self, dead_letter_id: int) -> dict[str, Any] | None:
        """One dead letter with its event (parsed when it is JSON, as every vendor's body is) and the reply."""

        def select(conn: Connection) -> dict[str, Any] | None:
            row = conn.execute(f"SELECT {', '.join(SUMMARY_COLUMNS)}, kind, reply, body FROM dead_letters WHERE id = ?",
                               (dead_letter_id,)).fetchone()
            if row is None:
                return None
            found = dict(zip((*SUMMARY_COLUMNS, "kind", "reply"), row[:-1], strict=True))
            try:
                found["event"] = orjson.loads(row[-1])
            except orjson.JSONDecodeError:
                found["event"] = bytes(row[-1]).decode("utf-8", "replace")
            return found

        return await self.db.read(select)

    async def redrive(self, selection: Selection) -> Redriven:
        """Move the selected dead letters back to the outbox (see the module's docstring); raises OutboxFull when
        they do not fit within its bound."""
        where, args = selection.where()
        now = time.time()

        def move(conn: Connection) -> Redriven:
            rows = conn.execute(
                f"SELECT id, destination, subjects, kind FROM dead_letters WHERE {where} ORDER BY id LIMIT ?",
                (*args, MAX_PER_CALL + 1)).fetchall()
            remaining = max(0, len(rows) - MAX_PER_CALL)
            going, kept = [], Counter[str]()
            for dead_id, destination, subjects, kind in rows[:MAX_PER_CALL]:
                why = "destination not enabled" if destination not in self.enabled else self.withheld(
                    destination, subjects.split(), kind)
                if why is None:
                    going.append((dead_id, destination))
                else:
                    kept[why] += 1
            self.outbox.check_room(len(going))
            by_destination = Counter(destination for _, destination in going)
            ids = [(dead_id,) for dead_id, _ in going]
            requeued = [row for (dead_id,) in ids for row in conn.execute(
                """INSERT INTO outbox (destination, source, message_id, enqueued_at, body, kind, subjects)
                   SELECT destination, source, message_id, ?, body, kind, subjects FROM dead_letters WHERE id = ?
                   RETURNING id, subjects""", (now, dead_id)).fetchall()]
            subject_index.add(conn, "outbox", requeued)
            conn.executemany("DELETE FROM dead_letters WHERE id = ?", ids)
            self.outbox.change_depth(by_destination)
            return Redriven(dict(by_destination), dict(kept), remaining)

        redriven = await self.db.write(move)
        self.outbox.wake(redriven.redriven)
        return redriven

    async def purge(self, selection: Selection) -> tuple[int, int]:
        """Delete the selected dead letters: (how many, how many match still)."""
        where, args = selection.where()

        def delete(conn: Connection) -> tuple[int, int]:
            deleted = conn.execute(
                f"DELETE FROM dead_letters WHERE id IN (SELECT id FROM dead_letters WHERE {where} ORDER BY id "
                "LIMIT ?)", (*args, MAX_PER_CALL)).rowcount
            remaining = conn.execute(f"SELECT count(*) FROM dead_letters WHERE {where}", args).fetchone()[0]
            return deleted, remaining

        return await self.db.write(delete)

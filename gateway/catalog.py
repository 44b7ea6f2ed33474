"""The event catalog, learned from traffic: every event name and type, each property path with its observed JSON
types and value shapes (how many distinct values, string lengths, formats: never a value), volume per day, first and
last seen, sources and SDKs, and volume per account.

Kept off the hot path: the pipeline's catalog step adds a request's events to counters in memory (a dict lookup and
a few additions per property), and `flush_periodically` merges them into the database through the writer every
`[catalog] flush_interval_s`, and once more when the gateway stops. What was counted since the last flush is lost on
a kill -9: the catalog is a statistic, not data anyone was promised.

Distinct values are counted with Python's per-process string hash, in memory only, and only up to
DISTINCT_CAP (past it a path is "many-valued", which is all a plan needs to know); across flushes the larger count
wins, so the figure is a lower bound. Every event counts towards each path's presence and types; lengths, formats and
distinct values are read from a sample (the first SAMPLE_ALL events of a name per flush, then every SAMPLE_EVERY-th;
formats from the first FORMAT_SAMPLES strings of a path per flush), which keeps the per-event cost to a dict lookup
and a set insert per property.

Names and keys are the sender's choice, and an id in an event name or a property key would grow the catalog without
end: a source keeps at most MAX_NAMES event names (later new ones are counted under OTHER_NAMES), an event at most
MAX_PATHS property paths, names and paths are cut at MAX_TEXT characters, and between flushes memory holds at most
MAX_SHAPES events' and MAX_SIGNATURES shapes per event (past it an event's shape is not counted: its paths and types
are what the other events showed).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from gateway.database import Database
from gateway.storage.connection import Connection
from gateway.storage.migrations import tables
from policies.event import Event
from policies.keyed_hash import KeyedHash
from policies.plans.plan import event_name, getter
from policies.plans.shapes import string_format

DISTINCT_CAP = 50
FORMAT_SAMPLES = 16
SAMPLE_ALL = 100  # value shapes of the first events of a name per flush, then of every SAMPLE_EVERY-th
SAMPLE_EVERY = 16
TRAIT_TYPES = frozenset({"identify", "group"})  # their traits are catalogued; other types' properties
MAX_DEPTH = 4  # levels of nested objects walked below properties and traits
MAX_NAMES = 2_000  # event names per source (Amplitude's own limit of event types per project)
MAX_PATHS = 500  # property paths per event
MAX_TEXT = 200  # characters of a name or path kept
MAX_SHAPES = 2_000  # events (source, type, name) counted in memory between flushes
MAX_SIGNATURES = 1_000  # distinct shapes counted per event between flushes
OTHER_NAMES = "(other names)"  # where the names past MAX_NAMES (or MAX_SHAPES) are counted
ACCOUNT_CACHE = 10_000  # account hashes kept: a B2B source's events come from a few accounts, over and over

MIGRATIONS = (
    tables(
        "catalog-1",
        (
            """CREATE TABLE catalog_events (
                source TEXT NOT NULL, type TEXT NOT NULL, name TEXT NOT NULL, day TEXT NOT NULL,
                count INTEGER NOT NULL, first_seen REAL NOT NULL, last_seen REAL NOT NULL,
                PRIMARY KEY (source, type, name, day)
            )""",
            """CREATE TABLE catalog_sdks (
                source TEXT NOT NULL, type TEXT NOT NULL, name TEXT NOT NULL, sdk TEXT NOT NULL,
                count INTEGER NOT NULL, PRIMARY KEY (source, type, name, sdk)
            )""",
            """CREATE TABLE catalog_properties (
                source TEXT NOT NULL, type TEXT NOT NULL, name TEXT NOT NULL, path TEXT NOT NULL,
                seen INTEGER NOT NULL, types TEXT NOT NULL, formats TEXT NOT NULL,
                min_length INTEGER, max_length INTEGER, distinct_values INTEGER NOT NULL,
                first_seen REAL NOT NULL, last_seen REAL NOT NULL,
                PRIMARY KEY (source, type, name, path)
            )""",
            """CREATE TABLE catalog_accounts (
                source TEXT NOT NULL, day TEXT NOT NULL, account TEXT NOT NULL, count INTEGER NOT NULL,
                PRIMARY KEY (source, day, account)
            )""",
        ),
    ),
)

EventKey = tuple[str, str, str]  # (source, type, name)


# JSON types by Python type, for what a decoded body holds. A float is "number" even when whole: it was sent as one.
_KINDS: dict[type, str] = {str: "string", bool: "boolean", int: "integer", float: "number", dict: "object",
                           list: "array", type(None): "null"}


@dataclass(slots=True)
class PropertyShape:
    seen: int = 0
    kinds: set[type] = field(default_factory=set)  # Python types seen; JSON type names when written
    formats: set[str] = field(default_factory=set)
    min_length: int | None = None
    max_length: int | None = None
    distinct: set[int] = field(default_factory=set)
    sampled: int = 0

    @property
    def types(self) -> set[str]:
        return {_KINDS.get(kind, "object") for kind in self.kinds}

    def sample(self, value: Any) -> None:
        """What the value looks like: its length and format if a string, and whether it is a new value."""
        if type(value) is str:
            n = len(value)
            if self.min_length is None or n < self.min_length:
                self.min_length = n
            if self.max_length is None or n > self.max_length:
                self.max_length = n
            if self.sampled < FORMAT_SAMPLES:
                self.sampled += 1
                self.formats.add(string_format(value))
        elif type(value) in (dict, list):
            return
        if len(self.distinct) <= DISTINCT_CAP:
            self.distinct.add(hash(value))


# An object's shape: its keys, their values' Python types, and the shapes of the values that are objects. Events of
# one name mostly share a few shapes, so counting shapes per event costs two tuples and a dict increment, and paths
# and types are worked out once per distinct shape when the catalog is written.
Signature = tuple[tuple[str, ...], tuple[type, ...], tuple[Any, ...]]


def signature(values: dict[str, Any], depth: int = 4) -> Signature:
    kinds = tuple(map(type, values.values()))
    nested = tuple(signature(v, depth - 1) for v in values.values() if type(v) is dict) \
        if dict in kinds and depth > 1 else ()
    return tuple(values), kinds, nested


@dataclass(slots=True)
class EventShape:
    count: int = 0
    first_seen: float = 0.0
    last_seen: float = 0.0
    sdks: Counter[str] = field(default_factory=Counter)
    signatures: Counter[Signature] = field(default_factory=Counter)
    properties: dict[str, PropertyShape] = field(default_factory=dict)  # value shapes (sampled); paths when taken

    def expand(self, root: str) -> None:
        """Each path's presence and types, from the shapes counted."""
        for shape, n in self.signatures.items():
            _expand(shape, root, n, self.properties)
        self.signatures.clear()


def _expand(shape: Signature, prefix: str, n: int, properties: dict[str, PropertyShape]) -> None:
    keys, kinds, nested = shape
    objects = iter(nested)
    for key, kind in zip(keys, kinds, strict=True):
        path = prefix + key
        prop = properties.get(path)
        if prop is None:
            if len(properties) >= MAX_PATHS:
                continue
            prop = properties[path] = PropertyShape()
        prop.seen += n
        prop.kinds.add(kind)
        if kind is dict:
            inner = next(objects, None)
            if inner is not None:
                _expand(inner, path + ".", n, properties)


def account_hasher(key: bytes) -> Callable[[str], str]:
    """The keyed hash (HMAC-SHA256, 128 bits in hex) the catalog keeps account ids as. Accounts repeat from event to
    event, so each one's hash is remembered (up to ACCOUNT_CACHE, then started afresh) rather than worked out again."""
    cache: dict[str, str] = {}
    keyed = KeyedHash(key)

    def hash_account(account: str) -> str:
        hashed = cache.get(account)
        if hashed is None:
            if len(cache) >= ACCOUNT_CACHE:
                cache.clear()
            hashed = cache[account] = keyed.hexdigest(account.encode("utf-8"))[:32]
        return hashed

    return hash_account


def sdk_of(event: Event) -> str:
    library = (event.context or {}).get("library")
    name = library.get("name") if isinstance(library, dict) else None
    return name[:60] if isinstance(name, str) and name else event.origin or "unknown"


def _sample(values: dict[str, Any], prefix: str, properties: dict[str, PropertyShape], depth: int) -> None:
    for key, value in values.items():
        path = prefix + key
        prop = properties.get(path)
        if prop is None:
            if len(properties) >= MAX_PATHS:
                continue
            prop = properties[path] = PropertyShape()
        prop.sample(value)
        if type(value) is dict and depth > 1:
            _sample(value, path + ".", properties, depth - 1)


class Catalog:
    def __init__(self, db: Database, account_path: str, hash_account: Callable[[str], str]) -> None:
        self.db, self.account_of, self.hash_account = db, getter(account_path), hash_account
        self._day = ""
        self._events: dict[EventKey, EventShape] = {}
        self._accounts: Counter[tuple[str, str]] = Counter()  # (source, account as kept) per current day

    def observe(self, source: str, events: Iterable[Event]) -> None:
        now = time.time()
        day = datetime.datetime.fromtimestamp(now, datetime.UTC).date().isoformat()
        if day != self._day and self._day:
            self._flush_now_later()
        self._day = day
        shapes, accounts, account_of = self._events, self._accounts, self.account_of
        for event in events:
            kind = event.type
            key = (source, kind, event_name(event)[:MAX_TEXT])
            shape = shapes.get(key)
            if shape is None:
                if len(shapes) >= MAX_SHAPES:
                    key = (source, kind, OTHER_NAMES)
                    shape = shapes.get(key)
                if shape is None:
                    shape = shapes[key] = EventShape(first_seen=now)
            shape.count += 1
            shape.last_seen = now
            shape.sdks[sdk_of(event)] += 1
            root, values = ("traits.", event.traits) if kind in TRAIT_TYPES else ("properties.", event.properties)
            if values:
                # Presence and type of every path of every event; value shapes from a sample (module docstring).
                shaped = signature(values, MAX_DEPTH)
                if shaped in shape.signatures or len(shape.signatures) < MAX_SIGNATURES:
                    shape.signatures[shaped] += 1
                if shape.count <= SAMPLE_ALL or not shape.count % SAMPLE_EVERY:
                    _sample(values, root, shape.properties, MAX_DEPTH)
            account = account_of(event)
            if isinstance(account, str | int) and account != "":
                accounts[(source, self.hash_account(str(account)))] += 1

    def _flush_now_later(self) -> None:
        """A day ended with counts in memory: write them under their day before counting the next."""
        self.db.submit(self.take(self._day))

    def take(self, day: str | None = None) -> Callable[[Connection], None]:
        """What has been counted, as a write for the database, and start counting afresh."""
        events, accounts, day = self._events, self._accounts, day or self._day
        self._events, self._accounts = {}, Counter()
        for (_, kind, _), shape in events.items():
            shape.expand("traits." if kind in TRAIT_TYPES else "properties.")

        def write(conn: Connection) -> None:
            merge(conn, day, events, accounts)

        return write

    async def flush_periodically(self, interval: float, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), interval)
            if self._events or self._accounts:
                await self.db.write(self.take())


def merge(conn: Connection, day: str, events: dict[EventKey, EventShape],
          accounts: Counter[tuple[str, str]]) -> None:
    names: dict[str, int] = {}  # names catalogued per source, counted when first needed
    for (source, kind, sent_name), shape in events.items():
        name = _name_kept(conn, source, kind, sent_name, names)
        conn.execute(
            """INSERT INTO catalog_events (source, type, name, day, count, first_seen, last_seen)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (source, type, name, day) DO UPDATE SET count = catalog_events.count + excluded.count,
                   first_seen = CASE WHEN excluded.first_seen < catalog_events.first_seen
                                     THEN excluded.first_seen ELSE catalog_events.first_seen END,
                   last_seen = CASE WHEN excluded.last_seen > catalog_events.last_seen
                                    THEN excluded.last_seen ELSE catalog_events.last_seen END""",
            (source, kind, name, day, shape.count, shape.first_seen, shape.last_seen),
        )
        conn.executemany(
            """INSERT INTO catalog_sdks (source, type, name, sdk, count) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (source, type, name, sdk) DO UPDATE SET count = catalog_sdks.count + excluded.count""",
            [(source, kind, name, sdk, n) for sdk, n in shape.sdks.items()],
        )
        # Nodes sharing a PostgreSQL database flush when they like. The reads and merged writes of the event's paths
        # below are safe from another node's flush because the upserts above lock the event's row of the day (and
        # its SDK's row) until commit: a second flush of the event waits there. Only flushes of different days that
        # share no SDK name could interleave (one node flushing the day that just ended): their paths' counts
        # could then be short by one flush.
        paths: int | None = None  # paths catalogued for the event, counted when a new one comes
        for path, prop in shape.properties.items():
            key = (source, kind, name, path[:MAX_TEXT])
            row = conn.execute(
                """SELECT seen, types, formats, min_length, max_length, distinct_values, first_seen
                   FROM catalog_properties WHERE source = ? AND type = ? AND name = ? AND path = ?""", key).fetchone()
            if row is None:
                if paths is None:
                    paths = conn.execute("SELECT count(*) FROM catalog_properties WHERE source = ? AND type = ? "
                                         "AND name = ?", (source, kind, name)).fetchone()[0]
                if paths >= MAX_PATHS:
                    continue
                paths += 1
            _merge_property(conn, key, row, prop, shape)
    conn.executemany(
        """INSERT INTO catalog_accounts (source, day, account, count) VALUES (?, ?, ?, ?)
           ON CONFLICT (source, day, account) DO UPDATE SET count = catalog_accounts.count + excluded.count""",
        [(source, day, account, n) for (source, account), n in accounts.items()],
    )


def _name_kept(conn: Connection, source: str, kind: str, name: str, names: dict[str, int]) -> str:
    """`name`, or OTHER_NAMES when it is new and its source has MAX_NAMES names catalogued already."""
    if name == OTHER_NAMES or conn.execute("SELECT 1 FROM catalog_events WHERE source = ? AND type = ? AND name = ? "
                                           "LIMIT 1", (source, kind, name)).fetchone():
        return name
    if source not in names:
        names[source] = conn.execute("SELECT count(DISTINCT name) FROM catalog_events WHERE source = ?",
                                     (source,)).fetchone()[0]
    if names[source] >= MAX_NAMES:
        return OTHER_NAMES
    names[source] += 1
    return name


def _merge_property(conn: Connection, key: tuple[str, str, str, str], row: Any, prop: PropertyShape,
                    shape: EventShape) -> None:
    seen, types, formats, low, high, distinct = prop.seen, prop.types, prop.formats, prop.min_length, \
        prop.max_length, min(len(prop.distinct), DISTINCT_CAP + 1)
    first_seen = shape.first_seen
    if row is not None:
        seen += row[0]
        types = types | set(orjson.loads(row[1]))
        formats = formats | set(orjson.loads(row[2]))
        low = _extreme(min, low, row[3])
        high = _extreme(max, high, row[4])
        distinct = max(distinct, row[5])
        first_seen = min(first_seen, row[6])
    conn.execute(
        """INSERT INTO catalog_properties (source, type, name, path, seen, types, formats, min_length, max_length,
               distinct_values, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (source, type, name, path) DO UPDATE SET seen = excluded.seen, types = excluded.types,
               formats = excluded.formats, min_length = excluded.min_length, max_length = excluded.max_length,
               distinct_values = excluded.distinct_values, first_seen = excluded.first_seen,
               last_seen = excluded.last_seen""",
        # Text (a database from before holds the same JSON as blobs; orjson reads both).
        (*key, seen, orjson.dumps(sorted(types)).decode(), orjson.dumps(sorted(formats)).decode(), low, high,
         distinct, first_seen, shape.last_seen),
    )


def _extreme(pick: Callable[[int, int], int], a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else pick(a, b)


# -- reading -----------------------------------------------------------------------------------------------------


def read_catalog(conn: Connection, source: str | None = None) -> list[dict[str, Any]]:
    """Every catalogued event (of `source`, or of all), with its volume per day, SDKs and property shapes."""
    where, args = ("WHERE source = ?", (source,)) if source else ("", ())
    events: dict[EventKey, dict[str, Any]] = {}
    for src, kind, name, day, count, first, last in conn.execute(
            f"SELECT source, type, name, day, count, first_seen, last_seen FROM catalog_events {where} "
            "ORDER BY source, type, name, day", args):
        item = events.setdefault((src, kind, name), {"source": src, "type": kind, "name": name, "count": 0,
                                                     "first_seen": first, "last_seen": last, "days": [],
                                                     "sdks": {}, "properties": []})
        item["count"] += count
        item["first_seen"], item["last_seen"] = min(item["first_seen"], first), max(item["last_seen"], last)
        item["days"].append({"day": day, "count": count})
    for src, kind, name, sdk, count in conn.execute(f"SELECT source, type, name, sdk, count FROM catalog_sdks {where}",
                                                    args):
        if (src, kind, name) in events:
            events[(src, kind, name)]["sdks"][sdk] = count
    for src, kind, name, path, seen, types, formats, low, high, distinct, first, last in conn.execute(
            f"""SELECT source, type, name, path, seen, types, formats, min_length, max_length, distinct_values,
                       first_seen, last_seen FROM catalog_properties {where} ORDER BY path""", args):
        if (src, kind, name) in events:
            events[(src, kind, name)]["properties"].append({
                "path": path, "seen": seen, "types": orjson.loads(types), "formats": orjson.loads(formats),
                "min_length": low, "max_length": high, "distinct_values": distinct,
                "many_values": distinct > DISTINCT_CAP, "first_seen": first, "last_seen": last})
    return list(events.values())


def read_accounts(conn: Connection, source: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Volume per account (as kept: keyed-hashed unless the policy says otherwise), largest first, with its days."""
    where, args = ("WHERE source = ?", (source,)) if source else ("", ())
    totals = conn.execute(
        f"""SELECT account, sum(count) AS n FROM catalog_accounts {where} GROUP BY account ORDER BY n DESC, account
            LIMIT ?""", (*args, limit)).fetchall()
    result = []
    for account, n in totals:
        days = conn.execute(
            f"""SELECT day, sum(count) FROM catalog_accounts {where}{' AND' if where else ' WHERE'} account = ?
                GROUP BY day ORDER BY day""", (*args, account)).fetchall()
        result.append({"account": account, "count": n, "days": [{"day": d, "count": c} for d, c in days]})
    return result


def sources_of(events: Sequence[dict[str, Any]]) -> list[str]:
    return sorted({e["source"] for e in events})

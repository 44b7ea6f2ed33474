"""Finding recorded sessions: by source, page URL, signal kind, score, time range and the person recorded; a page of
them with the total, and the previous and next flagged session in the same order (a reviewer's "next").

A person is matched through the keyed hashes of their identifiers, which is all a session keeps of who was recorded
(`replay_sessions.subjects`): the caller hashes what it was given, and widens it to every identifier linked to it
(an e-mail reaches the user id it was sent with, and the anonymous id that user browsed under), so this module never
sees an identifier in clear.

A session bound to one identifier (most are) is found by the index on its `subjects` column. The others are looked up
in `replay_session_subjects`, one row per (subject, session), which triggers on `replay_sessions` keep in step with its
`subjects` column in the same transaction as every write to it (the store writes only that column; deleting a session
deletes its rows); `subject_match` looks in both. Matching inside each session row instead scans the
whole index: 71-124 ms for 100,000 sessions, against 0.04-0.06 ms through the table (`bench/replay_search.py`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from replay.database import Connection
from replay.store import CLICK_KINDS, INDEXED_SUBJECTS, SESSION_COLUMNS, SIGNAL_KINDS, session_row

# `subjects` is keyed hashes (hex) joined by spaces: made a JSON array (escaped, should a subject ever hold a quote),
# json_each splits it inside a trigger, where SQLite allows no recursive CTE.
SPLIT_SUBJECTS = r"""json_each('["' || replace(replace(replace({col}, '\', '\\'), '"', '\"'), ' ', '","') || '"]')"""
# The tables and indexes (the same on both engines, but for their types: gateway.storage.ddl), then the triggers and
# the filling of the table from the sessions stored before it, per engine.
TABLES = (
    """CREATE TABLE replay_session_subjects (
        subject TEXT NOT NULL,
        session_id TEXT NOT NULL,
        PRIMARY KEY (subject, session_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX replay_session_subjects_session ON replay_session_subjects (session_id)",
    # The queue's two orders, for its pages and "next flagged" (the flagged ones are a part of the sessions).
    "CREATE INDEX replay_sessions_time_order ON replay_sessions (first_ts, session_id)",
    "CREATE INDEX replay_sessions_score_order ON replay_sessions (score, first_ts, session_id)",
)
# replay-1's index on first_ts alone: the time order's (first_ts, session_id) serves each of its readers (periods of
# reports and heatmaps, analysis's order; EXPLAIN QUERY PLAN shows the same searches), and every session paid ~13
# bytes for it.
REDUNDANT_INDEXES = ("DROP INDEX replay_sessions_first_ts",)
# A session recorded under one identifier (most are) is found by an index on its `subjects` column itself: ~40 bytes a
# session, against ~150 for its row and index entry in `replay_session_subjects`, which from here holds only the
# sessions bound to several identifiers (their `subjects` has a space). `subject_match` looks in both.
_SEVERAL = "instr({col}, ' ') > 0"
ONE_SUBJECT_SCHEMA = (
    "DROP TRIGGER replay_session_subjects_insert",
    "DROP TRIGGER replay_session_subjects_update",
    f"""CREATE TRIGGER replay_session_subjects_insert AFTER INSERT ON replay_sessions
        WHEN {_SEVERAL.format(col="NEW.subjects")}
        BEGIN
            INSERT OR IGNORE INTO replay_session_subjects (subject, session_id)
            SELECT value, NEW.session_id FROM {SPLIT_SUBJECTS.format(col="NEW.subjects")} WHERE value != '';
        END""",
    f"""CREATE TRIGGER replay_session_subjects_update AFTER UPDATE OF subjects ON replay_sessions
        WHEN NEW.subjects != OLD.subjects
        BEGIN
            DELETE FROM replay_session_subjects WHERE session_id = OLD.session_id;
            INSERT OR IGNORE INTO replay_session_subjects (subject, session_id)
            SELECT value, NEW.session_id FROM {SPLIT_SUBJECTS.format(col="NEW.subjects")}
            WHERE value != '' AND {_SEVERAL.format(col="NEW.subjects")};
        END""",
    f"""DELETE FROM replay_session_subjects WHERE session_id IN
        (SELECT session_id FROM replay_sessions WHERE NOT {_SEVERAL.format(col="subjects")})""",
    "CREATE INDEX replay_sessions_subjects ON replay_sessions (subjects)",
)
POSTGRES_ONE_SUBJECT = (
    """CREATE OR REPLACE FUNCTION replay_session_subjects_sync() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN
                DELETE FROM replay_session_subjects WHERE session_id = OLD.session_id;
            END IF;
            IF TG_OP <> 'DELETE' AND strpos(NEW.subjects, ' ') > 0 THEN
                INSERT INTO replay_session_subjects (subject, session_id)
                SELECT DISTINCT subject, NEW.session_id FROM unnest(string_to_array(NEW.subjects, ' ')) AS s(subject)
                WHERE subject <> '' ON CONFLICT DO NOTHING;
            END IF;
            RETURN NULL;
        END $$""",
    "DROP TRIGGER replay_session_subjects_insert ON replay_sessions",
    """CREATE TRIGGER replay_session_subjects_insert AFTER INSERT ON replay_sessions
        FOR EACH ROW WHEN (strpos(NEW.subjects, ' ') > 0) EXECUTE FUNCTION replay_session_subjects_sync()""",
    """DELETE FROM replay_session_subjects t USING replay_sessions s
        WHERE s.session_id = t.session_id AND strpos(s.subjects, ' ') = 0""",
    "CREATE INDEX replay_sessions_subjects ON replay_sessions (subjects)",
)
SCHEMA = (
    *TABLES,
    f"""CREATE TRIGGER replay_session_subjects_insert AFTER INSERT ON replay_sessions WHEN NEW.subjects != ''
        BEGIN
            INSERT OR IGNORE INTO replay_session_subjects (subject, session_id)
            SELECT value, NEW.session_id FROM {SPLIT_SUBJECTS.format(col="NEW.subjects")} WHERE value != '';
        END""",
    f"""CREATE TRIGGER replay_session_subjects_update AFTER UPDATE OF subjects ON replay_sessions
        WHEN NEW.subjects != OLD.subjects
        BEGIN
            DELETE FROM replay_session_subjects WHERE session_id = OLD.session_id;
            INSERT OR IGNORE INTO replay_session_subjects (subject, session_id)
            SELECT value, NEW.session_id FROM {SPLIT_SUBJECTS.format(col="NEW.subjects")} WHERE value != '';
        END""",
    """CREATE TRIGGER replay_session_subjects_delete AFTER DELETE ON replay_sessions
        BEGIN
            DELETE FROM replay_session_subjects WHERE session_id = OLD.session_id;
        END""",
    # Sessions recorded before this migration.
    f"""INSERT OR IGNORE INTO replay_session_subjects (subject, session_id)
        SELECT value, session_id FROM replay_sessions, {SPLIT_SUBJECTS.format(col="subjects")}
        WHERE subjects != '' AND value != ''""",
)
# The same triggers on PostgreSQL: one function, run after each row's insert, change of `subjects`, or delete.
POSTGRES_TRIGGERS = (
    """CREATE FUNCTION replay_session_subjects_sync() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN
                DELETE FROM replay_session_subjects WHERE session_id = OLD.session_id;
            END IF;
            IF TG_OP <> 'DELETE' THEN
                INSERT INTO replay_session_subjects (subject, session_id)
                SELECT DISTINCT subject, NEW.session_id FROM unnest(string_to_array(NEW.subjects, ' ')) AS s(subject)
                WHERE subject <> '' ON CONFLICT DO NOTHING;
            END IF;
            RETURN NULL;
        END $$""",
    """CREATE TRIGGER replay_session_subjects_insert AFTER INSERT ON replay_sessions
        FOR EACH ROW WHEN (NEW.subjects <> '') EXECUTE FUNCTION replay_session_subjects_sync()""",
    """CREATE TRIGGER replay_session_subjects_update AFTER UPDATE OF subjects ON replay_sessions
        FOR EACH ROW WHEN (NEW.subjects IS DISTINCT FROM OLD.subjects)
        EXECUTE FUNCTION replay_session_subjects_sync()""",
    """CREATE TRIGGER replay_session_subjects_delete AFTER DELETE ON replay_sessions
        FOR EACH ROW EXECUTE FUNCTION replay_session_subjects_sync()""",
    """INSERT INTO replay_session_subjects (subject, session_id)
        SELECT DISTINCT subject, session_id FROM replay_sessions, unnest(string_to_array(subjects, ' ')) AS s(subject)
        WHERE subjects <> '' AND subject <> '' ON CONFLICT DO NOTHING""",
)
# The queue's two orders break ties of first_ts by when the session was first stored (`created_at`, 9 bytes) rather
# than by its id (37 bytes as posthog-js names sessions): 56 bytes a session less in the two indexes, the same on both
# engines. The store gives each new session a created_at of its own (ReplayStore._session_stamp: a microsecond after
# the last where needed), so sessions first stored by one request do not tie; "next" would pass over two that did
# (only two nodes stamping one microsecond for sessions that began in one millisecond). Without a tie-breaker in the
# index SQLite sorts each run of ties as it reads (a page at offset 5,000 took 37x as long).
ORDER_INDEXES = (
    "DROP INDEX replay_sessions_time_order",
    "DROP INDEX replay_sessions_score_order",
    "CREATE INDEX replay_sessions_time_order ON replay_sessions (first_ts, created_at)",
    "CREATE INDEX replay_sessions_score_order ON replay_sessions (score, first_ts, created_at)",
)
ORDERS = {
    # name -> the columns a page is sorted by, newest or highest first (see ORDER_INDEXES).
    "time": ("first_ts", "created_at"),
    "score": ("score", "first_ts", "created_at"),
}


# The subjects index up to a length (store.INDEXED_SUBJECTS).
BOUNDED_SUBJECTS = (
    "DROP INDEX replay_sessions_subjects",
    f"CREATE INDEX replay_sessions_subjects ON replay_sessions (subjects) WHERE {INDEXED_SUBJECTS}",
)


def subject_match(count: int) -> str:
    """A condition on `replay_sessions` true of the sessions recorded for any of `count` subject hashes (bound as
    `subject_args` gives them): by the `subjects` index for one-identifier sessions, through `replay_session_subjects`
    for the others: one list of session ids from two index searches, then each session by its key (an OR of the two
    left PostgreSQL reading the whole time order and filtering, as it cannot estimate it)."""
    placeholders = ", ".join("?" * count)
    return (f"session_id IN (SELECT session_id FROM replay_sessions WHERE subjects IN ({placeholders}) "
            f"AND {INDEXED_SUBJECTS} UNION ALL "
            f"SELECT session_id FROM replay_session_subjects WHERE subject IN ({placeholders}))")


def subject_args(subjects: Iterable[str]) -> list[str]:
    """The arguments of `subject_match`: the hashes, once for each side."""
    ordered = sorted(subjects)
    return ordered + ordered


@dataclass(frozen=True)
class SessionQuery:
    source: str | None = None
    url: str | None = None  # a part of any recorded page URL
    signal: str | None = None  # one of SIGNAL_KINDS: sessions with at least one
    min_score: float | None = None
    since_ms: int | None = None  # sessions recorded at or after (their last event)
    until_ms: int | None = None  # sessions that began before
    subjects: frozenset[str] | None = None  # keyed hashes of the person's identifiers; None: anyone
    flagged: bool = False  # only sessions with a signal
    # A report row's sessions: a signal on this normalized page (`page_url`) and element (`selector`), both as the
    # frustration report shows them; of `signal`'s kind, else of a click kind when an element is given, else any.
    page: str | None = None
    element: str | None = None
    order: str = "time"

    def __post_init__(self) -> None:
        if self.signal is not None and self.signal not in SIGNAL_KINDS:
            raise ValueError(f"signal must be one of {', '.join(SIGNAL_KINDS)}")
        if self.order not in ORDERS:
            raise ValueError(f"order must be one of {', '.join(ORDERS)}")

    def where(self) -> tuple[list[str], list[Any]]:
        clauses: list[str] = []
        args: list[Any] = []
        for clause, value in (
            ("source = ?", self.source),
            ("instr(urls, ?) > 0", self.url),
            ("coalesce(json_extract(signals, ?), 0) > 0", self.signal and f"$.{self.signal}"),
            ("score >= ?", self.min_score),
            ("last_ts >= ?", self.since_ms),
            ("first_ts < ?", self.until_ms),
        ):
            if value is not None and value != "":
                clauses.append(clause)
                args.append(value)
        if self.flagged:
            # A signal whose kind weighs 0 in the score still flags the session (as the review queue shows it).
            clauses.append("(score > 0 OR EXISTS (SELECT 1 FROM json_each(signals) WHERE value > 0))")
        if self.page is not None or self.element is not None:
            clause, signal_args = self._signal_place()
            clauses.append(clause)
            args.extend(signal_args)
        if self.subjects is not None:
            clauses.append(subject_match(len(self.subjects)))
            args.extend(subject_args(self.subjects))
        return clauses, args


    def _signal_place(self) -> tuple[str, list[Any]]:
        """Sessions holding a signal at this page and element, through `replay_signals_kind (kind, page_url)`: each
        kind is one index range, not a scan of the signals."""
        kinds = (self.signal,) if self.signal else CLICK_KINDS if self.element is not None else SIGNAL_KINDS
        where = [f"kind IN ({', '.join('?' * len(kinds))})"]
        args: list[Any] = list(kinds)
        for column, value in (("page_url", self.page), ("selector", self.element)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        return f"session_id IN (SELECT session_id FROM replay_signals WHERE {' AND '.join(where)})", args


@dataclass(frozen=True)
class Found:
    sessions: list[dict[str, Any]]
    total: int


def _where_sql(clauses: list[str]) -> str:
    return f"WHERE {' AND '.join(clauses)}" if clauses else ""


def find(conn: Connection, query: SessionQuery, limit: int, offset: int) -> Found:
    """One page of the matching sessions in the query's order, and how many match in all."""
    clauses, args = query.where()
    where = _where_sql(clauses)
    order_by = ", ".join(f"{column} DESC" for column in ORDERS[query.order])
    total = conn.execute(f"SELECT count(*) FROM replay_sessions {where}", args).fetchone()[0]
    cursor = conn.execute(
        f"SELECT {', '.join(SESSION_COLUMNS)} FROM replay_sessions {where} ORDER BY {order_by} LIMIT ? OFFSET ?",
        (*args, limit, offset),
    )
    return Found([session_row(row) for row in cursor], total)


def neighbours(conn: Connection, query: SessionQuery, session_id: str) -> dict[str, str | None] | None:
    """The flagged sessions just before and just after `session_id` in the query's order (None at either end); None
    when there is no such session."""
    columns = ORDERS[query.order]
    here = conn.execute(f"SELECT {', '.join(columns)} FROM replay_sessions WHERE session_id = ?",
                        (session_id,)).fetchone()
    if here is None:
        return None
    clauses, args = SessionQuery(**{**query.__dict__, "flagged": True}).where()
    key = f"({', '.join(columns)})"
    placeholders = f"({', '.join('?' * len(columns))})"
    found: dict[str, str | None] = {}
    # Listed highest first: the next one is lower in the order, the previous one higher.
    for name, compare, direction in (("next", "<", "DESC"), ("previous", ">", "ASC")):
        row = conn.execute(
            f"SELECT session_id FROM replay_sessions {_where_sql([*clauses, f'{key} {compare} {placeholders}'])} "
            f"ORDER BY {', '.join(f'{column} {direction}' for column in columns)} LIMIT 1",
            (*args, *here),
        ).fetchone()
        found[name] = row[0] if row else None
    return found

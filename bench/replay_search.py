"""Finding sessions (replay.search) in a session index of N sessions, beside baselines measured in the same run.

    python bench/replay_search.py [--sessions 100000] [--repeat 5]

The index is a real SQLite file built with the gateway's migrations: N sessions, each recorded for two subjects
(an anonymous id and, for half of them, a user id: distinct keyed hashes, no string repeated) and one page URL of its
own; a third flagged with a score. Timed, each the best of --repeat (timing noise only adds):

- baseline: one page of the newest sessions with the total and no filter (what the queue's first page costs);
- a person, as first written: `instr` of each hash in every session's `subjects` (a scan), one page and the total;
- a person through `replay_session_subjects` (replay.search; two identifiers), one page and the total, and one of a
  single identifier, through the index on `replay_sessions.subjects`;
- a part of a page URL, for comparison: a scan too;
- previous and next flagged session from the middle of the queue, by time and by score.
"""

from __future__ import annotations

import argparse
import hashlib
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gateway.database import Database  # noqa: E402
from gateway.schema import DATABASE_FILE, MIGRATIONS  # noqa: E402
from replay import search  # noqa: E402
from replay.search import SessionQuery  # noqa: E402


def subject(i: int, kind: str) -> str:
    return hashlib.sha256(f"{kind}-{i}".encode()).hexdigest()[:32]


def build(conn: sqlite3.Connection, n: int) -> None:
    rows = []
    for i in range(n):
        subjects = [subject(i, "anon")] + ([subject(i, "user")] if i % 2 else [])
        score = float(i % 7) if i % 3 == 0 else 0.0
        rows.append((f"sess-{i:08d}", "web", " ".join(sorted(subjects)), '["main"]', 1_700_000_000_000 + i * 1000,
                     1_700_000_000_000 + i * 1000 + 60_000, f'["https://shop.example/p/{i}/checkout"]',
                     '{"rage_click": 1}' if score else "{}", score, time.time(), time.time()))
    conn.executemany(
        """INSERT INTO replay_sessions (session_id, source, subjects, windows, first_ts, last_ts, urls, signals, score,
                                        created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", rows)


def scan_for(conn: sqlite3.Connection, subjects: frozenset[str]) -> int:
    """How a person was matched before the subjects table: `instr` on every session's subjects, the page and the
    total (the same work as search.find)."""
    where = "WHERE " + " OR ".join(["instr(subjects, ?) > 0"] * len(subjects))
    args = sorted(subjects)
    total: int = conn.execute(f"SELECT count(*) FROM replay_sessions {where}", args).fetchone()[0]
    conn.execute(f"SELECT * FROM replay_sessions {where} ORDER BY first_ts DESC, session_id DESC LIMIT 50",
                 args).fetchall()
    return total


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        Database(Path(tmp) / DATABASE_FILE, MIGRATIONS).close()  # the gateway's schema
        conn = sqlite3.connect(Path(tmp) / DATABASE_FILE)
        try:
            build(conn, args.sessions)
            conn.commit()
            n = args.sessions
            person = frozenset({subject(n // 2 + 1, "user"), subject(n // 2 + 1, "anon")})
            anonymous = frozenset({subject(n // 2, "anon")})  # an even session: recorded for one identifier
            base = best(lambda: search.find(conn, SessionQuery(), 50, 0), args.repeat)
            scan = best(lambda: scan_for(conn, person), args.repeat)
            assert search.find(conn, SessionQuery(subjects=person), 50, 0).total == 1 == scan_for(conn, person)
            assert search.find(conn, SessionQuery(subjects=anonymous), 50, 0).total == 1
            rows = {
                "baseline: newest 50 and the total": base,
                "a person: scan of subjects (before)": scan,
                "a person of two ids: session_subjects": best(
                    lambda: search.find(conn, SessionQuery(subjects=person), 50, 0), args.repeat),
                "a person of one id: subjects index": best(
                    lambda: search.find(conn, SessionQuery(subjects=anonymous), 50, 0), args.repeat),
                "a page URL part (a scan)": best(
                    lambda: search.find(conn, SessionQuery(url=f"/p/{n // 2}/"), 50, 0), args.repeat),
            }
            middle = f"sess-{n // 2 - (n // 2) % 3:08d}"
            for order in ("time", "score"):
                rows[f"previous/next flagged, by {order}"] = best(
                    lambda order=order: search.neighbours(conn, SessionQuery(order=order), middle), args.repeat)
            print(f"{n:,} sessions in the index; best of {args.repeat}")
            print(f"{'':<40}{'ms':>10}{'vs baseline':>13}{'vs scan':>10}")
            for name, took in rows.items():
                print(f"{name:<40}{took * 1000:>10.3f}{took / base:>13.2f}{took / scan:>10.4f}")
        finally:
            conn.close()


if __name__ == "__main__":
    main()

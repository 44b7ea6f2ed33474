"""`privacy-gateway backup DEST`: a consistent copy of the gateway's data while it runs.

The database is copied with SQLite's online backup API in one step: in WAL mode a reader does not block the writer,
so the gateway keeps taking events, and the copy is the database as of one moment (a stepwise copy would start over
after each write and might never finish on a busy gateway). The copy is checked (`PRAGMA quick_check`) before it
takes its name, so DEST never holds half a database. The key files beside it (`hash.key`, made on first start when
the policy sets no `[privacy] hash_key`, and the receipts' `signing.key` unless `[privacy] key_file` keeps it elsewhere)
are copied too: without them, the subject hashes in the copy match nobody and new receipts are signed by another key.
So is the recordings' `master.key` when it is kept there (no PRIVACY_GATEWAY_MASTER_KEY, no `[privacy]
master_key_file`): then the copy opens every recording it holds, including those of subjects deleted after it was
taken (see replay.shredding on keeping the master key elsewhere and retiring it).
Everything is written private to the user running the command (0600 files in a 0700 directory).

Restore: stop the gateway, put DEST's files in an empty data directory, start it (it applies pending migrations).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from gateway.schema import DATABASE_FILE

KEY_FILES = "*.key"


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class Backup:
    database: Path
    bytes: int
    keys: tuple[Path, ...]


def backup(data_dir: Path, dest: Path) -> Backup:
    source = data_dir / DATABASE_FILE
    if not source.is_file():
        raise BackupError(f"no database at {source}: is {data_dir} the gateway's --data-dir?")
    try:
        dest.mkdir(mode=0o700, parents=True)
    except FileExistsError:
        raise BackupError(f"{dest} exists: give a new directory, so that no older backup is mixed in") from None
    partial = dest / (DATABASE_FILE + ".partial")
    _copy_database(source, partial)
    database = dest / DATABASE_FILE
    partial.replace(database)
    keys = []
    for key in sorted(data_dir.glob(KEY_FILES)):
        copy = dest / key.name
        shutil.copyfile(key, copy)
        copy.chmod(0o600)
        keys.append(copy)
    return Backup(database, database.stat().st_size, tuple(keys))


def _copy_database(source: Path, target: Path) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # private before the first byte is in it
    os.close(fd)
    try:
        # Read-only: the backup never writes to the gateway's file.
        with contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src, \
                contextlib.closing(sqlite3.connect(target)) as dst:
            src.backup(dst, pages=-1)
            check = dst.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.Error as exc:
        target.unlink(missing_ok=True)
        raise BackupError(f"could not copy {source}: {exc}") from None
    if check != "ok":
        target.unlink(missing_ok=True)
        raise BackupError(f"the copy of {source} failed its check ({check}); nothing was kept")

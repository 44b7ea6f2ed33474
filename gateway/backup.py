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

Recordings kept in objects (`[replay.storage] backend = "s3"`): after the database, the objects its copy names are
copied into DEST/objects (replay.object_backup); if one of them was deleted meanwhile (its chunks expired or were
deleted after the copy), the database is copied again, up to COPY_ATTEMPTS times. A backup of an index that names
objects, taken without the object store's configuration, is refused rather than taken without them.

Restore (`restore`): into a data directory with no database; the copy and its objects are checked first (every named
object there, at its length), the objects put into the configured bucket, then the database and keys copied in:
objects before the index that names them, as the gateway writes them. A backup without objects can also be restored
by hand: stop the gateway, put DEST's files in an empty data directory, start it (it applies pending migrations).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from gateway.schema import DATABASE_FILE
from replay import object_backup
from replay.objects import ObjectStore

KEY_FILES = "*.key"
COPY_ATTEMPTS = 5


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class Backup:
    database: Path
    bytes: int
    keys: tuple[Path, ...]
    objects: int = 0  # recordings' objects copied into DEST/objects


def backup(data_dir: Path, dest: Path, objects: ObjectStore | None = None) -> Backup:
    """`objects`: the store of the recordings' objects, if `[replay.storage]` configures one."""
    source = data_dir / DATABASE_FILE
    if not source.is_file():
        raise BackupError(f"no database at {source}: is {data_dir} the gateway's --data-dir?")
    try:
        dest.mkdir(mode=0o700, parents=True)
    except FileExistsError:
        raise BackupError(f"{dest} exists: give a new directory, so that no older backup is mixed in") from None
    partial = dest / (DATABASE_FILE + ".partial")
    named = _copy_with_objects(source, partial, dest, objects)
    database = dest / DATABASE_FILE
    partial.replace(database)
    keys = []
    for key in sorted(data_dir.glob(KEY_FILES)):
        copy = dest / key.name
        shutil.copyfile(key, copy)
        copy.chmod(0o600)
        keys.append(copy)
    return Backup(database, database.stat().st_size, tuple(keys), len(named))


def _copy_with_objects(source: Path, partial: Path, dest: Path, objects: ObjectStore | None
                       ) -> list[object_backup.Named]:
    """The database copied to `partial`, then the objects it names into `dest` (see the module's docstring)."""
    for _ in range(COPY_ATTEMPTS):
        partial.unlink(missing_ok=True)
        _copy_database(source, partial)
        named = object_backup.named(partial)
        if not named:
            return named
        if objects is None:
            partial.unlink()
            raise BackupError(f"the database names {len(named)} recording object(s) in an object store: give --policy "
                              "with its [replay.storage] (and its credentials in the environment) to copy them too")
        missing = object_backup.copy_out(objects, named, dest)
        if not missing:
            object_backup.drop_unnamed(named, dest)
            return named
    partial.unlink()
    raise BackupError(f"{len(missing)} object(s) the database names went from the bucket while copying "
                      f"{COPY_ATTEMPTS} times (e.g. {missing[0].key}): is the bucket the gateway's?")


@dataclass(frozen=True)
class Restored:
    database: Path
    objects: int


def restore(backup_dir: Path, data_dir: Path, objects: ObjectStore | None = None) -> Restored:
    """A backup into `data_dir` (which has no database), its objects into `objects`' bucket, each checked first."""
    copy = backup_dir / DATABASE_FILE
    if not copy.is_file():
        raise BackupError(f"no database at {copy}: is {backup_dir} a backup?")
    target = data_dir / DATABASE_FILE
    if target.exists():
        raise BackupError(f"{target} exists: restore into a data directory with no database")
    _check_database(copy)
    named = object_backup.named(copy)
    if named and objects is None:
        raise BackupError(f"the backup holds {len(named)} recording object(s): give --policy with the [replay.storage] "
                          "to put them in (and its credentials in the environment)")
    problems = object_backup.check(named, backup_dir)
    if problems:
        raise BackupError(f"the backup's objects do not match its database ({len(problems)} problem(s), e.g. "
                          f"{problems[0]}); nothing was restored")
    if objects is not None:
        object_backup.put_back(objects, named, backup_dir)
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    for key in sorted(backup_dir.glob(KEY_FILES)):
        shutil.copyfile(key, data_dir / key.name)
        (data_dir / key.name).chmod(0o600)
    partial = data_dir / (DATABASE_FILE + ".partial")
    shutil.copyfile(copy, partial)
    partial.chmod(0o600)
    partial.replace(target)
    return Restored(target, len(named))


def _check_database(path: Path) -> None:
    try:
        with contextlib.closing(sqlite3.connect(path)) as conn:  # read-write: see object_backup.named
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.Error as exc:
        raise BackupError(f"could not read {path}: {exc}") from None
    if check != "ok":
        raise BackupError(f"{path} failed its check ({check}); nothing was restored")


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

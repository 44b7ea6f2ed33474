"""The chunk objects of a backup (the S3 backend): the objects a copy of the index names, copied out of the bucket
into the backup's directory, checked against that index and put back into a bucket on restore.

A backup copies the database first (gateway.backup), then the objects its copy names: an object written after the
copy is not needed by it, and the objects it names are all there, as an object is put before the index names it and
deleted only after its last chunk went from the index. Only after that delete does its row go, so a copy taken in
between names an object that is gone: its chunks were deleted or expired after the copy was taken, and the backup
takes a new copy of the database (`missing` says which). Objects are ciphertext (replay.shredding), kept under their
keys in `objects/` of the backup, private to the user running the command.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from replay.objects import ObjectStore, Span

OBJECTS_DIR = "objects"
READ_BATCH = 16  # objects read at once (the store fetches them in parallel): at most 16 x batch_bytes in memory


@dataclass(frozen=True)
class Named:
    """An object a copy of the index names, with the length it was written with."""

    key: str
    size: int


def named(database: Path) -> list[Named]:
    """The objects the index in `database` (a copy: opened read-write, as a read-only connection to a database in WAL
    mode would leave its -shm file behind) still points into."""
    with contextlib.closing(sqlite3.connect(database)) as conn:
        has_table = conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'replay_objects'").fetchone()[0]
        if not has_table:
            return []
        return [Named(key, size) for key, size in conn.execute(
            "SELECT key, bytes FROM replay_objects WHERE chunks > 0 ORDER BY key")]


def path_of(backup_dir: Path, key: str) -> Path:
    """Where an object is kept in a backup; refuses a key that would leave the directory."""
    parts = key.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise ValueError(f"an object key the backup cannot keep as a file: {key!r}")
    return backup_dir.joinpath(OBJECTS_DIR, *parts)


def copy_out(objects: ObjectStore, wanted: list[Named], backup_dir: Path) -> list[Named]:
    """Copy each of `wanted` not in the backup yet into it; the ones the store no longer holds are returned."""
    missing = []
    todo = [item for item in wanted if not path_of(backup_dir, item.key).is_file()]
    for batch in _batches(todo):
        spans = {item: Span(item.key, 0, item.size) for item in batch}
        found = objects.read(list(spans.values()))
        for item, span in spans.items():
            data = found.get(span)
            if data is None:
                missing.append(item)
            else:
                _write_private(path_of(backup_dir, item.key), backup_dir, data)
    return missing


def drop_unnamed(wanted: list[Named], backup_dir: Path) -> None:
    """Remove the objects an earlier copy of the index named and the final one does not (their chunks are gone)."""
    keep = {path_of(backup_dir, item.key) for item in wanted}
    for path in sorted((backup_dir / OBJECTS_DIR).rglob("*"), reverse=True):
        if path.is_file() and path not in keep:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def check(wanted: list[Named], backup_dir: Path) -> list[str]:
    """What is wrong with a backup's objects against its index: each named object there, at its length."""
    problems = []
    for item in wanted:
        path = path_of(backup_dir, item.key)
        if not path.is_file():
            problems.append(f"{item.key}: not in the backup")
        elif path.stat().st_size != item.size:
            problems.append(f"{item.key}: {path.stat().st_size} bytes, the index says {item.size}")
    return problems


def put_back(objects: ObjectStore, wanted: list[Named], backup_dir: Path) -> None:
    """Put every object the backup's index names into the store, under its key (a checked backup)."""
    for item in wanted:
        objects.put(item.key, path_of(backup_dir, item.key).read_bytes())


def _batches(items: list[Named]) -> Iterator[list[Named]]:
    for start in range(0, len(items), READ_BATCH):
        yield items[start : start + READ_BATCH]


def _write_private(path: Path, backup_dir: Path, data: bytes) -> None:
    """`data` as a 0600 file, its directories 0700 (as the rest of the backup), complete or absent."""
    for parent in reversed(path.relative_to(backup_dir).parents):
        with contextlib.suppress(FileExistsError):
            (backup_dir / parent).mkdir(mode=0o700)
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(data)
    partial.replace(path)

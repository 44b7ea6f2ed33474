"""Compiled hyperscan databases kept on disk between processes: the pattern recognizers' gates (patterngates.py) and
the name gate's list of given names (candidates.py) take seconds to compile, which each gateway start, scrub worker
and CLI run would pay. A file is named by a digest of what it was compiled from and the hyperscan binding's version,
so a changed pattern or list is a new file. The directory is a cache, safe to delete; one that cannot be written only
costs the next start its compile. A file is touched whenever it is loaded, and each new file written removes the
files no process has loaded for UNUSED_DAYS (those of an earlier version of the patterns or the name list, 1-6 MB
each) and temporary files a crashed save left.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import hyperscan

CACHE_ENV = "PRIVACY_GATEWAY_CACHE_DIR"
_HYPERSCAN_VERSION = importlib.metadata.version("hyperscan")  # names the cached databases (see cache_file)
# A database not loaded for this long belongs to a version no process runs any more. Long enough that a gateway
# rolled back to its previous version, or one not restarted for weeks, still finds its file; a running process
# holds its databases in memory, so removing its file only costs its next start the compile.
UNUSED_DAYS = 30
_CRASHED_SAVE_SECONDS = 3600  # a temporary file older than this is not being written any more


def cache_dir(data_dir: Path) -> Path:
    """`<data dir>/cache/pattern-gates`, or under the directory the PRIVACY_GATEWAY_CACHE_DIR variable names
    (processes with data directories of their own can share one: tests)."""
    return Path(os.environ.get(CACHE_ENV) or data_dir / "cache") / "pattern-gates"


def env_cache_dir() -> Path | None:
    """cache_dir when the PRIVACY_GATEWAY_CACHE_DIR variable names one, for a database needed before any data directory
    is known; else None."""
    named = os.environ.get(CACHE_ENV)
    return Path(named) / "pattern-gates" if named else None


@dataclass(frozen=True)
class Spec:
    """What a block-mode database is compiled from, every argument of the compile: the file it is kept in is named by
    all of them, so that no change to how it is compiled can load a database compiled another way. `flags`: one for
    every expression, or one for all."""

    expressions: tuple[bytes, ...]
    ids: tuple[int, ...]
    flags: tuple[int, ...] | int = 0
    literal: bool = False

    def compile(self) -> hyperscan.Database:
        db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        flags = list(self.flags) if isinstance(self.flags, tuple) else self.flags
        db.compile(expressions=list(self.expressions), ids=list(self.ids), elements=len(self.ids), flags=flags,
                   literal=self.literal)
        return db


def cache_file(directory: Path, spec: Spec) -> Path:
    digest = hashlib.sha256(repr((_HYPERSCAN_VERSION, hyperscan.HS_MODE_BLOCK, spec)).encode()).hexdigest()[:32]
    return directory / f"{digest}.hsdb"


def load(path: Path) -> hyperscan.Database | None:
    try:
        db = hyperscan.loadb(path.read_bytes(), hyperscan.HS_MODE_BLOCK)
        db.scratch = hyperscan.Scratch(db)  # a loaded database has none; compile() makes one
    except (OSError, hyperscan.error, TypeError, ValueError):
        return None  # absent, unreadable, or made by another build of hyperscan: compile again
    with contextlib.suppress(OSError):
        os.utime(path)  # in use: prune keeps it (a read-only cache is only never pruned)
    return db


def prune(directory: Path, now: float | None = None) -> list[Path]:
    """Remove the databases not loaded for UNUSED_DAYS and the temporary files of saves that crashed; the paths
    removed. Files that are not this module's are left alone."""
    now = time.time() if now is None else now
    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(directory):
            if entry.name.endswith(".hsdb"):
                age = UNUSED_DAYS * 86400
            elif entry.name.startswith(".") and ".hsdb." in entry.name and entry.name.endswith(".tmp"):  # see save
                age = _CRASHED_SAVE_SECONDS
            else:
                continue
            with contextlib.suppress(OSError):
                if entry.is_file(follow_symlinks=False) and now - entry.stat().st_mtime > age:
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed


def save(path: Path, db: hyperscan.Database) -> None:
    """Written to a temporary file of its own (two threads or processes may save at once) and renamed: a process
    reading it never sees half a file. A read-only directory only costs the next start its compile."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(hyperscan.dumpb(db))
            os.chmod(temporary, 0o644)  # mkstemp's 0600 would serve a cache shared by several users to its owner only
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise


def database(directory: Path | None, spec: Spec) -> hyperscan.Database:
    """The database compiled from `spec`: loaded from `directory` if it was kept there, else compiled and kept there
    (None: not kept)."""
    cached = None if directory is None else cache_file(directory, spec)
    db = None if cached is None else load(cached)
    if db is None:
        db = spec.compile()
        if cached is not None:
            save(cached, db)
            prune(cached.parent)  # a new file: perhaps a new version, whose predecessor's files may go
    return db

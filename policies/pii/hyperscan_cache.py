"""Compiled hyperscan databases kept on disk between processes: the pattern recognizers' gates (patterngates.py) and
the name gate's list of given names (candidates.py) take seconds to compile, which each gateway start, scrub worker
and CLI run would pay. A file is named by a digest of what it was compiled from and the hyperscan binding's version,
so a changed pattern or list is a new file. The directory is a cache, safe to delete; one that cannot be written only
costs the next start its compile.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import os
from collections.abc import Callable
from pathlib import Path

import hyperscan

CACHE_ENV = "PRIVACY_GATEWAY_CACHE_DIR"
_HYPERSCAN_VERSION = importlib.metadata.version("hyperscan")  # names the cached databases (see cache_file)


def cache_dir(data_dir: Path) -> Path:
    """`<data dir>/cache/pattern-gates`, or under the directory the PRIVACY_GATEWAY_CACHE_DIR variable names
    (processes with data directories of their own can share one: tests)."""
    return Path(os.environ.get(CACHE_ENV) or data_dir / "cache") / "pattern-gates"


def env_cache_dir() -> Path | None:
    """cache_dir when the PRIVACY_GATEWAY_CACHE_DIR variable names one, for a database needed before any data directory
    is known; else None."""
    named = os.environ.get(CACHE_ENV)
    return Path(named) / "pattern-gates" if named else None


def cache_file(directory: Path, source: object) -> Path:
    """The file of the database compiled from `source` (its expressions, flags and ids, as a repr)."""
    digest = hashlib.sha256(repr((_HYPERSCAN_VERSION, source)).encode()).hexdigest()[:32]
    return directory / f"{digest}.hsdb"


def load(path: Path) -> hyperscan.Database | None:
    try:
        db = hyperscan.loadb(path.read_bytes(), hyperscan.HS_MODE_BLOCK)
        db.scratch = hyperscan.Scratch(db)  # a loaded database has none; compile() makes one
    except (OSError, hyperscan.error, TypeError, ValueError):
        return None  # absent, unreadable, or made by another build of hyperscan: compile again
    return db


def save(path: Path, db: hyperscan.Database) -> None:
    """Written to a temporary name and renamed: a process reading it never sees half a file."""
    with contextlib.suppress(OSError):  # a read-only directory only costs the next start its compile
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(hyperscan.dumpb(db))
        os.replace(temporary, path)


def loaded_or_compiled(directory: Path | None, source: object,
                       compile_: Callable[[], hyperscan.Database]) -> hyperscan.Database:
    """The database compiled from `source`: loaded from `directory` if it was kept there, else `compile_()` and kept
    there (None: not kept)."""
    cached = None if directory is None else cache_file(directory, source)
    db = None if cached is None else load(cached)
    if db is None:
        db = compile_()
        if cached is not None:
            save(cached, db)
    return db

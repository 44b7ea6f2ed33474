"""The data directory is the gateway's alone: directories 0700, files 0600.

It holds events waiting for delivery, recordings, the consent ledger, identity hashes and the key behind every keyed
hash: nobody but the gateway's own user has a reason to read any of it. The server and the commands that write there
run under umask 077, so what they create is private from the start (SQLite gives its -wal and -shm files the mode of
the database file), and `make_private` brings an older install (0644 files, 0755 directories) into line at each start.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077
DIRECTORY_MODE = 0o700
FILE_MODE = 0o600

log = logging.getLogger("gateway.data_dir")


def private_umask() -> None:
    """From now on this process creates files 0600 and directories 0700 (a process-wide setting: only the command line
    calls it, for the process it runs)."""
    os.umask(PRIVATE_UMASK)


def make_private(data_dir: Path) -> int:
    """Create `data_dir` if it is missing and make it and everything under it private; returns how many modes changed.
    Symbolic links are left alone (their targets are not the gateway's to change)."""
    data_dir.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    changed = _set_mode(data_dir, DIRECTORY_MODE)
    for root, directories, files in os.walk(data_dir):
        for name in directories:
            changed += _set_mode(Path(root, name), DIRECTORY_MODE)
        for name in files:
            changed += _set_mode(Path(root, name), FILE_MODE)
    if changed:
        log.warning("data directory %s: made %d file(s) and directories private to the gateway's user", data_dir,
                    changed)
    return changed


def _set_mode(path: Path, mode: int) -> int:
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode) or stat.S_IMODE(info.st_mode) == mode:
        return 0
    path.chmod(mode)
    return 1

"""What the engine harnesses (tests/support/postgres.py, tests/support/seaweedfs.py) share: free loopback ports, the
error an engine that cannot start raises, and stopping engines when the run ends however it ends.

An engine runs outside the test process (PostgreSQL daemonises; SeaweedFS is a child in its own session), so nothing
stops it for us: the harness registers each engine's `close` here, and it runs at the fixture's teardown, on Ctrl-C and
SIGTERM (turned into KeyboardInterrupt, so pytest tears down as usual), and at interpreter exit.
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import pytest

_open: list[Callable[[], None]] = []  # `close` of every engine still running, in start order


class EngineUnavailable(Exception):
    """The engine cannot start on this machine; the message says why and how to fix it."""


def free_ports(count: int) -> list[int]:
    """`count` distinct TCP ports free on 127.0.0.1 now (held open together while chosen, so never the same twice)."""
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for held in sockets:
            held.bind(("127.0.0.1", 0))
        return [held.getsockname()[1] for held in sockets]
    finally:
        for held in sockets:
            held.close()


def tail(path: Path, lines: int = 20) -> str:
    """The end of an engine's log, for the error that says why it did not start."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"(no log at {path})"


def under_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def skip_or_fail(engine: str, reason: str) -> NoReturn:
    """A missing engine skips its tests with the reason; under CI (CI=true) it fails them: CI runs every suite."""
    if under_ci():
        pytest.fail(f"{engine} tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(f"{engine} unavailable: {reason}")


def close_on_exit(close: Callable[[], None]) -> None:
    """Run `close` when the run ends, if its fixture has not already (see `closed`)."""
    _open.append(close)
    _stop_on_sigterm()


def closed(close: Callable[[], None]) -> None:
    if close in _open:
        _open.remove(close)


def _close_all() -> None:
    while _open:
        _open.pop()()


def _stop_on_sigterm() -> None:
    # Only where nobody else chose what SIGTERM does, and only from the main thread (where Python delivers signals).
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


atexit.register(_close_all)

"""A throwaway PostgreSQL cluster for tests, from Debian's `postgresql` package (.ci/run installs it when missing).

`launch()` runs initdb into a fresh temporary directory and starts the server there: as the `postgres` OS user when
the tests run as root (PostgreSQL refuses root), listening on 127.0.0.1 only at a free port, its unix socket inside that
directory. fsync stays on for every test: a commit is as durable as on a user's server, which is what the storage
tests and benchmarks measure (turning it off saved nothing measurable on database creation here).
Each test gets a database of its own, cloned from a template (`CREATE DATABASE ... TEMPLATE`, ~0.2 s); the cluster is
stopped (`pg_ctl stop -m fast`) and its directory removed when the session ends, also on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import itertools
import os
import pwd
import re
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from tests.support.engines import EngineUnavailable, close_on_exit, closed, free_ports, tail
from tests.support.waiting import START_TIMEOUT_S

SUPERUSER = "postgres"
PG_START_TIMEOUT_S = int(START_TIMEOUT_S)  # pg_ctl -w: polls until the server accepts connections, then gives up
IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")
DEBIAN_BINARIES = Path("/usr/lib/postgresql")  # <major>/bin/initdb, pg_ctl, psql


def find_bindir() -> Path:
    """initdb and pg_ctl: on PATH elsewhere; Debian keeps them in /usr/lib/postgresql/<major>/bin (newest wins)."""
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent  # past a symlink, to where psql lives beside it
    installed = [p.parent for p in DEBIAN_BINARIES.glob("*/bin/initdb")]
    if not installed:
        raise EngineUnavailable("PostgreSQL is not installed (Debian: apt-get install postgresql; .ci/run does it)")
    return max(installed, key=lambda bindir: int(bindir.parent.name) if bindir.parent.name.isdigit() else 0)


def os_user() -> str | None:
    """Who runs the server: the `postgres` user the Debian package creates when we are root, else ourselves."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise EngineUnavailable("running as root, and there is no `postgres` user to run PostgreSQL as") from None
    return "postgres"


@dataclass
class PostgresServer:
    root: Path  # owned by the server's OS user: data/, socket/, server.log
    bindir: Path
    port: int
    password: str
    run_as: str | None
    _names: Iterator[int] = field(default_factory=itertools.count)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    def url(self, database: str = "postgres") -> str:
        """A TCP URL with the superuser's password (host connections need it: scram-sha-256, as in production)."""
        return f"postgresql://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def _as_owner(self, *command: str | Path) -> list[str]:
        prefix = ["runuser", "-u", self.run_as, "--"] if self.run_as else []
        return [*prefix, *map(str, command)]

    def _run(self, *command: str | Path, what: str) -> str:
        # A session of its own: a Ctrl-C in the terminal reaches pytest, which stops the server, and not the server.
        done = subprocess.run(self._as_owner(*command), capture_output=True, text=True, stdin=subprocess.DEVNULL,
                              start_new_session=True, timeout=PG_START_TIMEOUT_S + 30, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{what} failed ({done.returncode}): {done.stderr.strip()}\n{tail(self.log)}")
        return done.stdout

    def init(self) -> None:
        password_file = self.root / "password"
        password_file.write_text(self.password)
        self._chown(password_file)
        try:
            # --no-sync: the fresh catalog files need not reach the disk before the tests start (the cluster is gone
            # after the session anyway); every commit from then on is fsynced.
            self._run(self.bindir / "initdb", "-D", self.data, "-U", SUPERUSER, f"--pwfile={password_file}",
                      "--auth-local=trust", "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C",
                      "--no-sync", "--no-instructions", what="initdb")
        finally:
            password_file.unlink()
        self.socket_dir.mkdir()
        self._chown(self.socket_dir)

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.socket_dir} -c fsync=on"
        self._run(self.bindir / "pg_ctl", "start", "-D", self.data, "-l", self.log, "-o", options,
                  "-w", "-t", str(PG_START_TIMEOUT_S), what="pg_ctl start")

    def stop(self, mode: Literal["fast", "immediate"] = "fast") -> None:
        """`fast`: roll back open transactions and shut down cleanly; `immediate`: quit without a checkpoint, as a
        crash would leave it (the next start replays the WAL)."""
        self._run(self.bindir / "pg_ctl", "stop", "-D", self.data, "-m", mode, "-w", what=f"pg_ctl stop -m {mode}")

    def running(self) -> bool:
        status = subprocess.run(self._as_owner(self.bindir / "pg_ctl", "status", "-D", self.data),
                                capture_output=True, stdin=subprocess.DEVNULL, check=False)
        return status.returncode == 0

    def sql(self, statement: str, database: str = "postgres") -> str:
        """Run one statement as the superuser over the unix socket; returns psql's unaligned output."""
        return self._run(self.bindir / "psql", "-h", self.socket_dir, "-p", str(self.port), "-U", SUPERUSER,
                         "-d", database, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", statement,
                         what="psql").strip()

    def create_database(self, template: str = "template1") -> str:
        """A new, empty database (a copy of `template`) named test_<n>; returns its name."""
        name = f"test_{next(self._names)}"
        self.sql(f"CREATE DATABASE {_identifier(name)} TEMPLATE {_identifier(template)}")
        return name

    def drop_database(self, name: str) -> None:
        self.sql(f"DROP DATABASE IF EXISTS {_identifier(name)} WITH (FORCE)")

    def close(self) -> None:
        """Stop the server if it runs and remove its directory. Safe to call twice."""
        closed(self.close)
        try:
            if self.data.exists() and self.running():
                self.stop("fast")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def _chown(self, path: Path) -> None:
        if self.run_as:
            shutil.chown(path, self.run_as, self.run_as)


def launch() -> PostgresServer:
    """initdb and start a cluster in a new temporary directory; raises EngineUnavailable, saying why, if it cannot."""
    bindir = find_bindir()
    run_as = os_user()
    # Not pytest's tmp_path: its parents are private to root, and the server runs as `postgres`.
    server = PostgresServer(Path(tempfile.mkdtemp(prefix="pg-test-")), bindir, free_ports(1)[0],
                            secrets.token_urlsafe(18), run_as)
    server._chown(server.root)
    close_on_exit(server.close)
    try:
        server.init()
        server.start()
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
        server.close()
        raise EngineUnavailable(str(error)) from error
    except BaseException:
        server.close()
        raise
    return server


def _identifier(name: str) -> str:
    if not IDENTIFIER.fullmatch(name):
        raise ValueError(f"not a plain identifier: {name!r}")
    return f'"{name}"'

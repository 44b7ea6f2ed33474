"""`privacy-gateway scrub` prints what each destination would receive, byte for byte what the gateway sends: one body
of each vendor's format, sent to a real gateway that fans out to all four vendors, and given to the command.

The one difference allowed is the time of sending that a batch's envelope carries (Segment's `sentAt`, PostHog's
`sent_at`, Amplitude's `server_upload_time`): the sender stamps it when it sends, so it is read out of both sides and
compared as a time, not as bytes."""

from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
import tomli_w

from gateway.dry_run import PATHS
from tests.support import ingest
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import ADMIN_TOKEN, VENDOR_ENV, WRITE_KEY, GatewayProcess, sha256, vendors_policy
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e

VENDORS = ("segment", "amplitude", "mixpanel", "posthog")
SENT = re.compile(rb'"(?:sentAt|sent_at|server_upload_time)":("[^"]*"|\d+)')
PROPERTIES = {"email": "jane@example.com", "plan": "pro", "note": "call Jane Doe on +1 415 555 0100",
              "password": "hunter22", "page": "https://app.example.com/u/anna-schmidt?ref=mail"}
BODIES: dict[str, Any] = {
    "segment": {"writeKey": WRITE_KEY, "batch": [
        {"type": "track", "event": "Signed Up", "userId": "user-1", "messageId": "seg-1",
         "timestamp": "2024-05-01T10:00:00.000Z", "context": {"ip": "203.0.113.7"}, "properties": PROPERTIES}]},
    "amplitude": {"api_key": WRITE_KEY, "events": [
        {"event_type": "Signed Up", "user_id": "user-2", "insert_id": "amp-1", "time": 1714557600000,
         "event_properties": PROPERTIES}]},
    "mixpanel": [{"event": "Signed Up", "properties": {
        "token": WRITE_KEY, "distinct_id": "user-3", "$insert_id": "mp-1", "time": 1714557600, **PROPERTIES}}],
    "posthog": {"api_key": WRITE_KEY, "batch": [
        {"event": "Signed Up", "distinct_id": "user-4", "uuid": "0190f3a2-7a3b-7c4d-8e5f-0123456789ab",
         "timestamp": "2024-05-01T10:00:00.000Z", "properties": PROPERTIES}]},
}


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory):
    vendors = {name: FakeVendor().start() for name in VENDORS}
    process = GatewayProcess(tmp_path_factory.mktemp("dry-run"), vendors_policy({n: v.url for n, v in vendors.items()}),
                             env=VENDOR_ENV).start()
    yield process, vendors
    process.close()
    for vendor in vendors.values():
        vendor.stop()


def received_for(gateway: GatewayProcess, vendors: dict[str, FakeVendor], protocol: str) -> dict[str, bytes]:
    """Send the body of `protocol` to the gateway; what each vendor then received for it."""
    before = {name: len(v.accepted()) for name, v in vendors.items()}
    response = ingest.post(f"{gateway.url}{PATHS[protocol]}", content=orjson.dumps(BODIES[protocol]))
    assert response.status_code == 200, response.text
    wait_until(lambda: all(len(v.accepted()) > before[n] for n, v in vendors.items()),
               what="every vendor received the request")
    return {name: v.accepted()[before[name]].body for name, v in vendors.items()}


def without_send_time(bodies: dict[str, bytes]) -> dict[str, bytes]:
    """Each body with its time of sending blanked, after checking that there is at most one."""
    out = {}
    for name, body in bodies.items():
        assert len(SENT.findall(body)) <= 1, name
        out[name] = SENT.sub(b'"sent":"<time of sending>"', body)
    return out


def dry_run(gateway: GatewayProcess, protocol: str, sniffed: bool) -> dict[str, bytes]:
    command = [sys.executable, "-m", "gateway", "scrub", "--policy", str(gateway.policy_path),
               "--data-dir", str(gateway.data_dir), "--client-ip", "127.0.0.1"]
    if not sniffed:
        command += ["--protocol", protocol]
    result = subprocess.run(command, input=orjson.dumps(BODIES[protocol]), capture_output=True, timeout=180,
                            env=gateway.env)
    assert result.returncode == 0, result.stderr.decode()
    lines = result.stdout.split(b"\n")
    out = {}
    for header, body in zip(lines[0::2], lines[1::2], strict=False):
        destination = header.decode().split()[1]
        out[destination] = gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body
    return out


@pytest.mark.parametrize("protocol", VENDORS)
def test_the_dry_run_prints_what_the_gateway_sends(setup: Any, protocol: str) -> None:
    gateway, vendors = setup
    sent = received_for(gateway, vendors, protocol)
    assert without_send_time(dry_run(gateway, protocol, sniffed=False)) == without_send_time(sent)
    assert without_send_time(dry_run(gateway, protocol, sniffed=True)) == without_send_time(sent)  # told from the body
    assert all(b"jane@example.com" not in body and b"hunter22" not in body for body in sent.values())


def test_the_dry_run_prints_what_the_local_sink_keeps(tmp_path: Any) -> None:
    """The default policy's destination, the local sink, sends nothing: the command prints what it keeps, one event a
    line, the same events as GET /admin/v1/sink shows (it used to fail on the sink having no write key)."""
    policy = {
        "sources": [{"name": "web", "write_keys": [WRITE_KEY], "consent_model": "opt-out",
                     "destinations": ["local-sink"]}],
        "destinations": [{"name": "local-sink", "protocol": "sink", "purposes": ["analytics"]}],
        "access": {"tokens": [{"name": "tests", "role": "admin", "sha256": sha256(ADMIN_TOKEN)}]},
    }
    gateway = GatewayProcess(tmp_path / "gateway", policy).start()
    try:
        body = {"writeKey": WRITE_KEY, "batch": [
            {"type": "track", "event": "Signed Up", "userId": "user-1", "messageId": f"sink-{i}",
             "timestamp": "2024-05-01T10:00:00.000Z", "properties": PROPERTIES} for i in range(2)]}
        assert ingest.post(f"{gateway.url}/v1/batch", content=orjson.dumps(body)).status_code == 200
        kept = wait_until(lambda: len(events := gateway.admin("/admin/v1/sink").json()["events"]) == 2 and events,
                          what="the sink to keep both events")
        result = subprocess.run(
            [sys.executable, "-m", "gateway", "scrub", "--policy", str(gateway.policy_path), "--data-dir",
             str(gateway.data_dir)], input=orjson.dumps(body), capture_output=True, timeout=180,
            env={**gateway.env, "XDG_CACHE_HOME": str(tmp_path / "cache")})
    finally:
        gateway.close()
    assert result.returncode == 0, result.stderr.decode()
    header, *lines = result.stdout.decode().splitlines()
    assert header.startswith("# local-sink ")
    printed = {event["messageId"]: event for event in map(orjson.loads, lines)}
    assert printed == {row["message_id"]: row["event"] for row in kept}
    assert "jane@example.com" not in result.stdout.decode() and "hunter22" not in result.stdout.decode()


SINK_POLICY = {
    "sources": [{"name": "web", "write_keys": [WRITE_KEY], "consent_model": "opt-out", "destinations": ["local-sink"]}],
    "destinations": [{"name": "local-sink", "protocol": "sink", "purposes": ["analytics"]}],
}
SINK_BODY = {"writeKey": WRITE_KEY, "batch": [
    {"type": "track", "event": "Signed Up", "userId": "user-1", "messageId": "ro-1",
     "timestamp": "2024-05-01T10:00:00.000Z", "properties": PROPERTIES}]}


def scrub_command(tmp_path: Path, *options: str,
                  env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    policy = tmp_path / "policy.toml"
    policy.write_text(tomli_w.dumps(SINK_POLICY))
    return subprocess.run([sys.executable, "-m", "gateway", "scrub", "--policy", str(policy), *options],
                          input=orjson.dumps(SINK_BODY), capture_output=True, timeout=180,
                          env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), **(env or {})})


def a_file(path: Path) -> Path:
    path.write_text("not a directory\n")
    return path


def printed_events(result: subprocess.CompletedProcess[bytes]) -> list[dict[str, Any]]:
    assert result.returncode == 0, result.stderr.decode()
    header, *lines = result.stdout.decode().splitlines()
    assert header.startswith("# local-sink ")
    return [orjson.loads(line) for line in lines]


@pytest.mark.parametrize("where", ["data dir under a file", "cache under a file"])
def test_the_dry_run_works_where_it_cannot_keep_its_compiled_patterns(tmp_path: Path, where: str) -> None:
    """A fresh data directory, or the user's cache, that cannot be made or written: the patterns are compiled in a
    temporary directory, the command says so in one line, and prints the same events. A path under a file stands for
    every directory that cannot be made (a read-only parent, which root would write into anyway)."""
    options: tuple[str, ...] = ()
    env: dict[str, str] = {}
    if where == "data dir under a file":
        options = ("--data-dir", str(a_file(tmp_path / "plain-file") / "data"))
    else:
        env = {"XDG_CACHE_HOME": str(a_file(tmp_path / "plain-file") / "cache")}
    result = scrub_command(tmp_path, *options, env=env)
    stderr = result.stderr.decode()
    events = printed_events(result)
    assert [event["messageId"] for event in events] == ["ro-1"]
    assert "jane@example.com" not in result.stdout.decode() and "hunter22" not in result.stdout.decode()
    assert "cannot write" in stderr and "Traceback" not in stderr


def test_a_data_dir_that_is_a_file_is_refused_in_one_line(tmp_path: Path) -> None:
    result = scrub_command(tmp_path, "--data-dir", str(a_file(tmp_path / "gateway.db")))
    stderr = result.stderr.decode()
    assert result.returncode != 0 and result.stdout == b""
    assert "is a file, not a directory" in stderr and "Traceback" not in stderr

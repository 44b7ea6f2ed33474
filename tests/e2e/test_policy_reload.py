"""`kill -HUP` reloads the policy of a running gateway: a changed policy applies at once (keys, origins, a destination's
endpoint and credentials, its queued events delivered there in order, none lost); a broken one is refused, the running
policy keeps serving, and the log says why without showing a secret. (Before, SIGHUP killed the process.)"""

from __future__ import annotations

import base64
import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import tomli_w

from tests.support import ingest
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import WRITE_KEY, GatewayProcess, segment_policy
from tests.support.waiting import REQUEST_TIMEOUT_S, wait_until

pytestmark = pytest.mark.e2e

ROTATED_KEY = "rotated-write-key"
NEW_VENDOR_KEY = "new-vendor-write-key"
ORIGIN = "https://shop.example"


@pytest.fixture
def second_vendor() -> Iterator[FakeVendor]:
    vendor = FakeVendor().start()
    yield vendor
    vendor.stop()


def reloaded(gateway: GatewayProcess, outcome: str, before: int) -> None:
    """Wait for the reload's outcome in the log: "reloaded" or "failed"."""
    phrase = {"reloaded": "policy reloaded from", "failed": "policy reload failed"}[outcome]
    wait_until(lambda: gateway.log().count(phrase) > before, what=f"the reload to be {outcome}")


def count(gateway: GatewayProcess, outcome: str) -> int:
    return gateway.log().count({"reloaded": "policy reloaded from", "failed": "policy reload failed"}[outcome])


def track(gateway: GatewayProcess, key: str, message_id: str) -> int:
    event = {"writeKey": key, "userId": "u1", "event": "Reloaded", "messageId": message_id}
    return ingest.post(gateway.url + "/v1/track", json=event).status_code


def test_a_changed_policy_applies_at_once_and_queued_events_follow_the_destination(
    vendor: FakeVendor, second_vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]
) -> None:
    policy = segment_policy(vendor.url)
    gateway = start_gateway(policy, env={"NEW_VENDOR_KEY": NEW_VENDOR_KEY})
    vendor.stop()  # the old endpoint is gone: events wait in the outbox
    queued = [f"queued-{i:02d}" for i in range(20)]
    assert all(track(gateway, WRITE_KEY, message_id) == 200 for message_id in queued)

    changed: dict[str, Any] = copy.deepcopy(policy)
    changed["sources"][0].update(write_keys=[ROTATED_KEY], allowed_origins=[ORIGIN])
    changed["destinations"][0].update(endpoint=second_vendor.url, credentials={"write_key": "${NEW_VENDOR_KEY}"})
    before = count(gateway, "reloaded")
    gateway.reload(changed)
    reloaded(gateway, "reloaded", before)

    assert track(gateway, ROTATED_KEY, "after-reload") == 200
    assert track(gateway, WRITE_KEY, "old-key") == 401
    preflight = httpx.options(gateway.url + "/v1/track", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST"})
    assert preflight.headers.get("access-control-allow-origin") == ORIGIN

    second_vendor.wait_for_message_ids({*queued, "after-reload"})
    delivered = [e["messageId"] for e in second_vendor.segment_events()]
    assert [m for m in delivered if m in queued] == queued  # each once, in order of arrival
    auth = base64.b64encode(f"{NEW_VENDOR_KEY}:".encode()).decode()
    assert {r.headers["authorization"] for r in second_vendor.accepted()} == {f"Basic {auth}"}
    assert gateway.proc is not None and gateway.proc.poll() is None
    # The new sender runs under the supervisor like the one it replaced: /readyz counts it, and it is up.
    assert httpx.get(gateway.url + "/readyz", timeout=REQUEST_TIMEOUT_S).json() == {"status": "ready"}


@pytest.mark.parametrize(("breaking", "shown", "hidden"), [
    (lambda text: "not toml at all [[[", "not valid TOML", None),
    (lambda text: text + "\n[outbox]\nmax_event = 5\n", "outbox.max_event: unknown key", None),
    (lambda text: text.replace('protocol = "segment"', 'protocol = "segmnt"'), "destinations[0].protocol", None),
    (lambda text: text.replace("http://", "ftp://user:hunter2-secret@"), "destinations[0].endpoint",
     "hunter2-secret"),
], ids=["not-toml", "unknown-key", "unknown-protocol", "secret-in-endpoint"])
def test_a_broken_policy_is_refused_the_running_one_keeps_serving_and_the_log_says_why(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess], breaking: Callable[[str], str], shown: str,
    hidden: str | None
) -> None:


    policy = segment_policy(vendor.url)
    gateway = start_gateway(policy)
    before = count(gateway, "failed")
    gateway.reload(breaking(tomli_w.dumps(policy)))
    reloaded(gateway, "failed", before)

    failure = next(line for line in gateway.log().splitlines()[::-1] if "policy reload failed" in line)
    assert shown in failure and "still serving the policy loaded before" in failure
    if hidden is not None:
        assert hidden not in gateway.log()
    assert track(gateway, WRITE_KEY, "still-served") == 200
    vendor.wait_for_message_ids({"still-served"})
    assert httpx.get(gateway.url + "/readyz", timeout=REQUEST_TIMEOUT_S).status_code == 200


def test_a_destination_that_changes_protocol_is_refused(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]
) -> None:
    policy = segment_policy(vendor.url)
    gateway = start_gateway(policy, env={"AMP_KEY": "amp-key"})
    changed = copy.deepcopy(policy)
    changed["destinations"][0].update(protocol="amplitude", credentials={"api_key": "${AMP_KEY}"})
    before = count(gateway, "failed")
    gateway.reload(changed)
    reloaded(gateway, "failed", before)
    assert "changed protocol from segment to amplitude" in gateway.log()
    assert track(gateway, WRITE_KEY, "segment-still") == 200
    vendor.wait_for_message_ids({"segment-still"})


def test_settings_read_only_at_start_are_named_in_the_log_and_the_rest_applies(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess], tmp_path: Path
) -> None:
    policy = segment_policy(vendor.url)
    gateway = start_gateway(policy)
    changed = copy.deepcopy(policy)
    changed["http"] = {"header_timeout_s": 3.0}
    # The signing key and the audit checkpoints' schedule are read once: receipts already given stay verifiable.
    changed.setdefault("privacy", {})["key_file"] = str(tmp_path / "elsewhere" / "signing.key")
    changed["audit"] = {"checkpoint_interval_s": 120.0}
    changed["sources"][0]["write_keys"] = [WRITE_KEY, ROTATED_KEY]
    before = count(gateway, "reloaded")
    gateway.reload(changed)
    reloaded(gateway, "reloaded", before)
    for setting in ("[http] header_timeout_s", "[privacy] key_file", "[audit] checkpoint_interval_s"):
        assert f"{setting} changed; it takes effect at the next restart" in gateway.log()
    assert not (tmp_path / "elsewhere").exists()  # no key made there by a reload
    assert track(gateway, ROTATED_KEY, "second-key") == 200 and track(gateway, WRITE_KEY, "first-key") == 200

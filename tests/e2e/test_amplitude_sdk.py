"""End to end: the official amplitude-analytics SDK, pointed at the gateway, reports success for every call, and an
Amplitude-compatible vendor receives the events in Amplitude's Batch API format with the destination's key.

One gateway and one fake Amplitude serve the module: each test finds its own events (by the insert ids its SDK
client settled, or by its own user)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from amplitude import Amplitude, BaseEvent, Config, EventOptions, Identify

from tests.support.fake_vendor import FakeVendor, running_vendor
from tests.support.gateway_process import (
    VENDOR_ENV,
    WRITE_KEY,
    GatewayProcess,
    serving,
    vendors_policy,
)
from tests.support.vendor_payloads import amplitude_events
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def vendor() -> Iterator[FakeVendor]:
    yield from running_vendor()


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory, vendor: FakeVendor) -> Iterator[GatewayProcess]:
    yield from serving(tmp_path_factory.mktemp("amplitude-sdk"), vendors_policy({"amplitude": vendor.url}), VENDOR_ENV)


class Outcomes:
    """The SDK's per-event callback: (event_type, insert_id, code, message) of every event it settled."""

    def __init__(self) -> None:
        self.settled: list[tuple[str, str, int, str | None]] = []
        self._lock = threading.Lock()

    def __call__(self, event: BaseEvent, code: int, message: str | None = None) -> None:
        with self._lock:
            self.settled.append((event.event_type, event.insert_id, code, message))


@pytest.mark.parametrize("path", ["/2/httpapi", "/batch"])
def test_sdk_events_arrive_in_amplitude_format_and_the_sdk_reports_success(
    vendor: FakeVendor, gateway: GatewayProcess, path: str
) -> None:
    outcomes = Outcomes()
    config = Config(server_url=gateway.url + path, use_batch=path == "/batch", flush_interval_millis=50,
                    flush_queue_size=10, callback=outcomes)
    client = Amplitude(WRITE_KEY, config)
    client.track(BaseEvent("Order Completed", user_id="user-1", device_id="device-1",
                           event_properties={"order_id": "o-17", "total": 42.5}))
    client.identify(Identify().set("plan", "pro").add("logins", 1), EventOptions(user_id="user-1"))
    client.group_identify("org", "acme", Identify().set("seats", 5), EventOptions(user_id="user-1"))
    client.flush()
    client.shutdown()

    wait_until(lambda: len(outcomes.settled) == 3, what="the SDK to settle its 3 events")
    assert {code for _, _, code, _ in outcomes.settled} == {200}, outcomes.settled
    insert_ids = {insert_id for _, insert_id, _, _ in outcomes.settled}

    wait_until(lambda: {e["insert_id"] for e in amplitude_events(vendor)} >= insert_ids,
               what="the events at the vendor")
    events = {e["event_type"]: e for e in amplitude_events(vendor) if e["insert_id"] in insert_ids}
    track, identify, group = events["Order Completed"], events["$identify"], events["$groupidentify"]
    assert (track["user_id"], track["device_id"]) == ("user-1", "device-1")
    assert track["event_properties"] == {"order_id": "o-17", "total": 42.5}
    assert track["library"] == "amplitude-python/1.3.0" and isinstance(track["time"], int)
    assert identify["user_properties"] == {"$set": {"plan": "pro"}, "$add": {"logins": 1}}
    assert group["groups"] == {"org": "acme"} and group["group_properties"] == {"$set": {"seats": 5}}

    for request in vendor.accepted():
        body = request.json()
        assert request.path == "/batch"
        assert body["api_key"] == VENDOR_ENV["AMPLITUDE_API_KEY"]  # the destination's key, not the app's
        assert WRITE_KEY.encode() not in request.body


def test_the_sdks_min_id_length_is_honoured_and_an_unknown_key_is_refused(
    vendor: FakeVendor, gateway: GatewayProcess
) -> None:
    outcomes = Outcomes()
    client = Amplitude(WRITE_KEY, Config(server_url=gateway.url + "/2/httpapi", flush_interval_millis=50,
                                         callback=outcomes, min_id_length=1))
    client.track(BaseEvent("Short Id", user_id="abc"))  # shorter than Amplitude's default 5, allowed by the option
    client.flush()
    client.shutdown()
    wait_until(lambda: outcomes.settled, what="the SDK to settle its event")
    assert outcomes.settled[0][2] == 200
    wait_until(lambda: [e for e in amplitude_events(vendor) if e["user_id"] == "abc"], what="the event at the vendor")

    stranger = Amplitude("not-a-known-key", Config(server_url=gateway.url + "/2/httpapi", flush_interval_millis=50))
    stranger.track(BaseEvent("Nope", user_id="user-1"))
    stranger.flush()
    stranger.shutdown()
    # Answered as Amplitude answers an invalid key ("Invalid API key: ..."): the SDK logs it and does not retry.
    rejected = 'gateway_events_rejected_total{protocol="amplitude",reason="unauthorized",source="unknown"}'
    wait_until(lambda: gateway.metrics().get(rejected) == 1, what="the unknown key to be refused once")
    assert all(e["event_type"] != "Nope" for e in amplitude_events(vendor))

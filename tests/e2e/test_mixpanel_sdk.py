"""End to end: the official mixpanel SDK, pointed at the gateway, raises no error for any call (it raises on any
answer but `status: 1`), and a Mixpanel-compatible vendor receives events at /import and profile updates at /engage
and /groups, with the destination's credentials.

One gateway and one fake Mixpanel serve the module: each test's people and groups are its own."""

from __future__ import annotations

import base64
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from mixpanel import BufferedConsumer, Consumer, Mixpanel

from tests.support.fake_vendor import FakeVendor, running_vendor
from tests.support.gateway_process import (
    VENDOR_ENV,
    WRITE_KEY,
    GatewayProcess,
    serving,
    vendors_policy,
)
from tests.support.vendor_payloads import mixpanel_events, mixpanel_updates
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def vendor() -> Iterator[FakeVendor]:
    yield from running_vendor()


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory, vendor: FakeVendor) -> Iterator[GatewayProcess]:
    yield from serving(tmp_path_factory.mktemp("mixpanel-sdk"), vendors_policy({"mixpanel": vendor.url}), VENDOR_ENV)


def endpoints(gateway: GatewayProcess) -> dict[str, str]:
    # The SDK hard-codes https for api_host; its per-endpoint URLs take http (reference: SDK quirks).
    return {f"{name}_url": f"{gateway.url}/{path}" for name, path in
            (("events", "track"), ("people", "engage"), ("groups", "groups"), ("import", "import"))}


@pytest.mark.parametrize("buffered", [False, True], ids=["consumer", "buffered"])
def test_sdk_calls_arrive_at_the_mixpanel_endpoints_and_the_sdk_reports_success(
    vendor: FakeVendor, gateway: GatewayProcess, buffered: bool, request: pytest.FixtureRequest
) -> None:
    case = request.node.callspec.id
    user, anon, company = f"user-{case}", f"anon-{case}", f"acme-{case}"
    consumer = BufferedConsumer(**endpoints(gateway)) if buffered else Consumer(**endpoints(gateway))
    mp = Mixpanel(WRITE_KEY, consumer=consumer)
    mp.track(user, "Order Completed", {"order_id": "o-17", "total": 42.5})
    mp.track(user, "Order Shipped", {"order_id": "o-17"})
    # Mixpanel.alias() posts to Mixpanel itself whatever the consumer: send $create_alias through track() instead.
    mp.track(anon, "$create_alias", {"alias": user})
    mp.people_set(user, {"plan": "pro"})
    mp.group_set("company", company, {"seats": 5})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # import_data's api_key/api_secret arguments are deprecated, and still used
        mp.import_data(None, user, "Signed Up", 1700000000, {"plan": "free"}, api_secret="app-secret")
    if buffered:
        consumer.flush()

    def mine() -> list[dict[str, Any]]:
        return [e for e in mixpanel_events(vendor) if e["properties"]["distinct_id"] in (user, anon)]

    def people() -> list[dict[str, Any]]:
        return [u for u in mixpanel_updates(vendor, "/engage") if u["$distinct_id"] == user]

    def groups() -> list[dict[str, Any]]:
        return [u for u in mixpanel_updates(vendor, "/groups") if u["$group_id"] == company]

    wait_until(lambda: len(mine()) == 4, what="4 events at /import")
    wait_until(lambda: people() and groups(), what="profile updates")
    events = {e["event"]: e["properties"] for e in mine()}
    order = events["Order Completed"]
    assert (order["distinct_id"], order["order_id"], order["total"]) == (user, "o-17", 42.5)
    assert order["mp_lib"] == "python" and isinstance(order["time"], int) and len(order["$insert_id"]) <= 36
    assert events["Signed Up"]["time"] == 1700000000000  # an old event, at /import as Mixpanel requires
    assert (events["$create_alias"]["distinct_id"], events["$create_alias"]["alias"]) == (anon, user)
    assert "token" not in order  # /import authenticates the request; the app's token is not forwarded

    [person] = people()
    assert person == {"$distinct_id": user, "$set": {"plan": "pro"}, "$time": person["$time"],
                      "$token": VENDOR_ENV["MIXPANEL_TOKEN"]}
    [group] = groups()
    assert (group["$group_key"], group["$group_id"], group["$set"]) == ("company", company, {"seats": 5})
    assert group["$token"] == VENDOR_ENV["MIXPANEL_TOKEN"]

    for request in vendor.accepted():
        assert WRITE_KEY.encode() not in request.body
        if request.path == "/import":
            assert request.query == {"strict": "1"}
            basic = base64.b64decode(request.headers["authorization"].split()[1]).decode()
            assert basic == VENDOR_ENV["MIXPANEL_API_SECRET"] + ":"


def test_an_unknown_token_makes_the_sdk_raise_as_mixpanel_would(gateway: GatewayProcess) -> None:
    from mixpanel import MixpanelException

    mp = Mixpanel("not-a-known-token", consumer=Consumer(**endpoints(gateway)))
    with pytest.raises(MixpanelException, match="Mixpanel error"):
        mp.track("user-1", "Nope")

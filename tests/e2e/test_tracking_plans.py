"""Tracking plans end to end: the official segment-analytics-python SDK sends through a real gateway whose source has a
plan; each event is flagged, has properties omitted or is blocked as the plan's actions say, the vendor and the local
sink show what each destination got, and the violations are in the admin API (list, filters, summary, CSV) and in
/metrics. Group calls teach accounts that are stamped on later events."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from segment.analytics import Client

from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import WRITE_KEY, GatewayProcess, segment_policy
from tests.support.plans import write_plan
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e


def plan_policy(vendor_url: str, workdir: Path, **source: Any) -> dict[str, Any]:
    """The web source with the plan, to the Segment vendor and the local sink."""
    policy = segment_policy(vendor_url)
    policy["sources"][0] |= {"tracking_plan": write_plan(workdir), "destinations": ["segment", "sink"], **source}
    policy["destinations"].append({"name": "sink", "protocol": "sink"})
    return policy


def send(gateway: GatewayProcess, calls: Callable[[Client], None]) -> None:
    errors: list[Exception] = []
    client = Client(WRITE_KEY, host=gateway.url, on_error=lambda e, batch: errors.append(e), upload_interval=0.05)
    calls(client)
    client.shutdown()
    assert errors == []  # a blocked event is acknowledged too: the SDK must not retry it


def sink_events(gateway: GatewayProcess) -> dict[str, dict[str, Any]]:
    return {e["message_id"]: e["event"] for e in gateway.admin("/admin/v1/sink").json()["events"]}


def test_flag_omit_and_block_as_the_plan_says_per_destination_and_on_record(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess], tmp_path: Path
) -> None:
    policy = plan_policy(vendor.url, tmp_path / "gw", on_violation="flag",
                         on_violation_events={"Report Exported": "omit_properties", "Order Completed": "block"})
    gateway = start_gateway(policy)

    def calls(client: Client) -> None:
        client.track(user_id="u-1", event="Report Exported", message_id="m-ok",
                     properties={"account_id": "acme", "format": "csv", "rows": 10})
        # `rows` has the wrong type and `debug` is not planned: both are left out, the rest goes on.
        client.track(user_id="u-1", event="Report Exported", message_id="m-omit",
                     properties={"account_id": "acme", "format": "pdf", "rows": "12", "debug": {"trace": "x"}})
        client.track(user_id="u-1", event="User Invited", message_id="m-flag",
                     properties={"account_id": "acme", "role": "admin", "seats": "five"})
        client.track(user_id="u-1", event="Order Completed", message_id="m-block", properties={"total": 99.5})
        client.track(user_id="u-1", event="order completed", message_id="m-unplanned",
                     properties={"account_id": "acme"})

    send(gateway, calls)
    forwarded = {"m-ok", "m-omit", "m-flag", "m-unplanned"}
    vendor.wait_for_message_ids(forwarded)
    at_vendor = {e["messageId"]: e for e in vendor.segment_events()}
    in_sink = wait_until(lambda: s if forwarded <= set(s := sink_events(gateway)) else None,
                         what="the sink's copies")
    for destination in (at_vendor, in_sink):
        assert set(destination) == forwarded  # the blocked event reached neither destination
        assert destination["m-ok"]["properties"] == {"account_id": "acme", "format": "csv", "rows": 10}
        assert destination["m-omit"]["properties"] == {"account_id": "acme", "format": "pdf"}
        assert destination["m-flag"]["properties"] == {"account_id": "acme", "role": "admin", "seats": "five"}

    listed = gateway.admin("/admin/v1/tracking/violations").json()["violations"]
    seen = {(v["message_id"], v["rule"], v["path"], v["expected"], v["observed"], v["action"]) for v in listed}
    assert seen == {
        ("m-omit", "wrong_type", "properties.rows", "integer", "string", "omit_properties"),
        ("m-omit", "unplanned_property", "properties.debug", "not in the plan", "object", "omit_properties"),
        ("m-flag", "wrong_type", "properties.seats", "integer", "string", "flag"),
        ("m-block", "missing_context", "properties.account_id", "present", "missing", "block"),
        ("m-block", "missing_property", "properties.account_id", "present", "missing", "block"),
        ("m-unplanned", "naming", "event", "Object Action", "string", "flag"),
        ("m-unplanned", "unplanned_event", "event", "a planned event", "string", "flag"),
    }
    assert not {"five", "12", "x"} & {value for v in listed for value in v.values()}  # no values, only types

    blocked = gateway.admin("/admin/v1/tracking/violations?action=block").json()["violations"]
    assert {v["message_id"] for v in blocked} == {"m-block"}
    summary = gateway.admin("/admin/v1/tracking/summary").json()
    by_event = {e["event"]: e for e in summary["events"]}
    assert by_event["Report Exported"]["actions"] == {"omit_properties": 2}
    assert by_event["Order Completed"]["rules"] == {"missing_context": 1, "missing_property": 1}
    assert [d["violations"] for d in summary["daily"]] == [7]
    rows = list(csv.DictReader(io.StringIO(gateway.admin("/admin/v1/tracking/summary?format=csv").text)))
    assert {(r["event"], r["action"], r["violations"]) for r in rows} == {
        ("Report Exported", "omit_properties", "2"), ("User Invited", "flag", "1"),
        ("Order Completed", "block", "2"), ("order completed", "flag", "2")}

    metrics = gateway.metrics()
    assert metrics['gateway_plan_violations_total{action="block",rule="missing_context",source="web"}'] == 1
    assert metrics['gateway_plan_violations_total{action="omit_properties",rule="wrong_type",source="web"}'] == 1


def test_allow_only_counts(vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess], tmp_path: Path) -> None:
    gateway = start_gateway(plan_policy(vendor.url, tmp_path / "gw", on_violation="allow"))
    send(gateway, lambda c: c.track(user_id="u-1", event="User Invited", message_id="m-1",
                                    properties={"account_id": "acme", "role": 7}))
    vendor.wait_for_message_ids({"m-1"})
    assert vendor.segment_events()[0]["properties"]["role"] == 7
    assert gateway.admin("/admin/v1/tracking/violations").json()["violations"] == []
    assert gateway.metrics()['gateway_plan_violations_total{action="allow",rule="wrong_type",source="web"}'] == 1


def test_group_calls_stamp_the_account_on_later_events_and_the_catalog_counts_it_hashed(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess], tmp_path: Path
) -> None:
    policy = plan_policy(vendor.url, tmp_path / "gw", on_violation="block")
    policy["enrich"] = {"account_from_groups": True}
    policy["catalog"] = {"flush_interval_s": 0.1}
    gateway = start_gateway(policy)

    def calls(client: Client) -> None:
        client.group(user_id="u-7", group_id="acme-corp", traits={"name": "Acme"}, message_id="m-group")
        client.track(user_id="u-7", event="Report Exported", properties={"format": "csv"}, message_id="m-stamped")
        client.track(user_id="u-8", event="Report Exported", properties={"format": "csv"}, message_id="m-nobody")

    send(gateway, calls)
    vendor.wait_for_message_ids({"m-group", "m-stamped"})
    events = {e["messageId"]: e for e in vendor.segment_events()}
    # The account as the customer's own group call named it: what the vendor knows the account by.
    assert events["m-stamped"]["properties"] == {"format": "csv", "account_id": "acme-corp"}
    assert "m-nobody" not in events  # no group call, no account: blocked by the plan's required context

    def accounts() -> list[dict[str, Any]] | None:
        found = gateway.admin("/admin/v1/tracking/catalog").json()
        return found["accounts"] or None

    [account] = wait_until(accounts, what="the catalog's account volume")
    assert account["count"] == 1 and account["account"] != "acme-corp" and len(account["account"]) == 32


def test_a_bad_plan_stops_the_start_naming_the_file_the_key_and_the_problem(tmp_path: Path) -> None:
    from tests.support.plans import WEB_PLAN

    workdir = tmp_path / "gw"
    bad = {**WEB_PLAN, "events": {"Report Exported": {"properties": {"type": "strnig"}}}}
    policy = segment_policy("http://127.0.0.1:9")
    policy["sources"][0]["tracking_plan"] = write_plan(workdir, bad)
    gateway = GatewayProcess(workdir, policy)
    with pytest.raises(AssertionError, match="exited with 2"):
        gateway.start()
    log = gateway.log()
    assert "plans/web.json: events.Report Exported.properties: not a valid JSON Schema" in log
    gateway.close()

"""The canonical field mapping table: every row is what the codecs really do, in both directions, for every vendor."""

from __future__ import annotations

import uuid
from typing import Any

import orjson
import pytest
from starlette.datastructures import Headers, QueryParams

from gateway.protocols import amplitude, fields, mixpanel, posthog, segment
from gateway.protocols.codec import Inbound
from policies.event import Event

CODECS = {"amplitude": amplitude, "mixpanel": mixpanel, "posthog": posthog}


def segment_event(**values: Any) -> Event:
    body = {"type": "track", "event": "Viewed", "userId": "user-1", "anonymousId": "anon-1", "messageId": "m-1",
            **values}
    return segment.decode(Inbound("track", "POST", {}, Headers({}), orjson.dumps(body))).events[0]


def decode_one(vendor: str, wire: dict[str, Any]) -> Event:
    body = {
        "amplitude": {"api_key": "k", "events": [wire]},
        "mixpanel": [wire],
        "posthog": {"api_key": "phc_k", "batch": [wire]},
    }[vendor]
    kind = {"amplitude": "batch", "mixpanel": "import", "posthog": "capture"}[vendor]
    [event] = CODECS[vendor].decode(Inbound(kind, "POST", QueryParams({}), Headers({}), orjson.dumps(body))).events
    return event


def at(obj: Any, path: str) -> Any:
    found, value = fields.get(obj, tuple(path.split(".")))
    assert found, f"nothing at {path} in {obj}"
    return value


CONTEXT_CASES = [
    (row, vendor) for row in fields.CONTEXT for vendor in CODECS if row.vendor(vendor) is not None
]


@pytest.mark.parametrize(("row", "vendor"), CONTEXT_CASES, ids=[f"{r.canonical}-{v}" for r, v in CONTEXT_CASES])
def test_each_context_row_moves_between_canonical_and_vendor_both_ways(row: fields.Field, vendor: str) -> None:
    path = tuple(row.canonical.split("."))[1:]
    context: dict[str, Any] = {}
    value = "198.51.100.7" if row.canonical == "context.ip" else f"value of {row.canonical}"
    fields.put(context, path, value)
    if path[0] == "library":  # Amplitude writes the library as one "name/version" string: give it both
        context["library"] = {"name": "lib-name", "version": "lib-version", **context["library"]}
    wire = orjson.loads(CODECS[vendor].encode(segment_event(context=context)))
    expected_wire = value
    if vendor == "amplitude" and path[0] == "library":
        expected_wire = f"{context['library']['name']}/{context['library']['version']}"
    assert at(wire, row.vendor(vendor)) == expected_wire
    assert at(decode_one(vendor, wire).context, ".".join(path)) == value


@pytest.mark.parametrize("vendor", CODECS)
def test_context_a_vendor_has_no_place_for_is_not_forwarded_there(vendor: str) -> None:
    event = segment_event(context={"campaign": {"source": "newsletter"}})
    wire = orjson.dumps(orjson.loads(CODECS[vendor].encode(event)))
    assert b"newsletter" not in wire


@pytest.mark.parametrize(("vendor", "path"), [
    ("amplitude", "user_id"), ("mixpanel", "properties.$user_id"), ("posthog", "distinct_id"),
])
def test_user_id_goes_where_the_table_says(vendor: str, path: str) -> None:
    assert fields.wire_name("userId", vendor) == path
    assert at(orjson.loads(CODECS[vendor].encode(segment_event())), path) == "user-1"


@pytest.mark.parametrize(("vendor", "path"), [
    ("amplitude", "device_id"), ("mixpanel", "properties.$device_id"), ("posthog", "properties.$device_id"),
])
def test_anonymous_id_goes_where_the_table_says(vendor: str, path: str) -> None:
    assert fields.wire_name("anonymousId", vendor) == path
    assert at(orjson.loads(CODECS[vendor].encode(segment_event())), path) == "anon-1"


@pytest.mark.parametrize(("vendor", "path"), [
    ("amplitude", "event_type"), ("mixpanel", "event"), ("posthog", "event"),
])
def test_event_name_and_properties_go_where_the_table_says(vendor: str, path: str) -> None:
    wire = orjson.loads(CODECS[vendor].encode(segment_event(properties={"plan": "pro"})))
    assert at(wire, fields.wire_name("event", vendor)) == "Viewed"
    assert at(wire, fields.wire_name("properties", vendor) + ".plan") == "pro"


def test_mixpanel_distinct_id_is_derived_from_user_id_else_the_device() -> None:
    assert at(orjson.loads(mixpanel.encode(segment_event())), "properties.distinct_id") == "user-1"
    anonymous = orjson.loads(mixpanel.encode(segment_event(userId=None)))
    assert at(anonymous, "properties.distinct_id") == "$device:anon-1"


# -- dedup ids ---------------------------------------------------------------------------------------------------------

DEDUP_PATHS = {"amplitude": "insert_id", "mixpanel": "properties.$insert_id", "posthog": "uuid"}


@pytest.mark.parametrize("vendor", CODECS)
def test_dedup_id_is_the_message_id_when_the_vendor_accepts_it(vendor: str) -> None:
    message_id = str(uuid.uuid4())
    assert fields.wire_name("messageId", vendor) == DEDUP_PATHS[vendor]
    wire = orjson.loads(CODECS[vendor].encode(segment_event(messageId=message_id)))
    assert at(wire, DEDUP_PATHS[vendor]) == message_id


@pytest.mark.parametrize("message_id", ["m_1", "x" * 40, "ümlaut"])
def test_other_message_ids_map_to_the_same_valid_dedup_id_on_every_retry(message_id: str) -> None:
    event = segment_event(messageId=message_id)
    mixpanel_id = at(orjson.loads(mixpanel.encode(event)), "properties.$insert_id")
    posthog_id = at(orjson.loads(posthog.encode(event)), "uuid")
    assert mixpanel_id == at(orjson.loads(mixpanel.encode(event)), "properties.$insert_id") == posthog_id
    assert uuid.UUID(posthog_id).version == 5 and len(mixpanel_id) == 36
    assert at(orjson.loads(amplitude.encode(event)), "insert_id") == message_id
    assert fields.derived_uuid(message_id) == posthog_id


def test_dedup_ids_differ_for_different_message_ids() -> None:
    assert fields.derived_uuid("m_1") != fields.derived_uuid("m_2")


# -- timestamps --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("iso", "ms"), [
    ("2026-11-27T10:00:00.123Z", 1795773600123),
    ("1970-01-01T00:00:00.000Z", 0),
    ("0999-01-01T00:00:00.000Z", -30641760000000),
])
def test_timestamps_convert_exactly_between_iso_and_epoch_milliseconds(iso: str, ms: int) -> None:
    assert fields.ms_from_iso(iso) == ms and fields.iso_from_ms(ms) == iso


def test_timestamps_with_offsets_or_no_zone_are_read_as_the_same_instant() -> None:
    assert fields.ms_from_iso("2026-11-27T11:00:00.123+01:00") == 1795773600123
    assert fields.ms_from_iso("2026-11-27T10:00:00.123") == 1795773600123
    assert fields.ms_from_iso("not a time") is None and fields.iso_from_ms(10**20) is None


@pytest.mark.parametrize(("vendor", "path", "expected"), [
    ("amplitude", "time", 1795773600123), ("mixpanel", "properties.time", 1795773600123),
    ("posthog", "timestamp", "2026-11-27T10:00:00.123Z"),
])
def test_timestamp_goes_where_the_table_says(vendor: str, path: str, expected: Any) -> None:
    wire = orjson.loads(CODECS[vendor].encode(segment_event(timestamp="2026-11-27T10:00:00.123Z")))
    assert fields.wire_name("timestamp", vendor) == path and at(wire, path) == expected


# -- the docs table (docs/ingest.md) -----------------------------------------------------------------------------------

def test_the_markdown_table_has_a_row_per_field_and_a_cell_per_vendor() -> None:
    lines = fields.markdown_table().splitlines()
    assert len(lines) == 2 + len(fields.FIELDS)
    assert all(line.count("|") == 6 for line in lines)
    assert "`properties.$insert_id`" in fields.markdown_table()


def test_special_events_come_from_the_table() -> None:
    assert fields.special_event("page", "posthog") == "$pageview"
    assert fields.special_event("identify", "amplitude") == "$identify"
    assert fields.special_event("identify", "mixpanel") is None  # a profile update, not an event

"""A stored recording chunk as PostHog's recording events: posthog-js's `$snapshot` shape, for `{endpoint}/s/`.

Shape (reference/vendor-wire-formats.md and replay-anchors.md, posthog-js lazy-loaded-session-recorder.ts):
`{"event": "$snapshot", "distinct_id", "uuid", "timestamp", "properties": {"$snapshot_data": [rrweb events],
"$session_id", "$window_id", "$snapshot_bytes", "$lib", "distinct_id"}}`. The rrweb events go as the gateway stored
them, scrubbed, as plain JSON: without posthog-js's in-event gzip (no `cv` marker), which PostHog's parser only undoes
on events that carry the marker.

Size: posthog-js flushes its buffer at about 0.9 MB of rrweb events, below PostHog's 2 MB per event; a chunk is cut
into `$snapshot` events of at most MAX_SNAPSHOT_BYTES of rrweb events the same way (in time order, none split). An
rrweb event larger than that travels alone; PostHog refuses one above its own limit, and the dead letter says so.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import orjson

from gateway.protocols import fields

SNAPSHOT_EVENT = "$snapshot"
MAX_SNAPSHOT_BYTES = 900 * 1024  # posthog-js's RECORDING_MAX_EVENT_SIZE: 0.9 MB of rrweb events per $snapshot
LIB = "privacy-gateway"


def _parts(encoded: Sequence[bytes], max_bytes: int) -> Iterator[list[bytes]]:
    """Runs of `encoded` of at most `max_bytes` (with their commas) each; an item larger than that alone."""
    part: list[bytes] = []
    size = 0
    for item in encoded:
        if part and size + len(item) + 1 > max_bytes:
            yield part
            part, size = [], 0
        part.append(item)
        size += len(item) + 1
    if part:
        yield part


def snapshot_events(session_id: str, window_id: str, distinct_id: str, events: Sequence[dict[str, Any]],
                    message_id: str, max_bytes: int = MAX_SNAPSHOT_BYTES) -> list[tuple[str, bytes]]:
    """The chunk's rrweb `events` as `$snapshot` events: (dedup id, encoded event) each. `message_id` names the chunk
    (the same chunk gets the same ids, so PostHog can drop a resent one); part `i` of it is `message_id/i`. Each rrweb
    event is serialized once; the envelopes are put around the bytes."""
    encoded = [orjson.dumps(event) for event in events]
    ids = orjson.dumps(distinct_id)
    common = (b'"$session_id":' + orjson.dumps(session_id) + b',"$window_id":' + orjson.dumps(window_id)
              + b',"$lib":"' + LIB.encode() + b'","distinct_id":' + ids)
    out: list[tuple[str, bytes]] = []
    first = 0
    for i, part in enumerate(_parts(encoded, max_bytes)):
        data = b"[" + b",".join(part) + b"]"
        part_id = f"{message_id}/{i}"
        when = fields.iso_from_ms(int(events[first]["timestamp"]))
        first += len(part)
        body = (b'{"event":"' + SNAPSHOT_EVENT.encode() + b'","distinct_id":' + ids
                + b',"uuid":"' + fields.posthog_uuid(part_id).encode() + b'"'
                + (b',"timestamp":"' + when.encode() + b'"' if when is not None else b"")
                + b',"properties":{"$snapshot_data":' + data + b',"$snapshot_bytes":' + str(len(data)).encode()
                + b"," + common + b"}}")
        out.append((part_id, body))
    return out

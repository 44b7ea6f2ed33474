"""Protocol codec throughput: events/s through decode + encode for each vendor protocol, next to the floor.

    .venv/bin/python bench/protocols.py [--seconds 3] [--events 100]

For each protocol, one realistic request body as its browser SDK sends it (a batch of `--events` events):
- segment: analytics.js batch JSON to /v1/batch;
- amplitude: @amplitude/analytics-browser JSON to /2/httpapi, and to /batch, the path it shares with PostHog;
- mixpanel: mixpanel-js form `data=<base64 JSON>` (its form for any host but Mixpanel's) to /track, which it shares;
- posthog: posthog-js JSON array (ingest has already inflated its gzip when the codec sees it) to /e/, and to the
  legacy paths it is a guest on: Amplitude's /batch, and Mixpanel's /track without posthog-js's query parameters (so
  the router knows it by its body).
Each row's events are its own (fresh ids; the other strings are the SDKs' own and repeat across rows, as in traffic).
Measured in one process, one core, in alternating short turns (the median turn of each): what ingest does per
request before the commit (parse the body once, ask the router whose request it is, the codec's `decode`, the encoding
of every event for the outbox), and the floor: orjson loads + dumps of the same events' JSON, the least any Python
JSON gateway does. Prints events/s for both and the ratio codec / floor.
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import orjson
from starlette.datastructures import Headers, QueryParams

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gateway.protocols import PROTOCOLS
from gateway.protocols.codec import Inbound, read_json
from gateway.protocols.router import ServedPath, served_paths

WRITE_KEY = "bench-write-key"
URL = "https://shop.example.com/p/sku-{sku}?ref=home"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"
PRODUCT = {"name": "Trail Running Shoe", "category": "Footwear", "price": 129.99, "currency": "EUR"}
MS = 1795773600000
TURN_S = 0.1


def segment_event(i: int) -> dict:
    return {
        "type": "track", "event": "Product Viewed", "messageId": str(uuid.uuid4()), "anonymousId": str(uuid.uuid4()),
        "userId": f"user-{i % 5000}", "timestamp": "2026-11-27T10:00:00.000Z",
        "properties": {"product_id": f"sku-{i % 977}", **PRODUCT, "position": i % 20, "url": URL.format(sku=i % 977)},
        "context": {
            "library": {"name": "analytics.js", "version": "next-1.84.3"},
            "page": {"path": "/p/trail-running-shoe", "referrer": "https://shop.example.com/",
                     "title": "Trail Running Shoe | Shop", "url": URL.format(sku=i % 977)},
            "userAgent": USER_AGENT, "locale": "de-DE", "ip": "203.0.113.7",
        },
        "integrations": {},
    }


def amplitude_event(i: int) -> dict:
    return {
        "event_type": "Product Viewed", "user_id": f"user-{i % 5000}", "device_id": str(uuid.uuid4()),
        "time": MS + i, "insert_id": str(uuid.uuid4()), "session_id": MS, "event_id": i,
        "event_properties": {"product_id": f"sku-{i % 977}", **PRODUCT, "position": i % 20},
        "library": "amplitude-ts/2.48.1", "platform": "Web", "os_name": "Chrome", "os_version": "156",
        "device_model": "Linux", "language": "de-DE", "ip": "$remote", "user_agent": USER_AGENT,
    }


def mixpanel_event(i: int) -> dict:
    device = str(uuid.uuid4())
    return {"event": "Product Viewed", "properties": {
        "token": WRITE_KEY, "distinct_id": f"user-{i % 5000}", "$user_id": f"user-{i % 5000}", "$device_id": device,
        "time": MS + i, "$insert_id": uuid.uuid4().hex[:16], "$os": "Linux", "$browser": "Chrome",
        "$browser_version": 156, "$current_url": URL.format(sku=i % 977), "$referrer": "https://shop.example.com/",
        "$screen_height": 1080, "$screen_width": 1920, "mp_lib": "web", "$lib_version": "2.83.0",
        "product_id": f"sku-{i % 977}", **PRODUCT, "position": i % 20,
    }}


def posthog_event(i: int) -> dict:
    device = str(uuid.uuid4())
    return {"event": "Product Viewed", "uuid": str(uuid.uuid4()), "timestamp": "2026-11-27T10:00:00.000Z",
            "properties": {
        "token": WRITE_KEY, "distinct_id": f"user-{i % 5000}", "$device_id": device, "$os": "Linux",
        "$browser": "Chrome", "$browser_version": 156, "$current_url": URL.format(sku=i % 977),
        "$host": "shop.example.com", "$pathname": "/p/trail-running-shoe", "$raw_user_agent": USER_AGENT,
        "$session_id": str(uuid.uuid4()), "$window_id": str(uuid.uuid4()), "$lib": "web", "$lib_version": "1.449.2",
        "$insert_id": uuid.uuid4().hex[:16], "$time": MS / 1000, "product_id": f"sku-{i % 977}", **PRODUCT,
        "position": i % 20,
    }}


def bodies(n: int) -> dict[str, tuple[str, dict[str, str], bytes, bytes]]:
    """row -> (path, query, request body, the JSON of its events for the floor)."""
    segment = [segment_event(i) for i in range(n)]
    amplitude = [[amplitude_event(i) for i in range(n)] for _ in range(2)]
    mixpanel = orjson.dumps([mixpanel_event(i) for i in range(n)])
    posthog = [orjson.dumps([posthog_event(i) for i in range(n)]) for _ in range(3)]
    posthog_js = {"compression": "gzip-js", "ver": "1.449.2"}
    return {
        "segment": ("/v1/batch", {}, orjson.dumps({"writeKey": WRITE_KEY, "batch": segment}), orjson.dumps(segment)),
        **{f"amplitude {path}": (path, {}, orjson.dumps({"api_key": WRITE_KEY, "events": events}), orjson.dumps(events))
           for path, events in zip(("/2/httpapi", "/batch"), amplitude, strict=True)},
        "mixpanel /track": ("/track", {"ip": "1", "verbose": "1"},
                            b"data=" + quote(base64.b64encode(mixpanel).decode(), safe="").encode(), mixpanel),
        **{f"posthog {path}": (path, query, body, body)
           for path, query, body in zip(("/e/", "/batch", "/track"), (posthog_js, posthog_js, {}), posthog,
                                        strict=True)},
    }


def rates(codec: Callable[[], int], floor: Callable[[], int], seconds: float) -> tuple[float, float]:
    """Events per second of `codec` and of `floor` (each returns the events it handled), measured in short turns for
    about `seconds` each, so that a busy moment of a shared machine hits one turn of one of them, not a whole
    measurement: the median turn of each."""
    codec(), floor()  # warm-up
    turns: tuple[list[float], list[float]] = ([], [])
    for _ in range(max(1, round(seconds / TURN_S))):
        for work, measured in zip((codec, floor), turns, strict=True):
            events, started = 0, time.perf_counter()
            while (elapsed := time.perf_counter() - started) < TURN_S:
                events += work()
            measured.append(events / elapsed)
    return statistics.median(turns[0]), statistics.median(turns[1])


def runs(served: ServedPath, request: Inbound, events_json: bytes) -> tuple[Callable[[], int], Callable[[], int]]:
    """Ingest's work on one request before the commit, and the floor: orjson alone on the same events."""

    def through_codec() -> int:
        codec, inbound = served.choose(dataclasses.replace(request, json=read_json(request.body)))
        decoded = codec.decode(inbound)
        encode = codec.outbox_encoder()
        for event in decoded.events:
            encode(event)
        return len(decoded.events)

    def floor() -> int:
        events = orjson.loads(events_json)
        for event in events:
            orjson.dumps(event)
        return len(events)

    return through_codec, floor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("--events", type=int, default=100)
    args = parser.parse_args()
    print(f"requests of {args.events} events, {args.seconds:.0f} s per measurement, one core of {os.cpu_count()}")
    print(f"{'protocol':<20} {'body KB':>8} {'codec ev/s':>12} {'orjson ev/s':>12} {'ratio':>6}")
    paths = {served.route.path: served for served in served_paths(PROTOCOLS.values())}
    for name, (path, query, body, events_json) in bodies(args.events).items():
        served = paths[path]
        request = Inbound(served.route.kind, "POST", QueryParams(query), Headers({}), body, "198.51.100.1")
        through_codec, floor = runs(served, request, events_json)
        assert through_codec() == args.events
        codec_rate, floor_rate = rates(through_codec, floor, args.seconds)
        print(f"{name:<20} {len(body) / 1024:>8.1f} {codec_rate:>12,.0f} {floor_rate:>12,.0f} "
              f"{codec_rate / floor_rate:>6.3f}")


if __name__ == "__main__":
    main()

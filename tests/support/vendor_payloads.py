"""What a fake vendor received, flattened per vendor: the events of every accepted batch, in order of arrival.

    amplitude_events(vendor)          # events of POST /batch (and /2/httpapi) bodies
    mixpanel_events(vendor)           # events of POST /import bodies
    mixpanel_updates(vendor, "/engage")   # profile updates of /engage or /groups bodies
    posthog_events(vendor)            # events of POST /batch/ bodies
"""

from __future__ import annotations

from typing import Any

from tests.support.fake_vendor import FakeVendor, Recorded


def _accepted(vendor: FakeVendor, path: str) -> list[Recorded]:
    return [request for request in vendor.accepted() if request.path == path]


def amplitude_events(vendor: FakeVendor, path: str = "/batch") -> list[dict[str, Any]]:
    return [event for request in _accepted(vendor, path) for event in request.json()["events"]]


def mixpanel_events(vendor: FakeVendor) -> list[dict[str, Any]]:
    return [event for request in _accepted(vendor, "/import") for event in request.json()]


def mixpanel_updates(vendor: FakeVendor, path: str) -> list[dict[str, Any]]:
    return [update for request in _accepted(vendor, path) for update in request.json()]


def posthog_events(vendor: FakeVendor) -> list[dict[str, Any]]:
    return [event for request in _accepted(vendor, "/batch/") for event in request.json()["batch"]]

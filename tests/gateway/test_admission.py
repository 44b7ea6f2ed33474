"""Admission control's rule (gateway.admission): a request is refused for how long it has waited for the event loop
since it was last ready, never for the time its client took to send it. The whole of it, against a real gateway
under a burst, is in tests/e2e/test_admission.py."""

from __future__ import annotations

from typing import Any

import pytest

from gateway import admission
from gateway.metrics import Metrics
from policies.policy import Http


def test_a_request_is_refused_for_its_wait_for_the_loop_from_its_last_stamp() -> None:
    """The protocol stamps a request when its head is complete and again when its body is: a client slow to send
    its body is not refused for its own slowness, only for waiting on the gateway afterwards."""
    http = Http(max_queue_wait_s=0.5, busy_retry_after_s=2)
    scope: dict[str, Any] = {}
    metrics = Metrics()
    admission.check(scope, http, metrics, "events")  # never stamped (an app called directly): admitted

    admission.stamp(scope)
    scope[admission.READY_SINCE] -= 2.0  # its head was complete 2 s ago ...
    with pytest.raises(admission.Shed) as shed:
        admission.check(scope, http, metrics, "events")
    assert metrics.value("gateway_requests_shed_total", kind="events") == 1
    assert (shed.value.status, shed.value.retry_after) == (503, 2)

    admission.stamp(scope)  # ... but its body has just arrived: the time the client took does not count
    admission.check(scope, http, metrics, "events")
    assert metrics.value("gateway_requests_shed_total", kind="events") == 1

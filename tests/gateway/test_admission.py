"""Admission control's rules (gateway.admission): a request is refused for how long it has waited for the event loop
since it was last ready, never for the time its client took to send it; and while the oldest request admitted before
it has waited longer than the bound for its answer, or they have booked more work on the loop than the bound; and
requests do that work in turns. The whole of it, against a real gateway
under a burst and at four times the saturating load, is in tests/e2e/test_admission.py."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from typing import Any

import pytest
from starlette.responses import Response

from gateway import admission
from gateway.metrics import Metrics
from policies.policy import Http

HTTP = Http(max_queue_wait_s=0.5, busy_retry_after_s=2)


def test_a_request_is_refused_for_its_wait_for_the_loop_from_its_last_stamp() -> None:
    """The protocol stamps a request when its head is complete and again when its body is: a client slow to send
    its body is not refused for its own slowness, only for waiting on the gateway afterwards."""
    scope: dict[str, Any] = {}
    metrics, backlog = Metrics(), admission.Backlog()
    admission.check(scope, backlog, HTTP, metrics, "events")  # never stamped (an app called directly): admitted

    admission.stamp(scope)
    scope[admission.READY_SINCE] -= 2.0  # its head was complete 2 s ago ...
    with pytest.raises(admission.Shed) as shed:
        admission.check(scope, backlog, HTTP, metrics, "events")
    assert metrics.value("gateway_requests_shed_total", kind="events") == 1
    assert (shed.value.status, shed.value.retry_after) == (503, 2)

    admission.stamp(scope, body_in=True)  # ... but its body has just arrived: the time the client took does not count
    admission.check(scope, backlog, HTTP, metrics, "events")
    assert metrics.value("gateway_requests_shed_total", kind="events") == 1


def test_a_fresh_request_is_refused_while_an_admitted_one_has_waited_beyond_the_bound_for_its_answer() -> None:
    """Requests started and not yet answered are the backlog the stamps cannot see: when the oldest of them has
    waited longer than the bound, a new request, however fresh, would only lengthen the pile."""
    metrics, backlog = Metrics(), admission.Backlog()
    admitted: dict[str, Any] = {}
    admission.stamp(admitted, body_in=True)
    fresh: dict[str, Any] = {}
    admission.stamp(fresh, body_in=True)
    with backlog.holding(admitted):
        admission.check(fresh, backlog, HTTP, metrics, "events")  # the admitted one is young: no refusal
        admitted[admission.READY_SINCE] -= 1.0  # it has now waited 1 s for its answer
        with pytest.raises(admission.Shed):
            admission.check(fresh, backlog, HTTP, metrics, "replay")
        assert metrics.value("gateway_requests_shed_total", kind="replay") == 1
    admission.check(fresh, backlog, HTTP, metrics, "events")  # answered: the backlog is empty again
    assert len(backlog) == 0


def test_a_request_still_receiving_its_body_does_not_hold_others_back() -> None:
    """A slow client's request is admitted before its body is in (recordings): its wait is its client's."""
    metrics, backlog = Metrics(), admission.Backlog()
    slow: dict[str, Any] = {}
    admission.stamp(slow)  # head complete, body not yet
    slow[admission.READY_SINCE] -= 30.0
    fresh: dict[str, Any] = {}
    admission.stamp(fresh, body_in=True)
    with backlog.holding(slow):
        admission.check(fresh, backlog, HTTP, metrics, "replay")
        assert backlog.oldest_s() == 0.0


def test_requests_do_their_work_in_turns_with_a_pass_of_the_loop_between() -> None:
    """Requests ready together used to do all their work in one pass of the event loop, which read no socket and
    answered no refusal meanwhile; in turns, the loop runs between one request's work and the next one's."""
    backlog = admission.Backlog()
    order: list[str] = []

    async def request(name: str) -> None:
        async with backlog.working({}):
            order.append(name)

    async def loop_passes() -> None:
        for _ in range(6):
            order.append("pass")
            await asyncio.sleep(0)

    async def main() -> None:
        await asyncio.gather(request("a"), request("b"), request("c"), loop_passes())

    asyncio.run(main())
    works = [i for i, step in enumerate(order) if step != "pass"]
    assert [order[i] for i in works] == ["a", "b", "c"], "in the order they came"
    assert all("pass" in order[i:j] for i, j in itertools.pairwise(works)), order


def test_admitted_requests_book_their_work_at_the_cost_measured_lately_until_they_have_done_it() -> None:
    backlog = admission.Backlog()
    first: dict[str, Any] = {}
    admission.stamp(first, body_in=True)
    second: dict[str, Any] = {}
    admission.stamp(second, body_in=True)

    async def main() -> None:
        with backlog.holding(first, will_work=True), backlog.holding(second, will_work=True):
            assert backlog.booked_s() == 2 * admission.FIRST_COST_S  # nothing measured yet: the first guess
            async with backlog.working(first):
                pass  # next to no work
            assert backlog.cost_s < admission.FIRST_COST_S
            assert backlog.booked_s() == backlog.cost_s  # only the second's work is still to do
        assert backlog.booked_s() == 0

    asyncio.run(main())


def test_a_fresh_request_is_refused_while_the_work_booked_ahead_of_it_exceeds_the_bound() -> None:
    metrics, backlog = Metrics(), admission.Backlog()
    ahead = [{} for _ in range(int(HTTP.max_queue_wait_s / admission.FIRST_COST_S) + 1)]
    fresh: dict[str, Any] = {}
    admission.stamp(fresh, body_in=True)
    with contextlib.ExitStack() as held:
        for scope in ahead:
            admission.stamp(scope, body_in=True)
            held.enter_context(backlog.holding(scope, will_work=True))
        with pytest.raises(admission.Shed):
            admission.check(fresh, backlog, HTTP, metrics, "events")


def test_the_cost_of_a_request_that_waited_for_its_turn_includes_the_loop_pass_before_it() -> None:
    """At 4x the saturating load, the passes of the loop between two turns (reading bodies, answering refusals) took
    most of its time; booked at their own work alone, admitted requests were answered after seconds. A request that
    waited for its turn is timed from the end of the one before it."""
    backlog = admission.Backlog(cost_s=0.0)
    first: dict[str, Any] = {}
    second: dict[str, Any] = {}
    pass_s = 0.05

    async def request(scope: dict[str, Any], busy_pass: bool) -> None:
        admission.stamp(scope, body_in=True)
        with backlog.holding(scope, will_work=True):
            async with backlog.working(scope):
                if busy_pass:  # the loop's next pass, before the next turn, blocks it (as many refusals would)
                    asyncio.get_running_loop().call_soon(time.sleep, pass_s)

    async def main() -> None:
        await asyncio.gather(request(first, True), request(second, False))

    asyncio.run(main())
    # Two requests of next to no work: only the pass between them can have made the estimate this high.
    assert backlog.cost_s >= admission.COST_WEIGHT * pass_s


def test_at_its_head_a_request_is_refused_unread_for_the_backlog_ahead_of_it_never_for_its_own_wait() -> None:
    """`check_ahead`, before the body is read: the requests admitted before it refuse it as `check` would (then the
    answer closes the connection, admission.closing); its own wait does not, since while its body arrives that is its
    client's; and a request whose body is in already is left to `check` (reading it costs little, and its connection
    stays open)."""
    metrics, backlog = Metrics(), admission.Backlog()
    arriving: dict[str, Any] = {}
    admission.stamp(arriving)  # head complete, body not yet
    arriving[admission.READY_SINCE] -= 30.0
    admission.check_ahead(arriving, backlog, HTTP, metrics, "events")  # nothing ahead: admitted, however long it took
    admission.check_ahead({}, backlog, HTTP, metrics, "events")  # never stamped (an app called directly)

    admitted: dict[str, Any] = {}
    admission.stamp(admitted, body_in=True)
    admitted[admission.READY_SINCE] -= 1.0  # waited 1 s for its answer
    whole: dict[str, Any] = {}
    admission.stamp(whole, body_in=True)
    with backlog.holding(admitted):
        with pytest.raises(admission.ShedUnread) as shed:
            admission.check_ahead(arriving, backlog, HTTP, metrics, "replay")
        assert (shed.value.status, shed.value.retry_after) == (503, 2)
        admission.check_ahead(whole, backlog, HTTP, metrics, "events")  # its body is in: `check`'s to refuse
        with pytest.raises(admission.Shed) as late:
            admission.check(whole, backlog, HTTP, metrics, "events")
    assert metrics.value("gateway_requests_shed_total", kind="replay") == 1
    assert admission.closing(Response(status_code=503), shed.value).headers["connection"] == "close"
    assert "connection" not in admission.closing(Response(status_code=503), late.value).headers

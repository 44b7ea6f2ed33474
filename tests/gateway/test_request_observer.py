"""The request observer around an app: an id per request (a trusted proxy's, or a new one), answered in X-Request-ID
and written into every log line of the request; latency and status by route template; refusals logged with their
reason, once per interval, and never with what the request carried."""

from __future__ import annotations

import asyncio
import io
import logging
import re
from collections.abc import Callable

import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from gateway import request_context
from gateway.client_ip import parse_networks
from gateway.metrics import Metrics
from gateway.request_observer import RequestObserver
from gateway.route_template import RouteReporter
from gateway.throttled_log import ThrottledLog

PROXY, STRANGER = ("10.1.2.3", 40000), ("192.0.2.7", 40000)
TRUSTED = parse_networks(["10.0.0.0/8"])
EMAIL = "jane.doe@example.org"
work_log = logging.getLogger("tests.work")


async def thing(request: Request) -> Response:
    work_log.info("looked at a thing")
    await asyncio.to_thread(work_log.info, "looked at it in a thread")
    return JSONResponse({"ok": True})


async def refuse(request: Request) -> Response:
    request_context.refused("unauthorized", source="web", protocol="segment")
    return PlainTextResponse("missing or unknown write key", status_code=401)


async def fail(request: Request) -> Response:
    raise RuntimeError("a bug")


class Observed:
    def __init__(self) -> None:
        self.metrics = Metrics()
        self.refusals = ThrottledLog(logging.getLogger("gateway.requests"), interval_s=60, clock=lambda: self.now)
        self.now = 0.0
        inner = Starlette(routes=[Route("/things/{thing_id}", thing), Route("/refuse", refuse, methods=["POST"]),
                                  Route("/fail", fail), Mount("/admin", routes=[Route("/things/{thing_id}", thing)])],
                          middleware=[Middleware(RouteReporter)])
        self.app = RequestObserver(inner, metrics=lambda: self.metrics, trusted=lambda: TRUSTED,
                                   refusals=self.refusals)

    def client(self, peer: tuple[str, int]) -> TestClient:
        return TestClient(self.app, client=peer, raise_server_exceptions=False)

    def samples(self, family: str, sample: str) -> dict[tuple[tuple[str, str], ...], float]:
        found = {f.name: f for f in text_string_to_metric_families(self.metrics.render())}[family]
        return {tuple(sorted(s.labels.items())): s.value for s in found.samples if s.name == sample}


@pytest.fixture
def log_lines(configured_logs: Callable[[str, str], io.StringIO]) -> io.StringIO:
    """The gateway's JSON log, at debug."""
    return configured_logs("json", "debug")


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in stream.getvalue().splitlines()]


def test_each_request_gets_a_new_id_answered_and_in_every_log_line_it_causes(log_lines: io.StringIO) -> None:
    client = Observed().client(STRANGER)

    first, second = client.get("/things/a1"), client.get("/things/b2")

    ids = [first.headers["x-request-id"], second.headers["x-request-id"]]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids) and ids[0] != ids[1]
    written = lines(log_lines)
    for request_id in ids:
        mine = [line["message"] for line in written if line.get("request_id") == request_id]
        # The handler's line, the line it wrote from a thread, and the observer's own at debug.
        assert mine == ["looked at a thing", "looked at it in a thread", "request served"]


def test_a_trusted_proxys_request_id_is_kept_and_anyone_elses_is_replaced() -> None:
    observed = Observed()
    from_proxy = observed.client(PROXY).get("/things/x", headers={"X-Request-ID": "edge-7f3a:01"})
    from_stranger = observed.client(STRANGER).get("/things/x", headers={"X-Request-ID": "edge-7f3a:01"})

    assert from_proxy.headers["x-request-id"] == "edge-7f3a:01"
    assert from_stranger.headers["x-request-id"] != "edge-7f3a:01"


@pytest.mark.parametrize("sent", [EMAIL, "a b", "x" * 129, "", "id\u00e9"])
def test_a_request_id_that_is_not_short_and_plain_is_replaced_even_from_a_proxy(sent: str) -> None:
    """It goes into every log line: it must not carry data, spaces or a forged line into them."""
    answered = Observed().client(PROXY).get("/things/x", headers={"X-Request-ID": sent.encode("utf-8")})

    assert re.fullmatch(r"[0-9a-f]{32}", answered.headers["x-request-id"])


def test_latency_and_status_are_counted_by_route_template_not_by_path() -> None:
    observed = Observed()
    client = observed.client(STRANGER)
    for thing_id in ("a", "b", EMAIL):
        client.get(f"/things/{thing_id}")
    client.get("/admin/things/c")
    client.get("/nowhere/" + EMAIL)
    client.post("/refuse")
    client.get("/fail")

    durations = observed.samples("gateway_http_request_duration_seconds", "gateway_http_request_duration_seconds_count")
    assert durations[(("route", "/things/{thing_id}"),)] == 3
    assert observed.samples("gateway_http_responses", "gateway_http_responses_total") == {
        (("route", "/things/{thing_id}"), ("status", "200")): 3,
        (("route", "/admin/things/{thing_id}"), ("status", "200")): 1,
        (("route", "unmatched"), ("status", "404")): 1,
        (("route", "/refuse"), ("status", "401")): 1,
        (("route", "/fail"), ("status", "500")): 1,
    }
    assert EMAIL not in observed.metrics.render()


def test_a_refusal_is_logged_with_its_reason_once_per_interval_with_a_count(log_lines: io.StringIO) -> None:
    observed = Observed()
    client = observed.client(STRANGER)

    for _ in range(20):
        client.post("/refuse?email=" + EMAIL, content=orjson.dumps({"email": EMAIL, "writeKey": "wrong-key"}),
                    headers={"Authorization": "Basic d3Jvbmcta2V5Og=="})
    client.get("/nowhere")
    observed.now = 61.0
    observed.refusals.flush()

    refused = [line for line in lines(log_lines) if line["message"].startswith("request refused")]
    assert [(line["route"], line["status"], line["reason"], line["count"]) for line in refused] == [
        ("/refuse", 401, "unauthorized", 1),  # the first at once
        ("unmatched", 404, "not_found", 1),
        ("/refuse", 401, "unauthorized", 19),  # the rest when the interval is over
    ]
    assert refused[0]["source"] == "web" and refused[0]["protocol"] == "segment"
    assert refused[0]["level"] == "info"
    everything = log_lines.getvalue()
    assert EMAIL not in everything and "wrong-key" not in everything and "d3Jvbmcta2V5Og" not in everything


def test_a_failing_handler_is_a_logged_500_with_the_request_id(log_lines: io.StringIO) -> None:
    answered = Observed().client(STRANGER).get("/fail")

    assert answered.status_code == 500
    failed = [line for line in lines(log_lines) if line["message"] == "request refused"]
    assert failed[0]["status"] == 500 and failed[0]["level"] == "warning"
    assert failed[0]["reason"] == "internal_server_error" and failed[0]["request_id"]

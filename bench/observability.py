"""What observing a request costs: the request observer (an id, a latency histogram and a status counter in
prometheus-client, the refusal log) and the route reporter, around a Starlette app whose endpoints answer at once,
against the same app bare.

    .venv/bin/python bench/observability.py [--requests 20000] [--turns 6]

Both are called as ASGI apps in-process, in alternating turns of the same kinds of request, so the difference is
the observing alone, with nothing of the network or of the gateway's work in it (the routing is in both). Three kinds:
- a plain ingest path (`/v1/batch`, the same path every time, as SDKs send it);
- a path with an id (`/v1/replay/<a new id each time>`);
- a refusal (401 on `/v1/batch`): also a log line, once per interval, and counted in between.
Prints microseconds per request, bare and observed, the difference, and the ratio of the medians of the turns.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import os
import statistics
import time
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway import logs
from gateway.client_ip import parse_networks
from gateway.metrics import Metrics
from gateway.request_observer import RequestObserver
from gateway.route_template import RouteReporter
from gateway.throttled_log import ThrottledLog

Scope = dict[str, Any]


def endpoints(status: int, middleware: list[Middleware]) -> Starlette:
    async def answer(request: Request) -> Response:
        return Response(b"{}", status_code=status, media_type="application/json")

    return Starlette(routes=[Route("/v1/batch", answer, methods=["POST"]),
                             Route("/v1/replay/{session_id}", answer, methods=["POST"])], middleware=middleware)


def scopes(kind: str, n: int) -> list[Scope]:
    def scope(path: str) -> Scope:
        return {"type": "http", "method": "POST", "path": path, "root_path": "", "client": ("192.0.2.1", 50000),
                "headers": [(b"content-type", b"application/json"), (b"x-request-id", os.urandom(8).hex().encode())]}

    if kind == "replay":
        return [scope(f"/v1/replay/{os.urandom(12).hex()}") for _ in range(n)]
    return [scope("/v1/batch") for _ in range(n)]


async def run(app: Any, requests: list[Scope]) -> float:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        pass

    started = time.perf_counter()
    for scope in requests:
        await app(dict(scope), receive, send)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--turns", type=int, default=6)
    args = parser.parse_args()

    logs.configure("json", "info", io.StringIO())  # lines are formatted and written, to memory
    metrics = Metrics()
    refusals = ThrottledLog(logging.getLogger("gateway.requests"))
    trusted = parse_networks(["10.0.0.0/8"])

    print(f"{args.requests} requests per turn, {args.turns} turns each, alternating; microseconds per request")
    for kind, status in (("batch", 200), ("replay", 200), ("refused", 401)):
        bare = endpoints(status, [])
        observed = RequestObserver(endpoints(status, [Middleware(RouteReporter)]), metrics=lambda: metrics,
                                   trusted=lambda: trusted, refusals=refusals)
        times: dict[str, list[float]] = {"bare": [], "observed": []}
        for _ in range(args.turns):
            for name, app in (("bare", bare), ("observed", observed)):
                requests = scopes("replay" if kind == "replay" else "batch", args.requests)
                times[name].append(asyncio.run(run(app, requests)) / args.requests * 1e6)
        bare_us, observed_us = statistics.median(times["bare"]), statistics.median(times["observed"])
        print(f"{kind:8} bare {bare_us:6.2f}  observed {observed_us:6.2f}  added {observed_us - bare_us:6.2f}  "
              f"ratio {observed_us / bare_us:.2f}")


if __name__ == "__main__":
    main()

"""CPU of the event loop per request through the gateway's ASGI stack, in process: this tree against a git revision.

    python bench/request_stack.py [--before main] [--requests 5000] [--rounds 3]

What bench/load.py cannot show on a shared machine: a change of a few microseconds per request in the serving loop
(middleware, routing, body reading, admission, the refusal's answer). Over HTTP, identical code differs by 15 % from one
run to the next at load 3-5; in process, with the thread's own CPU time, the same probe repeats within a few percent.
The real app is built (gateway.app.create_app, its lifespan run: database, PII engine, writer thread) and called as the
server calls it, with a scope stamped as the connection stamps it (gateway.admission), for:

- `healthz`: `GET /healthz`, through every middleware and the outer router (beside it, `bare healthz`: a Starlette app
  with the same route and no middleware of ours);
- `refusal`: a 76 KB Segment `POST /v1/batch` of 100 events, refused by admission (503, Retry-After) because a request
  admitted before it has waited past `[http] max_queue_wait_s`: the body read, both routers, the admission check, the
  answer in the vendor's shape, the refusal's metrics and log. Under overload this is what most requests cost.

Each tree (this one, and `--before`'s with its compiled modules built as this tree's: bench/before_tree.py) runs in a
fresh interpreter, in alternating rounds (bench/alternate.py); the best of each is printed, with the ratio. Uvicorn's
HTTP parsing and the sockets are left out: the same code in both.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench_policy import WRITE_KEY, policy_text  # bench/, the script's folder (it imports none of a tree's modules)

ROOT = Path(__file__).resolve().parents[1]
PROBES = ("bare healthz", "healthz", "refusal")


def segment_batch(rng: random.Random) -> bytes:
    """100 events, bench/load.lua's kind, ~76 KB."""
    def event(i: int) -> dict[str, Any]:
        tag = f"{rng.getrandbits(32):08x}"
        url = f"https://shop.example.com/p/{tag}"
        return {"type": "track", "event": "Product Viewed", "messageId": str(uuid.UUID(int=rng.getrandbits(128))),
                "anonymousId": str(uuid.UUID(int=rng.getrandbits(128))), "userId": f"user-{tag}-{i}",
                "timestamp": "2026-11-27T10:01:02.003Z",
                "properties": {"product_id": f"sku-{tag}-{i}", "name": f"trail shoe {tag}{i}",
                               "category": f"alpine {i}", "price": 12.5, "currency": "EUR", "position": i % 20,
                               "url": f"{url}?ref=bench"},
                "context": {"library": {"name": "analytics.js", "version": "next-1.84.3"},
                            "page": {"path": f"/p/{tag}", "referrer": "https://shop.example.com/",
                                     "title": f"trail shoe {tag} | Shop", "url": url},
                            "userAgent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0.1234 Safari/537.36",
                            "locale": "de-DE", "ip": "203.0.113.7"},
                "integrations": {}}
    return json.dumps({"writeKey": WRITE_KEY, "sentAt": "2026-11-27T10:00:01.000Z",
                       "batch": [event(i) for i in range(100)]}).encode()


def measure(requests: int) -> None:
    """(In the child, from its tree's modules.) Microseconds of this thread's CPU per request of each probe."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from gateway import admission
    from gateway.app import create_app
    from gateway.protocols import DESTINATION_PROTOCOLS
    from policies.loader import load_policy

    body = segment_batch(random.Random(7))

    def scope(method: str, path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
        made: dict[str, Any] = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
            "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
            "headers": [(b"host", b"gateway"), *headers], "client": ("127.0.0.1", 40000),
            "server": ("127.0.0.1", 8080)}
        admission.stamp(made, body_in=True)  # as the connection stamps a request whose body is in
        return made

    async def probe(app: Any, method: str, path: str, payload: bytes, expect: int) -> float:
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
        statuses: list[int] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": payload, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                statuses.append(message["status"])

        for _ in range(200):  # warm-up
            await app(scope(method, path, headers), receive, send)
        started = time.thread_time()
        for _ in range(requests):
            await app(scope(method, path, headers), receive, send)
        spent = time.thread_time() - started
        if set(statuses) != {expect}:
            raise SystemExit(f"{method} {path}: answered {sorted(set(statuses))}, not {expect}")
        return 1e6 * spent / requests

    async def healthz(request: Any) -> Any:
        return JSONResponse({"status": "ok"})

    async def run() -> dict[str, float]:
        with tempfile.TemporaryDirectory() as tmp:
            policy_file = Path(tmp) / "policy.toml"
            policy_file.write_text(policy_text("http://127.0.0.1:9"))
            app = create_app(load_policy(policy_file, DESTINATION_PROTOCOLS), Path(tmp) / "data", lambda token: None)
            async with app.router.lifespan_context(app):
                backlog = app.state.gateway.backlog
                bare = Starlette(routes=[Route("/healthz", healthz)])
                spent = {"bare healthz": await probe(bare, "GET", "/healthz", b"", 200),
                         "healthz": await probe(app, "GET", "/healthz", b"", 200)}
                # A request admitted before, waiting for its answer past the bound: every new one is refused.
                waiting: dict[str, Any] = {}
                admission.stamp(waiting, body_in=True)
                waiting[admission.READY_SINCE] -= 60.0
                with backlog.holding(waiting):
                    spent["refusal"] = await probe(app, "POST", "/v1/batch", body, 503)
                return spent

    print(json.dumps(asyncio.run(run())))


def run_child(tree: Path, requests: int) -> dict[str, float]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--requests", str(requests)]
    out = subprocess.run(command, cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)}, check=True,
                         capture_output=True, text=True).stdout
    spent: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return spent


def line(name: str, spent: dict[str, float]) -> str:
    return f"  {name:<14} " + ", ".join(f"{probe} {spent[probe]:.1f} us" for probe in PROBES)


def main() -> int:
    # bench/, the script's folder; here only: a child imports the modules of its own tree.
    from alternate import ab_arguments, this_and_before

    args = ab_arguments(__doc__, 5000)
    if args.child:
        measure(args.requests)
        return 0
    print(f"load average {os.getloadavg()[0]:.2f}; {args.requests} requests per probe and run, {args.rounds} rounds")
    now, then = this_and_before(ROOT, args, lambda tree: run_child(tree, args.requests), line,
                                lambda kept, new: {probe: min(kept[probe], new[probe]) for probe in PROBES})
    print(f"  {args.before} / this tree: " + ", ".join(f"{probe} {then[probe] / now[probe]:.2f}x" for probe in PROBES))
    return 0


if __name__ == "__main__":
    sys.exit(main())

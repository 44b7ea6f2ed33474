"""Ingest throughput: Segment batches of 100 events over HTTP on loopback, into one gateway worker with durable commit.

    .venv/bin/python bench/ingest_segment.py [--seconds 10] [--concurrency 32] [--rounds 1] [--scrub-workers 2]
    .venv/bin/python bench/ingest_segment.py --database-url postgresql://USER:PASSWORD@HOST:PORT/DB [--processes 1,2,4]

Runs two servers in turn, each a single uvicorn worker in its own process, and drives them with the same requests from
this process:
- baseline: a Starlette endpoint that only parses the JSON body and answers 200 (the floor of any Python gateway);
- gateway: the real `privacy-gateway serve`, whose 200 means the events are committed (WAL, synchronous=FULL), with
  the event catalog off;
- +catalog: the same with the event catalog on (the default), which counts every event's property shapes in memory;
- +plan: the same with a tracking plan on the source (naming style, JSON Schema of the event's properties, all
  events keeping to it, the common case: a violation costs its error collection and a stored row on top);
- with `--scrub-workers N`: the gateway (catalog off) with `[http] scrub_workers = N`, its workers' CPU counted.
The gateway's destination is a closed port, so its sender sits in backoff and the figure is the cost of accepting.
Prints events/s of each and events per CPU-second of the server process (what the server itself spent, from
/proc: on a shared machine throughput moves with the neighbours' load, CPU time much less), the ratio
gateway/baseline, and the catalog's and the plan's cost in both measures.

With `--database-url` it measures scaling instead: the gateway (catalog off) on SQLite, one process (all SQLite
allows on one data directory), against 1, 2 and 4 `serve` processes on one PostgreSQL database, each process a node
with its own data directory and port, the same hash key and master key; the connections are spread over the nodes.
Each PostgreSQL run gets a fresh database (created next to the URL's and dropped after: the URL's user needs
CREATEDB). Prints events/s, events per CPU-second of the servers (PostgreSQL's own processes not included), each
rate's ratio to SQLite's, and the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import orjson
import psycopg

ROOT = Path(__file__).resolve().parents[1]
WRITE_KEY = "bench-write-key"
EVENTS_PER_BATCH = 100

POLICY = f"""
[[sources]]
name = "bench"
write_keys = ["{WRITE_KEY}"]
consent_model = "opt-out"   # every event is forwarded: the bench measures the full path
destinations = ["segment"]

[[destinations]]
name = "segment"
protocol = "segment"
endpoint = "http://127.0.0.1:9"
credentials = {{ write_key = "vendor-key" }}
retry = {{ initial_backoff_s = 30, max_backoff_s = 60 }}

[outbox]
max_events = 100000000
"""

PLAN = {
    "naming": "Object Action",
    "event_types": ["track"],
    "events": {"Product Viewed": {"properties": {
        "type": "object",
        "properties": {"product_id": {"type": "string"}, "name": {"type": "string"}, "category": {"type": "string"},
                       "price": {"type": "number", "minimum": 0}, "currency": {"enum": ["EUR", "USD", "GBP"]},
                       "position": {"type": "integer"}, "url": {"type": "string"}},
        "required": ["product_id", "price", "currency"],
        "additionalProperties": False,
    }}},
}


def baseline_app():  # a Starlette app, built only in the baseline server process
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    async def batch(request: Request) -> Response:
        orjson.loads(await request.body())
        return Response(b'{"success":true}', media_type="application/json")

    return Starlette(routes=[Route("/v1/batch", batch, methods=["POST"])])


def realistic_event(i: int) -> dict:
    """A track call as analytics.js sends it: about 18 strings, a nested context."""
    return {
        "type": "track",
        "event": "Product Viewed",
        "messageId": str(uuid.uuid4()),
        "anonymousId": str(uuid.uuid4()),
        "userId": f"user-{i % 5000}",
        "timestamp": "2026-11-27T10:00:00.000Z",
        "properties": {
            "product_id": f"sku-{i % 977}",
            "name": "Trail Running Shoe",
            "category": "Footwear",
            "price": 129.99,
            "currency": "EUR",
            "position": i % 20,
            "url": f"https://shop.example.com/p/sku-{i % 977}?ref=home",
        },
        "context": {
            "library": {"name": "analytics.js", "version": "next-1.84.3"},
            "page": {
                "path": "/p/trail-running-shoe",
                "referrer": "https://shop.example.com/",
                "title": "Trail Running Shoe | Shop",
                "url": "https://shop.example.com/p/trail-running-shoe",
            },
            "userAgent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                         "Chrome/156.0 Safari/537.36",
            "locale": "de-DE",
            "ip": "203.0.113.7",
        },
        "integrations": {},
    }


def make_bodies(n: int) -> list[bytes]:
    return [
        orjson.dumps({"writeKey": WRITE_KEY,
                      "batch": [realistic_event(b * EVENTS_PER_BATCH + i) for i in range(EVENTS_PER_BATCH)],
                      "sentAt": "2026-11-27T10:00:01.000Z"})
        for b in range(n)
    ]


def start_server(command: list[str], env: dict[str, str] | None = None) -> tuple[subprocess.Popen[bytes], str]:
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1024)
    port = listener.getsockname()[1]
    proc = subprocess.Popen([*command, "--fd", str(listener.fileno())], pass_fds=[listener.fileno()], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    listener.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120  # scrub workers load the PII engine before the gateway is ready
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/readyz", timeout=1).status_code in (200, 404):
                return proc, url
        except httpx.TransportError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit(f"server did not start: {command}")


async def drive(urls: list[str], bodies: list[bytes], seconds: float, concurrency: int) -> tuple[int, int]:
    """Post bodies round-robin on `concurrency` keep-alive connections (spread over `urls`) for `seconds`; returns
    (accepted, failed).

    Raw HTTP/1.1 over asyncio streams with the requests pre-encoded: a Python HTTP client would spend more CPU per
    request than the servers it measures.
    """
    requests = [
        b"POST /v1/batch HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode() + body
        for body in bodies
    ]
    ok = failed = 0
    stop_at = time.monotonic() + seconds

    async def worker(offset: int) -> None:
        nonlocal ok, failed
        host, port = urls[offset % len(urls)].removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        i = offset
        while time.monotonic() < stop_at:
            writer.write(requests[i % len(requests)])
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            if status_line.split()[1] == b"200":
                ok += 1
            else:
                failed += 1
            i += concurrency
        writer.close()

    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    return ok, failed


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process and its children (scrub workers) have used so far (Linux /proc; utime and
    stime are fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") + sum(cpu_seconds(int(c)) for c in children)


def measure(name: str, commands: list[list[str]], bodies: list[bytes], seconds: float, concurrency: int,
            env: dict[str, str] | None = None) -> tuple[float, float]:
    """(events/s, events per CPU-second of the servers) over `seconds` after a warm-up, one server per command."""
    servers = [start_server(command, env) for command in commands]
    urls = [url for _, url in servers]
    try:
        asyncio.run(drive(urls, bodies, 1.0, concurrency))  # warm-up
        started, cpu_before = time.perf_counter(), sum(cpu_seconds(proc.pid) for proc, _ in servers)
        ok, failed = asyncio.run(drive(urls, bodies, seconds, concurrency))
        elapsed = time.perf_counter() - started
        cpu = sum(cpu_seconds(proc.pid) for proc, _ in servers) - cpu_before
    finally:
        for proc, _ in servers:
            proc.terminate()
        for proc, _ in servers:
            proc.wait(30)
    rate, per_cpu = ok * EVENTS_PER_BATCH / elapsed, ok * EVENTS_PER_BATCH / cpu
    print(f"{name:>9}: {rate:>10,.0f} events/s  ({ok / elapsed:,.0f} requests/s, {failed} failed); "
          f"{per_cpu:,.0f} events per CPU-second of the server{'s' if len(commands) > 1 else ''}", flush=True)
    return rate, per_cpu


@contextlib.contextmanager
def fresh_database(url: str, name: str) -> Iterator[str]:
    """A new database `name` on the server of `url` (its user needs CREATEDB), dropped afterwards."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(url)._replace(path="/" + name))
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def scaling(database_url: str, processes: list[int], bodies: list[bytes], seconds: float, concurrency: int,
            rounds: int) -> None:
    """SQLite's one process against 1, 2, 4 … nodes on one PostgreSQL database, in the order A B C D D C B A."""
    print(f"load average at the start {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    runs = ["sqlite", *(f"pg x{n}" for n in processes)]
    order = [*runs, *reversed(runs)] * rounds
    # Every node holds the same keys, as an operator configures them (gateway.shared_keys refuses others).
    policy_text = POLICY + f'\n[catalog]\nenabled = false\n\n[privacy]\nhash_key = "{secrets.token_hex(32)}"\n'
    env = {**os.environ, "PRIVACY_GATEWAY_MASTER_KEY": secrets.token_hex(32)}
    rates: dict[str, float] = {}
    per_cpu: dict[str, float] = {}
    for turn, name in enumerate(order):
        with tempfile.TemporaryDirectory() as tmp:
            policy = Path(tmp) / "bench.toml"
            policy.write_text(policy_text)
            nodes = 1 if name == "sqlite" else int(name.removeprefix("pg x"))
            commands = [[sys.executable, "-m", "gateway", "serve", "--policy", str(policy),
                         "--data-dir", str(Path(tmp) / f"node{n}")] for n in range(nodes)]
            with contextlib.ExitStack() as stack:
                if name != "sqlite":
                    url = stack.enter_context(fresh_database(database_url, f"bench_ingest_{os.getpid()}_{turn}"))
                    commands = [[*command, "--database-url", url] for command in commands]
                rate, cpu_rate = measure(name, commands, bodies, seconds, concurrency, env)
            rates[name], per_cpu[name] = max(rates.get(name, 0.0), rate), max(per_cpu.get(name, 0.0), cpu_rate)
    print("best of each, ratio to SQLite's one process:")
    for name in runs:
        print(f"{name:>9}: {rates[name]:>10,.0f} events/s ({rates[name] / rates['sqlite']:.2f}x), "
              f"{per_cpu[name]:,.0f} per CPU-second of the servers ({per_cpu[name] / per_cpu['sqlite']:.2f}x)")
    print(f"load average at the end {' '.join(f'{x:.1f}' for x in os.getloadavg())} (this run's own load included), "
          f"{os.cpu_count()} cores: PostgreSQL and this driver share them with the servers")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=1, help="A B C C B A orders of the gateway runs")
    parser.add_argument("--database-url", help="measure 1, 2, 4 nodes on this PostgreSQL against SQLite instead")
    parser.add_argument("--processes", default="1,2,4", help="with --database-url: the node counts to run")
    parser.add_argument("--scrub-workers", type=int, action="append", default=[],
                        help="also run the gateway (catalog off) with this [http] scrub_workers (repeatable)")
    parser.add_argument("--baseline-server", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--fd", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline_server:
        import uvicorn

        uvicorn.run(baseline_app(), fd=args.fd, log_level="warning", access_log=False)
        return

    bodies = make_bodies(50)
    size = sum(map(len, bodies)) / len(bodies)
    print(f"batches of {EVENTS_PER_BATCH} events, {size / 1024:.0f} KB each, {args.concurrency} connections, "
          f"{args.seconds:.0f} s per server, one uvicorn worker each, {os.cpu_count()} cores")
    if args.database_url:
        scaling(args.database_url, [int(n) for n in args.processes.split(",")], bodies, args.seconds,
                args.concurrency, args.rounds)
        return
    baseline_command = [sys.executable, __file__, "--baseline-server"]
    baseline, _ = measure("baseline", [baseline_command], bodies, args.seconds, args.concurrency)
    configs = {"gateway": "\n[catalog]\nenabled = false\n", "+catalog": "", "+plan": 'tracking_plan = "plan.json"\n',
               **{f"{n} workers": f"\n[catalog]\nenabled = false\n\n[http]\nscrub_workers = {n}\n"
                  for n in args.scrub_workers}}
    # On a shared machine a run's figure moves with its neighbours' load: the three run in the order A B C C B A
    # (`--rounds` times over), each keeps its best, so that a drift over the run falls on all of them alike.
    order = [*configs, *reversed(configs)] * args.rounds
    rates: dict[str, float] = {}
    per_cpu: dict[str, float] = {}
    for name in order:
        extra = configs[name]
        with tempfile.TemporaryDirectory() as tmp:
            policy = Path(tmp) / "bench.toml"
            # The plan line belongs to the source's table, before [[destinations]]; [catalog] is a table of its own.
            text = POLICY.replace("\n[[destinations]]", extra + "\n[[destinations]]") if "plan" in extra \
                else POLICY + extra
            policy.write_text(text)
            (Path(tmp) / "plan.json").write_bytes(orjson.dumps(PLAN))
            command = [sys.executable, "-m", "gateway", "serve", "--policy", str(policy),
                       "--data-dir", str(Path(tmp) / "data")]
            rate, cpu_rate = measure(name, [command], bodies, args.seconds, args.concurrency)
            rates[name], per_cpu[name] = max(rates.get(name, 0.0), rate), max(per_cpu.get(name, 0.0), cpu_rate)
    print("best of each: " + ", ".join(f"{name} {rates[name]:,.0f} events/s, {per_cpu[name]:,.0f} per CPU-second"
                                       for name in rates))
    print(f"    ratio: {rates['gateway'] / baseline:.2f} (gateway / baseline)")
    for cost, (name, before) in (("catalog", ("+catalog", "gateway")), ("plan", ("+plan", "+catalog"))):
        print(f"{cost:>9}: {1 - rates[name] / rates[before]:+.1%} throughput, "
              f"{per_cpu[before] / per_cpu[name] - 1:+.1%} CPU per event ({name} against {before})")
    for n in args.scrub_workers:
        name = f"{n} workers"
        print(f"{name:>9}: {rates[name] / rates['gateway']:.2f}x the gateway's events/s, "
              f"{per_cpu['gateway'] / per_cpu[name]:.2f}x its CPU per event (load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()

"""The gateway under concurrent load, beside a minimal Starlette app, in interleaved rounds of one run.

    make load LOAD_ARGS="--rounds 3"     # or: .venv/bin/python bench/load.py [--seconds 20] [--rounds 3]
    .venv/bin/python bench/load.py --rounds 1 --only events --profile    # where the gateway's time goes (py-spy)
    .venv/bin/python bench/load.py --only events --only overload --scrub-workers 0 --scrub-workers 2
                                                   # the gateway without and with scrub workers, in the same rounds
    .venv/bin/python bench/load.py --only replay --scrub-workers 0 --scrub-workers 1 --before main
                                                   # recordings: each variant, this tree and main's, in turns
    .venv/bin/python bench/load.py --only events --only overload --scrub-workers 0 --scrub-workers 1 --before main
                                                   # events at 32 and 128 connections, the same

The load generator is wrk (Debian's; `make load` installs it when missing) with bench/load.lua, which makes every
request's body anew: no id or text repeats between requests (enum-like values do, as on a site), so the PII scrubber
works cold. Each server is a single process (uvicorn) started fresh for each measurement; the gateway runs the real
`privacy-gateway serve` with the default pipeline (consent, PII scrubbing with the default `[pii]`, suppression,
durable commit: a 2xx means committed) and a capture vendor that is a real HTTP server (the tests' fake vendor, in this
process) receiving what it forwards.

Per round, in alternating order:
1. events: Segment `/v1/batch`, 100 events per request, `--connections` (32) connections: the minimal app (parses
   the body, answers 200) and the gateway;
2. overload: the gateway at 4x those connections: latency must stay bounded and the excess get 503/429 with
   Retry-After, not time out;
3. recordings: `POST /v1/replay/<session>` (rrweb chunks of 60 events), `--replay-connections` (64): a trivial endpoint
   (reads the body, answers 200) and the gateway, in MB/s of request bodies.
After each gateway run it waits (60 s at most) for the capture vendor to hold every acknowledged event.

With `--before REV` (a git revision), every gateway run (events, overload, recordings; each `--scrub-workers`
variant) is also made with the gateway of that revision (its tree taken with `git archive`, run from there), in turns
with this tree's, and both are printed with their ratios: events/s or MB/s, and server CPU per 1,000 events or per
request (the CPU figure moves less with the machine's load than throughput does).

With `--profile`, py-spy samples the gateway during each of its runs, events and recordings (`py-spy record
--pid`, the [bench] extra), and the functions that took most of its samples are printed, by own time and with what
they call.

Prints, per run: events/s (or MB/s), p50/p99/max latency, CPU ms per 1,000 events of the server (and its children),
the load generator's CPU, errors by kind; then the best of each and the ratios, beside the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from before_tree import archive  # noqa: E402  # bench/, the script's folder
from bench_policy import WRITE_KEY, policy_text  # noqa: E402

from tests.support.fake_vendor import FakeVendor  # noqa: E402

EVENTS_PER_BATCH = 100
LUA = ROOT / "bench" / "load.lua"
START_TIMEOUT_S = 240

def minimal_app() -> Any:  # built only in the minimal server's process
    import orjson
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    async def parse(request: Request) -> Response:
        orjson.loads(await request.body())
        return Response(b'{"success":true}', media_type="application/json")

    async def receive(request: Request) -> Response:
        await request.body()
        return Response(b'{"status":"ok"}', media_type="application/json")

    return Starlette(routes=[Route("/v1/batch", parse, methods=["POST"]),
                             Route("/v1/replay/{session:path}", receive, methods=["POST"])])


@dataclass
class Run:
    name: str
    connections: int
    seconds: float
    ok: int  # requests answered 2xx
    busy: int  # 503/429
    busy_without_retry_after: int
    other_errors: int  # other statuses >= 300
    socket_errors: int  # connect, read, write errors and timeouts
    timeouts: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    body_bytes: float  # mean request body
    server_cpu_s: float
    wrk_cpu_s: float
    process_cpu_s: float  # of server_cpu_s, the serving process's own (not its scrub workers')
    loop_cpu_s: float  # of process_cpu_s, its main thread's: the event loop's (the rest: writer, analysis, pools)

    @property
    def events_per_s(self) -> float:
        return self.ok * EVENTS_PER_BATCH / self.seconds

    @property
    def mb_per_s(self) -> float:
        return self.ok * self.body_bytes / self.seconds / 1e6

    def line(self, unit: str) -> str:
        rate = f"{self.events_per_s:>9,.0f} events/s" if unit == "events" else f"{self.mb_per_s:>7.1f} MB/s"
        per = self.ok * (EVENTS_PER_BATCH if unit == "events" else 1)
        digits = 0 if unit == "events" else 2
        cpu = (f"{1000 * self.server_cpu_s / per * (1000 if unit == 'events' else 1):.{digits}f} ms CPU per "
               f"{'1,000 events' if unit == 'events' else 'request'}") if per else "no CPU figure"
        head = f"  {self.name:<22} c={self.connections:<4} {rate}"
        latency = f"p50 {self.p50_ms:7.1f} ms  p99 {self.p99_ms:7.1f} ms  max {self.max_ms:7.1f} ms"
        per_s = self.seconds
        cores = (f"server {self.server_cpu_s / per_s:.2f} cores ({self.process_cpu_s / per_s:.2f} in its own process, "
                 f"{self.loop_cpu_s / per_s:.2f} its loop's thread), wrk {self.wrk_cpu_s / per_s:.2f}")
        answers = (f"{self.ok} ok, {self.busy} busy ({self.busy_without_retry_after} without Retry-After), "
                   f"{self.other_errors} other errors, {self.socket_errors} socket errors ({self.timeouts} timeouts)")
        return f"{head}  {latency}  {cpu}; {cores}; {answers}"


def process_cpu(pid: int, thread: int | None = None) -> float:
    """CPU seconds (user + system) used so far by `pid` alone (all its threads), or by its thread `thread`."""
    stat = Path(f"/proc/{pid}/stat") if thread is None else Path(f"/proc/{pid}/task/{thread}/stat")
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by `pid` and its descendants, from /proc: the live ones, and those that
    exited and were waited for (their parent's cutime and cstime: the gateway's dictionary trainings, replay.training).
    """
    clock = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), sum(int(f) for f in fields[11:15]) / clock)
    tree, total, grew = {pid}, 0.0, True
    while grew:
        grew = False
        for child, (parent, _) in stats.items():
            if parent in tree and child not in tree:
                tree.add(child)
                grew = True
    for member in tree:
        total += stats.get(member, (0, 0.0))[1]
    return total


def start_server(command: list[str], ready_path: str, tree: Path = ROOT) -> tuple[subprocess.Popen[bytes], str]:
    """Start a server on a listener of ours, from `tree` (its code first on the path), and wait until it answers."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(4096)
    port = listener.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(tree)} if tree != ROOT else None
    proc = subprocess.Popen([*command, "--fd", str(listener.fileno())], pass_fds=[listener.fileno()], cwd=tree, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    listener.close()
    url = f"http://127.0.0.1:{port}"
    # Scrub workers load the PII engine each (seconds); on a loaded machine the start took more than a minute.
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + ready_path, timeout=1).status_code in (200, 404, 405):
                return proc, url
        except httpx.TransportError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit(f"server did not start: {command}")


def wrk(url: str, mode: str, connections: int, seconds: float) -> tuple[dict[str, int], float]:
    """Run wrk; its RESULT line and the CPU seconds it used."""
    threads = min(2, connections)
    proc = subprocess.Popen(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s",
                             "-s", str(LUA), url, "--", mode, WRITE_KEY], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    result = next((line for line in output.splitlines() if line.startswith("RESULT ")), None)
    if result is None:
        raise SystemExit(f"wrk printed no result:\n{output}")
    return json.loads(result.removeprefix("RESULT ")), usage.ru_utime + usage.ru_stime


def measure(name: str, proc: subprocess.Popen[bytes], url: str, mode: str, connections: int,
            seconds: float, profile: bool = False) -> Run:
    cpu_before, own_before = process_tree_cpu(proc.pid), process_cpu(proc.pid)
    loop_before = process_cpu(proc.pid, proc.pid)  # the main thread's id is the process's
    # Kept for a closer look (its path is printed): the stacks of every thread of the gateway and of its children (scrub
    # workers, dictionary trainings), whose CPU counts in the figures too.
    samples = Path(tempfile.gettempdir()) / f"load-profile-{name.replace(' ', '-')}-{time.time():.0f}.txt"
    profiled = max(1, int(seconds) - 1)
    spy = subprocess.Popen(
        [str(Path(sys.executable).with_name("py-spy")), "record", "--pid", str(proc.pid), "--duration",
         str(profiled), "--rate", "50", "--format", "raw", "--nonblocking", "--threads",
         "--subprocesses", "-o", str(samples)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) if profile else None
    r, wrk_cpu = wrk(url, mode, connections, seconds)
    if spy is not None:
        spy.wait(60)
        ok_per_s = (r["requests"] - r["busy"] - r["other_errors"]) / (r["duration_us"] / 1e6)
        print_profile(samples, ok_per_s * profiled)  # the requests answered while it sampled, about
        print(f"    samples kept in {samples}")
    cpu, own = process_tree_cpu(proc.pid) - cpu_before, process_cpu(proc.pid) - own_before
    loop = process_cpu(proc.pid, proc.pid) - loop_before
    elapsed = r["duration_us"] / 1e6
    ok = r["requests"] - r["busy"] - r["other_errors"]
    socket_errors = r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["timeouts"]
    return Run(name, connections, elapsed, ok, r["busy"], r["busy_without_retry_after"], r["other_errors"],
               socket_errors, r["timeouts"], r["p50_us"] / 1000, r["p99_us"] / 1000, r["max_us"] / 1000,
               r["sent_bytes"] / max(1, r["sent_requests"]), cpu, wrk_cpu, own, loop)


def whose(frames: list[str]) -> str:
    """The process (its module, `-m ...`: the gateway, a scrub worker, a training) and thread of py-spy's stack (with
    --subprocesses --threads it begins with the gateway's process, a child's if any, then the thread)."""
    processes = [f for f in frames if f.startswith("process ")]
    thread = next((f for f in frames if f.startswith("thread (")), "thread")
    command = processes[-1].split('"')[1] if processes and '"' in processes[-1] else ""
    module = command.split(" -m ", 1)[1].split()[0] if " -m " in command else command
    return f"{module} {thread.split(': ', 1)[-1] if ': ' in thread else 'MainThread'}"


PROFILE_RATE = 50  # py-spy samples per second and thread

# Steps of a recording's (or an event batch's) way through the gateway, by the frames that do them: a sample counts for
# the step of the innermost frame named here (so the chunks' compression inside the commit's write functions counts
# as compression, not commit), except for WHOLE_STEPS. Samples of none count as "HTTP, event loop, the rest".
STEPS = [
    ("dictionary training (child)", ("replay/training.py",)),
    ("scrub worker waiting for a job", ("read_frame (gateway/scrub_worker.py",)),
    ("PII scrub (worker or loop)", ("Scrubber.scrub_", "scrub_many", "policies/pii/")),
    ("hand-off to/from worker (pickle, pipe)", ("gateway/scrub_pool.py", "gateway/scrub_worker.py")),
    ("rrweb privacy walk", ("replay/privacy.py",)),
    ("parse + depth check", ("read_json", "json_depth", "parse_native", "parse_posthog", "read_recording (")),
    ("summary", ("summarize (",)),
    ("encode chunk (orjson)", ("encode_chunk",)),
    ("zstd compress", ("Compressor.compress",)),
    ("chunk digest, keys, AES", ("replay/shredding.py",)),
    ("store bookkeeping", ("replay/store.py",)),
    ("SQLite write + COMMIT", ("gateway/database.py",)),
]


# Work done on behalf of these counts for them wherever it happens inside (live analysis reads and decompresses chunks).
WHOLE_STEPS = [STEPS[0], ("live analysis", ("replay/analysis.py", "replay/live.py"))]


def step_of(frames: list[str]) -> str:
    for step, marks in WHOLE_STEPS:
        if any(mark in frame for frame in frames for mark in marks):
            return step
    for frame in reversed(frames):
        for step, marks in STEPS:
            if any(mark in frame for mark in marks):
                return step
    return "HTTP, event loop, the rest"


def print_profile(samples: Path, requests: float, most: int = 25) -> None:
    """The functions that took most samples of py-spy's collapsed stacks: by step (with ms of samples per request),
    by own time, and with their callees."""
    steps: Counter[str] = Counter()
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    threads: Counter[str] = Counter()
    total = 0
    for line in samples.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        n = int(count)
        total += n
        threads[whose(frames)] += n
        steps[step_of(frames)] += n
        frames = [f for f in frames if not f.startswith(("process ", "thread ("))]
        if frames:
            own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    if not total:
        print("    profile: no samples (is py-spy installed, and allowed to attach?)")
        return
    print(f"    profile ({total} samples, all threads of the gateway and its children): by process and thread")
    for thread, n in threads.most_common(8):
        print(f"      {n / total:6.1%}  {thread}")
    print("    by step: share of samples, ms of samples per request (on CPU, or in a syscall such as COMMIT's fsync)")
    for step, n in steps.most_common():
        print(f"      {n / total:6.1%}  {n / PROFILE_RATE / max(requests, 1e-9) * 1000:6.3f} ms  {step}")
    print("    own time")
    for frame, n in own.most_common(most):
        print(f"      {n / total:6.1%}  {frame}")
    print("    with what they call (gateway and policies frames)")
    shown = [(f, n) for f, n in inclusive.most_common() if "gateway/" in f or "policies/" in f or "replay/" in f]
    for frame, n in shown[:most]:
        print(f"      {n / total:6.1%}  {frame}")


def run_minimal(mode: str, connections: int, seconds: float) -> Run:
    proc, url = start_server([sys.executable, __file__, "--minimal-server"], "/")
    try:
        wrk(url, mode, connections, 1)  # warm-up
        name = "minimal app" if mode == "events" else "trivial endpoint"
        return measure(name, proc, url, mode, connections, seconds)
    finally:
        proc.terminate()
        proc.wait(30)


def gateway_name(scrub_workers: int | None, connections: int, mode: str) -> str:
    workers = "" if scrub_workers is None else f" ({scrub_workers} scrub workers)"
    return f"gateway{workers}" + (" (4x load)" if connections > 64 and mode == "events" else "")


def run_gateway(tmp: Path, vendor: FakeVendor, mode: str, connections: int, seconds: float,
                extra_args: list[str], policy_extra: str, profile: bool = False,
                scrub_workers: int | None = None, revision: tuple[str, Path] | None = None) -> Run:
    """The gateway of this tree, or of `revision` (its name, its tree)."""
    directory = Path(tempfile.mkdtemp(dir=tmp))
    policy = directory / "policy.toml"
    if scrub_workers is not None:
        policy_extra += f"\n[http]\nscrub_workers = {scrub_workers}\n"
    policy.write_text(policy_text(vendor.url, policy_extra))
    command = [sys.executable, "-m", "gateway", "serve", "--policy", str(policy), "--data-dir",
               str(directory / "data"), *extra_args]
    before = len(vendor.message_ids()) if mode == "events" else 0
    posts_before = len(vendor.accepted())
    proc, url = start_server(command, "/readyz", revision[1] if revision is not None else ROOT)
    name = gateway_name(scrub_workers, connections, mode) + (f" ({revision[0]})" if revision is not None else "")
    try:
        wrk(url, mode, connections, 1)  # warm-up (its events count for delivery below)
        if mode == "events":
            # The warm-up's admitted requests are still being worked on after wrk has gone (at 4x, at a fraction of
            # a core, for seconds): measured on top of them, the run got no answer at all in its 10 s, now and then.
            settle(vendor, before)
        run = measure(name, proc, url, mode, connections, seconds, profile)
        if mode == "events":
            check_delivery(vendor, before, posts_before)
        return run
    finally:
        proc.terminate()
        proc.wait(60)
        shutil.rmtree(directory, ignore_errors=True)


def settle(vendor: FakeVendor, before: int) -> int:
    """Wait (60 s at most) until the capture vendor's count of distinct events since `before` has not grown for 3 s:
    what the gateway acknowledged is delivered and nothing more is being worked on. Returns the count."""
    deadline, last, still_since = time.monotonic() + 60, -1, time.monotonic()
    while time.monotonic() < deadline:
        count = len(vendor.message_ids()) - before
        if count != last:
            last, still_since = count, time.monotonic()
        elif time.monotonic() - still_since > 3:
            break
        time.sleep(0.5)
    return last


def check_delivery(vendor: FakeVendor, before: int, posts_before: int) -> None:
    """Wait until the capture vendor's count of distinct events stops growing, then print it (what was acknowledged
    is compared by the tests, which know each event; here the count shows the sender keeps up or not), with the
    number of batches they came in (each batch costs the sender a read, a POST and a write, whatever its size)."""
    delivered = settle(vendor, before)
    posts = len(vendor.accepted()) - posts_before
    print(f"    capture vendor: {delivered:,} distinct events delivered from this run (warm-up included) in "
          f"{posts:,} batches ({delivered / max(posts, 1):.0f} events per batch)")


def print_rounds(runs: list[Run], name: str) -> None:
    """The recordings' ratio to the trivial endpoint in each round (they ran next to each other: on a shared machine
    a round's ratio says more than the best of each)."""
    pairs = zip([r for r in runs if r.name == name], [r for r in runs if r.name == "trivial endpoint"], strict=True)
    ratios = ", ".join(f"{gw.mb_per_s / max(trivial.mb_per_s, 1e-9):.2f}" for gw, trivial in pairs)
    print(f"    ratio to the same round's trivial endpoint, round by round: {ratios}")


def print_before(runs: list[Run], name: str, before_name: str, unit: str) -> None:
    """This tree's runs against the revision's, round by round (each pair ran next to each other): throughput, and
    server CPU per request (recordings) or per 1,000 events acknowledged, the whole server and its serving process."""
    pairs = zip([r for r in runs if r.name == name], [r for r in runs if r.name == before_name], strict=True)
    per, label = (1, "request") if unit == "replay" else (EVENTS_PER_BATCH / 1000, "1,000 events")
    for now, then in pairs:
        rate_now, rate_then = (r.mb_per_s if unit == "replay" else r.events_per_s for r in (now, then))
        cpu_now, cpu_then = (r.server_cpu_s / (r.ok * per) if r.ok else 0.0 for r in (now, then))
        own_now, own_then = (r.process_cpu_s / (r.ok * per) if r.ok else 0.0 for r in (now, then))
        what, rates = (("recordings", f"{rate_now:.1f} / {rate_then:.1f} MB/s") if unit == "replay" else
                       (name, f"{rate_now:,.0f} / {rate_then:,.0f} events/s, p99 {now.p99_ms:.0f} / {then.p99_ms:.0f} "
                              f"ms, {now.busy} / {then.busy} busy"))
        print(f"  {what}, this tree / {before_name}: {rates} ({rate_now / max(rate_then, 1e-9):.2f}x); server CPU per "
              f"{label} {1000 * cpu_now:.2f} / {1000 * cpu_then:.2f} ms ({cpu_then / max(cpu_now, 1e-9):.2f}x less), "
              f"of which the serving process {1000 * own_now:.2f} / {1000 * own_then:.2f} ms "
              f"({own_then / max(own_now, 1e-9):.2f}x less)")


def best(runs: list[Run], name: str) -> Run:
    return max((r for r in runs if r.name == name), key=lambda r: r.ok / r.seconds)


def summarize_events(events: list[Run], parts: list[str], workers: int | None) -> None:
    name = gateway_name(workers, 0, "events")
    if "events" in parts:
        gw, minimal = best(events, name), best(events, "minimal app")
        cpu = 1e6 * gw.server_cpu_s / max(1, gw.ok * EVENTS_PER_BATCH)
        print(f"  events: {name} {gw.events_per_s:,.0f} events/s, p99 {gw.p99_ms:.0f} ms, {cpu:.0f} ms CPU per "
              f"1,000 events; minimal app {minimal.events_per_s:,.0f} events/s; ratio "
              f"{gw.events_per_s / minimal.events_per_s:.2f}")
    if "overload" in parts:
        worst = max((r for r in events if r.name == gateway_name(workers, 1000, "events")), key=lambda r: r.p99_ms)
        print(f"  4x load: {name}: worst p99 {worst.p99_ms:.0f} ms, max {worst.max_ms:.0f} ms, {worst.busy} busy "
              f"answers ({worst.busy_without_retry_after} without Retry-After), {worst.socket_errors} socket errors")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--replay-connections", type=int, default=64)
    parser.add_argument("--only", choices=["events", "overload", "replay"], action="append",
                        help="run only these parts (repeatable)")
    parser.add_argument("--gateway-arg", action="append", default=[], help="an extra option of `serve`")
    parser.add_argument("--policy-extra", default="", help="TOML appended to the bench policy (e.g. an [http] table)")
    parser.add_argument("--scrub-workers", type=int, action="append",
                        help="run the gateway with this `[http] scrub_workers` (repeatable: each in every round, in "
                             "alternating order; not with an [http] table in --policy-extra)")
    parser.add_argument("--profile", action="store_true", help="sample the gateway with py-spy during its runs")
    parser.add_argument("--before", metavar="REV", help="also run the gateway of this git revision, in turns")
    parser.add_argument("--minimal-server", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--fd", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.minimal_server:
        import uvicorn

        uvicorn.run(minimal_app(), fd=args.fd, log_level="warning", access_log=False)
        return 0
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: `make load` installs it (apt-get install wrk)")
    parts = args.only or ["events", "overload", "replay"]
    variants: list[int | None] = list(args.scrub_workers) if args.scrub_workers else [None]
    print(f"{os.cpu_count()} cores; load average before: {os.getloadavg()[0]:.2f}; {args.rounds} rounds of "
          f"{args.seconds:g} s per run; wrk with 2 threads")
    events: list[Run] = []
    replay: list[Run] = []
    vendor = FakeVendor().start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            before = (args.before, archive(args.before)) if args.before else None
            for round_number in range(args.rounds):
                flip = round_number % 2 == 1
                print(f"round {round_number + 1} (load average {os.getloadavg()[0]:.2f})")

                def gateway(mode: str, connections: int, workers: int | None = None,
                            revision: tuple[str, Path] | None = None) -> Run:
                    return run_gateway(Path(tmp), vendor, mode, connections, args.seconds, args.gateway_arg,
                                       args.policy_extra, args.profile, workers, revision)

                revisions = [None] if before is None else [None, before]
                if "events" in parts:
                    order: list[Callable[[], Run]] = [
                        *(partial(gateway, "events", args.connections, n, rev) for n in variants for rev in revisions),
                        lambda: run_minimal("events", args.connections, args.seconds)]
                    for step in reversed(order) if flip else order:
                        events.append(step())
                        print(events[-1].line("events"))
                if "overload" in parts:
                    order = [partial(gateway, "events", 4 * args.connections, n, rev)
                             for n in variants for rev in revisions]
                    for step in reversed(order) if flip else order:
                        events.append(step())
                        print(events[-1].line("events"))
                if "replay" in parts:
                    order = [*(partial(gateway, "replay", args.replay_connections, n) for n in variants),
                             lambda: run_minimal("replay", args.replay_connections, args.seconds)]
                    if before is not None:
                        order[len(variants):len(variants)] = [
                            partial(gateway, "replay", args.replay_connections, n, before) for n in variants]
                    for step in reversed(order) if flip else order:
                        replay.append(step())
                        print(replay[-1].line("replay"))
    finally:
        vendor.stop()
    print(f"best of each (load average after: {os.getloadavg()[0]:.2f}):")
    for n in variants:
        summarize_events(events, parts, n)
        if args.before:
            for connections in [c for c, part in ((args.connections, "events"), (4 * args.connections, "overload"))
                                if part in parts]:
                name = gateway_name(n, connections, "events")
                print_before(events, name, f"{name} ({args.before})", "events")
    if "replay" in parts:
        trivial = best(replay, "trivial endpoint")
        for n in variants:
            name = gateway_name(n, args.replay_connections, "replay")
            gw = best(replay, name)
            print(f"  recordings: {name} {gw.mb_per_s:.1f} MB/s, trivial endpoint {trivial.mb_per_s:.1f} MB/s; "
                  f"ratio {gw.mb_per_s / trivial.mb_per_s:.2f}")
            print_rounds(replay, name)
            if args.before:
                print_before(replay, name, f"{name} ({args.before})", "replay")
    return 0


if __name__ == "__main__":
    sys.exit(main())

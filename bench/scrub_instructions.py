"""Instructions per event of the scrubber on bench/scrub.py's cold stream, counted by valgrind's callgrind: a figure
that does not move with the machine's load, for comparing two versions of the code where timings on a shared machine
vary by a third from one run to the next.

    python bench/scrub_instructions.py [--events 600] [--top 25]

The process re-runs itself under `valgrind --tool=callgrind` with instrumentation off (start-up, Presidio's loading
and a warm-up batch of 600 events cost nothing) and switches it on for the scrub loop alone (`callgrind_control -i`).
It prints the instructions per event and the functions with the most inclusive instructions; `callgrind_annotate
--tree=caller` on the kept output file (printed) says who calls them. valgrind comes from Debian (`apt-get install
valgrind`); the tool is for development and is not part of `make bench`. Run it on both versions: the ratio of the two
figures is the claim, not either figure.
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_WARM_UP = 600  # events scrubbed before counting: lazy loading (phone metadata, name lists) is not a string's cost


def child(events: int) -> None:
    """Scrub the cold stream in batches of 20, counting instructions only while scrubbing."""
    sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]
    import scrub as bench  # bench/ is on the path from here on

    from gateway import heap
    from gateway.protocols.segment import event_from_wire
    from policies.pii import PiiConfig, Scrubber

    stream = bench.ColdStream()
    wires = [stream.event()[0] for _ in range(_WARM_UP + events)]
    analyzer = Scrubber(PiiConfig(), bench.HASH_KEY, None).analyzer
    with heap.long_lived():
        scrubber = Scrubber(PiiConfig(), bench.HASH_KEY, None, analyzer=analyzer)
        batch = [event_from_wire(copy.deepcopy(w), None, "bench") for w in wires]
        for i in range(0, _WARM_UP, 20):
            scrubber.scrub_events(batch[i : i + 20])
        counted = batch[_WARM_UP:]
        subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], check=True, capture_output=True)
        for i in range(0, len(counted), 20):
            scrubber.scrub_events(counted[i : i + 20])
        subprocess.run(["callgrind_control", "-i", "off", str(os.getpid())], check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=600)
    parser.add_argument("--top", type=int, default=25, help="functions listed, by inclusive instructions")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.events)
        return
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        sys.exit("valgrind is not installed: apt-get install valgrind")
    out = Path(tempfile.mkdtemp(prefix="scrub-callgrind-")) / "callgrind.out"
    subprocess.run(["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
                    sys.executable, __file__, "--child", "--events", str(args.events)],
                   check=True, capture_output=True, cwd=ROOT)
    report = subprocess.run(["callgrind_annotate", "--inclusive=yes", str(out)], check=True, capture_output=True,
                            text=True).stdout
    total = int(re.search(r"([\d,]+) \(100\.0%\)\s+PROGRAM TOTALS", report).group(1).replace(",", ""))
    print(f"{total / args.events:,.0f} instructions per event ({args.events} cold events, batches of 20; "
          f"callgrind output kept in {out})")
    print(top_functions(report, args.top))


def top_functions(report: str, top: int) -> str:
    """The compiled functions of the project in callgrind_annotate's inclusive listing, each once (it lists a function
    by its source file and again by its object), as `instructions (share) name`."""
    seen: set[str] = set()
    rows: list[str] = []
    for line in report.splitlines():
        match = re.match(r"\s*([\d,]+ \(\s*[\d.]+%\))\s+\S*__native_\w+\.c:(CPyDef_\w+)", line)
        if match is not None and match.group(2) not in seen and len(rows) < top:
            seen.add(match.group(2))
            rows.append(f"{match.group(1)}  {match.group(2).removeprefix('CPyDef_')}")
    return "\n".join(rows)


if __name__ == "__main__":
    main()

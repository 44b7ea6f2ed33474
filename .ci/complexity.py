"""Gate: no function in gateway/, replay/ or policies/ above cyclomatic complexity 20, as radon counts it.

    python .ci/complexity.py        # exit 1 and list what is above the limit and not in the allow-list below

ruff's C901 counts differently (it misses boolean operators and comprehensions), so this gate uses radon, the tool the
figures in issue 19 came from. The allow-list holds what was above the limit when the gate came in; each entry goes
when its function is split, and nothing may be added to it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from radon.complexity import cc_visit

LIMIT = 20
PACKAGES = ("gateway", "replay", "policies")
ROOT = Path(__file__).resolve().parent.parent

# "path:qualified name", to be emptied (issue 19).
ALLOWED: set[str] = set()


def over_limit() -> list[tuple[str, int]]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            for block in cc_visit(path.read_text(encoding="utf-8")):
                if block.complexity > LIMIT:
                    found.append((f"{relative}:{block.fullname}", block.complexity))
    return found


def main() -> int:
    found = over_limit()
    new = [(name, cc) for name, cc in found if name not in ALLOWED]
    stale = ALLOWED - {name for name, _ in found}
    for name, cc in new:
        print(f"complexity: {name} is {cc} (limit {LIMIT}): split it into named pieces")
    for name in sorted(stale):
        print(f"complexity: {name} is no longer above {LIMIT} (or gone): remove it from ALLOWED in .ci/complexity.py")
    if new or stale:
        return 1
    print(f"complexity: nothing above {LIMIT} but the {len(ALLOWED)} functions still allowed (issue 19)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

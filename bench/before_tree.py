"""A git revision's tree to run a bench's "before" side from, as this tree runs: extracted with `git archive`, and
with its compiled modules built when this tree's are (else the before side would run pure Python against compiled
code here, and a comparison would measure mypyc, not the change). Kept under the temp directory by commit, since a
build takes a minute or more; bench/load.py and bench/replay_request.py share it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import policies.pii.detect as pii_detect  # noqa: E402
from policies.compiled import how_it_runs  # noqa: E402


def archive(revision: str) -> Path:
    """The tree of `revision` of this repository, extracted, with its compiled modules built as this tree's are. It is
    made under a name of its own and renamed once complete: the final name is the completion marker, so a run
    interrupted half-way, or another run building the same tree at the same time, never hands out a half-built one."""
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", revision], check=True, capture_output=True,
                            text=True).stdout.strip()
    tree = Path(tempfile.gettempdir()) / f"privacy-gateway-before-{commit[:12]}"
    compiled = "compiled" in how_it_runs(pii_detect)
    if _complete(tree, compiled):
        return tree
    part = Path(tempfile.mkdtemp(prefix=f"{tree.name}.part-", dir=tree.parent))
    try:
        tar = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", commit], check=True,
                             capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(part)], input=tar, check=True)
        if compiled and (part / "build_compiled.py").exists():
            print(f"building {revision}'s compiled modules in {part}", flush=True)
            subprocess.run([sys.executable, "build_compiled.py"], cwd=part, env={**os.environ, "PYTHONPATH": str(part)},
                           check=True, stdout=subprocess.DEVNULL)
        if tree.is_dir() and not _complete(tree, compiled):  # built without the compiled modules this tree runs
            stale = Path(tempfile.mkdtemp(prefix=f"{tree.name}.stale-", dir=tree.parent))
            os.replace(tree, stale / tree.name)
            shutil.rmtree(stale, ignore_errors=True)
        try:
            os.rename(part, tree)
        except OSError:  # another run put a complete one there meanwhile: that one serves
            if not _complete(tree, compiled):
                raise
    finally:
        shutil.rmtree(part, ignore_errors=True)
    return tree


def _complete(tree: Path, compiled: bool) -> bool:
    """Whether `tree` is there (renamed into place, so whole) with the compiled modules this tree runs with. A tree
    without build_compiled.py (older than it) has none to build."""
    return tree.is_dir() and (not compiled or (tree / "build" / "compiled.json").exists()
                              or not (tree / "build_compiled.py").exists())

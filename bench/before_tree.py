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
    """The tree of `revision` of this repository, extracted, with its compiled modules built as this tree's are."""
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", revision], check=True, capture_output=True,
                            text=True).stdout.strip()
    tree = Path(tempfile.gettempdir()) / f"privacy-gateway-before-{commit[:12]}"
    compiled = "compiled" in how_it_runs(pii_detect)
    if tree.is_dir() and (not compiled or (tree / "build" / "compiled.json").exists()):
        return tree
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir()
    tar = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", commit], check=True,
                         capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=tar, check=True)
    if compiled and (tree / "build_compiled.py").exists():
        print(f"building {revision}'s compiled modules in {tree}", flush=True)
        subprocess.run([sys.executable, "build_compiled.py"], cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)},
                       check=True, stdout=subprocess.DEVNULL)
    return tree

"""CLI commands load what they use: `privacy-gateway replay analyze` opens the database and runs the detectors; it never
loads the PII engine (Presidio and spaCy took ~5 s to import before the detectors ran, issue 18). Nor do the other
commands that only open the database."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from gateway import keys
from gateway.database import Database
from gateway.schema import DATABASE_FILE, MIGRATIONS
from policies.policy import Policy
from replay.compression import Compressor
from replay.store import ChunkIn, ReplayStore
from replay.summary import summarize
from tests.replay.streams import E, Recording

ROOT = Path(__file__).resolve().parents[2]

# Runs the command in a fresh interpreter, then says which heavy modules it loaded.
PROBE = """
import json, sys
from gateway.cli import main
code = main(sys.argv[1:])
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("presidio_analyzer", "presidio_anonymizer", "spacy")
               or m.startswith("policies.pii.engine") or m.startswith("policies.pii.scrubber"))
print(json.dumps({"code": code, "heavy": heavy}))
"""


def a_session_with_a_rage_click(data_dir: Path) -> None:
    rec = Recording()
    refs = rec.page(1000, "https://shop.example/cart", E("button", "Pay", ref="pay"))
    for t in (2000, 2200, 2400):
        rec.click(t, refs["pay"])
    rec.wait(6000)
    db = Database(data_dir / DATABASE_FILE, MIGRATIONS)
    try:
        # The master key the command will find in the data directory, made here as the gateway would on first start.
        store = ReplayStore(db, Compressor(3), keys.replay_keys(Policy("", (), ()), data_dir))
        chunk = ChunkIn("s-1", "w-1", (), rec.events, summarize(rec.events))
        asyncio.run(store.add("web", [chunk]))
    finally:
        db.close()


def test_replay_analyze_does_not_load_the_pii_engine(tmp_path: Path) -> None:
    a_session_with_a_rage_click(tmp_path)
    run = subprocess.run([sys.executable, "-c", PROBE, "replay", "analyze", "--all", "--data-dir", str(tmp_path)],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.strip().splitlines()
    assert lines[0] == "analysed 1 session(s): rage_click 1"
    result = json.loads(lines[-1])
    assert result == {"code": 0, "heavy": []}


@pytest.mark.parametrize("command", [["db"], ["purge"], ["check"]])
def test_commands_that_only_read_the_policy_or_the_database_do_not_load_it_either(tmp_path: Path,
                                                                                  command: list[str]) -> None:
    a_session_with_a_rage_click(tmp_path)
    args = command if command == ["check"] else [*command, "--data-dir", str(tmp_path)]
    run = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout.strip().splitlines()[-1]) == {"code": 0, "heavy": []}

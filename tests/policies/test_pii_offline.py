"""Presidio runs offline: building the engine and scrubbing attempt no network connection and write nothing outside
the data directory. Checked in a fresh interpreter (nothing imported or cached yet) with sockets blocked."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import sys

    attempts = []

    def block_network(event, args):
        if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.sendto"):
            attempts.append(event)
            raise OSError("network blocked by the test")

    sys.addaudithook(block_network)

    from pathlib import Path
    from policies.pii import PiiConfig, Scrubber

    scrubber = Scrubber(PiiConfig(), b"0123456789abcdef0123456789abcdef", Path(sys.argv[1]))
    out, _ = scrubber.scrub_value({"a": "mail jane@example.co.uk", "b": "https://x.example/?e=a%40b.com.au"})
    assert out == {"a": "mail [EMAIL]", "b": "https://x.example/?e=[EMAIL]"}, out
    print("attempts", len(attempts))
    """
)


def test_engine_and_scrubbing_make_no_network_attempt(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"), "PYTHONPATH": str(ROOT)}
    data = tmp_path / "data"
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(data)], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "attempts 0"
    assert "Public Suffix" not in result.stderr
    assert (data / "spacy-blank-en" / "config.cfg").exists()
    assert not any(home.rglob("*")), "wrote into the home directory (a tldextract or spaCy cache?)"

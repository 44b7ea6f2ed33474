"""The PII scrubber's compiled modules (listed in pyproject.toml, built by build_compiled.py) scrub exactly as their
Python sources do. CI runs the suite compiled (PRIVACY_GATEWAY_COMPILED=require); this keeps the pure path tested:
one child process imports the sources and scrubs the PII corpus, another scrubs it with what the suite runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

from policies.compiled import MODE_ENV, read_manifest, stale_reasons

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "fixtures" / "pii" / "corpus.jsonl"

# Every payload of the corpus scrubbed whole (scrub_value), and each of its strings as rrweb text: one line each.
SCRUBBED = textwrap.dedent(
    """
    import sys
    import orjson
    import policies.pii.walker
    from policies.pii import PiiConfig, Scrubber

    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for v in value.values():
                yield from strings(v)
        elif isinstance(value, list):
            for v in value:
                yield from strings(v)

    print(policies.pii.walker.__file__)
    scrubber = Scrubber(PiiConfig(), b"compiled-or-not-key-0123456789ab")
    with open(sys.argv[1], "rb") as corpus:
        for line in corpus:
            payload = orjson.loads(line)["payload"]
            value, findings = scrubber.scrub_value(payload)
            print(orjson.dumps([value, sorted(findings.items())]).decode())
            print(orjson.dumps([scrubber.scrub_text(s) for s in strings(payload)]).decode())
    """
)


def scrubbed(mode: str | None) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop(MODE_ENV, None)
    if mode is not None:
        env[MODE_ENV] = mode
    out = subprocess.run([sys.executable, "-c", SCRUBBED, str(CORPUS)], env=env, cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    return out.splitlines()


def test_the_scrubber_scrubs_the_corpus_the_same_compiled_and_as_pure_python() -> None:
    pure = scrubbed("pure")
    assert pure[0].endswith("walker.py"), "the child must run the Python sources"
    here = scrubbed(os.environ.get(MODE_ENV))
    assert len(pure) == len(here) > 2 * 1000
    assert pure[1:] == here[1:]
    assert any("[EMAIL]" in line for line in here), "the corpus holds PII that the scrubber replaces"
    manifest = read_manifest(ROOT)
    if (manifest is not None and "policies.pii.walker" in manifest.modules and not stale_reasons(manifest, ROOT)
            and os.environ.get(MODE_ENV) != "pure"):
        assert here[0].endswith(sysconfig.get_config_var("EXT_SUFFIX")), "fresh extensions must be what runs"

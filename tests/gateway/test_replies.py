"""A refusing vendor's reply as a dead letter keeps it: scrubbed by the real PII engine, JSON or not, then cut short,
and never cut before scrubbing (an address split at the cut would no longer be recognised)."""

from __future__ import annotations

import orjson
import pytest

from gateway.outbox.replies import MAX_REPLY_CHARS, SCANNED_CHARS, kept_reply
from policies.pii import PiiConfig, Scrubber
from policies.pii.engine import Analyzer

EMAIL = "rita.reply@example.com"


@pytest.fixture(scope="module")
def scrubber(tmp_path_factory: pytest.TempPathFactory) -> Scrubber:
    analyzer = Analyzer(tmp_path_factory.mktemp("pii-data"), ("US", "GB", "DE", "FR"), 0, 0.1)
    return Scrubber(PiiConfig(), b"replies-key-0123456789abcdef0123", analyzer=analyzer)


def test_a_json_reply_keeps_its_shape_without_the_address(scrubber: Scrubber) -> None:
    kept = kept_reply(orjson.dumps({"error": "invalid_payload", "echo": {"properties": {"contact": EMAIL}}}).decode(),
                      scrubber)
    assert EMAIL not in kept and orjson.loads(kept)["error"] == "invalid_payload"


def test_a_text_reply_is_scrubbed_then_cut(scrubber: Scrubber) -> None:
    reply = f"Bad request: {'x' * (MAX_REPLY_CHARS - 30)} profile {EMAIL} is locked" + " padding" * 50
    kept = kept_reply(reply[:SCANNED_CHARS], scrubber)
    assert kept.startswith("Bad request: ") and len(kept) == MAX_REPLY_CHARS
    assert "rita.reply" not in kept and "rita" not in kept  # the part before the cut is not left recognisable

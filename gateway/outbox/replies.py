"""A destination's reply to a delivery it refused, as a dead letter keeps it: scrubbed by the policy's PII engine, then
cut short. Vendors' error replies often echo the event they refused; the reply is shown to admins and kept until the
dead letter is redriven or purged, so it holds no more of the event than the scrubber left.

The transport reads up to SCANNED_CHARS of the reply and the scrubber sees all of it, so that the cut to
MAX_REPLY_CHARS, made after scrubbing, cannot split an identifier into a part the scrubber would not recognise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import orjson

if TYPE_CHECKING:
    from policies.pii.scrubber import Scrubber

SCANNED_CHARS = 4096
MAX_REPLY_CHARS = 500


def kept_reply(reply: str, scrubber: Scrubber) -> str:
    """The reply scrubbed (as JSON when it parses, which vendors' replies mostly do, else as free text) and cut."""
    try:
        value = orjson.loads(reply)
    except orjson.JSONDecodeError:
        return scrubber.scrub_text(reply)[:MAX_REPLY_CHARS]
    return orjson.dumps(scrubber.scrub_json(value)).decode()[:MAX_REPLY_CHARS]

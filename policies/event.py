"""The canonical event every protocol decodes into and encodes from.

The shape follows the Segment spec (track, identify, page, screen, group, alias), which the other vendors' models map
onto. Round trips are lossless: a field the model has no place for, or an explicit `null`, is kept in `extra` under its
wire name and written back by the encoder of the protocol that decoded it (`origin`); other protocols' encoders ignore
it.
`None` in a model field means "absent".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

EVENT_TYPES = ("track", "identify", "page", "screen", "group", "alias")

# Each model field and its wire name in the canonical (Segment-spec) form. Policy paths use the wire names:
# `userId`, `properties.email`, `context.ip`.
WIRE_NAMES = (
    ("event", "event"),
    ("name", "name"),
    ("user_id", "userId"),
    ("anonymous_id", "anonymousId"),
    ("group_id", "groupId"),
    ("previous_id", "previousId"),
    ("timestamp", "timestamp"),
    ("sent_at", "sentAt"),
    ("properties", "properties"),
    ("traits", "traits"),
    ("context", "context"),
    ("integrations", "integrations"),
)


@dataclass(slots=True)
class Event:
    type: str
    message_id: str
    event: str | None = None  # the action of a track call
    name: str | None = None  # the page or screen name
    user_id: Any = None  # SDKs send strings, and sometimes numbers; kept as sent
    anonymous_id: Any = None
    group_id: Any = None
    previous_id: Any = None
    timestamp: str | None = None
    sent_at: str | None = None
    properties: dict[str, Any] | None = None
    traits: dict[str, Any] | None = None
    context: dict[str, Any] | None = None
    integrations: dict[str, Any] | None = None
    origin: str = ""  # the protocol that decoded the event; its encoder alone understands `extra`
    extra: dict[str, Any] = field(default_factory=dict)

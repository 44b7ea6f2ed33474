"""The canonical field mapping: for each field of the canonical event, where each vendor keeps it.

One table, read two ways:
- `FIELDS` documents every canonical field and its place in each vendor's payload (docs/ingest.md's table is printed
  from it: `python -m gateway.protocols.fields`). The codecs look the wire names of the core fields up here
  (`wire_name`), so the table and the code cannot drift apart.
- `CONTEXT` is the subset that moves mechanically between `context.*` and a vendor field: `context_map(vendor)` does
  that for every codec, so adding a row here teaches every protocol at once.

Paths are dotted. A vendor path is relative to the vendor's event object: Amplitude keeps context at the top level of
an event (`os_name`), Mixpanel and PostHog among its `properties` (`properties.$os`).

Also here, because they are part of mapping one canonical field to several vendors: the dedup ids (`messageId` to
Amplitude `insert_id`, Mixpanel `$insert_id`, PostHog `uuid`, deterministic so a retry carries the same id) and the
timestamp conversions.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

VENDORS = ("segment", "amplitude", "mixpanel", "posthog")

# Segment sends no group type; destinations that need one use this (Mixpanel's and PostHog's docs use "company").
DEFAULT_GROUP_TYPE = "company"


@dataclass(frozen=True, slots=True)
class Field:
    canonical: str  # the canonical (Segment-spec) wire path, e.g. "userId" or "context.os.name"
    amplitude: str | None  # None: the vendor has no place for it, and it is not forwarded there
    mixpanel: str | None
    posthog: str | None
    note: str = ""

    def vendor(self, name: str) -> str | None:
        return self.canonical if name == "segment" else getattr(self, name)


# Core fields: the codecs read these names (wire_name) and convert values where a note says so.
CORE = (
    Field("event", "event_type", "event", "event", "track calls; other types use the special events below"),
    Field("type=page", "event_type=[Amplitude] Page Viewed", "event=$mp_web_page_view", "event=$pageview"),
    Field("type=screen", "event_type=[Amplitude] Screen Viewed", "event=Screen Viewed", "event=$screen",
          "Mixpanel has no screen event: a screen is forwarded as a track call named Screen Viewed"),
    Field("type=identify", "event_type=$identify", "/engage profile update", "event=$identify",
          "PostHog's $set event decodes as identify too"),
    Field("type=group", "event_type=$groupidentify", "/groups profile update", "event=$groupidentify"),
    Field("type=alias", "event_type=$identify", "event=$create_alias", "event=$create_alias",
          "Amplitude has no alias in its event API: the alias links previousId (as device_id) to userId"),
    Field("name", "event_properties.name", "properties.name", "properties.name",
          "page and screen names; a screen's is Amplitude `[Amplitude] Screen Name`, PostHog `$screen_name`"),
    Field("userId", "user_id", "properties.$user_id", "distinct_id",
          "Mixpanel: also distinct_id (from userId, else `$device:<anonymousId>`); /engage `$distinct_id`"),
    Field("anonymousId", "device_id", "properties.$device_id", "properties.$device_id",
          "PostHog: distinct_id when there is no userId; `$anon_distinct_id` on $identify"),
    Field("previousId", "device_id", "properties.distinct_id", "distinct_id", "alias calls; userId becomes `alias`"),
    Field("messageId", "insert_id", "properties.$insert_id", "uuid",
          "dedup ids; Mixpanel needs ≤ 36 of [A-Za-z0-9-] and PostHog a UUID, else a uuid5 of messageId"),
    Field("timestamp", "time", "properties.time", "timestamp",
          "ISO 8601 ↔ Amplitude epoch ms ↔ Mixpanel epoch ms (seconds accepted inbound; /engage `$time`)"),
    Field("properties", "event_properties", "properties", "properties"),
    Field("traits", "user_properties.$set", "$set", "properties.$set",
          "identify traits; PostHog's Python SDK sends a top-level `$set`, kept where it was"),
    Field("context.traits", "user_properties", None, None, "Amplitude's flat user_properties on any event"),
    Field("groupId", "groups.<type>", "$group_id", "properties.$group_key", "group calls"),
    Field("context.groupType", "groups key", "$group_key", "properties.$group_type",
          f"group calls; Segment has no group type, so `{DEFAULT_GROUP_TYPE}` unless context.groupType says"),
    Field("traits (group)", "group_properties.$set", "$set", "properties.$group_set", "group calls"),
    Field("context.groups", "groups", None, "properties.$groups", "groups an event belongs to: {type: id}"),
)

# Context fields: moved as they are, in both directions, by context_from_wire / context_to_wire.
CONTEXT = (
    Field("context.ip", "ip", "properties.ip", "properties.$ip",
          "the request's address when the SDK asks for it (Amplitude `$remote`, Mixpanel ip=1, PostHog by default)"),
    Field("context.library.name", "library", "properties.mp_lib", "properties.$lib",
          "Amplitude: one string `name/version`"),
    Field("context.library.version", "library", "properties.$lib_version", "properties.$lib_version"),
    Field("context.os.name", "os_name", "properties.$os", "properties.$os"),
    Field("context.os.version", "os_version", "properties.$os_version", "properties.$os_version"),
    Field("context.device.manufacturer", "device_manufacturer", "properties.$manufacturer",
          "properties.$device_manufacturer"),
    Field("context.device.model", "device_model", "properties.$model", "properties.$device_model"),
    Field("context.device.brand", "device_brand", "properties.$brand", None),
    Field("context.device.type", None, None, "properties.$device_type"),
    Field("context.app.version", "app_version", "properties.$app_version_string", "properties.$app_version"),
    Field("context.network.carrier", "carrier", "properties.$carrier", "properties.$network_carrier"),
    Field("context.location.country", "country", None, None),
    Field("context.location.region", "region", "properties.$region", None),
    Field("context.location.city", "city", "properties.$city", None),
    Field("context.location.latitude", "location_lat", None, None),
    Field("context.location.longitude", "location_lng", None, None),
    Field("context.locale", "language", None, "properties.$browser_language"),
    Field("context.userAgent", "user_agent", None, "properties.$raw_user_agent"),
    Field("context.page.url", None, "properties.$current_url", "properties.$current_url"),
    Field("context.page.path", None, None, "properties.$pathname"),
    Field("context.page.referrer", None, "properties.$referrer", "properties.$referrer"),
    Field("context.screen.width", None, "properties.$screen_width", "properties.$screen_width"),
    Field("context.screen.height", None, "properties.$screen_height", "properties.$screen_height"),
    Field("context.timezone", None, None, "properties.$timezone"),
)

FIELDS = CORE + CONTEXT
_CORE_BY_NAME = {f.canonical: f for f in CORE}


def wire_name(canonical: str, vendor: str) -> str:
    """The vendor's field for a core canonical field, as the table says (KeyError for an unknown field)."""
    name = _CORE_BY_NAME[canonical].vendor(vendor)
    if name is None:
        raise KeyError(f"{vendor} has no field for {canonical}")
    return name


def special_event(type_: str, vendor: str) -> str | None:
    """The event name a vendor uses for a canonical type (page, screen, identify, group, alias), if it uses one."""
    name = _CORE_BY_NAME[f"type={type_}"].vendor(vendor) or ""
    key, _, value = name.partition("=")
    return value if key in ("event", "event_type") and value else None


def _split(path: str) -> tuple[str, ...]:
    return tuple(path.split("."))


@dataclass(frozen=True)
class ContextMap:
    """The context rows of one vendor: (path under `context`, vendor key) pairs, indexed by the path's first key so
    encoding only looks at the parts of a context that are there."""

    rows: tuple[tuple[tuple[str, ...], str], ...]

    def __post_init__(self) -> None:
        by_top: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for path, key in self.rows:
            by_top.setdefault(path[0], []).append((path, key))
        object.__setattr__(self, "_by_top", {top: tuple(rows) for top, rows in by_top.items()})

    def from_wire(self, source: dict[str, Any]) -> dict[str, Any]:
        """Pop each row's vendor key out of `source` into a new context object."""
        context: dict[str, Any] = {}
        for path, key in self.rows:
            if key in source:
                put(context, path, source.pop(key))
        return context

    def to_wire(self, context: dict[str, Any] | None, target: dict[str, Any]) -> None:
        """Write each row's context value (when present) into `target` under the vendor key."""
        if not context:
            return
        by_top: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = self._by_top  # type: ignore[attr-defined]
        for top, value in context.items():
            for path, key in by_top.get(top, ()):
                if len(path) == 1:
                    target[key] = value
                    continue
                found, inner = get(value, path[1:])
                if found:
                    target[key] = inner


def context_map(vendor: str, prefix: str = "", skip: frozenset[str] = frozenset()) -> ContextMap:
    """The mechanically moved context fields of `vendor` whose vendor path starts with `prefix` (e.g. "properties."),
    the prefix removed. `skip` names vendor keys a codec converts itself."""
    rows = []
    for field in CONTEXT:
        path = field.vendor(vendor)
        if path is None or not path.startswith(prefix) or path[len(prefix):] in skip:
            continue
        rows.append((_split(field.canonical)[1:], path[len(prefix):]))
    return ContextMap(tuple(rows))


def get(obj: Any, path: tuple[str, ...]) -> tuple[bool, Any]:
    for key in path:
        if not isinstance(obj, dict) or key not in obj:
            return False, None
        obj = obj[key]
    return True, obj


def put(obj: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        obj = obj.setdefault(key, {})
    obj[path[-1]] = value


# -- dedup ids ---------------------------------------------------------------------------------------------------------

# uuid5 namespace for dedup ids derived from a messageId: fixed forever, or retries would change id.
DEDUP_NAMESPACE = uuid.UUID("6f1d0a52-3c55-5b8e-9d62-2f4c6a1b7e90")
_MIXPANEL_INSERT_ID = re.compile(r"[A-Za-z0-9-]{1,36}")


def derived_uuid(message_id: str) -> str:
    return str(uuid.uuid5(DEDUP_NAMESPACE, message_id))


def mixpanel_insert_id(message_id: str) -> str:
    """Mixpanel's $insert_id: ≤ 36 of [A-Za-z0-9-]; any other messageId becomes a deterministic uuid5."""
    return message_id if _MIXPANEL_INSERT_ID.fullmatch(message_id) else derived_uuid(message_id)


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        return False
    return True


def posthog_uuid(message_id: str) -> str:
    """PostHog's uuid must parse as a UUID; any other messageId becomes a deterministic uuid5."""
    return message_id if is_uuid(message_id) else derived_uuid(message_id)


# -- timestamps --------------------------------------------------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


MIN_MS, MAX_MS = -62135596800000, 253402300799999  # years 1 to 9999, what ISO 8601 and datetime can say


def iso_from_ms(ms: int) -> str | None:
    """Epoch milliseconds as ISO 8601 with milliseconds and `Z` (Segment's form); None outside years 1..9999."""
    if not MIN_MS <= ms <= MAX_MS:
        return None
    seconds, millis = divmod(ms, 1000)
    try:
        when = datetime.fromtimestamp(seconds, UTC)  # exact for whole seconds, and fast
    except (OverflowError, OSError, ValueError):
        when = _EPOCH + timedelta(seconds=seconds)
    return (f"{when.year:04d}-{when.month:02d}-{when.day:02d}T{when.hour:02d}:{when.minute:02d}:{when.second:02d}"
            f".{millis:03d}Z")


def ms_from_iso(text: str | None) -> int | None:
    """Epoch milliseconds of an ISO 8601 timestamp (no zone means UTC); None when it is not one."""
    if not isinstance(text, str):
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - _EPOCH) // _MS


def markdown_table() -> str:
    """The mapping as docs/ingest.md's Markdown table."""
    lines = ["| Canonical (Segment) | Amplitude | Mixpanel | PostHog | Note |", "|---|---|---|---|---|"]
    for field in FIELDS:
        cells = [field.canonical, field.amplitude, field.mixpanel, field.posthog]
        lines.append("| " + " | ".join(f"`{c}`" if c else "—" for c in cells) + f" | {field.note} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())

"""The rrweb event vocabulary: the numeric codes of rrweb 2.x events (packages/types/src/index.ts).

Plain int constants rather than IntEnums: the detectors compare them once per event on the hot path, and an `int == int`
comparison is several times cheaper than going through an enum member.
"""

from __future__ import annotations

# EventType (`event["type"]`)
DOM_CONTENT_LOADED = 0
LOAD = 1
FULL_SNAPSHOT = 2
INCREMENTAL_SNAPSHOT = 3
META = 4
CUSTOM = 5
PLUGIN = 6

# IncrementalSource (`event["data"]["source"]` of an incremental snapshot)
MUTATION = 0
MOUSE_MOVE = 1
MOUSE_INTERACTION = 2
SCROLL = 3
VIEWPORT_RESIZE = 4
INPUT = 5
TOUCH_MOVE = 6
MEDIA_INTERACTION = 7
STYLE_SHEET_RULE = 8
CANVAS_MUTATION = 9
FONT = 10
LOG = 11
DRAG = 12
STYLE_DECLARATION = 13
SELECTION = 14
ADOPTED_STYLE_SHEET = 15

# MouseInteractions (`data["type"]` when the source is MOUSE_INTERACTION)
MOUSE_UP = 0
MOUSE_DOWN = 1
CLICK = 2
CONTEXT_MENU = 3
DBL_CLICK = 4
FOCUS = 5
BLUR = 6
TOUCH_START = 7
TOUCH_END = 9

# Serialized NodeType (rrweb-snapshot)
DOCUMENT_NODE = 0
DOCUMENT_TYPE_NODE = 1
ELEMENT_NODE = 2
TEXT_NODE = 3
CDATA_NODE = 4
COMMENT_NODE = 5

# Sources that change what the user sees without being a DOM mutation. Sentry's click detector counts them as a
# reaction to a click too: a click that restyles the page, redraws a canvas or starts a video did something.
VISIBLE_CHANGE_SOURCES = frozenset(
    {MEDIA_INTERACTION, STYLE_SHEET_RULE, CANVAS_MUTATION, STYLE_DECLARATION, ADOPTED_STYLE_SHEET}
)

CONSOLE_PLUGIN = "rrweb/console@1"
NETWORK_PLUGIN = "rrweb/network@1"  # posthog-js's network recorder

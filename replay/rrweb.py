"""The rrweb event vocabulary: the numeric codes of rrweb 2.x events (packages/types/src/index.ts).

Plain int constants rather than IntEnums: the detectors compare them once per event on the hot path, and an `int == int`
comparison is several times cheaper than going through an enum member. `Final`, so that the compiled detectors
(build_compiled.py) use them as constants instead of looking them up in this module on each comparison.
"""

from __future__ import annotations

from typing import Final

# EventType (`event["type"]`)
DOM_CONTENT_LOADED: Final = 0
LOAD: Final = 1
FULL_SNAPSHOT: Final = 2
INCREMENTAL_SNAPSHOT: Final = 3
META: Final = 4
CUSTOM: Final = 5
PLUGIN: Final = 6

# IncrementalSource (`event["data"]["source"]` of an incremental snapshot)
MUTATION: Final = 0
MOUSE_MOVE: Final = 1
MOUSE_INTERACTION: Final = 2
SCROLL: Final = 3
VIEWPORT_RESIZE: Final = 4
INPUT: Final = 5
TOUCH_MOVE: Final = 6
MEDIA_INTERACTION: Final = 7
STYLE_SHEET_RULE: Final = 8
CANVAS_MUTATION: Final = 9
FONT: Final = 10
LOG: Final = 11
DRAG: Final = 12
STYLE_DECLARATION: Final = 13
SELECTION: Final = 14
ADOPTED_STYLE_SHEET: Final = 15

# MouseInteractions (`data["type"]` when the source is MOUSE_INTERACTION)
MOUSE_UP: Final = 0
MOUSE_DOWN: Final = 1
CLICK: Final = 2
CONTEXT_MENU: Final = 3
DBL_CLICK: Final = 4
FOCUS: Final = 5
BLUR: Final = 6
TOUCH_START: Final = 7
TOUCH_END: Final = 9

# Serialized NodeType (rrweb-snapshot)
DOCUMENT_NODE: Final = 0
DOCUMENT_TYPE_NODE: Final = 1
ELEMENT_NODE: Final = 2
TEXT_NODE: Final = 3
CDATA_NODE: Final = 4
COMMENT_NODE: Final = 5

# Sources that change what the user sees without being a DOM mutation. Sentry's click detector counts them as a
# reaction to a click too: a click that restyles the page, redraws a canvas or starts a video did something.
VISIBLE_CHANGE_SOURCES: Final = frozenset(
    {MEDIA_INTERACTION, STYLE_SHEET_RULE, CANVAS_MUTATION, STYLE_DECLARATION, ADOPTED_STYLE_SHEET}
)

CONSOLE_PLUGIN: Final = "rrweb/console@1"
NETWORK_PLUGIN: Final = "rrweb/network@1"  # posthog-js's network recorder

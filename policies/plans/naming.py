"""Naming conventions for event names: a named style or the author's own regular expression.

"Object Action" is Segment's and most B2B programmes' convention: a Title Case noun then a past-tense verb, e.g.
"Report Exported", "User Invited", "Trial Started". The check is on shape, not vocabulary: two or more Title Case
words (an all-caps acronym counts, "CSV Exported"), the last one read as the action.
"""

from __future__ import annotations

import re

STYLES = {
    "Object Action": r"^(?:[A-Z][a-z0-9]*|[A-Z0-9]{2,})(?: (?:[A-Z][a-z0-9]*|[A-Z0-9]{2,}))+$",
    "object_action": r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$",
    "snake_case": r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$",
    "camelCase": r"^[a-z][a-zA-Z0-9]*$",
}


def naming_pattern(value: str) -> re.Pattern[str]:
    """The compiled pattern of a style's name, or of `value` itself as a regular expression (re.error if bad)."""
    return re.compile(STYLES.get(value, value))

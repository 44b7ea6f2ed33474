"""How deeply a JSON value nests, and the limit every request body is held to.

orjson reads 1,024 levels but writes at most 255, and the gateway writes back what it reads: events into the outbox,
recordings into chunks, sessions into exports, each inside wrappers of its own. A body nested deeper than that could be
accepted and then fail on the way out (a recording 254 levels deep got a 500). So every parsed body is held to
MAX_DEPTH levels, well inside what orjson writes, and a deeper one is refused as bad input.

The check asks the encoder itself: wrapped in as many one-element lists as orjson has levels to spare beyond the
limit, a value encodes only if it nests no deeper than the limit. That encode, in C, costs 0.18-0.34 of the parse that
produced the value; a walk of the value in Python costs 2.1-2.7 times the parse (bench/json_depth.py).
"""

from __future__ import annotations

from typing import Any

import orjson

MAX_DEPTH = 200  # levels: a scalar is 0, `[]` is 1, `{"a": []}` is 2


def _writable_depth() -> int:
    """The deepest nesting orjson encodes (254 levels, counted as here, in orjson 3), found once, not assumed."""
    value: list[Any] = []
    depth = 1
    while depth < 10_000:
        try:
            orjson.dumps([value])
        except orjson.JSONEncodeError:
            return depth
        value, depth = [value], depth + 1
    return depth


WRITABLE_DEPTH = _writable_depth()


def within(value: Any, max_depth: int = MAX_DEPTH) -> bool:
    """Whether `value` (as parsed from JSON) nests no deeper than `max_depth` levels (at most WRITABLE_DEPTH)."""
    wrapped = value
    for _ in range(WRITABLE_DEPTH - max_depth):
        wrapped = [wrapped]
    try:
        orjson.dumps(wrapped)
    except orjson.JSONEncodeError:
        return False
    return True


def too_deep(max_depth: int = MAX_DEPTH) -> str:
    """What a refusal says, after the name of what is too deep."""
    return f"is nested deeper than {max_depth} levels"

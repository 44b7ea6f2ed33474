"""Odd input made forwardable: what no JSON encoder takes, what is nested too deep, and the marks left in its place.

A scrubbed value always encodes as JSON: lone surrogates (from "\\ud800" escapes) are replaced, integers beyond 64 bits
become their text, NaN and Infinity become null, containers past the depth limit become "[TOO_DEEP]". Each repair is a
finding in the "limits" rule, so that the metrics say how often it happens.
"""

from __future__ import annotations

import math
from typing import Any

from policies.pii.findings import FindingKey

TOO_DEEP = "[TOO_DEEP]"
TRUNCATED = "[TRUNCATED]"
UNSCANNED = "[UNSCANNED]"
INT64_MIN, UINT64_MAX = -(2**63), 2**64 - 1

BAD_UNICODE: FindingKey = ("INVALID_UNICODE", "limits", "replace")
BAD_NUMBER: FindingKey = ("INVALID_NUMBER", "limits", "replace")
DEPTH: FindingKey = ("DEPTH_LIMIT", "limits", "replace")
OVERSIZE: FindingKey = ("OVERSIZE", "limits", "truncate")


def encodable(text: str) -> str | None:
    """`text` with lone surrogates (from "\\ud800" escapes) replaced, or None if it encodes as it is."""
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return None


def in_int64(value: int) -> bool:
    return INT64_MIN <= value <= UINT64_MAX


def number_text(value: int) -> str:
    """The text of an integer JSON encoders refuse (orjson: beyond 64 bits); str() itself refuses past 4300 digits."""
    return str(value) if value.bit_length() < 13_000 else "[NUMBER]"


def sanitize(holder: Any, slot: Any, value: Any, depth: int, max_depth: int, findings: list[FindingKey]) -> None:
    """Leave `holder[slot]` as it is but for what no JSON encoder takes and what is deeper than the limit: a kept
    field is never scrubbed, but it is still forwarded."""
    t = type(value)
    if t is str:
        clean = encodable(value)
        if clean is not None:
            holder[slot] = clean
            findings.append(BAD_UNICODE)
    elif t is dict or t is list or t is tuple:
        _sanitize_container(holder, slot, value, depth, max_depth, findings)
    elif t is int:
        if not in_int64(value):
            holder[slot] = number_text(value)
            findings.append(BAD_NUMBER)
    elif t is float:
        if not math.isfinite(value):
            holder[slot] = None
            findings.append(BAD_NUMBER)
    elif value is not None and t is not bool:
        holder[slot] = str(value)


def _sanitize_container(holder: Any, slot: Any, value: Any, depth: int, max_depth: int,
                        findings: list[FindingKey]) -> None:
    if depth >= max_depth:
        holder[slot] = TOO_DEEP
        findings.append(DEPTH)
        return
    if type(value) is tuple:
        value = holder[slot] = list(value)
    if type(value) is dict:
        for key in list(value):
            clean = encodable(key) if isinstance(key, str) else None
            if clean is not None:
                value[clean] = value.pop(key)
                findings.append(BAD_UNICODE)
                key = clean
            sanitize(value, key, value[key], depth + 1, max_depth, findings)
    else:
        for i, item in enumerate(value):
            sanitize(value, i, item, depth + 1, max_depth, findings)


def copy_json(value: Any, depth: int = 0) -> Any:
    """A copy of the containers of a JSON value (strings and numbers are immutable). The walk has a lower depth limit
    of its own; this recursion stops at 200 levels, where what is left becomes "[TOO_DEEP]"."""
    if depth > 200:
        return TOO_DEEP
    t = type(value)
    if t is dict:
        return {k: copy_json(v, depth + 1) for k, v in value.items()}
    if t is list or t is tuple:
        return [copy_json(v, depth + 1) for v in value]
    return value

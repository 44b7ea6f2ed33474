"""What a value looks like, never what it is: its JSON type, and for a string the name of its format.

The plan names observed types in violations with these; the catalog names string formats. Neither keeps a value.
"""

from __future__ import annotations

import re
from typing import Any

_TYPES: dict[type, str] = {str: "string", bool: "boolean", int: "integer", float: "number", dict: "object",
                           list: "array", type(None): "null"}

# Formats recognised in a string, most specific first. Names follow JSON Schema's `format` where one exists.
_FORMATS = (
    ("date-time", re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?$")),
    ("date", re.compile(r"^\d{4}-\d\d-\d\d$")),
    ("uuid", re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")),
    ("uri", re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://\S+$")),
    ("email", re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")),
    ("numeric", re.compile(r"^-?\d+(\.\d+)?$")),
)


def json_type(value: Any) -> str:
    """The JSON Schema type name of a decoded JSON value ("integer" for whole numbers, as JSON Schema counts them)."""
    kind = _TYPES.get(type(value))
    if kind is None:
        return "object" if isinstance(value, dict) else "array" if isinstance(value, list) else type(value).__name__
    if kind == "number" and float(value).is_integer():
        return "integer"
    return kind


def string_format(text: str) -> str:
    """The first format `text` matches, or "text"."""
    if len(text) <= 200:
        for name, pattern in _FORMATS:
            if pattern.match(text):
                return name
    return "text"

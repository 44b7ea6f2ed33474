"""The stores' SQL uses `?` for parameters (SQLite's style); psycopg wants `%s`, and a literal `%` doubled.

Only placeholders are translated: `?` inside a quoted string or identifier, or in a comment, is left alone. Each
statement is translated once and remembered (the stores use a few hundred distinct statements).
"""

from __future__ import annotations

import functools
import re

# A quoted string, a quoted identifier, a line comment, or one character that needs translating.
_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|[?%]")


@functools.lru_cache(maxsize=4096)
def to_format(sql: str) -> str:
    """`sql` with `?` placeholders as `%s`, and every literal `%` as `%%` (psycopg parses the whole text for them)."""

    def replace(match: re.Match[str]) -> str:
        token = match.group()
        if token == "?":
            return "%s"
        return token.replace("%", "%%")

    return _TOKENS.sub(replace, sql)

"""Cells of the CSV files the gateway writes, made safe to open in a spreadsheet.

Report cells carry text that visitors chose (page URLs, element text, form field names). A spreadsheet runs a cell
that starts with `=`, `+`, `-` or `@` as a formula (a tab or carriage return first is skipped by some), which can
fetch URLs or, with DDE, start programs on the reader's machine. Such a text cell is written with a leading `'`,
which spreadsheets show as text and do not evaluate (OWASP's advice for CSV injection). Numbers stay numbers: a
negative count is not a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """`value` as a spreadsheet will show it and never run it."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(rows: Iterable[Mapping[str, Any]], columns: list[str]) -> str:
    """`rows` under a header of `columns`, every cell neutralised: the one writer of every CSV the gateway serves."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([neutralise(name) for name in columns])
    writer.writerows([neutralise(row.get(name)) for name in columns] for row in rows)
    return out.getvalue()

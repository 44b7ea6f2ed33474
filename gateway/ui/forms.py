"""Reading what the pages send: form posts (application/x-www-form-urlencoded only, within a size limit) and the
dates of filter fields.

The pages' forms are small and never upload files, so the standard library's parser is enough (no multipart parser
to install). Repeated fields (checkboxes) are kept as lists in `FormData.lists`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs

from starlette.requests import Request

MAX_FORM_BYTES = 64 * 1024
MAX_FIELDS = 200


class FormTooLarge(ValueError):
    pass


@dataclass(frozen=True)
class FormData:
    lists: dict[str, list[str]] = field(default_factory=dict)

    def get(self, name: str, default: str = "") -> str:
        values = self.lists.get(name)
        return values[0] if values else default

    def getlist(self, name: str) -> list[str]:
        return list(self.lists.get(name, ()))


async def read_form(request: Request) -> FormData:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise FormTooLarge(f"the form is larger than {MAX_FORM_BYTES // 1024} KB")
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return FormData()
    try:
        return FormData(parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=MAX_FIELDS))
    except ValueError:
        raise FormTooLarge(f"the form has more than {MAX_FIELDS} fields") from None


def day_ms(text: str, *, end: bool = False) -> int | None:
    """A YYYY-MM-DD date as epoch ms at 00:00 UTC (the day after, for an inclusive end date)."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    if end:
        day += timedelta(days=1)
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)

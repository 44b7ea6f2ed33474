"""The gateway's log: one handler on stderr for every logger (the gateway's, replay's, uvicorn's), as JSON lines or
as text, each line with the id of the request it was written for.

    {"time": "2026-12-03T15:40:02.113Z", "level": "info", "logger": "gateway.requests", "message": "request refused",
     "request_id": "4f1c...", "route": "/v1/batch", "status": 401, "reason": "unauthorized", "source": "unknown",
     "protocol": "segment", "count": 1}

    2026-12-03 15:40:02,113 INFO gateway.requests [4f1c...] request refused route=/v1/batch status=401 ...

Fields given with `extra=` become keys of the JSON object (or `key=value` after the text). What may be logged is the
callers' business: codes, names, counts and durations, never payloads, keys or identifiers.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import TextIO

import orjson

from gateway import request_context

FORMATS = ("text", "json")
LEVELS = ("debug", "info", "warning", "error")
# uvicorn's loggers keep their own handlers unless told otherwise; here they write through ours.
SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")
# httpx logs each call's URL at info: the PostHog pass-through's carries the destination's project key in its query.
# Presidio logs at debug for every string it scans (a dozen lines per string, the gateway's debug log drowned in them)
# and its decision trace may carry the text scanned: it never writes below warning either.
QUIET_LOGGERS = ("httpx", "httpcore", "presidio-analyzer", "presidio-anonymizer")

# What every LogRecord has: anything else on a record came from `extra=`. (uvicorn adds `color_message`, its message
# again with terminal colours: not a field.)
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message", "asctime", "request_id", "color_message"}


def _fields(record: logging.LogRecord) -> dict[str, object]:
    return {key: value for key, value in record.__dict__.items() if key not in _STANDARD}


class RequestIdFilter(logging.Filter):
    """Puts the current request's id (or None outside a request) on every record as `request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = request_context.current()
        record.request_id = context.id if context is not None else None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")[:-6] + "Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id is not None:
            line["request_id"] = request_id
        line.update(_fields(record))
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


class TextFormatter(logging.Formatter):
    """`time LEVEL logger [request id]: message key=value ...`"""

    def formatMessage(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        request = f" [{request_id}]" if request_id else ""
        fields = "".join(f" {key}={value}" for key, value in _fields(record).items())
        return f"{self.formatTime(record)} {record.levelname} {record.name}{request}: {record.getMessage()}{fields}"


def configure(log_format: str = "text", level: str = "info", stream: TextIO | None = None) -> logging.Handler:
    """Route every logger through one handler on `stream` (stderr) in `log_format`, at `level` and above."""
    if log_format not in FORMATS:
        raise ValueError(f"log format must be one of {FORMATS}, not {log_format!r}")
    if level not in LEVELS:
        raise ValueError(f"log level must be one of {LEVELS}, not {level!r}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(RequestIdFilter())
    # The handler's level too: a logger set lower by its library (uvicorn sets its own) still cannot pass below it.
    handler.setLevel(level.upper())
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in SERVER_LOGGERS:
        server = logging.getLogger(name)
        server.handlers.clear()
        server.propagate = True
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    logging.captureWarnings(True)  # a library's warning is a line in the same format, not a stray one on stderr
    return handler

"""The gateway's log as `serve --log-format json|text --log-level L` sets it up: one line per record, the request
id when there is a request, structured fields, uvicorn's lines in the same format, and nothing below the level."""

from __future__ import annotations

import io
import logging
import re
import warnings
from collections.abc import Callable

import orjson

from gateway import request_context

Configure = Callable[[str, str], io.StringIO]


def test_a_json_line_has_time_level_logger_message_and_the_fields_given(configured_logs: Configure) -> None:
    stream = configured_logs("json", "info")

    logging.getLogger("gateway.sender").warning("sender %s: retrying", "segment", extra={"attempt": 3})

    line = orjson.loads(stream.getvalue())
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line.pop("time"))
    assert line == {"level": "warning", "logger": "gateway.sender", "message": "sender segment: retrying",
                    "attempt": 3}  # no request_id: no request was being served


def log_while_serving(request_id: str, message: str, *args: object, **fields: object) -> None:
    _, token = request_context.enter(request_id)
    try:
        logging.getLogger("replay").info(message, *args, extra=fields)
    finally:
        request_context.leave(token)


def test_a_line_written_while_serving_a_request_names_it(configured_logs: Configure) -> None:
    stream = configured_logs("json", "info")
    log_while_serving("req-42", "trained a dictionary")

    assert orjson.loads(stream.getvalue())["request_id"] == "req-42"


def test_a_text_line_names_the_request_and_lists_the_fields(configured_logs: Configure) -> None:
    stream = configured_logs("text", "info")
    log_while_serving("req-43", "trained %d dictionaries", 2, source="web")

    assert re.fullmatch(r"\S+ \S+ INFO replay \[req-43\]: trained 2 dictionaries source=web\n", stream.getvalue())


def test_an_error_carries_its_traceback_in_the_same_json_line(configured_logs: Configure) -> None:
    stream = configured_logs("json", "info")
    try:
        raise OSError("database or disk is full")
    except OSError:
        logging.getLogger("gateway.database").exception("write failed")

    (line,) = [orjson.loads(text) for text in stream.getvalue().splitlines()]
    assert line["level"] == "error" and "OSError: database or disk is full" in line["error"]


def test_uvicorns_lines_and_warnings_come_out_in_the_same_format(configured_logs: Configure) -> None:
    stream = configured_logs("json", "info")

    logging.getLogger("uvicorn.error").info("Application startup complete.")
    # uvicorn gives some lines a copy of the message with terminal colours: not for a log collector.
    logging.getLogger("uvicorn.error").info("Finished server process [%d]", 7,
                                            extra={"color_message": "Finished server process [\x1b[36m%d\x1b[0m]"})
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("a library is unhappy", UserWarning, stacklevel=1)

    lines = [orjson.loads(text) for text in stream.getvalue().splitlines()]
    assert [(line["logger"], line["level"]) for line in lines] == [("uvicorn.error", "info"), ("uvicorn.error", "info"),
                                                                    ("py.warnings", "warning")]
    assert lines[1] == {**lines[1], "message": "Finished server process [7]"} and "color_message" not in lines[1]


def test_nothing_below_the_level_is_written_whoever_logs_it(configured_logs: Configure) -> None:
    stream = configured_logs("json", "warning")
    logging.getLogger("uvicorn.error").setLevel(logging.INFO)  # as uvicorn sets its own logger

    logging.getLogger("uvicorn.error").info("Started server process")
    logging.getLogger("gateway.requests").info("request refused")
    logging.getLogger("gateway.health").warning("disk below the reserve")

    assert [orjson.loads(text)["message"] for text in stream.getvalue().splitlines()] == ["disk below the reserve"]


def test_httpx_does_not_write_the_urls_it_calls(configured_logs: Configure) -> None:
    """Its info line has the URL, with the PostHog project key in the pass-through's query."""
    stream = configured_logs("json", "debug")

    logging.getLogger("httpx").info('HTTP Request: GET https://eu.i.posthog.com/decide/?token=phc_project "200"')

    assert stream.getvalue() == ""

"""Error clicks: a click followed within 1 s by a console error, as recorded by rrweb's console plugin.

The error is attributed to the most recent click only (the one most likely to have run the failing handler), and a
click is reported once however many errors follow it. An error on a new page belongs to that page, not to the click
that navigated there.

Console errors arrive as Plugin events (`rrweb/console@1`, payload `{level, payload: [...], trace}`) or, from older
recorders, as IncrementalSnapshot source 11 (Log) with the same fields. The message is kept short: it is meant to
tell a developer which error it was, and console output can carry personal data.
"""

from __future__ import annotations

from typing import Any

from policies.detect import DetectConfig
from replay.console import console_message
from replay.detect.pages import Page
from replay.detect.signal import ERROR_CLICK, Signal, SignalFactory
from replay.detect.targets import ClickTarget


class _ErrorClick:
    """The last click, waiting for errors. (Not a dataclass: see replay.detect.rage.Click.)"""

    __slots__ = ("errors", "first_error_at", "message", "page", "target", "timestamp")

    def __init__(self, timestamp: int, target: ClickTarget, page: Page) -> None:
        self.timestamp = timestamp
        self.target = target
        self.page = page
        self.first_error_at = 0
        self.message = ""
        self.errors = 0


def console_error_message(payload: Any) -> str | None:
    """The message of a console-plugin payload if it is an error, else None."""
    found = console_message(payload)
    return found[1] if found is not None and found[0] == "error" else None


class ErrorClicks:
    def __init__(self, config: DetectConfig) -> None:
        self.window = config.error_click_window_ms
        self._last: _ErrorClick | None = None
        self._found: list[_ErrorClick] = []

    def on_click(self, timestamp: int, target: ClickTarget, page: Page) -> None:
        self._last = _ErrorClick(timestamp, target, page)

    def on_error(self, timestamp: int, message: str) -> None:
        click = self._last
        if click is None or not 0 <= timestamp - click.timestamp <= self.window:
            return
        if not click.errors:
            click.first_error_at, click.message = timestamp, message
            self._found.append(click)
        click.errors += 1

    def on_page_end(self) -> None:
        self._last = None

    def signals(self, factory: SignalFactory) -> list[Signal]:
        return [
            factory.make(
                ERROR_CLICK,
                c.timestamp,
                c.page,
                c.target.element,
                {"error": c.message, "errors": c.errors, "time_to_error_ms": c.first_error_at - c.timestamp},
            )
            for c in self._found
        ]

"""Replay sessions as the admin API lists them, for tests that wait for the gateway's analysis."""

from __future__ import annotations

from typing import Any


def fully_analysed(session: dict[str, Any]) -> bool:
    """Whether the analysis has seen every chunk the session has stored. `analyzed_at` alone is not enough: it is set
    by the first analysis, and a session whose chunks came with a pause between them (posthog-js flushes every few
    seconds; a loaded machine stretches the gaps past `analyze_after_idle_s`) is analysed once per quiet spell. An
    analysis is stamped with when it started reading, so it covered every chunk stored up to `updated_at` when it is
    not older; this is also how the gateway decides that a session is due again (replay.analysis.sessions_due)."""
    return session["analyzed_at"] is not None and session["analyzed_at"] >= session["updated_at"]

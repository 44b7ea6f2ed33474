"""Frustration signals from rrweb recordings: rage clicks, dead clicks, form abandonment, error clicks, thrashed
cursor, and a per-session score. Pure analysis: no HTTP, no database.

    from replay.detect import DetectConfig, analyze_session
    analysis = analyze_session("sess_1", {"window_1": events}, DetectConfig())
    for signal in analysis.signals:
        print(signal.kind, signal.page_url, signal.selector, signal.details)
"""

from policies.detect import KINDS, DetectConfig
from replay.detect.session import SessionAnalysis, analyze_session
from replay.detect.signal import Signal

__all__ = ["KINDS", "DetectConfig", "SessionAnalysis", "Signal", "analyze_session"]

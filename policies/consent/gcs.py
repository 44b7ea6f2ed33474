"""Google Consent Mode's `gcs` value: the consent state Google tags put on every hit.

The format is `G1` then one character for `ad_storage` and one for `analytics_storage`: `1` granted, `0` denied
(G100, G101, G110, G111). Tags that run before any default was set send `-` for a signal that is not set, which says
nothing either way. The v2 signals `ad_user_data` and `ad_personalization` travel only in `gcd`, which is not read here.
"""

from __future__ import annotations

import re

SIGNALS = ("ad_storage", "analytics_storage")  # in the order gcs carries them

_GCS = re.compile(r"G1([01-])([01-])")
_STATE = {"1": True, "0": False, "-": None}


def parse_gcs(value: str) -> dict[str, bool]:
    """The signals `value` states, granted or not; a `-` signal is left out. Raises ValueError for anything else."""
    match = _GCS.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"expected G1 and two of 0, 1 or - (e.g. G101), got {value!r:.40}")
    states = (_STATE[match.group(1)], _STATE[match.group(2)])
    return {signal: state for signal, state in zip(SIGNALS, states, strict=True) if state is not None}

"""The policy the benches serve: one source, opt-out (every event goes the whole way, delivery included), one Segment
destination. bench/load.py points it at its capture vendor; bench/request_stack.py at a port nothing listens on (its
probes deliver nothing)."""

from __future__ import annotations

WRITE_KEY = "bench-write-key"

_POLICY = """
[[sources]]
name = "web"
write_keys = ["{write_key}"]
consent_model = "opt-out"   # every event is forwarded: the whole path, delivery included
destinations = ["capture"]

[[destinations]]
name = "capture"
protocol = "segment"
endpoint = "{vendor}"
purposes = ["analytics"]
credentials = {{ write_key = "vendor-key" }}
{extra}
"""


def policy_text(vendor: str, extra: str = "", write_key: str = WRITE_KEY) -> str:
    """The policy's TOML, delivering to `vendor`, with `extra` (more tables, e.g. `[http]`) at its end."""
    return _POLICY.format(write_key=write_key, vendor=vendor, extra=extra)

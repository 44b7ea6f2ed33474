"""PII scrubbing: key rules, field rules by path selector, and value detectors (Presidio), per the policy's `[pii]`.

The exports load lazily: reading a policy (`read_pii`) must not import Presidio and spaCy, which take a second.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from policies.pii.config import DetectorClass, FieldRule, PiiConfig, read_pii
    from policies.pii.findings import Findings, format_findings
    from policies.pii.scrubber import Scrubber

_EXPORTS = {
    "DetectorClass": "policies.pii.config",
    "FieldRule": "policies.pii.config",
    "PiiConfig": "policies.pii.config",
    "read_pii": "policies.pii.config",
    "Findings": "policies.pii.findings",
    "format_findings": "policies.pii.findings",
    "Scrubber": "policies.pii.scrubber",
}
__all__ = ["DetectorClass", "FieldRule", "Findings", "PiiConfig", "Scrubber", "format_findings", "read_pii"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'policies.pii' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)

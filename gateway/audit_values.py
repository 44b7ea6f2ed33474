"""What the audit log keeps of values that may name a person: a keyed hash, never the value.

An audit entry says who asked for what. What was asked may be personal (a search by URL holding an e-mail, a receipt
checked by whatever string was pasted, an account named by its e-mail): the chain keeps entries for years and cannot
drop one without breaking, so such values are written as `hmac:<hex>` (HMAC-SHA256 under the `audit-values` key,
derived in gateway.keys) and searched by hashing the searched value the same way.

- a target is kept as it is only when it has the shape of an id (letters, digits, `_ . : -`), unless it is all
  digits and separators, 7 digits or more: that may be a phone number (`4915112345678`, `+49-151-1234567`). A run of
  digits inside an id (`del_3f9a1234567b…`, the gateway's own hex ids) is not, or ids would be hashed by chance;
  anything else is hashed;
- the values of a `filters` mapping in the details are hashed, except those of FILTER_SHAPES (names, numbers, times,
  flags chosen from a fixed set): the entry keeps which filters were used and how, not what they matched.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from policies.keyed_hash import KeyedHash

PREFIX = "hmac:"
# Filters whose values are the gateway's own vocabulary or numbers, never a person's.
FILTER_SHAPES = frozenset({
    "action", "limit", "offset", "since", "until", "before", "order", "signal", "min_score", "flagged", "source",
    "destination", "include_claimed", "status", "from", "to", "window",
})
_ID_SHAPE = re.compile(r"\*|[A-Za-z0-9_.:-]{1,128}")
_PHONE_LIKE = re.compile(r"\+?(?:[0-9][ .()-]?){6,}[0-9]")


@dataclass(frozen=True)
class AuditValues:
    key: bytes  # keys.derive(secret, "audit-values")
    _keyed: KeyedHash = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_keyed", KeyedHash(self.key))  # (frozen: set once, here)

    def hash(self, value: str) -> str:
        return PREFIX + self._keyed.hexdigest(value.encode("utf-8"))[:32]

    def target(self, target: str) -> str:
        """The target as the log keeps it: as it is when it has the shape of an id, else hashed."""
        if _ID_SHAPE.fullmatch(target) and not _PHONE_LIKE.fullmatch(target):
            return target
        return self.hash(target)

    def details(self, details: Mapping[str, Any]) -> dict[str, Any]:
        """The details as the log keeps them: a `filters` mapping's values hashed unless in FILTER_SHAPES."""
        kept = dict(details)
        filters = kept.get("filters")
        if isinstance(filters, Mapping):
            kept["filters"] = {name: value if name in FILTER_SHAPES else self.hash(str(value))
                               for name, value in filters.items()}
        return kept

    def searched(self, value: str) -> tuple[str, str]:
        """How a searched value can appear: as it is (a target with an id's shape), and hashed (a target or a filter
        that was hashed)."""
        return value, self.hash(value)

"""What the scrubber found and did, as counts only: never a value, never a position in a payload.

A finding is keyed by (entity type, rule, action), for example ("EMAIL_ADDRESS", "detector", "replace") or
("IP_ADDRESS", "context.ip", "truncate_ip"). Every part comes from the policy or from the engine's fixed vocabulary, so
the keys are safe as metric labels and their number is bounded by the policy.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

FindingKey = tuple[str, str, str]  # (entity type, rule, action)


class Findings:
    """Counts by (entity type, rule, action). Mergeable with `+=`; compares equal by counts."""

    __slots__ = ("_counts",)

    def __init__(self, counts: Iterable[tuple[FindingKey, int]] = ()) -> None:
        self._counts: dict[FindingKey, int] = {}
        for key, n in counts:
            self.add(key, n)

    @classmethod
    def of(cls, keys: Iterable[FindingKey]) -> Findings:
        """One count per key occurrence (called once per event: a plain loop beats Counter on a few keys)."""
        findings = cls()
        if keys:
            counts = findings._counts
            for key in keys:
                counts[key] = counts.get(key, 0) + 1
        return findings

    def add(self, key: FindingKey, n: int = 1) -> None:
        if n:
            self._counts[key] = self._counts.get(key, 0) + n

    def add_all(self, keys: Iterable[FindingKey]) -> None:
        counts = self._counts
        for key in keys:
            counts[key] = counts.get(key, 0) + 1

    def __iadd__(self, other: Findings) -> Findings:
        for key, n in other._counts.items():
            self.add(key, n)
        return self

    def __add__(self, other: Findings) -> Findings:
        merged = Findings(self._counts.items())
        merged += other
        return merged

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Findings) and self._counts == other._counts

    def __bool__(self) -> bool:
        return bool(self._counts)

    def __iter__(self) -> Iterator[tuple[FindingKey, int]]:
        return iter(sorted(self._counts.items()))

    def items(self) -> list[tuple[FindingKey, int]]:
        return sorted(self._counts.items())

    @property
    def total(self) -> int:
        return sum(self._counts.values())

    def by_entity(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for (entity, _rule, _action), n in self._counts.items():
            totals[entity] = totals.get(entity, 0) + n
        return dict(sorted(totals.items()))

    def __repr__(self) -> str:
        return f"Findings({self.items()!r})"


def format_findings(findings: Findings) -> str:
    """A plain-text table for the dry-run command: one line per (entity, rule, action), then the total."""
    rows = [("ENTITY", "RULE", "ACTION", "COUNT")]
    rows += [(entity, rule, action, str(n)) for (entity, rule, action), n in findings.items()]
    if len(rows) == 1:
        return "no findings\n"
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(w) if i < 3 else cell.rjust(w)
                       for i, (cell, w) in enumerate(zip(row, widths, strict=True)))
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append(f"{findings.total} finding(s)")
    return "\n".join(line.rstrip() for line in lines) + "\n"

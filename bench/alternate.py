"""Alternating rounds: how a bench compares a change with its baseline in one run on a shared machine. Each round
measures every variant once, in the order given in odd rounds and reversed in even ones, so that no variant always
runs on what another warmed (caches, the allocator, the clock the CPU has settled on) or always first."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")


def in_rounds(rounds: int, variants: Sequence[str], measure: Callable[[str], T]) -> Iterator[tuple[int, dict[str, T]]]:
    """Each round's number (from 1) and what `measure` gave for each variant, in the order they ran."""
    for number in range(1, rounds + 1):
        order = list(variants) if number % 2 else list(reversed(variants))
        yield number, {variant: measure(variant) for variant in order}

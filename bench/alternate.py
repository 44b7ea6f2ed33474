"""Alternating rounds: how a bench compares a change with its baseline in one run on a shared machine. Each round
measures every variant once, in the order given in odd rounds and reversed in even ones, so that no variant always
runs on what another warmed (caches, the allocator, the clock the CPU has settled on) or always first."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")


def in_rounds(rounds: int, variants: Sequence[str], measure: Callable[[str], T]) -> Iterator[tuple[int, dict[str, T]]]:
    """Each round's number (from 1) and what `measure` gave for each variant, in the order they ran."""
    for number in range(1, rounds + 1):
        order = list(variants) if number % 2 else list(reversed(variants))
        yield number, {variant: measure(variant) for variant in order}


def best_of_rounds(rounds: int, variants: Sequence[str], measure: Callable[[str], T], line: Callable[[str, T], str],
                   keep: Callable[[T, T], T]) -> dict[str, T]:
    """`in_rounds`, each round's figures printed as they come (`line`), then the best of each variant (`keep`: the
    better of two of its measurements), printed and returned; with the load average at each step."""
    best: dict[str, T] = {}
    for number, runs in in_rounds(rounds, variants, measure):
        print(f"round {number} (load average {os.getloadavg()[0]:.2f})", flush=True)
        for name, measured in runs.items():
            print(line(name, measured), flush=True)
            best[name] = keep(best[name], measured) if name in best else measured
    print(f"best of each (load average after {os.getloadavg()[0]:.2f}):")
    for name, measured in best.items():
        print(line(name, measured))
    return best

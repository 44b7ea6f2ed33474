"""Alternating rounds: how a bench compares a change with its baseline in one run on a shared machine. Each round
measures every variant once, in the order given in odd rounds and reversed in even ones, so that no variant always
runs on what another warmed (caches, the allocator, the clock the CPU has settled on) or always first."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
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


def ab_arguments(doc: str, requests: int) -> argparse.Namespace:
    """The command line of an in-process A/B bench: `--before REV`, `--requests N`, `--rounds N`, and the hidden
    `--child` with which it runs itself in each tree."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--before", default="main", help="the git revision to compare with")
    parser.add_argument("--requests", type=int, default=requests)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def this_and_before(root: Path, args: argparse.Namespace, measure: Callable[[Path], T],
                    line: Callable[[str, T], str], keep: Callable[[T, T], T]) -> tuple[T, T]:
    """`best_of_rounds` of this tree (`root`) and of `args.before`'s (built by before_tree.archive): the best of
    each, this tree's first."""
    from before_tree import archive  # bench/, the script's folder

    trees = {"this tree": root, args.before: archive(args.before)}
    best = best_of_rounds(args.rounds, list(trees), lambda name: measure(trees[name]), line, keep)
    return best["this tree"], best[args.before]

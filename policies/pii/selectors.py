"""Path selectors: which fields of an event a `[pii]` rule applies to.

Grammar (in the spirit of Sentry Relay's selectors, reduced to what JSON events need):

    selector := segment ("." segment)*
    segment  := "**"          zero or more keys, at any depth
              | "*"           exactly one key
              | 'quoted.key'  a key that contains dots (two single quotes '' stand for one)
              | key           any other run of characters up to the next dot

Paths use the canonical wire names (`userId`, `properties.email`, `context.ip`). Arrays are transparent: an element
has the path of its array, so `properties.products.sku` is every product's sku. Keys match after normalisation
(`normalize_key`): case-insensitive and ignoring `_`, `-`, `$`, spaces and dots, so `**.firstname` matches
`firstName`, `first_name` and `$first_name` alike: SDKs spell the same field in all these ways.

Matching is a small NFA over keys. `PathMatcher.step` moves from a parent's state to a child's; states are interned
as integers and the steps are memoised, so walking an event costs one dict look-up per key. A state may also carry a
context, a small integer that the caller gives an object's state (`in_context`: what the object's own key says it is,
a person or a thing) and reads back for its keys (`context`); a child's state starts without one.
"""

from __future__ import annotations

from collections.abc import Sequence

_DROP = str.maketrans("", "", "_-$ .")
_STAR, _GLOBSTAR = "*", "**"

DEAD = 0  # the state from which no selector can match any more


def normalize_key(key: str) -> str:
    return key.lower().translate(_DROP)


class SelectorError(ValueError):
    pass


def parse_selector(text: str) -> tuple[str, ...]:
    """The normalised segments of `text`; raises SelectorError saying what is wrong."""
    if not text.strip():
        raise SelectorError("empty selector")
    segments: list[str] = []
    i, n = 0, len(text)
    while True:
        if i < n and text[i] == "'":
            segment, i = _quoted(text, i)
            segments.append(_key(segment, text))
        else:
            j = text.find(".", i)
            j = n if j < 0 else j
            segments.append(_plain(text[i:j], text))
            i = j
        if i >= n:
            break
        i += 1  # the dot
        if i >= n:
            raise SelectorError(f"empty segment in {text!r} (two dots, or a dot at either end)")
    return tuple(segments)


def _quoted(text: str, start: int) -> tuple[str, int]:
    """The key quoted at `start` (`'a.b'`, with `''` for a quote) and the position after its closing quote."""
    j, n, buf = start + 1, len(text), []
    while True:
        if j >= n:
            raise SelectorError(f"unterminated quote in {text!r}")
        if text[j] == "'":
            if j + 1 < n and text[j + 1] == "'":
                buf.append("'")
                j += 2
                continue
            break
        buf.append(text[j])
        j += 1
    if j + 1 < n and text[j + 1] != ".":
        raise SelectorError(f"expected '.' after the quoted key in {text!r}")
    return "".join(buf), j + 1


def _plain(segment: str, text: str) -> str:
    if "'" in segment:
        raise SelectorError(f"a quote may only start a segment, in {text!r}")
    if segment.strip() == "":
        raise SelectorError(f"empty segment in {text!r} (two dots, or a dot at either end)")
    return segment if segment in (_STAR, _GLOBSTAR) else _key(segment, text)


def _key(segment: str, text: str) -> str:
    normalized = normalize_key(segment)
    if not normalized:
        raise SelectorError(f"segment of only ignored characters (_ - $ . space) in {text!r}")
    return "=" + normalized  # a key, never confused with * or **


class PathMatcher:
    """Matches paths against an ordered list of selectors; the first selector that matches a path wins."""

    def __init__(self, selectors: Sequence[str], max_steps: int = 100_000) -> None:
        self._selectors = [parse_selector(s) for s in selectors]
        self._ids: dict[tuple[frozenset[tuple[int, int]], int], int] = {}
        self._states: list[frozenset[tuple[int, int]]] = []
        self._contexts: list[int] = []
        self._winner: list[int] = []
        self._steps: dict[tuple[int, str], int] = {}
        self._max_steps = max_steps
        self._intern(frozenset())  # DEAD
        self.root = self._intern(self._closure({(i, 0) for i in range(len(self._selectors))}))

    def _closure(self, positions: set[tuple[int, int]]) -> frozenset[tuple[int, int]]:
        todo = list(positions)
        while todo:
            i, p = todo.pop()
            segs = self._selectors[i]
            if p < len(segs) and segs[p] == _GLOBSTAR and (i, p + 1) not in positions:
                positions.add((i, p + 1))
                todo.append((i, p + 1))
        return frozenset(positions)

    def _intern(self, state: frozenset[tuple[int, int]], context: int = 0) -> int:
        found = self._ids.get((state, context))
        if found is not None:
            return found
        sid = len(self._states)
        self._ids[(state, context)] = sid
        self._states.append(state)
        self._contexts.append(context)
        complete = [i for i, p in state if p == len(self._selectors[i])]
        self._winner.append(min(complete) if complete else -1)
        return sid

    def step(self, state: int, key: str) -> int:
        """The state of child `key` (normalised) of a node in `state`."""
        memo = (state, key)
        found = self._steps.get(memo)
        if found is not None:
            return found
        if not self._states[state]:
            return DEAD
        literal = "=" + key
        nxt: set[tuple[int, int]] = set()
        for i, p in self._states[state]:
            segs = self._selectors[i]
            if p == len(segs):
                continue
            seg = segs[p]
            if seg == _GLOBSTAR:
                nxt.add((i, p))
            elif seg in (_STAR, literal):
                nxt.add((i, p + 1))
        sid = self._intern(self._closure(nxt))
        if len(self._steps) >= self._max_steps:
            self._steps.clear()  # bounded: keys are attacker-chosen; states themselves are few
        self._steps[memo] = sid
        return sid

    def in_context(self, state: int, context: int) -> int:
        """`state` with `context` (0: none); its children's states are those of `state`'s."""
        return state if context == self._contexts[state] else self._intern(self._states[state], context)

    def context(self, state: int) -> int:
        return self._contexts[state]

    def winner(self, state: int) -> int:
        """Index of the first selector that matches a path in `state`, or -1."""
        return self._winner[state]

"""Value detection: spans of PII in many strings at once, through Presidio, with the prefilter in front of it.

Strings pass the prefilter (candidates.py) first; only those that could hold something reach Presidio, asked for just
the entities they could hold. Those are analysed in batches joined into one text (Presidio's fixed cost per call is
larger than its cost per character), long strings in overlapping windows. A finding that straddles two joined strings
is thrown away and those strings are analysed alone; so is a batch in which a regex timed out. A string whose own
analysis times out, or that uses up its time budget, gets `None`: the caller fails closed.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence

from policies.pii import scan_clock
from policies.pii.candidates import DIGITS, candidate_entities, dense_digits, digit_runs, open_gates
from policies.pii.config import DetectorClass
from policies.pii.engine import Analyzer
from policies.pii.entities import NER_ENTITIES
from policies.pii.identifiers import GLUED_LIKE, NUMBER_LIKE, continues_a_reference, is_identifier
from policies.pii.names import given_name_after, surname_before

# Between joined strings: no recognizer's pattern runs across a blank line, and the NUL stops the context look-behinds
# that allow any white space (`Fr.\s+` before a name): `…@orange.fr` must not make a title of the next string's end.
_JOIN = "\n\n\u2029\x00\u2029\n\n"
_BATCH_CHARS = 8192
_EDGE_SHIFT = 256  # how far a window's edge moves to fall between words (at most an eighth of the overlap)
_EMAIL = frozenset({"EMAIL_ADDRESS"})
_A_NAME = frozenset({"PERSON_NAME"})
_DENSE = 400  # digits in one window beyond which phone matching is replaced by masking every run of 7+ digits


class Span:
    """A finding in a text: [start, end), its entity type and score. Equal, and hashed alike, when those are. Not a
    dataclass: a frozen dataclass's `__init__` is generated Python that sets each field through object.__setattr__
    (about 1.4 µs a span even compiled, and an analysis makes one per result); this one is compiled (about 0.3 µs).
    Treated as immutable: nothing assigns to a span's fields."""

    __slots__ = ("end", "entity", "score", "start")

    def __init__(self, start: int, end: int, entity: str, score: float) -> None:
        self.start = start
        self.end = end
        self.entity = entity
        self.score = score

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Span) and self.start == other.start and self.end == other.end
                and self.entity == other.entity and self.score == other.score)

    def __hash__(self) -> int:
        return hash((self.start, self.end, self.entity, self.score))

    def __repr__(self) -> str:
        return f"Span(start={self.start!r}, end={self.end!r}, entity={self.entity!r}, score={self.score!r})"


class _Job:
    """One analysis to run: a string's window (`text` at `offset` in item `item`) and the entities it is analysed
    for. A plain class for the reason Span is one (made per string and entity)."""

    __slots__ = ("entities", "item", "offset", "text", "threshold", "use_ner")

    def __init__(self, item: int, text: str, offset: int, entities: frozenset[str], threshold: float,
                 use_ner: bool) -> None:
        self.item = item
        self.text = text
        self.offset = offset
        self.entities = entities
        self.threshold = threshold
        self.use_ner = use_ner


def merge(spans: Iterable[Span]) -> list[Span]:
    """Overlapping spans become their union, named after the most confident: no part of a finding is left behind."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            best = last if (last.score, last.end - last.start) >= (span.score, span.end - span.start) else span
            merged[-1] = Span(last.start, max(last.end, span.end), best.entity, best.score)
        else:
            merged.append(span)
    return merged


def rewrite(text: str, spans: Sequence[Span], replace: Callable[[str, str], str | None]) -> tuple[str, list[str]]:
    """`text` with each span replaced by `replace(entity, found)`; None from `replace` keeps the span (it is already
    scrubbed). Returns the new text and the entities replaced."""
    out, entities, pos = [], [], 0
    for span in spans:
        found = text[span.start : span.end]
        replacement = replace(span.entity, found)
        if replacement is None or replacement == found:
            continue
        out.append(text[pos : span.start])
        out.append(replacement)
        entities.append(span.entity)
        pos = span.end
    if not entities:
        return text, entities
    out.append(text[pos:])
    return "".join(out), entities


def _widened(text: str, name: Span, spans: list[Span]) -> Span:
    """A name found, with the given name after it (`[De Oliveira], Pierre`) and the surname before it (`Higgins, [Mark
    Nicole]`) that other rules did not read, but no surname that ends another name found (`Ruud Mulder, [Femke Smit]`
    lists two people)."""
    start = surname_before(text, name.start, name.end)
    if start < name.start and any(other.start < start < other.end for other in spans):
        start = name.start
    return Span(start, given_name_after(text, name.end), name.entity, name.score)


def _per_entity(job: _Job) -> list[_Job]:
    """A batched job as one job per entity. Joined strings are analysed for the union of their entities, so a
    recognizer would run over every string of the batch, not just those that passed its own prefilter test: the
    phone matcher (phonenumbers, once per region) costs about 1 ms per run of digits, the name finder tokenises
    everything. Presidio's duplicate removal works within an entity type, so the findings are the same."""
    if len(job.entities) == 1:
        return [job]
    return [_Job(job.item, job.text, job.offset, frozenset({e}), job.threshold, job.use_ner)
            for e in sorted(job.entities)]


class Detector:
    def __init__(
        self, analyzer: Analyzer, allow_values: Sequence[str], window_chars: int, window_overlap: int,
        budget_s: float = 0.25,
    ) -> None:
        self._analyzer = analyzer
        self._budget = budget_s
        self.elapsed: list[float] = []  # seconds spent on each item of the last find(), for its caller's budget
        self._allow = frozenset(allow_values)
        self._window, self._step = window_chars, window_chars - window_overlap
        self._digit_runs: dict[int, re.Pattern[str]] = {}
        # What the last finds_nothing() learnt of the strings that may hold something: find() gets most of them next,
        # as their own single leaf, and need not run the prefilter on them again. (text, id of class) -> _wanted().
        self._wanted_of: dict[tuple[str, int], tuple[frozenset[str], bool]] = {}
        # The prefilter's hyperscan database takes ~0.4 s to compile: here, where the engine is built (at start-up or
        # off the event loop on a reload), not in the first request, which browsers abandon when the page is left.
        open_gates(())

    def _windows(self, text: str) -> list[tuple[int, str]]:
        """(offset, piece) of each window of a long text. A window's edges move outwards to fall between words where a
        space or a line break is near: a word cut at the edge is another word (`Maria Mari|a` read a name). Outwards,
        so that two windows still overlap by `window_overlap` at least: what straddles one's edge is whole in the
        next, up to the longest secret the overlap was set for."""
        if len(text) <= self._window:
            return [(0, text)]
        shift = min(_EDGE_SHIFT, (self._window - self._step) // 8)
        out = []
        start = 0
        while start + self._window < len(text):
            end = start + self._window
            gaps = [i for i in (text.find(" ", end, end + shift), text.find("\n", end, end + shift)) if i >= 0]
            out.append((start, text[start : min(gaps) if gaps else end]))
            step = start + self._step
            low = max(step - shift, start + 1)  # and always forwards
            gap = max(text.rfind(" ", low, step), text.rfind("\n", low, step))
            start = gap + 1 if gap >= 0 else step
        out.append((start, text[start:]))
        return out

    def find(self, items: Sequence[tuple[str, DetectorClass]]) -> list[list[Span] | None]:
        """The spans of each (text, class) item, merged and in order; None where the analysis timed out or the item
        used up its time budget."""
        found: list[list[Span] | None] = [[] for _ in items]
        self.elapsed = [0.0] * len(items)
        batched, alone = self._jobs(items, found)
        by_entity: dict[frozenset[str], list[_Job]] = {}
        for job in batched:
            by_entity.setdefault(job.entities, []).append(job)
        # The e-mail recognizer first, so that a string that is an address needs no name finder (_an_address); its
        # spans join the others' in their usual place, which decides between two equal spans when they are merged.
        email_first = _EMAIL in by_entity and _A_NAME in by_entity
        emails: list[list[Span] | None] = [None if spans is None else [] for spans in found] if email_first else []
        email_redo: list[_Job] = []
        if email_first:
            email_redo = self._run_batches(by_entity[_EMAIL], emails)
            by_entity[_A_NAME] = [job for job in by_entity[_A_NAME] if not self._an_address(job, emails)]
        for entities, jobs in by_entity.items():  # each recognizer over the strings that passed its test, joined
            if email_first and entities == _EMAIL:
                for spans, more in zip(found, emails, strict=True):
                    if spans is not None and more:
                        spans += more
                alone += email_redo
            else:
                alone += self._run_batches(jobs, found)
        for job in alone:
            self._run_alone(job, found)
        for i, (text, cls) in enumerate(items):
            spans = found[i]
            if spans is not None:
                found[i] = self._finish(text, cls, spans)
        return found

    def _an_address(self, job: _Job, emails: list[list[Span] | None]) -> bool:
        """True if the whole of the job's string (a batched job: one window) is an e-mail address found and kept (in
        `emails`: the e-mail recognizer's spans). A name found in it (`jane.doe@…`) would be merged into the address's
        span and named after the address: a name is words, never the whole of an address with its `@`, so its span is
        shorter, and the address is at least as confident (1.0). The string's findings are the same without it."""
        spans = emails[job.item]
        return (spans is not None and job.text not in self._allow
                and any(s.entity == "EMAIL_ADDRESS" and s.start == 0 and s.end == len(job.text) and s.score >= 1.0
                        for s in spans))

    def finds_nothing(self, items: Sequence[tuple[str, DetectorClass]], more: bool = False) -> list[bool]:
        """For each (text, class): True if find() certainly finds nothing in it, from one prefilter pass over all of
        them. Most new strings of an event hold nothing (ids, labels, user agents): this is all they cost. `more`: the
        items join those of the previous call before the same find() (a batch's strings, then its URLs' pieces), whose
        answers find() still gets."""
        gates = open_gates([text for text, _ in items])
        if not more:
            self._wanted_of = {}
        return [self._nothing(text, cls, g) for (text, cls), g in zip(items, gates, strict=True)]

    def _nothing(self, text: str, cls: DetectorClass, gates: int) -> bool:
        # A class's digit runs are found without the recognizers: none when the 7-digit gate is closed.
        if cls.digit_run and (cls.digit_run < 7 or gates & DIGITS):
            return False
        wanted = self._wanted(text, cls, gates)
        if wanted[0]:
            self._wanted_of[(text, id(cls))] = wanted
        return not wanted[0]

    def _wanted(self, text: str, cls: DetectorClass, gates: int) -> tuple[frozenset[str], bool]:
        """The entities `text` could hold in class `cls`, and whether NER runs on it."""
        wanted = candidate_entities(text, gates)
        if wanted:
            wanted = wanted.intersection(cls.entity_set)
        use_ner = self._analyzer.ner is not None and any(e in cls.entities for e in NER_ENTITIES)
        if use_ner:
            wanted = wanted.union(e for e in NER_ENTITIES if e in cls.entities)
        return wanted, use_ner

    def _jobs(self, items: Sequence[tuple[str, DetectorClass]],
              found: list[list[Span] | None]) -> tuple[list[_Job], list[_Job]]:
        """The analyses the items need: (those that can be joined in batches, those that run alone)."""
        batched: list[_Job] = []
        alone: list[_Job] = []
        known = self._wanted_of
        # One prefilter pass over all of them, but for those finds_nothing() has seen.
        gates = iter(open_gates([text for text, cls in items if (text, id(cls)) not in known]))
        for i, (text, cls) in enumerate(items):
            seen = known.get((text, id(cls)))
            wanted, use_ner = seen if seen is not None else self._wanted(text, cls, next(gates))
            if not wanted:
                continue
            windows = self._windows(text)
            for offset, piece in windows:
                entities = wanted
                if "PHONE_NUMBER" in wanted and dense_digits(piece, _DENSE):
                    # Phone matching costs about 30 µs per character of digit-dense text (every run is tried in
                    # every region). Such text gets the blunt treatment instead: every run of 7+ digits goes.
                    entities = wanted - {"PHONE_NUMBER"}
                    spans = found[i]
                    assert spans is not None
                    spans += (Span(offset + s, offset + e, "NUMBER", 0.0) for s, e in digit_runs(piece))
                    if not entities:
                        continue
                job = _Job(i, piece, offset, entities, cls.score_threshold, use_ner)
                # NER context spans sentences: a free-text string is analysed on its own, never joined to others;
                # nor is a long string, whose time is counted against its budget.
                if use_ner or len(windows) > 1:
                    alone.append(job)
                else:
                    batched += _per_entity(job)
        return batched, alone

    def _finish(self, text: str, cls: DetectorClass, spans: list[Span]) -> list[Span]:
        """The item's spans with its class's digit runs, without allowed values and identifiers, merged."""
        if cls.digit_run:
            runs = self._digit_run(cls.digit_run).finditer(text)
            spans += (Span(m.start(), m.end(), "NUMBER", 0.0) for m in runs)
        if self._allow:
            spans = [s for s in spans if text[s.start : s.end] not in self._allow]
        # An invoice, order or build number, a date, a version: not a phone, an IP or a stray digit run.
        spans = [s for s in spans if not (
            (s.entity in NUMBER_LIKE and is_identifier(text, s.start, s.end, s.entity))
            or (s.entity in GLUED_LIKE and continues_a_reference(text, s.start, s.end)))]
        spans = merge(spans)
        if any(s.entity in _A_NAME for s in spans):
            spans = merge([_widened(text, s, spans) if s.entity in _A_NAME else s for s in spans])
        return spans

    def _digit_run(self, n: int) -> re.Pattern[str]:
        pattern = self._digit_runs.get(n)
        if pattern is None:
            # Not a run that continues a word: `ORD-84629173` and `INV-2024-004512` are references, not secrets.
            pattern = self._digit_runs[n] = re.compile(r"(?<!\w)(?<!\w[\-./])\d(?:[ \-./]?\d){" + str(n - 1) + ",}")
        return pattern

    def _keep(self, job: _Job, entity: str, score: float) -> bool:
        return entity in job.entities and score >= job.threshold

    def _run_alone(self, job: _Job, found: list[list[Span] | None]) -> None:
        if found[job.item] is None:
            return
        if self.elapsed[job.item] > self._budget:
            found[job.item] = None  # fail closed: the caller marks the string unscanned
            return
        # CPU time of this thread without the collector's pauses (scan_clock.py): the budget guards against costly
        # input, and neither a busy machine that deschedules the thread nor a collection that happens to run now must
        # turn an ordinary string into "[UNSCANNED]".
        entities = sorted(job.entities)
        start = scan_clock.now()
        # A search stalled by a busy machine, not by its cost, was tried again where it ran (regex_time.py): a
        # time-out here is a costly string. Not so with NER: Presidio's engine runs its own pattern recognizers (e-mail,
        # SSN, the national ids, crypto) with its own loop, which has no such retry; that analysis runs once more.
        analysis = self._analyzer.analyze(job.text, entities, use_ner=job.use_ner)
        if analysis.timed_out and job.use_ner:
            analysis = self._analyzer.analyze(job.text, entities, use_ner=True)
        self.elapsed[job.item] += scan_clock.now() - start
        if analysis.timed_out:
            found[job.item] = None
            return
        spans = found[job.item]
        assert spans is not None
        for r in analysis.results:
            if self._keep(job, r.entity_type, r.score):
                spans.append(Span(job.offset + r.start, job.offset + r.end, r.entity_type, r.score))

    def _run_batches(self, jobs: list[_Job], found: list[list[Span] | None]) -> list[_Job]:
        """Analyse `jobs` joined in batches; returns the jobs to analyse alone."""
        redo: list[_Job] = []
        batch: list[_Job] = []
        size = 0
        for job in jobs:
            batch.append(job)
            size += len(job.text) + len(_JOIN)
            if size >= _BATCH_CHARS:
                redo += self._run_batch(batch, found)
                batch, size = [], 0
        if batch:
            redo += self._run_batch(batch, found)
        return redo

    def _run_batch(self, batch: list[_Job], found: list[list[Span] | None]) -> list[_Job]:
        if len(batch) == 1:
            return batch
        starts, pos = [], 0
        for job in batch:
            starts.append(pos)
            pos += len(job.text) + len(_JOIN)
        text = _JOIN.join(job.text for job in batch)
        entities = sorted(set().union(*(job.entities for job in batch)))
        analysis = self._analyzer.analyze(text, entities)
        if analysis.timed_out:
            return batch
        suspect: set[int] = set()
        kept: list[tuple[int, Span]] = []
        for r in analysis.results:
            j = bisect.bisect_right(starts, r.start) - 1
            job = batch[j]
            start, end = r.start - starts[j], r.end - starts[j]
            if end > len(job.text):
                suspect.add(j)
                suspect.update(range(j, bisect.bisect_right(starts, r.end - 1)))
                continue
            if self._keep(job, r.entity_type, r.score):
                kept.append((j, Span(job.offset + start, job.offset + end, r.entity_type, r.score)))
        for j, span in kept:
            if j not in suspect:
                spans = found[batch[j].item]
                if spans is not None:
                    spans.append(span)
        return [batch[j] for j in sorted(suspect)]

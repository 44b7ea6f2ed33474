"""Presidio, set up to run offline and within time limits.

- NLP: Presidio's engine needs a spaCy pipeline to start, so it gets a blank English one, saved once into
  `<data_dir>/spacy-blank-en` (or a temporary directory) because Presidio loads spaCy models by package name or path and
  would otherwise try to download `en_core_web_lg`. The pattern recognizers read nothing from its output, so strings
  that need no NER are analysed with empty NLP artifacts and never tokenised.
- Suffix list: e-mail validation uses tldextract's bundled snapshot, never the network (see recognizers.py).
- NER (optional): a spaCy model directory from the policy (`pii.ner_model`) runs only on free-text strings, for PERSON
  and LOCATION; every other string is tokenised by the blank pipeline, so NER costs nothing where it is not wanted.
- Regex time limit: Presidio reads `REGEX_TIMEOUT_SECONDS` (whole seconds, default 60) from its modules' globals and, on
  a time-out, skips the pattern with a log record, i.e. fails open. We set the limit in milliseconds and turn that
  record into a signal (`Analysis.timed_out`) so that the caller can fail closed. The limit is wall-clock time in the
  regex module: a search that timed out without using it in CPU time is tried again first (regex_time.py).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import spacy
from presidio_analyzer import AnalyzerEngine, EntityRecognizer, PatternRecognizer, RecognizerRegistry, RecognizerResult
from presidio_analyzer import analyzer_engine as _analyzer_module
from presidio_analyzer import pattern_recognizer as _pattern_module
from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import SpacyRecognizer
from presidio_analyzer.predefined_recognizers.generic import iban_recognizer as _iban_module

from policies.pii.candidates import load_name_gate
from policies.pii.entities import NER_ENTITIES
from policies.pii.hyperscan_cache import cache_dir
from policies.pii.pattern_matches import compile_patterns, deduplicated
from policies.pii.patterngates import PatternGates, scannable
from policies.pii.recognizers import TextScan, matches, offline_tld_extractor, pattern_recognizers, runs_directly
from policies.pii.regex_time import TIMEOUTS

BLANK_MODEL_DIR = "spacy-blank-en"
_MAX_CHOSEN = 1024  # entity lists whose recognizers are kept: callers ask for a few dozen combinations
_LANGUAGE = "en"

class _TimeoutSignal(logging.Filter):
    """Counts Presidio's "timed out" records on the current thread (regex_time.TIMEOUTS) and keeps them (and their
    values) out of the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "timed out" in str(record.msg):
            TIMEOUTS.count += 1
            return False
        return True


_SIGNAL = _TimeoutSignal()


class _NoContext(ContextAwareEnhancer):
    """Presidio's lemma-based context boost: inert without lemmas (a blank pipeline has none) yet half the cost of a
    call (it deep-copies every result). Scores stay what the recognizers say, with or without an NER model."""

    def __init__(self) -> None:
        super().__init__(0.0, 0.0, 0, 0)

    def enhance_using_context(
        self,
        text: str,
        raw_results: list[RecognizerResult],
        nlp_artifacts: NlpArtifacts,
        recognizers: list[EntityRecognizer],
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        return raw_results


def _set_regex_timeout(seconds: float) -> None:
    # Process-wide by Presidio's design; every scrubber in a process uses the same limit (the policy's).
    for module in (_analyzer_module, _pattern_module, _iban_module):
        module.REGEX_TIMEOUT_SECONDS = seconds  # type: ignore[attr-defined]
    logger = logging.getLogger("presidio-analyzer")
    if _SIGNAL not in logger.filters:
        logger.addFilter(_SIGNAL)


def blank_model(data_dir: Path) -> Path:
    """The blank English pipeline on disk, written on first use (atomically: two starts cannot half-write it)."""
    target = data_dir / BLANK_MODEL_DIR
    if (target / "config.cfg").exists():
        return target
    data_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".spacy-blank-", dir=data_dir))
    try:
        spacy.blank(_LANGUAGE).to_disk(staging)
        try:
            os.replace(staging, target)
        except OSError:
            if not (target / "config.cfg").exists():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _spacy_engine(model_path: Path) -> SpacyNlpEngine:
    engine = SpacyNlpEngine(models=[{"lang_code": _LANGUAGE, "model_name": str(model_path)}])
    engine.load()
    return engine


_WARM_UP = ("Warm-up for Jane Doe in Lyon: jane@example.com, +1 415 555 0100, 4111 1111 1111 1111, 10.1.2.3, "
            "DE89 3704 0044 0532 0130 00, 123-45-6789, https://example.com/a?email=bob@example.org")


@dataclass
class Analysis:
    results: list[RecognizerResult]
    timed_out: bool


class Analyzer:
    """One Presidio AnalyzerEngine with our recognizers, plus the NLP engines it is fed with."""

    def __init__(
        self,
        data_dir: Path | None,
        phone_regions: Sequence[str],
        phone_leniency: int,
        regex_timeout_s: float,
        ner_model: str = "",
    ) -> None:
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if data_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="pii-spacy-")
            data_dir = Path(self._tmp.name)
        _set_regex_timeout(regex_timeout_s)
        self.blank = _spacy_engine(blank_model(data_dir))
        self.ner = _spacy_engine(Path(ner_model)) if ner_model else None
        registry = RecognizerRegistry(supported_languages=[_LANGUAGE])
        for recognizer in pattern_recognizers(offline_tld_extractor(), phone_regions, phone_leniency):
            registry.add_recognizer(recognizer)
        if self.ner is not None:
            registry.add_recognizer(SpacyRecognizer(supported_entities=list(NER_ENTITIES)))
        self.engine = AnalyzerEngine(
            registry=registry,
            nlp_engine=self.blank,
            supported_languages=[_LANGUAGE],
            context_aware_enhancer=_NoContext(),
        )
        self.entities = frozenset(self.engine.get_supported_entities(_LANGUAGE))
        self.gates = PatternGates(registry.recognizers, cache_dir(data_dir))
        load_name_gate(cache_dir(data_dir))
        # _recognizers_for's answers, while the registry's list is the one they were read from.
        self._chosen: dict[tuple[str, ...], list[EntityRecognizer]] = {}
        self._registered: object = None
        self._registered_count = 0
        # Every pattern compiled now, not in the time budget of the first string that opens its gate (see
        # compile_patterns); the warm-up text opens only some gates. The first analysis pays for the rest of the lazy
        # loading (tldextract's suffix list, phone metadata, the name lists, an NER model's lookups): pay it now too.
        for recognizer in registry.recognizers:
            if isinstance(recognizer, PatternRecognizer):
                compile_patterns(recognizer)
        self.analyze(_WARM_UP, sorted(self.entities), use_ner=self.ner is not None)

    def analyze(self, text: str, entities: Sequence[str], use_ner: bool = False) -> Analysis:
        """Presidio's findings in `text` for `entities`, with no score threshold (the caller applies its own)."""
        TIMEOUTS.count = 0
        if use_ner and self.ner is not None:
            artifacts = self.ner.process_text(text, _LANGUAGE)
            results = self.engine.analyze(
                text, language=_LANGUAGE, entities=list(entities), nlp_artifacts=artifacts, score_threshold=0.0
            )
        else:
            results = self._patterns_only(text, entities)
        return Analysis(results, TIMEOUTS.count > 0)

    def _patterns_only(self, text: str, entities: Sequence[str]) -> list[RecognizerResult]:
        """What AnalyzerEngine.analyze returns for the pattern recognizers with a score threshold of 0, without its
        per-call work that changes nothing here: the registry's look-up, NLP artifacts, the context enhancer (inert,
        see _NoContext), explanations; with each pattern recognizer run on the patterns that could match
        (patterngates.py), directly (pattern_matches.py) where that gives what its `analyze` gives; and with the
        scans every recognizer of one text shares made once (recognizers.TextScan)."""
        wanted = list(entities)
        chosen = self._recognizers_for(entities)
        # The scan only if a pattern recognizer is to run: the phone and name finders have no patterns.
        gated = any(isinstance(r, PatternRecognizer) for r in chosen)
        data = scannable(text) if gated else None
        scan = TextScan(text)
        results: list[RecognizerResult] = []
        artifacts: Any = None
        for recognizer in chosen:
            if runs_directly(recognizer):
                patterns = self.gates.open_patterns(recognizer, data)
                if patterns:
                    results += matches(recognizer, scan, patterns)
                continue
            narrowed = self.gates.narrow(recognizer, data)
            if narrowed is not None:
                if artifacts is None:
                    # Pattern recognizers read nothing from the NLP artifacts (context boosting is off: _NoContext), so
                    # tokenising would only cost time, and grow spaCy's string store by every new token for ever.
                    artifacts = NlpArtifacts([], None, [], [], self.blank, _LANGUAGE)  # type: ignore[arg-type]
                results += narrowed.analyze(text=text, entities=wanted, nlp_artifacts=artifacts)
        results = [r for r in results if r.score >= 0.0]
        # remove_duplicates keeps one result with a score as it is (drops it with none): the sort is for two or more.
        return deduplicated(results) if len(results) > 1 else [r for r in results if r.score]

    def _recognizers_for(self, entities: Sequence[str]) -> list[EntityRecognizer]:
        """The registry's recognizers that support any of `entities`, as the registry picks them for a request. Kept
        per entity list while the registry's list is the same list of the same length: Presidio's registry appends a
        recognizer added later (one the gates do not know runs all its patterns) and makes a new list on removal."""
        registered = self.engine.registry.recognizers
        if not isinstance(registered, list):  # not Presidio's own list: nothing tells a change, read it each time
            self._chosen = {}
        elif registered is not self._registered or len(registered) != self._registered_count:
            self._chosen = {}
            self._registered, self._registered_count = registered, len(registered)
        key = tuple(entities)
        chosen = self._chosen.get(key)
        if chosen is None:
            wanted = set(entities)
            chosen = [r for r in registered if wanted.intersection(r.supported_entities)]
            if len(self._chosen) >= _MAX_CHOSEN:
                self._chosen.clear()
            self._chosen[key] = chosen
        return chosen

"""Score the PII scrubber on the labelled corpus (fixtures/pii/corpus.jsonl): leak rate per entity type, benign kept.

    python bench/pii_leaks.py              # the scrubber with the default policy
    python bench/pii_leaks.py --baseline   # also the naive baseline: Presidio analyze + anonymize on every string

A planted value has leaked if it still appears anywhere in the scrubbed output (every string of it, keys included),
as written or percent-encoded; for phone numbers, if their last 7 digits appear, and for card numbers and IBANs, if
all their digits (or characters) appear, ignoring separators; for PEM keys, if any 64-character body line appears.
A benign value is kept if it appears unchanged. Segment payloads go through the Segment codec and `scrub_event`, the
others through `scrub_value`, as the gateway will do.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gateway.protocols.segment import event_from_wire, event_to_wire  # noqa: E402
from policies.pii import PiiConfig, Scrubber  # noqa: E402
from policies.pii.engine import blank_model  # noqa: E402
from policies.pii.recognizers import offline_tld_extractor, pattern_recognizers  # noqa: E402

CORPUS = ROOT / "fixtures" / "pii" / "corpus.jsonl"
PATTERN_TYPES = ("EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS", "US_SSN", "CRYPTO", "JWT",
                 "BEARER_TOKEN", "AWS_ACCESS_KEY", "SECRET_KEY", "PRIVATE_KEY", "URL_CREDENTIALS")
HASH_KEY = b"bench-only-key-0123456789abcdef"
_JOIN_DIGITS = re.compile(r"(?<=\d)[\s().\-/+]+(?=\d)")


def load_corpus(path: Path = CORPUS) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def strings(value: Any) -> Iterable[str]:
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            yield v
        elif isinstance(v, dict):
            stack.extend(str(k) for k in v)
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
        elif v is not None and not isinstance(v, bool):
            yield str(v)


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def leaked(kind: str, value: str, text: str, digit_text: str) -> bool:
    if kind == "PHONE_NUMBER":
        main = re.split(r"(?i)\s*(?:x|ext\.?)\s*\d+$", value)[0]
        core = _digits(main)[-7:]
        return core in digit_text
    if kind == "CREDIT_CARD":
        return _digits(value) in digit_text
    if kind == "IBAN_CODE":
        compact = value.replace(" ", "")
        return compact in text.replace(" ", "") or value in text
    if kind == "PRIVATE_KEY":
        lines = [line for line in value.splitlines() if not line.startswith("-----")]
        return any(line in text for line in lines if len(line) >= 32)
    return any(form in text for form in {value, quote_plus(value), quote(value, safe="")})


class Score:
    def __init__(self) -> None:
        self.planted: dict[str, int] = defaultdict(int)
        self.leaks: dict[str, int] = defaultdict(int)
        self.benign = 0
        self.benign_kept = 0
        self.benign_lost: dict[str, int] = defaultdict(int)

    def add(self, record: dict[str, Any], output: Any) -> None:
        text = "\n".join(strings(output))
        digit_text = _JOIN_DIGITS.sub("", text)
        for item in record["pii"]:
            self.planted[item["type"]] += 1
            if leaked(item["type"], item["value"], text, digit_text):
                self.leaks[item["type"]] += 1
        for item in record["benign"]:
            self.benign += 1
            value = item["value"]
            if value in text or quote_plus(value) in text:  # a URL's unchanged parameters keep their encoding
                self.benign_kept += 1
            else:
                self.benign_lost[item["type"]] += 1

    def leak_rate(self, kinds: Iterable[str] = PATTERN_TYPES) -> float:
        planted = sum(self.planted[k] for k in kinds)
        return sum(self.leaks[k] for k in kinds) / planted if planted else 0.0

    def table(self, title: str) -> str:
        lines = [title, f"{'entity':<16} {'planted':>7} {'leaked':>6} {'leak %':>7}"]
        for kind in [*PATTERN_TYPES, *sorted(set(self.planted) - set(PATTERN_TYPES))]:
            n = self.planted.get(kind, 0)
            if not n:
                continue
            note = "" if kind in PATTERN_TYPES else "   (no pattern: field rules only)"
            lines.append(f"{kind:<16} {n:>7} {self.leaks[kind]:>6} {100 * self.leaks[kind] / n:>6.2f}%{note}")
        lines.append(f"{'all pattern types':<16} {sum(self.planted[k] for k in PATTERN_TYPES):>7} "
                     f"{sum(self.leaks[k] for k in PATTERN_TYPES):>6} {100 * self.leak_rate():>6.2f}%")
        if self.benign:
            kept = 100 * self.benign_kept / self.benign
            lost = ", ".join(f"{k} {n}" for k, n in sorted(self.benign_lost.items())) or "none"
            lines.append(f"benign kept: {self.benign_kept}/{self.benign} = {kept:.2f}% (lost: {lost})")
        return "\n".join(lines)


def scrub_record(scrubber: Scrubber, record: dict[str, Any]) -> Any:
    payload = record["payload"]
    if record["vendor"] == "segment":
        events = [event_from_wire(item, None, f"batch[{i}]") for i, item in enumerate(payload["batch"])]
        scrubber.scrub_events(events)
        return {"batch": [event_to_wire(e) for e in events], "sentAt": payload.get("sentAt")}
    return scrubber.scrub_value(payload)[0]


class NaiveBaseline:
    """Presidio used the obvious way: analyze every string value with every recognizer, then anonymize it.

    Same recognizers and NLP pipeline as the scrubber (so the comparison measures how they are used, not which are
    loaded), Presidio's default context enhancer, the scrubber's score threshold, no prefilter, cache, batching, URL
    decoding or key and field rules.
    """

    def __init__(self, data_dir: Path | None = None, threshold: float = 0.4) -> None:
        import tempfile

        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.nlp_engine import SpacyNlpEngine
        from presidio_anonymizer import AnonymizerEngine

        self._tmp = tempfile.TemporaryDirectory() if data_dir is None else None
        model = blank_model(Path(self._tmp.name) if self._tmp else data_dir)
        nlp = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": str(model)}])
        registry = RecognizerRegistry(supported_languages=["en"])
        for recognizer in pattern_recognizers(offline_tld_extractor(), ("US", "GB", "DE", "FR"), 0):
            registry.add_recognizer(recognizer)
        self.analyzer = AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=["en"])
        self.anonymizer = AnonymizerEngine()
        self.threshold = threshold

    def scrub_string(self, text: str) -> str:
        results = self.analyzer.analyze(text, language="en", score_threshold=self.threshold)
        if not results:
            return text
        return self.anonymizer.anonymize(text=text, analyzer_results=results).text

    def scrub(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.scrub_string(value)
        if isinstance(value, dict):
            return {k: self.scrub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.scrub(v) for v in value]
        return value


def run(records: list[dict[str, Any]], scrub: Callable[[dict[str, Any]], Any]) -> tuple[Score, float]:
    score = Score()
    start = time.perf_counter()
    outputs = [scrub(record) for record in records]
    elapsed = time.perf_counter() - start
    for record, output in zip(records, outputs, strict=True):
        score.add(record, output)
    return score, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--baseline", action="store_true", help="also score the naive Presidio baseline")
    parser.add_argument("--show-leaks", action="store_true", help="print where each leak was planted (not its value)")
    args = parser.parse_args()
    records = load_corpus(args.corpus)
    scrubber = Scrubber(PiiConfig(), HASH_KEY, None)
    score, elapsed = run(records, lambda r: scrub_record(scrubber, r))
    print(score.table(f"scrubber (default policy): {len(records)} payloads in {elapsed:.2f} s"))
    if args.show_leaks:
        for record in records:
            output = scrub_record(Scrubber(PiiConfig(), HASH_KEY, None, analyzer=scrubber.analyzer), record)
            text = "\n".join(strings(output))
            digit_text = _JOIN_DIGITS.sub("", text)
            for item in record["pii"]:
                if item["type"] in PATTERN_TYPES and leaked(item["type"], item["value"], text, digit_text):
                    print(f"  leak: record {record['id']} {record['vendor']} {item['type']} at {item['where']}")
    if args.baseline:
        baseline = NaiveBaseline()
        base_score, base_elapsed = run(records, lambda r: baseline.scrub(r["payload"]))
        print()
        print(base_score.table(f"naive baseline: {len(records)} payloads in {base_elapsed:.2f} s"))


if __name__ == "__main__":
    main()

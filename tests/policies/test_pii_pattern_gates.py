"""The compiled pattern gates (patterngates.py) change nothing the recognizers find: a gate is open wherever its
pattern matches, and the analyzer's direct, gated run of the recognizers gives exactly Presidio's AnalyzerEngine
results, on written examples (Unicode traps, joined batches) and on generated text."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import hyperscan
import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st
from presidio_analyzer import Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from policies.pii import hyperscan_cache, patterngates, recognizers
from policies.pii.detect import _JOIN
from policies.pii.engine import Analyzer
from policies.pii.pattern_matches import pattern_matches
from policies.pii.patterngates import PatternGates, scannable
from policies.pii.recognizers import runs_directly

TEXTS = [
    "mail jane.doe@example.com today", "JANE@EXAMPLE.CO.UK", "x@y", "call +1 415 555 0100 or 030 1234567",
    "card 4111 1111 1111 1111", "IBAN DE89 3704 0044 0532 0130 00", "ip 10.1.2.3, Chrome/120.0.0.0", "v1.2.3.4",
    "ssn 123-45-6789", "Steuer-ID 12 345 678 903", "NIF 12345678Z", "codice fiscale RSSMRA85T10A562S",
    "NINO AB 12 34 56 C", "NIR 1 85 05 78 006 084 91", "bsn: 1234.56.782", "passport no. 533380006",
    "password: hunter2", "Passwort ist Geheim123!", "mot de passe : «s3cr3t»",
    "the wifi password for guests is Gast!2024",
    "api_key=abcd1234efgh5678ijkl", "sk_live_abcdefghijklmnop1234", "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    "Authorization: Bearer abc.def-ghi_jkl", "Basic dXNlcjpwYXNz", "Basic plan", "AKIAABCDEFGHIJKLMNOP",
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----", "-----BEGIN PRIVATE KEY-----\nabc",
    "https://user:pa55@example.com/x", "0x52908400098527886E0F7030069857D2E4169EE7",
    "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "12 Baker Street, London", "Hauptstraße 5", "12 rue de la Paix",
    "Calle Mayor 5", "Via Roma 12", "Keizersgracht 123",
    "Dear Jane Doe,", "Best regards,\nJohn Smith", "cc: Oluwaseun Adeyemi", "Anna Schmidt called", "with Maria Rossi",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abc", "nothing here", "", " ", "\t\r\n",
    # Unicode traps: letters that fold to ASCII ones only by Unicode's rules, digits and spaces of other scripts.
    "\u017fk_live_abcdefghijklmnop1234", "PA\u017f\u017fWORD: hunter2", "\u212aeizersgracht 12", "\u0130ban",
    "jane@exa\u0131mple.com", "\u0661\u0662\u0663-\u0664\u0665-\u0666\u0667\u0668\u0669", "12\u00a0Baker\u00a0Street",
    "my pw is sunshine", "pw: 'abc123'", "password -> Sommer24!", "wifi code => 'gast2024'",
    "passwort\u2029ist geheim", "Bearer\u2029abcdefghijk", "x\x00password: y", "pass\x0bword: hunter2",
    "caf\u00e9@example.com", "M\u00fcller@example.de", "\uff11\uff12 Baker Street",
]


def _batches() -> list[str]:
    return [_JOIN.join(TEXTS[i : i + 7]) for i in range(0, len(TEXTS), 7)] + [_JOIN.join(TEXTS)]


@pytest.fixture(scope="module")
def analyzer(tmp_path_factory: pytest.TempPathFactory) -> Analyzer:
    return Analyzer(tmp_path_factory.mktemp("pii-data"), ("US", "GB", "DE", "FR"), 0, 0.1)


def _pattern_recognizers(analyzer: Analyzer) -> list[PatternRecognizer]:
    return [r for r in analyzer.engine.registry.recognizers if isinstance(r, PatternRecognizer)]


def _matches(recognizer: PatternRecognizer, pattern: Pattern, text: str) -> bool:
    compiled = regex.compile(pattern.regex, flags=recognizer.global_regex_flags or 0)
    return any(m.end() > m.start() for m in compiled.finditer(text))


def _presidio(analyzer: Analyzer, text: str) -> list[tuple[str, int, int, float]]:
    """What Presidio's own engine finds, every entity, with empty NLP artifacts as before."""
    artifacts = NlpArtifacts([], None, [], [], analyzer.blank, "en")  # type: ignore[arg-type]
    results = analyzer.engine.analyze(text, language="en", entities=sorted(analyzer.entities),
                                      nlp_artifacts=artifacts, score_threshold=0.0)
    return _key(results)


def _key(results: list[RecognizerResult]) -> list[tuple[str, int, int, float]]:
    return sorted((r.entity_type, r.start, r.end, r.score) for r in results)


def test_every_pattern_is_compiled_when_the_analyzer_starts(tmp_path_factory: pytest.TempPathFactory) -> None:
    # A scan's time budget counts its CPU time: a regex compiled on first use, inside it, made the first string that
    # opened the gate of an address or a password pattern "[UNSCANNED]" on a busy machine. The warm-up text opens only
    # some gates; every pattern is compiled, with its recognizer's flags, before the analyzer takes a string.
    fresh = Analyzer(tmp_path_factory.mktemp("pii-data"), ("US", "GB", "DE", "FR"), 0, 0.1)
    late = [(r.name, p.name) for r in _pattern_recognizers(fresh) for p in r.patterns
            if p.compiled_regex is None or p.compiled_with_flags != r.global_regex_flags]
    assert late == []


def test_every_pattern_has_a_gate(analyzer: Analyzer) -> None:
    assert analyzer.gates.gated == sum(len(r.patterns) for r in _pattern_recognizers(analyzer))


@pytest.mark.parametrize("text", TEXTS + _batches())
def test_a_gate_is_open_wherever_its_pattern_matches(analyzer: Analyzer, text: str) -> None:
    for recognizer in _pattern_recognizers(analyzer):
        narrowed = analyzer.gates.narrow(recognizer, scannable(text))
        kept = [] if narrowed is None else narrowed.patterns  # type: ignore[attr-defined]
        for pattern in recognizer.patterns:
            if _matches(recognizer, pattern, text):
                assert pattern in kept, (recognizer.name, pattern.name)


@pytest.mark.parametrize("text", TEXTS + _batches())
def test_the_gated_direct_run_finds_what_presidios_engine_finds(analyzer: Analyzer, text: str) -> None:
    assert _key(analyzer.analyze(text, sorted(analyzer.entities)).results) == _presidio(analyzer, text)


def test_gates_stay_shut_on_text_without_pii_and_texts_with_ascii_folding_letters_are_not_gated(
        analyzer: Analyzer) -> None:
    for text in ("the quarterly report is ready", "le caf\u00e9 est pr\u00eat\u2029\x00"):
        data = scannable(text)
        assert data is not None
        assert all(analyzer.gates.narrow(r, data) is None for r in _pattern_recognizers(analyzer)
                   if r.name in ("SecretKeyRecognizer", "JwtRecognizer", "PemPrivateKeyRecognizer"))
    assert scannable("\u017fk_live") is None
    assert scannable("\ud800") is None


def test_a_caseless_class_that_holds_the_long_s_opens_on_s() -> None:
    # `[\u00a1-\uffff]` without case matches `s` in Python (its other case, the long s, is in the range); hyperscan's
    # ASCII folding would not, so the gate gets `s` written in.
    recognizer = PatternRecognizer(supported_entity="X", name="FoldTrap",
                                   patterns=[Pattern("trap", r"\bzz[\u00a1-\uffff]zz\b", 0.9)])
    gates = PatternGates([recognizer])
    assert regex.search(recognizer.patterns[0].regex, "zzszz", flags=recognizer.global_regex_flags or 0)
    assert gates.narrow(recognizer, scannable("zzszz")) is recognizer
    assert gates.narrow(recognizer, scannable("zzzz")) is None


def test_look_behinds_that_start_the_branches_of_a_leading_group_shut_the_gate_without_their_text() -> None:
    # Hyperscan's prefilter mode drops look-behinds: the gate of `(?:(?<=pw )\w+|(?<=pin )\d+)` would open on any word.
    recognizer = PatternRecognizer(supported_entity="X", name="Branches", patterns=[
        Pattern("branches", r"(?:(?<=\bpw\s)\w{4,}|(?<=pin:)\d{4}|code)(?!x)", 0.9),
        Pattern("repeated", r"(?:(?<=\w)y){2}", 0.9)])
    gates = PatternGates([recognizer])
    for text, opened in [("my pw hunter2", ["branches"]), ("pin:1234", ["branches"]), ("a code", ["branches"]),
                         ("hunter2 and 1234", []), ("xyy", ["repeated"])]:
        narrowed = gates.narrow(recognizer, scannable(text))
        assert ([] if narrowed is None else [p.name for p in narrowed.patterns]) == opened, text  # type: ignore[attr-defined]
    assert patterngates._edge_lookarounds_consumed(r"(?:(?<=a|b)x[|(]|(?<=c)(?:d|e)|f)g") == \
        r"(?:(?:a|b)x[|(]|(?:c)(?:d|e)|f)g"
    # A repeated group's look-behind may read its previous round (`(?:(?<=\w)y){2}` in `xyy`): left to hyperscan.
    assert patterngates._edge_lookarounds_consumed(r"(?:(?<=\w)y){2}") == r"(?:(?<=\w)y){2}"


def test_patterns_hyperscan_reads_otherwise_always_run() -> None:
    recognizer = PatternRecognizer(supported_entity="X", name="Braces",
                                   patterns=[Pattern("fuzzy-ish", r"ab{,3}c", 0.9), Pattern("dotless", r"\u0131x", 0.9),
                                             Pattern("plain", r"\bqq\d{2,}", 0.9)])
    gates = PatternGates([recognizer])
    assert gates.gated == 1
    narrowed = gates.narrow(recognizer, scannable("nothing"))
    assert narrowed is not None
    assert [p.name for p in narrowed.patterns] == ["fuzzy-ish", "dotless"]  # type: ignore[attr-defined]


def test_a_recognizer_whose_patterns_changed_since_runs_all_of_them() -> None:
    recognizer = PatternRecognizer(supported_entity="X", name="Changing",
                                   patterns=[Pattern("qq", r"\bqq\d{2,}", 0.9), Pattern("zz", r"\bzz\d{2,}", 0.9)])
    gates = PatternGates([recognizer])
    assert gates.gated == 2
    assert list(gates.open_patterns(recognizer, scannable("ww42"))) == []  # its gates are shut
    # The same number of patterns, one of them another object (with the same name and regex): no gate is its gate.
    recognizer.patterns = [recognizer.patterns[0], Pattern("zz", r"\bzz\d{2,}", 0.9)]
    assert gates.open_patterns(recognizer, scannable("ww42")) is recognizer.patterns
    recognizer.patterns = [*recognizer.patterns, Pattern("ww", r"\bww\d{2,}", 0.9)]  # one more
    assert gates.open_patterns(recognizer, scannable("ww42")) is recognizer.patterns


def test_a_recognizer_added_later_runs_all_its_patterns(analyzer: Analyzer) -> None:
    late = PatternRecognizer(supported_entity="LATE", name="LateRecognizer",
                             patterns=[Pattern("late", r"\blate\d+", 0.9)])
    analyzer.engine.registry.add_recognizer(late)
    try:
        assert _key(analyzer.analyze("x late42 y", ["LATE"]).results) == [("LATE", 2, 8, 0.9)]
    finally:
        analyzer.engine.registry.remove_recognizer("LateRecognizer")


def test_a_time_out_in_a_gated_pattern_is_still_reported(analyzer: Analyzer, monkeypatch: pytest.MonkeyPatch) -> None:
    # A catastrophically backtracking pattern whose gate (the look-ahead dropped) opens where the pattern itself
    # finds nothing: the time-out (0.1 s) still reaches the caller, which fails closed. Where the gate is shut the
    # pattern does not run at all: a text that timed out before may now be known to hold no match (`aaa…!` for
    # `(a|aa)+$`).
    evil = PatternRecognizer(supported_entity="EVIL", name="EvilRecognizer",
                             patterns=[Pattern("evil", r"(a|aa)+(?=b)c", 0.9)])
    gates = PatternGates([evil])
    assert gates.gated == 1
    monkeypatch.setattr(analyzer, "gates", gates)
    analyzer.engine.registry.add_recognizer(evil)
    try:
        assert gates.narrow(evil, scannable("a" * 40 + "c")) is evil
        assert analyzer.analyze("a" * 40 + "c", ["EVIL"]).timed_out
        assert gates.narrow(evil, scannable("a" * 40 + "d")) is None
        assert not analyzer.analyze("a" * 40 + "d", ["EVIL"]).timed_out
    finally:
        analyzer.engine.registry.remove_recognizer("EvilRecognizer")


_PIECES = st.sampled_from([*TEXTS[:50], "@", ".", "-", "_", "sk_", "Bearer ", "password", ":", "=", "12", "4111",
                                         "\u017f", "\u212a", "\u2029", "\x00", "\n", " ", "\u00e9", "straße", "Str."])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=10).map("".join))
def test_generated_text_gives_the_gated_run_no_other_answer(analyzer: Analyzer, text: str) -> None:
    assert _key(analyzer.analyze(text, sorted(analyzer.entities)).results) == _presidio(analyzer, text)
    for recognizer in _pattern_recognizers(analyzer):
        narrowed = analyzer.gates.narrow(recognizer, scannable(text))
        kept = [] if narrowed is None else narrowed.patterns  # type: ignore[attr-defined]
        assert all(p in kept for p in recognizer.patterns if _matches(recognizer, p, text)), recognizer.name


def test_pattern_syntax_converts_code_point_escapes() -> None:
    assert patterngates._hyperscan_syntax(r"a[\u2019\\u]\U0001F600") == r"a[\x{2019}\\u]\x{0001F600}"


@pytest.mark.parametrize(("pattern", "text"), [
    (r"\bcaf\w\b", "caf\u00e9"), (r"\d{3}", "\u0661\u0662\u0663"), (r"a\sb", "a\u00a0b"), (r"a\sb", "a\x85b"),
    (r"(?i)stra\u00dfe", "STRA\u1e9eE"), (r"(?i)[\u00e0-\u00ff]", "\u00c9"), (r"[^\W\d_]x", "\u00e9x"),
    (r"\p{Lu}x", "\u00c9x"), (r"(?i)\u00e9", "\u00c9"), (r"[[:alpha:]]x", "\u00e9x"), (r"x\b", "x\u2029"),
])
def test_a_gate_opens_on_text_outside_ascii_where_python_matches(pattern: str, text: str) -> None:
    recognizer = PatternRecognizer(supported_entity="X", name="Unicode", patterns=[Pattern("p", pattern, 0.9)],
                                   global_regex_flags=regex.DOTALL | regex.MULTILINE)
    assert regex.search(pattern, text, flags=regex.DOTALL | regex.MULTILINE)
    gates = PatternGates([recognizer])
    assert gates.gated == 1
    assert gates.narrow(recognizer, scannable(text)) is recognizer


def _open_patterns(gates: PatternGates, recognizers: list[PatternRecognizer]) -> list[list[str]]:
    opened = []
    for text in [*TEXTS, *_batches()]:
        data = scannable(text)
        for recognizer in recognizers:
            narrowed = gates.narrow(recognizer, data)
            opened.append([] if narrowed is None else [p.regex for p in narrowed.patterns])  # type: ignore[attr-defined]
    return opened


def test_compiled_gates_are_kept_between_processes_and_a_spoilt_copy_is_compiled_again(
        analyzer: Analyzer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Compiling every gate takes seconds that each gateway, scrub worker and CLI run would pay at start: the databases
    are kept in the data directory. What is loaded from there opens exactly what a fresh compile opens."""
    monkeypatch.delenv(hyperscan_cache.CACHE_ENV, raising=False)
    cache = hyperscan_cache.cache_dir(tmp_path)
    assert cache == tmp_path / "cache" / "pattern-gates"
    recognizers = _pattern_recognizers(analyzer)
    patterngates._database.cache_clear()
    compiled = PatternGates(recognizers, cache)
    kept = sorted(cache.glob("*.hsdb"))
    assert len(kept) == len(recognizers)

    patterngates._database.cache_clear()
    loaded = PatternGates(recognizers, cache)
    assert _open_patterns(loaded, recognizers) == _open_patterns(compiled, recognizers)

    for path in kept:
        path.write_bytes(b"not a hyperscan database")
    patterngates._database.cache_clear()
    recompiled = PatternGates(recognizers, cache)
    assert _open_patterns(recompiled, recognizers) == _open_patterns(compiled, recognizers)
    assert all(hyperscan.loadb(path.read_bytes(), hyperscan.HS_MODE_BLOCK) for path in kept)  # written again
    patterngates._database.cache_clear()


def _row(result: RecognizerResult) -> tuple[str, int, int, float, str]:
    assert result.analysis_explanation is not None
    return (result.entity_type, result.start, result.end, result.score, str(result.analysis_explanation.pattern_name))


def _by_presidios_loop(recognizer: PatternRecognizer, text: str) -> list[tuple[str, int, int, float, str]]:
    """Presidio's own PatternRecognizer.analyze on the recognizer's patterns, with its validate and invalidate rules,
    whatever the class's own `analyze` does after it."""
    return [_row(r) for r in PatternRecognizer.analyze(recognizer, text, recognizer.supported_entities)]


def _directly(recognizer: PatternRecognizer, patterns: Sequence[Pattern],
              text: str) -> list[tuple[str, int, int, float, str]]:
    return [_row(r) for r in pattern_matches(recognizer, patterns, text, explain=True)]


def _check_direct_run(analyzer: Analyzer, text: str) -> None:
    for recognizer in _pattern_recognizers(analyzer):
        if not runs_directly(recognizer):
            continue
        # Same results, order and scores as Presidio's loop, on all the patterns and on the ones whose gates opened.
        assert _directly(recognizer, recognizer.patterns, text) == _by_presidios_loop(recognizer, text), recognizer.name
        narrowed = analyzer.gates.narrow(recognizer, scannable(text))
        opened = analyzer.gates.open_patterns(recognizer, scannable(text))
        assert list(opened) == ([] if narrowed is None else narrowed.patterns), recognizer.name  # type: ignore[attr-defined]
        if narrowed is not None:
            assert _directly(recognizer, opened, text) == _by_presidios_loop(narrowed, text), recognizer.name  # type: ignore[arg-type]


@pytest.mark.parametrize("text", TEXTS + _batches())
def test_the_direct_run_of_each_recognizer_is_presidios_loop(analyzer: Analyzer, text: str) -> None:
    _check_direct_run(analyzer, text)


@settings(max_examples=150, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=10).map("".join))
def test_generated_text_gives_the_direct_run_no_other_answer(analyzer: Analyzer, text: str) -> None:
    _check_direct_run(analyzer, text)


def test_only_presidios_recognizers_that_override_analyze_run_it(analyzer: Analyzer) -> None:
    own = {r.name for r in _pattern_recognizers(analyzer) if not runs_directly(r)}
    assert own == {"IbanRecognizer"}


def test_the_person_gates_are_scanned_once_for_a_text(analyzer: Analyzer, monkeypatch: pytest.MonkeyPatch) -> None:
    # The three person recognizers read one batch in turn: one hyperscan pass answers for all three, and no module
    # global keeps the text (it may hold PII) to share it.
    scans: list[int] = []
    real = recognizers._person_gates()

    class Counting:
        def open_gates(self, texts: list[str]) -> list[int]:
            scans.append(len(texts))
            return real.open_gates(texts)

    monkeypatch.setattr(recognizers, "_person_gates", lambda: Counting())
    text = _JOIN.join(["Dear Jane Doe,", "cc: Oluwaseun Adeyemi", "Anna Schmidt called", "with Maria Rossi"])
    found = analyzer.analyze(text, ["PERSON_NAME"]).results
    assert scans == [1]
    assert {text[r.start : r.end] for r in found} >= {"Jane Doe", "Oluwaseun Adeyemi", "Anna Schmidt", "Maria Rossi"}


@pytest.mark.parametrize(("text", "name"), [("Dear Jane Doe,", "greeting"), ("cc: Oluwaseun Adeyemi", "role"),
                                            ("Anna Schmidt called", "before a verb")])
def test_the_person_recognizers_results_say_which_pattern_matched(analyzer: Analyzer, text: str, name: str) -> None:
    # Their rules may read it (PersonByContext's `thanks`), on the analyzer's direct run as on Presidio's engine.
    scan = recognizers.TextScan(text)
    for recognizer in _pattern_recognizers(analyzer):
        if recognizer.name.startswith("Person"):
            assert all(r.analysis_explanation is not None for r in recognizer.analyze(text, ["PERSON_NAME"]))
            for r in recognizers.matches(recognizer, scan, recognizer.patterns):
                assert r.analysis_explanation is not None
                assert r.analysis_explanation.pattern_name == name

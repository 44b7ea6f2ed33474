"""The `[pii]` table: defaults, every key, and the errors a bad value gets (file, key, problem)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from policies.pii.config import DEFAULT_RULES, STANDARD, STRICT, FieldRule, PiiConfig, read_pii
from policies.table import PolicyError, Table

FILE = "site.toml"


def parse(text: str, env: dict[str, str] | None = None) -> PiiConfig:
    data = tomllib.loads(text)
    return Table(FILE, data, "", {} if env is None else env).read("pii", read_pii)


def error(text: str, env: dict[str, str] | None = None) -> PolicyError:
    with pytest.raises(PolicyError) as info:
        parse(text, env)
    return info.value


def test_no_pii_section_gives_the_defaults() -> None:
    config = parse("")
    assert config == PiiConfig()
    assert config.enabled and config.default_rules
    assert config.standard == STANDARD and config.strict == STRICT
    assert config.all_rules == DEFAULT_RULES
    assert config.entity_actions == {"IP_ADDRESS": "truncate_ip"}
    assert "password" in config.sensitive_keys and "ssn" in config.sensitive_keys
    assert "event" in config.safe_fields and "userId" in config.id_fields


def test_every_key() -> None:
    config = parse(
        """
        [pii]
        enabled = true
        hash_prefix = "pg_"
        hash_length = 12
        ipv4_prefix = 16
        ipv6_prefix = 32
        sensitive_keys = ["password"]
        extra_sensitive_keys = ["loyalty_pin"]
        safe_fields = ["event", "context.campaign.**"]
        id_fields = ["userId"]
        default_rules = false
        free_text_keys = ["remarks"]
        allow_values = ["support@example.com"]
        url_secret_params = ["magic"]

        [[pii.rules]]
        path = "properties.**.email"
        action = "replace"
        label = "[EMAIL]"

        [[pii.rules]]
        path = "traits.*"
        action = "hash"

        [pii.detectors]
        entities = ["EMAIL_ADDRESS", "PHONE_NUMBER"]
        score_threshold = 0.5
        phone_regions = ["DE", "AT"]
        phone_leniency = 1
        actions = { EMAIL_ADDRESS = "mask", IP_ADDRESS = "replace" }

        [pii.free_text]
        entities = ["EMAIL_ADDRESS", "PERSON"]
        score_threshold = 0.2
        digit_run = 6

        [pii.limits]
        max_depth = 10
        max_scan_chars = 1000
        window_chars = 500
        window_overlap = 100
        regex_timeout_ms = 50
        max_scan_ms = 300
        cache_entries = 10
        cache_max_chars = 64
        """
    )
    assert config.hash_prefix == "pg_" and config.hash_length == 12
    assert (config.ipv4_prefix, config.ipv6_prefix) == (16, 32)
    assert config.sensitive_keys == ("password",) and config.extra_sensitive_keys == ("loyalty_pin",)
    assert config.safe_fields == ("event", "context.campaign.**") and config.id_fields == ("userId",)
    assert config.rules == (FieldRule("properties.**.email", "replace", "[EMAIL]"), FieldRule("traits.*", "hash"))
    assert config.all_rules == config.rules  # default_rules = false
    assert config.free_text_keys == ("remarks",) and config.allow_values == ("support@example.com",)
    assert config.url_secret_params == ("magic",)
    assert config.standard.entities == ("EMAIL_ADDRESS", "PHONE_NUMBER") and config.standard.score_threshold == 0.5
    assert config.phone_regions == ("DE", "AT") and config.phone_leniency == 1
    assert config.entity_actions == {"EMAIL_ADDRESS": "mask", "IP_ADDRESS": "replace"}
    assert config.strict.entities == ("EMAIL_ADDRESS", "PERSON") and config.strict.digit_run == 6
    assert (config.max_depth, config.max_scan_chars, config.window_chars, config.window_overlap) == (10, 1000, 500, 100)
    assert (config.regex_timeout_ms, config.cache_entries, config.cache_max_chars) == (50, 10, 64)
    assert config.max_scan_ms == 300


def test_env_references_are_expanded() -> None:
    assert parse('[pii]\nallow_values = ["${SUPPORT:-help@example.com}"]', env={}).allow_values == ("help@example.com",)


@pytest.mark.parametrize(
    "text, key, problem",
    [
        ("[pii]\nenabeld = true", "pii.enabeld", "unknown key"),
        ("[pii]\nhash_key = \"0123456789abcdef0\"", "pii.hash_key", "unknown key"),  # the secret is [privacy]'s
        ("[pii]\nhash_prefix = \"\"", "pii.hash_prefix", "non-empty"),
        ("[pii]\nhash_length = 4", "pii.hash_length", "at least 8"),
        ("[pii]\nhash_length = 65", "pii.hash_length", "at most 64"),
        ("[pii]\nipv4_prefix = 33", "pii.ipv4_prefix", "at most 32"),
        ("[pii]\nipv6_prefix = 129", "pii.ipv6_prefix", "at most 128"),
        ("[pii]\nsafe_fields = [\"a..b\"]", "pii.safe_fields[0]", "empty segment"),
        ("[pii]\nid_fields = \"userId\"", "pii.id_fields", "expected an array of strings"),
        ("[pii]\nner_model = \"/nonexistent/model\"", "pii.ner_model", "not a spaCy model directory"),
        ("[[pii.rules]]\npath = \"a\"\naction = \"shred\"", "pii.rules[0].action", "unknown value 'shred'"),
        ("[[pii.rules]]\naction = \"remove\"", "pii.rules[0].path", "missing"),
        ("[[pii.rules]]\npath = \"'a\"\naction = \"remove\"", "pii.rules[0].path", "unterminated quote"),
        ("[[pii.rules]]\npath = \"a\"\naction = \"hash\"\nlabel = \"[X]\"", "pii.rules[0].label", "only a `replace`"),
        ("[[pii.rules]]\npath = \"a\"\naction = \"hash\"\nwhy = 1", "pii.rules[0].why", "unknown key"),
        ("[pii.detectors]\nentities = [\"EMAIL\"]", "pii.detectors.entities[0]", "unknown entity 'EMAIL'"),
        ("[pii.detectors]\nscore_threshold = 2", "pii.detectors.score_threshold", "at most 1"),
        ("[pii.detectors]\nphone_regions = [\"UK\"]", "pii.detectors.phone_regions", "unknown region 'UK'"),
        ("[pii.detectors]\nphone_leniency = 4", "pii.detectors.phone_leniency", "0..3"),
        ("[pii.detectors.actions]\nEMAIL_ADDRESS = \"shred\"", "pii.detectors.actions.EMAIL_ADDRESS", "unknown value"),
        ("[pii.detectors.actions]\nEMAIL_ADDRESS = \"truncate_ip\"", "pii.detectors.actions.EMAIL_ADDRESS",
         "IP_ADDRESS only"),
        ("[pii.detectors.actions]\nNAME = \"mask\"", "pii.detectors.actions.NAME", "unknown entity"),
        ("[pii.free_text]\ndigit_run = 2", "pii.free_text.digit_run", "0 (off) or at least 4"),
        ("[pii.free_text]\nscore_threshold = true", "pii.free_text.score_threshold", "expected a number"),
        ("[pii.limits]\nmax_depth = 0", "pii.limits.max_depth", "at least 1"),
        ("[pii.limits]\nmax_depth = 1000", "pii.limits.max_depth", "at most 200"),
        ("[pii.limits]\nwindow_overlap = 9000", "pii.limits.window_overlap", "below window_chars"),
        ("[pii.limits]\nregex_timeout_ms = 1000", "pii.limits.regex_timeout_ms", "below 1000"),
        ("[pii.limits]\ncache = 5", "pii.limits.cache", "unknown key"),
        ("[pii.limits]\nmax_scan_ms = 1500", "pii.limits.max_scan_ms", "below 1000"),
    ],
)
def test_bad_values_name_file_key_and_problem(text: str, key: str, problem: str) -> None:
    exc = error(text)
    assert (exc.file, exc.key) == (FILE, key)
    assert problem in exc.problem
    assert str(exc).startswith(f"{FILE}: {key}: ")


def test_an_unset_variable_says_what_to_do() -> None:
    exc = error('[pii]\nallow_values = ["${SUPPORT_EMAIL}"]', env={})
    assert exc.key == "pii.allow_values[0]" and "SUPPORT_EMAIL is not set" in exc.problem


def test_ner_model_directory_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "config.cfg").write_text("[nlp]\n")
    assert parse(f'[pii]\nner_model = "{tmp_path}"').ner_model == str(tmp_path)


def test_an_installed_model_package_directory_is_resolved_to_its_model(tmp_path: Path) -> None:
    model = tmp_path / "en_core_web_sm" / "en_core_web_sm-3.8.0"
    model.mkdir(parents=True)
    (model / "config.cfg").write_text("[nlp]\n")
    assert parse(f'[pii]\nner_model = "{tmp_path / "en_core_web_sm"}"').ner_model == str(model)

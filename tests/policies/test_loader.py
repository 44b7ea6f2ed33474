"""Policy files: a good one loads; a bad one stops the start with the file, the key and the problem."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.protocols import DESTINATION_PROTOCOLS
from policies.loader import DEFAULT_POLICY, auto_scrub_workers, load_policy, parse_policy
from policies.table import PolicyError

PROTOCOLS = DESTINATION_PROTOCOLS
GOOD = """
[[sources]]
name = "web"
write_keys = ["${WEB_KEY}"]
destinations = ["seg"]

[[destinations]]
name = "seg"
protocol = "segment"
endpoint = "https://api.segment.io/"
credentials = { write_key = "${SEG_KEY}" }
"""
ENV = {"WEB_KEY": "wk", "SEG_KEY": "sk"}
LONG = "k" * 32


def test_a_good_policy_loads_with_env_references_resolved() -> None:
    policy = parse_policy(GOOD, "site.toml", PROTOCOLS, ENV)
    assert policy.source_for_key("wk").name == "web"
    destination = policy.destination("seg")
    assert destination.credentials == {"write_key": "sk"}
    assert destination.endpoint == "https://api.segment.io"
    assert destination.retry.max_backoff_s == 60


def test_a_source_has_public_write_keys_and_secret_server_keys() -> None:
    text = GOOD.replace('destinations = ["seg"]', 'destinations = ["seg"]\nserver_keys = ["${WEB_SERVER_KEY}"]', 1)
    policy = parse_policy(text, "site.toml", PROTOCOLS, {**ENV, "WEB_SERVER_KEY": "s" * 32})
    public, server = policy.source_key("wk"), policy.source_key("s" * 32)
    assert public is not None and server is not None
    assert (public.source.name, public.kind) == ("web", "public")
    assert (server.source.name, server.kind) == ("web", "server")
    assert policy.source_key("nope") is None


def test_the_embedded_default_serves_with_no_environment_set() -> None:
    policy = load_policy(DEFAULT_POLICY, PROTOCOLS, env={})
    assert policy.source_for_key("dev-write-key").destinations == ("local-sink",)
    assert not policy.destination("segment").enabled


def test_the_embedded_default_scrubs_in_workers_on_the_cores_beyond_the_first() -> None:
    auto = parse_policy(GOOD + '\n[http]\nscrub_workers = "auto"\n', "site.toml", PROTOCOLS, ENV)
    assert load_policy(DEFAULT_POLICY, PROTOCOLS, env={}).http.scrub_workers == auto.http.scrub_workers


AUTO_WORKERS_ON = """
import os, sys
from gateway.protocols import DESTINATION_PROTOCOLS
from policies.loader import parse_policy
os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[: int(sys.argv[1])])
text = sys.stdin.read() + '\\n[http]\\nscrub_workers = "auto"\\n'
print(parse_policy(text, "site.toml", DESTINATION_PROTOCOLS, {"WEB_KEY": "wk", "SEG_KEY": "sk"}).http.scrub_workers)
"""


@pytest.mark.parametrize(("cores", "workers"), [(1, 0), (2, 1), (3, 2), (6, 4), (64, 4)])
def test_auto_scrub_workers_are_the_cores_but_one_up_to_the_cap(cores: int, workers: int) -> None:
    assert auto_scrub_workers(cores) == workers


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="CPU affinity is Linux's")
def test_auto_counts_the_cores_this_process_may_run_on() -> None:
    """A child narrowed to one core by its CPU affinity (as a container's cpuset does) gets no worker."""
    child = subprocess.run([sys.executable, "-c", AUTO_WORKERS_ON, "1"], input=GOOD, capture_output=True, text=True,
                           check=True)
    assert int(child.stdout) == 0


def test_a_fallback_in_the_reference_is_used_when_the_variable_is_unset() -> None:
    text = GOOD.replace("${WEB_KEY}", "${WEB_KEY:-fallback}")
    assert parse_policy(text, "site.toml", PROTOCOLS, {"SEG_KEY": "sk"}).source_for_key("fallback")


@pytest.mark.parametrize(
    ("edit", "key", "problem"),
    [
        (lambda t: t.replace('name = "web"\n', ""), "sources[0].name", "missing (required)"),
        (lambda t: t.replace('write_keys = ["${WEB_KEY}"]', "write_keys = 5"),
         "sources[0].write_keys", "expected an array of strings, got integer 5"),
        (lambda t: t.replace('protocol = "segment"', 'protocol = "segmnt"'),
         "destinations[0].protocol", "unknown value 'segmnt'"),
        (lambda t: t.replace("${SEG_KEY}", "${MISSING_VAR}"),
         "destinations[0].credentials.write_key", "environment variable MISSING_VAR is not set"),
        (lambda t: t.replace('destinations = ["seg"]', 'destinations = ["nowhere"]'),
         "sources[0].destinations[0]", "no destination named 'nowhere'"),
        (lambda t: t + "\n[outbox]\nmax_events = true\n", "outbox.max_events", "expected an integer, got boolean"),
        (lambda t: t + "\n[outbox]\nmax_event = 5\n", "outbox.max_event", "unknown key"),
        (lambda t: t.replace('endpoint = "https://api.segment.io/"', 'endpoint = "api.segment.io"'),
         "destinations[0].endpoint", "expected an http:// or https:// base URL"),
        (lambda t: t + '\n[[access.tokens]]\nname = "x"\nrole = "root"\nsha256 = "' + "a" * 64 + '"\n',
         "access.tokens[0].role", "unknown value 'root'"),
        (lambda t: t + '\n[[access.tokens]]\nname = "x"\nrole = "admin"\nsha256 = "abc"\n',
         "access.tokens[0].sha256", "64 hex digits"),
        (lambda t: t + '\n[[sources]]\nname = "app"\nwrite_keys = ["${WEB_KEY}"]\ndestinations = []\n',
         "sources[1].write_keys[0]", "already belongs to source 'web'"),
        (lambda t: t + "\n[pii2]\n", "pii2", "unknown key"),
        (lambda t: t.replace('destinations = ["seg"]', 'destinations = ["seg"]\nserver_keys = ["short"]', 1),
         "sources[0].server_keys[0]", "too short for a secret"),
        (lambda t: t.replace('"${WEB_KEY}"]', f'"{LONG}"]\nserver_keys = ["{LONG}"]', 1),
         "sources[0].server_keys[0]", "already belongs to source 'web'"),  # a public key cannot be a secret too
        (lambda t: t + '\n[consent]\non_withdrawal = "purge"\n', "consent.on_withdrawal", "unknown value"),
        (lambda t: t + '\n[consent]\ntoken_key = "abc"\n', "consent.token_key", "at least 32"),
        (lambda t: t + '\n[consent]\ntoken_public_key = "AAAA"\n', "consent.token_public_key", "32 bytes"),
        (lambda t: t + '\n[audit]\ncheckpoint_sink = "audit.jsonl"\n', "audit.checkpoint_sink", "absolute file path"),
        (lambda t: t + '\n[privacy]\nkey_file = "signing.key"\n', "privacy.key_file", "absolute path"),
        (lambda t: t + "\n[http]\nheader_timeout_s = 0\n", "http.header_timeout_s", "must be at least 0.1"),
        (lambda t: t + "\n[http]\nmax_connections = 0\n", "http.max_connections", "must be at least 1"),
        (lambda t: t + "\n[http]\nmax_queue_wait_s = -1\n", "http.max_queue_wait_s", "must be at least 0"),
        (lambda t: t + "\n[http]\nbusy_retry_after_s = 0\n", "http.busy_retry_after_s", "must be at least 1"),
        (lambda t: t + "\n[http]\nscrub_workers = -1\n", "http.scrub_workers", "must be at least 0"),
        (lambda t: t + '\n[http]\nscrub_workers = "all"\n', "http.scrub_workers", "unknown value 'all'"),
    ],
)
def test_a_bad_policy_names_the_key_and_the_problem(edit, key: str, problem: str) -> None:
    with pytest.raises(PolicyError) as bad:
        parse_policy(edit(GOOD), "site.toml", PROTOCOLS, ENV)
    assert bad.value.file == "site.toml"
    assert bad.value.key == key
    assert problem in bad.value.problem
    assert str(bad.value).startswith(f"site.toml: {key}: ")


def test_a_disabled_destination_needs_no_secrets() -> None:
    text = GOOD + ('\n[[destinations]]\nname = "amp"\nprotocol = "segment"\nenabled = false\nendpoint = "https://x"\n'
                   'credentials = { write_key = "${NOT_SET}" }\n')
    assert not parse_policy(text, "site.toml", PROTOCOLS, ENV).destination("amp").enabled


def test_not_toml_at_all() -> None:
    with pytest.raises(PolicyError, match=r"site.toml: not valid TOML"):
        parse_policy("[[sources]\n", "site.toml", PROTOCOLS, ENV)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace('name = "web"\n', ""), "sources[0].name: missing (required)"),
        (lambda t: t.replace('protocol = "segment"', "protocol = 3"),
         "destinations[0].protocol: expected a string, got integer 3"),
        (lambda t: t.replace('protocol = "segment"', 'protocol = "heap"'),
         "destinations[0].protocol: unknown value 'heap'"),
        (lambda t: t.replace("${SEG_KEY}", "${UNDEFINED_FOR_TEST}"),
         "destinations[0].credentials.write_key: environment variable UNDEFINED_FOR_TEST is not set"),
        (lambda t: t.replace('credentials = { write_key = "${SEG_KEY}" }', ""),
         "destinations[0].credentials.write_key: missing: a segment destination needs it"),
    ],
)
def test_the_server_refuses_to_start_on_a_bad_policy(tmp_path: Path, edit, message: str) -> None:
    policy = tmp_path / "bad.toml"
    policy.write_text(edit(GOOD))
    result = subprocess.run(
        [sys.executable, "-m", "gateway", "serve", "--policy", str(policy), "--data-dir", str(tmp_path / "data")],
        capture_output=True,
        text=True,
        timeout=60,
        env={"WEB_KEY": "wk", "SEG_KEY": "sk", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 2
    assert f"{policy}: {message}" in result.stderr
    assert not (tmp_path / "data").exists()  # nothing half-started

"""Load and validate a policy file (TOML).

Every problem is reported as `PolicyError(file, key, problem)`, e.g.

    policies/site.toml: destinations[1].protocol: unknown protocol 'segmnt'; expected one of amplitude, mixpanel, ...

so that a bad file stops the start with a message that says where to look and what to change. Unknown keys are errors
too: a typo in a privacy setting must not silently fall back to a default.

Secrets are `${VAR}` references to the environment (`${VAR:-default}` gives a fallback). A disabled destination's
references are not resolved, so a policy can carry a vendor that is switched off without its secrets being set.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from policies.consent import DEFAULT_ON_MISSING_CONSENT, ON_MISSING_CONSENT, read_consent, validate_purposes
from policies.pii.config import parse_pii
from policies.policy import (
    CONSENT_MODELS,
    ROLES,
    AccessToken,
    Destination,
    Http,
    Outbox,
    Policy,
    Privacy,
    Retry,
    Source,
)
from policies.replay import read_replay
from policies.retention import read_retention

DEFAULT_POLICY = Path(__file__).with_name("default.toml")
LOCAL_SINK = "sink"

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_REQUIRED = object()


class PolicyError(Exception):
    """A policy file that cannot be used. `str()` names the file, the key and the problem."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        super().__init__(f"{file}: {key}: {problem}" if key else f"{file}: {problem}")
        self.file, self.key, self.problem = file, key, problem


def _type_name(value: Any) -> str:
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "table"}.get(
        type(value), type(value).__name__
    )


class _Table:
    """Reads one TOML table, checking each key's type, and remembers which keys were read to reject the rest."""

    def __init__(self, file: str, data: Mapping[str, Any], path: str, env: Mapping[str, str] | None) -> None:
        self.file, self.data, self.path, self.env = file, data, path, env
        self._seen: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def error(self, name: str, problem: str) -> PolicyError:
        return PolicyError(self.file, self.key(name), problem)

    def _get(self, name: str, default: Any, expected: tuple[type, ...], what: str) -> Any:
        self._seen.add(name)
        if name not in self.data:
            if default is _REQUIRED:
                raise self.error(name, "missing (required)")
            return default
        value = self.data[name]
        # bool is an int in Python; a number key must not accept `true`.
        if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected):
            raise self.error(name, f"expected {what}, got {_type_name(value)} {value!r}")
        return value

    def expand(self, name: str, value: str) -> str:
        env = self.env
        if env is None:
            return value

        def substitute(match: re.Match[str]) -> str:
            var, fallback = match.group(1), match.group(2)
            if var in env:
                return env[var]
            if fallback is not None:
                return fallback
            raise self.error(
                name, f"environment variable {var} is not set (export {var}=... or write ${{{var}:-default}})"
            )

        return _ENV_REF.sub(substitute, value)

    def string(self, name: str, default: Any = _REQUIRED, choices: Collection[str] | None = None) -> str:
        value = self._get(name, default, (str,), "a string")
        if value is default:
            return value
        value = self.expand(name, value)
        if choices is not None and value not in choices:
            raise self.error(name, f"unknown value {value!r}; expected one of {', '.join(sorted(choices))}")
        return value

    def boolean(self, name: str, default: Any = _REQUIRED) -> bool:
        return self._get(name, default, (bool,), "true or false")

    def integer(self, name: str, default: Any = _REQUIRED, minimum: int = 0) -> int:
        value = self._get(name, default, (int,), "an integer")
        if value < minimum:
            raise self.error(name, f"must be at least {minimum}, got {value}")
        return value

    def number(self, name: str, default: Any = _REQUIRED, minimum: float = 0.0) -> float:
        value = float(self._get(name, default, (int, float), "a number"))
        if value < minimum:
            raise self.error(name, f"must be at least {minimum}, got {value}")
        return value

    def strings(self, name: str, default: Any = _REQUIRED) -> tuple[str, ...]:
        value = self._get(name, default, (list,), "an array of strings")
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise self.error(f"{name}[{i}]", f"expected a string, got {_type_name(item)} {item!r}")
        return tuple(self.expand(f"{name}[{i}]", item) for i, item in enumerate(value))

    def string_map(self, name: str) -> dict[str, str]:
        table = self.table(name)
        return {key: table.string(key) for key in list(table.data)}

    def table(self, name: str) -> _Table:
        value = self._get(name, {}, (dict,), "a table")
        return _Table(self.file, value, self.key(name), self.env)

    def tables(self, name: str) -> list[_Table]:
        value = self._get(name, [], (list,), "an array of tables ([[...]])")
        tables = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                raise self.error(f"{name}[{i}]", f"expected a table, got {_type_name(item)}")
            tables.append(_Table(self.file, item, f"{self.key(name)}[{i}]", self.env))
        return tables

    def finish(self) -> None:
        unknown = [k for k in self.data if k not in self._seen]
        if unknown:
            known = ", ".join(sorted(self._seen)) or "none"
            raise self.error(unknown[0], f"unknown key (known keys here: {known})")


def _read_retry(table: _Table) -> Retry:
    defaults = Retry()
    retry = Retry(
        initial_backoff_s=table.number("initial_backoff_s", defaults.initial_backoff_s),
        max_backoff_s=table.number("max_backoff_s", defaults.max_backoff_s),
        multiplier=table.number("multiplier", defaults.multiplier, minimum=1.0),
        jitter=table.number("jitter", defaults.jitter),
        max_retry_after_s=table.number("max_retry_after_s", defaults.max_retry_after_s),
        timeout_s=table.number("timeout_s", defaults.timeout_s, minimum=0.001),
    )
    table.finish()
    if retry.jitter >= 1:
        raise table.error("jitter", "must be below 1 (a fraction of the delay)")
    return retry


def _read_destination(table: _Table, protocols: Collection[str]) -> Destination:
    enabled = table.boolean("enabled", True)
    if not enabled:
        table.env = None  # a switched-off vendor's secrets need not be set
    protocol = table.string("protocol", choices=protocols)
    endpoint = table.string("endpoint", "" if protocol == LOCAL_SINK else _REQUIRED)
    unresolved_ref = table.env is None and _ENV_REF.search(endpoint)
    if endpoint and not endpoint.startswith(("http://", "https://")) and not unresolved_ref:
        raise table.error("endpoint", f"expected an http:// or https:// base URL, got {endpoint!r}")
    destination = Destination(
        name=table.string("name"),
        protocol=protocol,
        endpoint=endpoint.rstrip("/"),
        enabled=enabled,
        credentials=table.string_map("credentials"),
        purposes=table.strings("purposes", ("analytics",)),
        retry=_read_retry(table.table("retry")),
        deletion=table.string_map("deletion"),
        on_missing_consent=table.string("on_missing_consent", DEFAULT_ON_MISSING_CONSENT, choices=ON_MISSING_CONSENT),
    )
    table.finish()
    return destination


def _read_source(table: _Table) -> Source:
    source = Source(
        name=table.string("name"),
        write_keys=table.strings("write_keys"),
        destinations=table.strings("destinations"),
        consent_model=table.string("consent_model", "opt-in", choices=CONSENT_MODELS),
        allowed_origins=table.strings("allowed_origins", ()),
    )
    table.finish()
    if not source.write_keys:
        raise table.error("write_keys", "needs at least one key")
    for i, key in enumerate(source.write_keys):
        if not key.strip():
            raise table.error(f"write_keys[{i}]", "is empty (is its environment variable set to an empty string?)")
    return source


def _read_access(table: _Table) -> tuple[AccessToken, ...]:
    tokens = []
    for entry in table.tables("tokens"):
        sha = entry.string("sha256").lower()
        if not _HEX64.match(sha):
            raise entry.error(
                "sha256", "expected the 64 hex digits of sha256(token), e.g. from `privacy-gateway token`"
            )
        tokens.append(AccessToken(name=entry.string("name"), role=entry.string("role", choices=ROLES), sha256=sha))
        entry.finish()
    table.finish()
    return tuple(tokens)


def _read_http(table: _Table) -> Http:
    proxies = table.strings("trusted_proxies", ())
    for i, cidr in enumerate(proxies):
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            raise table.error(f"trusted_proxies[{i}]", f"not an IP address or network: {cidr!r}") from None
    table.finish()
    return Http(trusted_proxies=proxies)


def _unique(items: list[_Table], values: list[str], what: str, key: str) -> None:
    seen: dict[str, int] = {}
    for table, value in zip(items, values, strict=True):
        if value in seen:
            raise table.error(key, f"duplicate {what} {value!r}")
        seen[value] = 1


def parse_policy(
    text: str, file: str, protocols: Collection[str], env: Mapping[str, str] | None = None
) -> Policy:
    """Validate policy `text` (the contents of `file`). `protocols` are the destination protocols the gateway speaks."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(file, "", f"not valid TOML: {exc}") from None
    root = _Table(file, data, "", os.environ if env is None else env)

    source_tables = root.tables("sources")
    destination_tables = root.tables("destinations")
    destinations = [_read_destination(t, protocols) for t in destination_tables]
    sources = [_read_source(t) for t in source_tables]
    outbox_table = root.table("outbox")
    outbox = Outbox(
        max_events=outbox_table.integer("max_events", Outbox.max_events, minimum=1),
        full_retry_after_s=outbox_table.integer("full_retry_after_s", Outbox.full_retry_after_s, minimum=1),
    )
    outbox_table.finish()
    http = _read_http(root.table("http"))
    privacy_table = root.table("privacy")
    privacy = Privacy(hash_key=privacy_table.string("hash_key", ""))
    privacy_table.finish()
    replay = read_replay(root.table("replay"))
    retention = read_retention(root.table("retention"))
    consent = read_consent(root.table("consent"))
    pii_table = root.table("pii")
    pii = parse_pii(pii_table.data, file, pii_table.env)
    if privacy.hash_key and len(privacy.hash_key) < 16:
        raise privacy_table.error(
            "hash_key", "too short: use at least 16 random characters (e.g. `openssl rand -hex 32`)"
        )
    access = _read_access(root.table("access"))
    root.finish()

    if not sources:
        raise PolicyError(file, "sources", "no [[sources]]: nothing could send events to the gateway")
    _unique(destination_tables, [d.name for d in destinations], "destination name", "name")
    _unique(source_tables, [s.name for s in sources], "source name", "name")
    seen_keys: dict[str, str] = {}
    for table, source in zip(source_tables, sources, strict=True):
        for i, key in enumerate(source.write_keys):
            if key in seen_keys:
                raise table.error(f"write_keys[{i}]", f"write key already belongs to source {seen_keys[key]!r}")
            seen_keys[key] = source.name
    for i, destination in enumerate(destinations):
        validate_purposes(consent, destination.purposes, file, f"destinations[{i}].purposes")
    by_name = {d.name: d for d in destinations}
    for table, source in zip(source_tables, sources, strict=True):
        for i, name in enumerate(source.destinations):
            if name not in by_name:
                known = ", ".join(sorted(by_name)) or "none defined"
                raise table.error(f"destinations[{i}]", f"no destination named {name!r} (known: {known})")
    return Policy(
        path=file,
        sources=tuple(sources),
        destinations=tuple(destinations),
        outbox=outbox,
        http=http,
        privacy=privacy,
        replay=replay,
        retention=retention,
        consent=consent,
        pii=pii,
        access_tokens=access,
    )


def load_policy(path: str | Path, protocols: Collection[str], env: Mapping[str, str] | None = None) -> Policy:
    """Read and validate the policy file at `path`; raises PolicyError naming the file, the key and the problem."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyError(file, "", "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(file, "", f"cannot be read: {exc}") from None
    return parse_policy(text, file, protocols, env)

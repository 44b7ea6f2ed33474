"""Reading one table of a policy file: typed keys, `${VAR}` references, and errors that name the file and the key.

Every section of the policy (`[replay]`, `[retention]`, `[consent]`, `[pii]`, ...) has a reader of one shape, a
`SectionReader`: it takes its `Table`, reads each key with a checked type, calls `finish()` (so that an unknown key, a
typo in a privacy setting, is an error rather than a silent default), and returns its frozen configuration. The loader
hands each reader its table; a reader imports this module and nothing of the loader.

    def read_retention(table: Table) -> Retention: ...
    retention = root.read("retention", read_retention)

Secrets are `${VAR}` references to the environment (`${VAR:-default}` gives a fallback). A table made with `env=None`
leaves references as they are (a switched-off destination's secrets need not be set).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any, Protocol, TypeVar

ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
REQUIRED: Any = object()  # the default of a key that must be given

T_co = TypeVar("T_co", covariant=True)
T = TypeVar("T")


class PolicyError(Exception):
    """A policy file that cannot be used. `str()` names the file, the key and the problem."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        super().__init__(f"{file}: {key}: {problem}" if key else f"{file}: {problem}")
        self.file, self.key, self.problem = file, key, problem


def _type_name(value: Any) -> str:
    """A TOML value's type as the policy's author knows it."""
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "table"}.get(
        type(value), type(value).__name__
    )


class Table:
    """One TOML table at `path` of `file`. Checks each key's type as it is read, and remembers which keys were read
    so that `finish()` can reject the rest."""

    def __init__(self, file: str, data: Mapping[str, Any], path: str = "", env: Mapping[str, str] | None = None
                 ) -> None:
        self.file, self.data, self.path, self.env = file, data, path, env
        self._seen: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def error(self, name: str, problem: str) -> PolicyError:
        return PolicyError(self.file, self.key(name), problem)

    def _get(self, name: str, default: Any, expected: tuple[type, ...], what: str) -> Any:
        self._seen.add(name)
        if name not in self.data:
            if default is REQUIRED:
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

        return ENV_REF.sub(substitute, value)

    def string(self, name: str, default: Any = REQUIRED, choices: Collection[str] | None = None) -> str:
        value = self._get(name, default, (str,), "a string")
        if value is default:
            return value
        value = self.expand(name, value)
        if choices is not None and value not in choices:
            raise self.error(name, f"unknown value {value!r}; expected one of {', '.join(sorted(choices))}")
        return value

    def boolean(self, name: str, default: Any = REQUIRED) -> bool:
        return self._get(name, default, (bool,), "true or false")

    def integer(self, name: str, default: Any = REQUIRED, minimum: int = 0) -> int:
        value = self._get(name, default, (int,), "an integer")
        if value < minimum:
            raise self.error(name, f"must be at least {minimum}, got {value}")
        return value

    def number(self, name: str, default: Any = REQUIRED, minimum: float = 0.0) -> float:
        value = float(self._get(name, default, (int, float), "a number"))
        if value < minimum:
            raise self.error(name, f"must be at least {minimum}, got {value}")
        return value

    def strings(self, name: str, default: Any = REQUIRED) -> tuple[str, ...]:
        value = self._get(name, default, (list,), "an array of strings")
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise self.error(f"{name}[{i}]", f"expected a string, got {_type_name(item)} {item!r}")
        return tuple(self.expand(f"{name}[{i}]", item) for i, item in enumerate(value))

    def array(self, name: str, default: Any = REQUIRED) -> list[Any]:
        """An array whose items the caller checks (each item's error names `name[i]`)."""
        value: list[Any] = self._get(name, default, (list,), "an array")
        return value

    def string_map(self, name: str) -> dict[str, str]:
        table = self.table(name)
        return {key: table.string(key) for key in list(table.data)}

    def table(self, name: str) -> Table:
        value = self._get(name, {}, (dict,), "a table")
        return Table(self.file, value, self.key(name), self.env)

    def tables(self, name: str) -> list[Table]:
        value = self._get(name, [], (list,), "an array of tables ([[...]])")
        tables = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                raise self.error(f"{name}[{i}]", f"expected a table, got {_type_name(item)}")
            tables.append(Table(self.file, item, f"{self.key(name)}[{i}]", self.env))
        return tables

    def read(self, name: str, reader: SectionReader[T]) -> T:
        """The sub-table `name`, read by its section's reader."""
        return reader(self.table(name))

    def finish(self) -> None:
        unknown = [k for k in self.data if k not in self._seen]
        if unknown:
            known = ", ".join(sorted(self._seen)) or "none"
            raise self.error(unknown[0], f"unknown key (known keys here: {known})")


class SectionReader(Protocol[T_co]):
    """What reads one section of the policy: its table in, its validated configuration out (or PolicyError)."""

    def __call__(self, table: Table, /) -> T_co: ...

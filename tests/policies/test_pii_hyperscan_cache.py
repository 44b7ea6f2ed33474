"""Compiled hyperscan databases kept between processes (policies/pii/hyperscan_cache.py): the pattern gates' and the
name gate's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import hyperscan
import pytest

from policies.pii import candidates, hyperscan_cache


def _compiler(expressions: list[bytes], compiles: list[int]) -> hyperscan.Database:
    compiles.append(1)
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    db.compile(expressions=expressions, ids=list(range(len(expressions))), elements=len(expressions))
    return db


def _matches(db: hyperscan.Database, data: bytes) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    db.scan(data, match_event_handler=lambda i, _s, end, _f, _c: found.append((i, end)))
    return found


def test_a_database_is_compiled_once_kept_and_loaded_and_a_spoilt_copy_is_compiled_again(tmp_path: Path) -> None:
    expressions, compiles = [b"jane", b"\\d{3}"], []
    source = ("test", expressions)
    first = hyperscan_cache.loaded_or_compiled(tmp_path, source, lambda: _compiler(expressions, compiles))
    kept = hyperscan_cache.cache_file(tmp_path, source)
    assert kept.exists() and compiles == [1]
    loaded = hyperscan_cache.loaded_or_compiled(tmp_path, source, lambda: _compiler(expressions, compiles))
    assert compiles == [1]
    assert _matches(loaded, b"jane 123") == _matches(first, b"jane 123") == [(0, 4), (1, 8)]

    kept.write_bytes(b"not a hyperscan database")
    again = hyperscan_cache.loaded_or_compiled(tmp_path, source, lambda: _compiler(expressions, compiles))
    assert compiles == [1, 1]
    assert _matches(again, b"jane 123") == [(0, 4), (1, 8)]
    assert hyperscan.loadb(kept.read_bytes(), hyperscan.HS_MODE_BLOCK)  # written again


def test_another_source_is_another_file_and_no_directory_keeps_nothing(tmp_path: Path) -> None:
    assert hyperscan_cache.cache_file(tmp_path, ("a", [b"x"])) != hyperscan_cache.cache_file(tmp_path, ("a", [b"y"]))
    compiles: list[int] = []
    for _ in range(2):
        hyperscan_cache.loaded_or_compiled(None, ("a", [b"x"]), lambda: _compiler([b"x"], compiles))
    assert compiles == [1, 1]


def test_an_unwritable_directory_only_costs_the_compile(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the directory would be")
    compiles: list[int] = []
    db = hyperscan_cache.loaded_or_compiled(blocker / "cache", ("a", [b"x"]), lambda: _compiler([b"x"], compiles))
    assert _matches(db, b"x") == [(0, 1)] and compiles == [1]


@pytest.fixture()
def fresh_name_gate() -> Iterator[None]:
    saved = list(candidates._cache_dirs)
    candidates._cache_dirs.clear()
    candidates._name_sieve.cache_clear()
    yield
    candidates._cache_dirs[:] = saved
    candidates._name_sieve.cache_clear()


def test_the_name_gate_is_kept_in_the_cache_directory_and_what_is_loaded_answers_the_same(
        fresh_name_gate: None, tmp_path: Path) -> None:
    texts = ["Jane Doe", "plain text", "O'Neil", "Jürgen", "order 12345", "x-anna", "anna\x00maria"]
    candidates.load_name_gate(tmp_path)
    assert len(list(tmp_path.glob("*.hsdb"))) == 1
    compiled = candidates._name_gates(texts)
    candidates._name_sieve.cache_clear()
    candidates.load_name_gate(tmp_path / "elsewhere")  # the first directory given stays the one
    assert not (tmp_path / "elsewhere").exists()
    assert candidates._name_gates(texts) == compiled == [candidates.NAME, 0, candidates.NAME, candidates.NAME, 0,
                                                          candidates.NAME, candidates.NAME]

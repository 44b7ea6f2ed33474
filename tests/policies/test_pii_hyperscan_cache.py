"""Compiled hyperscan databases kept between processes (policies/pii/hyperscan_cache.py): the pattern gates' and the
name gate's."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import hyperscan
import pytest

from policies.pii import candidates, hyperscan_cache


@pytest.fixture()
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[hyperscan_cache.Spec]:
    """The specs compiled (not loaded) while the test runs."""
    compiled: list[hyperscan_cache.Spec] = []
    real = hyperscan_cache.Spec.compile

    def counting(spec: hyperscan_cache.Spec) -> hyperscan.Database:
        compiled.append(spec)
        return real(spec)

    monkeypatch.setattr(hyperscan_cache.Spec, "compile", counting)
    return compiled


def _matches(db: hyperscan.Database, data: bytes) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    db.scan(data, match_event_handler=lambda i, _s, end, _f, _c: found.append((i, end)))
    return found


SPEC = hyperscan_cache.Spec((b"jane", b"\\d{3}"), (0, 1))


def test_a_database_is_compiled_once_kept_and_loaded_and_a_spoilt_copy_is_compiled_again(
        tmp_path: Path, compiles: list[hyperscan_cache.Spec]) -> None:
    first = hyperscan_cache.database(tmp_path, SPEC)
    kept = hyperscan_cache.cache_file(tmp_path, SPEC)
    assert kept.exists() and compiles == [SPEC]
    loaded = hyperscan_cache.database(tmp_path, SPEC)
    assert compiles == [SPEC]
    assert _matches(loaded, b"jane 123") == _matches(first, b"jane 123") == [(0, 4), (1, 8)]

    kept.write_bytes(b"not a hyperscan database")
    again = hyperscan_cache.database(tmp_path, SPEC)
    assert compiles == [SPEC, SPEC]
    assert _matches(again, b"jane 123") == [(0, 4), (1, 8)]
    assert hyperscan.loadb(kept.read_bytes(), hyperscan.HS_MODE_BLOCK)  # written again
    assert [p.name for p in tmp_path.iterdir()] == [kept.name]  # no temporary file left


def test_every_compile_argument_names_the_file_so_another_way_of_compiling_is_never_loaded(
        tmp_path: Path, compiles: list[hyperscan_cache.Spec]) -> None:
    twice = hyperscan_cache.Spec((b" anna ",), (0,), literal=True)
    once = hyperscan_cache.Spec((b" anna ",), (0,), hyperscan.HS_FLAG_SINGLEMATCH, literal=True)
    other = [hyperscan_cache.Spec((b" anna ",), (0,)), hyperscan_cache.Spec((b" anna ",), (1,), literal=True),
             hyperscan_cache.Spec((b" anne ",), (0,), literal=True), once]
    assert len({hyperscan_cache.cache_file(tmp_path, spec) for spec in [twice, *other]}) == 5
    assert len(_matches(hyperscan_cache.database(tmp_path, twice), b" anna  anna ")) == 2
    assert len(_matches(hyperscan_cache.database(tmp_path, once), b" anna  anna ")) == 1  # not the kept `twice`
    assert compiles == [twice, once]


def test_no_directory_keeps_nothing_and_an_unwritable_one_only_costs_the_compile(
        tmp_path: Path, compiles: list[hyperscan_cache.Spec]) -> None:
    spec = hyperscan_cache.Spec((b"x",), (0,))
    for _ in range(2):
        hyperscan_cache.database(None, spec)
    assert compiles == [spec, spec]
    blocker = tmp_path / "file"
    blocker.write_text("a file where the directory would be")
    assert _matches(hyperscan_cache.database(blocker / "cache", spec), b"x") == [(0, 1)]
    assert len(compiles) == 3


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


def test_a_new_database_prunes_the_files_no_process_has_loaded_for_a_month_and_crashed_saves(tmp_path: Path) -> None:
    """A gateway upgraded to a new name list leaves its old database (MBs) behind; the next compile removes it once
    nothing has loaded it for UNUSED_DAYS. A database in use is touched at every load, so it stays."""
    month = hyperscan_cache.UNUSED_DAYS * 86400
    in_use = hyperscan_cache.Spec((b"used",), (0,))
    hyperscan_cache.database(tmp_path, in_use)
    used = hyperscan_cache.cache_file(tmp_path, in_use)
    os.utime(used, (0, 0))
    hyperscan_cache.database(tmp_path, in_use)  # loaded: touched
    stale = hyperscan_cache.cache_file(tmp_path, hyperscan_cache.Spec((b"an earlier list",), (0,)))
    stale.write_bytes(b"x")
    crashed = tmp_path / f".{stale.name}.abc123.tmp"
    crashed.write_bytes(b"half")
    recent_tmp = tmp_path / f".{stale.name}.def456.tmp"
    recent_tmp.write_bytes(b"being written")
    foreign = tmp_path / "notes.txt"
    foreign.write_bytes(b"not ours")
    old = time.time() - month - 60
    for path in (stale, crashed, foreign):
        os.utime(path, (old, old))

    hyperscan_cache.database(tmp_path, SPEC)  # compiled: a new file, then the prune

    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [used.name, hyperscan_cache.cache_file(tmp_path, SPEC).name, recent_tmp.name, foreign.name])


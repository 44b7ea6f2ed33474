from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from policies.pii.hyperscan_cache import CACHE_ENV
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import GatewayProcess

# PostgreSQL and SeaweedFS for the tests that ask for them, started once per session on first use.
pytest_plugins = ("tests.support.engine_fixtures",)


@pytest.fixture(scope="session", autouse=True)
def shared_pattern_gates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every gateway a test starts has a data directory of its own, where it would compile the PII pattern gates
    again (seconds each): the session's gateways, workers and in-process scrubbers share one cache of them."""
    saved = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(tmp_path_factory.mktemp("pattern-gates-cache"))
    yield
    if saved is None:
        os.environ.pop(CACHE_ENV, None)
    else:
        os.environ[CACHE_ENV] = saved


@pytest.fixture
def vendor() -> Iterator[FakeVendor]:
    fake = FakeVendor().start()
    yield fake
    fake.stop()


@pytest.fixture
def start_gateway(tmp_path: Path) -> Iterator[Callable[..., GatewayProcess]]:
    """Start a real gateway process with a policy dict; every one started is killed at teardown."""
    started: list[GatewayProcess] = []

    def start(policy: dict[str, Any], env: dict[str, str] | None = None, name: str = "gw",
              args: Sequence[str] = ()) -> GatewayProcess:
        gateway = GatewayProcess(tmp_path / name, policy, env, args).start()
        started.append(gateway)
        return gateway

    yield start
    for gateway in started:
        gateway.close()

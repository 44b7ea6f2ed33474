from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import GatewayProcess

# PostgreSQL and SeaweedFS for the tests that ask for them, started once per session on first use.
pytest_plugins = ("tests.support.engine_fixtures",)


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

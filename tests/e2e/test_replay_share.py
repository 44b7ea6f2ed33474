"""`POST /admin/v1/replay/sessions/{id}/share`: a link to a session at a moment, audited with the moment; it grants
nothing (the link opens the session page, which needs a role that may read sessions)."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.test_replay_console import SESSION, gateway  # noqa: F401  (the same recorded session)
from tests.support.gateway_process import ADMIN_TOKEN, GatewayProcess
from tests.support.waiting import REQUEST_TIMEOUT_S

pytestmark = pytest.mark.e2e


def share(process: GatewayProcess, body: object, session: str = SESSION) -> httpx.Response:
    return httpx.post(f"{process.url}/admin/v1/replay/sessions/{session}/share", json=body,
                      headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=REQUEST_TIMEOUT_S)


def test_a_link_to_the_moment_is_made_and_audited(gateway: GatewayProcess) -> None:  # noqa: F811
    shared = share(gateway, {"at_ms": 1200})
    assert shared.status_code == 201
    assert shared.json() == {"session_id": SESSION, "at_ms": 1200, "link": f"/ui/sessions/{SESSION}?at=1200"}
    [entry] = gateway.admin(f"/admin/v1/audit?action=replay.share&target={SESSION}").json()["entries"]
    assert entry["details"] == {"at_ms": 1200}
    assert share(gateway, {"at_ms": 10**9}).json()["at_ms"] == 5000  # no later than the recording's end


def test_a_bad_moment_or_an_unknown_session_is_refused(gateway: GatewayProcess) -> None:  # noqa: F811
    for body in ({}, {"at_ms": -1}, {"at_ms": "12"}, [], None):
        assert share(gateway, body).status_code == 400
    assert share(gateway, {"at_ms": 0}, session="no-such-session").status_code == 404

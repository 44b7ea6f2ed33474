"""The report page on a single-page app (issue 22): a recording from fixtures/spa-corpus whose user goes through three
routes by pushState, fills the autosave settings form and leaves it by a route change. The page lists the pages by
route (the address-bar URL after each route change) with the session's exit on the last one, and shows the autosave
form in a table of its own, never in the abandonment funnel."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from markupsafe import escape
from starlette.testclient import TestClient

from tests.gateway.test_ui_auth import TOKENS, WRITE_KEY, sign_in, ui_client
from tests.support.sessions import fully_analysed
from tests.support.waiting import wait_until

RECORDING = Path(__file__).resolve().parents[2] / "fixtures" / "spa-corpus" / "sess_2ee59e928b7b.json"
ADMIN = {"Authorization": f"Bearer {TOKENS['admin']}"}
APP = "/app"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with ui_client(tmp_path_factory.mktemp("ui-report-spa"), analyze_after_idle_s=0.1) as test_client:
        recording = orjson.loads(RECORDING.read_bytes())
        auth = base64.b64encode(f"{WRITE_KEY}:".encode()).decode()
        response = test_client.post(f"/v1/replay/{recording['session_id']}", content=orjson.dumps(recording["events"]),
                                    headers={"Authorization": f"Basic {auth}", "Content-Type": "application/json"})
        assert response.status_code == 200, response.text
        wait_until(lambda: all(fully_analysed(s) for s in sessions(test_client)) and sessions(test_client),
                   what="the session analysed")
        yield test_client


@pytest.fixture(autouse=True)
def signed_out(client: TestClient) -> None:
    client.cookies.clear()


def sessions(client: TestClient) -> list[dict[str, Any]]:
    return client.get("/admin/v1/replay/sessions", headers=ADMIN).json()["sessions"]


def section(page: str, title_id: str) -> str:
    """The text of one panel of the report page, from its heading to the next panel."""
    start = page.index(f'id="{title_id}"')
    end = page.find('<section class="panel"', start)
    return page[start:end if end >= 0 else len(page)]


def test_pages_are_listed_by_route_with_the_exit_on_the_last_one(client: TestClient) -> None:
    sign_in(client, "ux")
    report = client.get("/admin/v1/reports/frustration", headers=ADMIN).json()
    # Keyed by path: the host is the scrubber's business (issue 18 has IP hosts in URLs truncated today).
    routes = {"/" + row["page_url"].split("://", 1)[-1].split("/", 1)[1]: row for row in report["pages"]}
    assert set(routes) == {APP, f"{APP}/settings", f"{APP}/reports"}
    assert [routes[p]["exits"] for p in (APP, f"{APP}/settings", f"{APP}/reports")] == [0, 0, 1]
    assert routes[f"{APP}/reports"]["dead_clicks"] == 1  # the labelled "Download PDF" dead click, on its route
    pages = section(client.get("/ui/reports/frustration").text, "pages-title")
    for route in routes:
        assert re.search(rf">[^<>/]+{re.escape(route)}</span>", pages), route


def test_the_autosave_form_is_shown_apart_and_not_as_abandoned(client: TestClient) -> None:
    sign_in(client, "ux")
    report = client.get("/admin/v1/reports/frustration", headers=ADMIN).json()
    assert report["forms"] == []
    [autosave] = report["autosave_forms"]
    assert autosave["form"].startswith("form.settings-form") and autosave["changes_saved"] == 4
    page = client.get("/ui/reports/frustration").text
    assert str(escape(autosave["form"])) in section(page, "autosave-title")
    assert "settings-form" not in section(page, "forms-title")
    csv = client.get("/ui/reports/frustration/export?format=csv&table=autosave_forms").text.splitlines()
    assert len(csv) == 2 and csv[1].startswith(f"{autosave['page_url']},{autosave['form']},")

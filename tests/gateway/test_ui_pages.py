"""The pages read through the admin API: the queue, the session page, the report and its exports show the API's data,
and each read is audited as the signed-in person, as the API audits it."""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Iterator
from functools import partial
from urllib.parse import parse_qsl, quote_plus, urlsplit

import pytest
from starlette.requests import Request
from starlette.testclient import TestClient

from gateway.access import Principal
from gateway.ui import api as ui_api
from gateway.ui import pages_support
from tests.e2e.test_replay_native import SESSIONS
from tests.gateway.test_ui_auth import NAMES, TOKENS, WRITE_KEY, csrf_of, sign_in, ui_client
from tests.support.sessions import fully_analysed
from tests.support.waiting import wait_until

ADMIN = {"Authorization": f"Bearer {TOKENS['admin']}"}
# A queue row's link: the session, then the queue's filters (for "next flagged session").
SESSION_LINK = re.compile(r'<td class="primary-cell">\s*<a href="/ui/sessions/([^"?]+)(?:\?[^"]*)?">')


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with ui_client(tmp_path_factory.mktemp("ui-pages"), analyze_after_idle_s=0.1) as test_client:
        auth = base64.b64encode(f"{WRITE_KEY}:".encode()).decode()
        for path in SESSIONS:
            recording = json.loads(path.read_text())
            response = test_client.post(f"/v1/replay/{recording['session_id']}", json=recording["events"],
                                        headers={"Authorization": f"Basic {auth}"})
            assert response.status_code == 200
        wait_until(lambda: all(fully_analysed(s)
                               for s in api(test_client, "/admin/v1/replay/sessions?limit=100")["sessions"]),
                   what="every session analysed")
        yield test_client


@pytest.fixture(autouse=True)
def signed_out(client: TestClient) -> None:
    client.cookies.clear()


def api(client: TestClient, path: str) -> dict:
    response = client.get(path, headers=ADMIN)
    assert response.status_code == 200, response.text
    return response.json()


def flagged_by_score(client: TestClient, **filters: str) -> list[str]:
    query = "&".join(f"{k}={v}" for k, v in {"order": "score", "limit": "500", **filters}.items())
    sessions = api(client, f"/admin/v1/replay/sessions?{query}")["sessions"]
    return [s["session_id"] for s in sessions if s["score"] > 0 or any(s["signals"].values())]


def listed(html: str) -> list[str]:
    return SESSION_LINK.findall(html)


def test_the_pages_call_the_api_as_the_signed_in_person_and_its_role_checks_hold(client: TestClient) -> None:
    """What the pages call is the admin API itself, in-process: a role the API does not allow on a route is refused
    there (nothing read, nothing audited), an allowed read is audited under the person's name, and an unknown path
    gets the API's 404."""
    page_request = Request({"type": "http", "app": client.app, "headers": []})

    def call(principal: Principal, path: str) -> int:
        answer = client.portal.call(partial(ui_api.call, page_request, principal, "GET", path))
        return answer.status_code

    def audit_reads_by(name: str) -> int:
        return len(api(client, f"/admin/v1/audit?action=audit.read&actor={name}")["entries"])

    assert call(Principal("uma-probe", "ux"), "/v1/audit") == 403
    assert audit_reads_by("uma-probe") == 0
    assert call(Principal("chloe-probe", "compliance"), "/v1/audit") == 200
    assert audit_reads_by("chloe-probe") == 1
    assert call(Principal("chloe-probe", "compliance"), "/v1/replay/sessions") == 403
    assert call(Principal("ops-probe", "admin"), "/v1/no-such-api") == 404


def test_the_queue_lists_flagged_sessions_highest_score_first(client: TestClient) -> None:
    sign_in(client, "support")
    page = client.get("/ui/sessions")
    expected = flagged_by_score(client)
    assert 0 < len(expected) < len(SESSIONS)  # the corpus has sessions without any signal: they are not queued
    assert listed(page.text) == expected


def test_the_queue_filters_by_signal_and_follows_pages_to_the_end(client: TestClient, monkeypatch: pytest.MonkeyPatch
                                                                  ) -> None:
    sign_in(client, "support")
    rage = listed(client.get("/ui/sessions?signal=rage_click").text)
    assert rage == flagged_by_score(client, signal="rage_click") and rage

    monkeypatch.setattr(pages_support, "QUEUE_PAGE", 3)
    seen, url, pages = [], "/ui/sessions?order=time", 0
    while url:
        pages += 1
        page = client.get(url).text
        seen += listed(page)
        more = re.search(r'href="(/ui/sessions\?[^"]*offset=\d+[^"]*)">Next page', page)
        url = more.group(1).replace("&amp;", "&") if more else ""
    newest_first = [s["session_id"] for s in api(client, "/admin/v1/replay/sessions?limit=500")["sessions"]
                    if s["score"] > 0]
    assert seen == newest_first and pages == -(-len(newest_first) // 3)


def test_a_reviewed_session_leaves_the_open_queue(client: TestClient) -> None:
    sign_in(client, "support")
    page = client.get("/ui/sessions")
    first = listed(page.text)[0]
    session_page = client.get(f"/ui/sessions/{first}")
    client.post(f"/ui/sessions/{first}/review", data={"csrf": csrf_of(session_page.text), "status": "reviewed"})
    assert first not in listed(client.get("/ui/sessions").text)
    assert listed(client.get("/ui/sessions?status=reviewed").text) == [first]
    assert first in listed(client.get("/ui/sessions?status=all").text)


def test_a_ux_designer_finds_every_flagged_session_in_the_queue_without_its_review_status(client: TestClient) -> None:
    sign_in(client, "support")
    first = listed(client.get("/ui/sessions").text)[0]
    session_page = client.get(f"/ui/sessions/{first}")
    client.post(f"/ui/sessions/{first}/review", data={"csrf": csrf_of(session_page.text), "status": "dismissed"})
    everything = listed(client.get("/ui/sessions?status=all").text)
    client.post("/ui/sign-out", data={"csrf": csrf_of(session_page.text)})

    sign_in(client, "ux")
    for query in ("", "?status=open", "?status=reviewed"):  # reviews are support's: a status filter does nothing
        queue = client.get("/ui/sessions" + query)
        assert queue.status_code == 200 and listed(queue.text) == everything
        assert 'id="f-status"' not in queue.text and "Dismissed" not in queue.text
        assert f"by {NAMES['support']}" not in queue.text


def test_the_session_page_shows_each_signal_and_its_reads_are_audited_as_the_agent(client: TestClient) -> None:
    sign_in(client, "support")
    session_id = flagged_by_score(client, signal="rage_click")[0]
    page = client.get(f"/ui/sessions/{session_id}")
    assert page.status_code == 200
    signals = api(client, f"/admin/v1/replay/sessions/{session_id}/signals")["signals"]
    for signal in signals:
        assert f'data-seek-ts="{signal["timestamp"]}"' in page.text
    events = client.get(f"/ui/sessions/{session_id}/events")
    assert events.status_code == 200 and events.content == client.get(
        f"/admin/v1/replay/sessions/{session_id}/events", headers=ADMIN).content

    entries = api(client, f"/admin/v1/audit?target={session_id}&actor={NAMES['support']}")["entries"]
    assert {"replay.read_session", "replay.read_signals", "replay.read_events"} <= {e["action"] for e in entries}
    assert client.get("/ui/sessions/no-such-session").status_code == 404


@pytest.mark.parametrize("table", ["pages", "elements", "forms", "daily"])
def test_csv_exports_are_the_apis_csv(client: TestClient, table: str) -> None:
    sign_in(client, "ux")
    download = client.get(f"/ui/reports/frustration/export?format=csv&table={table}")
    direct = client.get(f"/admin/v1/reports/frustration?format=csv&table={table}", headers=ADMIN)
    assert download.status_code == 200 and download.content == direct.content and download.content
    assert download.headers["content-disposition"] == f'attachment; filename="frustration-{table}.csv"'


def test_the_report_page_and_its_json_export_show_the_apis_report(client: TestClient) -> None:
    sign_in(client, "ux")
    audited = f"/admin/v1/audit?action=reports.frustration&actor={NAMES['ux']}"
    before = len(api(client, audited)["entries"])
    report = api(client, "/admin/v1/reports/frustration")
    exported = client.get("/ui/reports/frustration/export?format=json")
    assert exported.json() == report and "attachment" in exported.headers["content-disposition"]
    page = client.get("/ui/reports/frustration").text
    rage = sum(row["rage_clicks"] for row in report["elements"])
    assert re.search(rf"Rage clicks</div><div class=\"stat-value\">{rage}</div>", page)
    for row in report["elements"]:
        assert row["selector"].replace('"', "&#34;") in page
    assert page.count('<svg class="chart"') == 1 and "<title" in page
    assert len(api(client, audited)["entries"]) == before + 2  # the export and the page, each read once


def test_a_period_narrows_the_report(client: TestClient) -> None:
    sign_in(client, "ux")
    page = client.get("/ui/reports/frustration?since=2000-01-01&until=2000-01-02").text
    assert "No sessions in this period" in page and "No rage or dead clicks" in page


def test_a_deletion_request_that_is_incomplete_is_explained_and_keeps_identifiers_out_of_urls(client: TestClient
                                                                                             ) -> None:
    sign_in(client, "compliance")
    page = client.get("/ui/deletions")
    assert re.search(r'<form method="post" action="/ui/deletions"', page.text)
    response = client.post("/ui/deletions", data={"csrf": csrf_of(page.text), "email": "ann@example.com",
                                                  "reason": "", "scope": "all"})
    assert response.status_code == 400 and "location" not in response.headers
    assert "Say why the data is being deleted" in response.text
    assert 'value="ann@example.com"' in response.text  # kept in the answer to the post, not put in any link
    assert "ann@example.com" not in "".join(re.findall(r'href="([^"]*)"', response.text))


def test_a_deletion_page_left_open_is_told_nothing_changed_without_an_audit_entry_each_time(client: TestClient
                                                                                              ) -> None:
    sign_in(client, "compliance")
    form = client.get("/ui/deletions")
    filed = client.post("/ui/deletions", data={"csrf": csrf_of(form.text), "userId": "user-etag",
                                               "reason": "GDPR Art. 17, ticket 99", "scope": "all"})
    assert filed.status_code == 303, filed.text
    page_path = filed.headers["location"].split("?")[0]
    deletion_id = page_path.rsplit("/", 1)[1]
    wait_until(lambda: api(client, f"/admin/v1/privacy/deletions/{deletion_id}")["status"] == "completed",
               what="the deletion completed")

    def reads() -> int:
        entries = api(client, "/admin/v1/audit?action=deletion.read&limit=1000")["entries"]
        return sum(1 for e in entries if e["target"] == deletion_id)

    page = client.get(page_path)
    etag = html.unescape(re.search(r'data-etag="([^"]+)"', page.text).group(1))  # as the browser's dataset has it
    before = reads()
    for _ in range(3):  # what the page's script does every two seconds
        poll = client.get(f"{page_path}/status", headers={"If-None-Match": etag})
        assert poll.status_code == 304
    assert reads() == before
    assert client.get(f"{page_path}/status").status_code == 200  # without the page's ETag: a read, audited
    assert reads() == before + 1


def test_a_compliance_officer_checks_a_receipt_and_sees_a_changed_one_refused(client: TestClient) -> None:
    sign_in(client, "compliance")
    form = client.get("/ui/deletions")
    assert 'href="/ui/receipts/verify"' in form.text
    filed = client.post("/ui/deletions", data={"csrf": csrf_of(form.text), "userId": "user-receipt",
                                               "reason": "GDPR Art. 17, ticket 100", "scope": "all"})
    deletion_id = filed.headers["location"].split("?")[0].rsplit("/", 1)[1]
    wait_until(lambda: api(client, f"/admin/v1/privacy/deletions/{deletion_id}")["status"] == "completed",
               what="the deletion completed")
    receipt = client.get(f"/ui/deletions/{deletion_id}/receipt").text

    page = client.get("/ui/receipts/verify")
    valid = client.post("/ui/receipts/verify", data={"csrf": csrf_of(page.text), "receipt": receipt})
    assert valid.status_code == 200 and "Valid: signed by this gateway" in valid.text
    changed = json.loads(receipt) | {"status": "completed", "completed_at": 0}
    refused = client.post("/ui/receipts/verify", data={"csrf": csrf_of(page.text), "receipt": json.dumps(changed)})
    assert "Not valid." in refused.text and "changed after signing" in refused.text
    checks = api(client, f"/admin/v1/audit?action=receipt.verify&target={deletion_id}")["entries"]
    assert [e["details"]["valid"] for e in checks] == [False, True]


def test_a_deletion_that_follows_claimed_links_is_the_officers_recorded_choice(client: TestClient) -> None:
    sign_in(client, "compliance")
    form = client.get("/ui/deletions")
    filed = client.post("/ui/deletions", data={"csrf": csrf_of(form.text), "anonymousId": "device-claimed",
                                               "reason": "ticket 101", "scope": "all", "include_claimed": "yes"})
    deletion_id = filed.headers["location"].split("?")[0].rsplit("/", 1)[1]
    [entry] = api(client, f"/admin/v1/audit?action=deletion.requested&target={deletion_id}")["entries"]
    assert entry["details"]["include_claimed"] is True
    assert "also follows claimed links" in client.get(f"/ui/deletions/{deletion_id}").text


def test_a_deletion_page_says_how_many_claimed_links_were_found_and_not_followed(client: TestClient) -> None:
    identify = {"writeKey": WRITE_KEY, "type": "identify", "userId": "someone-else", "anonymousId": "device-9",
                "messageId": "claim-1"}
    assert client.post("/v1/identify", json=identify).status_code == 200  # a public key: a claim
    sign_in(client, "compliance")
    form = client.get("/ui/deletions")
    filed = client.post("/ui/deletions", data={"csrf": csrf_of(form.text), "anonymousId": "device-9",
                                               "reason": "ticket 102", "scope": "all"})
    deletion_id = filed.headers["location"].split("?")[0].rsplit("/", 1)[1]
    wait_until(lambda: api(client, f"/admin/v1/privacy/deletions/{deletion_id}")["status"] == "completed",
               what="the deletion completed")
    page = client.get(f"/ui/deletions/{deletion_id}").text
    assert "1 claimed link from this person's identifiers was found and not followed" in page


def test_the_audit_page_lists_entries_and_the_chain_state(client: TestClient) -> None:
    sign_in(client, "compliance")
    page = client.get("/ui/audit?action=ui.sign_in")
    assert page.status_code == 200 and "Chain intact" in page.text
    rows = re.findall(r"<code>([a-z_.]+)</code>", page.text)
    assert rows and set(rows) == {"ui.sign_in"}


def test_without_its_web_assets_the_session_page_says_the_player_is_missing(client: TestClient,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from gateway.ui import render

    monkeypatch.setattr(render, "PLAYER_FILES", ("vendor/not-installed.js",))
    sign_in(client, "support")
    page = client.get(f"/ui/sessions/{flagged_by_score(client)[0]}")
    assert page.status_code == 200 and "The replay player is not installed" in page.text
    assert "rrweb-player.min.js" not in page.text and "data-seek-ts" in page.text  # the signals are still listed


def signal_places(client: TestClient) -> dict[str, set[tuple[str, str, str]]]:
    """Each session's signals as (kind, page, element), read one session at a time: what a report row's examples
    must be drawn from."""
    sessions = api(client, "/admin/v1/replay/sessions?limit=500")["sessions"]
    return {s["session_id"]: {(g["kind"], g["page_url"], g["selector"])
                              for g in api(client, f"/admin/v1/replay/sessions/{s['session_id']}/signals")["signals"]}
            for s in sessions}


def test_a_report_rows_sessions_are_those_with_a_signal_on_that_element_and_page(client: TestClient) -> None:
    places = signal_places(client)
    elements = api(client, "/admin/v1/reports/frustration")["elements"]
    shared_pages = {row["page_url"] for row in elements if sum(r["page_url"] == row["page_url"] for r in elements) > 1}
    assert shared_pages, "the recordings must hold pages with more than one element, or the test proves nothing"
    for row in elements:
        for kind in ("rage_click", "dead_click"):
            query = {"signal": kind, "page": row["page_url"], "element": row["selector"], "limit": "500"}
            found = client.get("/admin/v1/replay/sessions", params=query, headers=ADMIN).json()
            expected = {sid for sid, held in places.items() if (kind, row["page_url"], row["selector"]) in held}
            assert {s["session_id"] for s in found["sessions"]} == expected and found["total"] == len(expected)
            assert bool(expected) == bool(row[f"{kind}s"])
        any_click = client.get("/admin/v1/replay/sessions", headers=ADMIN,
                               params={"page": row["page_url"], "element": row["selector"]}).json()
        assert any_click["total"] == row["sessions_affected"]
        if row["page_url"] in shared_pages:  # the element narrows: the page alone holds other elements' sessions
            on_page = {sid for sid, held in places.items() if any(p == row["page_url"] for _, p, _ in held)}
            assert {s["session_id"] for s in any_click["sessions"]} < on_page


def test_a_report_row_filter_is_audited_by_hash_not_by_value(client: TestClient) -> None:
    row = api(client, "/admin/v1/reports/frustration")["elements"][0]
    client.get("/admin/v1/replay/sessions", params={"page": row["page_url"], "element": row["selector"],
                                                    "signal": "dead_click"}, headers=ADMIN)
    entry = api(client, "/admin/v1/audit?action=replay.list_sessions")["entries"][0]
    filters = entry["details"]["filters"]
    assert filters["signal"] == "dead_click"
    assert filters["page"].startswith("hmac:") and filters["element"].startswith("hmac:")
    assert row["selector"] not in json.dumps(entry) and row["page_url"] not in json.dumps(entry)


def test_each_element_of_the_report_links_to_its_example_sessions_newest_first(client: TestClient) -> None:
    places = signal_places(client)
    sign_in(client, "ux")
    page = client.get("/ui/reports/frustration").text
    links = [html.unescape(link) for link in re.findall(r'<a class="examples-link" href="([^"]+)"', page)]
    elements = api(client, "/admin/v1/reports/frustration")["elements"]
    started = {s["session_id"]: s["first_ts"] for s in api(client, "/admin/v1/replay/sessions?limit=500")["sessions"]}
    for row in elements:
        link = next(link for link in links if f"element={quote_plus(row['selector'])}" in link
                    and f"page={quote_plus(row['page_url'])}" in link)
        queue = client.get(link)
        assert queue.status_code == 200
        shown = listed(queue.text)
        expected = {sid for sid, held in places.items()
                    if any((kind, row["page_url"], row["selector"]) in held
                           for kind in ("rage_click", "dead_click", "error_click"))}
        assert set(shown) == expected and len(shown) == row["sessions_affected"]
        assert [started[sid] for sid in shown] == sorted((started[sid] for sid in shown), reverse=True)


def test_a_page_of_the_report_links_to_the_sessions_with_a_signal_there(client: TestClient) -> None:
    places = signal_places(client)
    sign_in(client, "ux")
    page = client.get("/ui/reports/frustration").text
    links = [html.unescape(link) for link in re.findall(r'<a class="examples-link" href="([^"]+)"', page)]
    page_links = [link for link in links if "element=" not in link]
    assert page_links
    for link in page_links:
        page_url = next(v for k, v in parse_qsl(urlsplit(link).query) if k == "page")
        expected = {sid for sid, held in places.items() if any(p == page_url for _, p, _ in held)}
        assert set(listed(client.get(link).text)) == expected and expected

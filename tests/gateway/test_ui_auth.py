"""Signing in to the web UI: an access token becomes a signed, expiring session cookie that never holds the token;
every form post carries the session's CSRF token; each role reaches its own pages and gets 403 elsewhere."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from starlette.testclient import TestClient

from gateway.access import AccessControl, Principal, digest
from gateway.app import create_app
from gateway.protocols import DESTINATION_PROTOCOLS
from gateway.ui import auth
from gateway.ui.session import (
    SESSION_SECONDS,
    UiSession,
    decode_session,
    encode_session,
    new_session,
    token_reference,
    token_still_valid,
)
from policies.loader import parse_policy
from policies.policy import AccessToken

TOKENS = {"support": "pgw_ui_support_token", "ux": "pgw_ui_ux_token", "compliance": "pgw_ui_compliance_token",
          "analyst": "pgw_ui_analyst_token", "admin": "pgw_ui_admin_token"}
NAMES = {"support": "sam", "ux": "uma", "compliance": "chloe", "analyst": "ana", "admin": "ops"}
WRITE_KEY = "ui-write-key"


def policy_text(analyze_after_idle_s: float = 300, roles: dict[str, str] | None = None) -> str:
    """The policy, with a token for each role (or, given `roles`, for each token's role there)."""
    roles = roles if roles is not None else {role: role for role in TOKENS}
    tokens = "".join(
        f'\n[[access.tokens]]\nname = "{NAMES[role]}"\nrole = "{roles[role]}"\n'
        f'sha256 = "{hashlib.sha256(TOKENS[role].encode()).hexdigest()}"\n'
        for role in roles
    )
    return f"""
[[sources]]
name = "web"
write_keys = ["{WRITE_KEY}"]
consent_model = "opt-out"
destinations = ["sink"]

[[destinations]]
name = "sink"
protocol = "sink"

[replay]
analyze_after_idle_s = {analyze_after_idle_s}
{tokens}"""


def ui_client(data_dir: Path, base_url: str = "http://testserver", analyze_after_idle_s: float = 300,
              roles: dict[str, str] | None = None) -> TestClient:
    policy = parse_policy(policy_text(analyze_after_idle_s, roles), "ui.toml", DESTINATION_PROTOCOLS, {})
    # Redirects are followed by hand, so the tests see each 303 and where it points.
    return TestClient(create_app(policy, data_dir, lambda token: None), base_url=base_url, follow_redirects=False)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


def sign_in(client: TestClient, role: str) -> None:
    page = client.get("/ui/sign-in")
    response = client.post("/ui/sign-in", data={"token": TOKENS[role], "csrf": csrf_of(page.text)})
    assert response.status_code == 303, response.text


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with ui_client(tmp_path_factory.mktemp("ui-auth")) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def signed_out(client: TestClient) -> None:
    client.cookies.clear()


# -- the cookie itself ------------------------------------------------------------------------------------------------


def test_a_session_cookie_round_trips_and_refuses_tampering_other_keys_and_expiry() -> None:
    key = b"k" * 32
    session = new_session(Principal("sam", "support"), token_reference(key, "digest"), now=1000)
    value = encode_session(session, key)
    assert decode_session(value, key, now=1001) == session
    assert decode_session(value, b"j" * 32, now=1001) is None
    _, mac = value.split(".")
    forged = encode_session(UiSession("sam", "admin", session.expires, session.csrf, session.token,
                                       session.id), b"j" * 32)
    assert decode_session(f"{forged.split('.')[0]}.{mac}", key, now=1001) is None  # role changed, old MAC
    assert decode_session(value, key, now=session.expires) is None
    assert session.expires == 1000 + SESSION_SECONDS


def test_a_session_lasts_only_while_its_token_is_valid_for_the_same_name_and_role() -> None:
    key = b"k" * 32
    session = new_session(Principal("sam", "support"), token_reference(key, digest("pgw_sam")))
    assert token_still_valid(session, AccessControl([AccessToken("sam", "support", digest("pgw_sam"))]), key)
    assert not token_still_valid(session, AccessControl([AccessToken("sam", "support", digest("pgw_new"))]), key)
    assert not token_still_valid(session, AccessControl([AccessToken("sam", "admin", digest("pgw_sam"))]), key)
    assert not token_still_valid(session, AccessControl([]), key)


def test_removing_a_token_from_the_policy_ends_its_ui_sessions_at_the_next_start(tmp_path: Path) -> None:
    with ui_client(tmp_path) as before:
        sign_in(before, "ux")
        ux_cookie = before.cookies[auth.COOKIE]
        before.cookies.clear()
        sign_in(before, "support")
        support_cookie = before.cookies[auth.COOKIE]
        assert before.get("/ui/sessions").status_code == 200
    # The same data directory (so the same session key), with the support token gone and ux's role changed.
    with ui_client(tmp_path, roles={"ux": "support", "compliance": "compliance", "admin": "admin"}) as after:
        after.cookies.set(auth.COOKIE, support_cookie)
        assert after.get("/ui/sessions").headers["location"] == "/ui/sign-in?next=/ui/sessions"
        after.cookies.set(auth.COOKIE, ux_cookie)
        assert after.get("/ui/reports/frustration").headers["location"].startswith("/ui/sign-in")


# -- signing in -------------------------------------------------------------------------------------------------------


def test_signing_in_sets_a_signed_httponly_samesite_strict_cookie_that_is_not_the_token(client: TestClient) -> None:
    page = client.get("/ui/sign-in")
    assert page.status_code == 200 and 'type="password"' in page.text
    response = client.post("/ui/sign-in", data={"token": TOKENS["support"], "csrf": csrf_of(page.text)})
    assert response.status_code == 303 and response.headers["location"] == "/ui/sessions"
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith(auth.COOKIE + "="))
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in attributes and "samesite=strict" in attributes and "path=/ui/" in attributes
    assert "secure" not in attributes  # plain http here; see the https test
    value = cookie.split(";")[0].split("=", 1)[1].strip('"')
    assert TOKENS["support"] not in value and hashlib.sha256(TOKENS["support"].encode()).hexdigest() not in value
    assert client.get("/ui/sessions").status_code == 200


def test_over_https_the_cookie_is_secure(tmp_path: Path) -> None:
    with ui_client(tmp_path, base_url="https://testserver") as secure:
        page = secure.get("/ui/sign-in")
        response = secure.post("/ui/sign-in", data={"token": TOKENS["ux"], "csrf": csrf_of(page.text)})
        cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith(auth.COOKIE + "="))
        assert "secure" in [part.strip().lower() for part in cookie.split(";")]


def test_an_unknown_token_is_refused_and_no_session_is_made(client: TestClient) -> None:
    page = client.get("/ui/sign-in")
    response = client.post("/ui/sign-in", data={"token": "pgw_guess", "csrf": csrf_of(page.text)})
    assert response.status_code == 401 and "not valid" in response.text
    assert auth.COOKIE not in client.cookies


def test_signing_in_needs_the_sign_in_forms_own_csrf_token(client: TestClient) -> None:
    client.get("/ui/sign-in")
    response = client.post("/ui/sign-in", data={"token": TOKENS["admin"], "csrf": "forged"})
    assert response.status_code == 403 and auth.COOKIE not in client.cookies
    client.cookies.clear()  # a post from another site: no sign-in cookie at all
    page_token = csrf_of(client.get("/ui/sign-in").text)
    client.cookies.clear()
    response = client.post("/ui/sign-in", data={"token": TOKENS["admin"], "csrf": page_token})
    assert response.status_code == 403 and auth.COOKIE not in client.cookies


def test_after_sign_in_the_page_asked_for_opens_but_never_another_site(client: TestClient) -> None:
    redirect = client.get("/ui/audit")
    assert redirect.status_code == 303 and redirect.headers["location"] == "/ui/sign-in?next=/ui/audit"
    page = client.get(redirect.headers["location"])
    assert 'name="next" value="/ui/audit"' in page.text
    response = client.post("/ui/sign-in", data={"token": TOKENS["compliance"], "csrf": csrf_of(page.text),
                                                "next": "/ui/audit"})
    assert response.headers["location"] == "/ui/audit"
    for target in ("https://evil.example/ui/", "//evil.example/ui/", "/ui//evil.example", "/admin/v1/audit"):
        client.cookies.clear()
        page = client.get("/ui/sign-in")
        response = client.post("/ui/sign-in", data={"token": TOKENS["compliance"], "csrf": csrf_of(page.text),
                                                    "next": target})
        assert urlsplit(response.headers["location"]).netloc == "" and response.headers["location"] == "/ui/deletions"


def test_signing_out_clears_the_cookie_and_needs_the_csrf_token(client: TestClient) -> None:
    sign_in(client, "ux")
    page = client.get("/ui/reports/frustration")
    assert client.post("/ui/sign-out", data={"csrf": "wrong"}).status_code == 403
    assert client.get("/ui/reports/frustration").status_code == 200
    response = client.post("/ui/sign-out", data={"csrf": csrf_of(page.text)})
    assert response.status_code == 303 and response.headers["location"] == "/ui/sign-in?signed_out=1"
    assert client.get("/ui/reports/frustration").status_code == 303


def test_signing_out_ends_the_session_on_the_server_so_a_copied_cookie_stops_working(client: TestClient) -> None:
    sign_in(client, "ux")
    copied = client.cookies[auth.COOKIE]  # as a shared computer, a proxy log or malware might have kept it
    other_browser = TestClient(client.app, follow_redirects=False)
    sign_in(other_browser, "ux")
    page = client.get("/ui/reports/frustration")
    assert client.post("/ui/sign-out", data={"csrf": csrf_of(page.text)}).status_code == 303

    client.cookies.set(auth.COOKIE, copied)
    assert client.get("/ui/reports/frustration").headers["location"].startswith("/ui/sign-in")
    assert other_browser.get("/ui/reports/frustration").status_code == 200  # only that session ended


# -- guarding pages ---------------------------------------------------------------------------------------------------


def test_pages_redirect_to_sign_in_and_data_endpoints_answer_401(client: TestClient) -> None:
    assert client.get("/ui/sessions").headers["location"] == "/ui/sign-in?next=/ui/sessions"
    assert client.get("/ui/sessions/s1/events").status_code == 401
    assert client.get("/ui/").headers["location"] == "/ui/sign-in"


def test_a_post_without_the_sessions_csrf_token_is_refused(client: TestClient) -> None:
    sign_in(client, "support")
    response = client.post("/ui/sessions/some-session/review", data={"status": "reviewed", "note": "x"})
    assert response.status_code == 403 and "expired" in response.text


@pytest.mark.parametrize(
    ("role", "allowed", "forbidden"),
    [
        ("support", ["/ui/sessions"], ["/ui/reports/frustration", "/ui/reports/heatmaps", "/ui/deletions",
                                       "/ui/audit", "/ui/data-quality", "/ui/dead-letters", "/ui/access-requests"]),
        ("ux", ["/ui/reports/frustration", "/ui/reports/heatmaps", "/ui/sessions"],
         ["/ui/deletions", "/ui/audit", "/ui/live", "/ui/dead-letters"]),
        ("compliance", ["/ui/deletions", "/ui/access-requests", "/ui/audit"],
         ["/ui/sessions", "/ui/reports/frustration", "/ui/live", "/ui/dead-letters"]),
        ("analyst", ["/ui/data-quality", "/ui/live"], ["/ui/sessions", "/ui/reports/frustration", "/ui/audit",
                                                       "/ui/dead-letters", "/ui/access-requests"]),
        ("admin", ["/ui/sessions", "/ui/reports/frustration", "/ui/reports/heatmaps", "/ui/deletions",
                   "/ui/access-requests", "/ui/audit", "/ui/data-quality", "/ui/live", "/ui/dead-letters"], []),
    ],
)
def test_each_role_reaches_its_pages_sees_them_in_its_menu_and_gets_403_elsewhere(
    client: TestClient, role: str, allowed: list[str], forbidden: list[str]
) -> None:
    sign_in(client, role)
    assert client.get("/ui/").headers["location"] == allowed[0]
    for path in allowed:
        page = client.get(path)
        assert page.status_code == 200, path
        menu = re.findall(r'<nav class="topnav".*?</nav>', page.text, re.S)[0]
        assert sorted(re.findall(r'href="(/ui/[^"]+)"', menu)) == sorted(allowed)
    for path in forbidden:
        page = client.get(path)
        assert page.status_code == 403, path
        assert "Not for your role" in page.text


def test_ui_answers_are_not_cached_framed_or_referred(client: TestClient) -> None:
    sign_in(client, "support")
    page = client.get("/ui/sessions")
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY" and page.headers["referrer-policy"] == "no-referrer"
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "<script>" not in page.text  # no inline scripts: the policy forbids them
    css = client.get("/ui/static/ui.css")
    assert css.status_code == 200 and css.headers["cache-control"].startswith("public")

"""Behind Debian's nginx, TLS terminated there: the gateway takes the client's address from X-Forwarded-For and the
scheme from X-Forwarded-Proto because nginx is in `[http] trusted_proxies`, so the vendor gets the real client's
address and the UI's cookie is Secure. The same headers sent straight to the gateway by anyone else are ignored.

The client connects from 127.0.0.2 (Linux routes all of 127/8 to loopback), nginx connects to the gateway from
127.0.0.1: three parties, three addresses."""

from __future__ import annotations

import re
import ssl
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.support import ingest
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import ADMIN_TOKEN, WRITE_KEY, GatewayProcess, vendors_policy
from tests.support.nginx import NginxProxy, nginx_binary
from tests.support.waiting import REQUEST_TIMEOUT_S, wait_until

pytestmark = pytest.mark.e2e

CLIENT_ADDRESS = "127.0.0.2"
FORGED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}


@pytest.fixture
def posthog() -> Iterator[FakeVendor]:
    vendor = FakeVendor().start()
    yield vendor
    vendor.stop()


@pytest.fixture
def gateway(posthog: FakeVendor, start_gateway: Callable[..., GatewayProcess]) -> GatewayProcess:
    nginx_binary()  # skip (or fail under CI) before starting anything without it
    policy = vendors_policy({"posthog": posthog.url})
    policy["http"] = {"trusted_proxies": ["127.0.0.1/32"]}
    policy["pii"] = {"ipv4_prefix": 32}  # addresses forwarded whole, so that the test can tell them apart
    return start_gateway(policy, env={"POSTHOG_API_KEY": "phc_dest"})


@pytest.fixture
def nginx(gateway: GatewayProcess, tmp_path: Path) -> Iterator[NginxProxy]:
    with NginxProxy(tmp_path, upstream_port=gateway.port) as proxy:
        yield proxy


def client(verify: ssl.SSLContext | bool = True) -> httpx.Client:
    """A browser or SDK on another machine: its own source address."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=CLIENT_ADDRESS, verify=verify),
                        follow_redirects=False, timeout=REQUEST_TIMEOUT_S)


def forwarded_ip(posthog: FakeVendor, base_url: str, verify: ssl.SSLContext | bool, distinct_id: str) -> str:
    """The address PostHog is told for an event sent through `base_url`."""
    event = {"api_key": WRITE_KEY, "event": "Seen", "distinct_id": distinct_id, "properties": {}}
    with client(verify) as http:
        assert ingest.post(base_url + "/i/v0/e/", http, json=event, headers=FORGED).status_code == 200
    request = wait_until(lambda: next((r for r in posthog.received()
                                       if r.json()["batch"][0]["distinct_id"] == distinct_id), None),
                         what="the event at PostHog")
    return str(request.json()["batch"][0]["properties"]["$ip"])


def ui_cookie(base_url: str, verify: ssl.SSLContext | bool) -> str:
    with client(verify) as http:
        page = http.get(base_url + "/ui/sign-in", headers=FORGED)
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf
        response = http.post(base_url + "/ui/sign-in", data={"token": ADMIN_TOKEN, "csrf": csrf.group(1)},
                             headers=FORGED)
        assert response.status_code == 303, response.text
        return next(c for c in response.headers.get_list("set-cookie") if c.startswith("pgw_ui_session="))


def test_through_nginx_the_vendor_gets_the_clients_address_not_one_it_wrote(
    posthog: FakeVendor, gateway: GatewayProcess, nginx: NginxProxy
) -> None:
    # nginx appends the client's address to what the client wrote: "203.0.113.9, 127.0.0.2"; the rightmost address
    # that is not a trusted proxy is the client.
    assert forwarded_ip(posthog, nginx.url, nginx.tls_context(), "via-nginx") == CLIENT_ADDRESS
    # Straight to the gateway, the same header is the client's own claim: not believed.
    assert forwarded_ip(posthog, gateway.url, True, "direct") == CLIENT_ADDRESS


def test_through_nginx_over_https_the_ui_cookie_is_secure_and_direct_claims_of_https_are_not_believed(
    gateway: GatewayProcess, nginx: NginxProxy
) -> None:
    via_nginx = ui_cookie(nginx.url, nginx.tls_context())
    assert "secure" in via_nginx.lower().split("; ") and "httponly" in via_nginx.lower()
    direct = ui_cookie(gateway.url, True)  # plain http from an untrusted peer claiming https
    assert "secure" not in direct.lower().split("; ")

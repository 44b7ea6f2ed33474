"""X-Forwarded-For is believed only from trusted proxies."""

from __future__ import annotations

from gateway.client_ip import client_ip, forwarded_scheme, parse_networks

TRUSTED = parse_networks(["10.0.0.0/8", "fd00::/8"])


def test_direct_clients_are_who_they_are_whatever_they_claim() -> None:
    assert client_ip("198.51.100.7", {"x-forwarded-for": "1.1.1.1"}, TRUSTED) == "198.51.100.7"


def test_behind_a_trusted_proxy_the_rightmost_untrusted_address_is_the_client() -> None:
    headers = {"x-forwarded-for": "6.6.6.6, 203.0.113.9, 10.1.2.3"}  # the client wrote 6.6.6.6 itself
    assert client_ip("10.0.0.1", headers, TRUSTED) == "203.0.113.9"


def test_no_trusted_proxies_configured_means_the_peer() -> None:
    assert client_ip("10.0.0.1", {"x-forwarded-for": "203.0.113.9"}, ()) == "10.0.0.1"


def test_garbage_in_the_header_falls_back_to_the_peer() -> None:
    assert client_ip("10.0.0.1", {"x-forwarded-for": "not-an-ip"}, TRUSTED) == "10.0.0.1"
    assert client_ip("fd00::1", {"x-forwarded-for": "2001:db8::5"}, TRUSTED) == "2001:db8::5"


def test_the_scheme_is_a_trusted_proxys_rightmost_forwarded_proto_and_nobody_elses() -> None:
    assert forwarded_scheme("10.0.0.1", {"x-forwarded-proto": "https"}, TRUSTED) == "https"
    assert forwarded_scheme("10.0.0.1", {"x-forwarded-proto": "https, http"}, TRUSTED) == "http"
    assert forwarded_scheme("198.51.100.7", {"x-forwarded-proto": "https"}, TRUSTED) is None
    assert forwarded_scheme("10.0.0.1", {"x-forwarded-proto": "gopher"}, TRUSTED) is None
    assert forwarded_scheme("127.0.0.1", {"x-forwarded-proto": "https"}, ()) is None

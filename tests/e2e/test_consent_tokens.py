"""Signed consent tokens: the customer's backend, which knows who is logged in, signs the user's choice with a JWT
library (PyJWT here, as a Python backend would); the page posts the token with the public write key; the gateway
records it for that user. Forged, expired, replayed and over-long tokens are refused with a clear 4xx."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import orjson
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.support import ingest
from tests.support.fake_vendor import FakeVendor, running_vendor
from tests.support.gateway_process import WRITE_KEY, GatewayProcess, segment_policy
from tests.support.waiting import WAIT_TIMEOUT_S

pytestmark = pytest.mark.e2e

TOKEN_KEY = "consent-token-secret-shared-with-the-backend-0123456789"
SIGNER = Ed25519PrivateKey.generate()  # the backend's EdDSA key; the gateway holds only its public half
PUBLIC_PEM = SIGNER.public_key().public_bytes(serialization.Encoding.PEM,
                                              serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def claims(user: str, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"sub": user, "granted": ["analytics"], "denied": [], "iat": now, "exp": now + 300,
            "jti": str(uuid.uuid4()), **overrides}


def hs256(payload: dict[str, Any], key: str = TOKEN_KEY) -> str:
    return jwt.encode(payload, key, algorithm="HS256")


def eddsa(payload: dict[str, Any], key: Ed25519PrivateKey = SIGNER) -> str:
    return jwt.encode(payload, key, algorithm="EdDSA")


@pytest.fixture(scope="module")
def vendor() -> Iterator[FakeVendor]:
    yield from running_vendor()


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory, vendor: FakeVendor) -> Iterator[GatewayProcess]:
    policy = segment_policy(vendor.url)
    policy["sources"][0]["consent_model"] = "opt-in"
    policy["consent"] = {"token_key": "${CONSENT_TOKEN_KEY}", "token_public_key": PUBLIC_PEM,
                         "token_max_lifetime_s": 3600}
    process = GatewayProcess(tmp_path_factory.mktemp("tokens"), policy,
                             env={"CONSENT_TOKEN_KEY": TOKEN_KEY}).start()
    yield process
    process.close()


def post_token(gateway: GatewayProcess, token: str, **body: Any) -> httpx.Response:
    return httpx.post(gateway.url + "/v1/consent", json={"writeKey": WRITE_KEY, "token": token, **body},
                      timeout=WAIT_TIMEOUT_S)


def send(gateway: GatewayProcess, *events: dict[str, Any]) -> None:
    response = ingest.post(gateway.url + "/v1/batch", content=orjson.dumps({"writeKey": WRITE_KEY, "batch": events}),
                           timeout=WAIT_TIMEOUT_S)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("sign", [hs256, eddsa], ids=["HS256", "EdDSA"])
def test_a_token_from_the_backend_records_consent_for_its_user_on_every_device(
    gateway: GatewayProcess, vendor: FakeVendor, sign: Any,
) -> None:
    user = f"logged-in-{sign.__name__}"
    answer = post_token(gateway, sign(claims(user)))
    assert answer.status_code == 200, answer.text
    assert answer.json() | {"state": None} == {"status": "ok", "scope": "subject", "provenance": "token",
                                               "state": None, "withdrawn": [], "removed_queued_events": 0}
    assert answer.json()["state"]["analytics"] == "granted"
    # The user's events, whichever device or server they come from, may now reach the analytics destination.
    send(gateway, {"type": "track", "event": "Viewed", "userId": user, "messageId": f"{user}-1"})
    vendor.wait_for_message_ids({f"{user}-1"})


def test_a_replayed_token_is_refused_and_cannot_undo_a_later_withdrawal(
    gateway: GatewayProcess, vendor: FakeVendor,
) -> None:
    grant = hs256(claims("replayer"))
    assert post_token(gateway, grant).status_code == 200
    withdrawal = post_token(gateway, hs256(claims("replayer", granted=[], denied=["analytics"])))
    assert withdrawal.status_code == 200, withdrawal.text
    assert withdrawal.json()["withdrawn"] == ["analytics"]

    replayed = post_token(gateway, grant)
    assert replayed.status_code == 409 and replayed.json()["error"] == "token_replayed"
    # The marker's user granted consent here, not in another test: this test holds when run alone or first.
    assert post_token(gateway, hs256(claims("replay-marker"))).status_code == 200
    send(gateway, {"type": "track", "event": "Viewed", "userId": "replayer", "messageId": "replayer-1"},
         {"type": "track", "event": "Viewed", "userId": "replay-marker", "messageId": "marker-1"})
    vendor.wait_for_message_ids({"marker-1"})
    assert "replayer-1" not in vendor.message_ids()


@pytest.mark.parametrize(
    ("token", "status", "error", "says"),
    [
        (lambda: hs256(claims("u", iat=int(time.time()) - 900, exp=int(time.time()) - 600)), 401, "token_expired",
         "expired"),
        (lambda: hs256(claims("u"), key="not-the-key-the-gateway-knows-0123456789abc"), 401, "invalid_token",
         "does not verify"),
        (lambda: eddsa(claims("u"), key=Ed25519PrivateKey.generate()), 401, "invalid_token", "does not verify"),
        (lambda: jwt.encode(claims("u"), None, algorithm="none"), 401, "invalid_token", "not accepted"),
        (lambda: hs256(claims("u", exp=int(time.time()) + 86_400)), 401, "invalid_token", "longer than"),
        (lambda: hs256(claims("u", iat=int(time.time()) + 3600)), 401, "invalid_token", "in the future"),
        (lambda: hs256(claims("u", jti=None)), 401, "invalid_token", "jti"),
        (lambda: hs256(claims("u", granted=["telepathy"])), 400, "invalid_request", "unknown purposes"),
        (lambda: "not-a-token", 401, "invalid_token", "compact JWS"),
    ],
    ids=["expired", "wrong-hmac-key", "wrong-ed25519-key", "alg-none", "too-long-lived", "issued-in-the-future",
         "no-jti", "unknown-purpose", "garbage"],
)
def test_a_bad_token_is_refused_with_a_clear_error_and_records_nothing(
    gateway: GatewayProcess, token: Any, status: int, error: str, says: str,
) -> None:
    answer = post_token(gateway, token())
    assert answer.status_code == status, answer.text
    assert answer.json()["error"] == error and says in answer.json()["message"]


def test_with_a_token_the_user_and_purposes_come_from_the_token_only(gateway: GatewayProcess) -> None:
    answer = post_token(gateway, hs256(claims("u")), granted=["marketing"])
    assert answer.status_code == 400 and "come from the token" in answer.json()["message"]

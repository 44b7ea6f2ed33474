"""Posting to the gateway's ingest endpoints (events and recordings) as an SDK does.

Admission control (`[http] max_queue_wait_s`, docs/operations.md) answers 503 with Retry-After, having stored
nothing, whenever the gateway is behind; on a loaded test machine that can happen to any request, the test's too. A
real SDK waits as long as the answer asks and sends the same request again. Tests whose subject is not admission (nor
a full outbox or disk, whose 503s are theirs to assert) post through `post`, so a busy moment neither fails them
confusingly nor lets them pass for the wrong reason: they assert on the answer given once the gateway took the request.

    response = post(gateway.url + "/v1/batch", json={"writeKey": WRITE_KEY, "batch": events})
    assert response.status_code == 200, response.text
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests.support.waiting import REQUEST_TIMEOUT_S

# How long to keep retrying 503s before handing the last one to the test (which then fails saying so): generous, since
# it costs nothing when the gateway takes the request at once.
RETRY_DEADLINE_S = 120.0


def post(url: str, client: httpx.Client | None = None, deadline_s: float = RETRY_DEADLINE_S,
         **kwargs: Any) -> httpx.Response:
    """POST `url` (with `client`, or a new connection each time) and return the answer; a 503 with Retry-After is sent
    again after the seconds it names, until `deadline_s` has passed. `kwargs` go to httpx (json=, headers=...)."""
    if client is None:
        kwargs.setdefault("timeout", REQUEST_TIMEOUT_S)
    give_up = time.monotonic() + deadline_s
    while True:
        response = client.post(url, **kwargs) if client is not None else httpx.post(url, **kwargs)
        retry_after = response.headers.get("retry-after")
        if response.status_code != 503 or retry_after is None or time.monotonic() + float(retry_after) > give_up:
            return response
        time.sleep(float(retry_after))  # as the gateway asks (seconds, `[http] busy_retry_after_s`), not a guess

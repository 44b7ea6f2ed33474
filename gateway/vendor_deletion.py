"""Each vendor's user-deletion API: the request that asks for a deletion, and, where the vendor gives a job id, the
request that asks how it is going (reference: vendor-wire-formats.md and privacy-anchors.md, section 5).

A destination opts in with a `deletion` table in the policy, e.g.

    [destinations.deletion]                       # Segment Public API
    token = "${SEGMENT_PUBLIC_API_TOKEN}"

| protocol  | request                                                        | job id / status                       |
|-----------|----------------------------------------------------------------|---------------------------------------|
| segment   | POST {endpoint}/regulations, Bearer token, SUPPRESS_WITH_DELETE | data.regulateId; GET /regulations/{id} |
| amplitude | POST {endpoint}/api/2/deletions/users, Basic api_key:secret_key | none (staged by Amplitude)            |
| mixpanel  | POST {endpoint}/api/app/data-deletions/v3.0/?token=, Bearer     | results.task_id; GET .../{task_id}    |
| posthog   | POST {endpoint}/api/projects/{id}/persons/bulk_delete/, Bearer  | none (queued by PostHog)              |

Which identifiers each takes: Segment and Amplitude delete by user id; Mixpanel and PostHog by distinct id, which is a
user id or an anonymous id.

Where the call goes follows the destination: `deletion.endpoint` when the policy gives one; else, for a destination
sending to the vendor's own cloud, that region's API host (EU data is deleted through the EU API); for any other host
(a self-hosted PostHog, a relay in between), the destination's own endpoint.

A call that fails (connection errors, 408/429/5xx) is retried with the destination's backoff, `deletion.max_attempts`
times in a row at most (default MAX_ATTEMPTS); then it is marked failed on the request (gateway.deletion).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

import orjson

from policies.policy import Destination, Policy
from policies.table import PolicyError

JobState = Literal["done", "running", "failed"]
MAX_ATTEMPTS = 20  # failed tries in a row before a call is given up (with backoff capped at 60 s: about 15 minutes)


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes | None = None


@dataclass(frozen=True)
class VendorDeletion:
    required: tuple[str, ...]  # keys the destination's `deletion` table must have
    default_endpoint: str | None  # None: the destination's own endpoint
    id_kinds: tuple[str, ...]  # which request identifiers the vendor deletes by
    max_ids: int
    submit: Callable[[str, Destination, list[str]], Call]
    job_id: Callable[[Any], str | None]  # from the submit answer (parsed JSON)
    poll: Callable[[str, Destination, str], Call] | None = None
    job_state: Callable[[Any], JobState] | None = None
    regions: Mapping[str, str] = field(default_factory=dict)  # ingestion host -> that region's deletion API
    cloud: tuple[str, ...] = ()  # the vendor's domains: another host under them gets `default_endpoint`

    def endpoint(self, destination: Destination) -> str:
        """Where this destination's deletion calls go (see the module's docstring)."""
        explicit = destination.deletion.get("endpoint")
        if explicit:
            return explicit.rstrip("/")
        host = (urlsplit(destination.endpoint).hostname or "").lower()
        if host in self.regions:
            return self.regions[host]
        if self.default_endpoint and any(host == domain or host.endswith("." + domain) for domain in self.cloud):
            return self.default_endpoint
        return destination.endpoint.rstrip("/")


def _json(body: dict[str, Any]) -> bytes:
    return orjson.dumps(body)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def _dig(value: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


# -- Segment: Public API regulations ---------------------------------------------------------------------------------

_SEGMENT_STATES: dict[str, JobState] = {
    "FINISHED": "done", "FAILED": "failed", "INVALID": "failed", "NOT_SUPPORTED": "failed",
    "PARTIAL_SUCCESS": "failed", "INITIALIZED": "running", "RUNNING": "running",
}

SEGMENT = VendorDeletion(
    required=("token",),
    default_endpoint="https://api.segmentapis.com",
    id_kinds=("userId",),
    max_ids=5000,
    submit=lambda base, d, ids: Call(
        "POST", f"{base}/regulations", _bearer(d.deletion["token"]),
        _json({"regulationType": "SUPPRESS_WITH_DELETE", "subjectType": "USER_ID", "subjectIds": ids}),
    ),
    job_id=lambda answer: _dig(answer, "data", "regulateId"),
    poll=lambda base, d, job: Call("GET", f"{base}/regulations/{job}", _bearer(d.deletion["token"])),
    job_state=lambda answer: _SEGMENT_STATES.get(str(_dig(answer, "data", "regulation", "overallStatus")), "running"),
    regions={"api.segment.io": "https://api.segmentapis.com",
             "events.eu1.segmentapis.com": "https://eu1.api.segmentapis.com"},
    cloud=("segment.io", "segment.com", "segmentapis.com"),
)

# -- Amplitude: User Privacy API v1 -----------------------------------------------------------------------------------


def _amplitude_submit(base: str, d: Destination, ids: list[str]) -> Call:
    api_key = d.deletion.get("api_key") or d.credentials.get("api_key", "")
    auth = base64.b64encode(f"{api_key}:{d.deletion['secret_key']}".encode()).decode()
    body = {"user_ids": ids, "requester": d.deletion.get("requester", "privacy-gateway"), "ignore_invalid_id": "True"}
    return Call("POST", f"{base}/api/2/deletions/users",
                {"Authorization": f"Basic {auth}", "Content-Type": "application/json"}, _json(body))


AMPLITUDE = VendorDeletion(
    required=("secret_key",),
    default_endpoint="https://amplitude.com",
    id_kinds=("userId",),
    max_ids=100,
    submit=_amplitude_submit,
    job_id=lambda answer: None,
    regions={"api2.amplitude.com": "https://amplitude.com", "api.amplitude.com": "https://amplitude.com",
             "api.eu.amplitude.com": "https://analytics.eu.amplitude.com"},
    cloud=("amplitude.com",),
)

# -- Mixpanel: GDPR data deletions v3 ----------------------------------------------------------------------------------

_MIXPANEL_STATES: dict[str, JobState] = {"SUCCESS": "done", "FAILURE": "failed", "REVOKED": "failed"}


def _mixpanel_token(d: Destination) -> str:
    return d.deletion.get("token") or d.credentials.get("token", "")


MIXPANEL = VendorDeletion(
    required=("gdpr_token",),
    default_endpoint="https://mixpanel.com",
    id_kinds=("userId", "anonymousId"),
    max_ids=2000,
    submit=lambda base, d, ids: Call(
        "POST", f"{base}/api/app/data-deletions/v3.0/?token={_mixpanel_token(d)}", _bearer(d.deletion["gdpr_token"]),
        _json({"distinct_ids": ids, "compliance_type": d.deletion.get("compliance_type", "GDPR")}),
    ),
    job_id=lambda answer: _dig(answer, "results", "task_id"),
    poll=lambda base, d, job: Call(
        "GET", f"{base}/api/app/data-deletions/v3.0/{job}?token={_mixpanel_token(d)}", _bearer(d.deletion["gdpr_token"])
    ),
    job_state=lambda answer: _MIXPANEL_STATES.get(str(_dig(answer, "results", "status")), "running"),
    regions={"api.mixpanel.com": "https://mixpanel.com", "api-eu.mixpanel.com": "https://eu.mixpanel.com",
             "api-in.mixpanel.com": "https://in.mixpanel.com"},
    cloud=("mixpanel.com",),
)

# -- PostHog: persons bulk delete --------------------------------------------------------------------------------------

POSTHOG = VendorDeletion(
    required=("personal_api_key", "project_id"),
    default_endpoint="https://us.posthog.com",
    id_kinds=("userId", "anonymousId"),
    max_ids=1000,
    submit=lambda base, d, ids: Call(
        "POST", f"{base}/api/projects/{d.deletion['project_id']}/persons/bulk_delete/",
        _bearer(d.deletion["personal_api_key"]),
        _json({"distinct_ids": ids, "delete_events": True, "delete_recordings": True}),
    ),
    job_id=lambda answer: None,
    # PostHog Cloud takes events at *.i.posthog.com and serves its API at the region's app host.
    regions={"us.i.posthog.com": "https://us.posthog.com", "eu.i.posthog.com": "https://eu.posthog.com",
             "app.posthog.com": "https://us.posthog.com", "us.posthog.com": "https://us.posthog.com",
             "eu.posthog.com": "https://eu.posthog.com"},
    cloud=("posthog.com",),
)

VENDORS: dict[str, VendorDeletion] = {"segment": SEGMENT, "amplitude": AMPLITUDE, "mixpanel": MIXPANEL,
                                      "posthog": POSTHOG}


def configured(destination: Destination) -> bool:
    """Whether deletions can be sent to this destination: a vendor protocol with its `deletion` keys set."""
    vendor = VENDORS.get(destination.protocol)
    return vendor is not None and all(destination.deletion.get(k) for k in vendor.required)


def max_attempts(destination: Destination) -> int:
    """Failed tries in a row before a call to this destination is given up (checked at start by `check`)."""
    return int(destination.deletion.get("max_attempts") or MAX_ATTEMPTS)


def check(policy: Policy) -> None:
    """The `deletion` numbers of every destination are numbers; raises PolicyError naming the key."""
    for i, destination in enumerate(policy.destinations):
        for key, convert, smallest in (("max_attempts", int, 1.0), ("poll_interval_s", float, 0.0)):
            value = destination.deletion.get(key)
            if value is None:
                continue
            try:
                number = convert(value)
            except ValueError:
                number = None
            if number is None or number < smallest:
                raise PolicyError(policy.path, f"destinations[{i}].deletion.{key}",
                                  f"expected a number of at least {smallest:g}, as a string, got {value!r}")


def identifiers_for(vendor: VendorDeletion, identifiers: Mapping[str, list[str]]) -> list[str]:
    return list(dict.fromkeys(v for kind in vendor.id_kinds for v in identifiers.get(kind, [])))

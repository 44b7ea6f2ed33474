"""posthog-js in a browser test: the fake PostHog behind the gateway (flags, remote config, the lazily loaded recorder,
events), and the page that loads posthog-js from the npm package with the gateway as its api_host."""

from __future__ import annotations

import json
from typing import Any

import orjson

from tests.support.browser import NODE_MODULES
from tests.support.fake_vendor import Answer, Recorded
from tests.support.gateway_process import VENDOR_ENV, WRITE_KEY, vendors_policy
from tests.support.waiting import wait_until

PROJECT_KEY = VENDOR_ENV["POSTHOG_API_KEY"]
POSTHOG_DIST = NODE_MODULES / "posthog-js" / "dist"


def posthog_policy(vendor_url: str, page_origin: str) -> dict[str, Any]:
    """The gateway's policy for a page at `page_origin` sending to the fake PostHog at `vendor_url`."""
    policy = vendors_policy({"posthog": vendor_url})
    policy["sources"][0]["allowed_origins"] = [page_origin]
    return policy


def posthog_page(gateway_url: str, title: str, body: str, **init: Any) -> str:
    """A page served by PageServer (posthog-js at /npm/) that starts posthog-js with the gateway as its api_host and
    session recording on; `init` adds to or overrides posthog.init's options."""
    options = {"api_host": gateway_url, "autocapture": False, "persistence": "localStorage",
               "disable_session_recording": False, **init}
    return f"""<!doctype html>
<html lang="en"><head><title>{title}</title>
<script src="/npm/posthog-js/dist/array.js"></script>
<script>
  posthog.init({json.dumps(WRITE_KEY)}, {json.dumps(options)});
</script></head>
<body>{body}</body></html>"""


def until_recording(page: Any) -> None:
    """Until posthog-js on `page` has loaded and started recording the session (it fetches its config first)."""
    page.wait_for_function("() => window.posthog && window.posthog.__loaded")
    recording = "() => !!(posthog.sessionRecordingStarted && posthog.sessionRecordingStarted())"
    wait_until(lambda: page.evaluate(recording), what="posthog-js to start recording")


class FakePostHog:
    """PostHog's side: flags, remote config (enabling recordings at /s/), static files from the npm package, and
    events at /batch/."""

    def __call__(self, request: Recorded) -> Answer | None:
        if request.path.startswith("/flags") or request.path.startswith("/decide"):
            return Answer(200, b'{"flags":{},"featureFlags":{},"errorsWhileComputingFlags":false}')
        if request.path == f"/array/{PROJECT_KEY}/config":
            return Answer(200, orjson.dumps(self.config()))
        if request.path == f"/array/{PROJECT_KEY}/config.js":
            script = f"(window._POSTHOG_REMOTE_CONFIG=window._POSTHOG_REMOTE_CONFIG||{{}})[{json.dumps(PROJECT_KEY)}]" \
                     f"={{config:{json.dumps(self.config())},siteApps:[]}};"
            return Answer(200, script.encode(), {"Content-Type": "application/javascript"})
        if request.path.startswith("/static/"):
            file = POSTHOG_DIST / request.path.removeprefix("/static/")
            if file.is_file():
                return Answer(200, file.read_bytes(), {"Content-Type": "application/javascript"})
            return Answer(404, b"")
        return None  # /batch/ and anything else: the default 200

    @staticmethod
    def config() -> dict[str, Any]:
        return {
            "token": PROJECT_KEY,
            "supportedCompression": ["gzip", "gzip-js"],
            "sessionRecording": {"endpoint": "/s/", "consoleLogRecordingEnabled": True, "recorderVersion": "v2"},
            "hasFeatureFlags": False,
            "autocapture_opt_out": True,
            "capturePerformance": False,
            "heatmaps": False,
            "surveys": False,
            "siteApps": [],
        }

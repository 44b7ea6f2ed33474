"""The route template of a request, as /metrics and the log name it: the gateway's own routes, matched as Starlette
matches them (through the mounts and their middleware), never the raw path."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.app import create_app
from gateway.protocols import DESTINATION_PROTOCOLS
from gateway.route_template import UNMATCHED, RouteTemplates
from policies.loader import DEFAULT_POLICY, load_policy


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> RouteTemplates:
    policy = load_policy(DEFAULT_POLICY, DESTINATION_PROTOCOLS)
    app = create_app(policy, Path(tmp_path_factory.mktemp("routes")), lambda token: None)  # not started: routes only
    return RouteTemplates(app.routes)


@pytest.mark.parametrize(("method", "path", "template"), [
    ("POST", "/v1/batch", "/v1/batch"),  # an ingest path: its own template
    ("POST", "/e/", "/e/"),
    ("POST", "/v1/replay/jane.doe@example.org", "/v1/replay/{session_id}"),  # an id in the path stays out
    ("GET", "/array/phc_key/config.js", "/array/{token}/config.js"),
    ("GET", "/static/recorder.js", "/static/{file}"),
    ("GET", "/admin/v1/replay/sessions/s-1/events", "/admin/v1/replay/sessions/{session_id}/events"),  # mounted
    ("GET", "/ui/sessions/s-1", "/ui/sessions/{session_id}"),
    ("GET", "/v1/consent", "/v1/consent"),  # the route's, though it answers 405 to GET
    ("GET", "/admin/v1/no-such-thing", "/admin/*"),  # inside a mount, no route: the mount
    ("GET", "/wp-login.php", UNMATCHED),
])
def test_a_request_is_named_by_the_route_it_matched(templates: RouteTemplates, method: str, path: str,
                                                     template: str) -> None:
    scope = {"type": "http", "method": method, "path": path, "root_path": "", "headers": []}
    assert templates.template(scope) == template
    assert templates.template(scope) == template  # and again, from what it remembered of plain paths

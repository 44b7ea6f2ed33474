"""Turning a page's data into HTML: the Jinja2 environment (autoescaped, strict about missing values) and the context
every page shares (where the UI is mounted, who is signed in, their menu, the CSRF token for forms)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from gateway.ui import charts, formatting, navigation

if TYPE_CHECKING:
    from gateway.ui.session import UiSession

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
PLAYER_FILES = ("vendor/rrweb-player/rrweb-player.min.js", "vendor/rrweb-player/style.css")

_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,  # a misspelt name fails the tests instead of rendering as nothing
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters.update(formatting.FILTERS)
_environment.globals["charts"] = charts


def player_installed() -> bool:
    """Whether the project's set-up put rrweb-player in static/vendor (the gateway also runs without it)."""
    return all((STATIC / name).is_file() for name in PLAYER_FILES)


def render(request: Request, template: str, context: dict[str, Any], *, session: UiSession | None,
           status_code: int = 200, section: str | None = None) -> HTMLResponse:
    root = navigation.ui_root(request)
    shared = {
        "root": root,
        "static": root + "/static",
        "session": session,
        "menu": navigation.menu(session.role) if session else [],
        "section": section,
        "csrf": session.csrf if session else "",
        "request_path": request.url.path,
    }
    html = _environment.get_template(template).render({**shared, **context})
    return HTMLResponse(html, status_code=status_code)

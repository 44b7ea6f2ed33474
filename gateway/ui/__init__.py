"""The web pages under /ui/ for support agents, UX designers and compliance officers (issue 9: being built).

`routes()` are mounted at /ui by gateway.app; `MIGRATIONS` are applied with the gateway's own.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from gateway.database import Migration

MIGRATIONS: tuple[Migration, ...] = ()


def routes() -> list[BaseRoute]:
    return []

"""The UI's sections, who may use each, and the navigation bar: one table, so the menu a person sees and the pages
they may open can never disagree. Role `admin` may use every section."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    path: str  # under the UI root
    roles: tuple[str, ...]

    def roles_text(self) -> str:
        names = {"support": "support agents", "ux": "UX designers", "compliance": "compliance officers",
                 "analyst": "analysts"}
        if not self.roles:
            return "admins"
        return " and ".join(names.get(role, role) for role in self.roles) + " (and admins)"


SECTIONS: dict[str, Section] = {
    s.key: s
    for s in (
        # UX designers may find, open and play sessions (examples behind the report's numbers), as the API lets
        # them; reviewing stays support's (gateway.reviews_api.ROLES, the session page's review form).
        Section("queue", "Review queue", "/sessions", ("support", "ux")),
        Section("report", "Frustration report", "/reports/frustration", ("ux",)),
        Section("heatmaps", "Heatmaps", "/reports/heatmaps", ("ux",)),
        Section("deletions", "Deletion requests", "/deletions", ("compliance",)),
        Section("access", "Access requests", "/access-requests", ("compliance",)),
        Section("audit", "Audit log", "/audit", ("compliance",)),
        Section("quality", "Data quality", "/data-quality", ("analyst",)),
        Section("live", "Live debugger", "/live", ("analyst",)),
        Section("dead_letters", "Dead letters", "/dead-letters", ()),  # admins only
    )
}


def ui_root(request: Request) -> str:
    """Where the UI is mounted (`/ui`, under any root path the server was given): links are built from it."""
    return request.scope.get("ui_root") or request.scope.get("root_path", "")


def allowed(role: str, section: str) -> bool:
    return role == "admin" or role in SECTIONS[section].roles


def menu(role: str) -> list[Section]:
    return [s for s in SECTIONS.values() if allowed(role, s.key)]


def home(request: Request, role: str) -> str:
    """Where a person lands after signing in: the first section made for their role (listed first in its roles),
    else their first section."""
    sections = menu(role)
    own = [s for s in sections if s.roles[:1] == (role,)]
    return ui_root(request) + ((own or sections)[0].path if sections else "/")

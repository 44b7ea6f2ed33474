"""Compliance officers' pages: file a deletion request, follow it to completion, download its receipt, check a receipt
someone presents; browse the audit log.

Everything goes through the admin API (gateway.ui.api): `/v1/privacy/deletions...` and `/v1/audit...`. A subject's
identifiers are only ever POSTed (never put in a URL), are not kept by the pages, and are re-shown only in the answer
to the post that sent them when the API refused it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from gateway.signed_documents import PUBLIC_KEY_PATH
from gateway.state import gateway_of
from gateway.ui import api
from gateway.ui.auth import page
from gateway.ui.forms import FormData, day_ms
from gateway.ui.navigation import ui_root
from gateway.ui.render import render
from gateway.ui.session import UiSession

DELETIONS = "deletions"
AUDIT = "audit"
DELETIONS_PATH = "/v1/privacy/deletions"
IDENTIFIER_FIELDS = {"userId": "User ID", "anonymousId": "Anonymous ID", "email": "Email address"}
FINAL_STATUSES = ("completed", "failed")
AUDIT_PAGE = 50


def _destinations(request: Request) -> list[str]:
    return [d.name for d in gateway_of(request).policy.enabled_destinations]


# -- deletion requests ------------------------------------------------------------------------------------------------


def deletion_body(form: FormData) -> tuple[dict[str, Any], list[str]]:
    """The API request a filled-in form asks for, and what is missing from it."""
    identifiers = {name: form.get(name).strip() for name in IDENTIFIER_FIELDS if form.get(name).strip()}
    reason = form.get("reason").strip()
    destinations: str | list[str] = "all" if form.get("scope", "all") == "all" else form.getlist("destination")
    problems = []
    if not identifiers:
        problems.append("Give at least one identifier of the person: a user ID, an anonymous ID or an email address.")
    if not reason:
        problems.append("Say why the data is being deleted (for example, the ticket of the person's request).")
    if destinations != "all" and not destinations:
        problems.append("Choose the destinations to ask for deletion, or choose all of them.")
    body = {"identifiers": identifiers, "reason": reason, "destinations": destinations,
            "include_claimed": form.get("include_claimed") == "yes"}
    return body, problems


async def _deletions_view(request: Request, session: UiSession, *, problems: list[str] | None = None,
                          form: FormData | None = None, status_code: int = 200) -> Response:
    answer = await api.call(request, session.principal, "GET", DELETIONS_PATH)
    requests = answer.json().get("deletions", []) if answer.is_success else []
    return render(request, "deletions.html", {
        "title": "Deletion requests",
        "load_error": None if answer.is_success else api.message(answer),
        "requests": requests,
        "problems": problems or [],
        "form": form or FormData(),
        "identifier_fields": IDENTIFIER_FIELDS,
        "destinations": _destinations(request),
    }, session=session, section=DELETIONS, status_code=status_code)


async def deletions(request: Request, session: UiSession) -> Response:
    return await _deletions_view(request, session)


async def file_deletion(request: Request, session: UiSession) -> Response:
    form: FormData = request.state.form
    body, problems = deletion_body(form)
    if problems:
        return await _deletions_view(request, session, problems=problems, form=form, status_code=400)
    answer = await api.call(request, session.principal, "POST", DELETIONS_PATH, json=body)
    if not answer.is_success:
        return await _deletions_view(request, session, problems=[api.message(answer)], form=form,
                                     status_code=answer.status_code if answer.status_code >= 400 else 502)
    deletion_id = answer.json()["id"]
    return RedirectResponse(f"{ui_root(request)}/deletions/{quote(deletion_id, safe='')}?filed=1", status_code=303)


async def deletion_page(request: Request, session: UiSession) -> Response:
    deletion_id = request.path_params["deletion_id"]
    answer = await api.call(request, session.principal, "GET", f"{DELETIONS_PATH}/{deletion_id}")
    if not answer.is_success:
        return render(request, "error.html", {"title": "No such deletion request" if answer.status_code == 404
                                              else "The request is unavailable", "status": answer.status_code,
                                              "message": api.message(answer)},
                      session=session, status_code=answer.status_code, section=DELETIONS)
    deletion = answer.json()
    return render(request, "deletion.html", {
        "title": f"Deletion request {deletion_id}",
        "deletion": deletion,
        "final": deletion.get("status") in FINAL_STATUSES,
        "filed": bool(request.query_params.get("filed")),
        "status_url": f"{ui_root(request)}/deletions/{quote(deletion_id, safe='')}/status",
        "etag": answer.headers.get("etag", ""),
    }, session=session, section=DELETIONS)


async def deletion_status(request: Request, session: UiSession) -> ASGIApp:
    """The request's progress as the API gives it, for the page to follow without reloading: 304 (and no audit
    entry) while it is what the page shows (If-None-Match)."""
    return api.relay(request, session.principal, f"{DELETIONS_PATH}/{request.path_params['deletion_id']}",
                     forwarded=("if-none-match",))


async def receipt(request: Request, session: UiSession) -> ASGIApp:
    deletion_id = request.path_params["deletion_id"]
    filename = "deletion-receipt-" + "".join(c for c in deletion_id if c.isalnum() or c in "-_") + ".json"
    return api.relay(request, session.principal, f"{DELETIONS_PATH}/{deletion_id}/receipt",
                     extra_headers={"Content-Disposition": f'attachment; filename="{filename}"'})


async def verify_receipt(request: Request, session: UiSession) -> Response:
    """A receipt pasted in (a data subject's copy, a regulator's question), checked against this gateway's public
    key by the API, which audits the check."""
    result: dict[str, Any] | None = None
    problem = ""
    pasted = ""
    status_code = 200
    if request.method == "POST":
        form: FormData = request.state.form
        pasted = form.get("receipt").strip()
        try:
            receipt_json = json.loads(pasted)
        except ValueError:
            problem, status_code = "That is not a receipt: paste the whole JSON file as it was downloaded.", 400
        else:
            answer = await api.call(request, session.principal, "POST", "/v1/privacy/receipts/verify",
                                    json=receipt_json)
            if answer.is_success:
                result = answer.json()
            else:
                problem, status_code = api.message(answer), answer.status_code
    return render(request, "receipt_verify.html", {
        "title": "Check a receipt", "result": result, "problem": problem, "pasted": pasted,
        "key_url": PUBLIC_KEY_PATH,
    }, session=session, section=DELETIONS, status_code=status_code)


# -- the audit log ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    actor: str = ""
    target: str = ""
    since: str = ""  # YYYY-MM-DD
    until: str = ""  # YYYY-MM-DD, inclusive
    before: str = ""  # epoch seconds: the next page's entries are older than this

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> AuditFilters:
        def text(name: str) -> str:
            return query.get(name, "").strip()[:200]

        before = text("before")
        try:
            float(before)
        except ValueError:
            before = ""
        since, until = text("since"), text("until")
        return cls(text("action"), text("actor"), text("target"), since if day_ms(since) is not None else "",
                   until if day_ms(until) is not None else "", before)

    def api_query(self) -> dict[str, str]:
        query = {"action": self.action, "actor": self.actor, "target": self.target, "limit": str(AUDIT_PAGE)}
        since_ms = day_ms(self.since) if self.since else None
        if since_ms is not None:
            query["since"] = str(since_ms / 1000)
        bounds = [float(self.before)] if self.before else []
        until_ms = day_ms(self.until, end=True) if self.until else None
        if until_ms is not None:
            bounds.append(until_ms / 1000)
        if bounds:
            query["until"] = repr(min(bounds))
        return query

    def older(self, at: float) -> str:
        fields = {k: v for k, v in self.__dict__.items() if v and k != "before"}
        fields["before"] = repr(at)
        return "?" + urlencode(fields)

    @property
    def active(self) -> bool:
        return any((self.action, self.actor, self.target, self.since, self.until))


async def audit(request: Request, session: UiSession) -> Response:
    filters = AuditFilters.from_query(request.query_params)
    answer = await api.call(request, session.principal, "GET", "/v1/audit", query=filters.api_query())
    if not answer.is_success:
        return render(request, "error.html", {"title": "The audit log is unavailable", "status": answer.status_code,
                                              "message": api.message(answer)},
                      session=session, status_code=answer.status_code, section=AUDIT)
    entries = answer.json()["entries"]
    verify = await api.call(request, session.principal, "GET", "/v1/audit/verify")
    return render(request, "audit.html", {
        "title": "Audit log",
        "filters": filters,
        "entries": entries,
        "verification": verify.json() if verify.is_success else None,
        "older": filters.older(entries[-1]["at"]) if len(entries) == AUDIT_PAGE else None,
    }, session=session, section=AUDIT)


def routes() -> list[Route]:
    return [
        Route("/receipts/verify", page(DELETIONS, verify_receipt), methods=["GET", "POST"]),
        Route("/deletions", page(DELETIONS, deletions), methods=["GET"]),
        Route("/deletions", page(DELETIONS, file_deletion), methods=["POST"]),
        Route("/deletions/{deletion_id}", page(DELETIONS, deletion_page), methods=["GET"]),
        Route("/deletions/{deletion_id}/status", page(DELETIONS, deletion_status, json=True), methods=["GET"]),
        Route("/deletions/{deletion_id}/receipt", page(DELETIONS, receipt), methods=["GET"]),
        Route("/audit", page(AUDIT, audit), methods=["GET"]),
    ]

"""The review API: support agents mark a flagged session reviewed or dismissed, and read its reviews.

    POST /admin/v1/replay/sessions/{session_id}/review    {"status": "reviewed"|"dismissed", "note": "..."}
    GET  /admin/v1/replay/sessions/{session_id}/reviews   newest first

A review goes through `reviews.submit`, as one from the session page does (gateway.reviews holds the rules).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway import reviews
from gateway.access import admin_route
from gateway.admin_request import audit, json_object, not_found, principal_of, refused
from gateway.protocols.codec import ProtocolError
from gateway.session_path import SESSION_ID
from gateway.state import gateway_of

ROLES = ("support",)


async def post_review(request: Request) -> Response:
    """201 with the review; 400 for a bad body, 404 for an unknown session."""
    gateway = gateway_of(request)
    try:
        body = await json_object(request)
    except ProtocolError as error:
        return refused(error)
    if not (isinstance(body.get("status"), str) and isinstance(body.get("note", ""), str)):
        return JSONResponse({"error": "invalid_request",
                             "message": 'send {"status": "reviewed"|"dismissed", "note": "..."}'}, status_code=400)
    try:
        review = await reviews.submit(gateway.db, gateway.replay.store, gateway.audit, principal_of(request),
                                      request.path_params["session_id"], body["status"], body.get("note", ""),
                                      gateway.setup.scrubber.scrub_text)
    except reviews.InvalidReview as error:
        return JSONResponse({"error": "invalid_request", "message": str(error)}, status_code=400)
    except reviews.NoSuchSession:
        return not_found("no such session")
    return JSONResponse(review.to_dict(), status_code=201)


async def get_reviews(request: Request) -> Response:
    gateway = gateway_of(request)
    session_id = request.path_params["session_id"]
    if await gateway.replay.store.session(session_id) is None:
        return not_found("no such session")
    await audit(request, "replay.read_reviews", session_id)
    found = await gateway.db.read(lambda conn: reviews.history(conn, session_id))
    return JSONResponse({"reviews": [review.to_dict() for review in found]})


def routes() -> list[Route]:
    return [
        admin_route(f"/v1/replay/sessions/{SESSION_ID}/review", post_review, roles=ROLES, methods=("POST",)),
        admin_route(f"/v1/replay/sessions/{SESSION_ID}/reviews", get_reviews, roles=ROLES),
    ]

"""`{session_id:session}`: a recording's session id as one path parameter, whatever it holds.

Ingest keeps new session ids to a safe alphabet (replay.ingest.SESSION_ID), but recordings stored before that may have
any id, `/` included (PostHog's `$session_id` is whatever the page sets). A link percent-encodes the id (`a%2Fb`), the
server decodes it back to `a/b` before routing, so the parameter has to span slashes. It spans everything except a
trailing `/events`, `/signals`, `/console`, `/share`, `/review`, `/reviews` or `/neighbours`, which name the session's
sub-resources: which route a path matches never depends on the order routes are listed in.
"""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor

SUB_RESOURCES = ("events", "signals", "console", "share", "review", "reviews", "neighbours")
SESSION_ID = "{session_id:session}"  # the parameter, as route paths write it


class SessionIdConvertor(Convertor[str]):
    regex = r"(?:(?!/(?:" + "|".join(SUB_RESOURCES) + r")$)[\s\S])+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("session", SessionIdConvertor())

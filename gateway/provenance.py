"""Who said it: the kind of credential a consent record or an identity link came with.

    public   a source's write key: in every web page, so anyone may hold it
    server   a source's server key: a secret of the customer's backend and server-side SDKs
    token    a consent token signed by the customer's backend for its logged-in user
    admin    the admin API (a compliance officer or an operator)

What a public key says is taken for the device it names (consent) or as a claim (identity links); the others speak
for a user, and the links they make are verified.
"""

from __future__ import annotations

from typing import Literal

Provenance = Literal["public", "server", "token", "admin"]
PROVENANCES: tuple[Provenance, ...] = ("public", "server", "token", "admin")


def verifies(provenance: Provenance) -> bool:
    """Whether what came with this credential may speak for a user: links it makes are verified."""
    return provenance != "public"

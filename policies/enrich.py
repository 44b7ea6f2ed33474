"""The `[enrich]` section: what the gateway adds to events from what it has learned (B2B account context).

    [enrich]
    account_from_groups = false     # stamp an event that lacks an account with the account its user's group call named
    account_path = "properties.account_id"   # where an event carries its account (and where the stamp goes)
    group_type = ""                 # which of an event's `groups` ({"company": "acme"}) is the account;
                                    # "" = the only one
    plain_account_ids = false       # the catalog and the UI keep account ids keyed-hashed unless true

The stamp is the account id the customer's own group call sent, as is: it goes to the customer's vendors, which know
accounts by that id. What the gateway keeps for counting (catalog volume per account) is its keyed hash by default.
"""

from __future__ import annotations

from dataclasses import dataclass

from policies.table import Table

ACCOUNT_ROOTS = ("properties", "context", "traits")


@dataclass(frozen=True)
class Enrich:
    account_from_groups: bool = False
    account_path: str = "properties.account_id"
    group_type: str = ""
    plain_account_ids: bool = False


def read_enrich(table: Table) -> Enrich:
    d = Enrich()
    enrich = Enrich(
        account_from_groups=table.boolean("account_from_groups", d.account_from_groups),
        account_path=table.string("account_path", d.account_path),
        group_type=table.string("group_type", d.group_type),
        plain_account_ids=table.boolean("plain_account_ids", d.plain_account_ids),
    )
    table.finish()
    root, _, rest = enrich.account_path.partition(".")
    if root not in ACCOUNT_ROOTS or not rest or "." in rest:
        raise table.error("account_path", f"expected one of {', '.join(r + '.NAME' for r in ACCOUNT_ROOTS)}, "
                                          f"got {enrich.account_path!r}")
    return enrich

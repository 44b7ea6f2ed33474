"""Accounts: group calls teach which account each person acts for (gateway.accounts); with `[enrich]
account_from_groups`, a track, page or screen event of that person that carries no account is stamped with it, at
`[enrich] account_path`, as the group call sent it (the id the customer's vendors know the account by).

After consent, so that only events that go somewhere teach or are stamped; before the catalog and the plan, which
then see the account a vendor will see.
"""

from __future__ import annotations

from gateway.accounts import AccountMap, account_of_group_call
from gateway.pipeline.batch import Batch
from gateway.pipeline.runner import StepFunction
from policies.enrich import Enrich
from policies.plans.plan import CONTEXT_TYPES


def stamp_accounts(accounts: AccountMap, config: Enrich) -> StepFunction:
    root, _, key = config.account_path.partition(".")

    def run(batch: Batch) -> None:
        learned: list[tuple[tuple[str, ...], str]] = []
        pending: dict[str, str] = {}  # what this request's own group calls said, for its later events
        for entry in batch.entries:
            event = entry.event
            named = account_of_group_call(event, config)
            if named is not None:
                learned.append((entry.subjects, named))
                pending.update(dict.fromkeys(entry.subjects, named))
            if event.type not in CONTEXT_TYPES:
                continue
            holder = getattr(event, root)
            if holder is not None and holder.get(key) not in (None, ""):
                continue
            account = named or next((pending[s] for s in entry.subjects if s in pending), None) \
                or accounts.account(entry.subjects)
            if account is not None:
                setattr(event, root, {**(holder or {}), key: account})
        batch.out.accounts = accounts.changes(learned)

    return run

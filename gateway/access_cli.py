"""`privacy-gateway token`: access tokens, made, listed and revoked, wherever they are kept.

    privacy-gateway token --role admin --name ops          # a token and the [[access.tokens]] lines for the policy
    privacy-gateway token create --role ux --name uma      # a token kept in the data directory, valid at once
    privacy-gateway token list                             # every token: policy and data directory, with its id
    privacy-gateway token revoke 3f2a9c1b7e40              # ends a data-directory token at once (the first start's too)

A token is shown once, when it is made; only its sha256 is kept. Its id is the start of that digest (which reveals
nothing of the token). A token in the policy is revoked by removing its entry and reloading the policy (`kill -HUP`).
`create` and `revoke` work on the database directly, so they take effect on a running gateway at once, and are written
to the audit log as the operator's ("cli").
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from gateway import keys
from gateway.access import TokenStore, delete_token, digest, insert_token, new_token
from gateway.audit import AuditLog
from gateway.data_dir import private_umask
from gateway.database import Database
from gateway.protocols import DESTINATION_PROTOCOLS, check_credentials
from gateway.schema import DATABASE_FILE, MIGRATIONS
from policies.loader import DEFAULT_POLICY, load_policy
from policies.policy import ROLES, AccessToken, Policy

ID_LENGTH = 12
MIN_ID_LENGTH = 6
CLI_ACTOR = "cli"


def _policy(path: str) -> Policy:
    policy = load_policy(path, DESTINATION_PROTOCOLS)
    check_credentials(policy)
    return policy


def _database(data_dir: str) -> Database:
    path = Path(data_dir) / DATABASE_FILE
    if not path.exists():
        raise SystemExit(f"privacy-gateway: no database at {path}: is --data-dir the gateway's?")
    private_umask()
    return Database(path, MIGRATIONS)


def _change(args: argparse.Namespace, db: Database, action: str, token: AccessToken,
            change: Callable[[sqlite3.Connection], object]) -> None:
    """`change` and its entry in the audit log, in one transaction; the entry is chained with the gateway's own
    (same key, same table)."""
    secret = keys.load_secret(_policy(args.policy), Path(args.data_dir))
    audit = AuditLog(db, keys.derive(secret, "audit"), keys.derive(secret, "audit-values"))
    details = {"role": token.role, "id": token.sha256[:ID_LENGTH]}

    def write(conn: sqlite3.Connection) -> None:
        change(conn)
        audit.append(conn, CLI_ACTOR, "admin", action, token.name, details)

    db.write_sync(write)


def cmd_token_policy_lines(args: argparse.Namespace) -> int:
    if not args.role or not args.name:
        raise SystemExit("privacy-gateway: token needs --role and --name (or one of: create, list, revoke)")
    token = new_token()
    print(f"token (give it to {args.name}; it is not stored anywhere): {token}", file=sys.stderr)
    print(f'[[access.tokens]]\nname = "{args.name}"\nrole = "{args.role}"\nsha256 = "{digest(token)}"')
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    token = new_token()
    stored = AccessToken(name=args.name, role=args.role, sha256=digest(token))
    db = _database(args.data_dir)
    try:
        _change(args, db, "access.token_create", stored, lambda conn: insert_token(conn, stored))
    finally:
        db.close()
    print(f"token {stored.sha256[:ID_LENGTH]} for {args.name} ({args.role}), valid now; it is shown only this once:",
          file=sys.stderr)
    print(token)
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    policy = _policy(args.policy)
    db = _database(args.data_dir)
    try:
        stored = TokenStore(db).all()
    finally:
        db.close()
    listed: list[dict[str, str | float | None]] = [
        {"id": t.sha256[:ID_LENGTH], "name": t.name, "role": t.role, "kept_in": "policy", "created_at": None}
        for t in policy.access_tokens]
    listed += [{"id": s.token.sha256[:ID_LENGTH], "name": s.token.name, "role": s.token.role,
                "kept_in": "data directory", "created_at": s.created_at} for s in stored]
    if args.json:
        print(json.dumps(listed, indent=2))
        return 0
    rows = [(str(t["id"]), str(t["name"]), str(t["role"]), str(t["kept_in"]),
             datetime.fromtimestamp(float(t["created_at"]), UTC).strftime("%Y-%m-%d %H:%M UTC")
             if t["created_at"] is not None else "") for t in listed]
    header = ("ID", "NAME", "ROLE", "KEPT IN", "CREATED")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    prefix = args.id.strip().lower()
    if len(prefix) < MIN_ID_LENGTH:
        raise SystemExit(f"privacy-gateway: give at least {MIN_ID_LENGTH} characters of the id `token list` shows")
    policy = _policy(args.policy)
    db = _database(args.data_dir)
    try:
        store = TokenStore(db)
        matches = [s.token for s in store.all() if s.token.sha256.startswith(prefix)]
        in_policy = [t for t in policy.access_tokens if t.sha256.startswith(prefix)]
        if len(matches) > 1:
            raise SystemExit(f"privacy-gateway: {len(matches)} tokens have an id starting {prefix}: give more of it")
        if not matches:
            if in_policy:
                raise SystemExit(f"privacy-gateway: token {prefix} ({in_policy[0].name}) is in the policy "
                                 f"{policy.path}: remove its [[access.tokens]] entry and reload (kill -HUP)")
            raise SystemExit(f"privacy-gateway: no token with an id starting {prefix} (`privacy-gateway token list`)")
        [token] = matches
        _change(args, db, "access.token_revoke", token, lambda conn: delete_token(conn, token.sha256))
        admins_left = any(p.role == "admin" for p in (*policy.access_tokens, *(s.token for s in store.all())))
    finally:
        db.close()
    print(f"revoked token {token.sha256[:ID_LENGTH]} ({token.name}, {token.role}) at "
          f"{time.strftime('%Y-%m-%d %H:%M:%S')}; requests and UI sessions with it are refused from now on")
    if not admins_left:
        print("no admin token is left: the next start makes a new one-time admin token and prints it", file=sys.stderr)
    return 0


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    token = commands.add_parser("token", help="access tokens: make one for the policy, or create, list, revoke")
    token.add_argument("--role", choices=ROLES, help="with --name and no subcommand: a token for the policy file")
    token.add_argument("--name")
    token.set_defaults(func=cmd_token_policy_lines)
    actions = token.add_subparsers(dest="token_command")

    def action(name: str, help_text: str, func: object) -> argparse.ArgumentParser:
        parser = actions.add_parser(name, help=help_text)
        parser.add_argument("--policy", default=str(DEFAULT_POLICY))
        parser.add_argument("--data-dir", default="data")
        parser.set_defaults(func=func)
        return parser

    create = action("create", "make a token kept in the data directory (valid at once)", cmd_token_create)
    create.add_argument("--role", choices=ROLES, required=True)
    create.add_argument("--name", required=True)
    action("list", "every token, in the policy and in the data directory", cmd_token_list).add_argument(
        "--json", action="store_true", help="as JSON, for scripts")
    revoke = action("revoke", "end a token kept in the data directory (the first start's too)", cmd_token_revoke)
    revoke.add_argument("id", help="the id `token list` shows (at least its first 6 characters)")

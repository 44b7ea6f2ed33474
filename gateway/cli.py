"""The `privacy-gateway` command (also `python -m gateway`).

    privacy-gateway serve --policy policies/default.toml --data-dir data --host 127.0.0.1 --port 8080
    privacy-gateway check --policy site.toml          # validate a policy file and say what it configures
    privacy-gateway token --role admin --name ops     # make an access token and the policy lines that admit it
    privacy-gateway token list                        # every access token (`token create`, `token revoke ID`)
    privacy-gateway replay analyze --all              # detect frustration signals in stored sessions (--session ID)
    privacy-gateway scrub --policy site.toml < body.json     # dry run: what each destination would receive
    privacy-gateway purge                             # delete what the retention policy says has expired
    privacy-gateway db --data-dir data                # the database: tables, row counts, schema, migrations
    privacy-gateway migrate --database-url URL        # apply pending schema steps (also done at every start)
    privacy-gateway backup /backups/2026-12-03 --data-dir data   # a consistent copy while the gateway runs
    privacy-gateway restore /backups/2026-12-03 --data-dir new-data --policy site.toml   # checked, objects put back
    privacy-gateway deletion request --user-id U      # file a deletion request (via the admin API); `status ID`
    privacy-gateway plan infer --source web --out plans/web.json   # a draft tracking plan from the event catalog
    privacy-gateway plan diff --policy site.toml --source web      # the source's plan against what traffic does
    privacy-gateway dead-letters list                 # what destinations refused for good; `show ID`,
                                                      # `redrive|purge --id N | --destination D | --all`
    privacy-gateway receipt verify FILE --public-key KEY     # check a deletion receipt offline with the public key
    privacy-gateway audit verify --checkpoint FILE    # hold the audit log against its signed checkpoints
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from gateway import access_cli, logs
from gateway.data_dir import private_umask
from gateway.protocols import DESTINATION_PROTOCOLS, check_credentials
from policies.loader import DEFAULT_POLICY, load_policy
from policies.policy import Policy
from policies.table import PolicyError

if TYPE_CHECKING:
    from gateway.database import Database
    from gateway.keys import PublicKey
    from replay.objects import ObjectStore

T = TypeVar("T")


def _load(path: str) -> Policy:
    policy = load_policy(path, DESTINATION_PROTOCOLS)
    check_credentials(policy)
    return policy


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from gateway.app import create_app
    from gateway.data_dir_lock import DataDirInUse, lock_data_dir
    from gateway.http_server import server_config
    from gateway.schema import NotOnPostgres, check_backend

    policy = _with_database_url(_load(args.policy), args.database_url)
    logs.configure(args.log_format, args.log_level)
    private_umask()
    try:
        check_backend(policy.storage.database_url)
        # Held until the process exits: on SQLite the data directory is this process's alone.
        lock = None if policy.storage.database_url else lock_data_dir(Path(args.data_dir))
    except (NotOnPostgres, DataDirInUse) as refused:
        raise SystemExit(f"privacy-gateway: {refused}") from None
    app = create_app(policy, Path(args.data_dir), announce_token=_print_token, reload_on_sighup=True)
    uvicorn.Server(server_config(app, policy.http, args.host, args.port, args.fd, args.log_level)).run()
    del lock
    return 0


def _with_database_url(policy: Policy, database_url: str | None) -> Policy:
    """`--database-url` over the policy's `[storage] database_url`."""
    if not database_url:
        return policy
    return dataclasses.replace(policy, storage=dataclasses.replace(policy.storage, database_url=database_url))


def cmd_migrate(args: argparse.Namespace) -> int:
    """Apply the schema steps the database lacks: the SQLite file in --data-dir, or the PostgreSQL database of
    --database-url (or the policy's [storage] database_url). The server does the same at every start; this command is
    for preparing a shared database before the nodes start, and for seeing what is applied."""
    from gateway.schema import DATABASE_FILE, MIGRATIONS, not_on_postgres
    from gateway.storage.migrations import migrate
    from gateway.storage.postgres import postgres_engine
    from gateway.storage.sqlite import sqlite_engine

    database_url = _database_url(args)
    private_umask()
    engine = postgres_engine(database_url) if database_url else sqlite_engine(Path(args.data_dir) / DATABASE_FILE)
    conn = engine.open()
    try:
        applied = migrate(engine, conn, MIGRATIONS)
    finally:
        conn.close()
    print(f"{engine.where}: applied {len(applied)} step(s){': ' + ', '.join(applied) if applied else ''}")
    if database_url and not_on_postgres():
        print(f"not on PostgreSQL yet (serving there is refused until they move): {', '.join(not_on_postgres())}")
    return 0


def _print_token(token: str) -> None:
    print(
        "\n  No admin token is configured, so here is one. It is shown once; only its sha256 is kept.\n"
        f"  Admin token: {token}\n"
        "  Use it as `Authorization: Bearer <token>` on /admin/v1/...\n",
        file=sys.stderr,
        flush=True,
    )


def cmd_check(args: argparse.Namespace) -> int:
    policy = _load(args.policy)
    print(f"{policy.path}: OK")
    for source in policy.sources:
        print(f"  source {source.name}: {len(source.write_keys)} write key(s) -> {', '.join(source.destinations)}")
    for d in policy.destinations:
        state = "" if d.enabled else " (disabled)"
        print(f"  destination {d.name}: {d.protocol} {d.endpoint or '(local)'}{state}")
    print(f"  access tokens: {len(policy.access_tokens)}")
    return 0


class Progress:
    """A one-line progress bar on stderr for long commands: `done/total`, a bar, and a short note."""

    def __init__(self, total: int, label: str) -> None:
        self.total, self.label, self.done = total, label, 0
        self.interactive = sys.stderr.isatty()

    def step(self, note: str = "") -> None:
        self.done += 1
        if self.interactive or self.done == self.total or self.done % 100 == 0:
            filled = int(30 * self.done / max(1, self.total))
            end = "\n" if self.done == self.total else ("\r" if self.interactive else "\n")
            print(f"{self.label} [{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total} {note}", end=end,
                  file=sys.stderr, flush=True)


def cmd_replay_rotate_master_key(args: argparse.Namespace) -> int:
    """Rewrap the data keys under a new master key in one transaction; then the new key replaces the old where the
    gateway reads it, and the old one is destroyed: copies of the data taken before then open nothing without it."""
    from gateway import keys

    policy = _load(args.policy)
    new = bytes.fromhex(Path(args.new_key_file).read_text().strip())
    db = _open_database(args, policy)
    try:
        ring = keys.replay_keys(policy, Path(args.data_dir))
        db.read_sync(ring.check)
        count = db.write_sync(lambda conn: ring.rewrap(conn, new))
    finally:
        db.close()
    print(f"{count} data keys rewrapped; now put {args.new_key_file} where the gateway reads its master key "
          f"({keys.MASTER_KEY_ENV} or [privacy] master_key_file) and destroy the old one", file=sys.stderr)
    return 0


def cmd_replay_analyze(args: argparse.Namespace) -> int:
    import asyncio

    from gateway import keys
    from replay import analysis
    from replay.batching import batching_for
    from replay.compression import Compressor
    from replay.store import ReplayStore

    policy = _load(args.policy)
    db = _open_database(args, policy)
    try:
        store = ReplayStore(db, Compressor(policy.replay.compression_level),
                            keys.replay_keys(policy, Path(args.data_dir)), batching=batching_for(policy.replay.storage))
        sessions = [args.session] if args.session else db.read_sync(analysis.all_sessions)
        if not sessions:
            print("no sessions to analyse", file=sys.stderr)
            return 0
        progress = Progress(len(sessions), "analysing")
        totals: dict[str, int] = {}

        async def run() -> int:
            missing = 0
            for session_id in sessions:
                result = await analysis.analyze_and_save(store, session_id, policy.replay.detect)
                if result is None:
                    missing += 1
                else:
                    for kind, n in result.counts.items():
                        totals[kind] = totals.get(kind, 0) + n
                progress.step(session_id if result is not None else f"{session_id}: not found")
            return missing

        missing = asyncio.run(run())
    finally:
        db.close()
    summary = ", ".join(f"{kind} {n}" for kind, n in totals.items() if n) or "no signals"
    print(f"analysed {len(sessions) - missing} session(s): {summary}")
    return 1 if missing else 0


def _database_file(data_dir: str) -> Path:
    from gateway.schema import DATABASE_FILE

    path = Path(data_dir) / DATABASE_FILE
    if not path.exists():
        raise SystemExit(f"privacy-gateway: no database at {path}: is --data-dir the gateway's?")
    return path


def _database_url(args: argparse.Namespace, policy: Policy | None = None) -> str | None:
    """The PostgreSQL database a command works on: --database-url, else the [storage] database_url of `policy` (the
    command's, loaded when not given); None for the SQLite file in --data-dir."""
    if args.database_url:
        return str(args.database_url)
    return (policy or _load(args.policy)).storage.database_url


def _open_database(args: argparse.Namespace, policy: Policy | None = None) -> Database:
    from gateway.database import Database
    from gateway.schema import MIGRATIONS

    database_url = _database_url(args, policy)
    if database_url:
        from gateway.storage.postgres import postgres_engine

        return Database(postgres_engine(database_url), MIGRATIONS)
    private_umask()  # a new -wal or -shm file is the gateway's alone, as the database is
    return Database(_database_file(args.data_dir), MIGRATIONS)


def _storage_arguments(command: argparse.ArgumentParser, *, policy: bool = True) -> None:
    """Where a command finds the database: the policy's [storage] (or --database-url), else --data-dir."""
    if policy:
        command.add_argument("--policy", default=str(DEFAULT_POLICY), help="policy file: its [storage] database_url")
    command.add_argument("--data-dir", default="data", help="the gateway's data directory (the SQLite database)")
    command.add_argument("--database-url", default=None,
                         help="a PostgreSQL database (postgresql://...); overrides the policy's [storage] database_url")


def cmd_db(args: argparse.Namespace) -> int:
    """What is in the database, without changing it (safe while the gateway runs): tables with their row counts and
    columns (`--schema`: their CREATE statements and indexes), and which migrations are applied or pending."""
    from gateway.inspection import format_inspection, inspect, inspect_postgres
    from gateway.schema import MIGRATIONS

    database_url = _database_url(args)
    inspection = (inspect_postgres(database_url, MIGRATIONS) if database_url
                  else inspect(_database_file(args.data_dir), MIGRATIONS))
    if args.json:
        print(json.dumps(inspection.to_dict(), indent=2))
    else:
        print(format_inspection(inspection, schema=args.schema))
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    """Delete what the policy's [retention] says has expired, now; the running gateway does the same every
    purge_interval_s. Safe to run while it runs."""
    import asyncio

    from gateway import keys
    from gateway.retention import purge
    from policies.retention import CATEGORIES
    from replay.batching import batching_for
    from replay.compression import Compressor
    from replay.store import ReplayStore

    policy = _load(args.policy)
    db = _open_database(args, policy)
    try:
        progress = Progress(len(CATEGORIES), "purging")
        seen: dict[str, int] = {}

        def on_batch(category: str, n: int) -> None:
            seen[category] = seen.get(category, 0) + n
            if n == 0:
                progress.step(f"{category}: {seen[category]}")

        store = ReplayStore(db, Compressor(policy.replay.compression_level),
                            keys.replay_keys(policy, Path(args.data_dir)), batching=batching_for(policy.replay.storage))
        purged = asyncio.run(purge(db, policy.retention, store, progress=on_batch))
        if args.vacuum:
            print("vacuuming (rewrites the file; the gateway waits meanwhile)...", file=sys.stderr)
            db.write_outside("VACUUM")
    finally:
        db.close()
    print("purged: " + ", ".join(f"{k} {v}" for k, v in purged.items()))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    """A consistent copy of the database, its key files and the recordings' objects while the gateway runs
    (gateway.backup)."""
    from gateway.backup import backup

    print(f"backing up {args.data_dir} to {args.dest}...", file=sys.stderr, flush=True)
    done = _with_object_store(args.policy, lambda objects: backup(Path(args.data_dir), Path(args.dest), objects))
    keys = ", ".join(key.name for key in done.keys) or "no key files (the policy's [privacy] hash_key is the key)"
    copied = f", {done.objects} recording object(s)" if done.objects else ""
    print(f"backed up {done.database} ({done.bytes / 1e6:.1f} MB, checked){copied} and {keys}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """A backup into a data directory with no database, its objects into the policy's bucket (gateway.backup)."""
    from gateway.backup import restore

    done = _with_object_store(args.policy, lambda objects: restore(Path(args.backup), Path(args.data_dir), objects))
    print(f"restored {done.database} (checked) and {done.objects} recording object(s): start the gateway")
    return 0


def _with_object_store(policy_path: str | None, work: Callable[[ObjectStore | None], T]) -> T:
    """`work` with the policy's object store (closed after), a BackupError as the command's message."""
    from gateway.backup import BackupError

    objects = _object_store(policy_path)
    try:
        return work(objects)
    except BackupError as error:
        raise SystemExit(f"privacy-gateway: {error}") from None
    finally:
        if objects is not None:
            objects.close()


def _object_store(policy_path: str | None) -> ObjectStore | None:
    """The recordings' object store the policy configures, checked; None without a policy or for the database."""
    from replay.batching import batching_for
    from replay.objects import ObjectStoreUnavailable

    batching = batching_for(_load(policy_path).replay.storage) if policy_path else None
    if batching is None:
        return None
    try:
        batching.objects.check()
    except ObjectStoreUnavailable as error:
        raise SystemExit(f"privacy-gateway: the recordings' object store: {error}") from None
    return batching.objects


def _api(args: argparse.Namespace, method: str, path: str, body: object = None) -> object:
    import httpx

    token = args.token or os.environ.get("GATEWAY_TOKEN")
    if not token:
        raise SystemExit("privacy-gateway: give --token or set GATEWAY_TOKEN (a compliance or admin token)")
    response = httpx.request(method, args.url.rstrip("/") + path, json=body, timeout=30,
                             headers={"Authorization": f"Bearer {token}"})
    if response.status_code >= 400:
        raise SystemExit(f"privacy-gateway: {response.status_code}: {response.text}")
    return response.json()


def cmd_deletion_request(args: argparse.Namespace) -> int:
    """File a deletion request through the running gateway's API (the CLI is a client of the same API)."""
    identifiers = {kind: values for kind, values in (("userId", args.user_id), ("anonymousId", args.anonymous_id),
                                                     ("email", args.email)) if values}
    if not identifiers:
        raise SystemExit("privacy-gateway: give at least one --user-id, --anonymous-id or --email")
    answer = _api(args, "POST", "/admin/v1/privacy/deletions",
                  {"identifiers": identifiers, "reason": args.reason, "destinations": args.destinations or "all"})
    print(json.dumps(answer, indent=2))
    return 0


def cmd_deletion_status(args: argparse.Namespace) -> int:
    print(json.dumps(_api(args, "GET", f"/admin/v1/privacy/deletions/{args.id}"), indent=2))
    return 0


def _dead_letter_selection(args: argparse.Namespace) -> dict[str, object]:
    if args.id:
        return {"ids": args.id}
    return {"destination": args.destination} if args.destination else {"all": True}


def cmd_dead_letters_list(args: argparse.Namespace) -> int:
    """The newest dead letters (without their events), through the running gateway's admin API."""
    from datetime import UTC, datetime
    from urllib.parse import urlencode

    query = {k: v for k, v in (("destination", args.destination), ("source", args.source),
                               ("limit", str(args.limit))) if v}
    answer = _api(args, "GET", "/admin/v1/dead-letters?" + urlencode(query))
    assert isinstance(answer, dict)
    if args.json:
        print(json.dumps(answer, indent=2))
        return 0
    counts = answer["counts"]
    print("dead letters: " + (", ".join(f"{name} {n}" for name, n in sorted(counts.items())) or "none"))
    for item in answer["dead_letters"]:
        failed = datetime.fromtimestamp(item["failed_at"], UTC).strftime("%Y-%m-%d %H:%M:%S")
        print(f"{item['id']:>8}  {failed}  {item['destination']:<16} {item['status'] or '-':>4}  "
              f"{item['message_id']:<36}  {item['reason']}")
    return 0


def cmd_dead_letters_show(args: argparse.Namespace) -> int:
    print(json.dumps(_api(args, "GET", f"/admin/v1/dead-letters/{args.id}"), indent=2))
    return 0


def cmd_dead_letters_redrive(args: argparse.Namespace) -> int:
    answer = _api(args, "POST", "/admin/v1/dead-letters/redrive", _dead_letter_selection(args))
    print(json.dumps(answer, indent=2))
    return 0


def cmd_dead_letters_purge(args: argparse.Namespace) -> int:
    answer = _api(args, "POST", "/admin/v1/dead-letters/purge", _dead_letter_selection(args))
    print(json.dumps(answer, indent=2))
    return 0


def _add_dead_letters(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    dead = commands.add_parser("dead-letters", help="what destinations refused for good: list, show, redrive, purge "
                                                    "(through the running gateway's admin API)")
    actions = dead.add_subparsers(dest="dead_letters_command", required=True)
    for name, func, what in (("list", cmd_dead_letters_list, "the newest, without their events"),
                             ("show", cmd_dead_letters_show, "one, with its event and the vendor's reply (audited)"),
                             ("redrive", cmd_dead_letters_redrive, "send them again (to the end of the queue)"),
                             ("purge", cmd_dead_letters_purge, "delete them")):
        command = actions.add_parser(name, help=what)
        command.add_argument("--url", default="http://127.0.0.1:8080")
        command.add_argument("--token", help="an admin token (default: $GATEWAY_TOKEN)")
        command.set_defaults(func=func)
        if name == "list":
            command.add_argument("--destination")
            command.add_argument("--source")
            command.add_argument("--limit", type=int, default=50)
            command.add_argument("--json", action="store_true", help="the API's answer as it is")
        elif name == "show":
            command.add_argument("id", type=int)
        else:
            which = command.add_mutually_exclusive_group(required=True)
            which.add_argument("--id", type=int, action="append", help="a dead letter's id (repeat for more)")
            which.add_argument("--destination", help="every dead letter of this destination")
            which.add_argument("--all", action="store_true", help="every dead letter")


def cmd_scrub(args: argparse.Namespace) -> int:
    """Dry run: the ingest body on stdin goes through the gateway's own decode, pipeline (consent, scrubbing, routing)
    and encoders, and what each destination would receive is printed: a `# destination URL` line, then the body. With
    `--payload`, the JSON on stdin is only scrubbed as the policy's [pii] says (findings on stderr). What the machine
    refuses (a directory that cannot be written, no usable temporary directory) is said in one line, not a traceback."""
    try:
        return _scrub_payload(args) if args.payload else _dry_run(args)
    except OSError as error:
        raise SystemExit(f"privacy-gateway scrub: {error}") from None


def _dry_run(args: argparse.Namespace) -> int:
    from gateway.dry_run import destination_requests

    policy = _load(args.policy)
    data_dir = Path(args.data_dir) if args.data_dir else None
    for request in destination_requests(policy, sys.stdin.buffer.read(), args.protocol, data_dir, args.client_ip):
        sys.stdout.write(f"# {request.destination} {request.url}\n")
        sys.stdout.buffer.write(request.body + b"\n")
    return 0


def _scrub_payload(args: argparse.Namespace) -> int:
    """The payload on stdin scrubbed as the policy's [pii] says, on stdout; the findings table on stderr. A batch
    (`{"batch": [...]}`) or an array is scrubbed event by event, so paths like `properties.email` mean what they mean
    at ingest."""
    import orjson

    from gateway import keys
    from gateway.dry_run import scrubber_home
    from policies.pii import Findings, Scrubber, format_findings

    policy = _load(args.policy)
    # Without a configured key the hashes differ from the gateway's (its key is in its data directory): fine for a
    # dry run, which shows what is found and done, not the exact hash values.
    secret = policy.privacy.hash_key.encode() or os.urandom(32)
    home = scrubber_home(Path(args.data_dir) if args.data_dir else None)
    scrubber = Scrubber(policy.pii, keys.derive(secret, "pii"), home)
    try:
        payload = orjson.loads(sys.stdin.buffer.read())
    except orjson.JSONDecodeError as exc:
        raise SystemExit(f"privacy-gateway: stdin is not JSON: {exc}") from None
    total = Findings()

    def scrub(value: object) -> object:
        nonlocal total
        result, found = scrubber.scrub_value(value)
        total += found
        return result

    scrubbed: object
    if isinstance(payload, dict) and isinstance(payload.get("batch"), list):
        scrubbed = {**payload, "batch": [scrub(item) for item in payload["batch"]]}
    elif isinstance(payload, list):
        scrubbed = [scrub(item) for item in payload]
    else:
        scrubbed = scrub(payload)
    sys.stdout.write(orjson.dumps(scrubbed, option=orjson.OPT_INDENT_2).decode() + "\n")
    print(format_findings(total), file=sys.stderr)
    return 0


def _catalog_events(args: argparse.Namespace) -> list[dict[str, object]]:
    from gateway.catalog import read_catalog

    source = args.source
    db = _open_database(args)
    try:
        events = db.read_sync(lambda c: read_catalog(c, source))
    finally:
        db.close()
    if not events:
        raise SystemExit(f"privacy-gateway: the catalog has no events of source {source!r} yet: send traffic "
                         "through the gateway first (it writes the catalog every [catalog] flush_interval_s)")
    return events


def cmd_plan_infer(args: argparse.Namespace) -> int:
    """A draft tracking plan from the event catalog, written to --out (or stdout)."""
    from gateway.catalog import MAX_NAMES, OTHER_NAMES
    from policies.plans.infer import infer_plan

    events = _catalog_events(args)
    named = [event for event in events if event["name"] != OTHER_NAMES]
    if len(named) < len(events):
        print(f"the source sent more than {MAX_NAMES} event names: those past the catalog's limit (counted as "
              f"{OTHER_NAMES!r}) are not in the draft", file=sys.stderr)
    plan = infer_plan(args.source, named)
    text = json.dumps(plan, indent=2) + "\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote a draft plan of {len(plan['events'])} events to {args.out}; review it, then name it in the "
              f"source's tracking_plan", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_plan_diff(args: argparse.Namespace) -> int:
    """The source's tracking plan (or --plan FILE) against the event catalog; exit 1 when they differ."""
    from policies.plans.diff import diff_plan
    from policies.plans.file import load_plan

    if args.plan:
        plan = load_plan(Path(args.plan))
    else:
        source = _load(args.policy).source_for_name(args.source)
        if source is None or source.tracking_plan is None:
            raise SystemExit(f"privacy-gateway: source {args.source!r} has no tracking_plan in {args.policy}")
        plan = source.tracking_plan
    differences = diff_plan(plan, _catalog_events(args))
    if args.json:
        print(json.dumps([d.__dict__ for d in differences], indent=2))
    else:
        print("\n".join(map(str, differences)) or f"{plan.path}: traffic keeps to the plan")
    return 1 if differences else 0


def _read_text(path: str, what: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SystemExit(f"privacy-gateway: cannot read the {what} {path}: {error}") from None


def _public_key(path: str) -> PublicKey:
    from gateway.keys import read_public_key

    try:
        return read_public_key(_read_text(path, "public key"))
    except ValueError as error:
        raise SystemExit(f"privacy-gateway: {path}: {error}") from None


def cmd_receipt_verify(args: argparse.Namespace) -> int:
    """Check a deletion receipt with nothing but the gateway's public key (from GET
    /.well-known/privacy-gateway/receipt-key, as PEM or that JSON): no network, no data directory."""
    import orjson

    from gateway import signed_documents

    key = _public_key(args.public_key)
    try:
        receipt = orjson.loads(_read_text(args.file, "receipt"))
    except orjson.JSONDecodeError as error:
        print(f"INVALID: {args.file} is not JSON: {error}")
        return 1
    checked = signed_documents.check(receipt, key)
    if not checked.ok:
        print(f"INVALID: {args.file}: {checked.problem}")
        return 1
    stores = ", ".join(f"{name} {n}" for name, n in receipt.get("stores", {}).items())
    print(f"valid: {args.file} is signed by key {key.key_id}")
    print(f"  deletion {receipt.get('deletion_id')}: {receipt.get('status')}; deleted: {stores}")
    for name, call in receipt.get("destinations", {}).items():
        print(f"  {name}: {call.get('status')}" + (f" (job {call['job_id']})" if call.get("job_id") else ""))
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Hold the audit log against signed checkpoints (a sink's file or a copy of the journal's lines). Reads the
    database read-only; the chain's key comes from the policy's [privacy] hash_key or the data directory."""
    from gateway import audit_checkpoints, keys

    policy = _load(args.policy)
    data_dir = Path(args.data_dir)
    database_url = _database_url(args, policy)
    if not database_url:
        _database_file(args.data_dir)  # named before anything else is asked of the operator
    if not policy.privacy.hash_key and not (data_dir / keys.KEY_FILE).exists():
        raise SystemExit(f"privacy-gateway: no [privacy] hash_key and no {data_dir / keys.KEY_FILE}: the audit "
                         "chain's key is needed to recompute it")
    if args.public_key:
        public = _public_key(args.public_key)
    elif keys.signing_key_path(policy, data_dir).exists():
        public = keys.load_signing_key(policy, data_dir).public
        print(f"(checking signatures with the gateway's own key {public.key_id}: give --public-key to check with "
              "the published one)", file=sys.stderr)
    else:
        raise SystemExit("privacy-gateway: give --public-key (the gateway's signing key is not found here)")
    checkpoints = audit_checkpoints.read_checkpoints(_read_text(args.checkpoint, "checkpoint file"))
    audit_key = keys.derive(keys.load_secret(policy, data_dir), "audit")
    if database_url:
        from gateway.storage.postgres import connect as connect_postgres

        conn: Any = connect_postgres(database_url, readonly=True)
    else:
        from gateway.storage.sqlite import connect

        conn = connect(_database_file(args.data_dir), readonly=True)
    try:
        report = audit_checkpoints.verify(conn, audit_key, checkpoints, public)
    finally:
        conn.close()
    for line in report.lines:
        print(line)
    print("audit log verified against the checkpoints" if report.ok else "AUDIT LOG DOES NOT VERIFY")
    return 0 if report.ok else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="privacy-gateway", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the gateway")
    serve.add_argument("--policy", default=str(DEFAULT_POLICY), help="policy file (TOML); default: the embedded one")
    serve.add_argument("--data-dir", default="data", help="where the database lives (created if missing)")
    serve.add_argument("--database-url", default=None,
                       help="a PostgreSQL database (postgresql://...) instead of SQLite in the data directory; "
                            "overrides the policy's [storage] database_url")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--log-format", choices=logs.FORMATS, default="text",
                       help="text lines, or one JSON object per line for a log collector (default: text)")
    serve.add_argument("--log-level", choices=logs.LEVELS, default="info",
                       help="the least severe lines written; debug adds a line per request (default: info)")
    # A listening socket handed over by tests.
    serve.add_argument("--fd", type=int, default=None, help=argparse.SUPPRESS)
    serve.set_defaults(func=cmd_serve)

    check = commands.add_parser("check", help="validate a policy file")
    check.add_argument("--policy", default=str(DEFAULT_POLICY))
    check.set_defaults(func=cmd_check)

    replay = commands.add_parser("replay", help="session replay tasks")
    replay_commands = replay.add_subparsers(dest="replay_command", required=True)
    analyze = replay_commands.add_parser("analyze", help="detect frustration signals in stored sessions")
    which = analyze.add_mutually_exclusive_group(required=True)
    which.add_argument("--session", help="one session id")
    which.add_argument("--all", action="store_true", help="every stored session")
    _storage_arguments(analyze)
    analyze.set_defaults(func=cmd_replay_analyze)
    rotate = replay_commands.add_parser(
        "rotate-master-key", help="wrap every recording's data key under a new master key (gateway stopped)")
    rotate.add_argument("new_key_file", help="the new master key: a file of 64 hex characters (openssl rand -hex 32)")
    _storage_arguments(rotate)
    rotate.set_defaults(func=cmd_replay_rotate_master_key)

    scrub = commands.add_parser("scrub", help="dry run: what each destination would receive for the body on stdin")
    scrub.add_argument("--policy", default=str(DEFAULT_POLICY))
    scrub.add_argument("--protocol", choices=["segment", "amplitude", "mixpanel", "posthog"],
                       help="the body's vendor format (default: told from the body)")
    scrub.add_argument("--data-dir", help="the gateway's data directory: its key file gives the gateway's hashes")
    scrub.add_argument("--client-ip", help="the sender's address, for vendors that record it")
    scrub.add_argument("--payload", action="store_true",
                       help="only scrub the JSON on stdin as [pii] says (no decoding, consent or routing)")
    scrub.set_defaults(func=cmd_scrub)

    purge = commands.add_parser("purge", help="delete what the retention policy says has expired")
    _storage_arguments(purge)
    purge.add_argument("--vacuum", action="store_true", help="also rewrite the database file (reclaims space)")
    purge.set_defaults(func=cmd_purge)

    db = commands.add_parser("db", help="show the database: tables, row counts, schema, migrations (read-only)")
    _storage_arguments(db)
    db.add_argument("--schema", action="store_true", help="also each table's CREATE statement and indexes")
    db.add_argument("--json", action="store_true", help="as JSON, for scripts")
    db.set_defaults(func=cmd_db)

    migrate = commands.add_parser("migrate", help="apply pending schema steps to the database (also done at start)")
    migrate.add_argument("--policy", default=str(DEFAULT_POLICY), help="policy file: its [storage] database_url")
    migrate.add_argument("--data-dir", default="data", help="the SQLite database's data directory")
    migrate.add_argument("--database-url", default=None, help="a PostgreSQL database (postgresql://...)")
    migrate.set_defaults(func=cmd_migrate)

    backup = commands.add_parser("backup", help="copy the database, its keys and recordings' objects while the "
                                                "gateway runs")
    backup.add_argument("dest", help="a new directory for the copy")
    backup.add_argument("--data-dir", default="data")
    backup.add_argument("--policy", default=None,
                        help="policy file: its [replay.storage], where recordings' objects are")
    backup.set_defaults(func=cmd_backup)

    restore = commands.add_parser("restore", help="a backup into a data directory with no database, its recordings' "
                                                  "objects into the policy's bucket")
    restore.add_argument("backup", help="the backup's directory")
    restore.add_argument("--data-dir", default="data")
    restore.add_argument("--policy", default=None, help="policy file: its [replay.storage], where to put the objects")
    restore.set_defaults(func=cmd_restore)

    deletion = commands.add_parser("deletion", help="deletion requests, through the running gateway's admin API")
    deletion_commands = deletion.add_subparsers(dest="deletion_command", required=True)
    for name, func in (("request", cmd_deletion_request), ("status", cmd_deletion_status)):
        command = deletion_commands.add_parser(name)
        command.add_argument("--url", default="http://127.0.0.1:8080")
        command.add_argument("--token", help="a compliance token (default: $GATEWAY_TOKEN)")
        command.set_defaults(func=func)
        if name == "request":
            command.add_argument("--user-id", action="append", default=[])
            command.add_argument("--anonymous-id", action="append", default=[])
            command.add_argument("--email", action="append", default=[])
            command.add_argument("--reason", default="")
            command.add_argument("--destinations", nargs="*", help="destination names (default: all)")
        else:
            command.add_argument("id")

    plan = commands.add_parser("plan", help="tracking plans: infer a draft from traffic, diff a plan with traffic")
    plan_commands = plan.add_subparsers(dest="plan_command", required=True)
    infer = plan_commands.add_parser("infer", help="write a draft tracking plan from the event catalog")
    infer.add_argument("--out", help="file to write (default: stdout)")
    infer.set_defaults(func=cmd_plan_infer)
    diff = plan_commands.add_parser("diff", help="compare a tracking plan with what traffic does (exit 1 if differ)")
    diff.add_argument("--plan", help="a plan file (default: the source's tracking_plan in --policy)")
    diff.add_argument("--json", action="store_true")
    diff.set_defaults(func=cmd_plan_diff)
    for command in (infer, diff):
        command.add_argument("--source", required=True, help="the source whose traffic to read")
        _storage_arguments(command)
    _add_dead_letters(commands)

    receipt = commands.add_parser("receipt", help="deletion receipts")
    receipt_commands = receipt.add_subparsers(dest="receipt_command", required=True)
    verify_receipt = receipt_commands.add_parser("verify", help="check a receipt's signature offline")
    verify_receipt.add_argument("file", help="the receipt (JSON, as downloaded)")
    verify_receipt.add_argument("--public-key", required=True,
                                help="the gateway's public key: PEM, or the JSON of /.well-known/privacy-gateway/"
                                     "receipt-key, saved to a file")
    verify_receipt.set_defaults(func=cmd_receipt_verify)

    audit = commands.add_parser("audit", help="the audit log")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    verify_audit = audit_commands.add_parser("verify", help="hold the audit log against its signed checkpoints")
    verify_audit.add_argument("--checkpoint", required=True, help="checkpoints: the sink's file, or journal lines")
    verify_audit.add_argument("--public-key", help="the published public key (default: the gateway's own key)")
    _storage_arguments(verify_audit)
    verify_audit.set_defaults(func=cmd_audit_verify)

    access_cli.add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except PolicyError as error:
        print(f"privacy-gateway: bad policy: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

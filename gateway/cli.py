"""The `privacy-gateway` command (also `python -m gateway`).

    privacy-gateway serve --policy policies/default.toml --data-dir data --host 127.0.0.1 --port 8080
    privacy-gateway check --policy site.toml          # validate a policy file and say what it configures
    privacy-gateway token --role admin --name ops     # make an access token and the policy lines that admit it
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from gateway.access import digest, new_token
from gateway.protocols import DESTINATION_PROTOCOLS, check_credentials
from policies.loader import DEFAULT_POLICY, PolicyError, load_policy
from policies.policy import ROLES, Policy


def _load(path: str) -> Policy:
    policy = load_policy(path, DESTINATION_PROTOCOLS)
    check_credentials(policy)
    return policy


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from gateway.app import create_app

    policy = _load(args.policy)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(policy, Path(args.data_dir))
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        fd=args.fd,
        log_level="info",
        access_log=False,  # request lines carry query strings, which can carry identifiers
        timeout_graceful_shutdown=10,
    )
    uvicorn.Server(config).run()
    return 0


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


def cmd_token(args: argparse.Namespace) -> int:
    token = new_token()
    print(f"token (give it to {args.name}; it is not stored anywhere): {token}", file=sys.stderr)
    print(f'[[access.tokens]]\nname = "{args.name}"\nrole = "{args.role}"\nsha256 = "{digest(token)}"')
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="privacy-gateway", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the gateway")
    serve.add_argument("--policy", default=str(DEFAULT_POLICY), help="policy file (TOML); default: the embedded one")
    serve.add_argument("--data-dir", default="data", help="where the database lives (created if missing)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--fd", type=int, default=None, help=argparse.SUPPRESS)  # a listening socket handed over by tests
    serve.set_defaults(func=cmd_serve)

    check = commands.add_parser("check", help="validate a policy file")
    check.add_argument("--policy", default=str(DEFAULT_POLICY))
    check.set_defaults(func=cmd_check)

    token = commands.add_parser("token", help="make an admin API token and print its policy entry")
    token.add_argument("--role", choices=ROLES, required=True)
    token.add_argument("--name", required=True)
    token.set_defaults(func=cmd_token)
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

"""`privacy-gateway scrub`: what each destination would receive for one ingest body, by the gateway's own code.

The body goes the way a request goes (gateway/ingest.py): parsed once, the codecs' router chooses who takes it on the
protocol's path, the codec decodes it, the write key names the source, the pipeline runs its steps (subjects,
suppression, links, consent, scrub, route; state in a throw-away database, as a gateway's first request finds it),
and each destination's codec builds the request its sender would POST. Nothing is stored or sent.

Hashes and pseudonyms are the gateway's when the policy has `[privacy] hash_key` or the gateway's data directory is
given (its key file); otherwise a random key is used, and the command says so.

The local sink (`protocol = "sink"`, the default policy's destination) sends nothing: what it would keep is printed as
it keeps it, one event per line (GET /admin/v1/sink).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from starlette.datastructures import Headers

from gateway import keys
from gateway.consent_ledger import ConsentLedger
from gateway.database import Database
from gateway.identity import Identity
from gateway.pipeline import Pipeline
from gateway.protocols import PROTOCOLS, segment
from gateway.protocols.codec import Codec, EndpointKind, Inbound, ProtocolError, read_json
from gateway.protocols.router import ServedPath, served_paths
from gateway.schema import DATABASE_FILE, MIGRATIONS
from gateway.suppression import Suppression
from policies.loader import LOCAL_SINK
from policies.pii.engine import BLANK_MODEL_DIR
from policies.pii.scrubber import Scrubber
from policies.policy import Policy

# The path each vendor's server SDK posts a batch to: where the body is taken as that vendor's.
# The `# destination URL` line of a local sink, which keeps what it is given instead of sending it.
SINK_URL = "(kept by the gateway: GET /admin/v1/sink)"
PATHS = {"segment": "/v1/batch", "amplitude": "/2/httpapi", "mixpanel": "/track", "posthog": "/batch/"}


@dataclass(frozen=True)
class Outbound:
    destination: str
    url: str
    body: bytes


def sniff(body: object) -> str:
    """The protocol a JSON body is written in, from the keys its SDKs send."""
    if isinstance(body, dict):
        if "api_key" in body and "events" in body:
            return "amplitude"
        if "writeKey" in body or "messageId" in body or (isinstance(body.get("batch"), list) and "api_key" not in body):
            return "segment"
        if {"api_key", "token", "distinct_id", "batch"} & set(body):
            return "posthog"
    items = body if isinstance(body, list) else [body]
    first = items[0] if items and isinstance(items[0], dict) else {}
    properties = first.get("properties")
    if isinstance(properties, dict) and "token" in properties:
        return "mixpanel"
    if "distinct_id" in first or "$token" in (properties or {}):
        return "posthog"
    raise SystemExit("privacy-gateway scrub: cannot tell the body's protocol; give --protocol "
                     "segment|amplitude|mixpanel|posthog")


def _served(path: str) -> ServedPath:
    return next(p for p in served_paths(PROTOCOLS.values()) if p.route.path == path)


def scrubber_home(data_dir: Path | None) -> Path | None:
    """Where a CLI run's scrubber keeps its compiled pattern databases and blank spaCy pipeline between runs (compiling
    them again costs about 10 s of CPU a run): the gateway's data directory when given, where the gateway made them,
    else the user's cache directory (`$XDG_CACHE_HOME/privacy-gateway`, by default `~/.cache/privacy-gateway`). Only
    derived files go there, safe to delete; nothing of the scrubbed body. None (the scrubber's own temporary directory,
    compiled again each run) when that directory cannot be written and holds no pipeline yet: a dry run needs nothing
    kept, so a read-only place only costs time, and the command says so."""
    if data_dir is not None and data_dir.exists() and not data_dir.is_dir():
        raise SystemExit(f"privacy-gateway scrub: --data-dir {data_dir} is a file, not a directory: give the gateway's "
                         "data directory (the one that holds its database and key file)")
    home = data_dir if data_dir is not None else (
        Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "privacy-gateway")
    if (home / BLANK_MODEL_DIR / "config.cfg").exists():
        return home  # made before: read from there (pattern databases that cannot be saved are only compiled again)
    try:
        home.mkdir(parents=True, exist_ok=True)
        # What the scrubber does there first (engine.blank_model): a directory made and removed, not a permission
        # bit read (root, ACLs and read-only mounts answer differently).
        tempfile.TemporaryDirectory(dir=home).cleanup()
    except OSError as error:
        print(f"privacy-gateway scrub: cannot write {home} ({error.strerror or error}): compiling the patterns in a "
              "temporary directory, about 10 s a run", file=sys.stderr)
        return None
    return home


def _codec_of(protocol: str) -> Codec:
    return segment.CODEC if protocol == LOCAL_SINK else PROTOCOLS[protocol]


def _secret(policy: Policy, data_dir: Path | None) -> bytes:
    if policy.privacy.hash_key or (data_dir is not None and (data_dir / keys.KEY_FILE).exists()):
        try:
            return keys.load_secret(policy, data_dir or Path("."))
        except OSError as error:  # a key file this user may not read: the gateway's hashes cannot be shown
            raise SystemExit(f"privacy-gateway scrub: cannot read the gateway's key file ({error}): run as the "
                             "gateway's user, or without --data-dir for hashes under a random key") from None
    print("privacy-gateway scrub: no [privacy] hash_key and no --data-dir key file: hashes use a random key and "
          "differ from the gateway's", file=sys.stderr)
    return os.urandom(32)


def destination_requests(policy: Policy, body: bytes, protocol: str | None, data_dir: Path | None,
                         client_ip: str | None = None) -> list[Outbound]:
    """What each destination would receive for `body` (one request per destination and endpoint kind)."""
    parsed = read_json(body)
    served = _served(PATHS[protocol or sniff(parsed.value)])
    inbound = Inbound(served.route.kind, "POST", {}, Headers({"content-type": "application/json"}), body, client_ip,
                      parsed)
    codec, inbound = served.choose(inbound)
    home = scrubber_home(data_dir)
    secret = _secret(policy, data_dir)
    enabled = policy.enabled_destinations
    with tempfile.TemporaryDirectory(prefix="privacy-gateway-scrub-") as tmp:
        db = Database(Path(tmp) / DATABASE_FILE, MIGRATIONS)
        try:
            decoded = codec.decode(inbound)
            source = policy.source_for_key(decoded.write_key) if decoded.write_key else None
            if source is None:
                raise SystemExit("privacy-gateway scrub: the body's write key names no source of the policy")
            scrubber = Scrubber(policy.pii, keys.derive(secret, "pii"), home)
            pipeline = Pipeline(policy, {d.name: _codec_of(d.protocol).outbox_encoder() for d in enabled},
                                Identity(keys.derive(secret, "identity")), Suppression(db), ConsentLedger(db),
                                keys.derive(secret, "consent-pseudonym"), scrubber)
            processed = pipeline.process(source, decoded.events, inbound.headers, inbound.query)
        except ProtocolError as error:
            raise SystemExit(f"privacy-gateway scrub: the gateway would refuse this body: {error}") from None
        finally:
            db.close()
    bodies: dict[str, dict[EndpointKind, list[bytes]]] = defaultdict(lambda: defaultdict(list))
    for delivery in processed.deliveries:
        encoded, kind = delivery.encoded
        bodies[delivery.destination][kind].append(encoded)
    out = []
    for destination in enabled:
        for kind, items in bodies.get(destination.name, {}).items():
            if destination.protocol == LOCAL_SINK:
                out.append(Outbound(destination.name, SINK_URL, b"\n".join(items)))
                continue
            request = _codec_of(destination.protocol).build_batch(items, destination, kind)
            out.append(Outbound(destination.name, request.url, request.body))
    return out

"""The `[replay]` section of the policy: limits, privacy and storage of session recordings.

    [replay]
    enabled = true
    max_request_bytes = 26214400      # 25 MB, PostHog's limit for recordings
    max_event_bytes = 8388608         # one rrweb event (a full snapshot of a large page is several MB)
    max_inflate_ratio = 200           # a gzip body that expands more than this is a bomb, refused
    unmasked_inputs = ["input[name=q]", "#search", "[data-testid=quantity]"]  # kept as typed; other inputs masked
    compression_level = 3             # zstd; with a trained dictionary, 3 stores ~10 % more than 6 at 4x the speed
    dictionary_bytes = 112640         # largest per-source zstd dictionary (zstd's default; less while samples are few)
    train_after_chunks = 50           # chunks a source sends before its first dictionary is trained
    retrain_after_chunks = 2000       # chunks after which a new dictionary version is trained
    analyze_after_idle_s = 300        # a session this long without new data is analysed for frustration signals
    analyze_live = true               # also analyse a session as its chunks arrive (signals within seconds)
    analyze_live_delay_s = 1.0        # after a chunk, wait this long for more before analysing (a debounce)

    [replay.detect]                   # frustration-signal thresholds: see policies.detect

    [replay.storage]                  # where chunk bytes go (the session index stays in the database)
    backend = "database"              # or "s3": objects in an S3-compatible store, credentials from the environment
    endpoint = "http://127.0.0.1:8333"  # S3 endpoint URL; empty: AWS's own for the region
    bucket = "recordings"
    region = "us-east-1"
    prefix = "replay/"                # object keys start with this
    batch_bytes = 33554432            # one object takes chunks up to this many bytes of events (~1/8 of it stored)
    linger_s = 0.0                    # how long a chunk may wait for others to share its object (0: while a put runs)
    inline_below = 1048576            # a flush of fewer bytes of events goes in the database, no object (0: never)
    orphan_after_s = 3600             # an object no index row names, older than this, is swept
    sweep_interval_s = 60             # how often emptied objects, erasures and orphans are dealt with
    compact_after_s = 3600            # a session idle this long is made one segment (replay.compaction); 0: off
    compact_level = 19                # zstd level of segments (written in the background, once per session)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from policies.detect import DetectConfig, read_detect
from policies.table import Table

# tag, #id, .class and [attr=value] parts; enough to name a field without a CSS engine.
_SIMPLE_SELECTOR = re.compile(r"^[a-zA-Z][a-zA-Z0-9-]*|#[\w-]+|\.[\w-]+|\[[\w-]+(?:=[^\]]*)?\]")


BACKENDS = ("database", "s3")


@dataclass(frozen=True)
class ReplayStorage:
    """Where the compressed chunks of recordings are kept. The database backend keeps each chunk in the index's own
    transaction; the S3 backend batches the chunks of many sessions into one object, written before the index rows
    that point into it (replay.batching, replay.sweeper)."""

    backend: str = "database"
    endpoint: str = ""
    bucket: str = ""
    region: str = "us-east-1"
    prefix: str = "replay/"
    batch_bytes: int = 32 * 1024 * 1024
    linger_s: float = 0.0
    # A flush of fewer bytes of events than this is written as the database backend writes it (chunk blobs in the
    # index's transaction, no PUT); compaction moves them to objects later. 1 MiB of events is ~90 KB stored (the
    # bench's recordings compress ~12:1): below the 128 KB that S3's infrequent-access classes bill an object at
    # least, and each PUT is billed too. 0: every flush is an object.
    inline_below: int = 1024 * 1024
    orphan_after_s: float = 3600.0
    sweep_interval_s: float = 60.0
    compact_after_s: float = 3600.0
    compact_level: int = 19


@dataclass(frozen=True)
class ReplayPolicy:
    enabled: bool = True
    max_request_bytes: int = 25 * 1024 * 1024
    max_event_bytes: int = 8 * 1024 * 1024
    max_inflate_ratio: float = 200.0
    unmasked_inputs: tuple[str, ...] = ()
    compression_level: int = 3
    dictionary_bytes: int = 112640
    train_after_chunks: int = 50
    retrain_after_chunks: int = 2000
    analyze_after_idle_s: float = 300.0
    analyze_live: bool = True
    analyze_live_delay_s: float = 1.0
    detect: DetectConfig = field(default_factory=DetectConfig)
    storage: ReplayStorage = field(default_factory=ReplayStorage)


def is_simple_selector(text: str) -> bool:
    position = 0
    while position < len(text):
        match = _SIMPLE_SELECTOR.match(text, position)  # `^` only matches at 0: a tag comes first or not at all
        if match is None:
            return False
        position = match.end()
    return bool(text)


def read_replay(table: Table) -> ReplayPolicy:
    d = ReplayPolicy()
    policy = ReplayPolicy(
        enabled=table.boolean("enabled", d.enabled),
        max_request_bytes=table.integer("max_request_bytes", d.max_request_bytes, minimum=1024),
        max_event_bytes=table.integer("max_event_bytes", d.max_event_bytes, minimum=1024),
        max_inflate_ratio=table.number("max_inflate_ratio", d.max_inflate_ratio, minimum=1.0),
        unmasked_inputs=table.strings("unmasked_inputs", d.unmasked_inputs),
        compression_level=table.integer("compression_level", d.compression_level, minimum=1),
        dictionary_bytes=table.integer("dictionary_bytes", d.dictionary_bytes, minimum=1024),
        train_after_chunks=table.integer("train_after_chunks", d.train_after_chunks, minimum=5),
        retrain_after_chunks=table.integer("retrain_after_chunks", d.retrain_after_chunks, minimum=10),
        analyze_after_idle_s=table.number("analyze_after_idle_s", d.analyze_after_idle_s, minimum=0.1),
        analyze_live=table.boolean("analyze_live", d.analyze_live),
        analyze_live_delay_s=table.number("analyze_live_delay_s", d.analyze_live_delay_s, minimum=0.0),
        detect=table.read("detect", read_detect),
        storage=table.read("storage", read_storage),
    )
    for i, selector in enumerate(policy.unmasked_inputs):
        if not is_simple_selector(selector):
            raise table.error(
                f"unmasked_inputs[{i}]", f"not a simple selector (tag#id.class[attr=value]): {selector!r}"
            )
    if policy.compression_level > 22:
        raise table.error("compression_level", "zstd levels go up to 22")
    table.finish()
    return policy


def read_storage(table: Table) -> ReplayStorage:
    d = ReplayStorage()
    storage = ReplayStorage(
        backend=table.string("backend", d.backend, choices=BACKENDS),
        endpoint=table.string("endpoint", d.endpoint),
        bucket=table.string("bucket", d.bucket),
        region=table.string("region", d.region),
        prefix=table.string("prefix", d.prefix),
        batch_bytes=table.integer("batch_bytes", d.batch_bytes, minimum=64 * 1024),
        linger_s=table.number("linger_s", d.linger_s),
        inline_below=table.integer("inline_below", d.inline_below, minimum=0),
        orphan_after_s=table.number("orphan_after_s", d.orphan_after_s, minimum=1.0),
        sweep_interval_s=table.number("sweep_interval_s", d.sweep_interval_s, minimum=0.1),
        compact_after_s=table.number("compact_after_s", d.compact_after_s),
        compact_level=table.integer("compact_level", d.compact_level, minimum=1),
    )
    if storage.compact_level > 22:
        raise table.error("compact_level", "zstd levels go up to 22")
    if storage.inline_below > storage.batch_bytes:
        raise table.error("inline_below", f"more than batch_bytes ({storage.batch_bytes}): no flush would be an object")
    if storage.backend == "s3" and not storage.bucket:
        raise table.error("bucket", "missing: the s3 backend needs a bucket")
    if storage.endpoint and not storage.endpoint.startswith(("http://", "https://")):
        raise table.error("endpoint", f"not an http(s) URL: {storage.endpoint!r}")
    table.finish()
    return storage

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
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from policies.detect import DetectConfig, read_detect
from policies.table import Table

# tag, #id, .class and [attr=value] parts; enough to name a field without a CSS engine.
_SIMPLE_SELECTOR = re.compile(r"^[a-zA-Z][a-zA-Z0-9-]*|#[\w-]+|\.[\w-]+|\[[\w-]+(?:=[^\]]*)?\]")


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

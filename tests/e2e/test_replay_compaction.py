"""Compaction end to end: a gateway process on SeaweedFS (`[replay.storage] backend = "s3"`) rewrites each idle
session as one segment in the background (the segments of one pass in one object), serves its events as before, and
the sweeper removes the batched objects nothing points into any more."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.e2e.test_replay_native import SESSIONS
from tests.e2e.test_replay_objects import (
    bucket_objects,
    indexed_keys,
    post_recordings,
    query,
    s3_env,
    s3_policy,
)
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import GatewayProcess
from tests.support.seaweedfs import S3Bucket, SeaweedFS
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e


def test_idle_sessions_are_compacted_in_the_background_and_read_back_the_same(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess], seaweedfs: SeaweedFS, s3_bucket: S3Bucket
) -> None:
    gateway = start_gateway(s3_policy(vendor, s3_bucket, storage={"compact_after_s": 2.0}), env=s3_env(s3_bucket))
    recordings = [json.loads(path.read_text()) for path in SESSIONS]
    post_recordings(gateway, recordings)
    served = {r["session_id"]: gateway.admin(f"/admin/v1/replay/sessions/{r['session_id']}/events").json()
              for r in recordings}

    def swept() -> bool:
        return (query(gateway, "SELECT count(*) FROM replay_chunks") == [(0,)]
                and query(gateway, "SELECT count(*) FROM replay_objects WHERE chunks <= 0") == [(0,)]
                and set(bucket_objects(seaweedfs, s3_bucket)) == indexed_keys(gateway))

    wait_until(swept, timeout=120, what="every session compacted and the emptied objects swept")

    assert query(gateway, "SELECT count(*) FROM replay_segments") == [(len(recordings),)]
    # Every object left holds segments (those of sessions compacted in one pass share one), nothing else.
    holding = query(gateway, "SELECT DISTINCT o.key FROM replay_segments g JOIN replay_objects o ON o.id = g.object")
    assert set(bucket_objects(seaweedfs, s3_bucket)) == {key for (key,) in holding}
    assert query(gateway, "SELECT sum(chunks) FROM replay_objects") == [(len(recordings),)]
    for session_id, events in served.items():
        assert gateway.admin(f"/admin/v1/replay/sessions/{session_id}/events").json() == events, session_id

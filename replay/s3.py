"""The S3 backend of the chunk objects (`[replay.storage] backend = "s3"`): any S3-compatible store (AWS S3,
SeaweedFS, MinIO, Ceph), through boto3.

boto3 rather than aiobotocore: the calls run on worker threads (the replay store never blocks its event loop on
them), and bench/engines.py measured the two side by side. Credentials come from boto3's usual chain: the
environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), then a shared profile
(`AWS_PROFILE`), then an instance role; never from the policy file. Addressing is path-style, which every
S3-compatible store serves (virtual-host style needs a DNS name per bucket).

Reads come in ranges: the spans of one object that lie close together (a request's chunks, written one after the
other) are fetched in one ranged GET, and the GETs of different objects run in parallel.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from policies.replay import ReplayStorage
from replay.objects import ObjectStoreUnavailable, Span

READERS = 8  # ranged GETs in flight for one read
GAP_BYTES = 64 * 1024  # spans of one object closer than this are fetched together
DELETE_BATCH = 1000  # S3's limit per DeleteObjects call


class S3Objects:
    def __init__(self, storage: ReplayStorage) -> None:
        import boto3  # on use: boto3 takes 0.4 s to import, and the database backend never needs it
        from botocore.config import Config

        self.bucket, self.prefix = storage.bucket, storage.prefix
        config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 5, "mode": "standard"},
                        max_pool_connections=2 * READERS, connect_timeout=10, read_timeout=60)
        self.client: Any = boto3.client("s3", endpoint_url=storage.endpoint or None, region_name=storage.region,
                                        config=config)
        self._readers = ThreadPoolExecutor(READERS, thread_name_prefix="replay-s3-read")

    def check(self) -> None:
        """Raise S3Unavailable, saying why, unless the bucket answers to these credentials."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "?")
            raise ObjectStoreUnavailable(f"bucket {self.bucket!r}: {code}") from None
        except BotoCoreError as error:
            raise ObjectStoreUnavailable(f"bucket {self.bucket!r}: {error}") from None

    def put(self, key: str, data: bytes) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=data)
        except (BotoCoreError, ClientError) as error:
            raise ObjectStoreUnavailable(f"S3 put refused or failed: {type(error).__name__}") from None

    def read(self, spans: Sequence[Span]) -> dict[Span, bytes]:
        runs = _runs(spans)
        found: dict[Span, bytes] = {}
        for run, data in zip(runs, self._readers.map(self._get_range, runs), strict=True):
            if data is None:
                continue  # the object is gone: its chunks were deleted while the index was read
            start = run[0].offset
            for span in run:
                found[span] = data[span.offset - start : span.offset - start + span.length]
        return found

    def _get_range(self, run: list[Span]) -> bytes | None:
        from botocore.exceptions import ClientError

        start, end = run[0].offset, max(span.offset + span.length for span in run)
        try:
            reply = self.client.get_object(Bucket=self.bucket, Key=run[0].key, Range=f"bytes={start}-{end - 1}")
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        data: bytes = reply["Body"].read()
        return data

    def delete(self, keys: Sequence[str]) -> None:
        for start in range(0, len(keys), DELETE_BATCH):
            batch = keys[start : start + DELETE_BATCH]
            reply = self.client.delete_objects(Bucket=self.bucket,
                                               Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True})
            errors = [e for e in reply.get("Errors", []) if e.get("Code") != "NoSuchKey"]
            if errors:
                raise RuntimeError(f"S3 refused to delete {len(errors)} object(s): {errors[0].get('Code')}")

    def listing(self) -> Iterator[tuple[str, float]]:
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", []):
                yield item["Key"], item["LastModified"].timestamp()

    def close(self) -> None:
        self._readers.shutdown(wait=False)
        self.client.close()


def _runs(spans: Sequence[Span]) -> list[list[Span]]:
    """Spans grouped into runs that one ranged GET each can fetch: same object, each within GAP_BYTES of the last."""
    runs: list[list[Span]] = []
    for span in sorted(set(spans), key=lambda s: (s.key, s.offset)):
        last = runs[-1][-1] if runs else None
        if last is not None and last.key == span.key and span.offset <= last.offset + last.length + GAP_BYTES:
            runs[-1].append(span)
        else:
            runs.append([span])
    return runs

"""The S3 backend of the chunk objects (`[replay.storage] backend = "s3"`): any S3-compatible store (AWS S3,
SeaweedFS, MinIO, Ceph), through boto3.

boto3 rather than aiobotocore: the calls run on worker threads (the replay store never blocks its event loop on
them), and bench/engines.py measured the two side by side. Credentials come from boto3's usual chain: the
environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), then a shared profile
(`AWS_PROFILE`), then an instance role; never from the policy file. Addressing is path-style, which every
S3-compatible store serves (virtual-host style needs a DNS name per bucket).

Puts, the one call on the ingest path, skip boto3's request pipeline: the request is signed with botocore's SigV4
signer (the same credentials chain) and sent through a urllib3 pool, which takes half the CPU and half the time of
`put_object` per object (0.84 vs 1.73 ms CPU, 8.5 vs 17 ms wall for 40 KB objects on SeaweedFS, load 9): at low
concurrency a request waits for its object's put, so that time is its latency. Retried on connection errors and 5xx
(the key is new each time, so a repeated put is harmless).

Reads come in ranges: the spans of one object that lie close together (a request's chunks, written one after the
other) are fetched in one ranged GET, and the GETs of different objects run in parallel.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

from policies.replay import ReplayStorage
from replay.objects import ObjectStoreUnavailable, Span

READERS = 8  # ranged GETs in flight for one read
GAP_BYTES = 64 * 1024  # spans of one object closer than this are fetched together
DELETE_BATCH = 1000  # S3's limit per DeleteObjects call
PUT_ATTEMPTS = 5  # as boto3's standard retry mode


class S3Objects:
    def __init__(self, storage: ReplayStorage) -> None:
        import boto3  # on use: boto3 takes 0.4 s to import, and the database backend never needs it
        from botocore.config import Config

        self.bucket, self.prefix = storage.bucket, storage.prefix
        config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 5, "mode": "standard"},
                        max_pool_connections=2 * READERS, connect_timeout=10, read_timeout=60)
        session = boto3.session.Session()
        self.client: Any = session.client("s3", endpoint_url=storage.endpoint or None, region_name=storage.region,
                                          config=config)
        self._readers = ThreadPoolExecutor(READERS, thread_name_prefix="replay-s3-read")
        self._put = SignedPut(self.client, session.get_credentials(), storage)

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
        self._put(key, data)

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
        self._put.close()
        self.client.close()


class SignedPut:
    """PutObject as one SigV4-signed HTTP request (see the module's docstring), to the client's endpoint, path-style."""

    def __init__(self, client: Any, credentials: Any, storage: ReplayStorage) -> None:
        import urllib3
        from botocore.auth import S3SigV4Auth

        self._auth, self._region = S3SigV4Auth, client.meta.region_name
        self._credentials = credentials  # boto3's chain (refreshed when they expire), as the client's
        self._base = f"{client.meta.endpoint_url.rstrip('/')}/{quote(storage.bucket, safe='')}/"
        retries = urllib3.Retry(total=PUT_ATTEMPTS - 1, backoff_factor=0.1, allowed_methods=None,
                                status_forcelist=(500, 502, 503, 504), raise_on_status=False)
        self._pool = urllib3.PoolManager(maxsize=2 * READERS, retries=retries,
                                         timeout=urllib3.Timeout(connect=10, read=60))

    def __call__(self, key: str, data: bytes) -> None:
        import urllib3
        from botocore.awsrequest import AWSRequest

        url = self._base + quote(key, safe="/~")
        request = AWSRequest("PUT", url, data=data, headers={
            "Content-Length": str(len(data)), "x-amz-content-sha256": hashlib.sha256(data).hexdigest()})
        if self._credentials is not None:  # else anonymous, as boto3 would send it
            self._auth(self._credentials.get_frozen_credentials(), "s3", self._region).add_auth(request)
        try:
            reply = self._pool.request("PUT", url, body=data, headers=dict(request.headers.items()))
        except urllib3.exceptions.HTTPError as error:
            raise ObjectStoreUnavailable(f"S3 put failed: {type(error).__name__}") from None
        if reply.status != 200:
            raise ObjectStoreUnavailable(f"S3 put refused: HTTP {reply.status} {_error_code(reply.data)}")

    def close(self) -> None:
        self._pool.clear()


def _error_code(body: bytes) -> str:
    """The <Code> of an S3 error body (never its message, which may quote the request)."""
    start, end = body.find(b"<Code>"), body.find(b"</Code>")
    return body[start + 6 : end].decode(errors="replace") if 0 <= start < end else ""


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

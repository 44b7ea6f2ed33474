"""The S3 backend of the chunk objects (`[replay.storage] backend = "s3"`): any S3-compatible store (AWS S3,
SeaweedFS, MinIO, Ceph), through boto3.

boto3 rather than aiobotocore: the calls run on worker threads (the replay store never blocks its event loop on
them), and bench/engines.py measured the two side by side. Credentials come from boto3's usual chain: the
environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), then a shared profile
(`AWS_PROFILE`), then an instance role; never from the policy file. Addressing is path-style, which every
S3-compatible store serves (virtual-host style needs a DNS name per bucket).

Puts, the one call on the ingest path, skip boto3's request pipeline: the request is signed here (SigV4, the
signing key derived once a day and kept; credentials from the same chain, read at each put so that refreshed ones are
used) and sent on a kept-alive http.client connection of the putting thread: 0.20x the CPU of boto3's `put_object`
and under half its wall time per 20 KB object (bench/s3_put.py), and half the CPU of botocore's signer sending through
urllib3, which this replaced (0.33 vs 0.70 ms, side by side). At low concurrency every request waits for its object's
put, and the put's CPU is taken from the ingest's one core. Retried on connection errors and 5xx (the key is new
each time, so a repeated put is harmless).

Reads come in ranges: the spans of one object that lie close together (a request's chunks, written one after the
other) are fetched in one ranged GET, and the GETs of different objects run in parallel.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote, urlsplit

from policies.replay import ReplayStorage
from replay.objects import ObjectStoreUnavailable, Span

READERS = 8  # ranged GETs in flight for one read
GAP_BYTES = 64 * 1024  # spans of one object closer than this are fetched together
DELETE_BATCH = 1000  # S3's limit per DeleteObjects call
PUT_ATTEMPTS = 5  # as boto3's standard retry mode
PUT_TIMEOUT_S = 60.0  # connect and each read, as the client's read_timeout


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

    def listing(self, start_after: str = "") -> Iterator[tuple[str, float]]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix,
                                                                       StartAfter=start_after)
        for page in pages:
            for item in page.get("Contents", []):
                yield item["Key"], item["LastModified"].timestamp()

    def close(self) -> None:
        self._readers.shutdown(wait=False)
        self._put.close()
        self.client.close()


class SignedPut:
    """PutObject as one SigV4-signed HTTP request (see the module's docstring), to the client's endpoint, path-style,
    on one kept-alive connection per calling thread."""

    def __init__(self, client: Any, credentials: Any, storage: ReplayStorage) -> None:
        endpoint = urlsplit(client.meta.endpoint_url)
        self._https, self._host = endpoint.scheme == "https", endpoint.netloc
        self._hostname, self._port = endpoint.hostname or "", endpoint.port
        self._bucket_path = endpoint.path.rstrip("/") + "/" + quote(storage.bucket, safe="") + "/"
        self._region = client.meta.region_name
        self._credentials = credentials  # boto3's chain (refreshed when they expire), as the client's; None: anonymous
        self._signing_key: tuple[str, str, bytes] = ("", "", b"")  # (day, secret it was derived from, key)
        self._local = threading.local()
        self._connections: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def __call__(self, key: str, data: bytes) -> None:
        path = self._bucket_path + quote(key, safe="/~")
        headers = self._signed(path, hashlib.sha256(data).hexdigest(), len(data))
        for attempt in range(PUT_ATTEMPTS):
            if attempt:
                time.sleep(0.1 * 2 ** (attempt - 1))  # backoff: 0.1, 0.2, 0.4, 0.8 s
            status, body = self._send(path, data, headers)
            if status not in (0, 500, 502, 503, 504):
                break
        if status == 0:
            raise ObjectStoreUnavailable(f"S3 put failed: {body.decode()}")
        if status != 200:
            raise ObjectStoreUnavailable(f"S3 put refused: HTTP {status} {_error_code(body)}")

    def _send(self, path: str, data: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        """(status, body) of one attempt; (0, the error's type name) if the connection failed."""
        connection = self._connection()
        try:
            connection.request("PUT", path, body=data, headers=headers)
            reply = connection.getresponse()
            return reply.status, reply.read()
        except (OSError, http.client.HTTPException) as error:
            connection.close()  # reconnects on the next request
            return 0, type(error).__name__.encode()

    def _signed(self, path: str, payload_sha256: str, length: int) -> dict[str, str]:
        """The request's headers, with its SigV4 Authorization unless the credentials chain found none."""
        now = time.gmtime()
        stamp = time.strftime("%Y%m%dT%H%M%SZ", now)
        headers = {"host": self._host, "x-amz-content-sha256": payload_sha256, "x-amz-date": stamp}
        frozen = self._credentials.get_frozen_credentials() if self._credentials is not None else None
        if frozen is None:
            return {**headers, "content-length": str(length)}
        if frozen.token:
            headers["x-amz-security-token"] = frozen.token
        names = ";".join(sorted(headers))
        canonical = "\n".join(["PUT", path, "", *(f"{name}:{headers[name]}" for name in sorted(headers)), "", names,
                               payload_sha256])
        scope = f"{stamp[:8]}/{self._region}/s3/aws4_request"
        to_sign = "\n".join(["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
        signature = hmac.new(self._key(stamp[:8], frozen.secret_key), to_sign.encode(), hashlib.sha256).hexdigest()
        authorization = f"AWS4-HMAC-SHA256 Credential={frozen.access_key}/{scope}, SignedHeaders={names}, " \
                        f"Signature={signature}"
        return {**headers, "content-length": str(length), "authorization": authorization}

    def _key(self, day: str, secret: str) -> bytes:
        """The day's signing key: four HMACs, the same for every request of that day and secret."""
        if self._signing_key[:2] != (day, secret):
            key = hmac.new(("AWS4" + secret).encode(), day.encode(), hashlib.sha256).digest()
            for part in (self._region, "s3", "aws4_request"):
                key = hmac.new(key, part.encode(), hashlib.sha256).digest()
            self._signing_key = (day, secret, key)
        return self._signing_key[2]

    def _connection(self) -> http.client.HTTPConnection:
        connection: http.client.HTTPConnection | None = getattr(self._local, "connection", None)
        if connection is None:
            kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            connection = kind(self._hostname, self._port, timeout=PUT_TIMEOUT_S)
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

    def close(self) -> None:
        with self._lock:
            for connection in self._connections:
                connection.close()


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

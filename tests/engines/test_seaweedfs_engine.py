"""The SeaweedFS harness gives the object-storage tests a real S3 endpoint: signed requests only, loopback only, and
an object it acknowledged survives a crash of the server."""

from __future__ import annotations

import os
from pathlib import Path

import boto3
import botocore.exceptions
import httpx
import pytest
from botocore.config import Config

from tests.support.seaweedfs import S3Bucket, SeaweedFS
from tests.support.waiting import REQUEST_TIMEOUT_S


def test_a_bucket_takes_an_object_and_serves_it_whole_and_by_range(seaweedfs: SeaweedFS, s3_bucket: S3Bucket) -> None:
    body = os.urandom(1 << 20)
    s3 = seaweedfs.client()
    s3.put_object(Bucket=s3_bucket.name, Key="chunks/0001", Body=body)

    assert s3.get_object(Bucket=s3_bucket.name, Key="chunks/0001")["Body"].read() == body
    ranged = s3.get_object(Bucket=s3_bucket.name, Key="chunks/0001", Range="bytes=4096-10239")
    assert ranged["ContentRange"] == f"bytes 4096-10239/{len(body)}"
    assert ranged["Body"].read() == body[4096:10240]


def test_requests_without_the_credentials_are_refused(seaweedfs: SeaweedFS, s3_bucket: S3Bucket) -> None:
    seaweedfs.client().put_object(Bucket=s3_bucket.name, Key="private", Body=b"recording")
    object_url = f"{s3_bucket.endpoint_url}/{s3_bucket.name}/private"

    assert httpx.get(object_url, timeout=REQUEST_TIMEOUT_S).status_code == 403
    assert httpx.put(object_url, content=b"overwritten", timeout=REQUEST_TIMEOUT_S).status_code == 403
    assert httpx.get(f"{s3_bucket.endpoint_url}/{s3_bucket.name}",
                     timeout=REQUEST_TIMEOUT_S).status_code == 403  # listing
    assert httpx.put(f"{s3_bucket.endpoint_url}/anonymous-bucket", timeout=REQUEST_TIMEOUT_S).status_code == 403

    impostor = boto3.client("s3", endpoint_url=s3_bucket.endpoint_url, region_name=s3_bucket.region,
                            aws_access_key_id=s3_bucket.access_key, aws_secret_access_key="not-the-secret",
                            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 0}))
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        impostor.get_object(Bucket=s3_bucket.name, Key="private")
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert seaweedfs.client().get_object(Bucket=s3_bucket.name, Key="private")["Body"].read() == b"recording"


def test_an_acknowledged_object_survives_a_crash_of_the_server(seaweedfs: SeaweedFS, s3_bucket: S3Bucket) -> None:
    body = os.urandom(300_000)
    seaweedfs.client().put_object(Bucket=s3_bucket.name, Key="flushed", Body=body)

    seaweedfs.kill()  # SIGKILL: nothing flushed or closed on the way out
    seaweedfs.start()

    assert seaweedfs.client().get_object(Bucket=s3_bucket.name, Key="flushed")["Body"].read() == body


def listening_ports(pid: int) -> set[tuple[str, int]]:
    """(address, port) of every TCP socket process `pid` listens on, read from /proc."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd) if fd.is_symlink() else ""
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    found = set()
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and inode in inodes:  # 0A: LISTEN
                address, port = local.rsplit(":", 1)
                found.add((address, int(port, 16)))
    return found


def test_the_server_listens_on_loopback_only_and_only_on_the_ports_it_was_given(seaweedfs: SeaweedFS) -> None:
    assert seaweedfs.process is not None
    listening = listening_ports(seaweedfs.process.pid)

    loopback = "0100007F"  # 127.0.0.1 as /proc/net/tcp writes it
    assert {address for address, _ in listening} == {loopback}
    assert {port for _, port in listening} <= set(seaweedfs.ports.values())
    assert seaweedfs.ports["s3.port"] in {port for _, port in listening}

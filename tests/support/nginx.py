"""Debian's nginx in front of a gateway, as an operator runs it: TLS terminated by nginx (a self-signed certificate made
at test time), the gateway behind it on plain HTTP, X-Forwarded-For and X-Forwarded-Proto set by nginx.

    with NginxProxy(tmp_path, upstream_port=gateway.port) as proxy:
        httpx.get(proxy.url + "/healthz", verify=proxy.certificate)

nginx runs in the foreground as the test's child, with its own configuration, prefix, pid and logs under the test's
directory, on a free loopback port; nothing of the system's nginx is used but the binary (`apt-get install nginx`;
.ci/run installs it). Without the binary the tests that need it skip, and fail under CI.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import shutil
import socket
import ssl
import subprocess
from pathlib import Path
from types import TracebackType

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.waiting import REQUEST_TIMEOUT_S, START_TIMEOUT_S, wait_until

NGINX_PATHS = ("/usr/sbin/nginx", "/usr/local/sbin/nginx")


def nginx_binary() -> str:
    found = shutil.which("nginx") or next((p for p in NGINX_PATHS if os.access(p, os.X_OK)), None)
    if found is None:
        message = "nginx is not installed: apt-get install nginx (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def self_signed(directory: Path, host: str = "127.0.0.1") -> tuple[Path, Path]:
    """A throwaway certificate for `host` and its key, valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "privacy-gateway test")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]),
                       critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


CONFIG = """
daemon off;
master_process on;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_buffer_size 1m;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {certificate};
        ssl_certificate_key {key};
        location / {{
            proxy_pass http://127.0.0.1:{upstream_port};
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


class NginxProxy:
    def __init__(self, directory: Path, upstream_port: int) -> None:
        self.directory = directory / "nginx"
        self.directory.mkdir(parents=True, exist_ok=True)
        self.upstream_port = upstream_port
        self.certificate, self.key = self_signed(self.directory)
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def start(self) -> NginxProxy:
        binary = nginx_binary()
        self.port = free_port()
        config = self.directory / "nginx.conf"
        config.write_text(CONFIG.format(prefix=self.directory, port=self.port, certificate=self.certificate,
                                        key=self.key, upstream_port=self.upstream_port))
        check = subprocess.run([binary, "-t", "-q", "-p", str(self.directory), "-e", str(self.directory / "error.log"),
                                "-c", str(config)], capture_output=True, text=True, timeout=30)
        assert check.returncode == 0, check.stderr
        self.proc = subprocess.Popen([binary, "-p", str(self.directory), "-e", str(self.directory / "error.log"),
                                      "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_until(self._listening, START_TIMEOUT_S, what=f"nginx on port {self.port} ({self.directory / 'error.log'})")
        return self

    def _listening(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise AssertionError(f"nginx exited: {(self.directory / 'error.log').read_text(errors='replace')}")
        try:
            httpx.get(self.url + "/healthz", verify=self.tls_context(), timeout=REQUEST_TIMEOUT_S)
        except httpx.TransportError:
            return False
        return True

    def tls_context(self) -> ssl.SSLContext:
        """What a client that trusts this proxy's certificate verifies it with."""
        return ssl.create_default_context(cafile=str(self.certificate))

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # nginx's fast shutdown
            self.proc.wait(10)

    def __enter__(self) -> NginxProxy:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
                 ) -> None:
        self.stop()

"""deploy/: the systemd unit and its user, checked with systemd's own tools (`systemd-analyze verify` and `security`,
`systemd-sysusers`), and the unit's command line read by the gateway's own parser; README's nginx example checked
by nginx itself (`nginx -t`).

These tools check the files; they do not run the service (that takes systemd as PID 1, which a test machine or a
container may not have). Where systemd's tools are missing, the tests say so and are skipped.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
UNIT = DEPLOY / "privacy-gateway.service"
INSTALLED_AT = "/opt/privacy-gateway/venv/bin/privacy-gateway"


def directives(unit: str) -> list[tuple[str, str]]:
    """(key, value) in order, continuation lines joined; a key may repeat, as systemd allows."""
    joined = re.sub(r"\\\n\s*", " ", unit)
    return [(key.strip(), value.strip()) for line in joined.splitlines()
            if "=" in line and not line.lstrip().startswith(("#", "["))
            for key, _, value in [line.partition("=")]]


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed here (Debian: apt-get install systemd)")
    return path


@pytest.fixture
def unit_here(tmp_path: Path) -> Path:
    """The unit as shipped, but for its ExecStart pointing at this checkout's installed command (verify checks that
    the program exists)."""
    command = Path(sys.executable).parent / "privacy-gateway"
    assert command.exists(), "the venv has no privacy-gateway command: pip install -e ."
    copy = tmp_path / UNIT.name
    copy.write_text(UNIT.read_text().replace(INSTALLED_AT, str(command)))
    return copy


def test_systemd_accepts_the_unit_without_a_single_warning(unit_here: Path) -> None:
    checked = subprocess.run([tool("systemd-analyze"), "verify", str(unit_here)], capture_output=True, text=True,
                             timeout=60)
    assert (checked.returncode, checked.stdout + checked.stderr) == (0, "")


def test_the_unit_is_hardened_to_systemds_ok_level(unit_here: Path) -> None:
    """`systemd-analyze security` rates exposure from 0 (locked down) to 10; 2.0 and below is its "OK"."""
    rated = subprocess.run([tool("systemd-analyze"), "security", "--offline=yes", "--threshold=20", str(unit_here)],
                           capture_output=True, text=True, timeout=60)
    exposure = re.search(r"Overall exposure level for \S+: (\d+\.\d)", rated.stdout)
    assert exposure and rated.returncode == 0, rated.stdout[-2000:] + rated.stderr
    assert float(exposure.group(1)) <= 2.0


def test_the_unit_runs_as_its_own_user_keeps_state_in_its_directory_and_reloads_with_sighup() -> None:
    found = directives(UNIT.read_text())
    settings = dict(found)
    assert settings["User"] == settings["Group"] == "privacy-gateway"
    assert settings["StateDirectory"] == "privacy-gateway" and settings["StateDirectoryMode"] == "0700"
    assert settings["ProtectSystem"] == "strict" and settings["NoNewPrivileges"] == "yes"
    assert settings["ExecReload"] == "/bin/kill -HUP $MAINPID"
    assert settings["CapabilityBoundingSet"] == ""


def test_the_units_command_line_is_one_the_gateway_understands() -> None:
    settings = dict(directives(UNIT.read_text()))
    program, *arguments = shlex.split(settings["ExecStart"])

    args = build_parser().parse_args(arguments)

    assert program == INSTALLED_AT
    # The data directory is the one systemd makes private to the service.
    assert args.data_dir == "/var/lib/" + settings["StateDirectory"] == settings["WorkingDirectory"]
    assert (args.command, args.log_format) == ("serve", "json")
    assert args.policy == "/etc/privacy-gateway/policy.toml"


def test_systemd_sysusers_makes_the_services_user_with_no_login(tmp_path: Path) -> None:
    etc = tmp_path / "etc"
    etc.mkdir()
    for name in ("passwd", "group", "shadow", "gshadow"):
        (etc / name).touch()

    made = subprocess.run([tool("systemd-sysusers"), f"--root={tmp_path}", str(DEPLOY / "privacy-gateway.sysusers")],
                          capture_output=True, text=True, timeout=60)

    assert made.returncode == 0, made.stderr
    user = (etc / "passwd").read_text().strip().split(":")
    assert (user[0], user[5], user[6]) == ("privacy-gateway", "/var/lib/privacy-gateway", "/usr/sbin/nologin")
    assert (etc / "group").read_text().startswith("privacy-gateway:")


def readme_nginx_example() -> str:
    examples = re.findall(r"```nginx\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert len(examples) == 1, "README has one nginx example"
    return str(examples[0])


def test_the_readmes_nginx_example_is_one_nginx_accepts(tmp_path: Path) -> None:
    """An operator copies it as it is: only the certificate and log paths are this test's own."""
    nginx = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if nginx is None:
        pytest.skip("nginx is not installed here (Debian: apt-get install nginx)")
    certificate, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run([tool("openssl"), "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-subj", "/CN=collect.example.com", "-days", "1", "-keyout", str(key),
                    "-out", str(certificate)], check=True, capture_output=True, timeout=60)
    server = (readme_nginx_example()
              .replace("/etc/ssl/certs/collect.example.com.pem", str(certificate))
              .replace("/etc/ssl/private/collect.example.com.key", str(key))
              .replace("/var/log/nginx/", f"{tmp_path}/"))
    config = tmp_path / "nginx.conf"
    config.write_text(f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
                      f"http {{\n{server}}}\n")

    checked = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(config)], capture_output=True, text=True,
                             timeout=60)

    assert checked.returncode == 0, checked.stderr
    assert "[warn]" not in checked.stderr and "[emerg]" not in checked.stderr, checked.stderr

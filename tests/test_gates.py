"""The gates of `make lint` catch what they are there for: each tool, run with this repository's configuration, fails
on a small module that breaks one of its rules, and passes the same module once the rule is kept.

The modules are written to a temporary directory, so the gates' reach over the real tree is `make lint`'s to show."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import tomli_w

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
BIN = Path(sys.executable).parent


def run(tool: str, *args: str | Path, cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)} if pythonpath else None
    return subprocess.run([str(BIN / tool), *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


def branchy(branches: int) -> str:
    """A function with `branches` ifs: cyclomatic complexity branches + 1."""
    body = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(branches))
    return f"def pick(x: int) -> int:\n{body}    return -1\n"


def test_ruff_fails_on_a_function_above_complexity_20_and_passes_one_at_20(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text(branchy(20))
    too_complex = run("ruff", "check", "--no-cache", "--config", PYPROJECT, module, cwd=tmp_path)
    assert too_complex.returncode == 1
    assert "C901 `pick` is too complex (21 > 20)" in too_complex.stdout

    module.write_text(branchy(19))
    assert run("ruff", "check", "--no-cache", "--config", PYPROJECT, module, cwd=tmp_path).returncode == 0


def test_ruff_fails_on_a_method_that_shadows_a_builtin_and_a_zip_that_may_truncate(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text(
        "class Table:\n"
        "    def list(self) -> list[str]:\n"
        "        return []\n\n"
        "    def names(self) -> list[str]:\n"
        "        return []\n\n\n"
        "def pairs(a: list[int], b: list[int]) -> list[tuple[int, int]]:\n"
        "    return list(zip(a, b))\n"
    )
    found = run("ruff", "check", "--no-cache", "--config", PYPROJECT, module, cwd=tmp_path)
    assert found.returncode == 1
    assert "A003" in found.stdout and "B905" in found.stdout


def test_mypy_fails_on_an_untyped_function_and_a_possible_none(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text(
        "import os\n\n\n"
        "def home(default):\n"
        "    return default\n\n\n"
        "def shell() -> str:\n"
        "    return os.environ.get('SHELL').upper()\n"
    )
    found = run("mypy", "--config-file", PYPROJECT, "--cache-dir", tmp_path / "cache", module, cwd=tmp_path)
    assert found.returncode == 1
    assert "[no-untyped-def]" in found.stdout and "[union-attr]" in found.stdout

    module.write_text(
        "import os\n\n\n"
        "def home(default: str) -> str:\n"
        "    return default\n\n\n"
        "def shell() -> str:\n"
        "    return os.environ.get('SHELL', '').upper()\n"
    )
    kept = run("mypy", "--config-file", PYPROJECT, "--cache-dir", tmp_path / "cache", module, cwd=tmp_path)
    assert kept.returncode == 0, kept.stdout


CODECS = ("segment", "amplitude", "mixpanel", "posthog")


def packages(tmp_path: Path, imports: dict[str, str]) -> Path:
    """gateway/, replay/ and policies/ stand-ins, each with a module `uses`, and gateway.protocols with the codec
    interface and the four codecs, each importing what `imports` gives it by module name, beside a pyproject.toml
    holding this repository's import-linter contracts."""
    modules = [f"{package}.uses" for package in ("gateway", "replay", "policies")]
    modules += [f"gateway.protocols.{name}" for name in ("codec", *CODECS)]
    for module in modules:
        path = tmp_path.joinpath(*module.split("."))
        for package in (path.parent, *path.parent.parents):
            if package == tmp_path:
                break
            package.mkdir(exist_ok=True)
            (package / "__init__.py").touch()
        path.with_suffix(".py").write_text(imports.get(module, ""))
    contracts = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]
    (tmp_path / "pyproject.toml").write_text(tomli_w.dumps({"tool": {"importlinter": contracts}}))
    return tmp_path


def test_import_linter_keeps_the_one_direction_of_dependency(tmp_path: Path) -> None:
    codecs = {f"gateway.protocols.{name}": "from gateway.protocols import codec\n" for name in CODECS}
    tree = packages(tmp_path, {"gateway.uses": "import policies\nimport replay\n", "replay.uses": "import policies\n",
                               **codecs})
    kept = run("lint-imports", "--no-cache", cwd=tree, pythonpath=tree)
    assert kept.returncode == 0, kept.stdout


def test_import_linter_fails_when_policies_imports_the_gateway(tmp_path: Path) -> None:
    tree = packages(tmp_path, {"policies.uses": "import gateway\n"})
    broken = run("lint-imports", "--no-cache", cwd=tree, pythonpath=tree)
    assert broken.returncode == 1
    assert "BROKEN" in broken.stdout and "policies.uses -> gateway" in broken.stdout


def test_import_linter_fails_when_replay_imports_the_gateway(tmp_path: Path) -> None:
    tree = packages(tmp_path, {"replay.uses": "from gateway import uses\n"})
    broken = run("lint-imports", "--no-cache", cwd=tree, pythonpath=tree)
    assert broken.returncode == 1
    assert "replay.uses -> gateway" in broken.stdout


def test_import_linter_fails_when_a_codec_imports_another(tmp_path: Path) -> None:
    """As Mixpanel's codec once imported PostHog's to sort out the paths they share."""
    tree = packages(tmp_path, {"gateway.protocols.mixpanel": "from gateway.protocols import codec, posthog\n"})
    broken = run("lint-imports", "--no-cache", cwd=tree, pythonpath=tree)
    assert broken.returncode == 1
    assert "codecs do not know each other BROKEN" in broken.stdout
    assert "gateway.protocols.mixpanel -> gateway.protocols.posthog" in broken.stdout

"""Compiles the modules listed under `[tool.privacy-gateway] compiled` in pyproject.toml into C extensions with mypyc.

    python build_compiled.py           # build when a listed module or what it imports changed; else say it is current
    python build_compiled.py --clean   # remove the extensions and the manifest (pure Python from then on)

`make` runs it before `run`, `test` and `bench`. mypyc ships inside the mypy wheel of the test extra; gcc and the Python
headers must be on the machine. The extensions land beside their sources (git-ignored), the C files and objects under
build/mypyc, and the manifest last (build/compiled.json, policies.compiled): a build that fails half-way leaves no
manifest, and with no manifest the packages never trust an extension.
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
import sysconfig
import time
import tomllib
from pathlib import Path

# The build replaces the extensions, so importing `policies` here must neither warn that they are stale nor refuse to
# run without them (PRIVACY_GATEWAY_COMPILED=require in CI): this process uses the sources.
os.environ["PRIVACY_GATEWAY_COMPILED"] = "pure"

from policies.compiled import MANIFEST, PACKAGES, Manifest, digest, read_manifest, stale_reasons

ROOT = Path(__file__).resolve().parent
GROUP = "privacy_gateway"  # the shared library's name: <GROUP>__mypyc.*.so at the root
TARGET = Path("build") / "mypyc"


def listed(root: Path = ROOT) -> list[Path]:
    table = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["privacy-gateway"]
    return [Path(name) for name in table["compiled"]]


def module_name(source: Path) -> str:
    return ".".join(source.with_suffix("").parts)


def project_imports(source: Path, root: Path) -> set[Path]:
    """The sources in the three packages that `source` imports (the modules and the packages they sit in)."""
    found: set[Path] = set()

    def add(name: str) -> None:
        parts = name.split(".")
        if parts[0] not in PACKAGES:
            return
        for depth in range(1, len(parts) + 1):
            base = Path(*parts[:depth])
            for candidate in (base / "__init__.py", base.with_suffix(".py")):
                if (root / candidate).is_file():
                    found.add(candidate)

    for node in ast.walk(ast.parse((root / source).read_bytes())):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            add(node.module)
            for alias in node.names:
                add(f"{node.module}.{alias.name}")
    return found


def sources_read(modules: list[Path], root: Path = ROOT) -> list[Path]:
    """The listed modules and everything they import from the three packages, transitively."""
    seen: set[Path] = set()
    pending = list(modules)
    while pending:
        source = pending.pop()
        if source not in seen:
            seen.add(source)
            pending.extend(project_imports(source, root) - seen)
    return sorted(seen)


def builder() -> str:
    import mypy.version

    return f"python {sys.version.split()[0]} ({sys.implementation.cache_tag}), mypy {mypy.version.__version__}"


def extension_of(source: Path) -> str:
    return source.with_suffix(sysconfig.get_config_var("EXT_SUFFIX")).as_posix()


def wanted(root: Path = ROOT) -> Manifest:
    modules = listed(root)
    return Manifest(
        modules={module_name(m): extension_of(m) for m in modules},
        sources={s.as_posix(): digest(root / s) for s in sources_read(modules, root)},
        builder=builder(),
    )


def clean(root: Path = ROOT) -> None:
    """Removes the manifest first (so nothing trusts a half-removed set), then every extension in the packages."""
    (root / MANIFEST).unlink(missing_ok=True)
    for package in PACKAGES:
        for extension in (root / package).rglob("*.so"):
            extension.unlink()
    for shared in root.glob(f"{GROUP}__mypyc*.so"):
        shared.unlink()


def build(manifest: Manifest, root: Path = ROOT) -> None:
    from mypyc.build import mypycify
    from setuptools import Distribution

    os.chdir(root)  # mypyc names modules after the paths, relative to the root
    clean(root)
    paths = [str(Path(extension).with_suffix("").with_suffix(".py")) for extension in manifest.modules.values()]
    extensions = mypycify(paths, opt_level="3", group_name=GROUP, target_dir=str(TARGET))
    # A Distribution of its own: setup() would read the project's pyproject.toml, which is not a build description
    # of these extensions.
    distribution = Distribution({"name": GROUP, "ext_modules": extensions})
    distribution.script_args = ["build_ext", "--inplace", "--build-temp", str(TARGET / "temp"), "--parallel", "2"]
    distribution.parse_command_line()
    distribution.run_commands()
    (root / MANIFEST).write_bytes(manifest.to_json())


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clean", action="store_true", help="remove the extensions and the manifest")
    args = parser.parse_args(argv[1:])
    if args.clean:
        clean()
        print("compiled modules removed: the packages run as pure Python")
        return 0
    manifest = wanted()
    built = read_manifest()
    if built == manifest and not stale_reasons(built):
        print(f"compiled modules up to date ({len(manifest.modules)} modules)")
        return 0
    start = time.monotonic()
    build(manifest)
    print(f"compiled {len(manifest.modules)} modules with mypyc in {time.monotonic() - start:.0f} s"
          f" ({len(manifest.sources)} sources recorded in {MANIFEST})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

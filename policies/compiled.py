"""Which modules run as mypyc-compiled C extensions, and the guard that never lets a stale one run.

`build_compiled.py` (run by `make`) compiles the modules listed under `[tool.privacy-gateway] compiled` in
pyproject.toml into extensions beside their sources, and records in a manifest (build/compiled.json) the digest of every
source the build read: the listed modules and what they import from the three packages (mypyc may fold another module's
`Final` constants into the C code, so a change there makes the extensions stale too).

Python imports an extension in preference to the .py beside it. So each package's `__init__` calls `guard()` before any
of its modules load: when a recorded source changed since the build (a developer edited replay/mirror.py and ran pytest
directly), or an extension is missing, every compiled module is imported from its .py instead, and one line on stderr
says so. All of them, never some: compiled modules call each other's native code directly, so a mix would run the old
code of a module beside the new. The environment variable PRIVACY_GATEWAY_COMPILED picks the mode:
- unset: compiled where fresh, pure Python with the warning where stale;
- `pure`: pure Python, silently (the test comparing both paths runs a child in this mode);
- `require` (CI): an ImportError when the compiled modules are stale or were never built, so CI tests what users run.
Extensions found with no manifest (`rm -rf build`, a build that failed after its clean-up) count as stale. The
build's shared library (`privacy_gateway__mypyc`, at the root) is loaded by its path, since a console script's
sys.path has neither the root nor the current directory.

This module lives in the lowest layer and uses only the standard library, so that all three packages can call it
before anything else of theirs is imported.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = Path("build") / "compiled.json"
MODE_ENV = "PRIVACY_GATEWAY_COMPILED"
PACKAGES = ("gateway", "replay", "policies")


@dataclass(frozen=True)
class Manifest:
    """What a build compiled: module names, their extension files, and the digest of every source it read."""

    modules: dict[str, str]  # module name -> extension path, relative to the root
    sources: dict[str, str]  # source path relative to the root -> sha256 hex digest
    builder: str  # the Python and mypy versions the extensions were built with

    def to_json(self) -> bytes:
        return json.dumps(
            {"modules": self.modules, "sources": self.sources, "builder": self.builder}, indent=1, sort_keys=True
        ).encode()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(root: Path = ROOT) -> Manifest | None:
    try:
        data = json.loads((root / MANIFEST).read_bytes())
    except FileNotFoundError:
        return None
    return Manifest(dict(data["modules"]), dict(data["sources"]), str(data["builder"]))


def stale_reasons(manifest: Manifest, root: Path = ROOT) -> list[str]:
    """Why the extensions of `manifest` must not run: sources changed or gone since the build, extensions missing."""
    reasons = []
    for source, recorded in sorted(manifest.sources.items()):
        path = root / source
        if not path.is_file():
            reasons.append(f"{source} is gone")
        elif digest(path) != recorded:
            reasons.append(f"{source} changed")
    reasons.extend(f"{extension} is missing" for extension in sorted(manifest.modules.values())
                   if not (root / extension).is_file())
    return reasons


class SourceOnly(importlib.abc.MetaPathFinder):
    """Finds the listed modules' .py files, so that the extensions beside them are never loaded."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = frozenset(names)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.names:
            return None
        leaf = fullname.rpartition(".")[2] + ".py"
        for entry in path if path is not None else sys.path:
            source = Path(entry) / leaf
            if source.is_file():
                return importlib.util.spec_from_file_location(fullname, source)
        return None


def use_sources(names: Sequence[str]) -> None:
    if not any(isinstance(finder, SourceOnly) and finder.names >= set(names) for finder in sys.meta_path):
        sys.meta_path.insert(0, SourceOnly(names))


def _extensions_without_manifest(root: Path, packages: Sequence[str]) -> list[str]:
    """Module names of the extensions found in the packages when no manifest says what they were built from (`rm -rf
    build`, or a build that failed after its clean-up): nothing proves them fresh."""
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    return sorted(".".join(path.relative_to(root).with_name(path.name[: -len(suffix)]).parts)
                  for package in packages for path in (root / package).rglob("*" + suffix))


def _load_shared_libraries(root: Path) -> None:
    """Imports the build's shared library (`<group>__mypyc`, at the root) by its path: the compiled modules import it by
    name, and a console script's sys.path has neither the root nor the current directory."""
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    for path in root.glob("*__mypyc" + suffix):
        name = path.name[: -len(suffix)]
        if name in sys.modules:
            continue
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"{path} is not an extension module")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)


def _fall_back(names: Sequence[str], mode: str, why: str) -> None:
    if mode == "require":
        raise ImportError(f"{why}: run `make compiled`")
    use_sources(names)
    if mode != "pure":
        sys.stderr.write(f"privacy-gateway: {why}; running their Python sources (slower) until `make compiled`"
                         " rebuilds them\n")


@functools.cache  # once per process: the first package imported decides, before any compiled module can load
def guard(root: Path = ROOT, packages: tuple[str, ...] = PACKAGES) -> None:
    """Called by each package's `__init__` (see the module's docstring)."""
    mode = os.environ.get(MODE_ENV, "")
    manifest = read_manifest(root)
    if manifest is None:
        found = _extensions_without_manifest(root, packages)
        if found:
            _fall_back(found, mode, f"compiled modules without {MANIFEST} ({found[0]}…)")
        elif mode == "require":
            raise ImportError(f"{MODE_ENV}=require but no module was compiled: run `make compiled`")
        return
    if mode == "pure":
        use_sources(list(manifest.modules))
        return
    reasons = stale_reasons(manifest, root)
    if reasons:
        summary = ", ".join(reasons[:3]) + (f" and {len(reasons) - 3} more" if len(reasons) > 3 else "")
        _fall_back(list(manifest.modules), mode, f"the compiled modules are stale ({summary})")
        return
    try:
        _load_shared_libraries(root)
    except ImportError as error:
        _fall_back(list(manifest.modules), mode, f"the compiled modules' shared library does not load ({error})")


def how_it_runs(module: ModuleType) -> str:
    """Whether `module` (one of the compiled list) runs compiled or as Python, and why: for benchmarks to print beside
    their figures."""
    manifest = read_manifest()
    if module.__file__ is not None and module.__file__.endswith(".py"):
        reason = "nothing compiled" if manifest is None else os.environ.get(MODE_ENV) or "stale: run make compiled"
        return f"pure Python ({reason})"
    return f"compiled by mypyc ({len(manifest.modules) if manifest else '?'} modules)"

"""The compiled modules (build_compiled.py, policies/compiled.py): the same findings compiled and as pure Python, and
a stale extension never run.

CI runs the suite on the compiled modules (PRIVACY_GATEWAY_COMPILED=require in .ci/run); the first test keeps the pure
Python path tested too, by running the detectors in a child process that imports the sources.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import orjson

import replay.mirror
from policies.compiled import MANIFEST, MODE_ENV, Manifest, digest, read_manifest, stale_reasons
from replay.detect import DetectConfig, analyze_session

ROOT = Path(__file__).resolve().parents[2]
CORPORA = (ROOT / "fixtures" / "replay-corpus", ROOT / "fixtures" / "spa-corpus")

# Every finding of every session of both corpora, one line each: signals (with details), forms, pages, heat.
FINDINGS = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import orjson
    import replay.mirror
    from replay.detect import DetectConfig, analyze_session

    print(replay.mirror.__file__)
    for corpus in sys.argv[1:]:
        for path in sorted(Path(corpus).glob("sess_*.json")):
            data = orjson.loads(path.read_bytes())
            a = analyze_session(data["session_id"], {"window": data["events"]}, DetectConfig())
            print(repr((a.to_dict(), a.forms, a.pages, a.heat)))
    """
)


def findings_in_child(mode: str) -> list[str]:
    env = {**os.environ, MODE_ENV: mode, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", FINDINGS, *map(str, CORPORA)], env=env, cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    return out.splitlines()


def test_detectors_find_the_same_compiled_and_as_pure_python() -> None:
    pure = findings_in_child("pure")
    assert pure[0].endswith("mirror.py"), "the child must run the Python sources"
    here = [replay.mirror.__file__]
    for corpus in CORPORA:
        for path in sorted(corpus.glob("sess_*.json")):
            data = orjson.loads(path.read_bytes())
            a = analyze_session(data["session_id"], {"window": data["events"]}, DetectConfig())
            here.append(repr((a.to_dict(), a.forms, a.pages, a.heat)))
    assert len(pure) == len(here) > 50
    assert pure[1:] == here[1:]
    manifest = read_manifest(ROOT)
    if manifest is not None and not stale_reasons(manifest, ROOT) and os.environ.get(MODE_ENV) != "pure":
        assert here[0].endswith(sysconfig.get_config_var("EXT_SUFFIX")), "fresh extensions must be what runs"


# A recording request's way through the compiled ingest modules (replay.ingest, replay.privacy, replay.summary): every
# corpus session sent as one native body, plus typed values echoed in texts and mutations, with scrubbers that mark
# what they were given (so every routing decision of the walk shows in the output); one line per session.
INGESTED = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import orjson
    import replay.privacy
    from replay.ingest import parse_native, parse_posthog
    from replay.privacy import RrwebPrivacy
    from replay.summary import summarize

    print(replay.privacy.__file__)
    privacy = RrwebPrivacy(("input[name=q]", "#search"), scrub_text=lambda text: "<" + text[::-1] + ">",
                           scrub_attribute=lambda tag, name, value: f"{tag}|{name}|{value[::-1]}",
                           scrub_value=lambda value: {"scrubbed": orjson.dumps(value).decode()})
    # (fractional timestamps are valid rrweb: kept as sent, never turned into integers or refused)
    typed = [{"type": 3, "timestamp": 10 * i + 1.5, "data": {"source": 5, "id": i, "text": f"Jane Doe {i}"}}
             for i in range(3)]
    echoed = [{"type": 3, "timestamp": 10 * i + 2, "data": {"source": 0, "adds": [], "removes": [], "attributes": [
        {"id": 7, "attributes": {"value": "set by script", "title": f"for jane doe {i}", "class": "x"}}],
        "texts": [{"id": 100 + i, "value": f"3 results for JANE DOE {i}"}, {"id": 200, "value": "  "}]}}
        for i in range(3)]
    for corpus in sys.argv[1:]:
        for path in sorted(Path(corpus).glob("sess_*.json")):
            data = orjson.loads(path.read_bytes())
            events = [*data["events"], *typed, *echoed]
            body = orjson.loads(orjson.dumps({"events": events, "userId": "u1", "windowId": "w1"}))
            _, batch = parse_native(body, data["session_id"], {}, 1 << 20)
            snapshots = [{"event": "$snapshot", "properties": {"$session_id": data["session_id"],
                                                                "$snapshot_data": events[:50]}}]
            _, posthog = parse_posthog(orjson.loads(orjson.dumps(snapshots)), 1 << 20)
            unmasked = set()
            deferred = privacy.walk(batch.events, unmasked)
            texts = list(deferred.texts)
            deferred.fill([str(len(text)) for text in texts])
            s = summarize(batch.events)
            print(orjson.dumps([batch.session_id, batch.window_id, batch.identifiers, len(posthog[0].events),
                                texts, sorted(unmasked), [s.first_ts, s.last_ts, s.events, s.clicks, s.inputs,
                                                          s.mutations, s.urls], batch.events]).decode())
    """
)


def ingested_in_child(mode: str) -> list[str]:
    env = {**os.environ, MODE_ENV: mode, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", INGESTED, *map(str, CORPORA)], env=env, cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    return out.splitlines()


def test_recordings_are_validated_walked_and_summarised_the_same_compiled_and_as_pure_python() -> None:
    pure = ingested_in_child("pure")
    assert pure[0].endswith("privacy.py"), "the child must run the Python sources"
    here = ingested_in_child("")
    assert len(pure) == len(here) > 10
    assert pure[1:] == here[1:]
    assert any('"<' in line and "|value|" in line for line in pure[1:]), "texts and attributes went through"
    assert all(orjson.loads(line)[6][0] == 1.5 for line in pure[1:]), "the first timestamp, fractional, as sent"
    manifest = read_manifest(ROOT)
    if manifest is not None and not stale_reasons(manifest, ROOT) and os.environ.get(MODE_ENV) != "pure":
        assert here[0].endswith(sysconfig.get_config_var("EXT_SUFFIX")), "fresh extensions must be what runs"


def _package_with_extension(root: Path, recorded_source: bytes) -> Manifest:
    """A package `pkg` whose module `mod` has an 'extension' beside it that fails to load if Python ever tries it, and a
    manifest recording `recorded_source` as what it was built from."""
    (root / "pkg").mkdir()
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "mod.py").write_text("WHERE = 'source'\n")
    extension = Path("pkg") / f"mod{sysconfig.get_config_var('EXT_SUFFIX')}"
    (root / extension).write_bytes(b"not a shared object")
    (root / "recorded.py").write_bytes(recorded_source)
    manifest = Manifest({"pkg.mod": extension.as_posix()}, {"pkg/mod.py": digest(root / "recorded.py")}, "test")
    (root / MANIFEST).parent.mkdir()
    (root / MANIFEST).write_bytes(manifest.to_json())
    return manifest


def import_guarded(root: Path, mode: str = "") -> subprocess.CompletedProcess[str]:
    code = f"from policies.compiled import guard; from pathlib import Path; guard(Path({str(root)!r}), ('pkg',))\n" \
           "import pkg.mod; print(pkg.mod.WHERE)"
    env = {**os.environ, MODE_ENV: mode, "PYTHONPATH": f"{root}{os.pathsep}{ROOT}"}
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True)


def test_an_edited_source_runs_as_python_and_says_so(tmp_path: Path) -> None:
    manifest = _package_with_extension(tmp_path, b"WHERE = 'before the edit'\n")
    assert stale_reasons(manifest, tmp_path) == ["pkg/mod.py changed"]
    run = import_guarded(tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "source"
    assert "compiled modules are stale (pkg/mod.py changed)" in run.stderr


def test_a_fresh_extension_is_what_python_imports(tmp_path: Path) -> None:
    # The guard stays out of the way: Python picks the extension, which here is not loadable, and says so.
    _package_with_extension(tmp_path, b"WHERE = 'source'\n")
    run = import_guarded(tmp_path)
    assert run.returncode != 0
    assert "ImportError" in run.stderr and "stale" not in run.stderr


def test_stale_extensions_are_an_error_where_compiled_code_is_required(tmp_path: Path) -> None:
    _package_with_extension(tmp_path, b"WHERE = 'before the edit'\n")
    run = import_guarded(tmp_path, "require")
    assert run.returncode != 0
    assert "the compiled modules are stale (pkg/mod.py changed): run `make compiled`" in run.stderr


def test_a_missing_extension_makes_the_set_stale(tmp_path: Path) -> None:
    manifest = _package_with_extension(tmp_path, b"WHERE = 'source'\n")
    (tmp_path / manifest.modules["pkg.mod"]).unlink()
    assert stale_reasons(manifest, tmp_path) == [f"{manifest.modules['pkg.mod']} is missing"]
    run = import_guarded(tmp_path)
    assert run.stdout.strip() == "source"
    assert "is missing" in run.stderr


def test_pure_mode_ignores_fresh_extensions_silently(tmp_path: Path) -> None:
    _package_with_extension(tmp_path, b"WHERE = 'source'\n")
    run = import_guarded(tmp_path, "pure")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "source" and run.stderr == ""


def test_extensions_without_a_manifest_are_not_trusted(tmp_path: Path) -> None:
    # `rm -rf build`, or a build that failed after removing the manifest: nothing says what the extensions were built
    # from, so the sources run.
    _package_with_extension(tmp_path, b"WHERE = 'before the edit'\n")
    (tmp_path / MANIFEST).unlink()
    run = import_guarded(tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "source"
    assert f"compiled modules without {MANIFEST} (pkg.mod" in run.stderr
    assert import_guarded(tmp_path, "require").returncode != 0


def test_the_installed_command_starts_from_any_directory(tmp_path: Path) -> None:
    # A console script's sys.path holds neither the repository's root, where the compiled modules' shared library is,
    # nor the current directory.
    command = Path(sys.executable).parent / "privacy-gateway"
    run = subprocess.run([str(command), "--help"], cwd=tmp_path, capture_output=True, text=True,
                         env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert run.returncode == 0, run.stderr
    assert "serve" in run.stdout


def test_float_results_are_floats_for_int_inputs_compiled_or_not() -> None:
    """mypyc turns an int into a float where a float is annotated; the sources do the same by hand, so JSON prints
    0.0 and 120.0 either way."""
    from replay.detect.score import frustration_score
    from replay.detect.thrash import _first_leg

    score = frustration_score({}, DetectConfig())
    assert type(score) is float and score == 0.0
    nan = float("nan")  # an axis starts with no range
    _, _, lo, hi = _first_leg(120, nan, nan, 5)  # rrweb coordinates are ints in JSON
    assert [type(x) for x in _first_leg(130, lo, hi, 5)] == [int, float, float, float]

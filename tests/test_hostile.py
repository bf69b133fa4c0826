"""Hostile and broken input (issue 8): nothing lost, nothing executed, never a traceback.

Every case of the corpus (``tests/data/hostile/make_hostile.py``) goes through the library
(``readers.read_vector`` + ``validate.validate``), the CLI in-process (``mapapp.cli.main``:
``validate`` and ``import``) and, for the cases that stress GDAL's own error reporting, the CLI in a
real subprocess. Each one ends in a clean import (if harmless) or a domain error (CLI: exit 1 with a
message on stderr), never another exception; a failed import leaves the catalog directory
byte-for-byte unchanged (every file hashed), and nothing is written outside it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import warnings
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

import geopandas as gpd
import pytest
import shapely

from mapapp.catalog import Catalog
from mapapp.cli import main
from mapapp.errors import CatalogError, MapAppError
from mapapp.snapshot import ControlSnapshot

ROOT = Path(__file__).resolve().parent.parent
HOSTILE_DIR = Path(__file__).resolve().parent / "data" / "hostile"
IMPORT_DATE = "2017-06-01"


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_hostile", HOSTILE_DIR / "make_hostile.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_hostile"] = module
    spec.loader.exec_module(module)
    return module


hostile = _load_generator()
CASES = {case.name: case for case in hostile.CASES}


def _params(names: Iterable[str]) -> list[Any]:
    """Case names as pytest params; a case with a known, reported bug is a strict xfail."""
    return [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=CASES[n].known_bug))
        if CASES[n].known_bug
        else n
        for n in sorted(names)
    ]


# Cases whose raw GDAL reading prints warnings or "Exception ignored" tracebacks: also run in a
# real subprocess, where nothing (not even an unraisable-exception hook) can hide a traceback.
SUBPROCESS_CASES = (
    "duplicate_ids",
    "coords_4d",
    "unclosed_ring",
    "nan_coordinates",
    "latin1",
    "kml_xxe",
    "zip_bomb",
    "over_cap",
)


# -- fixtures -----------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return dict(hostile.build(tmp_path_factory.mktemp("hostile")))


def _seed_snapshot() -> ControlSnapshot:
    areas = gpd.GeoDataFrame(
        {
            "faction": ["syrian_government", "sdf"],
            "secondary": [None, None],
            "status": ["control", "control"],
            "confidence": ["high", "high"],
            "note": ["seed", None],
        },
        geometry=[shapely.box(39.0, 35.0, 39.5, 35.5), shapely.box(39.5, 35.0, 40.0, 35.5)],
        crs="EPSG:4326",
    )
    return ControlSnapshot(dt.date(2017, 1, 8), "seed", "test", "CC0", "high", areas, {})


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A catalog directory already holding one snapshot."""
    root = tmp_path / "catalog"
    Catalog(root).add(_seed_snapshot())
    return root


def tree_hashes(root: Path) -> dict[str, str]:
    """Every file under ``root`` with its sha256 (directories and lock file included)."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        for p in sorted(root.rglob("*"))
    }


def escapes(tmp_path: Path) -> list[Path]:
    """Files the traversal zips or a shell-interpreted file name would have created."""
    roots = {tmp_path, tmp_path.parent, tmp_path.parent.parent, Path("/tmp"), Path.cwd(), ROOT}
    return [p for r in roots for pattern in ("hostile_escape_*", "pwned") for p in r.glob(pattern)]


def assert_clean_outcome(case: Any, outcome: str, text: str) -> None:
    """The outcome is one the case allows, its message is useful and nothing forbidden leaked."""
    allowed = {"ok": {"ok"}, "error": {"error"}, "either": {"ok", "error"}}[case.outcome]
    assert outcome in allowed, f"{case.name}: expected {case.outcome}, got {outcome}: {text[:2000]}"
    if outcome == "error":
        assert text.strip(), f"{case.name}: an error without a message"
        if case.match:
            import re

            assert re.search(case.match, text), f"{case.name}: message lacks {case.match!r}: {text}"
    assert "Traceback" not in text
    for bad in case.forbidden:
        assert bad not in text, f"{case.name}: forbidden content leaked into the output"


def cap_env(case: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    if case.max_mb is not None:
        monkeypatch.setenv("MAPAPP_MAX_UPLOAD_MB", str(case.max_mb))


# -- the corpus itself --------------------------------------------------------------------------
def test_committed_corpus_matches_generator(tmp_path: Path) -> None:
    hostile.build(tmp_path, committed_only=True)
    fresh = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    committed = {p.name: p.read_bytes() for p in HOSTILE_DIR.iterdir() if p.is_file() and p.suffix != ".py"}
    assert sorted(committed) == sorted(fresh)
    for name, data in fresh.items():
        assert committed[name] == data, f"{name} is stale: run tests/data/hostile/make_hostile.py"


def test_over_cap_file_is_sparse(corpus: dict[str, Path]) -> None:
    """The 3 GB case costs almost nothing on disk; reading it all would be the bug under test."""
    st = corpus["over_cap"].stat()
    assert st.st_size == 3 * 1024**3
    assert st.st_blocks * 512 < 1024**2


# -- CLI, in process ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", _params(CASES))
def test_cli_validate(
    name: str, corpus: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    case = CASES[name]
    cap_env(case, monkeypatch)
    rc = main(["validate", str(corpus[name]), *_validate_args(case)])
    out, err = capsys.readouterr()
    assert rc in (0, 1), f"{name}: exit {rc}: {err}"
    assert_clean_outcome(case, "ok" if rc == 0 else "error", out + err)


@pytest.mark.parametrize("name", _params(CASES))
def test_cli_import(
    name: str,
    corpus: dict[str, Path],
    data_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = CASES[name]
    cap_env(case, monkeypatch)
    before = tree_hashes(data_dir)
    argv = ["import", str(corpus[name]), "--date", IMPORT_DATE, "--data-dir", str(data_dir), *case.args]
    rc = main(argv)
    out, err = capsys.readouterr()
    assert rc in (0, 1), f"{name}: exit {rc}: {err}"
    assert_clean_outcome(case, "ok" if rc == 0 else "error", out + err)
    assert escapes(tmp_path) == []
    catalog = Catalog(data_dir)
    if rc == 1:
        assert tree_hashes(data_dir) == before, f"{name}: a failed import changed the catalog"
        return
    assert [e.date.isoformat() for e in catalog.entries()] == ["2017-01-08", IMPORT_DATE]
    stored = catalog.path(IMPORT_DATE).read_text(encoding="utf-8")
    for bad in case.forbidden:
        assert bad not in stored
    snapshot = catalog.load(IMPORT_DATE)
    _assert_in_region(snapshot)


def _validate_args(case: Any) -> list[str]:
    """``validate`` takes the mapping options of ``import`` but not its metadata."""
    args = list(case.args)
    keep: list[str] = []
    for flag, value in zip(args[::2], args[1::2], strict=True):
        if flag in ("--map-factions", "--faction-field"):
            keep += [flag, value]
    return keep


def _assert_in_region(snapshot: ControlSnapshot) -> None:
    """An accepted snapshot is in EPSG:4326, inside the Syria/Iraq region, valid and non-empty."""
    areas = snapshot.areas
    assert areas.crs is not None and areas.crs.to_epsg() == 4326
    assert len(areas) > 0
    assert bool(areas.geometry.is_valid.all()) and not bool(areas.geometry.is_empty.any())
    minx, miny, maxx, maxy = areas.total_bounds
    assert 30 < minx <= maxx < 50 and 28 < miny <= maxy < 40


# -- CLI, in a real process ---------------------------------------------------------------------
@pytest.mark.parametrize("name", _params(SUBPROCESS_CASES))
def test_cli_subprocess_never_prints_a_traceback(name: str, corpus: dict[str, Path], data_dir: Path) -> None:
    case = CASES[name]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "default"}
    if case.max_mb is not None:
        env["MAPAPP_MAX_UPLOAD_MB"] = str(case.max_mb)
    before = tree_hashes(data_dir)
    argv = ["import", str(corpus[name]), "--date", IMPORT_DATE, "--data-dir", str(data_dir)]
    proc = subprocess.run(
        [sys.executable, "-m", "mapapp.cli", *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr, proc.stderr
    assert_clean_outcome(case, "ok" if proc.returncode == 0 else "error", proc.stdout + proc.stderr)
    if proc.returncode == 1:
        assert tree_hashes(data_dir) == before


# -- library ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", _params(CASES))
def test_library_read_and_validate(name: str, corpus: dict[str, Path]) -> None:
    from mapapp.readers import read_vector
    from mapapp.validate import SnapshotMeta, SnapshotWarning, parse_faction_map, validate

    case = CASES[name]
    kwargs: dict[str, Any] = {}
    if case.max_mb is not None:
        kwargs["max_bytes"] = case.max_mb * 1024 * 1024
    options = dict(zip(case.args[::2], case.args[1::2], strict=True))
    meta = SnapshotMeta(
        dt.date.fromisoformat(IMPORT_DATE),
        options.get("--label", ""),
        options.get("--source", ""),
        options.get("--licence", "CC0"),
    )
    try:
        raw = read_vector(corpus[name], **kwargs)
        faction_map = parse_faction_map(options.get("--map-factions", ""))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SnapshotWarning)  # any other warning stays an error
            snapshot = validate(raw, meta, faction_map=faction_map, source_name=str(corpus[name]))
    except MapAppError as exc:
        assert_clean_outcome(case, "error", str(exc))
        return
    assert_clean_outcome(case, "ok", json.dumps(snapshot.metadata(), default=str))
    assert all(issubclass(w.category, SnapshotWarning) for w in caught)
    _assert_in_region(snapshot)
    cells = snapshot.areas.drop(columns=snapshot.areas.geometry.name).astype(str).to_numpy().ravel()
    for bad in case.forbidden:
        assert not any(bad in cell for cell in cells)
    if "--label" in options:  # metadata is kept verbatim, escaping is the renderer's job
        assert snapshot.label == options["--label"]
        assert snapshot.source == options["--source"]


# -- a hostile catalog --------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["relative", "absolute", "backup"])
def test_manifest_cannot_point_outside_the_catalog(data_dir: Path, tmp_path: Path, kind: str) -> None:
    """A hand-edited or shared catalog cannot make mapapp read files outside ROOT/snapshots."""
    catalog = Catalog(data_dir)
    outside = tmp_path / "outside.geojson"
    outside.write_bytes(catalog.path("2017-01-08").read_bytes())
    manifest = json.loads(catalog.manifest_path.read_text(encoding="utf-8"))
    relative = os.path.relpath(outside, catalog.dir)
    if kind == "backup":
        manifest["snapshots"][0]["backups"] = [relative]
    else:
        manifest["snapshots"][0]["file"] = relative if kind == "relative" else str(outside)
    catalog.manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(CatalogError, match="unsafe file name"):
        catalog.load("2017-01-08")


@pytest.mark.parametrize("name", _params(n for n, c in CASES.items() if c.outcome == "error"))
def test_failed_import_into_a_new_directory_creates_nothing(
    name: str,
    corpus: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = CASES[name]
    cap_env(case, monkeypatch)
    target = tmp_path / "new-catalog"
    rc = main(["import", str(corpus[name]), "--date", IMPORT_DATE, "--data-dir", str(target), *case.args])
    capsys.readouterr()
    assert rc == 1
    assert not target.exists(), f"{name}: a refused import created {sorted(target.rglob('*'))}"

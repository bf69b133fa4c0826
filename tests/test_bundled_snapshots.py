"""The three bundled snapshots: reproducible from their points, plausible, and cross-checked."""

from __future__ import annotations

import filecmp
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest
import shapely

from mapapp.catalog import Catalog
from mapapp.derive import derive_snapshot
from mapapp.geography import equal_area_km2
from mapapp.paths import bundled_data_dir, snapshots_dir
from mapapp.points import read_points
from mapapp.snapshot import ControlSnapshot
from mapapp.stats import area_stats

ROOT = Path(__file__).resolve().parent.parent
DATES = ("2017-01-08", "2017-08-01", "2018-02-07")
CONTROL = bundled_data_dir() / "control"


def build_script() -> ModuleType:
    path = ROOT / "scripts" / "build_snapshots.py"
    spec = importlib.util.spec_from_file_location("build_snapshots", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_snapshots"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog(bundled_data_dir())


@pytest.fixture(scope="module")
def snapshots(catalog: Catalog) -> dict[str, ControlSnapshot]:
    return {d: catalog.load(d) for d in DATES}


def shares(snapshot: ControlSnapshot, country: str) -> dict[str, float]:
    table = area_stats(snapshot)
    rows = table[(table["country"] == country) & (table["status"] == "control")]
    return dict(zip(rows["faction"], rows["percent"], strict=True))


def test_catalog_lists_the_three_snapshots_with_metadata(catalog: Catalog) -> None:
    entries = {e.date.isoformat(): e for e in catalog.entries()}
    assert tuple(entries) == DATES
    assert entries["2017-01-08"].label.startswith("Syria and Iraq, 8 January 2017")
    for date in ("2017-01-08", "2017-08-01"):
        assert entries[date].licence == "CC BY-SA 3.0"
        assert "Wikipedia contributors" in entries[date].source
    assert "compiled for this project from public reporting" in entries["2018-02-07"].source
    assert {e.confidence for e in entries.values()} == {"approximate"}
    assert entries["2017-08-01"].provenance["counts"]["points_read"] == 7615
    assert all(not e.backups for e in entries.values())


@pytest.mark.slow
def test_rebuild_gives_the_committed_files_byte_for_byte(tmp_path: Path) -> None:
    script = build_script()
    built = script.build_catalog(tmp_path / "catalog")
    committed = snapshots_dir(bundled_data_dir())
    assert sorted(p.name for p in built) == [
        "2017-01-08.geojson",
        "2017-08-01.geojson",
        "2018-02-07.geojson",
        "manifest.json",
    ]
    for path in built:
        assert filecmp.cmp(path, committed / path.name, shallow=False), (
            f"{path.name} differs: run scripts/build_snapshots.py"
        )
    # syncing is idempotent: a second sync of the same files changes nothing
    target = tmp_path / "target"
    assert len(script.sync(built, target)) == 4
    assert script.sync(built, target) == []


def test_areas_cover_each_country_within_tolerance(snapshots: dict[str, ControlSnapshot]) -> None:
    for snap in snapshots.values():
        table = area_stats(snap)
        for code, km2 in (("SY", 185_940), ("IQ", 437_367)):
            rows = table[table["country"] == code]
            assert rows["unit_km2"].iloc[0] == pytest.approx(km2, rel=0.005)
            assert rows["area_km2"].sum() == pytest.approx(rows["unit_km2"].iloc[0], rel=0.001)
            geoms = np.asarray(snap.areas.loc[snap.areas["country"] == code].geometry.values)
            assert shapely.coverage_is_valid(geoms)


def test_2018_02_07_shares_are_plausible(snapshots: dict[str, ControlSnapshot]) -> None:
    syria = shares(snapshots["2018-02-07"], "SY")
    print("Syria 2018-02-07:", {k: round(v, 1) for k, v in syria.items()})
    assert 50 <= syria["syrian_government"] <= 65
    assert 20 <= syria["sdf"] <= 30
    assert syria.get("islamic_state", 0) < 10
    iraq = area_stats(snapshots["2018-02-07"])
    iraq = iraq[iraq["country"] == "IQ"]
    assert "islamic_state" not in set(iraq["faction"]) | set(iraq["secondary"].dropna())


def test_2017_08_01_shares_are_plausible(snapshots: dict[str, ControlSnapshot]) -> None:
    syria = shares(snapshots["2017-08-01"], "SY")
    print("Syria 2017-08-01:", {k: round(v, 1) for k, v in syria.items()})
    assert 35 <= syria["syrian_government"] <= 55


def test_2017_01_08_shares_are_those_of_the_rollback_method(snapshots: dict[str, ControlSnapshot]) -> None:
    # rollback_METHOD.md: Syria government 20.1 %, ISIS 49.2 %; Iraq government 71.8 %, ISIS 14.2 %
    syria, iraq = shares(snapshots["2017-01-08"], "SY"), shares(snapshots["2017-01-08"], "IQ")
    assert syria["syrian_government"] == pytest.approx(20.1, abs=1.5)
    assert syria["islamic_state"] == pytest.approx(49.2, abs=1.5)
    assert iraq["islamic_state"] == pytest.approx(14.2, abs=1.5)


def agreement(a: pd.DataFrame, b: pd.DataFrame) -> float:
    """Share of area where both snapshots name the same faction (a contested/mixed area agrees
    with either of its two factions)."""
    ga, gb = np.asarray(a.geometry.values), np.asarray(b.geometry.values)
    i, j = shapely.STRtree(gb).query(ga, predicate="intersects")
    km2 = equal_area_km2(shapely.intersection(ga[i], gb[j]))
    fa, sa = a["faction"].to_numpy()[i], a["secondary"].to_numpy()[i]
    fb, sb = b["faction"].to_numpy()[j], b["secondary"].to_numpy()[j]
    agree = np.array(
        [x == y or x in (y, t) or y in (x, s) for x, s, y, t in zip(fa, sa, fb, sb, strict=True)]
    )
    return float(km2[agree].sum() / km2.sum())


def test_rolled_back_wikipedia_points_agree_with_the_curated_points() -> None:
    meta = {"date": "2017-01-08", "label": "x", "source": "x", "licence": "x"}
    wiki = derive_snapshot(
        read_points(CONTROL / "wikipedia_points_2017-01-08.csv", date="2017-01-08"), **meta
    )
    curated = derive_snapshot(
        read_points(CONTROL / "curated_points_2017-01-08_2018-02-07.csv", date="2017-01-08"), **meta
    )
    for code, name in (("SY", "Syria"), ("IQ", "Iraq")):
        a = wiki.areas[wiki.areas["country"] == code]
        b = curated.areas[curated.areas["country"] == code]
        share = agreement(a, b)
        print(f"2017-01-08 Wikipedia rolled back vs curated: agree on {share:.1%} of {name}")
        assert share >= 0.75

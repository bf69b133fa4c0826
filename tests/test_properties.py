"""Property-based tests of validation and of the GeoJSON round-trip (issue 8).

- Validation is total over hostile tables: on random property tables (any column names, any
  values: None, NaN, ±inf, huge ints, bytes, dates, nested lists and dicts) and on random,
  possibly invalid geometries (NaN coordinates, bow-ties, slivers, points, lines, empties, any
  CRS), ``check``/``validate`` return a report or raise from the :class:`MapAppError` family —
  nothing else, and no stray warning other than :class:`SnapshotWarning`.
- Whatever validation accepts can be serialised (``snapshot_to_geojson`` gives JSON) — the
  catalog relies on it.
- A valid snapshot exported to GeoJSON and read back through ``readers.read_vector`` +
  ``validate`` keeps its features: same count, factions, statuses, notes and extra columns, and
  geometry equal within the export precision.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import tempfile
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from mapapp.errors import MapAppError
from mapapp.factions import registry
from mapapp.geojson import snapshot_to_geojson
from mapapp.readers import read_vector
from mapapp.snapshot import AREA_COLUMNS, ControlSnapshot
from mapapp.validate import SnapshotMeta, SnapshotWarning, check, validate

SETTINGS = settings(
    max_examples=50, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
META = SnapshotMeta(dt.date(2017, 6, 1), "property test", "hypothesis", "CC0", "medium")
IDS = tuple(registry().ids)
ALIASES = ("ISIS", "Daesh", "SAA", "regime", "YPG", "FSA", "PMF", "Peshmerga", "HTS", "no_data")
# Grid cells (0.2° squares) near Deir ez-Zor, inside the region; distinct cells never overlap.
CELL = 0.2


def cell(i: int) -> shapely.Polygon:
    row, col = divmod(i, 6)
    x, y = 38.8 + col * CELL, 34.6 + row * CELL
    return shapely.box(x, y, x + CELL, y + CELL)


values = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.binary(max_size=12),
    st.dates(),
    st.datetimes(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)
faction_values = st.one_of(
    st.sampled_from(IDS + ALIASES), st.text(max_size=20), st.none(), st.integers(), st.floats()
)
column_names = st.text(min_size=1, max_size=12).filter(lambda c: c.lower() != "geometry")


def run_validation(raw: gpd.GeoDataFrame, **kwargs: Any) -> ControlSnapshot | None:
    """Validate; return the snapshot or None for a domain error. Anything else propagates.

    Every warning other than :class:`SnapshotWarning` stays an error (numpy's RuntimeWarnings on
    absurd coordinates included).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SnapshotWarning)
        report = check(raw, META, **kwargs)
        try:
            snapshot = validate(raw, META, **kwargs)
        except MapAppError:
            snapshot = None
    assert all(issubclass(w.category, SnapshotWarning) for w in caught)
    assert (report.snapshot is None) == (snapshot is None)
    if snapshot is not None:
        assert_canonical(snapshot)
    return snapshot


def assert_canonical(snapshot: ControlSnapshot) -> None:
    """The invariants every downstream module trusts, and the catalog's serialisation."""
    areas = snapshot.areas
    assert list(areas.columns[: len(AREA_COLUMNS)]) == list(AREA_COLUMNS)
    assert areas.crs is not None and areas.crs.to_epsg() == 4326
    assert bool(areas.geometry.is_valid.all()) and not bool(areas.geometry.is_empty.any())
    assert set(areas.geometry.geom_type) <= {"Polygon", "MultiPolygon"}
    assert set(areas["faction"]) <= {*IDS, "no_data"}
    assert set(areas["status"]) <= {"control", "contested", "mixed"}
    payload = json.loads(snapshot_to_geojson(snapshot))
    assert len(payload["features"]) == len(areas)


@st.composite
def property_tables(draw: st.DrawFn) -> gpd.GeoDataFrame:
    n = draw(st.integers(min_value=1, max_value=5))
    cells = draw(st.lists(st.integers(0, 29), min_size=n, max_size=n, unique=True))
    fcol = draw(st.sampled_from(["faction", "Controller", "SIDE", "group", "owner"]) | column_names)
    data: dict[str, list[Any]] = {fcol: draw(st.lists(faction_values, min_size=n, max_size=n))}
    for name in draw(st.lists(column_names, max_size=4, unique=True)):
        if name != fcol:
            data[name] = draw(st.lists(values, min_size=n, max_size=n))
    frame = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in data.items()})
    return gpd.GeoDataFrame(frame, geometry=[cell(i) for i in cells], crs="EPSG:4326")


coords = st.one_of(
    st.floats(min_value=34.0, max_value=42.0),  # near the region, to reach the deep checks
    st.floats(allow_nan=True, allow_infinity=True),
)


@st.composite
def raw_geometries(draw: st.DrawFn) -> shapely.Geometry | None:
    kind = draw(st.sampled_from(["polygon", "polygon", "polygon", "multi", "point", "line", "empty", "none"]))
    if kind == "none":
        return None
    if kind == "empty":
        return shapely.Polygon()
    points = draw(st.lists(st.tuples(coords, coords), min_size=1, max_size=8))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # shapely on NaN input: the harness, not the test
        return _geometry(kind, points, draw)


def _geometry(kind: str, points: list[tuple[float, float]], draw: st.DrawFn) -> shapely.Geometry:
    try:
        if kind == "point":
            return shapely.Point(points[0])
        if kind == "line":
            return shapely.LineString(points) if len(points) > 1 else reject()
        if len(points) < 3:
            reject()
        ring = points + ([points[0]] if draw(st.booleans()) else [])
        poly = shapely.Polygon(ring)
        return shapely.MultiPolygon([poly, cell(draw(st.integers(0, 29)))]) if kind == "multi" else poly
    except (ValueError, shapely.errors.GEOSException):
        reject()


@SETTINGS
@given(table=property_tables())
def test_validation_is_total_on_random_property_tables(table: gpd.GeoDataFrame) -> None:
    snapshot = run_validation(table)
    if snapshot is not None:
        assert len(snapshot.areas) == len(table)


@SETTINGS
@given(
    geoms=st.lists(raw_geometries(), min_size=1, max_size=5),
    crs=st.sampled_from(["EPSG:4326", "EPSG:3857", "EPSG:32637", None]),
    policy=st.sampled_from(["raise", "warn", "fix"]),
)
def test_validation_is_total_on_random_geometries(
    geoms: list[shapely.Geometry | None], crs: str | None, policy: str
) -> None:
    factions = [IDS[i % len(IDS)] for i in range(len(geoms))]
    raw = gpd.GeoDataFrame({"faction": factions}, geometry=gpd.GeoSeries(geoms), crs=crs)
    run_validation(raw, on_invalid=policy)


def test_overlap_beyond_the_pole_raises_no_stray_warning() -> None:
    """Regression: check_overlaps leaked numpy's 'invalid value encountered in area' (fixed)."""
    ring = shapely.from_wkt("POLYGON ((34 34, 34 91, 35 34, 34 34))")
    raw = gpd.GeoDataFrame({"faction": ["sdf", "hts"]}, geometry=[ring, ring], crs="EPSG:4326")
    run_validation(raw, on_invalid="raise")


def test_huge_coordinate_raises_no_stray_warning() -> None:
    """Regression: _validity leaked 'overflow encountered in is_valid_reason' (fixed)."""
    ring = shapely.from_wkt("POLYGON ((34 34, 42 34, 34 34, 34 1e308, 34 34))")
    raw = gpd.GeoDataFrame({"faction": ["sdf"]}, geometry=[ring], crs="EPSG:4326")
    run_validation(raw, on_invalid="raise")


# -- round-trip ---------------------------------------------------------------------------------
notes = st.one_of(st.none(), st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40))


@st.composite
def valid_tables(draw: st.DrawFn) -> gpd.GeoDataFrame:
    n = draw(st.integers(min_value=1, max_value=8))
    cells = draw(st.lists(st.integers(0, 29), min_size=n, max_size=n, unique=True))
    shift = draw(st.floats(min_value=0, max_value=0.05))  # off-grid coordinates with many decimals
    geoms = [shapely.affinity.translate(cell(i), shift, shift / 3) for i in cells]
    data = {
        "faction": draw(st.lists(st.sampled_from(IDS), min_size=n, max_size=n)),
        "confidence": draw(st.lists(st.sampled_from(["high", "medium", "low"]), min_size=n, max_size=n)),
        "note": draw(st.lists(notes, min_size=n, max_size=n)),
        "population": draw(st.lists(st.integers(0, 10**9), min_size=n, max_size=n)),
    }
    frame = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in data.items()})
    return gpd.GeoDataFrame(frame, geometry=geoms, crs="EPSG:4326")


@SETTINGS
@given(table=valid_tables())
def test_export_then_reread_round_trips_the_features(table: gpd.GeoDataFrame) -> None:
    first = run_validation(table)
    assert first is not None, "a table of known factions on distinct cells must validate"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "snapshot.geojson"
        path.write_bytes(snapshot_to_geojson(first))
        second = run_validation(read_vector(path))
    assert second is not None
    a, b = first.areas, second.areas
    assert len(a) == len(b) == len(table)
    for column in ("faction", "secondary", "status", "confidence"):
        assert list(a[column]) == list(b[column]), column
    assert [n or None for n in a["note"]] == [n or None for n in b["note"]]
    assert [int(v) for v in a["population"]] == [int(v) for v in b["population"]]
    for ga, gb in zip(a.geometry, b.geometry, strict=True):
        assert shapely.hausdorff_distance(ga, gb) <= 1e-6
        assert math.isclose(ga.area, gb.area, rel_tol=1e-6)


def test_round_trip_property_runs_on_the_xss_corpus_values() -> None:
    """A fixed example alongside the random ones: markup survives verbatim, as text."""
    hostile = ["<script>alert(1)</script>", '<img src=x onerror="alert(2)">', "javascript:alert(3)"]
    table = gpd.GeoDataFrame(
        {
            "faction": pd.Series(["sdf", "hts", "syrian_government"], dtype=object),
            "note": pd.Series(hostile, dtype=object),
            "population": pd.Series([1, 2, 3], dtype=object),
        },
        geometry=[cell(0), cell(1), cell(2)],
        crs="EPSG:4326",
    )
    first = run_validation(table)
    assert first is not None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.geojson"
        path.write_bytes(snapshot_to_geojson(first))
        second = run_validation(read_vector(path))
    assert second is not None
    assert list(second.areas["note"]) == hostile


@pytest.mark.parametrize("policy", ["warn", "fix"])
def test_unrepairable_absurd_polygon_is_a_domain_error(policy: str) -> None:
    """Regression (found by hypothesis): make_valid raised GEOSException on 1e307 coordinates."""
    ring = shapely.from_wkb(  # the exact polygon hypothesis found (x -1.3e154, y 2.6e307)
        "010300000001000000070000000000000000004140000000000000414000000000008041400000000000004240"
        "000000000000F0DF0000000000004140000000000000414000000000000041400000000000004540922449922449"
        "C27F0000000000004140000000000080414000000000000041400000000000004140"
    )
    raw = gpd.GeoDataFrame({"faction": ["sdf"]}, geometry=[ring], crs="EPSG:4326")
    assert run_validation(raw, on_invalid=policy) is None

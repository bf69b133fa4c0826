from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from map_fixtures import governorate_snapshot

from mapapp.geography import EQUAL_AREA_CRS, governorates
from mapapp.prepare import DEFAULT_MAX_ERROR_M, prepare_areas


@pytest.fixture(scope="module")
def areas() -> gpd.GeoDataFrame:
    return governorate_snapshot().areas


@pytest.fixture(scope="module")
def prepared(areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return prepare_areas(areas, max_error_m=250)


def test_default_error_bound_is_at_most_250_m() -> None:
    assert 0 < DEFAULT_MAX_ERROR_M <= 250


def test_coverage_stays_valid_without_gaps_or_overlaps(
    areas: gpd.GeoDataFrame, prepared: gpd.GeoDataFrame
) -> None:
    geoms = np.asarray(prepared.geometry.values)
    assert shapely.is_valid(geoms).all()
    assert shapely.coverage_is_valid(geoms)
    metric = gpd.GeoSeries(geoms, crs="EPSG:4326").to_crs(EQUAL_AREA_CRS)
    summed = metric.area.sum()
    union = shapely.union_all(np.asarray(metric.values)).area
    assert summed == pytest.approx(union, rel=1e-6)  # no overlaps
    outline = gpd.GeoSeries([shapely.union_all(np.asarray(areas.geometry.values))], crs="EPSG:4326")
    gaps = shapely.difference(
        outline.to_crs(EQUAL_AREA_CRS).iloc[0], shapely.union_all(np.asarray(metric.values))
    )
    assert gaps.area / 1e6 < 0.01 * summed / 1e6  # nothing lost but boundary wiggles


def test_every_area_is_within_the_error_bound(areas: gpd.GeoDataFrame, prepared: gpd.GeoDataFrame) -> None:
    before = np.asarray(areas.geometry.to_crs(EQUAL_AREA_CRS).values)
    after = np.asarray(prepared.geometry.to_crs(EQUAL_AREA_CRS).values)
    errors = shapely.hausdorff_distance(before, after, densify=0.25)
    assert errors.max() <= 250 + 2  # + rounding to 5 decimals (~1 m)


def test_simplification_removes_vertices_and_keeps_areas(
    areas: gpd.GeoDataFrame, prepared: gpd.GeoDataFrame
) -> None:
    coarse = prepare_areas(areas, max_error_m=2000, with_governorates=False)
    n = [shapely.get_num_coordinates(np.asarray(f.geometry.values)).sum() for f in (areas, prepared, coarse)]
    assert n[0] > n[1] > n[2]
    after = coarse.geometry.to_crs(EQUAL_AREA_CRS).area / 1e6
    assert np.allclose(after, coarse["area_km2"], rtol=0.03)


def test_precision_is_reduced_to_five_decimals(prepared: gpd.GeoDataFrame) -> None:
    coords = shapely.get_coordinates(np.asarray(prepared.geometry.values))
    assert np.allclose(coords, np.round(coords, 5), atol=1e-9)


def test_area_km2_is_measured_on_the_original_geometry(
    areas: gpd.GeoDataFrame, prepared: gpd.GeoDataFrame
) -> None:
    expected = areas.geometry.to_crs(EQUAL_AREA_CRS).area / 1e6
    assert np.allclose(prepared["area_km2"], expected)
    syria = prepared.loc[governorates()["country"] == "SY", "area_km2"].sum()
    assert syria == pytest.approx(185_940, rel=0.01)


def test_each_governorate_names_itself(areas: gpd.GeoDataFrame, prepared: gpd.GeoDataFrame) -> None:
    assert list(prepared["governorates"]) == list(areas["name"])


def test_governorates_of_a_merged_area_are_listed_largest_first() -> None:
    gov = governorates()
    pick = gov[gov["name_en"].isin(["Damascus", "Homs", "Hama"])]
    merged = gpd.GeoDataFrame(geometry=[shapely.union_all(np.asarray(pick.geometry.values))], crs="EPSG:4326")
    assert prepare_areas(merged)["governorates"].iloc[0] == "Homs, Hama, Damascus"


def test_input_is_not_modified_and_negative_error_is_refused(areas: gpd.GeoDataFrame) -> None:
    before = areas.copy()
    prepare_areas(areas)
    assert before.geometry.equals(areas.geometry) and list(before.columns) == list(areas.columns)
    with pytest.raises(ValueError, match="max_error_m must be >= 0"):
        prepare_areas(areas, max_error_m=-1)


def test_repair_turns_a_bow_tie_into_its_two_triangles() -> None:
    from mapapp.prepare import repair

    bow = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    fixed = repair(np.array([bow, shapely.box(0, 0, 1, 1)], dtype=object))
    assert shapely.is_valid(fixed).all()
    assert fixed[0].geom_type == "MultiPolygon" and fixed[0].area == pytest.approx(0.5)
    assert fixed[1].equals(shapely.box(0, 0, 1, 1))


MANIFEST = Path(__file__).resolve().parent.parent / "geodata" / "snapshots" / "manifest.json"
DATES = [e["date"] for e in json.loads(MANIFEST.read_text())["snapshots"]] if MANIFEST.exists() else []


@pytest.mark.skipif(not DATES, reason="bundled snapshots not built yet")
@pytest.mark.parametrize("date", DATES)
def test_bundled_snapshots_prepare_to_valid_geometry_within_the_bound(date: str) -> None:
    from mapapp.catalog import Catalog

    areas = Catalog(MANIFEST.parent.parent).load(date).areas
    prepared = prepare_areas(areas)
    assert shapely.is_valid(np.asarray(prepared.geometry.values)).all()
    before = np.asarray(areas.geometry.to_crs(EQUAL_AREA_CRS).values)
    after = np.asarray(prepared.geometry.to_crs(EQUAL_AREA_CRS).values)
    assert shapely.hausdorff_distance(before, after, densify=0.25).max() <= DEFAULT_MAX_ERROR_M + 2
    assert prepared["area_km2"].sum() == pytest.approx(shapely.area(before).sum() / 1e6)
    assert (prepared["governorates"] != "").all()


def _boxes(factions: list[str], notes: list[object], xs: list[float]) -> gpd.GeoDataFrame:
    geoms = [shapely.box(38 + x, 35, 38.5 + x, 35.5) for x in xs]
    return gpd.GeoDataFrame(
        {"faction": factions, "secondary": None, "status": "control", "confidence": "high",
         "note": None, "extra": notes},
        geometry=geoms, crs="EPSG:4326",
    )  # fmt: skip


def test_dissolve_merges_touching_areas_drawn_alike_and_keeps_the_rest_apart() -> None:
    from mapapp.prepare import dissolve_areas

    areas = _boxes(["sdf", "sdf", "sdf", "hts"], ["a", "b", "c", "d"], [0, 0.5, 2, 1])
    merged = dissolve_areas(areas)
    assert list(merged.columns) == list(areas.columns) and merged.crs == areas.crs
    assert sorted(merged["faction"]) == ["hts", "sdf", "sdf"]  # the far sdf box stays apart
    sdf = merged[merged["faction"] == "sdf"]
    assert sorted(shapely.area(np.asarray(sdf.geometry.values)).round(6)) == [0.25, 0.5]
    assert list(merged["extra"]) == [None, None, "d"]  # disagreeing values are dropped
    assert shapely.area(np.asarray(merged.geometry.values)).sum() == pytest.approx(1.0)  # four 0.5° boxes
    assert shapely.coverage_is_valid(np.asarray(merged.geometry.values))


def test_dissolve_keeps_areas_that_differ_in_status_or_note() -> None:
    from mapapp.prepare import dissolve_areas

    areas = _boxes(["sdf", "sdf"], [["x"], ["x"]], [0, 0.5])
    areas.loc[1, "note"] = "disputed"
    merged = dissolve_areas(areas)
    assert len(merged) == 2 and list(merged["extra"]) == [["x"], ["x"]]

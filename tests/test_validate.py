"""Validation: every rule of issue 2 item 6, on tiny frames built in code and one fixture per failure mode."""

from __future__ import annotations

import datetime as dt
import decimal
import importlib.util
import json
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mapapp.errors import SnapshotValidationError
from mapapp.geojson import snapshot_to_geojson
from mapapp.readers import ATTR_FORMAT, read_vector
from mapapp.snapshot import AREA_COLUMNS
from mapapp.validate import SnapshotMeta, SnapshotWarning, check, parse_faction_map, validate
from mapapp.validate_coverage import SLIVER_KM2

DATA = Path(__file__).parent / "data"
META = SnapshotMeta(dt.date(2018, 3, 1), "Test", "tests", "CC0", "medium")
GEOD = pyproj.Geod(ellps="WGS84")


def box(x: float, y: float, w: float = 0.5, h: float = 0.5) -> shapely.Polygon:
    return shapely.box(x, y, x + w, y + h)


def frame(geoms: list[Any], crs: str | None = "EPSG:4326", **cols: list[Any]) -> gpd.GeoDataFrame:
    if not cols:
        cols = {"faction": ["syrian_government", "islamic_state", "sdf", "hts"][: len(geoms)]}
    return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries(geoms), crs=crs)


def codes(raw: gpd.GeoDataFrame, **kw: Any) -> list[str]:
    return [p.code for p in check(raw, META, **kw).problems]


def load_fixtures_module() -> Any:
    spec = importlib.util.spec_from_file_location("make_fixtures", DATA / "make_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- the happy path --------------------------------------------------------------------------------
def test_valid_frame_becomes_canonical_snapshot() -> None:
    raw = frame([box(39, 35), box(39.5, 35)], faction=["SAA", "Daesh"], name=["w", "e"])
    snap = validate(raw, META)
    assert list(snap.areas.columns) == [*AREA_COLUMNS, "source_faction", "name", "geometry"]
    assert snap.areas["faction"].tolist() == ["syrian_government", "islamic_state"]
    assert snap.areas["source_faction"].tolist() == ["SAA", "Daesh"]
    assert snap.areas["status"].tolist() == ["control", "control"]
    assert snap.areas["confidence"].tolist() == ["medium", "medium"]  # the snapshot's overall confidence
    assert snap.areas.crs.to_epsg() == 4326
    assert (snap.date, snap.label, snap.licence) == (dt.date(2018, 3, 1), "Test", "CC0")
    assert snap.provenance["faction_field"] == "faction"
    assert raw["faction"].tolist() == ["SAA", "Daesh"], "the caller's frame must not change"


def test_metadata_defaults_and_licence_warning() -> None:
    report = check(frame([box(39, 35)]), {"date": "2018-03-01"}, source_name="x.geojson")
    assert report.snapshot is not None
    assert report.snapshot.label == "Control areas, 2018-03-01"
    assert report.snapshot.source == "imported from x.geojson"
    assert report.snapshot.licence == "unspecified"
    assert report.snapshot.confidence == "approximate"
    assert [p.code for p in report.warnings] == ["missing-licence"]


def test_bad_metadata_reported() -> None:
    report = check(frame([box(39, 35)]), {"date": "March 2018", "confidence": "sure"})
    assert report.snapshot is None
    assert {p.code for p in report.errors} == {"missing-date", "bad-confidence"}
    assert "--date YYYY-MM-DD" in report.errors[0].fix


def test_without_metadata_only_data_checked() -> None:
    report = check(frame([box(39, 35)]), None)
    assert report.ok and report.snapshot is None
    assert report.summary["factions"] == {"syrian_government": 1}


# -- collect, then raise once ----------------------------------------------------------------------
def test_every_problem_collected_in_one_error() -> None:
    raw = frame([box(39, 35, 0.6), box(39.5, 35), None], faction=["SAA", "ISIS", "Tiger Forces"])
    with pytest.raises(SnapshotValidationError, match=r"3 error\(s\)") as info:
        validate(raw, META)
    found = {p.code for p in info.value.problems}
    assert {"overlap", "null-geometry", "unknown-faction"} <= found
    message = str(info.value)
    assert "Tiger Forces" in message and "km²" in message and "feature #2" in message


def test_empty_frame() -> None:
    with pytest.raises(SnapshotValidationError, match="empty-file: the file has no features"):
        validate(frame([]), META)


# -- faction column --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["faction", "Controller", "CONTROL", "group", "Layer", "owner", "side"])
def test_faction_column_auto_detected_case_insensitively(name: str) -> None:
    snap = validate(frame([box(39, 35)], **{name: ["sdf"], "other": ["x"]}), META)
    assert snap.areas["faction"].tolist() == ["sdf"]
    assert snap.provenance["faction_field"] == name


def test_no_faction_column_lists_columns_and_the_option() -> None:
    with pytest.raises(SnapshotValidationError, match=r"no faction column found") as info:
        validate(frame([box(39, 35)], held_by=["sdf"], name=["a"]), META)
    problem = info.value.problems[0]
    assert "['held_by', 'name']" in problem.found
    assert problem.fix == "--faction-field 'held_by': 1 of its 1 distinct values are known faction names"
    bare = check(frame([box(39, 35)], name=["a"]), META).errors[0]
    assert bare.fix == "name the column that holds the faction with --faction-field COLUMN (faction_field=)"


def test_named_faction_field_missing() -> None:
    with pytest.raises(SnapshotValidationError, match=r"the faction column 'who' does not exist"):
        validate(frame([box(39, 35)], held_by=["sdf"]), META, faction_field="who")
    snap = validate(frame([box(39, 35)], held_by=["sdf"]), META, faction_field="HELD_BY")
    assert snap.areas["faction"].tolist() == ["sdf"]


def test_unknown_factions_each_with_count_closest_and_mapping() -> None:
    raw = frame(
        [box(39, 35), box(39.5, 35), box(40, 35)],
        faction=["Tiger Forces", "Tiger Forces", "Syrian Democratic Force"],
    )
    report = check(raw, META)
    unknown = {p.details["value"]: p for p in report.errors}
    assert unknown["Tiger Forces"].details["count"] == 2
    assert "sdf" in unknown["Syrian Democratic Force"].details["closest"]
    assert '--map-factions "Syrian Democratic Force=sdf"' in unknown["Syrian Democratic Force"].fix
    assert unknown["Tiger Forces"].where == "column 'faction', features #0, #1"


def test_explicit_mapping_and_aliases_resolve() -> None:
    raw = frame([box(39, 35), box(39.5, 35)], faction=["Tiger Forces", "da'ish"])
    snap = validate(raw, META, faction_map={"tiger forces": "SAA"})
    assert snap.areas["faction"].tolist() == ["syrian_government", "islamic_state"]
    assert snap.provenance["faction_map"] == {"tiger forces": "syrian_government"}


def test_mapping_errors_and_unused_entries() -> None:
    raw = frame([box(39, 35)], faction=["sdf"])
    report = check(raw, META, faction_map={"sdf": "martians"})
    assert [p.code for p in report.errors] == ["bad-faction-map"]
    with pytest.warns(SnapshotWarning, match="the mapping of 'Daesh' was not used"):
        validate(raw, META, faction_map={"Daesh": "islamic_state"})


def test_missing_faction_values() -> None:
    raw = frame([box(39, 35), box(39.5, 35)], faction=["sdf", "  "])
    with pytest.raises(SnapshotValidationError, match=r"1 feature\(s\) have no faction in column 'faction'"):
        validate(raw, META)


def test_status_value_as_faction_gets_a_specific_hint() -> None:
    report = check(frame([box(39, 35)], faction=["contested"]), META)
    assert "is a status, not a faction" in report.errors[0].fix


# -- parse_faction_map -----------------------------------------------------------------------------
def test_parse_faction_map() -> None:
    assert parse_faction_map("Jaysh al-Islam=syrian_opposition, Regime forces=syrian_government,") == {
        "Jaysh al-Islam": "syrian_opposition",
        "Regime forces": "syrian_government",
    }
    assert parse_faction_map(r"a\,b=sdf") == {"a,b": "sdf"}
    assert parse_faction_map("<b onclick=x>=sdf") == {"<b onclick=x>": "sdf"}  # split at the last '='


@pytest.mark.parametrize("text", ["Daesh", "=sdf", "Daesh=", "a=sdf,a=hts"])
def test_parse_faction_map_errors(text: str) -> None:
    with pytest.raises(SnapshotValidationError, match=r"cannot read the faction mapping item") as info:
        parse_faction_map(text)
    assert "NAME=faction_id" in info.value.problems[0].expected


# -- status, secondary, confidence, note -----------------------------------------------------------
def test_optional_columns_resolved() -> None:
    raw = frame(
        [box(39, 35), box(39.5, 35), box(40, 35)],
        faction=["SAA", "ISIS", "SDF"],
        Status=["held", "front line", None],
        secondary=[None, "regime", None],
        confidence=["HIGH", None, "low"],
        notes=["a", None, "c"],
    )
    snap = validate(raw, META)
    assert snap.areas["status"].tolist() == ["control", "contested", "control"]
    assert snap.areas["secondary"].tolist() == [None, "syrian_government", None]
    assert snap.areas["confidence"].tolist() == ["high", "medium", "low"]
    assert snap.areas["note"].tolist() == ["a", None, "c"]
    assert snap.factions == ("islamic_state", "sdf", "syrian_government")


def test_bad_status_confidence_and_missing_secondary() -> None:
    raw = frame(
        [box(39, 35), box(39.5, 35)],
        faction=["sdf", "hts"],
        status=["besieged", "mixed"],
        confidence=["certain", "low"],
    )
    report = check(raw, META)
    assert {p.code for p in report.errors} == {"unknown-status", "unknown-confidence", "missing-secondary"}
    status = next(p for p in report.errors if p.code == "unknown-status")
    assert "control, contested, mixed" in status.expected


def test_secondary_of_controlled_area_dropped_with_warning() -> None:
    raw = frame([box(39, 35)], faction=["sdf"], secondary=["hts"])
    with pytest.warns(SnapshotWarning, match="secondary faction of 1 controlled area"):
        snap = validate(raw, META)
    assert snap.areas["secondary"].tolist() == [None]


# -- CRS -------------------------------------------------------------------------------------------
def test_missing_crs_is_an_error_unless_geojson() -> None:
    raw = frame([box(39, 35)], crs=None)
    with pytest.raises(SnapshotValidationError, match="declares no coordinate reference system"):
        validate(raw, META)
    raw.attrs[ATTR_FORMAT] = "GeoJSON"
    assert validate(raw, META).areas.crs.to_epsg() == 4326


def test_crs_given_for_a_file_without_one() -> None:
    raw = frame([box(39, 35)]).to_crs("EPSG:32637").set_crs(None, allow_override=True)
    with pytest.raises(SnapshotValidationError, match=r"--crs EPSG:<code>"):
        validate(raw, META)
    snap = validate(raw, META, crs="EPSG:32637")
    np.testing.assert_allclose(snap.areas.total_bounds, [39, 35, 39.5, 35.5], atol=1e-6)
    assert [p.code for p in check(raw, META, crs="EPSG:99999").errors] == ["bad-crs"]


def test_crs_given_never_overrides_a_declared_one() -> None:
    with pytest.warns(
        SnapshotWarning, match=r"declares 'EPSG:4326'; the CRS given \('EPSG:3857'\) is not used"
    ):
        snap = validate(frame([box(39, 35)]), META, crs="EPSG:3857")
    assert snap.areas.total_bounds[0] == pytest.approx(39)


def test_projected_crs_reprojected() -> None:
    raw = frame([box(39, 35)]).to_crs("EPSG:3857")
    snap = validate(raw, META)
    np.testing.assert_allclose(snap.areas.total_bounds, [39, 35, 39.5, 35.5], atol=1e-9)
    assert snap.provenance["source_crs"] == "EPSG:3857"


def test_other_geographic_crs_reprojected() -> None:
    raw = frame([box(39, 35)], crs="EPSG:4230")  # ED50
    snap = validate(raw, META)
    assert snap.areas.crs.to_epsg() == 4326
    assert abs(snap.areas.total_bounds[0] - 39) > 1e-6  # a datum shift happened


# -- geometry --------------------------------------------------------------------------------------
def test_null_and_empty_geometries_named() -> None:
    raw = frame([box(39, 35), None, shapely.Polygon()], faction=["sdf", "sdf", "hts"])
    report = check(raw, META)
    assert {(p.code, p.where) for p in report.errors} == {
        ("null-geometry", "feature #1"),
        ("empty-geometry", "feature #2"),
    }


def test_points_and_lines_mixed_in() -> None:
    raw = frame(
        [box(39, 35), shapely.Point(39.7, 35.2), shapely.LineString([(40, 35), (40.5, 35.5)])],
        faction=["sdf", "hts", "hts"],
    )
    with pytest.raises(
        SnapshotValidationError, match=r"points or lines mixed in.*1 Point, 1 LineString"
    ) as info:
        validate(raw, META)
    assert info.value.problems[0].details["features"] == [1, 2]


def test_no_polygons_suggests_derive_for_points() -> None:
    raw = frame([shapely.Point(39, 35), shapely.Point(40, 35)], faction=["sdf", "hts"])
    with pytest.raises(SnapshotValidationError, match="the file has no polygons, only 2 Point") as info:
        validate(raw, META)
    assert "mapapp derive" in info.value.problems[0].fix


def test_geometry_collection_reduced_to_polygons() -> None:
    gc = shapely.GeometryCollection([box(39, 35), shapely.Point(39.2, 35.2)])
    with pytest.warns(SnapshotWarning, match="GeometryCollection"):
        snap = validate(frame([gc], faction=["sdf"]), META)
    assert snap.areas.geometry.iloc[0].equals(box(39, 35))


BOWTIE = shapely.Polygon([(39, 35), (39.5, 35.5), (39.5, 35), (39, 35.5)])


def test_invalid_geometry_policy_raise() -> None:
    with pytest.raises(
        SnapshotValidationError, match=r"(?s)1 invalid geometry\(ies\).*Self-intersection"
    ) as info:
        validate(frame([BOWTIE]), META, on_invalid="raise")
    assert "--on-invalid" in info.value.problems[0].fix


def test_invalid_geometry_policy_warn_repairs_and_warns() -> None:
    with pytest.warns(SnapshotWarning, match="repaired with make_valid"):
        snap = validate(frame([BOWTIE]), META, on_invalid="warn")
    geom = snap.areas.geometry.iloc[0]
    assert geom.is_valid and geom.geom_type == "MultiPolygon"
    assert geom.area == pytest.approx(0.125)


def test_invalid_geometry_policy_fix_repairs_silently_but_reports() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        snap = validate(frame([BOWTIE]), META, on_invalid="fix")
    assert snap.areas.geometry.iloc[0].is_valid
    report = check(frame([BOWTIE]), META, on_invalid="fix")
    assert [p.code for p in report.warnings] == ["invalid-geometry"]


def test_collapsed_geometry_after_repair_is_an_error() -> None:
    flat = shapely.Polygon([(39, 35), (39.5, 35), (39.25, 35)])
    assert "invalid-geometry-collapsed" in codes(frame([flat]), on_invalid="fix")


def test_non_finite_coordinates() -> None:
    with np.errstate(invalid="ignore"):
        bad = shapely.Polygon([(39, 35), (np.nan, 35), (39.5, 35.5), (39, 35)])
    with pytest.raises(SnapshotValidationError, match=r"(?s)NaN or infinite coordinates.*feature #1"):
        validate(frame([box(40, 35), bad], faction=["sdf", "hts"]), META)


def test_z_and_m_dropped_with_warning() -> None:
    z = shapely.Polygon([(39, 35, 1), (39.5, 35, 1), (39.5, 35.5, 1), (39, 35, 1)])
    m = shapely.from_wkt("POLYGON M ((40 35 1, 40.5 35 1, 40.5 35.5 1, 40 35 1))")
    with pytest.warns(SnapshotWarning, match="Z and M values of 2 feature"):
        snap = validate(frame([z, m], faction=["sdf", "hts"]), META)
    assert not shapely.has_z(snap.areas.geometry.values).any()
    assert not shapely.has_m(snap.areas.geometry.values).any()


# -- coverage --------------------------------------------------------------------------------------
def test_overlap_reported_with_location_and_km2() -> None:
    raw = frame([box(39, 35, 0.6), box(39.5, 35)], faction=["sdf", "islamic_state"])
    report = check(raw, META)
    (problem,) = report.errors
    expected_km2 = abs(GEOD.geometry_area_perimeter(box(39.5, 35, 0.1, 0.5))[0]) / 1e6
    assert problem.details["km2"] == pytest.approx(expected_km2, rel=0.005)
    assert 39.5 < problem.details["lon"] < 39.6 and 35 < problem.details["lat"] < 35.5
    assert problem.details["features"] == [0, 1]
    assert "'sdf' and 'islamic_state' overlap by" in problem.message


def test_contained_and_identical_areas_are_overlaps() -> None:
    raw = frame(
        [box(39, 35), box(39.1, 35.1, 0.1, 0.1), box(40, 35), box(40, 35)],
        faction=["sdf", "hts", "sdf", "hts"],
    )
    pairs = sorted(tuple(p.details["features"]) for p in check(raw, META).errors)
    assert pairs == [(0, 1), (2, 3)]


def test_slivers_below_tolerance_are_a_warning() -> None:
    eps = 1e-7  # about 1 cm along 55 km: a digitising sliver
    raw = frame([box(39, 35, 0.5 + eps), box(39.5, 35)], faction=["sdf", "hts"])
    report = check(raw, META)
    assert report.ok
    (sliver,) = [p for p in report.warnings if p.code == "overlap-slivers"]
    assert sliver.details["km2"] < SLIVER_KM2


def test_same_faction_overlap_is_a_warning() -> None:
    raw = frame([box(39, 35, 0.6), box(39.5, 35)], faction=["sdf", "sdf"])
    with pytest.warns(SnapshotWarning, match="same faction overlap"):
        validate(raw, META)


def test_shared_edges_are_not_overlaps() -> None:
    raw = frame([box(39, 35), box(39.5, 35), box(39, 35.5, 1.0)], faction=["sdf", "hts", "islamic_state"])
    assert check(raw, META).problems == ()


# -- region ----------------------------------------------------------------------------------------
def test_swapped_axes_detected() -> None:
    raw = frame([box(35, 39), box(35, 39.5)], faction=["sdf", "hts"])
    with pytest.raises(
        SnapshotValidationError, match=r"outside the Syria/Iraq region: bounding box lon 35…35\.5, lat 39…40"
    ):
        validate(raw, META)
    assert "swap the axes" in check(raw, META).errors[0].fix


def test_entirely_outside_points_at_the_crs() -> None:
    report = check(frame([box(2, 48)]), META)  # Paris
    assert [p.code for p in report.errors] == ["outside-region"]
    assert "CRS" in report.errors[0].fix


def test_projected_coordinates_declared_as_degrees() -> None:
    raw = frame([box(4_300_000, 4_100_000, 50_000, 50_000)])
    report = check(raw, META)
    assert [p.code for p in report.errors] == ["coordinates-out-of-range"]


def test_partly_outside_is_a_warning_naming_features() -> None:
    raw = frame([box(39, 35), box(41, 39.5)], faction=["sdf", "turkey_backed"])
    with pytest.warns(SnapshotWarning, match="1 feature\\(s\\) extend beyond the Syria/Iraq region"):
        validate(raw, META)
    report = check(raw, META)
    assert report.warnings[0].where == "feature #1"


# -- property values -------------------------------------------------------------------------------
def test_values_made_json_safe_and_extras_kept() -> None:
    raw = frame(
        [box(39, 35), box(39.5, 35)],
        faction=["sdf", "hts"],
        when=[dt.date(2017, 1, 8), dt.datetime(2017, 1, 9, 12, 30)],
        blob=[b"caf\xc3\xa9", b"\xff"],
        amount=[decimal.Decimal("1.5"), np.int64(3)],
        nested=[{"a": [1, 2]}, None],
        Note=["n", None],
        count=[1, 2],
    )
    with pytest.warns(SnapshotWarning, match="converted"):
        snap = validate(raw, META)
    areas = snap.areas
    assert areas["when"].tolist() == ["2017-01-08", "2017-01-09T12:30:00"]
    assert areas["blob"].tolist() == ["café", "\ufffd"]
    assert areas["amount"].tolist() == [1.5, 3]
    assert areas["nested"].tolist() == ['{"a": [1, 2]}', None]
    assert areas["note"].tolist() == ["n", None]
    assert areas["count"].tolist() == [1, 2]
    text = snapshot_to_geojson(snap).decode()
    assert json.loads(text)["features"][0]["properties"]["when"] == "2017-01-08"


def test_colliding_columns_renamed_not_lost() -> None:
    raw = frame([box(39, 35)], side=["sdf"], faction_note=["x"], STATUS=["held"], geometry_source=["gps"])
    snap = validate(raw, META)
    assert snap.areas["source_STATUS"].tolist() == ["held"]
    assert snap.areas["status"].tolist() == ["control"]
    assert snap.areas["side"].tolist() == ["sdf"]


# -- properties ------------------------------------------------------------------------------------
ALIASES = ["SAA", "Daesh", "YPG", "HTS", "FSA", "Peshmerga", "ISF", "SNA", "no data"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(ALIASES), min_size=1, max_size=6))
def test_validation_is_idempotent(names: list[str]) -> None:
    raw = frame([box(38 + 0.5 * i, 35) for i in range(len(names))], faction=names)
    first = validate(raw, META)
    second = validate(first.areas, META)
    assert second.areas.drop(columns="geometry").equals(first.areas.drop(columns="geometry"))
    assert second.areas.geometry.geom_equals(first.areas.geometry).all()


coords = st.floats(min_value=30, max_value=45, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.tuples(coords, coords), min_size=3, max_size=6), min_size=1, max_size=4),
    st.lists(st.one_of(st.none(), st.text(max_size=8), st.integers(), st.floats()), min_size=4, max_size=4),
    st.sampled_from(["raise", "warn", "fix"]),
)
def test_check_never_raises_on_random_input(
    rings: list[list[tuple[float, float]]], values: list[Any], policy: Any
) -> None:
    geoms = [shapely.Polygon([*r, r[0]]) for r in rings]
    raw = frame(geoms, faction=[values[i % 4] for i in range(len(geoms))], extra=values[: len(geoms)])
    report = check(raw, META, on_invalid=policy)
    if report.snapshot is not None:
        assert report.snapshot.areas.geometry.is_valid.all()


# -- one fixture file per failure mode -------------------------------------------------------------
FIXTURES: dict[str, str | None] = load_fixtures_module().FIXTURES


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_fixture_reports_its_problem(name: str) -> None:
    report = check(read_vector(DATA / name), META)
    expected = FIXTURES[name]
    found = [p.code for p in report.problems]
    if expected is not None:
        assert expected in found
    elif name.startswith("held_by"):
        assert found == ["no-faction-column"]
    else:
        assert report.ok, found


@pytest.mark.parametrize("name", ["held_by.kml", "held_by_3857.zip"])
def test_non_standard_field_and_aliases_import_after_mapping(name: str) -> None:
    raw = read_vector(DATA / name)
    snap = validate(
        raw, META, faction_field="held_by", faction_map=parse_faction_map("Tiger Forces=syrian_government")
    )
    assert snap.areas["faction"].tolist() == [
        "islamic_state",
        "syrian_government",
        "syrian_opposition",
        "syrian_government",
    ]
    np.testing.assert_allclose(snap.areas.total_bounds, [39, 35, 41, 35.5], atol=1e-6)


def test_absurd_coordinates_reported_without_stray_warnings() -> None:
    beyond_pole = frame([box(39, 89.5, 0.6, 1.5), box(39.5, 89.5, 0.5, 1.5)], faction=["sdf", "hts"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [p.code for p in check(beyond_pole, META).errors] == ["coordinates-out-of-range"]
        huge = frame([shapely.Polygon([(39, 35), (1e308, 35), (39.5, 35.5), (39, 35)])], faction=["sdf"])
        assert "coordinates-out-of-range" in [p.code for p in check(huge, META).errors]

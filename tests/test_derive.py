"""Unit behaviour of point reading and derivation on tiny point sets built in code."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mapapp.cli import main
from mapapp.derive import derive_snapshot
from mapapp.errors import DeriveError
from mapapp.geography import EQUAL_AREA_CRS, countries, equal_area_km2
from mapapp.points import Observations, read_points

# Real places (lat, lon).
ABU_KAMAL = (34.45, 40.92)  # Syria, on the Iraqi border
AL_QAIM = (34.37, 41.09)  # Iraq, facing Abu Kamal
ALEPPO = (36.20, 37.16)
HOMS = (34.73, 36.71)
DAMASCUS = (33.51, 36.29)
RAQQA = (35.95, 39.01)
DEIR_EZ_ZOR = (35.34, 40.14)
PALMYRA = (34.56, 38.27)
BAGHDAD = (33.34, 44.40)
MOSUL = (36.34, 43.13)
KOBANI = (36.8906, 38.3536)  # just outside the generalised Natural Earth outline of Syria

META = {"label": "test", "source": "tests", "licence": "CC0"}


def frame(rows: list[tuple[tuple[float, float], str]], **extra: list[object]) -> pd.DataFrame:
    data: dict[str, list[object]] = {
        "lat": [p[0] for p, _ in rows],
        "lon": [p[1] for p, _ in rows],
        "controller": [c for _, c in rows],
    }
    data.update(extra)
    return pd.DataFrame(data)


def derive(df: pd.DataFrame, **kwargs: object) -> gpd.GeoDataFrame:
    return derive_snapshot(read_points(df, date="2017-01-08"), date="2017-01-08", **META, **kwargs).areas  # type: ignore[arg-type]


def outline(code: str) -> shapely.Geometry:
    c = countries()
    return c.loc[c["country"] == code, "geometry"].iloc[0]


def km2(frame: gpd.GeoDataFrame) -> float:
    return float(equal_area_km2(frame.geometry.values).sum())


def test_voronoi_is_split_per_country_and_covers_each_outline() -> None:
    df = frame([(ABU_KAMAL, "islamic_state"), (AL_QAIM, "iraqi_government")], country=["SY", "IQ"])
    areas = derive(df)
    assert set(areas.loc[areas["country"] == "SY", "faction"]) == {"islamic_state"}
    assert set(areas.loc[areas["country"] == "IQ", "faction"]) == {"iraqi_government"}
    for code in ("SY", "IQ"):
        expected = equal_area_km2([outline(code)])[0]
        assert km2(areas[areas["country"] == code]) == pytest.approx(expected, rel=1e-5)


def test_points_without_country_go_to_the_nearest_outline_not_point_in_polygon() -> None:
    assert not shapely.contains(outline("SY"), shapely.Point(KOBANI[1], KOBANI[0]))
    areas = derive(frame([(KOBANI, "sdf"), (BAGHDAD, "iraqi_government"), (DAMASCUS, "syrian_government")]))
    syria = areas[areas["country"] == "SY"]
    assert set(syria["faction"]) == {"sdf", "syrian_government"}
    assert set(areas.loc[areas["country"] == "IQ", "faction"]) == {"iraqi_government"}


def test_areas_are_clipped_to_the_country_outline_and_form_a_clean_coverage() -> None:
    df = frame([(ALEPPO, "syrian_government"), (RAQQA, "islamic_state"), (DAMASCUS, "syrian_opposition")])
    areas = derive(df)
    geoms = np.asarray(areas.geometry.values)
    assert shapely.is_valid(geoms).all()
    assert shapely.coverage_is_valid(geoms)
    union = shapely.union_all(geoms)
    assert equal_area_km2([shapely.difference(union, outline("SY"))])[0] < 0.01
    assert equal_area_km2([shapely.difference(outline("SY"), union)])[0] < 0.01


def test_cells_of_one_faction_are_dissolved_and_exploded_into_connected_areas() -> None:
    # Two government pockets separated by an Islamic State belt, plus a third government point
    # next to the first: 2 government areas (one with 2 points), not 3 cells and not 1 multipolygon.
    df = frame(
        [
            (DAMASCUS, "syrian_government"),
            (HOMS, "syrian_government"),
            (PALMYRA, "islamic_state"),
            (RAQQA, "islamic_state"),
            (DEIR_EZ_ZOR, "syrian_government"),
        ],
        country=["SY"] * 5,
    )
    areas = derive(df)
    gov = areas[areas["faction"] == "syrian_government"]
    assert (areas.geom_type == "Polygon").all()
    assert sorted(gov["n_points"]) == [1, 2]
    assert len(areas[areas["faction"] == "islamic_state"]) == 1
    assert list(areas.columns[:7]) == [
        "faction",
        "secondary",
        "status",
        "confidence",
        "note",
        "country",
        "n_points",
    ]


def test_contested_controller_takes_both_factions_from_the_note() -> None:
    df = pd.DataFrame(
        {
            "point_id": ["a", "b", "c"],
            "country": ["SY", "SY", "SY"],
            "lat": [DAMASCUS[0], PALMYRA[0], ALEPPO[0]],
            "lon": [DAMASCUS[1], PALMYRA[1], ALEPPO[1]],
            "controller_2017_01_08": ["syrian_government", "contested", "mixed"],
            "confidence_2017_01_08": ["high", "low", "medium"],
            "note": [
                "",
                "Sab' Biyar: contested: syrian_opposition vs islamic_state",
                "mixed: sdf+syrian_government",
            ],
        }
    )
    obs = read_points(df, date="2017-01-08").frame
    assert list(obs["faction"]) == ["syrian_government", "syrian_opposition", "sdf"]
    assert list(obs["secondary"]) == [None, "islamic_state", "syrian_government"]
    assert list(obs["status"]) == ["control", "contested", "mixed"]
    assert list(obs["confidence"]) == ["high", "low", "medium"]
    areas = derive_snapshot(read_points(df, date="2017-01-08"), date="2017-01-08", **META).areas
    contested = areas[areas["status"] == "contested"].iloc[0]
    assert (contested["faction"], contested["secondary"], contested["confidence"]) == (
        "syrian_opposition",
        "islamic_state",
        "low",
    )
    assert "contested: syrian_opposition vs islamic_state" in contested["note"]


def test_contested_controller_without_a_parsable_note_is_an_error() -> None:
    df = frame([(DAMASCUS, "contested")], note=["fighting somewhere"], name=["Jobar"])
    with pytest.raises(DeriveError, match=r"row 1 \('Jobar'\).*'contested: X vs Y'"):
        read_points(df, date="2017-01-08")


def test_wikipedia_style_secondary_and_truce_status_become_mixed() -> None:
    df = frame([(DAMASCUS, "syrian_government")], secondary=["syrian_opposition"], status=["truce"])
    obs = read_points(df, date="2017-01-08").frame.iloc[0]
    assert (obs["faction"], obs["secondary"], obs["status"]) == (
        "syrian_government",
        "syrian_opposition",
        "mixed",
    )


def test_aliases_are_resolved_with_the_registry() -> None:
    obs = read_points(frame([(DAMASCUS, "SAA"), (RAQQA, "Daesh")]), date="2017-01-08").frame
    assert list(obs["faction"]) == ["syrian_government", "islamic_state"]


def test_exact_duplicates_collapse_and_are_reported() -> None:
    df = frame([(DAMASCUS, "syrian_government"), (DAMASCUS, "syrian_government"), (RAQQA, "islamic_state")])
    snap = derive_snapshot(read_points(df, date="2017-01-08"), date="2017-01-08", **META)
    counts = snap.provenance["counts"]
    assert (counts["points_read"], counts["points_used"], counts["duplicates_collapsed"]) == (3, 2, 1)
    assert counts["conflicting_places"] == 0
    assert snap.areas.loc[snap.areas["faction"] == "syrian_government", "n_points"].sum() == 1


def test_conflicting_points_at_one_place_become_contested_and_are_warned_about() -> None:
    df = frame(
        [(DAMASCUS, "syrian_government"), (DAMASCUS, "syrian_opposition"), (RAQQA, "islamic_state")],
        name=["Jobar", "Jobar east", "Raqqa"],
    )
    snap = derive_snapshot(read_points(df, date="2017-01-08"), date="2017-01-08", **META)
    contested = snap.areas[snap.areas["status"] == "contested"]
    assert len(contested) == 1
    assert (contested["faction"].iloc[0], contested["secondary"].iloc[0]) == (
        "syrian_government",
        "syrian_opposition",
    )
    warnings = " ".join(snap.provenance["warnings"])
    assert "row 1 ('Jobar')" in warnings and "row 2 ('Jobar east')" in warnings
    assert snap.provenance["counts"]["conflicting_places"] == 1


def test_a_strict_majority_at_one_place_wins() -> None:
    df = frame([(DAMASCUS, "opposition"), (DAMASCUS, "regime"), (DAMASCUS, "SAA"), (RAQQA, "islamic_state")])
    snap = derive_snapshot(read_points(df, date="2017-01-08"), date="2017-01-08", **META)
    assert set(snap.areas["status"]) == {"control"}
    assert set(snap.areas["faction"]) == {"syrian_government", "islamic_state"}
    assert "majority syrian_government" in snap.provenance["warnings"][-1]


def test_max_distance_turns_far_land_into_no_data() -> None:
    df = frame([(DAMASCUS, "syrian_government"), (ALEPPO, "syrian_opposition")], country=["SY", "SY"])
    areas = derive(df, max_distance_km=50)
    nodata = areas[areas["faction"] == "no_data"]
    data = areas[areas["faction"] != "no_data"]
    assert len(nodata) >= 1 and nodata["note"].iloc[0].startswith("farther than 50 km")
    pts = gpd.GeoSeries(gpd.points_from_xy([36.29, 37.16], [33.51, 36.20]), crs=4326).to_crs(EQUAL_AREA_CRS)
    far = gpd.GeoSeries(nodata.geometry.values, crs=4326).to_crs(EQUAL_AREA_CRS)
    near = gpd.GeoSeries(data.geometry.values, crs=4326).to_crs(EQUAL_AREA_CRS)
    assert min(far.distance(p).min() for p in pts) > 49_000
    # data land is within reach: two discs of 50 km hold at most 2 * pi * 50² km²
    assert km2(data) < 2 * np.pi * 50**2
    assert near.distance(pts.iloc[0]).min() == 0
    assert km2(areas) == pytest.approx(equal_area_km2([outline("SY")])[0], rel=1e-5)


@pytest.mark.parametrize("bad", [0, -5.0])
def test_max_distance_must_be_positive(bad: float) -> None:
    with pytest.raises(DeriveError, match="max_distance_km: expected a positive number"):
        derive(frame([(DAMASCUS, "syrian_government")]), max_distance_km=bad)


def test_points_far_outside_both_countries_are_named() -> None:
    df = frame(
        [(DAMASCUS, "syrian_government"), ((24.7, 46.7), "iraqi_government")], name=["Damascus", "Riyadh"]
    )
    with pytest.raises(
        DeriveError, match=r"(?s)1 point\(s\) lie more than 50 km outside.*row 2 \('Riyadh'\)"
    ):
        derive(df)


def test_unknown_controller_values_are_listed_with_closest_ids() -> None:
    df = frame([(DAMASCUS, "Rebelz"), (RAQQA, "islamic_state"), (ALEPPO, "Islamc Stat")])
    with pytest.raises(DeriveError, match=r"2 problem\(s\)") as info:
        read_points(df, date="2017-01-08")
    text = str(info.value)
    assert "row 1, column 'controller': unknown controller 'Rebelz' (closest ids: syrian_opposition" in text
    assert "row 3, column 'controller': unknown controller 'Islamc Stat' (closest ids: islamic_state" in text


def test_no_usable_coordinates_is_an_error() -> None:
    df = pd.DataFrame({"lat": ["", "x"], "lon": ["", "y"], "controller": ["sdf", "sdf"]})
    with pytest.raises(DeriveError, match="no usable coordinates in 2 row"):
        read_points(df, date="2017-01-08")
    with pytest.raises(DeriveError, match="no usable coordinates: expected point geometries or latitude"):
        read_points(pd.DataFrame({"place": ["a"], "controller": ["sdf"]}), date="2017-01-08")


def test_a_row_with_bad_coordinates_is_named() -> None:
    df = pd.DataFrame({"lat": ["33.5", "95"], "lon": ["36.3", "40"], "controller": ["sdf", "sdf"]})
    with pytest.raises(DeriveError, match="row 2: no usable coordinates"):
        read_points(df, date="2017-01-08")


def test_a_date_missing_from_a_dated_file_lists_the_available_dates() -> None:
    df = pd.DataFrame(
        {"lat": [33.5], "lon": [36.3], "controller_2017_01_08": ["sdf"], "controller_2018_02_07": ["sdf"]}
    )
    with pytest.raises(DeriveError, match=r"no controller column for 2017-08-01.*2017-01-08, 2018-02-07"):
        read_points(df, date="2017-08-01")


def test_controller_column_is_detected_or_named() -> None:
    df = pd.DataFrame({"latitude": [33.5], "longitude": [36.3], "Faction": ["sdf"], "holder2": ["ISIS"]})
    assert read_points(df, date="2017-01-08").frame["faction"].iloc[0] == "sdf"
    named = read_points(df, date="2017-01-08", controller_field="holder2")
    assert named.frame["faction"].iloc[0] == "islamic_state"
    with pytest.raises(DeriveError, match="the controller column 'nope' does not exist"):
        read_points(df, date="2017-01-08", controller_field="nope")
    with pytest.raises(DeriveError, match="no controller column found"):
        read_points(df.drop(columns="Faction"), date="2017-01-08")


def test_geojson_points_are_read_through_pyogrio(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame(
        {"faction": ["SDF", "ISIS"], "name": ["Kobani", "Raqqa"]},
        geometry=gpd.points_from_xy([KOBANI[1], RAQQA[1]], [KOBANI[0], RAQQA[0]]),
        crs=4326,
    )
    path = tmp_path / "points.geojson"
    gdf.to_file(path, driver="GeoJSON")
    obs = read_points(path, date="2017-01-08")
    assert list(obs.frame["faction"]) == ["sdf", "islamic_state"]
    assert obs.sources == ("points.geojson",)
    assert "points.geojson row 2 ('Raqqa')" in list(obs.frame["where"])


def test_observation_sets_concatenate_with_their_sources() -> None:
    a = read_points(frame([(DAMASCUS, "syrian_government")]), date="2017-08-01", country="SY")
    b = read_points(frame([(BAGHDAD, "iraqi_government")]), date="2017-08-01", country="iraq")
    both = Observations.concat([a, b])
    assert len(both) == 2 and list(both.frame["country"]) == ["SY", "IQ"]


def test_provenance_records_method_parameters_and_sources() -> None:
    df = frame([(DAMASCUS, "syrian_government"), (BAGHDAD, "iraqi_government")])
    snap = derive_snapshot(
        read_points(df, date="2017-01-08"), date="2017-01-08", max_distance_km=80, source_file="x.csv", **META
    )
    prov = snap.provenance
    assert prov["source_files"] == ["x.csv"]
    assert "Voronoi" in prov["method"] and prov["date"] == "2017-01-08" and prov["licence"] == "CC0"
    assert prov["parameters"]["max_distance_km"] == 80
    assert prov["checks"]["SY"]["coverage_valid"] is True
    json.dumps(dict(prov))  # JSON-safe


# -- the command -------------------------------------------------------------------------------


def write_csv(path: Path, df: pd.DataFrame) -> Path:
    df.to_csv(path, index=False)
    return path


def test_cli_derive_writes_geojson_and_adds_to_the_catalog(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    points = write_csv(tmp_path / "p.csv", frame([(DAMASCUS, "SAA"), (RAQQA, "ISIS"), (MOSUL, "ISIS")]))
    out = tmp_path / "out" / "snap.geojson"
    argv = ["derive", str(points), "--date", "2017-01-08", "--out", str(out), "--licence", "CC0"]
    code = main([*argv, "--data-dir", str(tmp_path / "cat"), "--add-to-catalog", "--max-distance-km", "300"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["mapapp"]["provenance"]["parameters"]["max_distance_km"] == 300
    assert {f["properties"]["faction"] for f in doc["features"]} >= {"syrian_government", "islamic_state"}
    assert "deriving areas from 3 points" in captured.err
    manifest = json.loads((tmp_path / "cat" / "snapshots" / "manifest.json").read_text(encoding="utf-8"))
    assert [s["date"] for s in manifest["snapshots"]] == ["2017-01-08"]
    # the same date again without --replace is refused before anything is written
    out.unlink()
    assert main([*argv, "--data-dir", str(tmp_path / "cat"), "--add-to-catalog"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert not out.exists()


def test_cli_derive_writes_nothing_when_the_points_are_bad(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    points = write_csv(tmp_path / "p.csv", frame([(DAMASCUS, "SAA"), (RAQQA, "Martians")]))
    out = tmp_path / "snap.geojson"
    code = main(["derive", str(points), "--date", "2017-01-08", "--out", str(out)])
    assert code == 1
    assert "unknown controller 'Martians'" in capsys.readouterr().err
    assert not out.exists() and list(tmp_path.iterdir()) == [points]


# -- property: any point set inside Syria gives a clean coverage of Syria ---------------------------

SYRIA = outline("SY")
FACTIONS = ["syrian_government", "syrian_opposition", "sdf", "islamic_state", "hts"]


@st.composite
def syrian_points(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(min_value=1, max_value=40))
    xs = draw(st.lists(st.floats(35.8, 42.3), min_size=n, max_size=n))
    ys = draw(st.lists(st.floats(32.4, 37.3), min_size=n, max_size=n))
    keep = shapely.contains_xy(SYRIA, xs, ys)
    assume(keep.any())
    factions = draw(st.lists(st.sampled_from(FACTIONS), min_size=n, max_size=n))
    rows = [((y, x), f) for x, y, f, k in zip(xs, ys, factions, keep, strict=True) if k]
    return frame(rows, country=["SY"] * len(rows))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(df=syrian_points(), reach=st.sampled_from([None, 30.0, 120.0]))
def test_any_point_set_gives_a_clean_coverage_of_the_country(df: pd.DataFrame, reach: float | None) -> None:
    areas = derive(df, max_distance_km=reach)
    geoms = np.asarray(areas.geometry.values)
    assert shapely.is_valid(geoms).all() and shapely.coverage_is_valid(geoms)
    assert (areas.geom_type == "Polygon").all()
    assert km2(areas) == pytest.approx(equal_area_km2([SYRIA])[0], rel=1e-5)
    present = set(areas["faction"]) - {"no_data"}
    assert present <= set(df["controller"])

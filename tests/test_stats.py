"""Area statistics per country and governorate (equal-area), and the stats command."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from mapapp.catalog import Catalog
from mapapp.cli import main
from mapapp.derive import derive_snapshot
from mapapp.errors import MapAppError
from mapapp.geography import countries, equal_area_km2, governorates
from mapapp.points import read_points
from mapapp.snapshot import ControlSnapshot
from mapapp.stats import UNCOVERED, area_stats

META = {"label": "test", "source": "tests", "licence": "CC0"}
COUNTRY_KM2 = {"SY": 185_940, "IQ": 437_367}


def points() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lat": [33.51, 36.20, 35.95, 34.56, 33.34, 36.34, 36.19],
            "lon": [36.29, 37.16, 39.01, 38.27, 44.40, 43.13, 44.01],
            "controller": ["SAA", "contested", "SDF", "ISIS", "ISF", "ISIS", "KRG"],
            "note": ["", "contested: syrian_opposition vs syrian_government", "", "", "", "", ""],
        }
    )


@pytest.fixture(scope="module")
def snapshot() -> ControlSnapshot:
    return derive_snapshot(read_points(points(), date="2017-01-08"), date="2017-01-08", **META)


def test_rows_per_country_add_up_to_the_country_area(snapshot: ControlSnapshot) -> None:
    table = area_stats(snapshot, by="country")
    for code, km2 in COUNTRY_KM2.items():
        rows = table[table["country"] == code]
        assert rows["area_km2"].sum() == pytest.approx(rows["unit_km2"].iloc[0], rel=0.001)
        assert rows["percent"].sum() == pytest.approx(100.0, abs=0.1)
        assert rows["unit_km2"].iloc[0] == pytest.approx(km2, rel=0.005)
    assert UNCOVERED not in set(table["faction"])


def test_contested_areas_are_rows_of_their_own(snapshot: ControlSnapshot) -> None:
    table = area_stats(snapshot)
    contested = table[table["status"] == "contested"]
    assert len(contested) == 1
    row = contested.iloc[0]
    assert (row["country"], row["faction"], row["secondary"]) == (
        "SY",
        "syrian_opposition",
        "syrian_government",
    )
    expected = equal_area_km2(
        snapshot.areas.loc[snapshot.areas["status"] == "contested"].geometry.values
    ).sum()
    assert row["area_km2"] == pytest.approx(expected, rel=1e-6)


def test_km2_matches_the_areas_of_the_snapshot(snapshot: ControlSnapshot) -> None:
    table = area_stats(snapshot)
    areas = snapshot.areas
    for (code, faction), rows in table.groupby(["country", "faction"]):
        mask = (areas["country"] == code) & (areas["faction"] == faction)
        assert rows["area_km2"].sum() == pytest.approx(
            equal_area_km2(areas[mask].geometry.values).sum(), rel=1e-6
        )


def test_rows_per_governorate_add_up_to_the_governorate_area(snapshot: ControlSnapshot) -> None:
    table = area_stats(snapshot, by="governorate")
    assert table[["country", "governorate"]].drop_duplicates().shape[0] == 33
    sums = table.groupby(["country", "governorate"]).agg(area=("area_km2", "sum"), unit=("unit_km2", "first"))
    assert ((sums["area"] - sums["unit"]).abs() <= 0.001 * sums["unit"]).all()
    raqqa = table[table["governorate"] == "Raqqa"]
    assert raqqa.iloc[0]["faction"] in {"sdf", "islamic_state"}


def test_no_data_and_uncovered_land_are_rows() -> None:
    syria = countries().geometry.iloc[0]
    west = shapely.intersection(syria, shapely.box(35, 32, 38, 38))
    middle = shapely.intersection(syria, shapely.box(38, 32, 39, 38))
    areas = gpd.GeoDataFrame(
        {
            "faction": ["syrian_government", "no_data"],
            "secondary": [None, None],
            "status": ["control", "control"],
            "confidence": ["high", "approximate"],
            "note": [None, None],
        },
        geometry=[west, middle],
        crs="EPSG:4326",
    )
    snap = ControlSnapshot(dt.date(2017, 1, 8), "t", "s", "CC0", "approximate", areas)
    table = area_stats(snap)
    assert list(table["country"].unique()) == ["SY"]  # Iraq is not touched at all
    by_faction = table.set_index("faction")["area_km2"]
    east = equal_area_km2([shapely.difference(syria, shapely.box(35, 32, 39, 38))])[0]
    assert by_faction[UNCOVERED] == pytest.approx(east, rel=1e-4)
    assert by_faction["no_data"] == pytest.approx(equal_area_km2([middle])[0], rel=1e-6)
    assert table["percent"].sum() == pytest.approx(100.0, abs=0.1)


def test_snapshot_without_country_column_is_split_by_outlines() -> None:
    box = shapely.box(35, 29, 49, 38)
    areas = gpd.GeoDataFrame(
        {
            "faction": ["islamic_state"],
            "secondary": [None],
            "status": ["control"],
            "confidence": ["low"],
            "note": [None],
        },
        geometry=[box],
        crs="EPSG:4326",
    )
    snap = ControlSnapshot(dt.date(2017, 1, 8), "t", "s", "CC0", "approximate", areas)
    table = area_stats(snap)
    assert list(table["country"]) == ["SY", "IQ"]
    assert list(table["percent"].round(3)) == [100.0, 100.0]


def test_unknown_grouping_is_an_error(snapshot: ControlSnapshot) -> None:
    with pytest.raises(MapAppError, match="expected 'country' or 'governorate'"):
        area_stats(snapshot, by="province")  # type: ignore[arg-type]


def test_stats_command_formats(
    tmp_path: Path, snapshot: ControlSnapshot, capsys: pytest.CaptureFixture[str]
) -> None:
    Catalog(tmp_path).add(snapshot)
    base = ["stats", "--data-dir", str(tmp_path), "--snapshot", "2017-01-08"]
    assert main(base) == 0
    text = capsys.readouterr().out
    assert "Lambert equal-area" in text and "syrian_opposition" in text and "contested" in text
    assert main([*base, "--format", "csv", "--by", "governorate"]) == 0
    csv = capsys.readouterr().out.splitlines()
    assert csv[0] == "country,governorate,faction,secondary,status,area_km2,percent,unit_km2"
    assert len(csv) > 33
    assert main(["stats", "--data-dir", str(tmp_path), "--snapshot", "latest", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["date"] == "2017-01-08" and doc["by"] == "country"
    total = sum(r["area_km2"] for r in doc["rows"] if r["country"] == "IQ")
    assert total == pytest.approx(COUNTRY_KM2["IQ"], rel=0.005)
    assert main([*base[:3], "--snapshot", "2019-01-01"]) == 1
    assert "no snapshot dated 2019-01-01" in capsys.readouterr().err


def test_governorate_names_come_from_natural_earth(snapshot: ControlSnapshot) -> None:
    table = area_stats(snapshot, by="governorate")
    assert set(table["governorate"]) == set(governorates()["name_en"])

"""Credits as data: every shipped file has a source entry, and the credit lines maps must show."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from mapapp.paths import bundled_data_dir
from mapapp.snapshot import ControlSnapshot
from mapapp.sources import (
    base_map_credits,
    credits_for,
    snapshot_credits,
    source_for_file,
    sources,
    sources_markdown,
    undocumented_files,
)

WIKIPEDIA = (
    "Wikipedia contributors, Module:Syrian Civil War detailed map / Module:Iraqi insurgency detailed map, "
    "CC BY-SA 3.0"
)


def test_every_shipped_data_file_has_a_source() -> None:
    assert undocumented_files() == []


def test_every_listed_file_exists_and_is_listed_once() -> None:
    listed = [f for s in sources().values() for f in (*s.files, *s.docs)]
    assert len(listed) == len(set(listed))
    assert [f for f in listed if not (bundled_data_dir() / f).is_file()] == []


def test_new_file_without_entry_is_detected(tmp_path: Path) -> None:
    (tmp_path / "control").mkdir()
    (tmp_path / "control" / "new_points.csv").write_text("lat,lon\n")
    (tmp_path / "snapshots").mkdir()
    (tmp_path / "snapshots" / "2020-01-01.geojson").write_text("{}")
    (tmp_path / "SOURCES.md").write_text("")
    assert undocumented_files(tmp_path) == ["control/new_points.csv"]


def test_sources_md_is_generated_from_the_toml() -> None:
    assert (bundled_data_dir() / "SOURCES.md").read_text(encoding="utf-8") == sources_markdown()


def test_each_source_states_origin_licence_date_and_credit() -> None:
    for source in sources().values():
        assert source.origin and source.licence and source.represents and source.credit, source.key


def test_credits_for_dedupes_and_rejects_unknown_keys() -> None:
    credits = credits_for(["natural_earth_admin1", "natural_earth_physical", "geonames"])
    assert [c.text for c in credits] == [
        "Natural Earth (public domain), naturalearthdata.com",
        "GeoNames, geonames.org (CC BY 4.0)",
    ]
    with pytest.raises(KeyError, match="unknown source 'osm'; known: natural_earth_admin1"):
        credits_for(["osm"])


def test_base_map_credits() -> None:
    assert [c.licence for c in base_map_credits()] == ["public domain", "CC BY 4.0"]


def test_wikipedia_credit_lines() -> None:
    rollback = source_for_file("geodata/control/wikipedia_points_2017-01-08.csv")
    assert rollback is not None and rollback.credit.startswith(WIKIPEDIA)
    syria = source_for_file("control/wikipedia_syria_points_2017-08.csv")
    assert syria is not None and syria.licence.startswith("CC BY-SA 3.0")
    assert source_for_file("elsewhere/unknown.csv") is None


def test_snapshot_credits_follow_its_input_files() -> None:
    areas = gpd.GeoDataFrame(
        {c: [None] for c in ("faction", "secondary", "status", "confidence", "note")},
        geometry=[shapely.box(39, 35, 40, 36)],
        crs=4326,
    )
    snap = ControlSnapshot(
        date=dt.date(2017, 1, 8),
        label="x",
        source="Derived <from> Wikipedia points",
        licence="CC BY-SA 3.0",
        confidence="approximate",
        areas=areas,
        provenance={"source_files": ["geodata/control/wikipedia_points_2017-01-08.csv"]},
    )
    texts = [c.text for c in snapshot_credits(snap)]
    assert texts[0] == "Control areas: Derived <from> Wikipedia points"  # escaping is the renderer's job
    assert texts[1].startswith(WIKIPEDIA)
    assert texts[2:] == [c.text for c in base_map_credits()]

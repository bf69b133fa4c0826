from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import LineString, box

from mapapp.context import Locator, contexts_on, event_contexts, snapshot_in_force
from mapapp.snapshot import ControlSnapshot


@dataclass(frozen=True)
class Ev:
    id: str
    date: dt.date
    lon: float
    lat: float


def snap(
    date: str, rows: list[tuple[str, tuple[float, float, float, float], str, str | None]]
) -> ControlSnapshot:
    areas = gpd.GeoDataFrame(
        {
            "faction": [r[0] for r in rows],
            "secondary": [r[3] for r in rows],
            "status": [r[2] for r in rows],
            "confidence": ["medium"] * len(rows),
            "note": [None] * len(rows),
        },
        geometry=[shapely.segmentize(box(*r[1]), 0.01) for r in rows],
        crs="EPSG:4326",
    )
    return ControlSnapshot(dt.date.fromisoformat(date), f"t {date}", "test", "CC0", "medium", areas)


# west of 40.2° E government, east SDF, a no-data strip further east, IS in the south
S1 = snap(
    "2018-02-07",
    [
        ("syrian_government", (39.0, 35.0, 40.2, 36.0), "control", None),
        ("sdf", (40.2, 35.2, 41.0, 36.0), "control", None),
        ("no_data", (41.0, 35.0, 41.5, 36.0), "control", None),
        ("islamic_state", (40.2, 35.0, 41.0, 35.2), "contested", "sdf"),
    ],
)
S0 = snap("2017-01-08", [("islamic_state", (39.0, 35.0, 41.5, 36.0), "control", None)])
SNAPS = {S0.date: S0, S1.date: S1}
KHASHAM_LIKE = Ev("k", dt.date(2018, 2, 7), 40.3, 35.6)


def test_snapshot_in_force_is_latest_not_after() -> None:
    dates = [dt.date(2017, 1, 8), dt.date(2017, 8, 1), dt.date(2018, 2, 7)]
    assert snapshot_in_force(dates, dt.date(2018, 2, 7)) == dt.date(2018, 2, 7)
    assert snapshot_in_force(dates, dt.date(2018, 2, 6)) == dt.date(2017, 8, 1)
    assert snapshot_in_force(dates, dt.date(2016, 12, 31)) is None


def test_holder_and_nearest_other_faction_with_geodesic_distance() -> None:
    ctx = Locator(S1).context(KHASHAM_LIKE)
    assert ctx.faction == "sdf"
    assert ctx.other_faction == "syrian_government"
    assert ctx.nearest_lonlat is not None
    assert ctx.nearest_lonlat[0] == pytest.approx(40.2, abs=1e-4)
    _, _, metres = Geod(ellps="WGS84").inv(40.3, 35.6, 40.2, 35.6)
    assert ctx.distance_km == pytest.approx(metres / 1000, abs=0.02)
    assert "ground held by Syrian Democratic Forces (SDF)" in ctx.summary()
    assert f"{ctx.distance_km:.1f} km to ground held by Syrian government" in ctx.summary()


def test_nearest_other_skips_no_data_and_own_faction() -> None:
    ctx = Locator(S1).context(Ev("e", dt.date(2018, 3, 1), 40.98, 35.3))
    assert ctx.faction == "sdf"
    assert ctx.other_faction == "islamic_state"  # the no-data strip 2 km east is not a faction


def test_contested_area_reports_secondary() -> None:
    ctx = Locator(S1).context(Ev("c", dt.date(2018, 3, 1), 40.5, 35.1))
    assert (ctx.faction, ctx.status, ctx.secondary) == ("islamic_state", "contested", "sdf")
    assert "(contested with Syrian Democratic Forces (SDF))" in ctx.summary()


def test_point_outside_every_area_says_so() -> None:
    ctx = Locator(S1).context(Ev("o", dt.date(2018, 3, 1), 45.0, 33.0))
    assert ctx.faction is None
    assert "outside every area" in ctx.note
    assert ctx.other_faction is not None and ctx.distance_km is not None and ctx.distance_km > 300


def test_river_between_event_and_other_faction_is_named() -> None:
    river = gpd.GeoDataFrame(
        {"name": ["Euphrates"]}, geometry=[LineString([(40.25, 34.9), (40.25, 36.1)])], crs="EPSG:4326"
    )
    ctx = Locator(S1, rivers=river).context(KHASHAM_LIKE)
    assert ctx.across == ("Euphrates",)
    assert "across the Euphrates" in ctx.summary()
    far = Locator(S1, rivers=river).context(Ev("w", dt.date(2018, 3, 1), 39.5, 35.5))
    assert far.across == ()


def test_event_contexts_picks_snapshot_in_force_and_loads_each_once() -> None:
    loaded: list[dt.date] = []

    def load(d: dt.date) -> ControlSnapshot:
        loaded.append(d)
        return SNAPS[d]

    events = [
        Ev("early", dt.date(2016, 8, 24), 40.3, 35.6),
        Ev("mid", dt.date(2017, 9, 23), 40.3, 35.6),
        KHASHAM_LIKE,
        Ev("late", dt.date(2018, 5, 1), 39.5, 35.5),
    ]
    got = event_contexts(events, sorted(SNAPS), load)
    assert [c.snapshot_date for c in got] == [None, S0.date, S1.date, S1.date]
    assert [c.faction for c in got] == [None, "islamic_state", "sdf", "syrian_government"]
    assert "No snapshot on or before 2016-08-24 (earliest: 2017-01-08)" in got[0].summary()
    assert got[1].other_faction is None and got[1].distance_km is None
    assert sorted(loaded) == sorted(SNAPS)


def test_forced_snapshot_after_event_carries_a_caution() -> None:
    got = event_contexts(
        [Ev("early", dt.date(2017, 9, 23), 40.3, 35.6)], sorted(SNAPS), SNAPS.__getitem__, snapshot=S1.date
    )
    assert got[0].faction == "sdf"
    assert "137 days after the event" in got[0].note


def test_other_faction_reaching_across_a_river_and_natural_earth_names() -> None:
    # "Al Furat" is one of Natural Earth's names for Euphrates segments; this one cuts the
    # government area (west of 40.2° E) in two, 0.1° west of its edge
    river = gpd.GeoDataFrame(
        {"name": ["Al Furat", None]},
        geometry=[LineString([(40.1, 34.9), (40.1, 36.1)]), LineString([(40.29, 35.0), (40.29, 36.0)])],
        crs="EPSG:4326",
    )
    ctx = Locator(S1, rivers=river).context(KHASHAM_LIKE)
    assert ctx.across == ()
    assert ctx.other_spans == ("Euphrates",)
    _, _, metres = Geod(ellps="WGS84").inv(40.3, 35.6, 40.1, 35.6)
    assert ctx.river == "Euphrates"  # the unnamed line 1 km away is ignored
    assert ctx.river_km == pytest.approx(metres / 1000, abs=0.02)
    assert "(ground reaching across the Euphrates); the Euphrates is 18.1 km away." in ctx.summary()
    assert Locator(S1, rivers=river).context(Ev("far", dt.date(2018, 3, 1), 41.2, 35.5)).river is None


# -- the bundled snapshots and events --------------------------------------------------------------


def test_khasham_on_the_bundled_snapshot_is_sdf_ground_a_few_km_from_the_government() -> None:
    from mapapp.catalog import Catalog
    from mapapp.events import load_events
    from mapapp.geography import rivers
    from mapapp.paths import bundled_data_dir

    catalog = Catalog(bundled_data_dir())
    events = list(load_events())
    contexts = {c.event_id: c for c in event_contexts(events, catalog.dates(), catalog.load, rivers=rivers())}
    khasham = contexts["khasham_2018"]
    assert khasham.snapshot_date == dt.date(2018, 2, 7)
    assert (khasham.faction, khasham.other_faction) == ("sdf", "syrian_government")
    assert khasham.distance_km is not None and 0.5 < khasham.distance_km < 10
    # the government ground nearest to the clash is the Khasham bridgehead astride the Euphrates
    assert "Euphrates" in khasham.across + khasham.other_spans
    assert khasham.river == "Euphrates" and khasham.river_km is not None and khasham.river_km < 10
    summary = khasham.summary()
    assert summary.startswith(
        "On the snapshot of 2018-02-07: ground held by Syrian Democratic Forces (SDF); "
    )
    assert "km to ground held by Syrian government and allies" in summary
    first = min(catalog.dates())
    assert all(c.snapshot_date is None for c in contexts.values() if c.event_date < first)


def test_contexts_on_a_shown_snapshot_and_popup_fragment_is_escaped() -> None:
    from mapapp.render.change import context_html

    got = contexts_on(S1, [KHASHAM_LIKE, Ev("before", dt.date(2017, 9, 1), 40.3, 35.6)])
    assert got["k"].faction == "sdf" and got["k"].note == ""
    assert "159 days after the event" in got["before"].note
    hostile = dataclasses.replace(got["k"], note="<script>alert(1)</script>")
    fragment = context_html(hostile)
    assert fragment.startswith(
        '<p class="mapapp-context" data-faction="sdf"><b>Ground:</b> On the snapshot of 2018-02-07'
    )
    assert "<script>" not in fragment and "&lt;script&gt;" in fragment

"""Shared fixtures of the dashboard tests: a small real catalog on disk and upload files.

The snapshots are built in code from the bundled country outlines (Syria split at a meridian,
Iraq split at a parallel), so the tests do not depend on the heavy bundled snapshots, and are
written through the real :class:`mapapp.catalog.Catalog`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import shapely

from mapapp.catalog import Catalog
from mapapp.geography import countries
from mapapp.snapshot import CRS, ControlSnapshot

# date -> (Syria west faction, Syria east faction, split longitude, Iraq south, Iraq north, split latitude)
PLANS = {
    dt.date(2017, 1, 8): (
        "syrian_government",
        "islamic_state",
        38.5,
        "iraqi_government",
        "islamic_state",
        35.0,
    ),
    dt.date(2018, 2, 7): ("syrian_government", "sdf", 40.0, "iraqi_government", "kurdistan_region", 36.0),
}


def _halves(geom: shapely.Geometry, lon: float | None, lat: float | None) -> tuple[shapely.Geometry, ...]:
    x0, y0, x1, y1 = geom.bounds
    if lon is not None:
        a, b = shapely.box(x0 - 1, y0 - 1, lon, y1 + 1), shapely.box(lon, y0 - 1, x1 + 1, y1 + 1)
    else:
        a, b = shapely.box(x0 - 1, y0 - 1, x1 + 1, lat), shapely.box(x0 - 1, lat, x1 + 1, y1 + 1)
    return shapely.intersection(geom, a), shapely.intersection(geom, b)


def make_snapshot(date: dt.date) -> ControlSnapshot:
    """Return a two-country snapshot of four areas for one of the :data:`PLANS` dates."""
    sy_w, sy_e, lon, iq_s, iq_n, lat = PLANS[date]
    outlines = countries().set_index("country").geometry
    sy = _halves(outlines["SY"], lon, None)
    iq = _halves(outlines["IQ"], None, lat)
    rows = [(sy_w, sy[0]), (sy_e, sy[1]), (iq_s, iq[0]), (iq_n, iq[1])]
    frame = gpd.GeoDataFrame(
        {
            "faction": [f for f, _ in rows],
            "secondary": [None] * 4,
            "status": ["control"] * 4,
            "confidence": ["medium"] * 4,
            "note": ["test area <b>west</b>", None, None, None],
        },
        geometry=[shapely.make_valid(g) for _, g in rows],
        crs=CRS,
    )
    approximate = date == dt.date(2017, 1, 8)
    return ControlSnapshot(
        date=date,
        label=f"Test snapshot {date.isoformat()}",
        source="mapapp test fixture <script>alert(1)</script>",
        licence="CC0",
        confidence="approximate" if approximate else "high",
        areas=frame,
        provenance={"method": "test fixture"},
    )


def make_catalog(root: Path) -> Catalog:
    """Write a catalog with the :data:`PLANS` snapshots under ``root``; return it."""
    catalog = Catalog(root)
    for date in PLANS:
        catalog.add(make_snapshot(date))
    return catalog


def upload_file(path: Path, faction_field: str = "side") -> Path:
    """Write a GeoJSON upload through pyogrio: aliases, one unknown name, a non-standard field."""
    snap = make_snapshot(dt.date(2018, 2, 7))
    frame = snap.areas[["geometry"]].copy()
    frame[faction_field] = ["Regime forces", "Jaysh al-Fantasia", "Iraqi army", "Peshmerga"]
    frame.to_file(path, driver="GeoJSON", engine="pyogrio")
    return path


def invalid_file(path: Path) -> Path:
    """Write a GeoJSON upload that no import accepts: axes swapped, far outside the region."""
    snap = make_snapshot(dt.date(2018, 2, 7))
    swapped = shapely.transform(snap.areas.geometry.values, lambda xy: xy[:, ::-1])
    frame = gpd.GeoDataFrame({"faction": list(snap.areas["faction"])}, geometry=list(swapped), crs=CRS)
    frame.to_file(path, driver="GeoJSON", engine="pyogrio")
    return path

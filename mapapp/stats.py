"""Area statistics of a control snapshot: km² and share per faction, per country or governorate.

Areas are measured in :data:`mapapp.geography.EQUAL_AREA_CRS` (Lambert azimuthal equal-area
centred on 34°N 40°E, WGS84): within Syria and Iraq its area distortion is nil by construction.
"""

from __future__ import annotations

from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mapapp.errors import MapAppError
from mapapp.geography import countries, equal_area_km2, governorates
from mapapp.snapshot import ControlSnapshot

By = Literal["country", "governorate"]
UNCOVERED = "uncovered"
#: Rows (and unassigned land) smaller than this share of their unit are slivers, not results.
UNCOVERED_MIN_SHARE = 1e-6
STATS_COLUMNS = ("faction", "secondary", "status", "area_km2", "percent")


def _units(by: By) -> tuple[gpd.GeoDataFrame, list[str]]:
    if by == "country":
        units = countries()
        return units[["country", "geometry"]], ["country"]
    if by == "governorate":
        units = governorates().rename(columns={"name_en": "governorate"})
        return units[["country", "governorate", "geometry"]], ["country", "governorate"]
    raise MapAppError(f"by={by!r}: expected 'country' or 'governorate'")


def _pieces(areas: gpd.GeoDataFrame, units: gpd.GeoDataFrame) -> pd.DataFrame:
    # Intersect in EPSG:4326, where both layers are valid, then measure in the equal-area CRS.
    area_geoms = np.asarray(areas.geometry.values)
    unit_geoms = np.asarray(units.geometry.values)
    unit_idx, area_idx = shapely.STRtree(area_geoms).query(unit_geoms, predicate="intersects")
    if "country" in areas.columns:  # derived snapshots: never count one country's areas in the other
        same = units["country"].to_numpy()[unit_idx] == areas["country"].to_numpy()[area_idx]
        unit_idx, area_idx = unit_idx[same], area_idx[same]
    geoms = shapely.intersection(unit_geoms[unit_idx], area_geoms[area_idx])
    km2 = equal_area_km2(geoms)
    pieces = pd.DataFrame(
        {
            "unit": unit_idx,
            "faction": areas["faction"].to_numpy()[area_idx],
            "secondary": areas["secondary"].to_numpy()[area_idx],
            "status": areas["status"].to_numpy()[area_idx],
            "area_km2": km2,
        }
    )
    return pieces[pieces["area_km2"] > 0]


def area_stats(snapshot: ControlSnapshot, by: By = "country") -> pd.DataFrame:
    """Return the area of each faction per country or per governorate.

    Areas are computed in :data:`~mapapp.geography.EQUAL_AREA_CRS` (Lambert azimuthal equal-area,
    lat0 34 lon0 40, WGS84) against the Natural Earth 1:10m outlines.

    Parameters
    ----------
    snapshot
        The snapshot to measure.
    by
        ``"country"`` (Syria, Iraq) or ``"governorate"`` (33 admin-1 units).

    Returns
    -------
    pandas.DataFrame
        One row per unit and (faction, secondary, status): columns ``country`` (and
        ``governorate``), ``faction``, ``secondary``, ``status``, ``area_km2``, ``percent`` (of the
        unit's area) and ``unit_km2``. Contested and mixed areas are rows of their own (with the
        second faction in ``secondary``), so is ``no_data``; land of the unit no area covers is a
        row with faction ``"uncovered"``. Per unit the rows add up to the unit's area. Units the
        snapshot does not touch at all are left out.
    """
    units, keys = _units(by)
    units = units.reset_index(drop=True)
    areas = snapshot.areas.to_crs("EPSG:4326")
    pieces = _pieces(areas, units)
    unit_km2 = equal_area_km2(units.geometry.values)
    cols = ["unit", "faction", "secondary", "status"]
    grouped = (
        pieces.fillna({"secondary": ""})
        .groupby(cols, sort=False, dropna=False)["area_km2"]
        .sum()
        .reset_index()
    )
    grouped = grouped[grouped["area_km2"] > UNCOVERED_MIN_SHARE * unit_km2[grouped["unit"].to_numpy()]]
    covered = grouped.groupby("unit")["area_km2"].sum()
    missing = unit_km2[covered.index] - covered.to_numpy()
    gaps = [
        {"unit": u, "faction": UNCOVERED, "secondary": "", "status": "", "area_km2": m}
        for u, m in zip(covered.index, missing, strict=True)
        if m > UNCOVERED_MIN_SHARE * unit_km2[u]
    ]
    table = pd.concat([grouped, pd.DataFrame(gaps, columns=grouped.columns)], ignore_index=True)
    table["unit"] = table["unit"].astype(int)
    table["area_km2"] = table["area_km2"].astype(float)
    table["unit_km2"] = unit_km2[table["unit"].to_numpy()]
    table["percent"] = 100.0 * table["area_km2"] / table["unit_km2"]
    for key in keys:
        table[key] = units[key].to_numpy()[table["unit"].to_numpy()]
    table = table.sort_values(["unit", "area_km2"], ascending=[True, False], kind="stable")
    table["secondary"] = table["secondary"].replace("", None)
    table["status"] = table["status"].replace("", None)
    out: pd.DataFrame = table[[*keys, *STATS_COLUMNS, "unit_km2"]].reset_index(drop=True)
    return out

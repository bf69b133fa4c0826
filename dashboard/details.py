"""What the user clicked: the area under a point, or the event at a marker (no streamlit here).

Map clicks arrive as WGS84 lon/lat; these functions turn them into plain records the page shows
beside the map. Areas are measured in the library's equal-area projection.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import geopandas as gpd
import shapely

from mapapp.factions import registry
from mapapp.snapshot import CRS, ControlSnapshot


def area_at(snapshot: ControlSnapshot, lon: float, lat: float) -> int | None:
    """Return the row position of the area containing ``(lon, lat)``, or ``None``.

    Points on a shared border belong to the first area that covers them.
    """
    point = shapely.Point(lon, lat)
    hits = snapshot.areas.sindex.query(point, predicate="covered_by")
    return int(min(hits)) if len(hits) else None


def faction_at(snapshot: ControlSnapshot, lon: float, lat: float) -> str | None:
    """Return the label of the faction holding ``(lon, lat)`` on the snapshot date, or ``None``."""
    row = area_at(snapshot, lon, lat)
    if row is None:
        return None
    return registry().label(str(snapshot.areas.iloc[row]["faction"]))


def area_record(
    snapshot: ControlSnapshot, row: int, governorates: gpd.GeoDataFrame | None, equal_area_crs: str
) -> dict[str, Any]:
    """Describe one area for people: faction, status, confidence, km², governorate(s), source.

    Parameters
    ----------
    snapshot
        The snapshot shown.
    row
        Row position in ``snapshot.areas``.
    governorates
        Governorate polygons (EPSG:4326) with a ``name`` column, or ``None``.
    equal_area_crs
        The projection areas are measured in.
    """
    reg = registry()
    area = snapshot.areas.iloc[row]
    geom = snapshot.areas.geometry.iloc[row]
    km2 = gpd.GeoSeries([geom], crs=CRS).to_crs(equal_area_crs).area.iloc[0] / 1e6
    secondary = area.get("secondary")
    record: dict[str, Any] = {
        "Faction": reg.label(str(area["faction"])),
        "Second faction": reg.label(str(secondary)) if _present(secondary) else "—",
        "Status": reg.status_labels.get(str(area["status"]), str(area["status"])),
        "Confidence": str(area["confidence"]),
        "Area of the clicked polygon (km²)": f"{km2:,.0f}",
        "Governorate(s)": ", ".join(_governorates(geom, governorates)) or "—",
        "Note": str(area["note"]) if _present(area.get("note")) else "—",
        "Source": snapshot.source,
        "Licence": snapshot.licence,
    }
    return record


def _present(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _governorates(geom: shapely.Geometry, governorates: gpd.GeoDataFrame | None) -> list[str]:
    if governorates is None:
        return []
    hits = governorates.sindex.query(geom, predicate="intersects")
    names = [str(governorates.iloc[i].get("name_en") or governorates.iloc[i].get("name")) for i in hits]
    return sorted(set(names))


def nearest(points: Sequence[tuple[float, float]], lon: float, lat: float, tol: float = 1e-4) -> int | None:
    """Return the index of the point at ``(lon, lat)`` (within ``tol`` degrees), or ``None``."""
    best, best_d = None, tol
    for i, (plon, plat) in enumerate(points):
        d = math.hypot(plon - lon, plat - lat)
        if d <= best_d:
            best, best_d = i, d
    return best


def links(urls: Iterable[str]) -> list[str]:
    """Return the http(s) URLs among ``urls`` (anything else is not shown as a link)."""
    return [u.strip() for u in urls if u.strip().lower().startswith(("http://", "https://"))]

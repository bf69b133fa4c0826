"""Geometric error of an exported page against the coverage it was made from.

The areas are read back from the page itself (every ``geo_json_<id>_add({...})`` collection that
folium wrote, and every compact layer of mapapp), grouped by faction and compared with the original
areas of the same faction, both projected to :data:`mapapp.geography.EQUAL_AREA_CRS` (metres):

- **Hausdorff distance (m)**: the larger of the two directed distances between the faction's
  boundaries, each measured from every vertex of one boundary to the nearest *segment* of the other
  (vectorised with an STRtree; exact for the vertex sets, which is what a simplification moves);
- **area change (%)** of the faction's total area.

Holes and parts under :data:`MIN_RING_M2` are left out of the distance (not of the area): the
bundled coverages have hairline gaps between areas, whose rings are long but carry no area.

Our page marks its areas with the CSS class ``mapapp-area mapapp-f-<faction>``; the naive page
keeps every source column, so its faction is the ``faction`` property.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer

from mapapp.geography import EQUAL_AREA_CRS
from mapapp.render.compact import read_payloads

_ADD = re.compile(r"geo_json_[0-9a-f]{32}_add\(")
_FACTION_CLASS = re.compile(r"\bmapapp-f-([a-z0-9_-]+)")
GeomArray = npt.NDArray[np.object_]


def page_features(html: str) -> list[dict[str, Any]]:
    """Return every GeoJSON feature embedded in ``html``, each with its style in ``properties``.

    folium's own layers (``geo_json_<id>_add({...})``, the naive page) and mapapp's compact layers
    (:func:`mapapp.render.compact.read_payloads`, whose features point into a style table).
    """
    decoder = json.JSONDecoder()
    features: list[dict[str, Any]] = []
    for match in _ADD.finditer(html):
        data, _ = decoder.raw_decode(html, match.end())
        features += data.get("features", []) if isinstance(data, dict) else []
    for payload in read_payloads(html):
        for feature in payload["features"]:
            props = feature["properties"]
            features.append({**feature, "properties": {**props, "style": payload["styles"][props["s"]]}})
    return features


def _faction(feature: dict[str, Any]) -> str | None:
    props = feature.get("properties") or {}
    css = str((props.get("style") or {}).get("className", ""))
    if "mapapp-area" in css.split():
        found = _FACTION_CLASS.search(css)
        return found.group(1) if found else None
    if "mapapp" in css:
        return None  # base map, context layers
    value = props.get("faction")
    return str(value) if value is not None else None


def areas_by_faction(html: str) -> dict[str, GeomArray]:
    """Return the area geometries of a page (EPSG:4326) grouped by faction."""
    groups: dict[str, list[Any]] = defaultdict(list)
    for feature in page_features(html):
        faction = _faction(feature)
        if faction is not None and feature.get("geometry"):
            groups[faction].append(shapely.from_geojson(json.dumps(feature["geometry"])))
    return {f: np.asarray(g, dtype=object) for f, g in groups.items()}


def _metric(geoms: GeomArray) -> GeomArray:
    fwd = Transformer.from_crs("EPSG:4326", EQUAL_AREA_CRS, always_xy=True)
    out: GeomArray = shapely.transform(geoms, lambda xy: np.column_stack(fwd.transform(xy[:, 0], xy[:, 1])))
    return out


def _rings(geom: shapely.Geometry) -> GeomArray:
    rings: GeomArray = shapely.get_rings(shapely.get_parts(geom))  # get_rings: polygons only
    return rings


def _segments(geom: shapely.Geometry) -> GeomArray:
    coords, ring = shapely.get_coordinates(_rings(geom), return_index=True)
    same = ring[:-1] == ring[1:]
    pairs = np.stack([coords[:-1], coords[1:]], axis=1)[same]
    return np.asarray(shapely.linestrings(pairs), dtype=object)


MIN_RING_M2 = 1e4
"""Holes and parts under 0.01 km² (slivers of a coverage whose edges do not quite match) are ignored."""


def _clean(geom: shapely.Geometry) -> shapely.Geometry:
    kept = []
    for part in shapely.get_parts(geom):
        if shapely.area(part) < MIN_RING_M2:
            continue
        holes = [r for r in part.interiors if shapely.area(shapely.Polygon(r)) >= MIN_RING_M2]
        kept.append(shapely.Polygon(part.exterior, holes))
    return shapely.MultiPolygon(kept)


def directed_m(a: shapely.Geometry, b: shapely.Geometry) -> float:
    """Return the largest distance from a vertex of ``a``'s rings to ``b``'s rings (metres)."""
    points: GeomArray = np.asarray(shapely.points(shapely.get_coordinates(_rings(a))), dtype=object)
    segments = _segments(b)
    if len(points) == 0 or len(segments) == 0:
        return float("inf") if len(points) else 0.0
    _, dist = shapely.STRtree(segments).query_nearest(points, return_distance=True, all_matches=False)
    return float(dist.max())


def compare(original: gpd.GeoDataFrame, html: str) -> dict[str, Any]:
    """Return the error of the page ``html`` against ``original`` (areas with a ``faction`` column).

    Returns
    -------
    dict
        ``hausdorff_m`` and ``area_change_pct`` (largest over factions, by absolute value) and
        ``per_faction`` ``{faction: (hausdorff_m, area_change_pct)}``.
    """
    page = areas_by_faction(html)
    per: dict[str, tuple[float, float]] = {}
    # coverage_union_all is linear but needs an exact coverage (else it leaves inner edges)
    union = (
        shapely.coverage_union_all
        if shapely.coverage_is_valid(np.asarray(original.geometry.values, dtype=object))
        else shapely.union_all
    )
    for faction, rows in original.groupby("faction"):
        before = union(shapely.make_valid(_metric(np.asarray(rows.geometry.values, dtype=object))))
        drawn = page.get(str(faction))
        if drawn is None:
            per[str(faction)] = (float("inf"), -100.0)
            continue
        after = shapely.union_all(shapely.make_valid(_metric(drawn)))
        a, b = _clean(before), _clean(after)
        hausdorff = max(directed_m(a, b), directed_m(b, a))
        change = 100.0 * (shapely.area(after) - shapely.area(before)) / shapely.area(before)
        per[str(faction)] = (hausdorff, float(change))
    worst_h = max(h for h, _ in per.values())
    worst_a = max((a for _, a in per.values()), key=abs)
    return {"hausdorff_m": worst_h, "area_change_pct": worst_a, "per_faction": per}

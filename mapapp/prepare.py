"""Geometry for the web: a simplified, lighter copy of a snapshot's coverage, ready for GeoJSON.

:func:`dissolve_areas` first merges neighbouring areas that are drawn alike (same faction,
secondary, status, confidence and note) into one connected area each: a coverage of village-level
cells has most of its vertices on borders between cells of the same faction, which the map never
draws. :func:`prepare_areas` then works on whole arrays (no Python loop over vertices):

1. project the coverage to :data:`mapapp.geography.EQUAL_AREA_CRS` (metres) and measure each area
   in km² there, before any simplification;
2. simplify the coverage with :func:`shapely.coverage_simplify`, which moves each shared edge once,
   so neighbouring areas keep one common border (no slivers, no gaps). Its tolerance is not a
   distance bound, so the result is checked (every original vertex within ``max_error_m`` of the
   simplified boundary, :func:`within_bound`) and the tolerance halved until it holds (areas made invalid
   by projection or by a coverage whose edges do not quite match are repaired, :func:`repair`);
3. go back to EPSG:4326 and snap coordinates to a grid of ``precision`` decimal degrees
   (:func:`shapely.set_precision`; 5 decimals ≈ 1.1 m);
4. name the governorate(s) each area overlaps, largest overlap first, for tooltips.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from mapapp.geography import EQUAL_AREA_CRS, governorates

DEFAULT_MAX_ERROR_M = 200.0
"""Default bound on how far a simplified border may lie from the original one, in metres."""
DEFAULT_PRECISION = 5
"""Default number of decimals kept in longitude/latitude (1e-5° ≈ 1.1 m)."""
MAX_GOVERNORATES = 3
DISSOLVE_KEYS = ("faction", "secondary", "status", "confidence", "note")
"""Areas agreeing on these columns are drawn alike, so :func:`dissolve_areas` merges them."""
_MIN_SHARE = 0.02  # an area "lies in" a governorate when ≥ 2 % of it (or of the governorate) does
_MAX_HALVINGS = 6
_POLYGONAL = (3, 6)  # shapely type ids of Polygon and MultiPolygon

GeomArray = npt.NDArray[np.object_]


def dissolve_areas(areas: gpd.GeoDataFrame, keys: tuple[str, ...] = DISSOLVE_KEYS) -> gpd.GeoDataFrame:
    """Merge touching areas that agree on ``keys`` into one connected area each.

    Parameters
    ----------
    areas
        A polygon coverage (e.g. ``ControlSnapshot.areas``); not modified.
    keys
        The columns that must agree (missing ones are ignored; ``None``/NaN count as equal).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per connected part of each group, same columns and CRS; a column outside ``keys``
        keeps its value where the whole group agrees on it, else ``None``. Merged with
        :func:`shapely.coverage_union_all` (linear in the vertices, for a valid coverage), or
        :func:`shapely.union_all` where that gives an invalid result.
    """
    cols = [k for k in keys if k in areas.columns]
    if len(areas) == 0:
        return areas.copy()
    key = areas[cols].astype(object).where(areas[cols].notna(), None) if cols else None
    codes = (
        pd.MultiIndex.from_frame(key.fillna("\x00")).factorize()[0] if key is not None
        else np.zeros(len(areas), dtype=np.intp)
    )  # fmt: skip
    geoms = np.asarray(areas.geometry.values, dtype=object)
    parts: list[shapely.Geometry] = []
    group_of: list[int] = []
    order = np.argsort(codes, kind="stable")
    starts = np.searchsorted(codes[order], np.arange(int(codes.max()) + 2))
    for group in range(len(starts) - 1):
        pieces = shapely.get_parts(_union(geoms[order[starts[group] : starts[group + 1]]]))
        parts += list(pieces)
        group_of += [group] * len(pieces)
    attributes = areas.drop(columns=areas.geometry.name)
    firsts = pd.Series(np.arange(len(areas))).groupby(codes).first().to_numpy()
    same = attributes.map(repr).groupby(codes).nunique() <= 1  # repr: lists and dicts too
    values = attributes.iloc[firsts].reset_index(drop=True).astype(object).where(same.to_numpy(), None)
    out = values.iloc[group_of].reset_index(drop=True)
    return gpd.GeoDataFrame(out, geometry=parts, crs=areas.crs)[list(areas.columns)]


def _union(geoms: GeomArray) -> shapely.Geometry:
    merged = shapely.coverage_union_all(geoms)
    if not shapely.is_valid(merged):
        merged = shapely.union_all(geoms)
    return merged


def prepare_areas(
    areas: gpd.GeoDataFrame,
    *,
    max_error_m: float = DEFAULT_MAX_ERROR_M,
    precision: int = DEFAULT_PRECISION,
    with_governorates: bool = True,
) -> gpd.GeoDataFrame:
    """Return a web-ready copy of a coverage: simplified, rounded, with km² and governorate names.

    Parameters
    ----------
    areas
        A polygon coverage in EPSG:4326 (e.g. ``ControlSnapshot.areas``); not modified.
    max_error_m
        Largest allowed distance, in metres, between an area's vertices and its simplified border
        (discrete Hausdorff distance; see :func:`within_bound`).
        ``0`` disables simplification.
    precision
        Decimals of degrees kept in the coordinates.
    with_governorates
        Add the ``governorates`` column (names of the governorates each area overlaps).

    Returns
    -------
    geopandas.GeoDataFrame
        The same rows and columns plus ``area_km2`` (float, from the unsimplified geometry) and
        ``governorates`` (str), in EPSG:4326.
    """
    if max_error_m < 0:
        raise ValueError(f"max_error_m must be >= 0, got {max_error_m!r}")
    metric = areas.geometry.to_crs(EQUAL_AREA_CRS)
    original = repair(np.asarray(metric.values, dtype=object))
    simplified = repair(simplify_coverage(original, max_error_m))
    out = areas.copy()
    out["area_km2"] = shapely.area(original) / 1e6
    if with_governorates:
        out["governorates"] = governorate_names(simplified)
    geographic = gpd.GeoSeries(simplified, crs=EQUAL_AREA_CRS, index=areas.index).to_crs(areas.crs)
    out = out.set_geometry(shapely.set_precision(np.asarray(geographic.values), 10.0**-precision))
    return out


def simplify_coverage(geoms: GeomArray, max_error_m: float) -> GeomArray:
    """Simplify a metric coverage so that no vertex moves more than ``max_error_m`` away.

    Parameters
    ----------
    geoms
        Polygons forming a coverage, in a metric CRS.
    max_error_m
        Bound, in metres, on the distance from every vertex of an input geometry to the boundary
        of its simplified form (:func:`within_bound`; the output vertices are a subset of the input
        ones, so this is the discrete Hausdorff distance).

    Returns
    -------
    numpy.ndarray
        The simplified geometries, same order. Shared borders stay shared.
    """
    if max_error_m == 0 or len(geoms) == 0:
        return geoms
    tolerance = max_error_m
    for _ in range(_MAX_HALVINGS):
        result = np.asarray(shapely.coverage_simplify(geoms, tolerance), dtype=object)
        if within_bound(geoms, result, max_error_m).all():
            return result
        tolerance /= 2
    return geoms


def within_bound(before: GeomArray, after: GeomArray, max_error_m: float) -> npt.NDArray[np.bool_]:
    """Return, per geometry, whether every vertex of ``before`` lies within ``max_error_m`` of ``after``.

    Vectorised and O(n log n): the boundary segments of ``after`` go into an STRtree, which yields
    for each vertex of ``before`` the segments within ``max_error_m`` (``dwithin``); a vertex
    passes when one of them belongs to its own area's boundary.
    """
    coords, owner = shapely.get_coordinates(before, return_index=True)
    segments, seg_owner = _segments(shapely.boundary(after))
    ok: npt.NDArray[np.bool_] = np.zeros(len(coords), dtype=np.bool_)
    if len(segments):
        tree = shapely.STRtree(segments)
        p, s = tree.query(shapely.points(coords), predicate="dwithin", distance=max_error_m)
        ok[p[owner[p] == seg_owner[s]]] = True
    result: npt.NDArray[np.bool_] = np.ones(len(before), dtype=np.bool_)
    np.logical_and.at(result, owner, ok)
    return result


def _segments(lines: GeomArray) -> tuple[GeomArray, npt.NDArray[np.intp]]:
    parts, part_owner = shapely.get_parts(lines, return_index=True)
    coords, ring = shapely.get_coordinates(parts, return_index=True)
    same = ring[:-1] == ring[1:]
    pairs = np.stack([coords[:-1], coords[1:]], axis=1)[same]
    return np.asarray(shapely.linestrings(pairs), dtype=object), part_owner[ring[:-1][same]]


def repair(geoms: GeomArray) -> GeomArray:
    """Return ``geoms`` with invalid ones made valid, keeping only their polygonal parts.

    Projection can make a valid lon/lat polygon self-touch, and simplifying a coverage whose
    edges do not match exactly (a sliver between two areas) can leave a bow-tie; both are fixed here.
    """
    bad = ~shapely.is_valid(geoms)
    if not bad.any():
        return geoms
    out = geoms.copy()
    fixed = shapely.make_valid(geoms[bad], method="structure", keep_collapsed=False)
    out[bad] = [_polygonal(g) for g in fixed]
    return out


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    if shapely.get_type_id(geom) in _POLYGONAL:
        return geom
    parts = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) in _POLYGONAL]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def governorate_names(metric_geoms: GeomArray) -> list[str]:
    """Return, per geometry (in :data:`EQUAL_AREA_CRS`), the governorates it overlaps.

    Names are Natural Earth's English names, largest overlap first, at most
    :data:`MAX_GOVERNORATES` then ``"+ N more"``; an area with no overlap gets ``""``.
    """
    gov = governorates().to_crs(EQUAL_AREA_CRS)
    gov_geoms = np.asarray(gov.geometry.values, dtype=object)
    tree = shapely.STRtree(gov_geoms)
    left, right = tree.query(metric_geoms, predicate="intersects")
    shared = shapely.area(shapely.intersection(metric_geoms[left], gov_geoms[right]))
    share = shared / np.minimum(shapely.area(metric_geoms[left]), shapely.area(gov_geoms[right]))
    pairs = pd.DataFrame(
        {"area": left, "name": gov["name_en"].to_numpy()[right], "shared": shared, "share": share}
    )
    pairs = pairs[pairs["share"] >= _MIN_SHARE].sort_values(["area", "shared"], ascending=[True, False])
    names = [""] * len(metric_geoms)
    grouped = pairs.groupby("area", sort=False)["name"].agg(list)
    for area, group in zip(grouped.index.to_numpy(dtype=int), grouped.to_numpy(), strict=True):
        names[area] = _join_names(list(group))
    return names


def _join_names(names: list[str]) -> str:
    head = ", ".join(names[:MAX_GOVERNORATES])
    extra = len(names) - MAX_GOVERNORATES
    return f"{head} + {extra} more" if extra > 0 else head

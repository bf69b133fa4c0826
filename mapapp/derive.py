"""Control areas from point observations: a per-country Voronoi tessellation, clipped and dissolved.

Method (:func:`derive_snapshot`)
--------------------------------
1. **Duplicates.** Points of one country at the same location (coordinates equal to 1e-7°) are
   merged. Identical observations collapse into the first one. Conflicting ones are resolved
   deterministically: if one faction has a strict majority of the rows, its first row wins;
   otherwise the location becomes ``contested`` between the two most frequent factions (ties by
   first appearance), with the least certain of the rows' confidences. Both cases are counted in
   the provenance and conflicts are reported as warnings.
2. **Country.** A point belongs to the country of its ``country`` column, or else to the nearest
   country outline (never a bare point-in-polygon test: generalised borders put border towns
   outside). A point farther than ``outside_tolerance_km`` from its country is an error.
3. **Tessellation.** Per country, the Voronoi cells of that country's points (in
   :data:`~mapapp.geography.EQUAL_AREA_CRS`, so "nearest" means nearest on the ground) are
   dissolved by (faction, secondary, status, confidence), noded together with the country outline
   on a 1e-6° grid and polygonised, so the result is a clean coverage of the outline: no gaps, no
   overlaps (checked with :func:`shapely.coverage_is_valid` and an area sum).
4. **Reach.** With ``max_distance_km`` = D, land farther than D from every observation of its
   country becomes ``no_data``.
5. **Areas.** Each dissolved class is exploded into connected polygons: one feature per connected
   region, with ``n_points`` (observations inside it) and the distinct notes of those points (when
   there are at most two).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from mapapp import __version__
from mapapp.errors import DeriveError
from mapapp.factions import NO_DATA, registry
from mapapp.geography import EQUAL_AREA_CRS, countries
from mapapp.points import Observations
from mapapp.snapshot import AREA_COLUMNS, ControlSnapshot
from mapapp.tessellate import KEY, Tessellation, tessellate_country

METHOD = (
    "per-country Voronoi tessellation of point observations (Lambert azimuthal equal-area, "
    "lat0 34 lon0 40), clipped to the Natural Earth 1:10m country outline, dissolved by "
    "(country, faction, secondary, status, confidence), exploded into connected areas"
)
SAME_PLACE_DIGITS = 7
_CONFIDENCE_RANK = {level: i for i, level in enumerate(("high", "medium", "low", "approximate"))}


@dataclass(frozen=True)
class _Merged:
    frame: gpd.GeoDataFrame
    collapsed: int
    conflicts: list[str]


def _to_laea() -> Transformer:
    return Transformer.from_crs("EPSG:4326", EQUAL_AREA_CRS, always_xy=True)


def _distances(outlines: Any, codes: list[str], pts: np.ndarray, given: np.ndarray) -> np.ndarray:
    """Distance (m) of each point to each outline where it matters, else 0 (inside) or inf."""
    for geom in outlines:
        shapely.prepare(geom)
    inside = np.column_stack([shapely.contains(g, pts) for g in outlines])
    dist = np.where(inside, 0.0, np.inf)
    for k, (geom, code) in enumerate(zip(outlines, codes, strict=True)):
        need = ~inside[:, k] & (~inside.any(axis=1) | (given == code))
        dist[need, k] = shapely.distance(geom, pts[need])
    return dist


def _assign_countries(frame: gpd.GeoDataFrame, tolerance_km: float) -> gpd.GeoDataFrame:
    outlines = countries()
    laea = outlines.to_crs(EQUAL_AREA_CRS).geometry.values
    codes = list(outlines["country"])
    pts = np.asarray(
        shapely.points(np.column_stack(_to_laea().transform(frame.geometry.x, frame.geometry.y)))
    )
    given = frame["country"].to_numpy(dtype=object)
    dist = _distances(laea, codes, pts, given)
    nearest = np.array(codes, dtype=object)[dist.argmin(axis=1)]
    chosen = np.where(pd.isna(given), nearest, given)
    own = dist[np.arange(len(frame)), [codes.index(c) for c in chosen]] / 1000.0
    far = np.flatnonzero(own > tolerance_km)
    if len(far):
        lines = [
            f"{frame['where'].iat[i]}: {own[i]:,.1f} km outside {chosen[i]} "
            f"(lon {frame.geometry.x.iat[i]:.5f}, lat {frame.geometry.y.iat[i]:.5f})"
            for i in far[:20]
        ]
        more = f"\n  ... and {len(far) - 20} more" if len(far) > 20 else ""
        raise DeriveError(
            f"{len(far)} point(s) lie more than {tolerance_km:g} km outside Syria and Iraq:\n  "
            + "\n  ".join(lines)
            + more
            + "\nexpected points inside the country of their 'country' column (or near it); check "
            "for swapped lat/lon or a wrong country, or raise outside_tolerance_km"
        )
    out = frame.copy()
    out["country"] = chosen
    return out


def _least_certain(levels: pd.Series) -> str:
    return str(max(levels, key=lambda v: _CONFIDENCE_RANK.get(v, 0)))


def _merge_group(group: pd.DataFrame) -> tuple[pd.Series, str | None]:
    obs = list(zip(group["faction"], group["secondary"].fillna(""), group["status"], strict=True))
    if len(set(obs)) == 1:
        return group.iloc[0], None
    votes = Counter(group["faction"])
    ranked = sorted(votes, key=lambda f: (-votes[f], list(group["faction"]).index(f)))
    listing = "; ".join(
        f"{w} -> {f}/{s or '-'}/{st}" for w, (f, s, st) in zip(group["where"], obs, strict=True)
    )
    if votes[ranked[0]] * 2 > len(group):
        row = group[group["faction"] == ranked[0]].iloc[0]
        return row, f"conflicting observations at one place, majority {ranked[0]} kept: {listing}"
    row = group.iloc[0].copy()  # no majority, so at least two factions
    row["faction"], row["secondary"], row["status"] = ranked[0], ranked[1], "contested"
    row["confidence"] = _least_certain(group["confidence"])
    row["note"] = f"contested: {ranked[0]} vs {ranked[1]} (conflicting observations at one place)"
    return row, f"conflicting observations at one place, made contested {ranked[0]} vs {ranked[1]}: {listing}"


def _merge_duplicates(frame: gpd.GeoDataFrame) -> _Merged:
    key = pd.DataFrame(
        {
            "country": frame["country"],
            "x": frame.geometry.x.round(SAME_PLACE_DIGITS),
            "y": frame.geometry.y.round(SAME_PLACE_DIGITS),
        }
    )
    dup = key.duplicated(keep=False).to_numpy()
    if not dup.any():
        return _Merged(frame, 0, [])
    keep = frame[~dup]
    merged, conflicts = [], []
    groups = frame[dup].groupby([key["country"][dup], key["x"][dup], key["y"][dup]], sort=False)
    for _, group in groups:
        row, conflict = _merge_group(group)
        merged.append(row)
        if conflict:
            conflicts.append(conflict)
    extra = gpd.GeoDataFrame(pd.DataFrame(merged), geometry="geometry", crs=frame.crs)
    out = pd.concat([keep, extra]).sort_index()
    collapsed = len(frame) - len(out)
    return _Merged(gpd.GeoDataFrame(out, geometry="geometry", crs=frame.crs), collapsed, conflicts)


def _areas(parts: list[Tessellation]) -> gpd.GeoDataFrame:
    frames = [p.areas for p in parts]
    areas = pd.concat(frames, ignore_index=True)
    order = {"SY": 0, "IQ": 1}
    areas["_c"] = areas["country"].map(order)
    areas["_s"] = areas["secondary"].fillna("")
    areas["_a"] = -shapely.area(areas.geometry.values).round(9)
    areas = areas.sort_values(["_c", "faction", "_s", "status", "confidence", "_a"], kind="stable")
    cols = [*AREA_COLUMNS, "country", "n_points", "geometry"]
    areas = areas[cols].reset_index(drop=True)
    for col in (*AREA_COLUMNS, "country"):
        areas[col] = areas[col].astype(object).where(areas[col].notna(), None)
    areas["n_points"] = areas["n_points"].astype("int64")
    return gpd.GeoDataFrame(areas, geometry="geometry", crs="EPSG:4326")


def derive_snapshot(
    points: Observations,
    *,
    date: dt.date | str,
    label: str,
    source: str,
    licence: str,
    confidence: str = "approximate",
    max_distance_km: float | None = None,
    outside_tolerance_km: float = 50.0,
    source_file: str | list[str] | None = None,
) -> ControlSnapshot:
    """Derive a control snapshot from point observations.

    Parameters
    ----------
    points
        Observations from :func:`mapapp.points.read_points`.
    date, label, source, licence
        The snapshot's metadata.
    confidence
        Overall confidence of the snapshot, also given to areas of points without their own.
    max_distance_km
        If given, land farther than this from every observation of its country becomes
        ``no_data`` (buffers in the equal-area projection). None hands all land to the nearest point.
    outside_tolerance_km
        How far outside its country's outline a point may lie (offshore terminals, border posts).
    source_file
        Name(s) of the input files for the provenance (default: those recorded in ``points``).

    Returns
    -------
    ControlSnapshot
        Areas with the columns faction, secondary, status, confidence, note, country, n_points.

    Raises
    ------
    DeriveError
        Points far outside both countries, invalid parameters, or a coverage that fails its checks.
    """
    when = dt.date.fromisoformat(date) if isinstance(date, str) else date
    if confidence not in registry().confidence_levels:
        raise DeriveError(
            f"confidence {confidence!r}: expected one of {list(registry().confidence_levels)!r}"
        )
    if max_distance_km is not None and not max_distance_km > 0:
        raise DeriveError(f"max_distance_km: expected a positive number of km, found {max_distance_km!r}")
    if len(points) == 0:
        raise DeriveError("no points: expected at least one observation with usable coordinates")
    frame = points.frame.copy()
    frame["confidence"] = frame["confidence"].fillna(confidence)
    frame = _assign_countries(frame, outside_tolerance_km)
    merged = _merge_duplicates(frame)
    outlines = countries()
    parts = []
    for code, outline in zip(outlines["country"], outlines.geometry.values, strict=True):
        sub = merged.frame[merged.frame["country"] == code]
        if len(sub):
            parts.append(tessellate_country(sub, outline, code, max_distance_km, confidence))
    areas = _areas(parts)
    sources = source_file if source_file is not None else list(points.sources)
    provenance = _provenance(points, merged, parts, areas, when, licence, max_distance_km, sources)
    provenance["parameters"]["outside_tolerance_km"] = outside_tolerance_km
    return ControlSnapshot(when, label, source, licence, confidence, areas, provenance)


def _provenance(
    points: Observations,
    merged: _Merged,
    parts: list[Tessellation],
    areas: gpd.GeoDataFrame,
    when: dt.date,
    licence: str,
    max_distance_km: float | None,
    sources: str | list[str],
) -> dict[str, Any]:
    used = merged.frame
    warnings = list(merged.conflicts)
    if merged.collapsed:
        warnings.insert(
            0, f"{merged.collapsed} duplicate observation(s) merged into the first at their place"
        )
    return {
        "source_files": [sources] if isinstance(sources, str) else list(sources),
        "method": METHOD,
        "software": f"mapapp {__version__}",
        "date": when.isoformat(),
        "licence": licence,
        "parameters": {
            "max_distance_km": max_distance_km,
            "equal_area_crs": EQUAL_AREA_CRS,
            "grid_size_degrees": 1e-6,
            "same_place_digits": SAME_PLACE_DIGITS,
            "fields": points.fields,
        },
        "counts": {
            "points_read": len(points),
            "points_used": len(used),
            "duplicates_collapsed": merged.collapsed,
            "conflicting_places": len(merged.conflicts),
            "points_per_country": {c: int(n) for c, n in used["country"].value_counts().sort_index().items()},
            "points_per_faction": {f: int(n) for f, n in used["faction"].value_counts().sort_index().items()},
            "areas": len(areas),
            "no_data_areas": int((areas["faction"] == NO_DATA).sum()),
        },
        "warnings": warnings,
        "checks": {p.country: p.checks for p in parts},
    }


__all__ = ["KEY", "METHOD", "DeriveError", "Observations", "derive_snapshot"]

"""Whole-file rules of snapshot validation: where the data lies, and whether areas overlap.

A snapshot is a *coverage*: areas of different factions must not overlap. Overlaps are found with
:func:`shapely.coverage_invalid_edges` (polygons whose edges no neighbour matches) and an STRtree
over those only, so a clean coverage costs one linear pass; overlaps are measured in
:data:`~mapapp.geography.EQUAL_AREA_CRS`.
Overlaps smaller than :data:`SLIVER_KM2` are digitising slivers: reported as one warning.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from shapely.errors import GEOSException

from mapapp.errors import Problem
from mapapp.geography import EQUAL_AREA_CRS
from mapapp.validate_geometry import GeomArray, Locate

REGION_BOUNDS = (34.0, 29.0, 49.0, 38.0)
"""Syria and Iraq (lon_min, lat_min, lon_max, lat_max), generously rounded."""
REGION_MARGIN_DEG = 1.0
"""Tolerance around :data:`REGION_BOUNDS` before data counts as outside the region."""
SLIVER_KM2 = 0.01
"""Overlaps below this area (1 hectare) are slivers: a warning, not an error."""
MAX_LISTED = 20
"""Overlaps reported one by one; the rest are summarised in one problem (all in ``details``)."""

Box = tuple[float, float, float, float]


def _box_text(box: Box) -> str:
    return f"lon {box[0]:.4g}…{box[2]:.4g}, lat {box[1]:.4g}…{box[3]:.4g}"


def _intersects(a: Box, b: Box) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _within(a: Box, b: Box) -> bool:
    return a[0] >= b[0] and a[1] >= b[1] and a[2] <= b[2] and a[3] <= b[3]


def region_box(margin: float = REGION_MARGIN_DEG) -> Box:
    """Return :data:`REGION_BOUNDS` grown by ``margin`` degrees."""
    x0, y0, x1, y1 = REGION_BOUNDS
    return (x0 - margin, y0 - margin, x1 + margin, y1 + margin)


def check_region(geoms: GeomArray, rows: npt.NDArray[np.intp], locate: Locate) -> list[Problem]:
    """Check that the geometries (EPSG:4326) lie in the Syria/Iraq region.

    Entirely outside, or lying where swapped (lat, lon) axes would put Syria/Iraq, is an error
    naming the bounding box found; partly outside is a warning naming the features concerned.
    """
    if not len(rows):
        return []
    bounds = shapely.bounds(geoms[rows])
    box: Box = (
        float(bounds[:, 0].min()),
        float(bounds[:, 1].min()),
        float(bounds[:, 2].max()),
        float(bounds[:, 3].max()),
    )
    swapped: Box = (box[1], box[0], box[3], box[2])
    region = region_box()
    details: dict[str, object] = {"bbox": list(box), "region": list(region)}
    expected = f"longitude/latitude in the Syria/Iraq region ({_box_text(region)})"
    if abs(box[0]) > 180 or abs(box[2]) > 180 or abs(box[1]) > 90 or abs(box[3]) > 90:
        return [_outside("coordinates-out-of-range", box, expected, details, _projected_fix())]
    if not _intersects(box, region) or (not _within(box, region) and _within(swapped, region)):
        fix = (
            "the coordinates look like (latitude, longitude): swap the axes so that x is the longitude"
            if _intersects(swapped, region)
            else _projected_fix()
        )
        return [_outside("outside-region", box, expected, details, fix)]
    if _within(box, region):
        return []
    inside = (bounds[:, 0] >= region[0]) & (bounds[:, 1] >= region[1])
    inside &= (bounds[:, 2] <= region[2]) & (bounds[:, 3] <= region[3])
    pos = rows[~inside]
    return [
        Problem(
            code="partly-outside-region",
            message=f"{len(pos)} feature(s) extend beyond the Syria/Iraq region",
            expected=expected,
            found=f"bounding box {_box_text(box)}",
            where=locate(pos),
            fix="nothing to do if the map deliberately covers neighbouring countries; "
            "otherwise check these areas",
            severity="warning",
            details={**details, "features": pos.tolist()},
        )
    ]


def _projected_fix() -> str:
    return (
        "check the CRS the file declares: coordinates in metres declared as degrees (or the reverse) "
        "land elsewhere; export the file in EPSG:4326"
    )


def _outside(code: str, box: Box, expected: str, details: dict[str, object], fix: str) -> Problem:
    return Problem(
        code=code,
        message=f"the data lie outside the Syria/Iraq region: bounding box {_box_text(box)}",
        expected=expected,
        found=f"bounding box {_box_text(box)}",
        where="the whole file",
        fix=fix,
        details=details,
    )


@dataclass(frozen=True)
class _Overlaps:
    """Overlapping pairs: feature positions, factions, the shared area (km²) and its geometry."""

    a: npt.NDArray[np.intp]
    b: npt.NDArray[np.intp]
    fa: npt.NDArray[np.object_]
    fb: npt.NDArray[np.object_]
    km2: npt.NDArray[np.float64]
    shapes: GeomArray


def check_overlaps(
    geoms: GeomArray, rows: npt.NDArray[np.intp], factions: Sequence[str], locate: Locate
) -> list[Problem]:
    """Report areas of different factions that overlap (a snapshot is a coverage).

    Parameters
    ----------
    geoms
        All geometries (EPSG:4326); only ``rows`` (valid polygons) are looked at.
    rows
        Positions of the usable geometries.
    factions
        Faction (resolved id or raw value) of every feature, by position.
    locate
        Turns feature positions into a "where" text.
    """
    if len(rows) < 2:
        return []
    try:
        found = _measure(geoms, rows, factions)
    except GEOSException as exc:  # robustness failure on nearly degenerate input
        return [
            Problem(
                code="overlap-check-failed",
                message=f"the overlap check could not run: {exc}",
                where="the whole file",
                fix="repair the geometries in a GIS (e.g. QGIS 'Fix geometries') and try again",
                severity="warning",
            )
        ]
    different = found.fa != found.fb
    big = found.km2 >= SLIVER_KM2
    problems = _overlap_problems(found, different & big, locate)
    slivers = different & ~big
    if slivers.any():
        problems.append(_sliver_problem(int(slivers.sum()), float(found.km2[slivers].sum())))
    same = ~different & big
    if same.any():
        problems.append(_duplicate_problem(found, same, locate))
    return problems


def _measure(geoms: GeomArray, rows: npt.NDArray[np.intp], factions: Sequence[str]) -> _Overlaps:
    subset = geoms[rows]
    a, b = _overlapping_pairs(subset)
    shapes = shapely.intersection(subset[a], subset[b])
    real = shapely.area(shapes) > 0
    a, b, shapes = rows[a[real]], rows[b[real]], shapes[real]
    km2 = gpd.GeoSeries(shapes, crs="EPSG:4326").to_crs(EQUAL_AREA_CRS).area.to_numpy() / 1e6
    names = np.asarray(factions, dtype=object)
    return _Overlaps(a, b, names[a], names[b], km2, shapes)


def _duplicate_problem(found: _Overlaps, same: npt.NDArray[np.bool_], locate: Locate) -> Problem:
    pos = np.unique(np.concatenate([found.a[same], found.b[same]]))
    return Problem(
        code="duplicate-area",
        message=f"{int(same.sum())} pair(s) of areas of the same faction overlap "
        f"({found.km2[same].sum():.2f} km² counted twice)",
        expected="each place in one area only",
        found="overlapping areas of one faction",
        where=locate(pos),
        fix="dissolve the areas of each faction (QGIS 'Dissolve' by the faction field)",
        severity="warning",
        details={"features": pos.tolist()},
    )


def _overlapping_pairs(geoms: GeomArray) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Return candidate pairs (i < j) of geometries whose interiors may overlap.

    :func:`shapely.coverage_invalid_edges` flags the polygons whose edges are not matched by a
    neighbour: both sides of a partial overlap, the inner one of a containment. Only pairs of
    two flagged polygons, or a flagged one whose bounding box lies inside the other's, are kept.
    """
    edges = shapely.coverage_invalid_edges(geoms)
    flagged = ~(shapely.is_missing(edges) | shapely.is_empty(edges))
    if not flagged.any():
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty
    positions = np.flatnonzero(flagged)
    inp, b = shapely.STRtree(geoms).query(geoms[positions], predicate="intersects")
    a = positions[inp]
    box = shapely.bounds(geoms)
    inside = (
        (box[a, 0] >= box[b, 0])
        & (box[a, 1] >= box[b, 1])
        & (box[a, 2] <= box[b, 2])
        & (box[a, 3] <= box[b, 3])
    )
    keep = (flagged[b] | inside) & (a != b)
    pairs = np.unique(np.stack([np.minimum(a, b)[keep], np.maximum(a, b)[keep]], axis=1), axis=0)
    return pairs[:, 0].astype(np.intp), pairs[:, 1].astype(np.intp)


def _overlap_problems(found: _Overlaps, mask: npt.NDArray[np.bool_], locate: Locate) -> list[Problem]:
    """One problem per overlapping pair (largest first) up to :data:`MAX_LISTED`, then a summary."""
    order = np.flatnonzero(mask)[np.argsort(-found.km2[mask], kind="stable")]
    if not len(order):
        return []
    centres = shapely.get_coordinates(shapely.point_on_surface(found.shapes[order]))
    pairs = [_pair(found, int(k), centre) for k, centre in zip(order, centres, strict=True)]
    problems = [
        Problem(
            code="overlap",
            message=f"areas of {p['factions'][0]!r} and {p['factions'][1]!r} overlap by {p['km2']:.2f} km² "
            f"around lon {p['lon']}, lat {p['lat']}",
            expected="a coverage: each place held by one faction (use status 'contested' for shared places)",
            found=f"{p['km2']:.2f} km² claimed by both",
            where=locate(np.array(p["features"], dtype=np.intp)),
            fix="clip one area by the other in a GIS (QGIS 'Difference'), or mark the overlap as one "
            "contested area with a 'secondary' faction",
            details=p,
        )
        for p in pairs[:MAX_LISTED]
    ]
    rest = pairs[MAX_LISTED:]
    if rest:
        problems.append(
            Problem(
                code="overlap",
                message=f"and {len(rest)} more overlapping pair(s) of different factions "
                f"({sum(float(p['km2']) for p in rest):.2f} km² in all)",
                expected="a coverage: each place held by one faction",
                found=f"{len(pairs)} overlapping pairs",
                where="see details",
                fix="clip the areas against each other in a GIS",
                details={"pairs": rest},
            )
        )
    return problems


def _pair(found: _Overlaps, k: int, centre: npt.NDArray[np.float64]) -> dict[str, Any]:
    return {
        "features": [int(found.a[k]), int(found.b[k])],
        "factions": [str(found.fa[k]), str(found.fb[k])],
        "km2": round(float(found.km2[k]), 3),
        "lon": round(float(centre[0]), 4),
        "lat": round(float(centre[1]), 4),
    }


def _sliver_problem(count: int, total: float) -> Problem:
    return Problem(
        code="overlap-slivers",
        message=f"{count} tiny overlap(s) between factions ({total * 1e6:.0f} m² in all) ignored",
        expected=f"no overlap; overlaps under {SLIVER_KM2} km² are treated as digitising slivers",
        found=f"{count} sliver(s)",
        where="the whole file",
        fix="nothing to do; snap the shared edges in a GIS to silence this",
        severity="warning",
        details={"count": count, "km2": total},
    )

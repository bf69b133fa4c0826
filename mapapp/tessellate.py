"""The geometry of :mod:`mapapp.derive`: Voronoi cells of one country, turned into a clean coverage.

The cells are computed and dissolved in :data:`~mapapp.geography.EQUAL_AREA_CRS`, brought back to
EPSG:4326, then noded together with the country outline (and the reach of the observations) on a
:data:`GRID` degree grid and polygonised. Each face takes the class of the dissolved cell it lies
in; faces are dissolved again with :func:`shapely.coverage_union_all` and exploded into connected
areas. Because every vertex sits on the grid, writing 6-decimal GeoJSON changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from mapapp.errors import DeriveError
from mapapp.factions import NO_DATA
from mapapp.geography import EQUAL_AREA_CRS, equal_area_km2

KEY = ("faction", "secondary", "status", "confidence")
GRID = 1e-6
AREA_TOLERANCE = 1e-5  # relative; the outline itself moves by at most GRID/2 when snapped


@dataclass(frozen=True)
class Tessellation:
    """The areas of one country and the checks they passed."""

    country: str
    areas: gpd.GeoDataFrame
    checks: dict[str, Any] = field(default_factory=dict)


def _transformers() -> tuple[Transformer, Transformer]:
    fwd = Transformer.from_crs("EPSG:4326", EQUAL_AREA_CRS, always_xy=True)
    inv = Transformer.from_crs(EQUAL_AREA_CRS, "EPSG:4326", always_xy=True)
    return fwd, inv


def _project(geoms: Any, transformer: Transformer) -> Any:
    return shapely.transform(geoms, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


def _cells(xy: np.ndarray, extent: BaseGeometry) -> np.ndarray:
    if len(xy) == 1:
        return np.array([extent])
    diagram = shapely.voronoi_polygons(shapely.multipoints(xy), extend_to=extent, ordered=True)
    cells = shapely.get_parts(diagram)
    if len(cells) != len(xy):
        raise DeriveError(
            f"internal error: {len(xy)} points gave {len(cells)} Voronoi cells; expected one per point"
        )
    return cells


def _classes(points: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    keys = points[list(KEY)].astype(object).where(points[list(KEY)].notna(), None)
    table = keys.drop_duplicates().reset_index(drop=True)
    index = {tuple(r): i for i, r in enumerate(table.itertuples(index=False))}
    codes = np.array([index[tuple(r)] for r in keys.itertuples(index=False)], dtype=int)
    return table, codes


def _faces(lines: list[BaseGeometry], inside: BaseGeometry) -> np.ndarray:
    noded = shapely.union_all(shapely.get_parts(lines), grid_size=GRID)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    shapely.prepare(inside)
    keep = shapely.contains(inside, shapely.point_on_surface(faces))
    return faces[keep]


def _label(faces: np.ndarray, classes: np.ndarray) -> np.ndarray:
    tree = shapely.STRtree(classes)
    probe = shapely.point_on_surface(faces)
    hit_face, hit_class = tree.query(probe, predicate="within")
    label = np.full(len(faces), -1)
    counts = np.bincount(hit_face, minlength=len(faces))
    single = counts[hit_face] == 1
    label[hit_face[single]] = hit_class[single]
    for i in np.flatnonzero(label < 0):  # slivers on a class boundary: largest overlap wins
        overlap = shapely.area(shapely.intersection(faces[i], classes))
        label[i] = int(np.argmax(overlap))
    return label


def _far(cells: np.ndarray, xy: np.ndarray, km: float, inv: Transformer) -> BaseGeometry | None:
    """Return the land farther than ``km`` from every point (EPSG:4326), or None.

    In each Voronoi cell the cell's own point is the nearest one, so the far land is what the
    point's disc leaves of its cell.
    """
    discs = shapely.buffer(shapely.points(xy), km * 1000.0, quad_segs=16)
    parts = shapely.difference(cells, discs)
    parts = parts[~shapely.is_empty(parts)]
    if len(parts) == 0:
        return None
    far = shapely.make_valid(_project(shapely.union_all(parts), inv))
    snapped: BaseGeometry = shapely.set_precision(far, GRID)
    return snapped


def tessellate_country(
    points: gpd.GeoDataFrame,
    outline: BaseGeometry,
    country: str,
    max_distance_km: float | None,
    confidence: str,
) -> Tessellation:
    """Tessellate the observations of one country into a clean coverage of its outline.

    Parameters
    ----------
    points
        The country's deduplicated observations (EPSG:4326, canonical columns).
    outline
        The country outline in EPSG:4326.
    country
        ``SY`` or ``IQ``.
    max_distance_km
        Reach of an observation; farther land becomes ``no_data`` (None: no limit).
    confidence
        Confidence given to ``no_data`` areas.
    """
    fwd, inv = _transformers()
    xy = np.column_stack(fwd.transform(points.geometry.x.to_numpy(), points.geometry.y.to_numpy()))
    outline_laea = _project(outline, fwd)
    box = shapely.box(
        *np.r_[np.minimum(xy.min(0), outline_laea.bounds[:2]), np.maximum(xy.max(0), outline_laea.bounds[2:])]
    )
    extent = shapely.buffer(box, 100_000, join_style="mitre")
    cells = _cells(xy, extent)
    table, codes = _classes(points)
    classes_laea = np.array([shapely.coverage_union_all(cells[codes == k]) for k in range(len(table))])
    classes = _project(classes_laea, inv)
    lines = [*shapely.boundary(classes), shapely.boundary(outline)]
    far = None
    if max_distance_km is not None:
        far = _far(cells, xy, max_distance_km, inv)
        if far is not None:
            lines.append(shapely.boundary(far))
    snapped_outline = shapely.set_precision(outline, GRID)
    faces = _faces(lines, snapped_outline)
    label = _label(faces, classes)
    if far is not None:
        shapely.prepare(far)
        nodata = {"faction": NO_DATA, "secondary": None, "status": "control", "confidence": confidence}
        table = pd.concat([table, pd.DataFrame([nodata])], ignore_index=True)
        label[shapely.contains(far, shapely.point_on_surface(faces))] = len(table) - 1
    areas = _dissolve(faces, label, table, points, codes, country)
    if far is not None:
        areas.loc[areas["faction"] == NO_DATA, "note"] = (
            f"farther than {max_distance_km:g} km from every observation"
        )
    checks = _check(areas, outline, country)
    return Tessellation(country, areas, checks)


def _dissolve(
    faces: np.ndarray,
    label: np.ndarray,
    table: pd.DataFrame,
    points: gpd.GeoDataFrame,
    codes: np.ndarray,
    country: str,
) -> gpd.GeoDataFrame:
    """Dissolve the faces per class, explode into connected areas, count the points in each."""
    parts: list[BaseGeometry] = []
    part_class: list[int] = []
    for k in np.unique(label):
        pieces = shapely.get_parts(shapely.coverage_union_all(faces[label == k]))
        parts.extend(pieces)
        part_class.extend([int(k)] * len(pieces))
    geoms = np.empty(len(parts), dtype=object)
    geoms[:] = parts
    owner = np.array(part_class)
    pt, part = shapely.STRtree(geoms).query(np.asarray(points.geometry.values), predicate="intersects")
    same = codes[pt] == owner[part]
    pt, part = pt[same], part[same]
    pt, first = np.unique(pt, return_index=True)  # a point on a corner shared by two parts counts once
    part = part[first]
    notes: dict[int, set[str]] = {}
    point_notes = points["note"].to_numpy(dtype=object)
    for i, j in zip(pt, part, strict=True):
        note = point_notes[i]
        if isinstance(note, str) and note:
            notes.setdefault(int(j), set()).add(note)
    frame = table.iloc[owner].reset_index(drop=True)
    frame["note"] = [
        " | ".join(sorted(notes.get(j, ()))) or None if len(notes.get(j, ())) <= 2 else None
        for j in range(len(geoms))
    ]
    frame["country"] = country
    frame["n_points"] = np.bincount(part, minlength=len(geoms))
    return gpd.GeoDataFrame(frame, geometry=list(geoms), crs="EPSG:4326")


def _check(areas: gpd.GeoDataFrame, outline: BaseGeometry, country: str) -> dict[str, Any]:
    geoms = areas.geometry.values
    problems = []
    if not shapely.is_valid(geoms).all():
        problems.append(f"{int((~shapely.is_valid(geoms)).sum())} invalid polygon(s)")
    if not shapely.coverage_is_valid(geoms):
        edges = shapely.coverage_invalid_edges(geoms)
        problems.append(
            f"{int((~shapely.is_empty(edges)).sum())} area(s) overlap or misalign with a neighbour"
        )
    total = float(equal_area_km2(geoms).sum())
    expected = float(equal_area_km2([outline])[0])
    if abs(total - expected) > AREA_TOLERANCE * expected:
        problems.append(f"areas sum to {total:,.1f} km², the outline is {expected:,.1f} km²")
    if problems:
        raise DeriveError(
            f"internal error: the derived coverage of {country} is not clean ({'; '.join(problems)}); "
            "expected no gaps or overlaps. Please report this with the points file."
        )
    return {"coverage_valid": True, "area_km2": round(total, 1), "outline_km2": round(expected, 1)}

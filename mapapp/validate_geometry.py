"""Geometry rules of snapshot validation, vectorised with shapely 2.

Each function takes an array of geometries and a ``locate`` callable (positions -> "features #3,
#7 …") and returns what it found as :class:`~mapapp.errors.Problem` objects; nothing here raises
for bad data. Python loops run only over reported features (GeometryCollections, repaired
geometries), never over the whole file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError, ProjError

from mapapp.errors import Problem

OnInvalid = Literal["raise", "warn", "fix"]
Locate = Callable[[npt.NDArray[np.intp]], str]
BoolArray = npt.NDArray[np.bool_]
GeomArray = npt.NDArray[np.object_]

POLYGONAL = (3, 6)  # shapely type ids of Polygon, MultiPolygon
_TYPE_NAMES = {
    0: "Point",
    1: "LineString",
    2: "LinearRing",
    3: "Polygon",
    4: "MultiPoint",
    5: "MultiLineString",
    6: "MultiPolygon",
    7: "GeometryCollection",
}


@dataclass
class GeometryResult:
    """Geometries after the per-feature rules: 2D, polygonal, EPSG:4326, valid where ``usable``."""

    geoms: GeomArray
    usable: BoolArray
    problems: list[Problem] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)


def indices(mask: BoolArray) -> npt.NDArray[np.intp]:
    """Return the positions where ``mask`` is true."""
    return np.flatnonzero(mask).astype(np.intp)


def check_geometries(
    geoms: GeomArray, crs: CRS | None, *, assume_wgs84: bool, on_invalid: OnInvalid, locate: Locate
) -> GeometryResult:
    """Run the per-feature geometry rules in order: presence, type, coordinates, CRS, validity.

    Parameters
    ----------
    geoms
        The raw geometries (object array, ``None`` allowed).
    crs
        The CRS the file declares, or ``None``.
    assume_wgs84
        Whether a missing CRS means EPSG:4326 (RFC 7946 GeoJSON only).
    on_invalid
        ``"raise"`` (invalid geometry is an error), ``"warn"`` or ``"fix"`` (repaired with
        :func:`shapely.make_valid`; reported as a warning either way).
    locate
        Turns feature positions into a "where" text.
    """
    result = GeometryResult(geoms=np.array(geoms, dtype=object), usable=np.ones(len(geoms), dtype=bool))
    _presence(result, locate)
    _types(result, locate)
    _coordinates(result, locate)
    _to_wgs84(result, crs, assume_wgs84, locate)
    _validity(result, on_invalid, locate)
    return result


def _presence(res: GeometryResult, locate: Locate) -> None:
    missing = shapely.is_missing(res.geoms)
    empty = shapely.is_empty(res.geoms) & ~missing
    for mask, what in ((missing, "no geometry (null)"), (empty, "an empty geometry")):
        if mask.any():
            pos = indices(mask)
            res.problems.append(
                Problem(
                    code="null-geometry" if what.startswith("no") else "empty-geometry",
                    message=f"{len(pos)} feature(s) have {what}",
                    expected="a Polygon or MultiPolygon in every feature",
                    found=what,
                    where=locate(pos),
                    fix="draw the area of these features, or delete them from the file",
                    details={"features": pos.tolist()},
                )
            )
    res.usable &= ~(missing | empty)


def _types(res: GeometryResult, locate: Locate) -> None:
    type_ids = shapely.get_type_id(res.geoms)
    for pos in indices(res.usable & (type_ids == 7)):
        res.geoms[pos] = _polygonal_part(res.geoms[pos])
    collections = indices(res.usable & (type_ids == 7) & ~shapely.is_empty(res.geoms))
    if len(collections):
        res.problems.append(
            Problem(
                code="geometry-collection",
                message=f"{len(collections)} GeometryCollection(s) reduced to their polygons",
                expected="Polygon or MultiPolygon",
                found="GeometryCollection mixing polygons with points or lines",
                where=locate(collections),
                fix="nothing to do if the points/lines were decoration; export polygons only to silence this",
                severity="warning",
                details={"features": collections.tolist()},
            )
        )
    type_ids = shapely.get_type_id(res.geoms)
    wrong = res.usable & ~np.isin(type_ids, POLYGONAL)
    if wrong.any():
        res.problems.append(_wrong_types(type_ids, wrong, res.usable, locate))
    res.usable &= ~wrong


def _repair(geoms: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Repair with ``make_valid`` and keep the polygonal part.

    A geometry GEOS cannot repair (absurd coordinates such as 1e307 make it fail) becomes empty,
    and is then reported as collapsed.
    """
    try:
        return np.array([_polygonal_part(g) for g in shapely.make_valid(geoms)], dtype=object)
    except shapely.errors.GEOSException:
        return np.array([_repair_one(g) for g in geoms], dtype=object)


def _repair_one(geom: Any) -> Any:
    try:
        return _polygonal_part(shapely.make_valid(geom))
    except shapely.errors.GEOSException:
        return shapely.GeometryCollection()


def _polygonal_part(geom: Any) -> Any:
    parts = shapely.get_parts(geom)
    polys = [p for p in parts if shapely.get_type_id(p) in POLYGONAL]
    if not polys:
        return shapely.GeometryCollection() if not len(parts) else geom
    return polys[0] if len(polys) == 1 else shapely.union_all(polys)


def _wrong_types(type_ids: npt.NDArray[Any], wrong: BoolArray, usable: BoolArray, locate: Locate) -> Problem:
    pos = indices(wrong)
    counts = Counter(_TYPE_NAMES.get(int(t), str(t)) for t in type_ids[wrong])
    found = ", ".join(f"{n} {name}" for name, n in counts.most_common())
    if wrong.sum() == usable.sum():
        points = any("Point" in name for name in counts)
        return Problem(
            code="no-polygons",
            message=f"the file has no polygons, only {found}",
            expected="areas of control as Polygon or MultiPolygon features",
            found=found,
            where=locate(pos),
            fix=(
                "these look like point observations: turn them into areas with 'mapapp derive', "
                "or export the polygon layer instead"
                if points
                else "export the polygon layer of the map (front lines are not areas)"
            ),
            details={"types": dict(counts), "features": pos.tolist()},
        )
    return Problem(
        code="not-polygon",
        message=f"points or lines mixed in with the areas: {found}",
        expected="only Polygon or MultiPolygon features",
        found=found,
        where=locate(pos),
        fix="remove these features, or export the polygons only",
        details={"types": dict(counts), "features": pos.tolist()},
    )


def _coordinates(res: GeometryResult, locate: Locate) -> None:
    coords, owner = shapely.get_coordinates(res.geoms[res.usable], return_index=True)
    bad_rows = np.unique(owner[~np.isfinite(coords).all(axis=1)])
    if len(bad_rows):
        pos = indices(res.usable)[bad_rows]
        res.problems.append(
            Problem(
                code="non-finite-coordinates",
                message=f"{len(pos)} feature(s) have NaN or infinite coordinates",
                expected="finite numbers for every vertex",
                found="NaN / Infinity",
                where=locate(pos),
                fix="fix or delete these vertices in a GIS; NaN and Infinity are not positions",
                details={"features": pos.tolist()},
            )
        )
        res.usable[pos] = False
    has_z = shapely.has_z(res.geoms) & res.usable
    has_m = shapely.has_m(res.geoms) & res.usable
    if (has_z | has_m).any():
        pos = indices(has_z | has_m)
        res.geoms[pos] = shapely.force_2d(res.geoms[pos])
        kind = "Z and M" if has_z.any() and has_m.any() else ("Z" if has_z.any() else "M")
        res.problems.append(
            Problem(
                code="3d-coordinates-dropped",
                message=f"{kind} values of {len(pos)} feature(s) dropped: the map is 2D",
                expected="2D coordinates (lon, lat)",
                found=f"coordinates with {kind} values",
                where=locate(pos),
                fix="nothing to do; export 2D geometry to silence this",
                severity="warning",
                details={"features": pos.tolist()},
            )
        )


def is_wgs84(crs: CRS) -> bool:
    """Whether ``crs`` is WGS84 longitude/latitude (EPSG:4326 or OGC:CRS84)."""
    return crs.to_epsg() == 4326 or crs.equals(CRS.from_user_input("OGC:CRS84"))


def _to_wgs84(res: GeometryResult, crs: CRS | None, assume_wgs84: bool, locate: Locate) -> None:
    if crs is None:
        if assume_wgs84:
            res.provenance["source_crs"] = "EPSG:4326 (RFC 7946 GeoJSON)"
            return
        res.problems.append(
            _crs_problem(
                "missing-crs",
                "the file declares no coordinate reference system (CRS)",
                "no CRS",
                "export the file again with its CRS (or as GeoJSON in EPSG:4326), or name the CRS of its "
                "coordinates with --crs EPSG:<code> (crs=); mapapp never guesses a CRS",
            )
        )
        res.usable[:] = False
        return
    res.provenance["source_crs"] = crs.to_string()
    if not is_wgs84(crs):
        _reproject(res, crs, locate)


def _reproject(res: GeometryResult, crs: CRS, locate: Locate) -> None:
    rows = indices(res.usable)
    try:
        projected = gpd.GeoSeries(res.geoms[rows], crs=crs).to_crs("EPSG:4326").values
    except (CRSError, ProjError) as exc:
        res.problems.append(
            _crs_problem(
                "crs-transform-failed",
                f"cannot reproject from {crs.to_string()!r} to EPSG:4326: {exc}",
                repr(crs.to_string()),
                "export the file in EPSG:4326",
            )
        )
        res.usable[:] = False
        return
    res.geoms[rows] = np.asarray(projected, dtype=object)
    coords, owner = shapely.get_coordinates(res.geoms[rows], return_index=True)
    bad = rows[np.unique(owner[~np.isfinite(coords).all(axis=1)])]
    if len(bad):
        res.problems.append(
            Problem(
                code="crs-out-of-domain",
                message=f"{len(bad)} feature(s) fall outside the domain of the declared CRS "
                f"{crs.to_string()!r}",
                expected="coordinates valid in the declared CRS",
                found="vertices that do not reproject to longitude/latitude",
                where=locate(bad),
                fix="check the CRS the file declares: it is probably not the one its coordinates use",
                details={"features": bad.tolist()},
            )
        )
        res.usable[bad] = False


def _crs_problem(code: str, message: str, found: str, fix: str) -> Problem:
    expected = (
        "a declared CRS (a .prj next to a .shp, the CRS of a GeoPackage layer) that reprojects to EPSG:4326"
    )
    return Problem(
        code=code, message=message, expected=expected, found=found, where="the whole file", fix=fix
    )


def _validity(res: GeometryResult, on_invalid: OnInvalid, locate: Locate) -> None:
    rows = indices(res.usable)
    invalid_rows = rows[~shapely.is_valid(res.geoms[rows])]
    if not len(invalid_rows):
        return
    reasons = shapely.is_valid_reason(res.geoms[invalid_rows])
    listed = "; ".join(f"#{i}: {r}" for i, r in list(zip(invalid_rows, reasons, strict=True))[:5])
    details = {"features": invalid_rows.tolist(), "reasons": [str(r) for r in reasons], "policy": on_invalid}
    if on_invalid == "raise":
        res.problems.append(_invalid_problem(invalid_rows, listed, locate, "error", details))
        res.usable[invalid_rows] = False
        return
    repaired = _repair(res.geoms[invalid_rows])
    collapsed = shapely.is_empty(repaired) | ~np.isin(shapely.get_type_id(repaired), POLYGONAL)
    res.geoms[invalid_rows] = repaired
    res.problems.append(_invalid_problem(invalid_rows, listed, locate, "warning", details))
    res.provenance["repaired_geometries"] = len(invalid_rows)
    if collapsed.any():
        pos = invalid_rows[collapsed]
        res.problems.append(
            Problem(
                code="invalid-geometry-collapsed",
                message=f"{len(pos)} invalid geometry(ies) have no area left after repair",
                expected="polygons with an area",
                found="rings that collapse to lines or points",
                where=locate(pos),
                fix="redraw these areas or delete them",
                details={"features": pos.tolist()},
            )
        )
        res.usable[pos] = False


def _invalid_problem(
    rows: npt.NDArray[np.intp],
    listed: str,
    locate: Locate,
    severity: Literal["error", "warning"],
    details: Any,
) -> Problem:
    repaired = severity == "warning"
    return Problem(
        code="invalid-geometry",
        message=f"{len(rows)} invalid geometry(ies)" + (" repaired with make_valid" if repaired else ""),
        expected="valid polygons (closed rings that do not cross themselves)",
        found=listed,
        where=locate(rows),
        fix=(
            "check the repaired areas; fix them in a GIS to silence this"
            if repaired
            else "fix them in a GIS, or pass --on-invalid warn|fix (on_invalid=) "
            "to repair them with make_valid"
        ),
        severity=severity,
        details=details,
    )

"""Validation: the only way from a raw GeoDataFrame to a :class:`~mapapp.snapshot.ControlSnapshot`.

:func:`check` runs every rule, collects every problem (never raising for bad data) and returns a
:class:`ValidationReport`; :func:`validate` raises one
:class:`~mapapp.errors.SnapshotValidationError` listing them all, and emits a
:class:`SnapshotWarning` per warning. The rules (see :mod:`mapapp.validate_columns`,
:mod:`mapapp.validate_geometry`, :mod:`mapapp.validate_coverage`):

- a faction column (named, or auto-detected: ``faction``, ``controller``, ``control``, ``group``,
  ``layer``, ``owner``, ``side``; any case) whose values are known (registry aliases or an
  explicit mapping); optional ``status``, ``secondary``, ``confidence``, ``note`` columns;
- a declared CRS, reprojected to EPSG:4326 (assumed only for RFC 7946 GeoJSON);
- no empty file, no null/empty geometry, polygons only, finite 2D coordinates, valid geometry
  (repaired with ``make_valid`` under ``on_invalid``);
- data in the Syria/Iraq region, no overlap between factions (a coverage);
- JSON-safe property values; every source column kept.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, get_args

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
from pyproj import CRS
from pyproj.exceptions import CRSError

from mapapp.errors import Problem, SnapshotValidationError
from mapapp.snapshot import AREA_COLUMNS, ControlSnapshot
from mapapp.validate_columns import Columns, check_columns
from mapapp.validate_coverage import check_overlaps, check_region
from mapapp.validate_geometry import GeometryResult, Locate, OnInvalid, check_geometries, indices
from mapapp.validate_model import (
    ATTR_FORMAT,
    ATTR_NOTES,
    ATTR_SOURCE,
    SnapshotMeta,
    SnapshotWarning,
    ValidationReport,
    check_meta,
    parse_faction_map,
)

POLICIES: tuple[OnInvalid, ...] = get_args(OnInvalid)
__all__ = [
    "POLICIES",
    "SnapshotMeta",
    "SnapshotWarning",
    "ValidationReport",
    "check",
    "parse_faction_map",
    "validate",
]

MAX_LOCATED = 10
"""Features named one by one in a problem's ``where``; all of them are in ``details``."""


def check(
    raw: gpd.GeoDataFrame,
    meta: SnapshotMeta | Mapping[str, Any] | None = None,
    *,
    faction_field: str | None = None,
    faction_map: Mapping[str, str] | None = None,
    on_invalid: OnInvalid = "warn",
    source_name: str = "",
    crs: str | None = None,
) -> ValidationReport:
    """Run every rule on ``raw``; return all problems and, if none blocks, the snapshot.

    Parameters
    ----------
    raw
        Features as read by :func:`mapapp.readers.read_vector` (or built in code). Not modified.
    meta
        Date and provenance. Without it (``None``) only the data are checked and
        ``snapshot`` is ``None``; the summary still describes the areas.
    faction_field
        The column holding the faction; default: auto-detected.
    faction_map
        Explicit ``{name in the file: faction id}`` mapping, tried before the registry's aliases.
    on_invalid
        Invalid geometry: ``"raise"`` (an error), ``"warn"`` or ``"fix"`` (repaired with
        ``make_valid`` and reported as a warning; ``validate`` emits a Python warning only for
        ``"warn"``).
    source_name
        Name of the file for messages; default the one the reader recorded.
    crs
        The CRS of the coordinates when the file declares none (e.g. ``"EPSG:32637"`` for a
        shapefile without its ``.prj``). It never overrides a declared CRS.

    Returns
    -------
    ValidationReport
        Never raises for problems in the data.
    """
    if on_invalid not in POLICIES:
        raise ValueError(f"on_invalid: expected one of {POLICIES}, found {on_invalid!r}")
    # Absurd coordinates (1e308, latitude 91) make numpy warn inside shapely/pyproj; every such
    # case is reported as a Problem (non-finite, out of range), so the warnings are noise here.
    with np.errstate(all="ignore"):
        options = _Options(faction_field, dict(faction_map or {}), on_invalid, source_name, crs)
        return _check(raw, meta, options)


@dataclass(frozen=True)
class _Options:
    faction_field: str | None
    faction_map: dict[str, str]
    on_invalid: OnInvalid
    source_name: str
    crs: str | None


def _check(
    raw: gpd.GeoDataFrame, meta: SnapshotMeta | Mapping[str, Any] | None, opts: _Options
) -> ValidationReport:
    source = opts.source_name or str(raw.attrs.get(ATTR_SOURCE, ""))
    problems: list[Problem] = []
    snapshot_meta = check_meta(meta, source, problems)
    notes = [str(n) for n in raw.attrs.get(ATTR_NOTES, [])]
    problems += [Problem("reader-note", n, where=source or "the file", severity="warning") for n in notes]
    if len(raw) == 0:
        problems.append(_empty())
        return ValidationReport(tuple(problems), None, source)
    locate = _locator(raw)
    cols = check_columns(
        raw.drop(columns=[raw.geometry.name]),
        faction_field=opts.faction_field,
        faction_map=opts.faction_map,
        default_confidence=snapshot_meta.confidence if snapshot_meta else "approximate",
        locate=locate,
    )
    crs, crs_problems = _source_crs(raw, opts.crs)
    geo = check_geometries(
        raw.geometry.to_numpy(),
        crs,
        assume_wgs84=raw.attrs.get(ATTR_FORMAT) == "GeoJSON",
        on_invalid=opts.on_invalid,
        locate=locate,
    )
    if crs_problems and crs_problems[0].code == "bad-crs":  # "missing" would only repeat it
        geo.problems = [p for p in geo.problems if p.code != "missing-crs"]
    problems += cols.problems + crs_problems + geo.problems
    problems += _coverage_problems(raw, cols, geo, problems, locate)
    problems.sort(key=lambda p: p.severity != "error")
    provenance = {**cols.provenance, **geo.provenance, "on_invalid": opts.on_invalid}
    if source:
        provenance["source_file"] = source
    if any(p.severity == "error" for p in problems):
        return ValidationReport(tuple(problems), None, source, _summary(raw, None))
    areas = _areas(cols.canonical, cols.extras, geo.geoms)
    provenance["validation_warnings"] = sorted({p.code for p in problems})
    snapshot = _snapshot(snapshot_meta, areas, provenance) if snapshot_meta else None
    return ValidationReport(tuple(problems), snapshot, source, _summary(raw, areas))


def _source_crs(raw: gpd.GeoDataFrame, given: str | None) -> tuple[CRS | None, list[Problem]]:
    """Return the CRS of the raw coordinates: the declared one, else the one given by the caller."""
    if raw.crs is not None:
        declared = CRS.from_user_input(raw.crs)
        if given is None:
            return declared, []
        ignored = Problem(
            "crs-option-ignored",
            f"the file declares {declared.to_string()!r}; the CRS given ({given!r}) is not used",
            expected="--crs only for files that declare no CRS",
            found=repr(given),
            where="--crs / crs=",
            fix="drop --crs; to correct a wrong declared CRS, export the file again with the right one",
            severity="warning",
        )
        return declared, [ignored]
    if given is None:
        return None, []
    try:
        return CRS.from_user_input(given), []
    except CRSError as exc:
        bad = Problem(
            "bad-crs",
            f"cannot understand the CRS {given!r}: {exc}",
            expected="an EPSG code (EPSG:32637), a PROJ string or WKT",
            found=repr(given),
            where="--crs / crs=",
            fix="give the CRS as EPSG:<code>",
        )
        return None, [bad]


def _coverage_problems(
    raw: gpd.GeoDataFrame, cols: Columns, geo: GeometryResult, found: list[Problem], locate: Locate
) -> list[Problem]:
    """Run the whole-file rules (region, overlaps) on the geometries that passed the per-feature rules."""
    codes = {p.code for p in found}
    if codes & {"missing-crs", "bad-crs", "crs-transform-failed"}:
        return []
    rows = indices(geo.usable)
    problems = check_region(geo.geoms, rows, locate)
    if any(p.code == "coordinates-out-of-range" for p in problems):
        return problems  # areas beyond ±180/±90 degrees cannot be measured
    factions = [
        f if f is not None else str(v)
        for f, v in zip(cols.canonical["faction"], _faction_raw(raw, cols), strict=True)
    ]
    return problems + check_overlaps(geo.geoms, rows, factions, locate)


def validate(
    raw: gpd.GeoDataFrame,
    meta: SnapshotMeta | Mapping[str, Any],
    *,
    faction_field: str | None = None,
    faction_map: Mapping[str, str] | None = None,
    on_invalid: OnInvalid = "warn",
    source_name: str = "",
    crs: str | None = None,
) -> ControlSnapshot:
    """Validate ``raw`` into a snapshot, or raise one error listing every problem.

    Parameters are those of :func:`check`; ``meta`` is required.

    Raises
    ------
    SnapshotValidationError
        With every problem (errors and warnings) in ``.problems``.
    """
    report = check(
        raw,
        meta,
        faction_field=faction_field,
        faction_map=faction_map,
        on_invalid=on_invalid,
        source_name=source_name,
        crs=crs,
    )
    if report.snapshot is None:
        raise SnapshotValidationError(report.problems, report.source)
    for problem in report.warnings:
        if problem.code == "invalid-geometry" and on_invalid == "fix":
            continue
        warnings.warn(problem.format(), SnapshotWarning, stacklevel=2)
    return report.snapshot


def _empty() -> Problem:
    return Problem(
        "empty-file",
        "the file has no features",
        expected="at least one area (Polygon/MultiPolygon feature)",
        found="0 features",
        where="the whole file",
        fix="export the layer that holds the areas of control",
    )


def _locator(raw: gpd.GeoDataFrame) -> Locate:
    id_col = next((c for c in raw.columns if str(c).casefold() in ("id", "fid")), None)
    ids = raw[id_col].tolist() if id_col is not None else None

    def locate(pos: npt.NDArray[np.intp]) -> str:
        shown = [
            f"#{int(i)}" + (f" (id {ids[int(i)]!r})" if ids is not None else "") for i in pos[:MAX_LOCATED]
        ]
        more = f" and {len(pos) - MAX_LOCATED} more" if len(pos) > MAX_LOCATED else ""
        return ("feature " if len(pos) == 1 else "features ") + ", ".join(shown) + more

    return locate


def _faction_raw(raw: gpd.GeoDataFrame, cols: Columns) -> list[Any]:
    field_name = cols.provenance.get("faction_field")
    if field_name is None:
        return [None] * len(raw)
    names = [str(c) for c in raw.columns]
    return list(raw.iloc[:, names.index(field_name)])


def _areas(canonical: Mapping[str, list[Any]], extras: pd.DataFrame, geoms: Any) -> gpd.GeoDataFrame:
    data: dict[str, Any] = {c: pd.Series(canonical[c], dtype=object) for c in AREA_COLUMNS}
    for name in extras.columns:
        data[name] = extras[name].reset_index(drop=True)
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(list(geoms), crs="EPSG:4326"), crs="EPSG:4326")


def _snapshot(meta: SnapshotMeta, areas: gpd.GeoDataFrame, provenance: dict[str, Any]) -> ControlSnapshot:
    assert meta.date is not None
    return ControlSnapshot(
        date=meta.date,
        label=meta.label,
        source=meta.source,
        licence=meta.licence,
        confidence=meta.confidence,
        areas=areas,
        provenance=provenance,
    )


def _summary(raw: gpd.GeoDataFrame, areas: gpd.GeoDataFrame | None) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "features": len(raw),
        "columns": [str(c) for c in raw.columns if c != raw.geometry.name],
        "crs": raw.crs.to_string() if raw.crs is not None else None,
    }
    if areas is not None and len(areas):
        summary["factions"] = {str(k): int(v) for k, v in areas["faction"].value_counts().items()}
        summary["bbox"] = [round(float(b), 5) for b in areas.total_bounds]
    return summary

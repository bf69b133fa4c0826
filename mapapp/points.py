"""Point observations of control: reading a CSV / GeoJSON of places labelled with a controller.

:func:`read_points` turns a file (or a frame built in code) into :class:`Observations`: one row per
point with the canonical columns ``faction``, ``secondary``, ``status``, ``confidence``, ``note``,
``country`` and ``where`` (file, row and name, for error messages), in EPSG:4326. Every problem of
the file is collected and reported at once in a :class:`~mapapp.errors.DeriveError`.

Rows are numbered from 1 over the data records (the CSV header is not counted), in file order.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from mapapp.errors import DeriveError
from mapapp.point_values import RowResolver, confidences, raise_problems, resolve_row, text
from mapapp.point_values import countries as point_countries

CONTROLLER_FIELDS = ("controller", "faction", "control", "controlled_by", "held_by", "holder", "side")
SECONDARY_FIELDS = ("secondary", "secondary_faction", "second_faction")
STATUS_FIELDS = ("status",)
CONFIDENCE_FIELDS = ("confidence",)
COUNTRY_FIELDS = ("country", "country_code", "iso_a2", "adm0_a3")
NOTE_FIELDS = ("note", "notes", "comment")
NAME_FIELDS = ("name", "place", "name_en")
LAT_FIELDS = ("lat", "latitude", "y")
LON_FIELDS = ("lon", "lng", "long", "longitude", "x")
COLUMNS = ("faction", "secondary", "status", "confidence", "note", "country", "where")

_DATED = re.compile(r"^(controller|confidence)_(\d{4})_(\d{2})_(\d{2})$", re.IGNORECASE)


@dataclass(frozen=True)
class Observations:
    """Point observations in canonical form, ready for :func:`mapapp.derive.derive_snapshot`.

    Attributes
    ----------
    frame
        EPSG:4326 points with the columns :data:`COLUMNS`; ``country`` is ``SY``, ``IQ`` or None
        (to be assigned to the nearest country), ``confidence`` may be None (snapshot default).
    sources
        Names of the files read (without directories, so provenance does not depend on the
        machine).
    fields
        Which input column was used for each canonical one, per source.
    """

    frame: gpd.GeoDataFrame
    sources: tuple[str, ...] = ()
    fields: dict[str, dict[str, str]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.frame)

    @classmethod
    def concat(cls, parts: Sequence[Observations]) -> Observations:
        """Join several observation sets (e.g. the Syrian and the Iraqi file) into one."""
        frame = pd.concat([p.frame for p in parts], ignore_index=True)
        fields = {k: v for p in parts for k, v in p.fields.items()}
        sources = tuple(s for p in parts for s in p.sources)
        return cls(gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326"), sources, fields)


def _pick(columns: Sequence[str], candidates: Sequence[str], explicit: str | None, what: str) -> str | None:
    lower = {c.lower(): c for c in columns}
    if explicit is not None:
        if explicit in columns:
            return explicit
        if explicit.lower() in lower:
            return lower[explicit.lower()]
        raise DeriveError(
            f"the {what} column {explicit!r} does not exist; expected one of the file's columns "
            f"{list(columns)!r}. Pass an existing column name."
        )
    for name in candidates:
        if name in lower:
            return lower[name]
    return None


def _dated_columns(columns: Sequence[str], kind: str) -> dict[dt.date, str]:
    found: dict[dt.date, str] = {}
    for col in columns:
        m = _DATED.match(col)
        if m and m.group(1).lower() == kind:
            try:
                found[dt.date(int(m.group(2)), int(m.group(3)), int(m.group(4)))] = col
            except ValueError:
                continue
    return found


def _controller_column(columns: Sequence[str], date: dt.date, explicit: str | None, src: str) -> str:
    if explicit is not None:
        picked = _pick(columns, (), explicit, "controller")
        assert picked is not None
        return picked
    dated = _dated_columns(columns, "controller")
    if dated:
        if date in dated:
            return dated[date]
        available = ", ".join(d.isoformat() for d in sorted(dated))
        raise DeriveError(
            f"{src}: no controller column for {date.isoformat()}: expected a column "
            f"'controller_{date.strftime('%Y_%m_%d')}'; the file has dates {available}. "
            "Pass one of those dates with --date, or name a column with --controller-field."
        )
    picked = _pick(columns, CONTROLLER_FIELDS, None, "controller")
    if picked is None:
        raise DeriveError(
            f"{src}: no controller column found; expected one of {list(CONTROLLER_FIELDS)!r} (or "
            f"controller_YYYY_MM_DD); found columns {list(columns)!r}. Name it with --controller-field."
        )
    return picked


def _load(source: str | Path | pd.DataFrame) -> tuple[pd.DataFrame, str]:
    if isinstance(source, pd.DataFrame):
        return source.reset_index(drop=True), "<frame>"
    path = Path(source)
    if not path.is_file():
        raise DeriveError(f"{path}: points file not found; expected a CSV or GeoJSON file of points")
    try:
        if path.suffix.lower() in (".csv", ".tsv", ".txt"):
            sep = "\t" if path.suffix.lower() == ".tsv" else ","
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep, encoding="utf-8")
        else:
            frame = pyogrio.read_dataframe(path)
    except (OSError, ValueError, UnicodeDecodeError, pyogrio.errors.DataSourceError) as exc:
        raise DeriveError(
            f"{path}: cannot read the points file ({exc}); expected UTF-8 CSV with lat/lon columns "
            "or a GeoJSON of points"
        ) from exc
    return frame, path.name


def _coordinates(frame: pd.DataFrame, src: str) -> tuple[np.ndarray, np.ndarray]:
    cols = list(frame.columns)
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in cols:
        geoms = frame.geometry
        if frame.crs is not None and frame.crs.to_epsg() != 4326:
            geoms = geoms.to_crs("EPSG:4326")
        is_point = (geoms.geom_type == "Point").to_numpy() & ~geoms.is_empty.to_numpy()
        x = np.where(is_point, geoms.x.where(is_point), np.nan) if len(geoms) else np.array([])
        y = np.where(is_point, geoms.y.where(is_point), np.nan) if len(geoms) else np.array([])
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    lat = _pick(cols, LAT_FIELDS, None, "latitude")
    lon = _pick(cols, LON_FIELDS, None, "longitude")
    if lat is None or lon is None:
        raise DeriveError(
            f"{src}: no usable coordinates: expected point geometries or latitude/longitude columns "
            f"(one of {list(LAT_FIELDS)!r} and one of {list(LON_FIELDS)!r}); found {cols!r}"
        )
    y = pd.to_numeric(frame[lat], errors="coerce").to_numpy(dtype=float)
    x = pd.to_numeric(frame[lon], errors="coerce").to_numpy(dtype=float)
    return x, y


def _columns(frame: pd.DataFrame, date: dt.date, src: str, explicit: dict[str, str | None]) -> dict[str, str]:
    cols = [
        c for c in frame.columns if not (isinstance(frame, gpd.GeoDataFrame) and c == frame.geometry.name)
    ]
    found: dict[str, str | None] = {
        "controller": _controller_column(cols, date, explicit.get("controller"), src)
    }
    dated_conf = _dated_columns(cols, "confidence")
    for key, cands in (
        ("secondary", SECONDARY_FIELDS),
        ("status", STATUS_FIELDS),
        ("confidence", CONFIDENCE_FIELDS),
        ("country", COUNTRY_FIELDS),
        ("note", NOTE_FIELDS),
        ("name", NAME_FIELDS),
    ):
        if key == "confidence" and explicit.get(key) is None and date in dated_conf:
            found[key] = dated_conf[date]
            continue
        found[key] = _pick(cols, cands, explicit.get(key), key)
    return {k: v for k, v in found.items() if v is not None}


def _values(frame: pd.DataFrame, column: str | None) -> list[str | None]:
    if column is None:
        return [None] * len(frame)
    return [text(v) for v in frame[column].tolist()]


def read_points(
    source: str | Path | pd.DataFrame,
    *,
    date: dt.date | str,
    controller_field: str | None = None,
    secondary_field: str | None = None,
    status_field: str | None = None,
    confidence_field: str | None = None,
    country_field: str | None = None,
    country: str | None = None,
) -> Observations:
    """Read point observations of control from a CSV / GeoJSON file or a frame.

    Parameters
    ----------
    source
        A CSV (``lat``/``lon`` columns) or any vector file pyogrio reads (point geometries), or a
        (Geo)DataFrame built in code.
    date
        The date observed. Files with one column per date (``controller_YYYY_MM_DD`` and
        ``confidence_YYYY_MM_DD``, like the curated file) use that date's columns.
    controller_field, secondary_field, status_field, confidence_field, country_field
        Column names; by default detected (``controller``/``faction``/``control``...,
        ``secondary``, ``status``, ``confidence``, ``country``).
    country
        ``SY`` or ``IQ`` for every row (e.g. a file that covers one country); overrides the column.

    Returns
    -------
    Observations
        The points in canonical form. A controller ``contested`` or ``mixed`` takes its two
        factions from the row's note (``"contested: X vs Y"``, ``"mixed: X+Y"``); other notes are
        kept as text only.

    Raises
    ------
    DeriveError
        No usable coordinates, no controller column, a date the file does not have, unknown
        controller / status / confidence / country values (every offending row is listed, with
        the closest faction ids).
    """
    when = dt.date.fromisoformat(date) if isinstance(date, str) else date
    frame, src = _load(source)
    explicit = {
        "controller": controller_field,
        "secondary": secondary_field,
        "status": status_field,
        "confidence": confidence_field,
        "country": country_field,
    }
    columns = _columns(frame, when, src, explicit)
    x, y = _coordinates(frame, src)
    rows = RowResolver(src, _values(frame, columns.get("name")))
    values = {k: _values(frame, columns.get(k)) for k in ("controller", "secondary", "status", "note")}
    records = [resolve_row(rows, i, {k: v[i] for k, v in values.items()}, columns) for i in range(len(frame))]
    confidence = confidences(rows, _values(frame, columns.get("confidence")), columns)
    countries = point_countries(rows, _values(frame, columns.get("country")), country, columns)
    bad = ~(np.isfinite(x) & np.isfinite(y) & (np.abs(y) <= 90) & (np.abs(x) <= 180))
    if len(frame) == 0 or bad.all():
        raise DeriveError(
            f"{src}: no usable coordinates in {len(frame)} row(s): expected numeric latitude/longitude "
            "(WGS84) or point geometries"
        )
    rows.problems.extend(f"{rows.where(int(i))}: no usable coordinates" for i in np.flatnonzero(bad))
    if rows.problems:
        raise_problems(src, rows.problems)
    # object columns: missing values stay None (pandas' string dtype would turn them into NaN)
    out = pd.DataFrame(records, columns=["faction", "secondary", "status"], dtype=object)
    out["confidence"] = pd.Series(confidence, dtype=object)
    out["note"] = pd.Series(values["note"], dtype=object)
    out["country"] = pd.Series(countries, dtype=object)
    out["where"] = pd.Series([rows.where(i) for i in range(len(frame))], dtype=object)
    geoms = gpd.points_from_xy(x, y, crs="EPSG:4326")
    used = {k: v for k, v in columns.items() if k != "name"}
    return Observations(gpd.GeoDataFrame(out, geometry=geoms), (src,), {src: used})

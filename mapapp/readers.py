"""Read snapshot files: GeoJSON, GeoPackage, zipped Shapefile, KML and FlatGeobuf, through pyogrio.

Every file is untrusted. Before anything parses it, :func:`read_vector` checks its size with
``os.stat`` against a cap (default 200 MB, ``MAPAPP_MAX_UPLOAD_MB`` or ``max_bytes``), inspects zip
archives member by member (no absolute paths or ``..``, no symlinks, no encrypted members, a bounded
uncompressed total, a ``.shp`` inside) and refuses KML carrying a ``DOCTYPE`` or entity
declarations (those checks live in :mod:`mapapp.intake`). Any pyogrio/GDAL or OS error becomes a
:class:`~mapapp.errors.SnapshotReadError` saying what, where and how to fix it.

The raw frame keeps the CRS the file declares (``None`` when it declares none) and records in
:attr:`pandas.DataFrame.attrs` where it came from (:data:`ATTR_SOURCE`), the GDAL driver
(:data:`ATTR_FORMAT`) and any reader warnings (:data:`ATTR_NOTES`); validation reads these.
"""

from __future__ import annotations

import functools
import os
import sys
import warnings
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from mapapp.errors import SnapshotValidationError
from mapapp.intake import (
    DEFAULT_MAX_BYTES,
    DRIVERS,
    ENV_MAX_UPLOAD_MB,
    SUPPORTED,
    ZIP_EXPANSION_LIMIT,
    check_kml,
    checked_size,
    fail,
    format_suffix,
    inspect_zip,
    max_upload_bytes,
)
from mapapp.snapshot import AREA_COLUMNS, ControlSnapshot
from mapapp.validate import SnapshotMeta, check
from mapapp.validate_model import ATTR_FORMAT, ATTR_NOTES, ATTR_SOURCE

_MULTI_LAYER = (".gpkg", ".kml")
"""Formats whose files may hold several layers (read together unless one is named)."""

__all__ = [
    "ATTR_FORMAT",
    "ATTR_NOTES",
    "ATTR_SOURCE",
    "DEFAULT_MAX_BYTES",
    "ENV_MAX_UPLOAD_MB",
    "max_upload_bytes",
    "read_catalog_file",
    "read_vector",
]

if TYPE_CHECKING:
    from mapapp.catalog import CatalogEntry

try:  # pyogrio's Arrow path is much faster on large files; pyarrow comes with streamlit
    import pyarrow

    _ARROW = True
    _ARROW_ERRORS: tuple[type[BaseException], ...] = (pyarrow.lib.ArrowException,)
except ImportError:  # pragma: no cover
    _ARROW = False
    _ARROW_ERRORS = ()

_DECODE_ERRORS: tuple[type[BaseException], ...] = (UnicodeError, *_ARROW_ERRORS)


_URI_CHARACTERS = ";?!#"
_KML_DEFAULTS: dict[str, int | None] = {
    "id": None,
    "description": None,
    "timestamp": None,
    "begin": None,
    "end": None,
    "altitudeMode": None,
    "tessellate": -1,
    "extrude": 0,
    "visibility": -1,
    "drawOrder": None,
    "icon": None,
}
_NOISE = ("invalid value encountered", "Non closed ring detected")  # reported better by validation
_READ_ERRORS: tuple[type[BaseException], ...] = (
    pyogrio.errors.DataSourceError,
    pyogrio.errors.DataLayerError,
    pyogrio.errors.FieldError,
    pyogrio.errors.GeometryError,
    pyogrio.errors.FeatureError,
    pyogrio.errors.CRSError,
    RuntimeError,
    OSError,
    ValueError,
    UnicodeError,
)


def read_vector(
    path: str | os.PathLike[str], *, max_bytes: int | None = None, layer: str | None = None
) -> gpd.GeoDataFrame:
    """Read a vector file into a raw GeoDataFrame, refusing what is too large or unsafe.

    Parameters
    ----------
    path
        A ``.geojson``/``.json``, ``.gpkg``, ``.zip`` (Shapefile inside), ``.kml`` or ``.fgb`` file.
        Without one of these suffixes the format is recognised from the first bytes.
    max_bytes
        Size cap in bytes, checked before parsing; default :func:`max_upload_bytes`.
    layer
        The layer to read. By default a single-layer file is read as is; the layers of a
        multi-layer file (GeoPackage, KML folders, several shapefiles in one zip) are stacked
        with their name in a ``layer`` column.

    Returns
    -------
    geopandas.GeoDataFrame
        The features with the file's CRS (``None`` if it declares none), plus provenance in
        ``attrs`` (:data:`ATTR_SOURCE`, :data:`ATTR_FORMAT`, :data:`ATTR_NOTES`).

    Raises
    ------
    SnapshotReadError
        The file is missing, empty, too large, of an unsupported type, unsafe, or cannot be parsed.
    """
    path = Path(path)
    cap = max_upload_bytes() if max_bytes is None else max_bytes
    size = checked_size(path, cap)
    suffix = format_suffix(path, size)
    target: str | bytes
    layers: list[str] | None
    if suffix == ".zip":
        target, layers = inspect_zip(path, cap * ZIP_EXPANSION_LIMIT, layer)
    else:
        if suffix == ".kml":
            check_kml(path)
        target, layers = _gdal_target(path), None
    frame = _read_layers(path, target, layers, layer, multi=suffix in _MULTI_LAYER)
    if suffix == ".kml":
        frame = _drop_kml_defaults(frame)
    frame.attrs[ATTR_SOURCE] = path.name
    frame.attrs[ATTR_FORMAT] = DRIVERS[suffix] if suffix != ".kml" else "KML"
    return frame


def _gdal_target(path: Path) -> str | bytes:
    """Return what to hand pyogrio for a plain file: its absolute path, or its bytes.

    pyogrio parses paths as URIs, so ``;``, ``?`` and ``!`` in a file name would cut it (or
    turn it into an archive path); such files are passed as bytes, bounded by the size cap.
    """
    absolute = str(path.resolve())
    if any(c in absolute for c in _URI_CHARACTERS):
        try:
            return path.read_bytes()
        except OSError as exc:
            raise fail(path, f"cannot read the file ({exc.strerror})", "Check its permissions.") from exc
    return absolute


def _drop_kml_defaults(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Drop the bookkeeping columns GDAL's LIBKML driver adds when they only hold their defaults."""
    empty = [
        name
        for name, default in _KML_DEFAULTS.items()
        if name in frame.columns
        and (frame[name].isna() | (frame[name] == default if default is not None else False)).all()
    ]
    return frame.drop(columns=empty)


def _read_layers(
    path: Path, target: str | bytes, shps: list[str] | None, layer: str | None, *, multi: bool
) -> gpd.GeoDataFrame:
    notes: list[str] = []
    if shps is not None:
        names = [PurePosixPath(s).stem for s in shps]
        sources: list[tuple[str | bytes, str | None]] = [(f"{target!s}/{s}", None) for s in shps]
    else:
        listed = multi and layer is None
        layer_names = _geometry_layers(path, target, notes) if listed else [layer]
        names = [str(n) for n in layer_names]
        sources = [(target, n) for n in layer_names]
    parts = [_guarded(path, functools.partial(_read_one, t, n), notes) for t, n in sources]
    frame = parts[0] if len(parts) == 1 else _stack(path, names, parts)
    frame.attrs[ATTR_NOTES] = notes
    return frame


def _geometry_layers(path: Path, target: str | bytes, notes: list[str]) -> list[str | None]:
    listed = _guarded(path, lambda: pyogrio.list_layers(target), notes)
    if len(listed) <= 1:
        return [None]
    named = [str(name) for name, gtype in listed if gtype is not None]
    return list(named) or [None]


def _read_one(target: str | bytes, layer: str | None) -> gpd.GeoDataFrame:
    """Read one layer with pyogrio's Arrow path, falling back for unclosed rings and non-UTF-8 text."""
    try:
        frame = pyogrio.read_dataframe(target, layer=layer, use_arrow=_ARROW)
    except shapely.errors.GEOSException:
        warnings.warn(
            "some rings were not closed; they were closed by repeating their first vertex", stacklevel=2
        )
        frame = pyogrio.read_dataframe(target, layer=layer, use_arrow=_ARROW, on_invalid="fix")
    if not isinstance(frame, gpd.GeoDataFrame):  # a table without geometry
        raise ValueError("the layer has no geometry column")
    try:
        for column in frame.columns.drop(frame.geometry.name):
            if isinstance(frame[column].dtype, pd.StringDtype):
                frame[column].tolist()  # Arrow decodes lazily: force it to find bad UTF-8 now
    except _DECODE_ERRORS:
        warnings.warn(
            "the text is not valid UTF-8; it was read as Latin-1: check accented names", stacklevel=2
        )
        frame = pyogrio.read_dataframe(
            target, layer=layer, use_arrow=False, encoding="latin1", on_invalid="fix"
        )
    return frame


def _guarded(path: Path, read: Callable[[], Any], notes: list[str]) -> Any:
    """Run a pyogrio call, translating its errors and recording its warnings as notes."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = read()
        except _READ_ERRORS as exc:
            raise fail(
                path,
                f"cannot be read as a vector file: {_short(exc)}",
                f"Check that it is one of {SUPPORTED} and opens in a GIS (e.g. QGIS); "
                "export it again if not.",
            ) from exc
    for w in caught:
        if not str(w.message).startswith(_NOISE) and str(w.message) not in notes:
            notes.append(str(w.message))
    return result


def _stack(path: Path, names: list[Any], parts: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    crs = {str(p.crs) for p in parts}
    if len(crs) > 1:
        raise fail(
            path,
            f"the layers {names!r} have different CRS ({sorted(crs)!r})",
            "Read one layer at a time (--layer NAME), or export the layers in one CRS.",
        )
    tagged = []
    for name, part in zip(names, parts, strict=True):
        column = "layer" if "layer" not in part.columns else "source_layer"
        tagged.append(part.assign(**{column: str(name)}))
    stacked = pd.concat(tagged, ignore_index=True)
    return gpd.GeoDataFrame(stacked, geometry=parts[0].geometry.name, crs=parts[0].crs)


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 300 else text[:299] + "…"


def read_catalog_file(path: Path, entry: CatalogEntry, *, trusted: bool) -> ControlSnapshot:
    """Read a catalog GeoJSON file back into a :class:`~mapapp.snapshot.ControlSnapshot`.

    Parameters
    ----------
    path
        The snapshot file.
    entry
        Its manifest entry (date, label, source, licence, confidence, provenance).
    trusted
        Whether the file's checksum matches the manifest. A trusted file was written by
        :meth:`mapapp.catalog.Catalog.add` from a validated snapshot and is only re-typed; an
        untrusted one (edited by hand) goes through full validation again.

    Raises
    ------
    SnapshotReadError
        The file cannot be read.
    SnapshotValidationError
        An untrusted file no longer validates.
    """
    frame = read_vector(path, max_bytes=sys.maxsize)  # written by the catalog: no upload cap
    if trusted:
        areas = _trusted_areas(frame)
    else:
        meta = SnapshotMeta(entry.date, entry.label, entry.source, entry.licence, entry.confidence)
        report = check(frame, meta, on_invalid="raise", source_name=str(path))
        if report.snapshot is None:
            raise SnapshotValidationError(report.problems, f"{path} (changed since it was imported)")
        areas = report.snapshot.areas
    return ControlSnapshot(
        date=entry.date,
        label=entry.label,
        source=entry.source,
        licence=entry.licence,
        confidence=entry.confidence,
        areas=areas,
        provenance=entry.provenance,
    )


def _trusted_areas(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Re-type a file the catalog wrote: canonical columns first (None for missing values), EPSG:4326."""
    data = {c: _objects(frame[c]) if c in frame else [None] * len(frame) for c in AREA_COLUMNS}
    extras = {c: frame[c] for c in frame.columns if c not in AREA_COLUMNS and c != frame.geometry.name}
    return gpd.GeoDataFrame({**data, **extras}, geometry=frame.geometry.values, crs="EPSG:4326")


def _objects(series: pd.Series) -> list[Any]:
    return [None if v is None or (isinstance(v, float) and v != v) else v for v in series]

"""What a file must pass before anything parses it: size cap, known format, safe zip, safe KML.

Every check here reads at most the file's metadata, its first bytes, a zip's central directory or
a linear scan of a KML's bytes; none hands the file to a parser. Failures are
:class:`~mapapp.errors.SnapshotReadError` saying what, where and how to fix it.
"""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from mapapp.errors import SnapshotReadError

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
"""Default size cap of an input file (200 MB)."""
ENV_MAX_UPLOAD_MB = "MAPAPP_MAX_UPLOAD_MB"
ZIP_EXPANSION_LIMIT = 5
"""A zip may expand to at most this many times the size cap (a zip-bomb guard)."""
ZIP_MAX_MEMBERS = 1000

DRIVERS = {
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".gpkg": "GPKG",
    ".zip": "ESRI Shapefile",
    ".kml": "KML",
    ".fgb": "FlatGeobuf",
}
SUPPORTED = (
    "GeoJSON (.geojson/.json), GeoPackage (.gpkg), zipped Shapefile (.zip), KML (.kml), FlatGeobuf (.fgb)"
)
_DTD_FIX = (
    "Remove the <!DOCTYPE …> block and any &entity; references, or export the KML again from a GIS "
    "(QGIS, Google Earth) which does not write them."
)
_KML_FORBIDDEN = {
    b"<!doctype": (
        "the KML declares DOCTYPE (a DTD); DTDs can read other files or expand without limit, "
        "so such files are never parsed",
        _DTD_FIX,
    ),
    b"<!entity": ("the KML declares ENTITY (entities); such files are never parsed", _DTD_FIX),
    b"<networklink": (
        "the KML contains a <NetworkLink>, which would fetch other files; mapapp never fetches anything",
        "Export the linked layer itself (save it as KML or GeoJSON in a GIS) and validate that file.",
    ),
}


def max_upload_bytes() -> int:
    """Return the size cap: ``$MAPAPP_MAX_UPLOAD_MB`` (in MB) if set, else :data:`DEFAULT_MAX_BYTES`."""
    text = os.environ.get(ENV_MAX_UPLOAD_MB, "").strip()
    if not text:
        return DEFAULT_MAX_BYTES
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise SnapshotReadError(
            f"{ENV_MAX_UPLOAD_MB}: expected a positive number of megabytes (e.g. 500), found {text!r}; "
            "fix or unset the environment variable"
        )
    return int(value * 1024 * 1024)


def fail(path: Path, what: str, fix: str) -> SnapshotReadError:
    """Return a read error: ``<path>: <what>. <fix>``."""
    return SnapshotReadError(f"{path}: {what}. {fix}")


def checked_size(path: Path, cap: int) -> int:
    """Return the size of a regular, non-empty file no larger than ``cap`` bytes (``os.stat`` only)."""
    try:
        info = path.stat()
    except FileNotFoundError as exc:
        raise fail(
            path, "no such file", "Check the path (relative paths start from the current directory)."
        ) from exc
    except OSError as exc:
        raise fail(
            path, f"cannot open the file ({exc.strerror})", "Check the path and its permissions."
        ) from exc
    if not stat.S_ISREG(info.st_mode):
        raise fail(path, "expected a regular file, found a directory or special file", "Pass a file.")
    if info.st_size == 0:
        raise fail(
            path, "the file is empty (0 bytes)", "Export the snapshot again; the transfer may have failed."
        )
    if info.st_size > cap:
        raise fail(
            path,
            f"the file is {info.st_size / 2**20:.1f} MB, larger than the cap of {cap / 2**20:.1f} MB",
            f"Simplify or split the file, or raise the cap with {ENV_MAX_UPLOAD_MB}=<megabytes>.",
        )
    return info.st_size


def format_suffix(path: Path, size: int) -> str:
    """Return the format's suffix (a key of :data:`DRIVERS`), checked against the file's first bytes.

    GDAL picks its driver from the content, not the name: a VRT renamed ``.geojson`` would read
    other local files. So a named format must match its signature, and a file without a known
    suffix is recognised from its head.
    """
    try:
        with path.open("rb") as fh:
            head = fh.read(min(size, 4096))
    except OSError as exc:
        raise fail(path, f"cannot read the file ({exc.strerror})", "Check its permissions.") from exc
    suffix = path.suffix.lower()
    if suffix in DRIVERS:
        if not _SIGNATURES[suffix](head):
            raise fail(
                path,
                f"the file is named {suffix} but does not start like {DRIVERS[suffix]} "
                f"(first bytes {head[:24]!r})",
                f"Export it again as {DRIVERS[suffix]} (UTF-8 text for GeoJSON and KML); renamed files of "
                "other formats are refused",
            )
        return suffix
    guess = next((s for s, matches in _SIGNATURES.items() if matches(head)), None)
    if guess is None:
        raise fail(
            path,
            f"unsupported file type {suffix or '(no suffix)'!r}: expected {SUPPORTED}",
            "Export the snapshot to one of these formats "
            "(a Shapefile must be zipped with its .shx, .dbf and .prj).",
        )
    return guess


def _text_head(head: bytes) -> bytes:
    return head.lstrip(b"\xef\xbb\xbf\x1e \t\r\n")


_GPKG_IDS = (b"GPKG", b"GP10", b"GP11")  # SQLite application_id of a GeoPackage (offset 68)
_SIGNATURES: dict[str, Callable[[bytes], bool]] = {
    ".zip": lambda head: head.startswith((b"PK\x03\x04", b"PK\x05\x06")),
    ".gpkg": lambda head: head.startswith(b"SQLite format 3\x00") and head[68:72] in _GPKG_IDS,
    ".fgb": lambda head: head.startswith(b"fgb\x03"),
    ".geojson": lambda head: _text_head(head).startswith(b"{"),
    ".json": lambda head: _text_head(head).startswith(b"{"),
    ".kml": lambda head: _text_head(head).startswith(b"<") and b"<kml" in head.lower(),
}
SHP_MAGIC = b"\x00\x00\x27\x0a"
"""The first 4 bytes of every ``.shp`` file (file code 9994, big-endian)."""


def check_kml(path: Path) -> None:
    """Refuse KML with a DOCTYPE, entity declarations or network links (a linear scan, no parsing)."""
    tail = b""
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            window = (tail + block).lower()
            for token, (what, fix) in _KML_FORBIDDEN.items():
                if token in window:
                    raise fail(path, what, fix)
            tail = window[-16:]


def inspect_zip(path: Path, max_total: int, layer: str | None) -> tuple[str, list[str]]:
    """Check every member of a zip; return the GDAL path of the archive and its ``.shp`` members."""
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise fail(path, f"not a readable zip archive ({exc})", "Zip the shapefile parts again.") from exc
    if len(members) > ZIP_MAX_MEMBERS:
        raise fail(
            path, f"the zip has {len(members)} members (limit {ZIP_MAX_MEMBERS})", "Zip only the shapefile."
        )
    total = 0
    shps: list[str] = []
    for info in members:
        _check_member(path, info)
        total += info.file_size
        if info.filename.lower().endswith(".shp"):
            shps.append(info.filename)
    if total > max_total:
        raise fail(
            path,
            f"the zip expands to {total / 2**20:.1f} MB, more than the limit of {max_total / 2**20:.1f} MB "
            f"({ZIP_EXPANSION_LIMIT}× the size cap)",
            f"Send a smaller file, or raise the cap with {ENV_MAX_UPLOAD_MB}.",
        )
    if not shps:
        names = [m.filename for m in members][:20]
        raise fail(
            path,
            f"expected a shapefile (.shp with its .shx, .dbf, .prj) inside the zip, found {names!r}",
            "Zip the .shp, .shx, .dbf and .prj files of the layer together.",
        )
    if layer is not None:
        chosen = [s for s in shps if PurePosixPath(s).stem == layer]
        if not chosen:
            stems = [PurePosixPath(s).stem for s in shps]
            raise fail(
                path, f"no layer {layer!r} in the zip; layers found: {stems!r}", "Pick one of these layers."
            )
        shps = chosen
    _check_shp_magic(path, shps)
    return f"/vsizip/{path.resolve()}", shps


def _check_shp_magic(path: Path, shps: list[str]) -> None:
    """Refuse ``.shp`` members that are not shapefiles (GDAL would pick a driver by content)."""
    try:
        with zipfile.ZipFile(path) as zf:
            heads = {name: zf.open(name).read(4) for name in shps}
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError) as exc:
        raise fail(path, f"cannot read the zip member ({exc})", "Zip the shapefile parts again.") from exc
    for name, head in heads.items():
        if head != SHP_MAGIC:
            raise fail(
                path,
                f"the zip member {name!r} is not a shapefile (first bytes {head!r})",
                "Zip the .shp, .shx, .dbf and .prj files written by a GIS.",
            )


def _check_member(path: Path, info: zipfile.ZipInfo) -> None:
    name = info.filename
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if name.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
        raise fail(
            path,
            f"unsafe member name {name!r} in the zip (absolute path or '..')",
            "Zip the files without directories that climb out of the archive.",
        )
    if stat.S_ISLNK(info.external_attr >> 16):
        raise fail(
            path, f"the zip member {name!r} is a symbolic link", "Zip the files themselves, not links."
        )
    if info.flag_bits & 0x1:
        raise fail(path, f"the zip member {name!r} is encrypted", "Zip the files without a password.")

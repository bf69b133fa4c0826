"""Generate the hostile-input corpus of mapapp (issue 8).

Every case is a file a stranger could hand to ``mapapp validate`` / ``mapapp import``: broken,
malformed, misleading or malicious. Small cases are committed next to this script (regenerate them
with ``python tests/data/hostile/make_hostile.py``); cases that are large on disk or binary with
embedded timestamps (the over-cap file, the zip bomb, GeoPackages) are only built at test time by
:func:`build`, into a temporary directory.

Each :class:`Case` says what must happen:

- ``"ok"``: the file is harmless and must import cleanly;
- ``"error"``: it must be refused with a :class:`mapapp.errors.MapAppError` (CLI: exit 1 and a
  message on stderr);
- ``"either"``: both are acceptable (the policy belongs to the validator), but nothing else.

In every case nothing may run, nothing may be written outside the catalog, no exception other
than the domain family may escape, and ``forbidden`` strings (e.g. the contents of ``/etc/passwd``)
must appear nowhere in the result.
"""

from __future__ import annotations

import json
import stat
import sys
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Outcome = Literal["ok", "error", "either"]

HERE = Path(__file__).resolve().parent
ZIP_TIME = (2020, 1, 1, 0, 0, 0)

# Two adjacent squares near Deir ez-Zor (lon, lat), inside the Syria/Iraq region.
WEST = [[39.0, 35.0], [39.5, 35.0], [39.5, 35.5], [39.0, 35.5], [39.0, 35.0]]
EAST = [[39.5, 35.0], [40.0, 35.0], [40.0, 35.5], [39.5, 35.5], [39.5, 35.0]]

SCRIPT = "<script>window.__pwned=true;alert(1)</script>"
IMG = '<img src=x onerror="window.__pwned=true;alert(2)">'
JS_URL = "javascript:window.__pwned=true;alert(3)"
MD_LINK = "[click me](javascript:window.__pwned=true)"
XSS_STRINGS = (SCRIPT, IMG, JS_URL, MD_LINK)
PASSWD_MARKERS = ("root:x:0:0", "/bin/bash", "/usr/sbin/nologin")


@dataclass(frozen=True)
class Case:
    """One hostile input and what must happen to it.

    Parameters
    ----------
    name
        Identifier (test id).
    filename
        File name inside the corpus directory.
    outcome
        ``"ok"``, ``"error"`` or ``"either"`` (see the module docstring).
    build
        Writes the file at the given path.
    committed
        Whether the file is small and deterministic enough to be committed.
    args
        Extra CLI arguments for ``validate`` and ``import`` (e.g. ``--map-factions``).
    match
        Regular expression the error message must match when the case fails.
    max_mb
        Size cap (MB) to apply through ``MAPAPP_MAX_UPLOAD_MB`` / ``max_bytes``.
    forbidden
        Strings that must not appear in any output, message or stored file.
    known_bug
        A bug of the code under test, reported and not yet fixed: the tests mark the case
        ``xfail(strict=True)`` with this reason, so the mark fails as soon as the bug is fixed.
    """

    name: str
    filename: str
    outcome: Outcome
    build: Callable[[Path], None]
    committed: bool = True
    args: tuple[str, ...] = ()
    match: str = ""
    max_mb: int | None = None
    forbidden: tuple[str, ...] = field(default=())
    known_bug: str = ""


# -- helpers ------------------------------------------------------------------------------------
def feature(coords: Any, faction: str = "syrian_government", gtype: str = "Polygon", **props: Any) -> dict:
    """Return a GeoJSON feature with a ``faction`` property."""
    return {
        "type": "Feature",
        "properties": {"faction": faction, **props},
        "geometry": {"type": gtype, "coordinates": coords},
    }


def collection(*features: dict, **members: Any) -> dict:
    """Return a FeatureCollection dictionary."""
    return {"type": "FeatureCollection", **members, "features": list(features)}


def _baseline() -> dict:
    return collection(feature([WEST], "syrian_government"), feature([EAST], "sdf"))


def _json(obj: Any, **kw: Any) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_text(json.dumps(obj, ensure_ascii=False, **kw) + "\n", encoding="utf-8")

    return write


def _bytes(data: bytes) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_bytes(data)

    return write


def _swap(ring: list[list[float]]) -> list[list[float]]:
    return [[y, x] for x, y in ring]


def _to_3857(ring: list[list[float]]) -> list[list[float]]:
    import math

    r = 6378137.0
    return [
        [round(math.radians(x) * r, 2), round(math.log(math.tan(math.pi / 4 + math.radians(y) / 2)) * r, 2)]
        for x, y in ring
    ]


def _legacy_crs(code: str) -> dict:
    return {"type": "name", "properties": {"name": f"urn:ogc:def:crs:{code.replace(':', '::')}"}}


def _zip(entries: list[tuple[str, bytes, int | None]]) -> Callable[[Path], None]:
    """Entries of (name, data, unix mode or None); mode with S_IFLNK makes a symlink entry."""

    def write(path: Path) -> None:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, data, mode in entries:
                info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3  # unix, so external_attr carries the mode
                info.external_attr = ((mode if mode is not None else 0o100644) & 0xFFFF) << 16
                zf.writestr(info, data)

    return write


def _shapefile_parts(crs: bool = True) -> dict[str, bytes]:
    """Return the bytes of a small valid shapefile (.shp, .shx, .dbf, .prj) in memory."""
    import tempfile

    import geopandas as gpd
    import shapely

    with tempfile.TemporaryDirectory() as tmp:
        frame = gpd.GeoDataFrame(
            {"faction": ["syrian_government", "sdf"]},
            geometry=[shapely.Polygon(WEST), shapely.Polygon(EAST)],
            crs="EPSG:4326" if crs else None,
        )
        frame.to_file(Path(tmp) / "areas.shp", engine="pyogrio")
        parts = {p.suffix: p.read_bytes() for p in sorted(Path(tmp).iterdir())}
    dbf = bytearray(parts[".dbf"])
    dbf[1:4] = bytes([120, 1, 1])  # the dBASE header's "last update" date, fixed for determinism
    parts[".dbf"] = bytes(dbf)
    return parts


def _zip_shapefile(
    prefix: str, extra: list[tuple[str, bytes, int | None]] | None = None
) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        parts = _shapefile_parts()
        entries = [(f"{prefix}areas{ext}", data, None) for ext, data in parts.items()]
        _zip(entries + (extra or []))(path)

    return write


def _zip_declared_huge(path: Path) -> None:
    """A one-entry zip whose headers claim a 4 GB uncompressed size (a forged bomb)."""
    _zip([("areas.geojson", json.dumps(_baseline()).encode(), None)])(path)
    data = bytearray(path.read_bytes())
    huge = (0xFFFFFFF0).to_bytes(4, "little")
    local = data.find(b"PK\x03\x04")
    data[local + 22 : local + 26] = huge  # local header: uncompressed size
    central = data.find(b"PK\x01\x02")
    data[central + 24 : central + 28] = huge  # central directory: uncompressed size
    path.write_bytes(bytes(data))


def _zip_bomb(path: Path) -> None:
    """A real deflate bomb: 64 MB of zeros declared as a shapefile part (about 64 KB on disk)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for ext in (".shp", ".shx", ".dbf"):
            info = zipfile.ZipInfo(f"areas{ext}", date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w", force_zip64=True) as fh:
                block = b"\0" * (1 << 20)
                for _ in range(64 if ext == ".shp" else 1):
                    fh.write(block)


def _over_cap(path: Path) -> None:
    """A sparse 3 GB file: valid GeoJSON head, then holes. Reading it all would be the bug."""
    head = json.dumps(_baseline()).encode()
    with path.open("wb") as fh:
        fh.write(head)
        fh.truncate(3 * 1024**3)


def _gpkg(crs: str | None, m_values: bool = False) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        import geopandas as gpd
        import shapely

        frame = gpd.GeoDataFrame(
            {"faction": ["syrian_government", "sdf"]},
            geometry=[shapely.Polygon(WEST), shapely.Polygon(EAST)],
            crs=crs,
        )
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="'crs' was not provided", category=UserWarning)
            frame.to_file(path, driver="GPKG", engine="pyogrio")
        if m_values:
            _add_m_values(path)

    return write


def _add_m_values(path: Path) -> None:
    """Rewrite a GeoPackage's polygons as POLYGON M (pyogrio cannot write M) straight in SQLite."""
    import sqlite3

    import shapely

    con = sqlite3.connect(path)
    # The GeoPackage's R-tree triggers call these SpatiaLite-style functions.
    con.create_function("ST_IsEmpty", 1, lambda blob: 0)
    for i, name in enumerate(("ST_MinX", "ST_MinY", "ST_MaxX", "ST_MaxY")):
        con.create_function(name, 1, lambda blob, i=i: shapely.from_wkb(bytes(blob)[8:]).bounds[i])
    try:
        table, column = con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns").fetchone()
        con.execute("UPDATE gpkg_geometry_columns SET m = 1")
        for fid, ring in ((1, WEST), (2, EAST)):
            geom = shapely.from_wkt(
                "POLYGON M ((" + ", ".join(f"{x} {y} {i}" for i, (x, y) in enumerate(ring)) + "))"
            )
            blob = b"GP\x00\x01" + (4326).to_bytes(4, "little") + shapely.to_wkb(geom, flavor="iso")
            con.execute(f'UPDATE "{table}" SET "{column}" = ? WHERE fid = ?', (blob, fid))
        con.commit()
    finally:
        con.close()


def _kml(body: str, doctype: str = "") -> Callable[[Path], None]:
    ring = " ".join(f"{x},{y}" for x, y in WEST)
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"{doctype}"
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark>\n'
        f"<name>{body}</name>\n"
        '<ExtendedData><Data name="faction"><value>syrian_government</value></Data>'
        f'<Data name="note"><value>{body}</value></Data></ExtendedData>\n'
        f"<Polygon><outerBoundaryIs><LinearRing><coordinates>{ring}</coordinates>"
        "</LinearRing></outerBoundaryIs></Polygon>\n"
        "</Placemark></Document></kml>\n"
    )
    return _bytes(text.encode())


XXE_DOCTYPE = '<!DOCTYPE kml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
LAUGHS_DOCTYPE = (
    '<!DOCTYPE kml [\n<!ENTITY lol0 "lol">\n'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">\n' for i in range(1, 10))
    + "]>\n"
)


def _latin1(path: Path) -> None:
    text = json.dumps(collection(feature([WEST], note="Raqqa café, Ḥasakah")), ensure_ascii=False)
    path.write_bytes(text.encode("latin-1", errors="replace"))


def _deep(path: Path) -> None:
    """A property nested 100,000 arrays deep (a parser stack exhaustion attempt)."""
    depth = 100_000
    text = json.dumps(_baseline())
    deep = '"properties": {"deep": ' + "[" * depth + "]" * depth + ", "
    path.write_text(text.replace('"properties": {', deep, 1))


def _directory(path: Path) -> None:
    path.mkdir()


def _gpkg_named_geojson(path: Path) -> None:
    real = path.with_name("real.gpkg")
    _gpkg("EPSG:4326")(real)
    real.rename(path)


def _points_only(path: Path) -> None:
    _json(collection(feature([39.2, 35.2], gtype="Point"), feature([39.7, 35.2], "sdf", gtype="Point")))(path)


MIXED_XSS = collection(
    feature([WEST], "syrian_government", note=IMG, source_url=JS_URL, **{SCRIPT: "column name"}),
    feature([EAST], "sdf", note=SCRIPT, label=IMG, source_url="javascript:alert(1)", link=MD_LINK),
)

XSS_FACTION = collection(feature([WEST], SCRIPT), feature([EAST], "sdf"))
NAN_TEXT = (
    '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"faction":"sdf"},'
    '"geometry":{"type":"Polygon","coordinates":[[[39.0,35.0],[NaN,35.0],[39.5,35.5],[39.0,35.0]]]}}]}\n'
)

CASES: tuple[Case, ...] = (
    Case("baseline", "baseline.geojson", "ok", _json(_baseline())),
    Case(
        "malformed_json",
        "malformed.geojson",
        "error",
        _bytes(b'{"type": "FeatureCollection", "features": [\n'),
    ),
    Case("json_not_geojson", "not_geojson.json", "error", _json({"hello": "world", "items": [1, 2, 3]})),
    Case("json_array", "array.geojson", "error", _json([1, 2, 3])),
    Case("json_string", "string.geojson", "error", _json("FeatureCollection")),
    Case("empty_collection", "empty_collection.geojson", "error", _json(collection())),
    Case("zero_bytes", "zero_bytes.geojson", "error", _bytes(b"")),
    Case(
        "over_cap",
        "over_cap.geojson",
        "error",
        _over_cap,
        committed=False,
        max_mb=1,
        match=r"(?i)(MB|bytes|size|large|cap)",
    ),
    Case("crs_missing_gpkg", "crs_missing.gpkg", "error", _gpkg(None), committed=False, match=r"(?i)crs"),
    Case(
        "crs_legacy_3857",
        "crs_legacy_3857.geojson",
        "ok",
        _json(
            collection(
                feature([_to_3857(WEST)]), feature([_to_3857(EAST)], "sdf"), crs=_legacy_crs("EPSG:3857")
            )
        ),
    ),
    Case(
        "crs_wrong_declared",
        "crs_wrong_declared.geojson",
        "error",
        _json(collection(feature([WEST]), crs=_legacy_crs("EPSG:3857"))),
    ),
    Case(
        "latlon_swapped",
        "latlon_swapped.geojson",
        "error",
        _json(collection(feature([_swap(WEST)]), feature([_swap(EAST)], "sdf"))),
        match=r"(?i)swap",
    ),
    Case("nan_coordinates", "nan.geojson", "error", _bytes(NAN_TEXT.encode())),
    Case(
        "infinity_coordinates",
        "infinity.geojson",
        "error",
        _bytes(NAN_TEXT.replace("NaN", "Infinity").encode()),
    ),
    Case(
        "huge_number_coordinates",
        "huge_number.geojson",
        "error",
        _bytes(NAN_TEXT.replace("NaN", "1e400").encode()),
    ),
    Case(
        "coords_3d",
        "coords_3d.geojson",
        "ok",
        _json(
            collection(feature([[[*p, 120.5] for p in WEST]]), feature([[[*p, 80.0] for p in EAST]], "sdf"))
        ),
    ),
    Case(
        "coords_4d",
        "coords_4d.geojson",
        "either",
        _json(collection(feature([[[*p, 1.0, 2.0] for p in WEST]]))),
    ),
    Case("coords_m_gpkg", "coords_m.gpkg", "either", _gpkg("EPSG:4326", m_values=True), committed=False),
    Case(
        "geometry_collection",
        "geometry_collection.geojson",
        "either",
        _json(
            collection(
                feature(
                    {
                        "type": "GeometryCollection",
                        "geometries": [
                            {"type": "Polygon", "coordinates": [WEST]},
                            {"type": "Point", "coordinates": [39.2, 35.2]},
                        ],
                    },
                    gtype="GeometryCollection",
                )
            )
        ),
    ),
    Case(
        "self_intersecting",
        "bowtie.geojson",
        "either",
        _json(collection(feature([[[39.0, 35.0], [39.5, 35.5], [39.5, 35.0], [39.0, 35.5], [39.0, 35.0]]]))),
    ),
    Case("unclosed_ring", "unclosed_ring.geojson", "either", _json(collection(feature([WEST[:-1]])))),
    Case(
        "ring_too_short",
        "ring_too_short.geojson",
        "either",
        _json(collection(feature([[[39.0, 35.0], [39.5, 35.0], [39.0, 35.0]]]))),
    ),
    Case(
        "duplicate_ids",
        "duplicate_ids.geojson",
        "ok",
        _json(collection({**feature([WEST]), "id": 7}, {**feature([EAST], "sdf"), "id": 7})),
    ),
    Case("latin1", "latin1.geojson", "either", _latin1),
    Case("utf8_bom", "utf8_bom.geojson", "ok", _bytes(b"\xef\xbb\xbf" + json.dumps(_baseline()).encode())),
    Case("utf16", "utf16.geojson", "either", _bytes(json.dumps(_baseline()).encode("utf-16"))),
    Case("zip_shapefile", "shapefile.zip", "ok", _zip_shapefile("")),
    Case("zip_path_traversal", "traversal.zip", "error", _zip_shapefile("../../../hostile_escape_")),
    Case("zip_absolute_path", "absolute.zip", "error", _zip_shapefile("/tmp/hostile_escape_abs_")),
    Case(
        "zip_symlink",
        "symlink.zip",
        "error",
        _zip(
            [
                ("areas.geojson", b"/etc/passwd", stat.S_IFLNK | 0o777),
                ("areas.prj", b"/etc/passwd", stat.S_IFLNK | 0o777),
            ]
        ),
        forbidden=PASSWD_MARKERS,
    ),
    Case(
        "zip_no_shp",
        "no_shp.zip",
        "error",
        _zip([("readme.txt", b"nothing to see\n", None), ("areas.csv", b"faction,x,y\nsdf,39,35\n", None)]),
    ),
    Case("zip_empty", "empty.zip", "error", _zip([])),
    Case("zip_declared_huge", "declared_huge.zip", "error", _zip_declared_huge, max_mb=1),
    Case("zip_bomb", "bomb.zip", "error", _zip_bomb, committed=False, max_mb=1),
    Case("kml_xxe", "xxe.kml", "error", _kml("&xxe;", XXE_DOCTYPE), forbidden=PASSWD_MARKERS),
    Case(
        "kml_billion_laughs",
        "laughs.kml",
        "error",
        _kml("&lol9;", LAUGHS_DOCTYPE),
        forbidden=("lollollollollollollollollollol" * 100,),
    ),
    Case("xss_faction_unmapped", "xss_faction.geojson", "error", _json(XSS_FACTION)),
    Case(
        "xss_faction_mapped",
        "xss_faction.geojson",
        "ok",
        _json(XSS_FACTION),
        args=("--map-factions", f"{SCRIPT}=syrian_government"),
    ),
    Case("xss_properties", "xss_properties.geojson", "ok", _json(MIXED_XSS)),
    Case(
        "xss_label_source",
        "baseline.geojson",
        "ok",
        _json(_baseline()),
        args=("--label", SCRIPT, "--source", JS_URL),
    ),
    Case("deep_nesting", "deep.geojson", "error", _deep, committed=False),
    Case("directory", "directory.geojson", "error", _directory, committed=False),
    Case("gpkg_named_geojson", "gpkg_named.geojson", "either", _gpkg_named_geojson, committed=False),
    Case("unsupported_csv", "areas.csv", "error", _bytes(b"faction,wkt\nsdf,POLYGON((39 35,40 36,39 35))\n")),
    Case("points_only", "points_only.geojson", "error", _points_only),
    Case(
        "beyond_pole_overlap",
        "beyond_pole.geojson",
        "error",
        _json(collection(*[feature([[[34, 34], [34, 91], [35, 34], [34, 34]]], f) for f in ("sdf", "hts")])),
    ),
    Case(
        "hostile_filename",
        "x$(touch pwned)`id`<img src=x onerror=alert(8)>.geojson",
        "ok",
        _json(_baseline()),
        committed=False,
    ),
    Case("bang_filename", "areas!v2.geojson", "ok", _json(_baseline()), committed=False),
    Case("question_filename", "areas?v=2.geojson", "ok", _json(_baseline()), committed=False),
    Case(
        "semicolon_filename",
        "areas;v2.geojson",
        "ok",
        _json(_baseline()),
        committed=False,
    ),
)


ATTR_BREAK_URL = 'https://example.org/a"onmouseover="window.__pwned=true;alert(4)"x="'
EVENT_COLUMNS = (
    "id", "date", "date_end", "title", "place", "lat", "lon", "coord_precision", "coord_source",
    "actors", "facts", "casualty_claims", "sources",
)  # fmt: skip
XSS_EVENTS = (
    {
        "id": "xss_script",
        "date": "2017-03-01",
        "title": SCRIPT,
        "place": IMG,
        "lat": "35.25",
        "lon": "39.25",
        "coord_precision": IMG,
        "coord_source": SCRIPT,
        "actors": IMG,
        "facts": f"{SCRIPT} and {IMG}",
        "casualty_claims": f"{IMG}: {SCRIPT}",
        "sources": f"{JS_URL} | {ATTR_BREAK_URL} | https://example.org/ok",
    },
    {
        "id": "xss_img",
        "date": "2017-04-01",
        "date_end": "2017-04-02",
        "title": IMG,
        "place": "Deir ez-Zor",
        "lat": "35.3",
        "lon": "39.8",
        "actors": SCRIPT,
        "facts": "javascript:alert(5)",
        "sources": "data:text/html,<script>alert(6)</script> | https://example.org/<script>alert(7)</script>",
    },
)
XSS_EVENTS_FILE = "xss_events.csv"


def write_xss_events(path: Path) -> None:
    """Write an events CSV whose titles, places, facts and source links carry HTML and JavaScript."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=EVENT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in XSS_EVENTS:
        writer.writerow({c: row.get(c, "") for c in EVENT_COLUMNS})
    path.write_text(buf.getvalue(), encoding="utf-8")


def build(directory: Path, *, committed_only: bool = False) -> dict[str, Path]:
    """Write the corpus into ``directory``; return the path of each case by name.

    Parameters
    ----------
    directory
        Where to write (created if needed).
    committed_only
        Only the small deterministic cases that are committed next to this script.
    """
    directory.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for case in CASES:
        if committed_only and not case.committed:
            continue
        path = directory / case.filename
        if not path.exists():
            case.build(path)
        paths[case.name] = path
    write_xss_events(directory / XSS_EVENTS_FILE)
    return paths


def main(argv: list[str]) -> int:
    """Regenerate the committed cases next to this script."""
    for path in HERE.iterdir():
        if path.name != Path(__file__).name and path.is_file():
            path.unlink()
    paths = build(HERE, committed_only=True)
    print(f"wrote {len(set(paths.values()))} files to {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Write the validation fixtures of mapapp (issue 2): one small file per failure mode.

Run ``python tests/data/make_fixtures.py`` to regenerate them; the output is deterministic
(fixed zip timestamps, a fixed DBF date, hand-written KML) and committed next to this script.
The hostile-input corpus of issue 8 lives apart, in ``tests/data/hostile/``.

Each file is named after what it shows; :data:`FIXTURES` says which problem code the validator
must report for it (``None``: it must import cleanly, possibly with options).
"""

from __future__ import annotations

import json
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def square(x: float, y: float, size: float = 0.5) -> list[list[float]]:
    """A closed ring (lon, lat) of a square with its south-west corner at (x, y), in Syria."""
    return [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]


def feature(geometry: dict[str, Any] | None, **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def poly(ring: list[list[float]]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [ring]}


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def _geojson(name: str, data: dict[str, Any]) -> None:
    (HERE / name).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


# Three neighbouring squares near Deir ez-Zor: a valid coverage.
A, B, C = square(39.0, 35.0), square(39.5, 35.0), square(40.0, 35.0)

GEOJSON: dict[str, dict[str, Any]] = {
    "valid.geojson": collection(
        feature(poly(A), faction="syrian_government", note="west"),
        feature(poly(B), faction="islamic_state"),
        feature(poly(C), faction="sdf"),
    ),
    "empty.geojson": collection(),
    "no_faction_column.geojson": collection(
        feature(poly(A), name="west", colour="red"), feature(poly(B), name="east", colour="black")
    ),
    "unknown_factions.geojson": collection(
        feature(poly(A), controller="Tiger Forces"),
        feature(poly(B), controller="Tiger Forces"),
        feature(poly(C), controller="Kurdish YPG unitz"),
    ),
    "no_polygons.geojson": collection(
        feature({"type": "Point", "coordinates": [39.2, 35.2]}, faction="sdf"),
        feature({"type": "Point", "coordinates": [39.7, 35.2]}, faction="islamic_state"),
    ),
    "mixed_geometries.geojson": collection(
        feature(poly(A), faction="syrian_government"),
        feature({"type": "Point", "coordinates": [39.7, 35.2]}, faction="islamic_state"),
        feature({"type": "LineString", "coordinates": [[40.0, 35.0], [40.5, 35.5]]}, faction="sdf"),
        feature(poly(C), faction="sdf"),
    ),
    "null_geometries.geojson": collection(
        feature(poly(A), faction="syrian_government"),
        feature(None, faction="islamic_state"),
        feature({"type": "Polygon", "coordinates": []}, faction="sdf"),
    ),
    "self_intersection.geojson": collection(
        feature(poly([[39.0, 35.0], [39.5, 35.5], [39.5, 35.0], [39.0, 35.5], [39.0, 35.0]]), faction="sdf"),
        feature(poly(C), faction="islamic_state"),
    ),
    "overlap.geojson": collection(
        feature(poly(square(39.0, 35.0, 0.6)), faction="syrian_government"),
        feature(poly(B), faction="islamic_state"),
    ),
    "swapped_axes.geojson": collection(
        feature(poly([[y, x] for x, y in A]), faction="syrian_government"),
        feature(poly([[y, x] for x, y in B]), faction="islamic_state"),
    ),
    "partly_outside.geojson": collection(
        feature(poly(A), faction="syrian_government"),
        feature(poly(square(41.0, 39.5)), faction="turkey_backed"),
    ),
    "nan_coordinates.geojson": collection(
        feature(poly(A), faction="syrian_government"),
    ),
    "coords_3d.geojson": collection(
        feature(poly([[x, y, 250.0] for x, y in A]), faction="syrian_government"),
        feature(poly(B), faction="islamic_state"),
    ),
    "dates_and_extras.geojson": collection(
        feature(poly(A), faction="syrian_government", observed="2017-01-08", Status="held", count=3),
        feature(poly(B), faction="islamic_state", observed="2017-01-09", Status="Held", count=4),
    ),
    "statuses.geojson": collection(
        feature(poly(A), faction="SAA", status="controlled", confidence="High", note="city"),
        feature(poly(B), faction="ISIS", status="contested", secondary="SAA", confidence="low"),
        feature(poly(C), faction="SDF", status="truce", secondary="syrian_government"),
    ),
}

# GDAL reads NaN literals in GeoJSON; json.dumps writes them as NaN.
NAN_TEXT = json.dumps(
    collection(
        feature(poly(A), faction="syrian_government"),
        feature(poly([[39.5, 35.0], [float("nan"), 35.0], [40.0, 35.5], [39.5, 35.0]]), faction="sdf"),
    )
)

HELD_BY = (("Daesh", A), ("Regime forces", B), ("Jaysh al-Islam", C), ("Tiger Forces", square(40.5, 35.0)))

KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
<Document>
<name>Control, March 2018 (held_by)</name>
{placemarks}
</Document>
</kml>
"""

PLACEMARK = """<Placemark>
  <name>{name}</name>
  <ExtendedData><Data name="held_by"><value>{held_by}</value></Data></ExtendedData>
  <Polygon><outerBoundaryIs><LinearRing><coordinates>{coords}</coordinates></LinearRing></outerBoundaryIs></Polygon>
</Placemark>"""


def write_kml() -> None:
    marks = [
        PLACEMARK.format(name=f"area {i}", held_by=who, coords=" ".join(f"{x},{y}" for x, y in ring))
        for i, (who, ring) in enumerate(HELD_BY)
    ]
    (HERE / "held_by.kml").write_text(KML.format(placemarks="\n".join(marks)), encoding="utf-8")


def write_shapefile_zip() -> None:
    """A zipped Shapefile in EPSG:3857 whose faction column is ``held_by`` (alias names)."""
    import geopandas as gpd
    import shapely

    frame = gpd.GeoDataFrame(
        {"held_by": [who for who, _ in HELD_BY], "area_id": list(range(len(HELD_BY)))},
        geometry=[shapely.Polygon(ring) for _, ring in HELD_BY],
        crs="EPSG:4326",
    ).to_crs("EPSG:3857")
    with tempfile.TemporaryDirectory() as tmp:
        shp = Path(tmp) / "held_by_3857.shp"
        frame.to_file(shp, driver="ESRI Shapefile", engine="pyogrio")
        dbf = shp.with_suffix(".dbf")
        data = bytearray(dbf.read_bytes())
        data[1:4] = bytes([120, 1, 1])  # DBF "last update" date: fixed (2020-01-01)
        dbf.write_bytes(bytes(data))
        with zipfile.ZipFile(HERE / "held_by_3857.zip", "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for part in sorted(Path(tmp).iterdir()):
                info = zipfile.ZipInfo(part.name, date_time=ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, part.read_bytes())


def write_missing_crs() -> None:
    """A FlatGeobuf file that declares no CRS (nothing may be assumed)."""
    import geopandas as gpd
    import shapely

    frame = gpd.GeoDataFrame(
        {"faction": ["syrian_government", "islamic_state"]},
        geometry=[shapely.Polygon(A), shapely.Polygon(B)],
        crs=None,
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="'crs' was not provided")
        frame.to_file(HERE / "missing_crs.fgb", driver="FlatGeobuf", engine="pyogrio", layer="missing_crs")


#: file -> problem code the validator must report (None: imports cleanly with the right options).
FIXTURES: dict[str, str | None] = {
    "valid.geojson": None,
    "empty.geojson": "empty-file",
    "no_faction_column.geojson": "no-faction-column",
    "unknown_factions.geojson": "unknown-faction",
    "no_polygons.geojson": "no-polygons",
    "mixed_geometries.geojson": "not-polygon",
    "null_geometries.geojson": "null-geometry",
    "self_intersection.geojson": "invalid-geometry",
    "overlap.geojson": "overlap",
    "swapped_axes.geojson": "outside-region",
    "partly_outside.geojson": "partly-outside-region",
    "nan_coordinates.geojson": "non-finite-coordinates",
    "coords_3d.geojson": "3d-coordinates-dropped",
    "dates_and_extras.geojson": "converted-values",
    "statuses.geojson": None,
    "missing_crs.fgb": "missing-crs",
    "held_by.kml": None,
    "held_by_3857.zip": None,
}


def main() -> int:
    for name, data in GEOJSON.items():
        _geojson(name, data)
    (HERE / "nan_coordinates.geojson").write_text(NAN_TEXT + "\n", encoding="utf-8")
    write_kml()
    write_shapefile_zip()
    write_missing_crs()
    print(f"wrote {len(FIXTURES)} fixtures to {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

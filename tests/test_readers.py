"""Readers: every format through pyogrio, the size cap before parsing, unsafe zips and KML refused."""

from __future__ import annotations

import json
import stat
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely

from mapapp.errors import SnapshotReadError
from mapapp.readers import (
    ATTR_FORMAT,
    ATTR_NOTES,
    ATTR_SOURCE,
    DEFAULT_MAX_BYTES,
    max_upload_bytes,
    read_vector,
)

DATA = Path(__file__).parent / "data"
SQUARE = [[39.0, 35.0], [39.5, 35.0], [39.5, 35.5], [39.0, 35.5], [39.0, 35.0]]


def _geojson(path: Path, props: dict[str, object] | None = None) -> Path:
    feature = {
        "type": "Feature",
        "properties": props or {"faction": "sdf"},
        "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
    }
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    return path


def _zip(path: Path, members: list[tuple[str, bytes]], symlink: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            if name == symlink:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, data)
    return path


def _shapefile_members(tmp_path: Path, crs: str | None = "EPSG:4326") -> list[tuple[str, bytes]]:
    frame = gpd.GeoDataFrame({"faction": ["sdf"]}, geometry=[shapely.Polygon(SQUARE)], crs=crs)
    out = tmp_path / "shp"
    out.mkdir()
    frame.to_file(out / "areas.shp", engine="pyogrio")
    return [(p.name, p.read_bytes()) for p in sorted(out.iterdir())]


# -- formats ---------------------------------------------------------------------------------------
def test_geojson_keeps_crs_and_records_provenance(tmp_path: Path) -> None:
    raw = read_vector(_geojson(tmp_path / "a.geojson"))
    assert raw["faction"].tolist() == ["sdf"]
    assert raw.crs.to_epsg() == 4326
    assert raw.attrs[ATTR_SOURCE] == "a.geojson"
    assert raw.attrs[ATTR_FORMAT] == "GeoJSON"
    assert raw.attrs[ATTR_NOTES] == []


def test_zipped_shapefile_in_3857_keeps_its_crs() -> None:
    raw = read_vector(DATA / "held_by_3857.zip")
    assert raw.crs.to_epsg() == 3857
    assert raw["held_by"].tolist() == ["Daesh", "Regime forces", "Jaysh al-Islam", "Tiger Forces"]
    assert raw.total_bounds[0] > 4_000_000  # metres, not degrees: nothing reprojected yet


def test_kml_reads_extended_data_and_drops_libkml_bookkeeping() -> None:
    raw = read_vector(DATA / "held_by.kml")
    assert raw["held_by"].tolist()[:2] == ["Daesh", "Regime forces"]
    assert "tessellate" not in raw.columns and "visibility" not in raw.columns
    assert raw.attrs[ATTR_FORMAT] == "KML"


def test_flatgeobuf_without_crs_gives_none() -> None:
    raw = read_vector(DATA / "missing_crs.fgb")
    assert raw.crs is None
    assert len(raw) == 2


def test_geopackage_layers_are_stacked_with_their_name(tmp_path: Path) -> None:
    path = tmp_path / "two.gpkg"
    for name in ("west", "east"):
        frame = gpd.GeoDataFrame({"x": [1]}, geometry=[shapely.Polygon(SQUARE)], crs="EPSG:4326")
        frame.to_file(path, layer=name, engine="pyogrio")
    raw = read_vector(path)
    assert sorted(raw["layer"]) == ["east", "west"]
    one = read_vector(path, layer="east")
    assert len(one) == 1 and "layer" not in one.columns


def test_format_sniffed_without_a_known_suffix(tmp_path: Path) -> None:
    raw = read_vector(_geojson(tmp_path / "download.bin"))
    assert raw["faction"].tolist() == ["sdf"]


# -- size cap --------------------------------------------------------------------------------------
def test_size_cap_checked_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.geojson"
    with path.open("wb") as fh:  # sparse: 3 GB of nothing; parsing it would be the bug
        fh.write(b"{")
        fh.truncate(3 * 1024**3)
    with pytest.raises(
        SnapshotReadError, match=r"3072\.0 MB, larger than the cap of 200\.0 MB.*MAPAPP_MAX_UPLOAD_MB"
    ):
        read_vector(path)


def test_size_cap_from_argument_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _geojson(tmp_path / "a.geojson")
    with pytest.raises(SnapshotReadError, match="larger than the cap"):
        read_vector(path, max_bytes=100)
    monkeypatch.setenv("MAPAPP_MAX_UPLOAD_MB", "0.0001")
    assert max_upload_bytes() == 104
    with pytest.raises(SnapshotReadError, match=r"larger than the cap of 0\.0 MB"):
        read_vector(path)
    monkeypatch.setenv("MAPAPP_MAX_UPLOAD_MB", "lots")
    with pytest.raises(SnapshotReadError, match=r"MAPAPP_MAX_UPLOAD_MB: expected a positive number.*'lots'"):
        read_vector(path)
    monkeypatch.delenv("MAPAPP_MAX_UPLOAD_MB")
    assert max_upload_bytes() == DEFAULT_MAX_BYTES


# -- refusals --------------------------------------------------------------------------------------
def test_missing_empty_directory_and_unsupported(tmp_path: Path) -> None:
    with pytest.raises(SnapshotReadError, match="no such file"):
        read_vector(tmp_path / "nope.geojson")
    (tmp_path / "zero.geojson").write_bytes(b"")
    with pytest.raises(SnapshotReadError, match=r"empty \(0 bytes\)"):
        read_vector(tmp_path / "zero.geojson")
    with pytest.raises(SnapshotReadError, match="expected a regular file"):
        read_vector(tmp_path)
    (tmp_path / "a.csv").write_text("faction,lat,lon\nsdf,35,39\n")
    with pytest.raises(SnapshotReadError, match=r"unsupported file type '\.csv'.*GeoPackage"):
        read_vector(tmp_path / "a.csv")


def test_parse_errors_are_translated_with_their_cause(tmp_path: Path) -> None:
    path = tmp_path / "bad.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [')
    with pytest.raises(SnapshotReadError, match=r"bad\.geojson: cannot be read as a vector file") as info:
        read_vector(path)
    assert isinstance(info.value.__cause__, pyogrio.errors.DataSourceError)


@pytest.mark.parametrize(
    ("member", "match"),
    [
        ("../../escape.shp", r"unsafe member name '\.\./\.\./escape\.shp'"),
        ("/tmp/abs.shp", "unsafe member name"),
    ],
)
def test_zip_with_path_escape_refused(tmp_path: Path, member: str, match: str) -> None:
    path = _zip(tmp_path / "evil.zip", [(member, b"x")])
    with pytest.raises(SnapshotReadError, match=match):
        read_vector(path)


def test_zip_with_symlink_refused(tmp_path: Path) -> None:
    path = _zip(tmp_path / "link.zip", [("areas.shp", b"/etc/passwd")], symlink="areas.shp")
    with pytest.raises(SnapshotReadError, match=r"'areas\.shp' is a symbolic link"):
        read_vector(path)


def test_zip_bomb_refused_by_declared_size(tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("areas.shp", b"\0" * (3 << 20))
    with pytest.raises(SnapshotReadError, match=r"expands to 3\.0 MB, more than the limit of 0\.5 MB"):
        read_vector(path, max_bytes=100 * 1024)


def test_zip_without_shapefile_lists_members(tmp_path: Path) -> None:
    path = _zip(tmp_path / "x.zip", [("readme.txt", b"hi"), ("areas.csv", b"a,b\n")])
    with pytest.raises(SnapshotReadError, match=r"expected a shapefile.*\['readme.txt', 'areas.csv'\]"):
        read_vector(path)


def test_zip_shapefile_layer_choice(tmp_path: Path) -> None:
    path = _zip(tmp_path / "ok.zip", _shapefile_members(tmp_path))
    assert read_vector(path, layer="areas")["faction"].tolist() == ["sdf"]
    with pytest.raises(SnapshotReadError, match=r"no layer 'other' in the zip; layers found: \['areas'\]"):
        read_vector(path, layer="other")


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE kml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        '<!doctype kml [<!entity lol "lol">]>',
    ],
)
def test_kml_with_doctype_or_entities_refused_before_parsing(tmp_path: Path, doctype: str) -> None:
    path = tmp_path / "x.kml"
    path.write_text(f'<?xml version="1.0"?>\n{doctype}\n<kml><Document/></kml>\n')
    with pytest.raises(
        SnapshotReadError, match=r"declares DOCTYPE \(a DTD\).*never parsed.*Remove the <!DOCTYPE"
    ):
        read_vector(path)


def test_unclosed_ring_is_closed_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "open.geojson"
    ring = SQUARE[:-1]
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"faction": "sdf"},
                        "geometry": {"type": "Polygon", "coordinates": [ring]},
                    }
                ],
            }
        )
    )
    raw = read_vector(path)
    assert raw.geometry.iloc[0].equals(shapely.Polygon(SQUARE))
    assert any("not closed" in n for n in raw.attrs[ATTR_NOTES])


def test_latin1_text_read_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "latin1.geojson"
    text = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"faction": "sdf", "note": "café"},
                    "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
                }
            ],
        },
        ensure_ascii=False,
    )
    path.write_bytes(text.encode("latin-1"))
    raw = read_vector(path)
    assert raw["note"].tolist() == ["café"]
    assert any("Latin-1" in n for n in raw.attrs[ATTR_NOTES])


@pytest.mark.parametrize("name", ["areas;v2.geojson", "what?.geojson", "wow!.geojson"])
def test_file_names_with_uri_characters(tmp_path: Path, name: str) -> None:
    raw = read_vector(_geojson(tmp_path / name))
    assert raw["faction"].tolist() == ["sdf"]
    assert raw.attrs[ATTR_SOURCE] == name


def test_kml_network_link_refused(tmp_path: Path) -> None:
    path = tmp_path / "link.kml"
    path.write_text(
        '<?xml version="1.0"?><kml><Document><NetworkLink><Link><href>http://example.com/x.kml</href>'
        "</Link></NetworkLink></Document></kml>"
    )
    with pytest.raises(SnapshotReadError, match=r"contains a <NetworkLink>.*never fetches anything"):
        read_vector(path)


def test_renamed_vrt_refused_before_gdal_can_read_other_files(tmp_path: Path) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("name,wkt\nsecret,POINT (39 35)\n")
    vrt = (
        f"<OGRVRTDataSource><OGRVRTLayer name='s'><SrcDataSource>{secret}</SrcDataSource>"
        "</OGRVRTLayer></OGRVRTDataSource>"
    )
    (tmp_path / "evil.geojson").write_text(vrt)
    with pytest.raises(
        SnapshotReadError, match=r"named \.geojson but does not start like GeoJSON.*OGRVRTDataSource"
    ):
        read_vector(tmp_path / "evil.geojson")
    (tmp_path / "evil.kml").write_text(vrt)
    with pytest.raises(SnapshotReadError, match=r"named \.kml but does not start like KML"):
        read_vector(tmp_path / "evil.kml")


def test_zip_member_named_shp_must_be_a_shapefile(tmp_path: Path) -> None:
    path = _zip(tmp_path / "fake.zip", [("areas.shp", b"<OGRVRTDataSource/>"), ("areas.dbf", b"")])
    with pytest.raises(SnapshotReadError, match=r"the zip member 'areas\.shp' is not a shapefile"):
        read_vector(path)


def test_plain_sqlite_named_gpkg_refused(tmp_path: Path) -> None:
    import contextlib
    import sqlite3

    path = tmp_path / "plain.gpkg"
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("create table t (a)")
        db.commit()
    with pytest.raises(SnapshotReadError, match=r"named \.gpkg but does not start like GPKG"):
        read_vector(path)

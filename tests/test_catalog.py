"""The snapshot catalog: import then list, --replace keeps a backup, a crash before commit changes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from mapapp.catalog import Catalog
from mapapp.errors import CatalogError, SnapshotValidationError
from mapapp.paths import bundled_data_dir, data_dir
from mapapp.snapshot import AREA_COLUMNS, ControlSnapshot
from mapapp.validate import SnapshotMeta, validate

DATE = dt.date(2018, 3, 1)


def snapshot(
    factions: tuple[str, ...] = ("syrian_government", "islamic_state"), label: str = "v1"
) -> ControlSnapshot:
    geoms = [shapely.box(39 + 0.5 * i, 35, 39.5 + 0.5 * i, 35.5) for i in range(len(factions))]
    raw = gpd.GeoDataFrame(
        {"faction": list(factions), "ref": list(range(len(factions)))}, geometry=geoms, crs=4326
    )
    return validate(raw, SnapshotMeta(DATE, label, "tests", "CC0", "medium"))


def tree_digest(root: Path) -> dict[str, str]:
    """Hash of every file under ``root`` except the lock and staging area."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".staging" not in p.parts and p.name != ".lock"
    }


def test_import_then_list_and_load(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    assert catalog.entries() == []
    entry = catalog.add(snapshot())
    (listed,) = catalog.entries()
    assert listed == entry
    assert (listed.date, listed.label, listed.areas, listed.factions) == (
        DATE,
        "v1",
        2,
        ("islamic_state", "syrian_government"),
    )
    loaded = catalog.load("latest")
    assert list(loaded.areas.columns) == [*AREA_COLUMNS, "ref", "geometry"]
    assert loaded.areas["faction"].tolist() == ["syrian_government", "islamic_state"]
    assert loaded.areas["secondary"].tolist() == [None, None]
    assert loaded.areas.crs.to_epsg() == 4326
    assert loaded.provenance == entry.provenance


def test_duplicate_date_refused_then_replaced_with_backup(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    first = catalog.add(snapshot(label="v1"))
    before = tree_digest(tmp_path)
    with pytest.raises(CatalogError, match=r"a snapshot dated 2018-03-01 already exists.*pass --replace"):
        catalog.add(snapshot(label="v2"))
    assert tree_digest(tmp_path) == before
    second = catalog.add(snapshot(("sdf", "hts"), label="v2"), replace=True)
    assert second.backups == (first.file,)
    assert second.file != first.file
    assert (catalog.dir / first.file).read_bytes() and before[f"snapshots/{first.file}"] == tree_digest(
        tmp_path
    )[f"snapshots/{first.file}"]
    manifest = json.loads((catalog.dir / "manifest.json").read_text())
    assert manifest["snapshots"][0]["backups"] == [first.file]
    assert catalog.load(DATE).areas["faction"].tolist() == ["sdf", "hts"]


@pytest.mark.parametrize("replace", [False, True])
def test_crash_before_commit_leaves_catalog_unchanged(tmp_path: Path, replace: bool) -> None:
    catalog = Catalog(tmp_path)
    catalog.add(snapshot(label="existing"))
    other = validate(
        gpd.GeoDataFrame({"faction": ["sdf"]}, geometry=[shapely.box(39, 35, 39.5, 35.5)], crs=4326),
        SnapshotMeta(DATE if replace else dt.date(2019, 1, 1), "new", "tests", "CC0"),
    )
    before = tree_digest(tmp_path)

    def crash() -> None:
        raise RuntimeError("simulated crash between write and rename")

    with pytest.raises(RuntimeError, match="simulated crash"):
        catalog.add(other, replace=replace, _before_commit=crash)
    assert tree_digest(tmp_path) == before
    assert [e.label for e in catalog.entries()] == ["existing"]
    assert list((catalog.dir / ".staging").iterdir()) == []


def test_untrusted_file_is_validated_again(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    entry = catalog.add(snapshot())
    path = catalog.dir / entry.file
    edited = path.read_text().replace('"syrian_government"', '"Assad"')  # an alias: still valid
    path.write_text(edited)
    assert catalog.load(DATE).areas["faction"].tolist() == ["syrian_government", "islamic_state"]
    path.write_text(edited.replace('"Assad"', '"martians"'))
    with pytest.raises(
        SnapshotValidationError, match=r"(?s)changed since it was imported.*unknown faction 'martians'"
    ):
        catalog.load(DATE)


def test_bundled_catalog_loads() -> None:
    catalog = Catalog(bundled_data_dir())
    for entry in catalog.entries():
        snap = catalog.load(entry.date)
        assert len(snap.areas) == entry.areas
        assert list(snap.areas.columns[: len(AREA_COLUMNS)]) == list(AREA_COLUMNS)
        assert snap.areas.geometry.is_valid.all()


def test_mapapp_data_dir_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAPAPP_DATA_DIR", str(tmp_path))
    assert data_dir() == tmp_path
    assert data_dir(tmp_path / "explicit") == tmp_path / "explicit"
    Catalog(data_dir()).add(snapshot())
    assert (tmp_path / "snapshots" / "manifest.json").exists()
    monkeypatch.delenv("MAPAPP_DATA_DIR")
    assert data_dir() == bundled_data_dir()

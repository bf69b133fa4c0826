from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import box

from mapapp.catalog import Catalog
from mapapp.cli import main
from mapapp.snapshot import ControlSnapshot


def snap(date: str, rows: list[tuple[str, tuple[float, float, float, float]]]) -> ControlSnapshot:
    areas = gpd.GeoDataFrame(
        {
            "faction": [f for f, _ in rows],
            "secondary": [None] * len(rows),
            "status": ["control"] * len(rows),
            "confidence": ["medium"] * len(rows),
            "note": [None] * len(rows),
            "country": ["SY"] * len(rows),
        },
        geometry=[shapely.segmentize(box(*b), 0.05) for _, b in rows],
        crs="EPSG:4326",
    )
    return ControlSnapshot(dt.date.fromisoformat(date), f"test {date}", "unit test", "CC0", "medium", areas)


A = snap("2017-01-08", [("sdf", (39, 35, 40, 36)), ("islamic_state", (40, 35, 41, 36))])
B = snap(
    "2018-02-07",
    [
        ("sdf", (39, 35, 40.5, 36)),
        ("syrian_government", (40.5, 35, 41, 35.5)),
        ("no_data", (40.5, 35.5, 41, 36)),
    ],
)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    catalog = Catalog(tmp_path)
    catalog.add(A)
    catalog.add(B)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_table_lists_net_gains_transitions_and_no_data(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "compare", "2017-01-08", "2018-02-07", "--data-dir", str(data_dir))
    assert code == 0, err
    assert out.startswith("Change of control from 2017-01-08 to 2018-02-07")
    changed = out.split("Areas that changed hands")[1].split("No data")[0]
    assert "Islamic State" in changed and "Syrian Democratic Forces (SDF)" in changed
    unknown = out.split("not counted as a change):")[1]
    assert "No data (far from any observation)" in unknown


def test_csv_is_the_full_matrix_and_reconciles(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "compare", "2017-01-08", "2018-02-07", "--format", "csv", "--data-dir", str(data_dir)
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    kinds = {(r["from_faction"], r["to_faction"]): r["kind"] for r in rows}
    assert kinds[("sdf", "sdf")] == "unchanged"
    assert kinds[("islamic_state", "sdf")] == "change"
    assert kinds[("islamic_state", "no_data")] == "no_data"
    lost_by_is = sum(float(r["km2"]) for r in rows if r["from_faction"] == "islamic_state")
    assert lost_by_is == pytest.approx(
        sum(
            float(r["km2"]) for r in rows if r["from_faction"] == "islamic_state" and r["kind"] != "unchanged"
        )
    )


def test_geojson_out_file_holds_changes_and_no_data(
    data_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "changes.geojson"
    code, out, _ = run(
        capsys,
        "compare",
        "2017-01-08",
        "2018-02-07",
        "--format",
        "geojson",
        "--out",
        str(target),
        "--data-dir",
        str(data_dir),
    )
    assert code == 0 and out == ""
    frame = gpd.read_file(target)  # through pyogrio
    assert set(zip(frame["from_faction"], frame["to_faction"], frame["kind"], strict=True)) == {
        ("islamic_state", "sdf", "change"),
        ("islamic_state", "syrian_government", "change"),
        ("islamic_state", "no_data", "no_data"),
    }
    assert {str(d)[:10] for d in frame["date_b"]} == {"2018-02-07"}  # pyogrio parses ISO dates
    assert not list(tmp_path.glob(".changes.geojson.*"))
    reference = tmp_path / "reference.txt"
    reference.write_text("x")
    assert target.stat().st_mode == reference.stat().st_mode  # usual permissions, not mkstemp's 0600


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        (
            ("2017-01-08", "2019-01-01"),
            r"second date '2019-01-01' is not a snapshot.*expected one of 2017-01-08, 2018-02-07",
        ),
        (
            ("2017-13-01", "2018-02-07"),
            r"first date '2017-13-01' is not a date: expected YYYY-MM-DD.*has 2017-01-08, 2018-02-07",
        ),
        (("2017-01-08", "2017-01-08"), r"both dates are 2017-01-08: expected two different snapshot dates"),
    ],
)
def test_bad_dates_give_a_clear_error_and_exit_1(
    data_dir: Path, capsys: pytest.CaptureFixture[str], dates: tuple[str, str], message: str
) -> None:
    code, out, err = run(capsys, "compare", *dates, "--data-dir", str(data_dir))
    assert code == 1
    assert out == ""
    assert err.startswith("mapapp compare: error: ")
    assert re.search(message, err)


def test_unwritable_out_is_a_domain_error(
    data_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(
        capsys,
        "compare",
        "2017-01-08",
        "2018-02-07",
        "--out",
        str(tmp_path / "missing" / "x.csv"),
        "--data-dir",
        str(data_dir),
    )
    assert code == 1
    assert "cannot write" in err and "--out" in err


def test_missing_argument_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "compare", "2017-01-08")
    assert code == 2
    assert "DATE_B" in err


def test_geojson_output_is_valid_json(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "compare", "2017-01-08", "2018-02-07", "--format", "geojson", "--data-dir", str(data_dir)
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["type"] == "FeatureCollection"
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in doc["features"])


# -- the bundled catalog ---------------------------------------------------------------------------


def test_bundled_compare_csv_reconciles_per_faction(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MAPAPP_DATA_DIR", raising=False)
    code, out, err = run(capsys, "compare", "2017-08-01", "2018-02-07", "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    factions = {r["from_faction"] for r in rows} | {r["to_faction"] for r in rows}
    for faction in factions:
        area_a = sum(float(r["km2"]) for r in rows if r["from_faction"] == faction)
        area_b = sum(float(r["km2"]) for r in rows if r["to_faction"] == faction)
        gained = sum(
            float(r["km2"]) for r in rows if r["to_faction"] == faction and r["from_faction"] != faction
        )
        lost = sum(
            float(r["km2"]) for r in rows if r["from_faction"] == faction and r["to_faction"] != faction
        )
        assert area_a + gained - lost == pytest.approx(area_b, abs=0.01)  # rounded to 0.001 km² per row
    assert {r["country"] for r in rows} <= {"SY", "IQ"}


def test_events_table_puts_khasham_on_sdf_ground_near_the_government(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MAPAPP_DATA_DIR", raising=False)
    code, out, err = run(capsys, "events")
    assert code == 0, err
    (line,) = [row for row in out.splitlines() if " khasham_2018 " in row]
    assert re.search(r"2018-02-07\s+SDF\s+Syrian government and allies\s+\d+\.\d\s+.*Euphrates", line)
    assert "euphrates_shield: No snapshot on or before 2016-08-24" in out


def test_events_json_with_forced_snapshot_and_csv(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MAPAPP_DATA_DIR", raising=False)
    code, out, _ = run(capsys, "events", "--snapshot", "2017-01-08", "--format", "json")
    assert code == 0
    records = {r["event_id"]: r for r in json.loads(out)}
    assert {r["snapshot_date"] for r in records.values()} == {"2017-01-08"}
    assert "days after the event" in records["euphrates_shield"]["note"]
    assert records["khasham_2018"]["distance_method"].startswith("geodesic")
    code, out, _ = run(capsys, "events", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["event_id"] for r in rows} == set(records)


def test_events_unknown_snapshot_is_a_domain_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MAPAPP_DATA_DIR", raising=False)
    code, out, err = run(capsys, "events", "--snapshot", "2019-01-01")
    assert code == 1 and out == ""
    assert "no snapshot dated 2019-01-01" in err and "2017-01-08" in err

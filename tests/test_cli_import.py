"""``mapapp validate`` and ``mapapp import``: reports on stdout, diagnostics on stderr, exit codes 0/1/2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mapapp.catalog import Catalog
from mapapp.cli import main

DATA = Path(__file__).parent / "data"
MAP = "Tiger Forces=syrian_government"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_validate_clean_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate", str(DATA / "valid.geojson"))
    assert code == 0
    assert "0 error(s), 0 warning(s)" in out
    assert "areas by faction: syrian_government 1, islamic_state 1, sdf 1" in out
    assert "result: ready to import" in out


def test_validate_reports_every_problem_and_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate", str(DATA / "unknown_factions.geojson"))
    assert code == 1
    assert "unknown faction 'Tiger Forces' in column 'controller' (2 feature(s))" in out
    assert "unknown faction 'Kurdish YPG unitz'" in out
    assert '--map-factions "Tiger Forces=' in out
    assert "result: blocked" in out


def test_validate_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate", str(DATA / "overlap.geojson"), "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["ok"] is False
    (overlap,) = [p for p in report["problems"] if p["code"] == "overlap"]
    assert overlap["details"]["km2"] > 100
    assert set(overlap) >= {"message", "expected", "found", "where", "fix", "severity"}


def test_validate_policy_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "validate", str(DATA / "self_intersection.geojson"))[0] == 0
    code, out, _ = run(capsys, "validate", str(DATA / "self_intersection.geojson"), "--on-invalid", "raise")
    assert code == 1 and "[error] invalid-geometry" in out


def test_read_error_is_exit_1_on_stderr(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "validate", str(tmp_path / "missing.geojson"))
    assert (code, out) == (1, "")
    assert err.startswith("mapapp validate: error:") and "no such file" in err


@pytest.mark.parametrize(
    "argv",
    [
        ("validate",),
        ("validate", "x.geojson", "--map-factions", "Daesh"),
        ("validate", "x.geojson", "--on-invalid", "ignore"),
        ("import", "x.geojson"),
        ("import", "x.geojson", "--date", "2018-01-01", "--confidence", "sure"),
    ],
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert "usage: mapapp" in err


@pytest.mark.parametrize("name", ["held_by.kml", "held_by_3857.zip"])
def test_import_non_standard_file_after_mapping(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> None:
    base = ("import", str(DATA / name), "--date", "2018-03-01", "--data-dir", str(tmp_path))
    code, out, err = run(capsys, *base)
    assert code == 1 and out == ""
    assert "no faction column found" in err and "--faction-field" in err
    code, out, err = run(capsys, *base, "--faction-field", "held_by")
    assert code == 1 and "unknown faction 'Tiger Forces'" in err and "--map-factions" in err
    assert Catalog(tmp_path).entries() == []
    code, out, err = run(
        capsys,
        *base,
        "--faction-field",
        "held_by",
        "--map-factions",
        MAP,
        "--licence",
        "CC BY 4.0",
        "--label",
        "March",
    )
    assert code == 0, err
    assert "imported" in out and "areas:      4 (islamic_state, syrian_government, syrian_opposition)" in out
    assert err == ""
    code, out, _ = run(capsys, "snapshots", "--data-dir", str(tmp_path))
    assert code == 0 and "2018-03-01  March" in out


def test_import_warnings_on_stderr_and_replace(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    base = ("import", str(DATA / "coords_3d.geojson"), "--date", "2018-03-01", "--data-dir", str(tmp_path))
    code, out, err = run(capsys, *base)
    assert code == 0
    assert "[warning] 3d-coordinates-dropped" in err and "[warning] missing-licence" in err
    assert "[warning]" not in out
    code, out, err = run(capsys, *base)
    assert code == 1 and out == ""
    assert "already exists" in err and "--replace" in err
    code, out, _ = run(capsys, *base, "--replace", "--licence", "CC0")
    assert code == 0 and "backups:    2018-03-01.geojson" in out
    (entry,) = Catalog(tmp_path).entries()
    assert entry.licence == "CC0" and entry.backups == ("2018-03-01.geojson",)


def test_import_bad_date_is_a_domain_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(
        capsys, "import", str(DATA / "valid.geojson"), "--date", "1 March", "--data-dir", str(tmp_path)
    )
    assert code == 1
    assert "invalid date: expected YYYY-MM-DD" in err


def test_import_honours_mapapp_data_dir(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAPAPP_DATA_DIR", str(tmp_path))
    code, out, _ = run(
        capsys, "import", str(DATA / "valid.geojson"), "--date", "2019-05-01", "--licence", "CC0"
    )
    assert code == 0 and str(tmp_path) in out
    assert [e.date.isoformat() for e in Catalog(tmp_path).entries()] == ["2019-05-01"]


def test_failed_import_writes_nothing(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, _ = run(
        capsys, "import", str(DATA / "overlap.geojson"), "--date", "2018-03-01", "--data-dir", str(tmp_path)
    )
    assert code == 1
    assert not (tmp_path / "snapshots" / "manifest.json").exists()


def test_crs_option_for_a_file_without_one(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate", str(DATA / "missing_crs.fgb"))
    assert code == 1 and "--crs EPSG:<code>" in out
    code, out, _ = run(capsys, "validate", str(DATA / "missing_crs.fgb"), "--crs", "EPSG:4326")
    assert code == 0 and "ready to import" in out

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from map_fixtures import governorate_snapshot

from mapapp import assets
from mapapp.cli import main
from mapapp.errors import ExportError
from mapapp.events import load_events
from mapapp.export import export_html, inline_external
from mapapp.paths import bundled_data_dir
from mapapp.render import MapOptions

MAX_BYTES = 1_500_000
EXTERNAL = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)
MANIFEST = bundled_data_dir() / "snapshots" / "manifest.json"


def bundled_dates() -> list[str]:
    if not MANIFEST.exists():
        return []
    return [e["date"] for e in json.loads(MANIFEST.read_text(encoding="utf-8"))["snapshots"]]


def test_export_is_self_contained(tmp_path: Path) -> None:
    out = export_html(governorate_snapshot(), load_events(), MapOptions(), tmp_path / "map.html")
    page = out.read_text(encoding="utf-8")
    assert EXTERNAL.search(page) is None
    assert "<script src" not in page and "<link" not in page
    assert "data-asset='leaflet_js'" in page and "data-asset='fullscreen_js'" in page
    assert "url(images/" not in page and "icon-fullscreen.svg" not in page  # CSS images inlined


def test_export_replaces_atomically_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    out = tmp_path / "map.html"
    out.write_text("old", encoding="utf-8")
    export_html(governorate_snapshot(), None, MapOptions(events="none"), out)
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]


def test_failed_export_keeps_the_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "map.html"
    out.write_text("old", encoding="utf-8")

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("mapapp.export.os.replace", boom)
    with pytest.raises(OSError, match="disk full"):
        export_html(governorate_snapshot(), None, MapOptions(), out)
    assert out.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]


def test_missing_directory_is_a_domain_error(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"does not exist\. Fix: create it"):
        export_html(governorate_snapshot(), None, MapOptions(), tmp_path / "nope" / "map.html")


def test_inline_external_swaps_known_assets_and_refuses_others() -> None:
    page = '<script src="https://cdn.example/leaflet@1.9.3/dist/leaflet.js"></script>'
    assert "L.version" in inline_external(page) or "Leaflet" in inline_external(page)
    with pytest.raises(ExportError, match="cannot inline"):
        inline_external('<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>')


def test_missing_assets_tell_the_user_to_install_them(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"run `make assets` \(or `npm ci`\)"):
        assets.asset_path("leaflet_js", root=tmp_path)


def test_asset_versions_and_licences_come_from_package_json() -> None:
    infos = {p.name: p for p in assets.credits()}
    assert infos["leaflet"].licence == "BSD-2-Clause"
    assert infos["leaflet.fullscreen"].licence == "MIT"
    assert re.fullmatch(r"\d+\.\d+\.\d+", infos["leaflet"].version)


@pytest.mark.skipif(not bundled_dates(), reason="bundled snapshots not built yet")
@pytest.mark.parametrize("date", bundled_dates())
def test_every_bundled_snapshot_exports_under_the_size_budget(tmp_path: Path, date: str) -> None:
    out = tmp_path / f"{date}.html"
    code = main(["export", "--snapshot", date, "--out", str(out)])
    assert code == 0
    page = out.read_text(encoding="utf-8")
    assert out.stat().st_size < MAX_BYTES
    assert EXTERNAL.search(page) is None


def test_cli_prints_the_path_and_maps_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not bundled_dates():
        pytest.skip("bundled snapshots not built yet")
    out = tmp_path / "m.html"
    assert main(["export", "--snapshot", "latest", "--out", str(out), "--events", "window"]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert main(["export", "--snapshot", "1999-01-01", "--out", str(out)]) == 1
    assert "mapapp export: error:" in capsys.readouterr().err
    assert main(["export", "--out", str(out), "--window-days", "-3"]) == 2


TIMELINE_MAX_BYTES = 3_000_000
ARROW = "\\u2192"  # "→" as the page's JSON strings spell it


def test_export_with_compare_adds_the_gains_layer_and_stays_self_contained(tmp_path: Path) -> None:
    import dataclasses
    import datetime as dt

    earlier = governorate_snapshot()
    areas = earlier.areas.copy()
    areas.loc[areas["faction"] == "islamic_state", "faction"] = "sdf"
    later = dataclasses.replace(earlier, date=dt.date(2018, 2, 7), areas=areas)
    out = export_html(later, None, MapOptions(events="none"), tmp_path / "c.html", compare_with=earlier)
    page = out.read_text(encoding="utf-8")
    assert f"Gains 2017-01-08 {ARROW} 2018-02-07" in page  # the layer control's entry
    assert "mapapp-gain mapapp-gain-sdf" in page and "mapapp-gain-default-sdf" in page  # layer, hatch
    assert "from Islamic State to Syrian Democratic Forces (SDF)" in page  # a tooltip
    assert f"Gained 2017-01-08 {ARROW} 2018-02-07 (hatched)" in page  # the change legend
    assert EXTERNAL.search(page) is None and "<script src" not in page and "<link" not in page


def test_cli_compare_and_timeline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dates = bundled_dates()
    if len(dates) < 3:
        pytest.skip("bundled snapshots not built yet")
    out = tmp_path / "c.html"
    assert main(["export", "--snapshot", dates[-1], "--compare", dates[0], "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    page = out.read_text(encoding="utf-8")
    assert f"Gains {dates[0]} {ARROW} {dates[-1]}" in page and "mapapp-gain " in page
    assert EXTERNAL.search(page) is None
    timeline = tmp_path / "t.html"
    argv = ["export", "--snapshot", dates[0], "--timeline", ",".join(dates), "--out", str(timeline)]
    assert main(argv) == 0
    page = timeline.read_text(encoding="utf-8")
    assert all(f'value=\\"{d}\\"' in page for d in dates) and f'var current = "{dates[0]}"' in page
    assert timeline.stat().st_size < TIMELINE_MAX_BYTES
    assert EXTERNAL.search(page) is None
    assert main(["export", "--timeline", "all", "--out", str(timeline)]) == 0
    assert f'var current = "{dates[-1]}"' in timeline.read_text(encoding="utf-8")  # latest by default


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--compare", "1999-01-01"],
            r"--compare '1999-01-01': expected the date of a snapshot .*available: 20",
        ),
        (["--compare", "1999-13-01"], r"--compare '1999-13-01': expected the date of a snapshot"),
        (["--snapshot", "latest", "--compare", "latest"], r"--compare \d{4}-\d\d-\d\d is the snapshot shown"),
        (["--timeline", "1999-01-01,latest"], r"--timeline '1999-01-01': expected the date"),
        (["--timeline", "latest"], r"--timeline 'latest': expected at least two snapshot dates, found 1"),
    ],
)
def test_cli_bad_compare_or_timeline_dates_exit_1_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    if not bundled_dates():
        pytest.skip("bundled snapshots not built yet")
    out = tmp_path / "m.html"
    assert main(["export", "--out", str(out), *argv]) == 1
    err = capsys.readouterr().err
    assert err.startswith("mapapp export: error: ") and re.search(message, err), err
    assert not out.exists()


def test_cli_timeline_must_contain_the_snapshot_and_excludes_compare(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dates = bundled_dates()
    if len(dates) < 3:
        pytest.skip("bundled snapshots not built yet")
    out = str(tmp_path / "m.html")
    assert main(["export", "--out", out, "--snapshot", dates[0], "--timeline", ",".join(dates[1:])]) == 1
    assert f"--snapshot {dates[0]} is not one of the --timeline dates" in capsys.readouterr().err
    assert main(["export", "--out", out, "--timeline", "all", "--compare", dates[0]]) == 2
    assert "not allowed with argument" in capsys.readouterr().err

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mapapp.errors import EventDataError
from mapapp.events import CasualtyClaim, categorise, load_events, parse_claims, parse_sources
from mapapp.paths import bundled_data_dir

HEADER = (
    "id,date,date_end,title,place,lat,lon,coord_precision,coord_source,actors,facts,casualty_claims,sources\n"
)


def write_csv(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "events.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_bundled_events_load_in_date_order_with_khasham() -> None:
    events = load_events()
    dates = [e.date for e in events]
    assert dates == sorted(dates)
    khasham = events.get("khasham_2018")
    assert khasham.date == dt.date(2018, 2, 7)
    assert khasham.date_end == dt.date(2018, 2, 8)
    assert 40.0 < khasham.lon < 40.6 and 35.0 < khasham.lat < 35.6
    assert khasham.category == "strike"
    assert all(s.startswith(("http://", "https://")) for s in khasham.sources)


def test_khasham_claims_keep_each_claimant() -> None:
    claims = load_events().get("khasham_2018").casualty_claims
    assert [c.claimant for c in claims] == ["US", "Russian MFA", "SOHR", "Syrian govt"]
    assert claims[0].claim.startswith(">100 killed")
    assert "(20 Feb)" in claims[1].claim


def test_csv_and_geojson_give_the_same_events() -> None:
    csv = load_events(bundled_data_dir() / "events" / "events_syr_irq_2016_2018.csv")
    assert csv.events == load_events().events


def test_parse_claims_splits_on_top_level_semicolons_only() -> None:
    claims = parse_claims("A: 5 (prelim.; later 7); B: 3;  ; no claimant here")
    assert claims == (
        CasualtyClaim("A", "5 (prelim.; later 7)"),
        CasualtyClaim("B", "3"),
        CasualtyClaim("", "no claimant here"),
    )


def test_sources_keep_only_http_links_and_report_the_rest() -> None:
    urls, problems = parse_sources(
        "https://a.example/x | javascript:alert(1) | http://b.example/y (note) | ftp://c", "row 1"
    )
    assert urls == ("https://a.example/x", "http://b.example/y")
    assert [p.found for p in problems] == ["'javascript:alert(1)'", "'ftp://c'"]
    assert all(p.severity == "warning" and p.where == "row 1" for p in problems)


@pytest.mark.parametrize(
    ("event_id", "title", "expected"),
    [
        ("x_siege", "Forces break the siege of a city", "siege"),
        ("y", "US cruise-missile strike on an airbase", "strike"),
        ("z", "Operation Something begins", "offensive"),
        ("w", "Rebels take a town", "capture"),
        ("v", "A conference is held", "event"),
    ],
)
def test_categories_follow_the_documented_rules(event_id: str, title: str, expected: str) -> None:
    assert categorise(event_id, title) == expected


def test_window_keeps_events_overlapping_the_interval() -> None:
    events = load_events()
    ids = [e.id for e in events.window(dt.date(2017, 3, 20), 10)]
    assert "euphrates_shield" in ids  # runs until 29 Mar 2017
    assert "palmyra_2017" not in ids  # 2 Mar is 18 days before
    assert [e.id for e in events.window(dt.date(2018, 2, 7), 0)] == ["khasham_2018"]


def test_malformed_rows_are_all_reported_at_once(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "good,2017-01-01,,Good title,P,35,40,,,,,,https://ok.example",
        "bad_date,2017-13-40,,Title,P,35,40,,,,,,",
        ",2017-01-01,,Title,P,95,40,,,,,,",
    )
    with pytest.raises(EventDataError) as info:
        load_events(path)
    text = str(info.value)
    assert "3 error(s)" in text
    assert "row 1 (id 'bad_date'), column 'date'" in text and "'2017-13-40'" in text
    assert "column 'id'" in text and "column 'lat'" in text and "'95'" in text
    assert "fix:" in text


def test_missing_file_and_missing_columns_say_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(EventDataError, match="events file not found"):
        load_events(tmp_path / "nope.geojson")
    path = tmp_path / "e.csv"
    path.write_text("id,when\nx,2017\n", encoding="utf-8")
    with pytest.raises(EventDataError, match=r"missing column\(s\) \['date', 'title'\]"):
        load_events(path)

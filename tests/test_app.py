"""The dashboard page through ``streamlit.testing.v1.AppTest`` (widgets addressed by key).

Each test runs the real ``streamlit_app.py`` against a small catalog written to a temporary
directory (``MAPAPP_DATA_DIR``), so uploads never touch the bundled data.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from dashboard_fixtures import invalid_file, make_catalog, upload_file
from streamlit.testing.v1 import AppTest

from mapapp.catalog import Catalog
from mapapp.factions import registry

# the gains layer's name in the map's layer control (JSON-escaped in the script)
GAINS_LAYER = '"Gains 2017-01-08 \\u2192 2018-02-07" : feature_group_'
APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
TIMEOUT = 60


@pytest.fixture
def catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Catalog:
    monkeypatch.setenv("MAPAPP_DATA_DIR", str(tmp_path / "data"))
    return make_catalog(tmp_path / "data")


def run_app(query: dict[str, Any] | None = None, tab: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if query:
        at.query_params.update(query)
    if tab:
        at.session_state["tab"] = tab
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def map_args(at: AppTest) -> dict[str, Any]:
    """Return the arguments the page sent to the st_folium component (its Leaflet script)."""
    found = [
        node
        for node in at.get("component_instance")
        if "st_folium" in getattr(node.proto, "component_name", "")
    ]
    assert len(found) == 1, "expected exactly one map component"
    args: dict[str, Any] = json.loads(found[0].proto.json_args)
    return args


def layer_var(script: str, faction: str) -> str:
    """Return the JavaScript variable of a faction's layer, from the map's layer control."""
    label = registry().label(faction).replace("'", "&#x27;")
    match = re.search(rf'{re.escape(label)}" : (feature_group_\w+)', script)
    assert match, f"no layer for {faction} in the layer control"
    return match.group(1)


def hidden_vars(args: dict[str, Any]) -> list[str]:
    """Return the layer variables the page's toggle line removes from the map."""
    line = next(x for x in args["feature_group"].splitlines() if "removeLayer" in x)
    return re.findall(r"feature_group_\w+", line)


def frame_with(at: AppTest, column: str) -> Any:
    """Return the one table shown that has ``column`` (AppTest does not expose dataframe keys)."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(found) == 1, f"expected one table with a {column!r} column, found {len(found)}"
    return found[0]


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [h.value for h in at.header] + [c.value for c in at.caption]
    return "\n".join(str(p) for p in parts)


def test_default_load_shows_2017_01_08(catalog: Catalog) -> None:
    at = run_app()
    assert at.selectbox(key="snapshot").value == "2017-01-08"
    assert "Test snapshot 2017-01-08" in [h.value for h in at.header]
    assert any("8 January 2017" in c.value for c in at.caption)
    # the fixture's 2017-01-08 snapshot is approximate: a banner says so
    assert any("approximate" in w.value for w in at.warning)
    # text from the data file is escaped, never raw HTML
    assert "<script>" not in texts(at)
    assert "&lt;script&gt;" in texts(at)


def test_switching_snapshot_changes_statistics(catalog: Catalog) -> None:
    at = run_app(tab="Statistics")
    before = at.dataframe[0].value
    at.selectbox(key="snapshot").set_value("2018-02-07").run()
    assert not at.exception
    after = at.dataframe[0].value
    labels_before = set(before["faction"])
    labels_after = set(after["faction"])
    assert registry().label("sdf") in labels_after - labels_before
    assert registry().label("islamic_state") in labels_before - labels_after
    assert at.query_params["date"] == "2018-02-07"


def test_toggling_a_faction_changes_what_reaches_the_map(catalog: Catalog) -> None:
    at = run_app()
    before = map_args(at)
    assert hidden_vars(before) == []
    islamic_state = layer_var(before["script"], "islamic_state")
    at.checkbox(key="faction_islamic_state").uncheck().run()
    assert not at.exception
    after = map_args(at)
    assert hidden_vars(after) == [islamic_state]
    # the same map: nothing rebuilt, the browser keeps it and only hides the layer
    assert after["script"] == before["script"]
    assert after["key"] == before["key"]
    assert sorted(at.query_params["faction"]) == ["iraqi_government", "syrian_government"]
    at.checkbox(key="faction_islamic_state").check().run()
    assert hidden_vars(map_args(at)) == []
    assert "faction" not in at.query_params


def test_map_assets_are_served_locally(catalog: Catalog) -> None:
    args = map_args(run_app())
    links = [*args["js_links"], *args["css_links"]]
    assert any(link.endswith("leaflet.js") for link in links)
    assert all(link.startswith("/app/static/vendor/") for link in links), links


def test_invalid_upload_shows_the_domain_error_and_changes_nothing(catalog: Catalog, tmp_path: Path) -> None:
    manifest = catalog.manifest_path.read_bytes()
    files = sorted(p.name for p in catalog.dir.iterdir())
    bad = invalid_file(tmp_path / "swapped.geojson")
    at = run_app(tab="Add a snapshot")
    at.file_uploader(key="upload_file").set_value((bad.name, bad.read_bytes(), "application/geo+json")).run()
    assert not at.exception
    errors = "\n".join(e.value for e in at.error)
    assert "rejected" in errors
    assert "outside" in errors.lower() or "axes" in errors.lower()
    assert "upload_save" not in [b.key for b in at.button]
    assert catalog.manifest_path.read_bytes() == manifest
    assert sorted(p.name for p in catalog.dir.iterdir() if p.name != ".lock") == [
        f for f in files if f != ".lock"
    ]


def test_valid_upload_with_mapping_becomes_selectable(catalog: Catalog, tmp_path: Path) -> None:
    path = upload_file(tmp_path / "newer.geojson")
    at = run_app(tab="Add a snapshot")
    at.file_uploader(key="upload_file").set_value(
        (path.name, path.read_bytes(), "application/geo+json")
    ).run()
    assert not at.exception
    assert at.selectbox(key="upload_field").value == "side"
    mapper = at.selectbox(key="upload_map_0")
    assert mapper.value == registry().closest("Jaysh al-Fantasia", n=1)[0]
    mapper.set_value("syrian_opposition")
    at.date_input(key="upload_date").set_value(dt.date(2018, 3, 1))
    at.text_input(key="upload_label").input("Newer test snapshot")
    at.text_input(key="upload_source").input("a test")
    at.text_input(key="upload_licence").input("CC0")
    at.run()
    assert not at.exception
    at.button(key="upload_save").click().run()
    assert not at.exception
    assert any(o.startswith("2018-03-01") for o in at.selectbox(key="snapshot").options)
    assert at.selectbox(key="snapshot").value == "2018-03-01"
    assert at.session_state["tab"] == "Map"  # the new snapshot's map is shown at once
    assert map_args(at)
    assert dt.date(2018, 3, 1) in catalog.dates()
    saved = catalog.load(dt.date(2018, 3, 1))
    assert "syrian_opposition" in saved.factions


def test_query_parameters_select_the_view(catalog: Catalog) -> None:
    at = run_app({"date": "2018-02-07", "faction": ["sdf", "kurdistan_region"]})
    assert at.selectbox(key="snapshot").value == "2018-02-07"
    assert at.checkbox(key="faction_sdf").value
    assert at.checkbox(key="faction_kurdistan_region").value
    assert not at.checkbox(key="faction_syrian_government").value
    args = map_args(at)
    hidden = hidden_vars(args)
    assert layer_var(args["script"], "syrian_government") in hidden
    assert layer_var(args["script"], "sdf") not in hidden


def test_unknown_date_in_link_falls_back_with_a_notice(catalog: Catalog) -> None:
    at = run_app({"date": "1999-01-01"})
    assert at.selectbox(key="snapshot").value == "2017-01-08"
    assert any("1999-01-01" in w.value for w in at.warning)


# -- the page's pure helpers ------------------------------------------------------------------


def test_pick_date_prefers_the_link_then_the_default() -> None:
    from dashboard.state import pick_date

    dates = [dt.date(2017, 1, 8), dt.date(2017, 8, 1), dt.date(2018, 2, 7)]
    assert pick_date("2017-08-01", dates) == (dt.date(2017, 8, 1), None)
    assert pick_date(None, dates) == (dt.date(2017, 1, 8), None)
    date, notice = pick_date("8 Jan 2017", dates)
    assert date == dt.date(2017, 1, 8)
    assert notice is not None and "'8 Jan 2017'" in notice and "YYYY-MM-DD" in notice
    assert pick_date(None, dates[1:])[0] == dt.date(2018, 2, 7)


def test_view_round_trips_through_query_parameters() -> None:
    from dashboard.state import View, pick_factions, query_differs, to_query

    present = ("islamic_state", "sdf", "syrian_government")
    view = View(date=dt.date(2018, 2, 7), factions=("sdf",))
    query = to_query(view, present)
    assert query == {"date": "2018-02-07", "faction": ["sdf"]}
    assert pick_factions(query["faction"], present) == ("sdf",)
    assert "faction" not in to_query(View(date=view.date, factions=present), present)
    assert not query_differs({"date": ["2018-02-07"], "faction": ["sdf"]}, query)
    assert query_differs({"date": ["2018-02-07"]}, query)
    # "none" selects nothing and survives the round trip
    empty = to_query(View(date=view.date, factions=()), present)
    assert pick_factions(empty["faction"], present) == ()


def test_markdown_text_is_escaped() -> None:
    from dashboard.text import md, md_link

    assert md("<b>*x*</b> [y](javascript:z)") == r"&lt;b&gt;\*x\*&lt;/b&gt; \[y\](javascript:z)"
    assert md_link("x", "javascript:alert(1)") == "javascript:alert(1)"
    assert md_link("host", "https://a.org/p (1)") == "[host](https://a.org/p%20%281%29)"


def test_clicks_find_the_area_and_its_details(catalog: Catalog) -> None:
    from dashboard import details
    from mapapp.geography import EQUAL_AREA_CRS, governorates

    snap = catalog.load(dt.date(2017, 1, 8))
    west = details.area_at(snap, 36.7, 34.7)  # Homs governorate, west of the 38.5° split
    assert west is not None and snap.areas.iloc[west]["faction"] == "syrian_government"
    assert details.area_at(snap, 20.0, 10.0) is None
    record = details.area_record(snap, west, governorates(), EQUAL_AREA_CRS)
    assert record["Faction"] == registry().label("syrian_government")
    assert "Homs" in record["Governorate(s)"]
    km2 = float(record["Area of the clicked polygon (km²)"].replace(",", ""))
    assert 0 < km2 < 185_940
    assert details.faction_at(snap, 41.0, 35.3) == registry().label("islamic_state")


def test_offline_assets_map_cdn_links_to_local_copies(tmp_path: Path) -> None:
    from dashboard import offline

    local = offline.local_url("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js")
    assert local == "/app/static/vendor/leaflet/dist/leaflet.js"
    assert offline.local_url("https://code.jquery.com/jquery-3.7.1.min.js") is None
    copied = offline.sync_vendor(target=tmp_path)
    assert "leaflet/dist/leaflet.js" in copied
    assert (tmp_path / "leaflet/dist/images/marker-icon.png").is_file()
    assert offline.sync_vendor(target=tmp_path) == []


def test_statistics_by_governorate_and_csv_download(catalog: Catalog) -> None:
    at = run_app(tab="Statistics")
    by_country = at.dataframe[0].value
    assert set(by_country["country"]) == {"SY", "IQ"}
    at.radio(key="stats_by").set_value("governorate").run()
    assert not at.exception
    by_governorate = at.dataframe[0].value
    assert "Homs" in set(by_governorate["governorate"])
    # every governorate's rows add up to 100 % (the library's numbers, shown as they are)
    totals = by_governorate.groupby("governorate")["percent"].sum()
    assert ((totals > 99.0) & (totals < 101.0)).all(), totals
    assert at.get("download_button")[0].proto.label == "Download statistics (CSV)"


def test_download_tab_offers_geojson_statistics_and_the_html_map(catalog: Catalog) -> None:
    at = run_app(tab="Download")
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Snapshot as GeoJSON", "Statistics by country (CSV)"]
    at.button(key="prepare_html").click().run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download the HTML map" in labels


def test_html_export_is_self_contained_and_follows_the_view(catalog: Catalog) -> None:
    from dashboard import data
    from dashboard.state import View

    snap = catalog.load(dt.date(2017, 1, 8))
    events = data.events()
    page = data.export_bytes(snap, events, View(date=snap.date, factions=snap.factions, events="none"))
    text = page.decode("utf-8")
    assert "<script src=" not in text and 'rel="stylesheet" href=' not in text
    assert "Test snapshot 2017-01-08" in text
    with_events = data.export_bytes(
        snap, events, View(date=snap.date, factions=snap.factions, categories=("strike",))
    )
    khasham = events.get("khasham_2018")
    assert khasham.category == "strike"
    assert "Khasham" in with_events.decode("utf-8") and "Khasham" not in text


def test_credits_name_every_source_on_screen(catalog: Catalog) -> None:
    at = run_app()
    credits = "\n".join(m.value for m in at.expander[0].markdown)
    assert "Natural Earth" in credits
    assert "leaflet" in credits.lower()
    assert "confidence" in credits.lower()
    assert "Golan" in credits
    at.selectbox(key="base").set_value("osm").run()
    credits = "\n".join(m.value for m in at.expander[0].markdown)
    assert "OpenStreetMap" in credits


def test_zipped_shapefile_upload_is_read_and_validated(catalog: Catalog, tmp_path: Path) -> None:
    src = upload_file(tmp_path / "newer.geojson")
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    gpd.read_file(src, engine="pyogrio").to_crs("EPSG:3857").to_file(
        shp_dir / "areas.shp", driver="ESRI Shapefile", engine="pyogrio"
    )
    archive = tmp_path / "areas.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in sorted(shp_dir.iterdir()):
            zf.write(part, part.name)
    at = run_app(tab="Add a snapshot")
    at.file_uploader(key="upload_file").set_value(
        (archive.name, archive.read_bytes(), "application/zip")
    ).run()
    assert not at.exception
    assert at.selectbox(key="upload_field").value == "side"
    assert at.selectbox(key="upload_map_0").value == registry().closest("Jaysh al-Fantasia", n=1)[0]
    assert not [e.value for e in at.error]  # reprojected from EPSG:3857, no blocking problem


# -- change over time (issue 6): compare, timeline, events in context -------------------------


def test_choosing_a_compare_date_adds_the_gains_layer_and_the_net_table(catalog: Catalog) -> None:
    at = run_app({"date": "2018-02-07"})
    compare = at.selectbox(key="compare")
    assert "2018-02-07" not in compare.options  # a snapshot is never compared with itself
    before = map_args(at)["script"]
    assert "mapapp-gain" not in before
    compare.set_value("2017-01-08").run()
    assert not at.exception
    after = map_args(at)["script"]
    # the gains layer reaches the map: SDF gained the east of Syria, the KRG the north of Iraq
    assert GAINS_LAYER in after
    assert "mapapp-gain mapapp-gain-sdf" in after
    assert "mapapp-gain mapapp-gain-kurdistan_region" in after
    assert "from Islamic State to Syrian Democratic Forces (SDF)" in after
    assert at.query_params["compare"] == "2017-01-08"
    at.session_state["tab"] = "Statistics"
    at.run()
    assert not at.exception
    net = frame_with(at, "net km²").set_index("faction")
    sdf = net.loc[registry().label("sdf")]
    assert sdf["gained km²"] > 0 and sdf["km² on 2017-01-08"] == 0
    islamic_state = net.loc[registry().label("islamic_state")]
    assert islamic_state["net km²"] < 0 and islamic_state["km² on 2018-02-07"] == 0
    matrix = frame_with(at, "from \\ to").set_index("from \\ to")
    assert matrix.loc[registry().label("islamic_state"), registry().label("sdf")] > 0
    at.radio(key="matrix_country").set_value("IQ").run()
    iraq = frame_with(at, "from \\ to").set_index("from \\ to")
    is_, sdf_ = registry().label("islamic_state"), registry().label("sdf")
    assert iraq.loc[is_, sdf_] < matrix.loc[is_, sdf_] / 100  # at most border slivers in Iraq
    assert iraq.loc[registry().label("islamic_state"), registry().label("kurdistan_region")] > 0
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download net gains and losses (CSV)" in labels
    assert "Download the transition matrix (CSV)" in labels


def test_no_comparison_by_default_and_none_removes_it(catalog: Catalog) -> None:
    at = run_app({"date": "2018-02-07", "compare": "2017-01-08"}, tab="Statistics")
    assert at.selectbox(key="compare").value == "2017-01-08"
    assert len(frame_with(at, "net km²")) > 0
    at.selectbox(key="compare").set_value("none").run()
    assert not at.exception
    assert "compare" not in at.query_params
    assert len(at.dataframe) == 1  # the statistics only


def test_the_timeline_and_the_picker_set_the_same_date(catalog: Catalog) -> None:
    at = run_app()
    assert at.select_slider(key="timeline").value == "2017-01-08"
    before = map_args(at)["script"]
    at.select_slider(key="timeline").set_value("2018-02-07").run()
    assert not at.exception
    assert at.selectbox(key="snapshot").value == "2018-02-07"  # the picker agrees
    assert "Test snapshot 2018-02-07" in [h.value for h in at.header]
    assert at.query_params["date"] == "2018-02-07"
    assert map_args(at)["script"] != before
    at.selectbox(key="snapshot").set_value("2017-01-08").run()
    assert not at.exception
    assert at.select_slider(key="timeline").value == "2017-01-08"  # and the slider follows the picker
    assert "Test snapshot 2017-01-08" in [h.value for h in at.header]
    assert map_args(at)["script"] == before  # the same cached map for the same date


def test_stepping_onto_the_compared_date_drops_the_comparison(catalog: Catalog) -> None:
    at = run_app({"date": "2018-02-07", "compare": "2017-01-08"})
    at.select_slider(key="timeline").set_value("2017-01-08").run()
    assert not at.exception
    assert at.selectbox(key="compare").value == "none"
    assert at.selectbox(key="compare").options == ["No comparison", "2018-02-07"]
    assert "mapapp-gain" not in map_args(at)["script"]


def test_compare_query_parameter_selects_the_view(catalog: Catalog) -> None:
    at = run_app({"date": "2017-01-08", "compare": "2018-02-07"})
    assert at.selectbox(key="snapshot").value == "2017-01-08"
    assert at.selectbox(key="compare").value == "2018-02-07"
    # gains from the earlier to the later date, drawn over the snapshot shown
    assert GAINS_LAYER in map_args(at)["script"]
    for link in ({"compare": "2017-01-08"}, {"compare": "2019-09-09"}, {"compare": "soon"}):
        at = run_app(link)
        assert at.selectbox(key="compare").value == "none"
        assert any(link["compare"] in w.value for w in at.warning), link
        assert "mapapp-gain" not in map_args(at)["script"]


def test_a_compare_error_is_shown_with_its_message(catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboard import data
    from mapapp.errors import CompareError

    def no_overlap(a: object, b: object) -> None:
        raise CompareError("the snapshots of 2017-01-08 and 2018-02-07 do not overlap: expected areas")

    monkeypatch.setattr(data, "compare", no_overlap)
    at = run_app({"date": "2018-02-07", "compare": "2017-01-08"}, tab="Statistics")
    errors = [e.value for e in at.error]
    assert errors == [
        "CompareError: the snapshots of 2017-01-08 and 2018-02-07 do not overlap: expected areas"
    ]
    assert len(at.dataframe) == 1  # the statistics only


def test_event_context_uses_the_snapshot_in_force_at_the_event(catalog: Catalog) -> None:
    from dashboard import data

    entries = catalog.entries()
    events = data.events()
    khasham = data.event_context(catalog.root, entries, events.get("khasham_2018"))
    assert khasham.snapshot_date == dt.date(2018, 2, 7)
    assert khasham.faction == "sdf"  # east of the fixture's 40° E split
    assert khasham.other_faction == "syrian_government"
    assert khasham.distance_km is not None and 20 < khasham.distance_km < 35  # 0.31° of longitude
    early = data.event_context(catalog.root, entries, events.get("aleppo_2016"))
    assert early.snapshot_date is None
    assert "No snapshot on or before 2016-12-22" in early.note


def test_html_export_of_a_comparison_draws_the_gains(catalog: Catalog) -> None:
    from dashboard import data
    from dashboard.state import View

    later, earlier = catalog.load(dt.date(2018, 2, 7)), catalog.load(dt.date(2017, 1, 8))
    view = View(date=later.date, factions=later.factions, events="none", compare=earlier.date)
    page = data.export_bytes(later, data.events(), view, earlier).decode("utf-8")
    assert "mapapp-gain mapapp-gain-sdf" in page
    assert "mapapp-gain mapapp-gain-" not in data.export_bytes(later, data.events(), view).decode("utf-8")
    at = run_app({"date": "2018-02-07", "compare": "2017-01-08"}, tab="Download")
    at.button(key="prepare_html").click().run()
    assert not at.exception and not at.error
    assert "Download the HTML map" in [b.proto.label for b in at.get("download_button")]


def test_compare_round_trips_through_query_parameters() -> None:
    from dashboard.state import View, pick_compare, query_differs, to_query

    dates = [dt.date(2017, 1, 8), dt.date(2018, 2, 7)]
    view = View(date=dates[1], factions=("sdf",), compare=dates[0])
    query = to_query(view, ("sdf",))
    assert query == {"date": "2018-02-07", "compare": "2017-01-08"}
    assert pick_compare(str(query["compare"]), dates, view.date) == (dates[0], None)
    assert query_differs({"date": ["2018-02-07"]}, query)  # the compare date is part of the link
    assert pick_compare(None, dates, view.date) == (None, None)
    assert pick_compare("none", dates, view.date) == (None, None)
    same, notice = pick_compare("2018-02-07", dates, view.date)
    assert same is None and notice is not None and "with itself" in notice
    unknown, notice = pick_compare("2019-01-01", dates, view.date)
    assert unknown is None and notice is not None and "2017-01-08, 2018-02-07" in notice

"""The timeline export: several snapshots in one page, one shown at a time (object tree and HTML)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path
from typing import Any

import folium
import pytest
from map_fixtures import HOSTILE, governorate_snapshot

from mapapp.errors import ExportError
from mapapp.events import load_events
from mapapp.export import export_html
from mapapp.factions import registry
from mapapp.render import MapOptions
from mapapp.render.markers import event_popup
from mapapp.render.timeline import TimelineControl, build_timeline, control_html
from mapapp.snapshot import ControlSnapshot

EXTERNAL = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)
EARLY, LATE = dt.date(2017, 1, 8), dt.date(2018, 2, 7)


def later_snapshot() -> ControlSnapshot:
    """The fixture a year later: every Islamic State area now held by the SDF."""
    first = governorate_snapshot(EARLY)
    areas = first.areas.copy()
    areas.loc[areas["faction"] == "islamic_state", "faction"] = "sdf"
    return dataclasses.replace(first, date=LATE, label="Later snapshot", areas=areas)


@pytest.fixture(scope="module")
def snapshots() -> list[ControlSnapshot]:
    return [later_snapshot(), governorate_snapshot(EARLY)]  # out of order on purpose


@pytest.fixture(scope="module")
def fmap(snapshots: list[ControlSnapshot]) -> folium.Map:
    return build_timeline(snapshots, load_events(), MapOptions(), initial=EARLY)


def children(element: Any, kind: type) -> list[Any]:
    return [c for c in element._children.values() if isinstance(c, kind)]


def control(fmap: folium.Map) -> TimelineControl:
    return next(iter(children(fmap, TimelineControl)))


def faction_of(layer: folium.GeoJson) -> str:
    style = layer.data["features"][0]["properties"]["style"]
    return str(style["className"].split()[1].removeprefix("mapapp-f-"))


def is_area_group(group: folium.FeatureGroup) -> bool:
    layers = children(group, folium.GeoJson)
    return bool(layers) and "mapapp-area" in layers[0].data["features"][0]["properties"]["style"].get(
        "className", ""
    )


def test_one_group_per_faction_holds_one_layer_per_snapshot(fmap: folium.Map) -> None:
    groups = [g for g in children(fmap, folium.FeatureGroup) if is_area_group(g)]
    by_faction = {faction_of(children(g, folium.GeoJson)[0]): g for g in groups}
    assert set(by_faction) == {"syrian_government", "syrian_opposition", "sdf", "islamic_state", "hts",
                               "iraqi_government", "kurdistan_region"}  # fmt: skip
    for faction, group in by_faction.items():
        assert group.control and group.layer_name.endswith(registry().label(faction).replace("'", "&#x27;"))
        assert {faction_of(layer) for layer in children(group, folium.GeoJson)} == {faction}
    assert len(children(by_faction["sdf"], folium.GeoJson)) == 2
    assert len(children(by_faction["islamic_state"], folium.GeoJson)) == 1  # gone in the later one


def test_only_the_initial_snapshot_is_drawn_on_opening(fmap: folium.Map) -> None:
    frames = {f["date"]: f for f in control(fmap).frames}
    assert list(frames) == [EARLY.isoformat(), LATE.isoformat()]  # date order
    layers = {c.get_name(): c for g in children(fmap, folium.FeatureGroup) for c in g._children.values()}
    for date, frame in frames.items():
        shown = {layers[name].show for _, name in frame["members"]}
        assert shown == {date == EARLY.isoformat()}
    page = fmap.get_root().render()
    hidden = frames[LATE.isoformat()]["members"][0][1]
    assert f"{hidden}.addTo(" not in page and f"{frames[EARLY.isoformat()]['members'][0][1]}.addTo(" in page


def test_frames_carry_their_own_title_stamp_legend_and_events(fmap: folium.Map) -> None:
    frames = {f["date"]: f for f in control(fmap).frames}
    early, late = frames[EARLY.isoformat()], frames[LATE.isoformat()]
    assert "Control as of 2017-01-08" in early["title"] and "Test snapshot" in early["title"]
    assert "Control as of 2018-02-07" in late["title"] and "Later snapshot" in late["title"]
    assert 'data-faction="islamic_state"' in early["legend"] and "8 January 2017" in early["legend"]
    assert 'data-faction="islamic_state"' not in late["legend"] and "7 February 2018" in late["legend"]
    assert 'data-key="after"' in early["legend"]  # Khasham (2018) is after 8 January 2017 ...
    assert 'data-key="after"' not in late["legend"]  # ... and not after 7 February 2018


def test_event_markers_are_styled_and_put_in_context_per_snapshot(fmap: folium.Map) -> None:
    events = next(g for g in children(fmap, folium.FeatureGroup) if g.layer_name == "Events")
    per_snapshot = children(events, folium.FeatureGroup)
    assert len(per_snapshot) == 2 and not any(g.control for g in per_snapshot)
    khasham = [
        m
        for g in per_snapshot
        for m in children(g, folium.Marker)
        if "khasham_2018" in m.icon.options["html"]
    ]
    assert ["mapapp-event-after" in m.icon.options["html"] for m in khasham] == [True, False]
    popups = [next(c.html for c in m._children.values() if c._name == "HtmlPopup") for m in khasham]
    assert "On the snapshot of 2017-01-08" in popups[0] and "After this snapshot" in popups[0]
    assert "On the snapshot of 2018-02-07" in popups[1] and "After this snapshot" not in popups[1]
    assert popups[1].startswith(event_popup(load_events().get("khasham_2018"), LATE)[:200])


def test_control_is_a_labelled_radio_group() -> None:
    html = control_html([EARLY, LATE], LATE, "timeline_x")
    assert html.startswith("<fieldset><legend>Snapshot</legend>")
    radios = re.findall(r'<input type="radio" name="timeline_x" value="([\d-]+)"( checked)?>', html)
    assert radios == [("2017-01-08", ""), ("2018-02-07", " checked")]
    assert ">8 Jan 2017</label>" in html and ">7 Feb 2018</label>" in html


def test_hostile_labels_stay_escaped_in_every_frame(snapshots: list[ControlSnapshot]) -> None:
    hostile = [dataclasses.replace(s, label=HOSTILE) for s in snapshots]
    page = build_timeline(hostile, None, MapOptions(events="none")).get_root().render()
    assert "<img" not in page and "\\u003cimg" not in page
    assert page.count("\\u0026lt;img src=x onerror=alert(1)\\u0026gt;") >= 2  # one title per frame


def test_default_initial_is_the_latest_and_bad_timelines_are_refused(
    snapshots: list[ControlSnapshot],
) -> None:
    fmap = build_timeline(snapshots, None, MapOptions(events="none"))
    assert control(fmap).initial == LATE.isoformat()
    with pytest.raises(ExportError, match=r"2017-01-08.*not one of the timeline's dates \['2018-02-07'\]"):
        build_timeline(snapshots[:1], None, initial=EARLY)
    with pytest.raises(ExportError, match="distinct dates"):
        build_timeline([snapshots[1], snapshots[1]], None)
    with pytest.raises(ExportError, match="at least one snapshot"):
        build_timeline([], None)


def test_timeline_export_is_self_contained(tmp_path: Path, snapshots: list[ControlSnapshot]) -> None:
    out = export_html(snapshots[1], load_events(), MapOptions(), tmp_path / "t.html", timeline=snapshots)
    page = out.read_text(encoding="utf-8")
    assert EXTERNAL.search(page) is None and "<script src" not in page and "<link" not in page
    assert "mapapp-timeline leaflet-bar" in page and 'value=\\"2017-01-08\\"' in page
    with pytest.raises(ExportError, match="not both"):
        export_html(snapshots[1], None, MapOptions(), tmp_path / "x.html", timeline=snapshots,
                    compare_with=snapshots[0])  # fmt: skip
    assert not (tmp_path / "x.html").exists()


def test_event_window_follows_each_snapshot(snapshots: list[ControlSnapshot]) -> None:
    fmap = build_timeline(snapshots, load_events(), MapOptions(events="window", window_days=10))
    events = next(g for g in children(fmap, folium.FeatureGroup) if g.layer_name == "Events")
    drawn = [
        sorted(
            m.icon.options["html"].split('data-event="')[1].split('"')[0] for m in children(g, folium.Marker)
        )
        for g in children(events, folium.FeatureGroup)
    ]
    expected = [sorted(e.id for e in load_events().window(d, 10)) for d in (EARLY, LATE)]
    assert drawn == expected and "khasham_2018" in expected[1] and "khasham_2018" not in expected[0]
    frames = {f["date"]: f for f in control(fmap).frames}
    late = frames[LATE.isoformat()]
    assert 'data-category="strike"' in late["legend"] and 'data-key="after"' not in late["legend"]
    assert len(late["members"]) == 6 + 1  # six factions (no Islamic State) and the events

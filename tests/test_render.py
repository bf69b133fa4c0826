from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from typing import Any

import folium
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from map_fixtures import HOSTILE, governorate_snapshot

from mapapp.events import CasualtyClaim, Event, EventSet, load_events
from mapapp.factions import registry
from mapapp.render import MapOptions, build_map
from mapapp.render.compact import read_payloads
from mapapp.render.elements import HtmlPopup
from mapapp.render.hatch import low_pattern_id, pattern_id
from mapapp.render.layers import area_style
from mapapp.render.markers import event_popup
from mapapp.snapshot import ControlSnapshot

ID = re.compile(r"_[0-9a-f]{32}")


def normalise(html: str) -> str:
    return re.sub(r"\s+", " ", ID.sub("_ID", html))


@pytest.fixture(scope="module")
def snapshot() -> ControlSnapshot:
    return governorate_snapshot()


@pytest.fixture(scope="module")
def fmap(snapshot: ControlSnapshot) -> folium.Map:
    return build_map(snapshot, load_events(), MapOptions())


@pytest.fixture(scope="module")
def page(fmap: folium.Map) -> str:
    return normalise(fmap.get_root().render())


def children(element: Any, kind: type) -> list[Any]:
    return [c for c in element._children.values() if isinstance(c, kind)]


def faction_groups(fmap: folium.Map) -> dict[str, folium.FeatureGroup]:
    groups = {}
    for group in children(fmap, folium.FeatureGroup):
        for layer in children(group, folium.GeoJson):
            styles = [f["properties"]["style"] for f in layer.data["features"]]
            if styles and "mapapp-area" in styles[0].get("className", ""):
                groups[styles[0]["className"].split()[1].removeprefix("mapapp-f-")] = group
    return groups


def test_one_feature_group_per_faction_with_its_label(fmap: folium.Map, snapshot: ControlSnapshot) -> None:
    groups = faction_groups(fmap)
    assert sorted(groups) == sorted(set(snapshot.areas["faction"]))
    for faction, group in groups.items():
        assert group.layer_name.endswith(registry().label(faction).replace("'", "&#x27;"))
        assert registry().colour(faction) in group.layer_name


def test_layer_control_lists_every_faction_and_the_base_map(page: str) -> None:
    control = re.search(r"overlays : \{(.*?)\},", page).group(1)  # type: ignore[union-attr]
    for faction in ("Syrian government and allies", "Islamic State", "Iraqi government", "Kurdistan Region"):
        assert faction in control
    assert "Base map: countries, governorates" in control and "Events (11)" in control


def test_areas_use_registry_colours_and_palette_switch(snapshot: ControlSnapshot) -> None:
    row = {"faction": "sdf", "secondary": None, "status": "control", "confidence": "high"}
    assert area_style(row, "default")["fillColor"] == registry().colour("sdf", "default")
    assert area_style(row, "colorblind")["fillColor"] == registry().colour("sdf", "colorblind")
    cb = build_map(snapshot, None, MapOptions(palette="colorblind")).get_root().render()
    assert registry().colour("sdf", "colorblind") in cb


def test_contested_and_mixed_areas_are_hatched_with_both_colours(fmap: folium.Map, page: str) -> None:
    styles = [f["properties"]["style"] for g in faction_groups(fmap).values()
              for layer in children(g, folium.GeoJson) for f in layer.data["features"]]  # fmt: skip
    pid = pattern_id("islamic_state", "sdf", "contested")
    assert {"fillColor": f"url(#{pid})"}.items() <= next(s for s in styles if pid in s["fillColor"]).items()
    defs = re.search(rf'<pattern id="{pid}".*?</pattern>', page).group(0)  # type: ignore[union-attr]
    assert registry().colour("islamic_state") in defs and registry().colour("sdf") in defs
    assert f'id="{pattern_id("islamic_state", "syrian_opposition", "mixed")}"' in page


def test_low_confidence_areas_are_dashed_and_dotted(page: str) -> None:
    base = {"faction": "sdf", "secondary": None, "status": "control"}
    high, low = (
        area_style({**base, "confidence": "high"}, "default"),
        area_style({**base, "confidence": "low"}, "default"),
    )
    assert low["dashArray"] and not high["dashArray"]
    assert high["fillColor"] == registry().colour("sdf")
    assert low["fillColor"] == f"url(#{low_pattern_id('sdf')})"
    mixed_low = area_style({**base, "status": "mixed", "secondary": "hts", "confidence": "low"}, "default")
    assert mixed_low["fillColor"] == f"url(#{pattern_id('sdf', 'hts', 'mixed')})" and mixed_low["dashArray"]
    # the fixture's low-confidence area (Aleppo) is mixed: its stripes are defined in the page
    assert f'id="{pattern_id("islamic_state", "syrian_opposition", "mixed")}"' in page


def test_legend_names_title_date_factions_and_keys(fmap: folium.Map, snapshot: ControlSnapshot) -> None:
    legend = next(c for c in fmap._children.values() if getattr(c, "_name", "") == "Legend").html
    assert "Test snapshot" in legend and "8 January 2017" in legend
    for faction in snapshot.factions:
        assert f'data-faction="{faction}"' in legend
    assert 'data-hatch="contested"' in legend and 'data-hatch="mixed"' in legend
    assert 'data-key="low-confidence"' in legend and "Golan Heights" in legend
    assert 'data-key="after"' in legend  # events after 8 Jan 2017 are drawn


def test_tooltips_carry_faction_status_confidence_km2_governorate(fmap: folium.Map) -> None:
    tips = [f["properties"]["tip"] for g in faction_groups(fmap).values()
            for layer in children(g, folium.GeoJson) for f in layer.data["features"]]  # fmt: skip
    raqqa = next(t for t in tips if "Governorate(s): Raqqa" in t)
    assert raqqa.startswith("<b>Islamic State</b>")
    assert "Contested (active front) with Syrian Democratic Forces (SDF)" in raqqa
    assert re.search(r"Area: \d{1,3}(,\d{3})* km² \(whole connected area\)", raqqa)
    assert "Confidence: high" in raqqa


def test_hostile_strings_are_escaped_everywhere(page: str) -> None:
    hostile = ControlSnapshot(
        dt.date(2017, 1, 8), HOSTILE, "src " + HOSTILE, HOSTILE, "low", governorate_snapshot().areas
    )
    event = Event("x", dt.date(2017, 1, 1), HOSTILE, 40.0, 35.0, place=HOSTILE,
                  casualty_claims=(CasualtyClaim(HOSTILE, HOSTILE),))  # fmt: skip
    html = build_map(hostile, EventSet((event,)), MapOptions(title=HOSTILE)).get_root().render()
    assert "<img" not in html and "\\u003cimg" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html or "\\u0026lt;img" in html
    assert "<img" not in page and "\\u003cimg" not in page


JINJA = "{{ 7 * 191 }}{% if true %}RAN{% endif %}{# c #}"


def test_template_syntax_in_data_is_never_run() -> None:
    """folium compiles rendered scripts as Jinja templates: data braces must not reach it raw."""
    areas = governorate_snapshot().areas.copy()
    areas["note"] = JINJA
    snapshot = ControlSnapshot(dt.date(2017, 1, 8), JINJA, "src " + JINJA, JINJA, "low", areas)
    event = Event("x", dt.date(2017, 1, 1), JINJA, 40.0, 35.0, place=JINJA, facts=JINJA,
                  casualty_claims=(CasualtyClaim(JINJA, JINJA),))  # fmt: skip
    html = build_map(snapshot, EventSet((event,)), MapOptions(title=JINJA)).get_root().render()
    # 7 * 191 was not computed (folium's random ids and path data may hold "1337")
    drawn = re.sub(r'mapappPicture\("[-\d Mlz]*"|"d":\["[-\d Mlz",]*\]', "", html)
    text = re.sub(r"_[0-9a-f]{32}", "_ID", drawn)
    assert "1337RAN" not in html and "1337" not in text
    shown = (
        "&#123;&#123; 7 * 191 &#125;&#125;&#123;% if true %&#125;RAN&#123;% endif %&#125;&#123;# c #&#125;"
    )
    assert html.count(shown.replace("&", "\\u0026")) >= 8  # popups, tooltips, title, legend, credits
    tips = [t for p in read_payloads(html) for f in p["features"] for t in f["properties"].get("tips", [])]
    assert tips and all(f"Note: {shown}" in t for t in tips)  # area tooltips (compact layers)


def test_event_popup_lists_claims_with_claimants_and_safe_links() -> None:
    khasham = load_events().get("khasham_2018")
    popup = event_popup(khasham, dt.date(2018, 2, 7))
    for claimant in ("US", "Russian MFA", "SOHR", "Syrian govt"):
        assert f"<li><b>{claimant}:</b>" in popup
    links = re.findall(r"<a [^>]*>", popup)
    assert len(links) == len(khasham.sources) > 0
    assert all('rel="noopener noreferrer"' in a and 'target="_blank"' in a for a in links)
    assert "After this snapshot" not in popup


def test_javascript_links_are_dropped_at_render_time() -> None:
    event = Event("x", dt.date(2017, 1, 1), "t", 40.0, 35.0,
                  sources=("javascript:alert(1)", "https://ok.example/a", "data:text/html,x"))  # fmt: skip
    popup = event_popup(event, None)
    assert "javascript:" not in popup and "data:text" not in popup
    assert popup.count("<a ") == 1


def test_events_after_the_snapshot_are_marked(fmap: folium.Map) -> None:
    markers = [m for g in children(fmap, folium.FeatureGroup) for m in children(g, folium.Marker)]
    html = {json.dumps(m.icon.options["html"]) for m in markers if "khasham_2018" in m.icon.options["html"]}
    assert len(html) == 1 and "mapapp-event-after" in html.pop()
    early = event_popup(load_events().get("aleppo_2016"), dt.date(2017, 1, 8))
    late = event_popup(load_events().get("khasham_2018"), dt.date(2017, 1, 8))
    assert "After this snapshot" in late and "After this snapshot" not in early


@pytest.mark.parametrize(("mode", "expected"), [("all", 11), ("none", 0), ("window", 1)])
def test_events_option(snapshot: ControlSnapshot, mode: str, expected: int) -> None:
    late = dataclasses.replace(snapshot, date=dt.date(2018, 2, 1))
    fmap = build_map(late, load_events(), MapOptions(events=mode, window_days=10))  # type: ignore[arg-type]
    markers = [m for g in children(fmap, folium.FeatureGroup) for m in children(g, folium.Marker)]
    assert len(markers) == expected


def test_page_carries_leaflet_only(page: str) -> None:
    for unwanted in ("jquery", "bootstrap", "font-awesome", "fontawesome", "awesome-markers", "$("):
        assert unwanted not in page.lower()
    assert "L.control.fullscreen" in page and "L.control.scale" in page


def test_tiles_are_extra_base_layers_with_attribution(snapshot: ControlSnapshot) -> None:
    html = build_map(snapshot, None, MapOptions(tiles="positron")).get_root().render()
    assert "basemaps.cartocdn.com" in html and "tile.openstreetmap.org" in html
    assert "OpenStreetMap" in html and "CARTO" in html
    assert "tile.openstreetmap.org" not in build_map(snapshot, None, MapOptions()).get_root().render()


def test_attribution_credits_natural_earth_and_border_policy(page: str) -> None:
    assert "Natural Earth" in page and "addAttribution" in page
    assert "Golan Heights" in page and "UNDOF" in page


def test_visible_factions_hide_the_others_on_opening(snapshot: ControlSnapshot) -> None:
    fmap = build_map(snapshot, None, MapOptions(visible_factions=frozenset({"sdf"})))
    shown = {f: g.show for f, g in faction_groups(fmap).items()}
    assert shown["sdf"] is True and not any(v for f, v in shown.items() if f != "sdf")


def test_linked_assets_for_a_served_dashboard(snapshot: ControlSnapshot) -> None:
    html = build_map(snapshot, None, MapOptions(asset_base_url="/app/static/npm")).get_root().render()
    assert '<script src="/app/static/npm/leaflet/dist/leaflet.js"></script>' in html
    assert 'href="/app/static/npm/leaflet.fullscreen/Control.FullScreen.css"' in html


def test_bad_options_are_refused_at_the_door() -> None:
    with pytest.raises(ValueError, match="palette: expected one of"):
        MapOptions(palette="neon")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="window_days"):
        MapOptions(window_days=-1)


def test_credits_follow_the_snapshot_inputs(snapshot: ControlSnapshot) -> None:
    from mapapp.render.credits import MAX_OWN_CREDIT, map_credits

    own = map_credits(snapshot, with_events=False)
    assert own[0].key == "snapshot" and len(own[0].text) <= MAX_OWN_CREDIT
    assert any("Natural Earth" in c.text for c in own)
    assert not any(c.key == "events" for c in own)
    derived = dataclasses.replace(
        snapshot, provenance={"source_files": ["geodata/control/wikipedia_points_2017-01-08.csv"]}
    )
    credits = map_credits(derived, with_events=True)
    assert credits[0].key != "snapshot"
    assert any("Wikipedia" in c.text for c in credits) and credits[-1].key == "events"


@settings(max_examples=60, deadline=None)
@given(note=st.text(max_size=40), faction=st.sampled_from(registry().ids))
def test_tooltips_escape_any_note(note: str, faction: str) -> None:
    from mapapp.render.layers import area_tooltip

    row = {"faction": faction, "secondary": None, "status": "control", "confidence": "low",
           "area_km2": 12.5, "governorates": note, "note": note}  # fmt: skip
    tip = area_tooltip(row)
    assert "<" not in re.sub(r"</?b>|<br>", "", tip)
    assert area_style(row, "default")["className"].split()[1] == f"mapapp-f-{faction}"


def test_low_confidence_is_marked_only_when_levels_differ() -> None:
    from mapapp.render.layers import low_levels

    assert low_levels(["approximate"] * 3) == frozenset()
    assert low_levels(["high", "low", "medium"]) == {"low"}
    assert low_levels(["medium", "approximate"]) == {"approximate"}
    uniform = governorate_snapshot()
    areas = uniform.areas.assign(confidence="approximate")
    html = build_map(dataclasses.replace(uniform, areas=areas), None).get_root().render()
    assert "mapapp-hatch-low-" not in html and 'data-key="low-confidence"' not in html


def marker_popups(fmap: folium.Map) -> dict[str, str]:
    """Return each event marker's popup HTML by event id."""
    popups = {}
    for group in children(fmap, folium.FeatureGroup):
        for marker in children(group, folium.Marker):
            event_id = re.search(r'data-event="([^"]+)"', marker.icon.options["html"]).group(1)  # type: ignore[union-attr]
            popups[event_id] = next(c.html for c in children(marker, HtmlPopup))
    return popups


def test_khasham_popup_says_sdf_ground_and_distance_to_government() -> None:
    from mapapp.catalog import Catalog
    from mapapp.paths import bundled_data_dir

    catalog = Catalog(bundled_data_dir())
    if dt.date(2018, 2, 7) not in catalog.dates():
        pytest.skip("bundled snapshot 2018-02-07 not built")
    fmap = build_map(catalog.load("2018-02-07"), load_events(), MapOptions())
    popup = marker_popups(fmap)["khasham_2018"]
    context = re.search(r'<p class="mapapp-context" data-faction="sdf">(.*?)</p>', popup)
    assert context is not None, popup
    assert "On the snapshot of 2018-02-07: ground held by Syrian Democratic Forces (SDF)" in context.group(1)
    assert re.search(r"; \d+\.\d km to ground held by Syrian government and allies", context.group(1))


def test_contexts_are_computed_once_per_map_on_the_snapshot_shown(
    snapshot: ControlSnapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mapapp.render import markers

    calls: list[dt.date] = []
    real = markers.contexts_on

    def counting(snap: ControlSnapshot, *args: Any) -> Any:
        calls.append(snap.date)
        return real(snap, *args)

    monkeypatch.setattr(markers, "contexts_on", counting)
    popups = marker_popups(build_map(snapshot, load_events(), MapOptions()))
    assert calls == [snapshot.date]
    assert len(popups) == len(load_events())
    # the fixture's Raqqa governorate is IS-held, contested with the SDF
    assert (
        '<p class="mapapp-context" data-faction="islamic_state"><b>Ground:</b> On the snapshot of '
        "2017-01-08: ground held by Islamic State (contested with Syrian Democratic Forces (SDF))"
    ) in popups["raqqa_2017"]
    assert "Caution: this snapshot is 17 days after the event." in popups["aleppo_2016"]
    assert all(p.count('class="mapapp-context"') == 1 for p in popups.values())
    build_map(snapshot, load_events(), MapOptions(events="none"))
    assert calls == [snapshot.date]  # no events drawn: no context computed


def test_context_in_popup_is_escaped() -> None:
    from mapapp.context import EventContext

    hostile = EventContext("x", dt.date(2017, 1, 1), dt.date(2017, 1, 8), faction=HOSTILE, note=HOSTILE)
    event = Event("x", dt.date(2017, 1, 1), "t", 40.0, 35.0)
    popup = event_popup(event, dt.date(2017, 1, 8), hostile)
    assert "<img" not in popup and popup.count("&lt;img src=x onerror=alert(1)&gt;") >= 2


def test_the_view_is_fitted_unless_the_host_sets_it() -> None:
    from mapapp.render.elements import FitWhenSized

    def fits(options: MapOptions) -> int:
        fmap = build_map(governorate_snapshot(), None, options)
        return sum(isinstance(c, FitWhenSized) for c in fmap._children.values())

    assert fits(MapOptions()) == 1
    assert fits(MapOptions(fit=False)) == 0

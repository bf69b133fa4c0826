from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import shapely
from browser_support import MAP_JS, screen_point
from map_fixtures import governorate_snapshot

from mapapp.catalog import Catalog
from mapapp.events import load_events
from mapapp.export import export_html
from mapapp.factions import registry
from mapapp.paths import bundled_data_dir
from mapapp.prepare import dissolve_areas
from mapapp.render import MapOptions
from mapapp.render.layers import area_style, low_levels
from mapapp.snapshot import ControlSnapshot

pytestmark = pytest.mark.browser
DOCS = Path(__file__).resolve().parent.parent / "docs"
MANIFEST = bundled_data_dir() / "snapshots" / "manifest.json"


def snapshot_for(date: str) -> ControlSnapshot:
    if MANIFEST.exists():
        entries = json.loads(MANIFEST.read_text(encoding="utf-8"))["snapshots"]
        if date in {e["date"] for e in entries}:
            return Catalog(bundled_data_dir()).load(date)
    return governorate_snapshot()


@pytest.fixture(scope="module")
def khasham_export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ControlSnapshot]:
    snapshot = snapshot_for("2018-02-07")
    out = tmp_path_factory.mktemp("export") / "map.html"
    export_html(snapshot, load_events(), MapOptions(), out)
    return out, snapshot


def open_map(page: Any, path: Path) -> None:
    page.goto(path.as_uri())
    page.wait_for_selector("path.mapapp-area")
    page.wait_for_selector(".mapapp-legend")


def town_dot_offset(page: Any, name: str) -> float:
    """Return how far (px, the larger axis) the dot of town ``name``'s label is from the town."""
    from mapapp import geography

    towns = geography.towns()
    town = towns[towns["name"] == name].geometry.iloc[0]
    x, y = screen_point(page, town.y, town.x)
    dot = page.locator(".mapapp-town", has_text=name).locator("i").bounding_box()
    return float(max(abs(dot["x"] + dot["width"] / 2 - x), abs(dot["y"] + dot["height"] / 2 - y)))


def hover_at(page: Any, lat: float, lon: float, label: str) -> str:
    """Move the mouse over a place of the map; return the tooltip naming ``label``."""
    x, y = screen_point(page, lat, lon)
    page.mouse.move(x, y)
    page.mouse.move(x + 1, y)  # a move within the area: the tooltip follows the part under the pointer
    tip = page.locator(".leaflet-tooltip").filter(has_text=label).last
    tip.wait_for()
    return str(tip.inner_text())


def test_each_area_of_a_merged_path_has_its_own_tooltip(browser_page: Any, tmp_path: Path) -> None:
    snapshot = governorate_snapshot()
    out = export_html(snapshot, None, MapOptions(events="none"), tmp_path / "m.html")
    open_map(browser_page, out)
    hts = snapshot.areas[snapshot.areas["faction"] == "hts"]
    assert len(hts) > 1 and count_paths(browser_page, "hts") < len(hts)  # drawn as fewer paths
    for name, geom in zip(hts["name"], hts.geometry, strict=True):
        point = geom.representative_point()
        tip = hover_at(browser_page, point.y, point.x, registry().label("hts"))
        assert "Governorate(s): " in tip and name.split()[0] in tip, (name, tip)


def test_an_area_focused_from_the_keyboard_shows_its_tooltip_on_it(browser_page: Any, tmp_path: Path) -> None:
    out = export_html(governorate_snapshot(), None, MapOptions(events="none"), tmp_path / "m.html")
    open_map(browser_page, out)
    area = browser_page.locator("path.mapapp-f-hts").first
    area.dispatch_event("focus")  # Leaflet opens the tooltip of a focused path with no pointer position
    browser_page.locator(".leaflet-tooltip").filter(has_text=registry().label("hts")).last.wait_for()
    x, y = browser_page.evaluate(
        f"""() => {{
            const map = {MAP_JS};
            const open = Object.values(map._layers)
                .find(l => l.getTooltip && l.getTooltip() && l.isTooltipOpen());
            const p = map.latLngToContainerPoint(open.getTooltip().getLatLng());
            const box = map.getContainer().getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }}"""
    )
    box = area.bounding_box()
    assert box["x"] <= x <= box["x"] + box["width"] and box["y"] <= y <= box["y"] + box["height"]


def count_paths(page: Any, faction: str) -> int:
    return int(page.locator(f"path.mapapp-f-{faction}").count())


def test_every_faction_is_drawn_and_in_the_legend(browser_page: Any, khasham_export: Any) -> None:
    path, snapshot = khasham_export
    open_map(browser_page, path)
    for faction in set(snapshot.areas["faction"]):
        assert count_paths(browser_page, faction) > 0, faction
    legend = browser_page.locator(".mapapp-legend")
    for faction in snapshot.factions:
        assert legend.locator(f'li[data-faction="{faction}"]').inner_text().strip() == registry().label(
            faction
        )
    assert browser_page.blocked == []


def test_khasham_popup_shows_claims_with_sources(browser_page: Any, khasham_export: Any) -> None:
    path, snapshot = khasham_export
    open_map(browser_page, path)
    marker = browser_page.locator('[data-event="khasham_2018"]')
    assert marker.count() == 1
    marker.click()
    popup = browser_page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "Khasham" in text
    for claimant in ("US:", "Russian MFA:", "SOHR:", "Syrian govt:"):
        assert claimant in text
    links = popup.locator("a")
    assert links.count() >= 3
    for i in range(links.count()):
        assert links.nth(i).get_attribute("rel") == "noopener noreferrer"
        assert links.nth(i).get_attribute("href").startswith(("http://", "https://"))
    ground = popup.locator(".mapapp-context").inner_text()
    assert ground.startswith(f"Ground: On the snapshot of {snapshot.date.isoformat()}: ground held by ")
    if snapshot.date.isoformat() == "2018-02-07":  # the bundled snapshot (not the fallback fixture)
        assert "ground held by Syrian Democratic Forces (SDF);" in ground
        assert re.search(r"; \d+\.\d km to ground held by Syrian government and allies", ground), ground


def test_toggling_a_faction_layer_hides_its_paths(browser_page: Any, khasham_export: Any) -> None:
    path, _ = khasham_export
    open_map(browser_page, path)
    before = count_paths(browser_page, "sdf")
    assert before > 0
    label = registry().label("sdf")
    browser_page.hover(".leaflet-control-layers")  # the control is collapsed until hovered
    checkbox = browser_page.locator(".leaflet-control-layers-overlays label", has_text=label).locator("input")
    checkbox.uncheck()
    assert count_paths(browser_page, "sdf") == 0
    assert count_paths(browser_page, "syrian_government") > 0
    checkbox.check()
    assert count_paths(browser_page, "sdf") == before


def test_hatch_patterns_resolve_in_the_page(browser_page: Any, tmp_path: Path) -> None:
    out = export_html(governorate_snapshot(), None, MapOptions(events="none"), tmp_path / "m.html")
    open_map(browser_page, out)
    fills = browser_page.eval_on_selector_all(
        "path.mapapp-s-contested, path.mapapp-s-mixed", "els => els.map(e => e.getAttribute('fill'))"
    )
    assert fills and all(f.startswith("url(#mapapp-hatch-") for f in fills)
    ids = [f[4:-1] for f in fills]  # url(#id) -> #id
    assert all(browser_page.locator(f"pattern{i}").count() == 1 for i in ids)


SCREEN_SCALES = """() => {
    /* For each hatched area: how many screen pixels one pixel of its pattern and of its outline
       takes (the path's transform times the pattern's own; 1 means drawn at screen size). */
    const scale = m => Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
    return [...document.querySelectorAll("path.mapapp-s-contested, path.mapapp-s-mixed")].map(path => {
        const pattern = document.getElementById(path.getAttribute("fill").slice(5, -1));
        const own = pattern.patternTransform.baseVal.consolidate();
        return [scale(path.getCTM()) * (own ? scale(own.matrix) : 1), getComputedStyle(path).vectorEffect];
    });
}"""


def test_hatching_and_outlines_keep_screen_size_when_zoomed(browser_page: Any, tmp_path: Path) -> None:
    out = export_html(governorate_snapshot(), None, MapOptions(events="none"), tmp_path / "m.html")
    open_map(browser_page, out)
    for zoom in (5, 8, 11):
        browser_page.evaluate(f"() => {MAP_JS}.setZoom({zoom}, {{animate: false}})")
        browser_page.wait_for_function(f"() => {MAP_JS}.getZoom() === {zoom}")
        scales = browser_page.evaluate(SCREEN_SCALES)
        assert scales and all(abs(s - 1) < 1e-3 and effect == "non-scaling-stroke" for s, effect in scales), (
            zoom,
            scales,
        )


def test_base_map_canvases_and_town_labels_sit_where_they_belong(browser_page: Any, tmp_path: Path) -> None:
    from mapapp import geography
    from mapapp.render import basemap

    out = export_html(governorate_snapshot(), None, MapOptions(events="none"), tmp_path / "m.html")
    open_map(browser_page, out)
    inked = browser_page.evaluate(
        """() => [...document.querySelectorAll(
                '.leaflet-mapapp-base-pane canvas, .leaflet-mapapp-lines-pane canvas')].map(c => c
            .getContext('2d').getImageData(0, 0, c.width, c.height).data
            .filter((v, i) => i % 4 === 3 && v > 0).length)"""
    )
    assert len(inked) == 2 and all(n > 10_000 for n in inked), inked  # fills, and borders/rivers, drawn
    # Syria's and Iraq's borders are drawn on the lines canvas where Leaflet projects them.
    countries = geography.region_countries()
    focus = basemap.light_coverage(countries.geometry.values)[countries["adm0_a3"].isin(["SYR", "IRQ"])]
    outline = shapely.union_all(shapely.boundary(focus))
    on_border = [shapely.line_interpolate_point(outline, f / 40, normalized=True) for f in range(40)]
    ink = """([x, y]) => {
        const c = document.querySelector('.leaflet-mapapp-lines-pane canvas'), r = c.getBoundingClientRect();
        const cx = Math.round((x - r.left) * c.width / r.width);
        const cy = Math.round((y - r.top) * c.height / r.height);
        const px = c.getContext('2d').getImageData(cx - 2, cy - 2, 5, 5).data;
        return Math.max(...px.filter((v, i) => i % 4 === 3));
    }"""
    at = [screen_point(browser_page, p.y, p.x) for p in on_border]
    assert all(browser_page.evaluate(ink, [x, y]) > 100 for x, y in at)  # within 2 px of the line
    assert sum(browser_page.evaluate(ink, [x, y - 12]) > 100 for x, y in at) < 10  # not ink everywhere
    assert town_dot_offset(browser_page, "Aleppo") < 4


def test_town_labels_follow_an_animated_zoom_and_a_pan(browser_page: Any, tmp_path: Path) -> None:
    # Labels are placed by left/top (a translate3d per label made 55 compositing layers); a zoom
    # slides them with a 2D translate during Leaflet's animation and places them again at its end.
    out = export_html(governorate_snapshot(), None, MapOptions(events="none"), tmp_path / "m.html")
    open_map(browser_page, out)
    browser_page.evaluate(
        f"""() => {MAP_JS}.once('zoomanim', () => {{
            const labels = document.querySelectorAll('.mapapp-label-layer > div');
            window.__slide = [...labels].map(d => d.style.transform);
        }})"""
    )
    zoom = browser_page.evaluate(f"{MAP_JS}.getZoom()")
    browser_page.evaluate(f"() => {MAP_JS}.setZoomAround([33.5, 36.3], {zoom + 1})")  # animated, on Damascus
    browser_page.wait_for_function(f"() => {MAP_JS}.getZoom() === {zoom + 1} && !{MAP_JS}._animatingZoom")
    slides = browser_page.evaluate("window.__slide")
    assert slides and all(t.startswith("translate(") for t in slides), slides[:3]  # every label slid
    assert town_dot_offset(browser_page, "Aleppo") < 4
    wrappers = browser_page.evaluate(
        "[...document.querySelectorAll('.mapapp-label-layer > div')].map(d => d.style.transform)"
    )
    assert wrappers == [""] * len(wrappers)  # placed again at the end: no transform left
    browser_page.evaluate(f"() => {MAP_JS}.panBy([-120, 80], {{animate: false}})")
    assert town_dot_offset(browser_page, "Aleppo") < 4


def test_town_labels_never_overprint_and_show_as_the_map_zooms_in(browser_page: Any, tmp_path: Path) -> None:
    from mapapp.render import declutter

    out = export_html(governorate_snapshot(), None, MapOptions(events="none"), tmp_path / "m.html")
    open_map(browser_page, out)
    labels = """() => [...document.querySelectorAll('.mapapp-town')]
        .map(e => [e.textContent, e.offsetParent !== null, e.getBoundingClientRect().toJSON()])
        .filter(([, visible]) => visible).map(([name, , r]) => [name, r.left, r.top, r.right, r.bottom])"""
    seen = []
    zoom = browser_page.evaluate(f"{MAP_JS}.getZoom()")
    for step in (0, 1, 2):
        on_baghdad = f"() => {MAP_JS}.setZoomAround([33.3, 44.4], {zoom + step}, {{animate: false}})"
        browser_page.evaluate(on_baghdad)
        shown = browser_page.evaluate(labels)
        for n, (name, left, top, right, bottom) in enumerate(shown):
            for other, l2, t2, r2, b2 in shown[n + 1 :]:
                assert not (left < r2 and l2 < right and top < b2 and t2 < bottom), (zoom + step, name, other)
            # the dot and its margin (12 px) and the name: the font table is not narrower than the font
            assert right - left <= 12 + declutter.text_width_px(name) + 0.5, name
        seen.append({s[0] for s in shown})
    assert seen[0] < seen[1] < seen[2]  # more towns show at each zoom, none goes
    assert "Baghdad" in seen[0] and "Al Fallujah" not in seen[0] and "Al Fallujah" in seen[2]


def test_a_map_opened_too_small_to_fit_fits_once_it_has_room(browser_page: Any, tmp_path: Path) -> None:
    # A dashboard tab that is not shown gives the map no size: fitting then raised "Invalid LatLng".
    out = export_html(governorate_snapshot(), None, MapOptions(events="none"), tmp_path / "m.html")
    browser_page.set_viewport_size({"width": 200, "height": 500})
    browser_page.goto(out.as_uri())  # too narrow for the areas to be visible yet
    browser_page.wait_for_load_state("load")
    bounds = f"() => {{ const b = {MAP_JS}.getBounds(); return [b.getWest(), b.getEast()]; }}"
    west, east = browser_page.evaluate(bounds)
    assert east - west < 12  # not fitted yet: Syria and Iraq span 13 degrees of longitude
    browser_page.set_viewport_size({"width": 1280, "height": 860})
    browser_page.wait_for_function(
        f"() => {{ const b = {MAP_JS}.getBounds(); return b.getEast() - b.getWest() > 13; }}"
    )
    west, east = browser_page.evaluate(bounds)
    assert west < 35.6 and east > 48.6  # the whole of Syria and Iraq is in view


def test_an_export_opens_at_its_final_view_without_drawing_twice(browser_page: Any, tmp_path: Path) -> None:
    # An animated fit zoomed for 250 ms after load, then projected and drew every layer again.
    out = export_html(governorate_snapshot(), None, MapOptions(events="none"), tmp_path / "m.html")
    browser_page.add_init_script(
        """window.__zooms = 0;
        window.addEventListener('load', () => {
            const m = Object.values(window).find(v => v instanceof L.Map);
            window.__atLoad = [m.getZoom(), !!m._animatingZoom];
            m.on('zoomstart zoomanim', () => { window.__zooms += 1; });
        });"""
    )
    open_map(browser_page, out)
    browser_page.wait_for_timeout(600)  # longer than Leaflet's zoom animation (250 ms)
    zoom, animating = browser_page.evaluate("window.__atLoad")
    assert not animating and browser_page.evaluate("window.__zooms") == 0
    assert zoom == browser_page.evaluate(f"{MAP_JS}.getZoom()") > 5.5  # fitted, larger than the unfitted view
    bounds = browser_page.evaluate(
        f"(() => {{ const b = {MAP_JS}.getBounds(); return [b.getWest(), b.getEast()]; }})()"
    )
    assert bounds[0] < 35.6 and bounds[1] > 48.6


def test_default_export_screenshot(browser_page: Any, tmp_path: Path) -> None:
    snapshot = snapshot_for("2018-02-07")
    out = export_html(snapshot, load_events(), MapOptions(), tmp_path / "default.html")
    open_map(browser_page, out)
    assert browser_page.locator(".mapapp-title h1").inner_text() == snapshot.label
    DOCS.mkdir(exist_ok=True)
    browser_page.screenshot(path=str(DOCS / "map_export.png"))
    assert (DOCS / "map_export.png").stat().st_size > 10_000
    assert browser_page.blocked == []


def test_hostile_strings_stay_text_in_the_browser(browser_page: Any, tmp_path: Path) -> None:
    import dataclasses
    import datetime as dt

    from map_fixtures import HOSTILE

    from mapapp.events import CasualtyClaim, Event, EventSet

    dialogs: list[str] = []
    browser_page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    snapshot = dataclasses.replace(governorate_snapshot(), label=HOSTILE, source=HOSTILE)
    event = Event("evil", dt.date(2017, 1, 1), HOSTILE, 38.0, 35.0, facts=HOSTILE,
                  casualty_claims=(CasualtyClaim(HOSTILE, HOSTILE),),
                  sources=("javascript:alert(2)", "https://ok.example/"))  # fmt: skip
    out = export_html(snapshot, EventSet((event,)), MapOptions(title=HOSTILE), tmp_path / "evil.html")
    open_map(browser_page, out)
    browser_page.locator('[data-event="evil"]').click()
    popup = browser_page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert HOSTILE in popup.inner_text() and HOSTILE in browser_page.locator(".mapapp-title").inner_text()
    assert popup.locator("a").count() == 1
    browser_page.locator(".leaflet-popup-close-button").click()
    hama = snapshot.areas[snapshot.areas["name"] == "Hama"].geometry.iloc[0].representative_point()
    assert f"Note: {HOSTILE}" in hover_at(browser_page, hama.y, hama.x, registry().label("hts"))
    assert browser_page.locator("img").count() == 0
    assert dialogs == []


def timeline_snapshots() -> list[ControlSnapshot]:
    """The three bundled snapshots, or (without them) the fixture and two altered copies."""
    import dataclasses
    import datetime as dt

    dates = ["2017-01-08", "2017-08-01", "2018-02-07"]
    snapshots = [snapshot_for(d) for d in dates]
    if [s.date.isoformat() for s in snapshots] == dates:
        return snapshots
    first = governorate_snapshot()
    later = first.areas.copy()
    later.loc[later["faction"] == "islamic_state", "faction"] = "sdf"
    return [first] + [
        dataclasses.replace(first, date=dt.date.fromisoformat(d), areas=later.iloc[: 20 + i])
        for i, d in enumerate(dates[1:])
    ]


@pytest.fixture(scope="module")
def timeline_export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[ControlSnapshot]]:
    snapshots = timeline_snapshots()
    out = tmp_path_factory.mktemp("timeline") / "timeline.html"
    export_html(snapshots[0], load_events(), MapOptions(), out, timeline=snapshots)
    return out, snapshots


def shown(page: Any) -> str:
    return str(page.locator(".leaflet-container").get_attribute("data-snapshot"))


def drawn_paths(snapshot: ControlSnapshot) -> dict[str, int]:
    """Paths per faction the page should draw: one per distinct style of the dissolved areas."""
    drawn = dissolve_areas(snapshot.areas)
    low = low_levels(drawn["confidence"])
    styles = {(r["faction"], json.dumps(area_style(r, "default", low), sort_keys=True))
              for r in drawn.drop(columns="geometry").to_dict("records")}  # fmt: skip
    return {f: sum(1 for g, _ in styles if g == f) for f in {f for f, _ in styles}}


def choose(page: Any, date: str) -> None:
    page.locator(f'.mapapp-timeline label[data-date="{date}"]').click()
    page.wait_for_selector(f'.leaflet-container[data-snapshot="{date}"]')


def test_timeline_switches_snapshots_offline(browser_page: Any, timeline_export: Any) -> None:
    path, snapshots = timeline_export
    open_map(browser_page, path)
    stamp = browser_page.locator(".mapapp-title .mapapp-stamp")
    for snapshot in (snapshots[0], snapshots[2], snapshots[1]):
        date = snapshot.date.isoformat()
        if shown(browser_page) != date:
            choose(browser_page, date)
        assert stamp.inner_text() == f"Control as of {date}"
        assert browser_page.locator(".mapapp-title h1").inner_text() == snapshot.label
        paths = drawn_paths(snapshot)  # areas drawn alike share one path
        assert browser_page.locator("path.mapapp-area").count() == sum(paths.values())
        for faction, count in paths.items():
            assert count_paths(browser_page, faction) == count
        legend = browser_page.locator(".mapapp-legend li[data-faction]")
        assert sorted(legend.evaluate_all("els => els.map(e => e.dataset.faction)")) == sorted(
            snapshot.factions
        )
        assert browser_page.locator('[data-event="khasham_2018"]').count() == 1  # one frame's events only
        after = browser_page.locator('[data-event="khasham_2018"].mapapp-event-after').count()
        assert after == (1 if snapshot.date.isoformat() < "2018-02-07" else 0)
    assert browser_page.blocked == []


def test_timeline_control_works_from_the_keyboard(browser_page: Any, timeline_export: Any) -> None:
    path, snapshots = timeline_export
    open_map(browser_page, path)
    dates = [s.date.isoformat() for s in snapshots]
    assert shown(browser_page) == dates[0]
    radio = browser_page.locator(f'.mapapp-timeline input[value="{dates[0]}"]')
    assert radio.is_checked()
    radio.focus()
    browser_page.keyboard.press("ArrowDown")
    browser_page.wait_for_selector(f'.leaflet-container[data-snapshot="{dates[1]}"]')
    assert browser_page.locator(".mapapp-title .mapapp-stamp").inner_text() == f"Control as of {dates[1]}"
    assert browser_page.locator(f'.mapapp-timeline input[value="{dates[1]}"]').is_checked()


def test_timeline_keeps_the_readers_faction_choice_and_popups_follow(
    browser_page: Any, timeline_export: Any
) -> None:
    path, snapshots = timeline_export
    open_map(browser_page, path)
    last = snapshots[-1].date.isoformat()
    browser_page.hover(".leaflet-control-layers")
    checkbox = browser_page.locator(
        ".leaflet-control-layers-overlays label", has_text=registry().label("sdf")
    ).locator("input")
    checkbox.uncheck()
    choose(browser_page, last)
    assert count_paths(browser_page, "sdf") == 0 and count_paths(browser_page, "syrian_government") > 0
    browser_page.hover(".leaflet-control-layers")
    checkbox.check()
    assert count_paths(browser_page, "sdf") == drawn_paths(snapshots[-1])["sdf"]
    browser_page.locator('[data-event="khasham_2018"]').click()
    popup = browser_page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert f"On the snapshot of {last}" in popup.locator(".mapapp-context").inner_text()
    assert "After this snapshot" not in popup.inner_text()
    choose(browser_page, snapshots[0].date.isoformat())
    popup.wait_for(state="detached")  # closed with its snapshot (after Leaflet's fade-out)


def test_timeline_screenshot(browser_page: Any, timeline_export: Any) -> None:
    path, snapshots = timeline_export
    open_map(browser_page, path)
    middle = snapshots[1].date.isoformat()
    choose(browser_page, middle)
    assert browser_page.locator(".mapapp-title .mapapp-stamp").inner_text() == f"Control as of {middle}"
    browser_page.screenshot(path=str(DOCS / "timeline_export.png"))
    assert (DOCS / "timeline_export.png").stat().st_size > 10_000
    assert browser_page.blocked == []

"""The live dashboard in real headless Chromium: ``streamlit run`` on 127.0.0.1 (free port,
health-polled, stopped by PID), every request to another host blocked, any console or page error
fails the test (``browser_page`` in ``conftest.py``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import streamlit_server, wait_idle
from dashboard_fixtures import make_catalog, upload_file
from playwright.sync_api import Error as PlaywrightError

from mapapp.factions import registry
from mapapp.paths import bundled_data_dir
from mapapp.render.layers import css_token

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
TIMEOUT_MS = 60_000
# fire Leaflet's click on the marker at [lat, lon] (as a user's click would); false if none
CLICK_MARKER = """([lat, lon]) => {
  let found = false;
  window.map.eachLayer((layer) => {
    if (found || !layer._icon || !layer.getLatLng) return;
    const at = layer.getLatLng();
    if (Math.abs(at.lat - lat) < 1e-6 && Math.abs(at.lng - lon) < 1e-6) {
      layer.fire("click", {latlng: at, originalEvent: new MouseEvent("click")});
      found = true;
    }
  });
  return found;
}"""
DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    root = tmp_path_factory.mktemp("dashboard") / "catalog"
    make_catalog(root)
    with streamlit_server(root, root.parent / "streamlit.log") as url:
        yield url, root


def open_app(page: Any, url: str) -> None:
    page.goto(url)
    wait_idle(page, TIMEOUT_MS)


def map_frame(page: Any) -> Any | None:
    """Return the map's frame once Leaflet has drawn in it, or None while it is being replaced."""
    handle = page.wait_for_selector(MAP_IFRAME, timeout=TIMEOUT_MS)
    frame = handle.content_frame()
    if frame is None:
        return None
    try:
        frame.wait_for_selector("path.leaflet-interactive", timeout=TIMEOUT_MS)
    except PlaywrightError:  # the iframe was swapped for a new map while we waited
        return None
    return frame


def area_paths(frame: Any, faction: str) -> Any:
    """The drawn area paths of a faction (the renderer tags each with ``mapapp-f-<faction>``)."""
    return frame.locator(f"path.leaflet-interactive.mapapp-f-{css_token(faction)}")


def wait_paths(page: Any, faction: str, present: bool) -> Any:
    """Wait until the map shows (or no longer shows) paths in the faction's colour; return the frame."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        frame = map_frame(page)
        with contextlib.suppress(PlaywrightError):
            if frame is not None and (area_paths(frame, faction).count() > 0) == present:
                return frame
        page.wait_for_timeout(100)  # polling interval, not a wait for readiness
    raise AssertionError(f"map paths of {faction}: expected present={present}")


def pick_snapshot(page: Any, date: str) -> None:
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text="Snapshot")
    box.click()
    page.get_by_role("option").filter(has_text=date).first.click()
    wait_idle(page, TIMEOUT_MS)


def test_map_draws_the_areas_and_redraws_on_snapshot_switch(
    browser_page: Any, live: tuple[str, Path]
) -> None:
    page = browser_page
    open_app(page, live[0])
    frame = wait_paths(page, "islamic_state", present=True)
    assert area_paths(frame, "syrian_government").count() >= 1
    assert area_paths(frame, "sdf").count() == 0
    # Leaflet came from the app itself
    assert frame.evaluate("() => typeof L !== 'undefined' && L.version") == "1.9.4"
    pick_snapshot(page, "2018-02-07")
    frame = wait_paths(page, "sdf", present=True)
    assert area_paths(frame, "islamic_state").count() == 0
    assert "date=2018-02-07" in page.url
    assert page.blocked == []


def test_faction_toggle_hides_its_layer_in_the_same_map(browser_page: Any, live: tuple[str, Path]) -> None:
    page = browser_page
    open_app(page, live[0] + "/?date=2017-01-08")
    frame = wait_paths(page, "islamic_state", present=True)
    frame.evaluate("() => { window.__same_map = true; }")
    page.locator('[data-testid="stSidebar"] [data-testid="stCheckbox"]').filter(
        has_text=registry().label("islamic_state")
    ).locator("label").click()
    wait_idle(page, TIMEOUT_MS)
    frame = wait_paths(page, "islamic_state", present=False)
    assert frame.evaluate("() => window.__same_map === true"), "the map was reloaded, not updated"
    assert area_paths(frame, "syrian_government").count() >= 1
    assert "faction=" in page.url


def test_clicking_an_area_shows_its_details(browser_page: Any, live: tuple[str, Path]) -> None:
    page = browser_page
    open_app(page, live[0] + "/?date=2017-01-08")
    frame = wait_paths(page, "syrian_government", present=True)
    # Homs governorate, west of the fixture's 38.5° split: the government's area
    # Leaflet's own click event at that spot (see CLICK_MARKER on mouse offsets in the iframe)
    frame.evaluate("() => window.map.fire('click', {latlng: L.latLng(34.7, 36.9)})")
    details = page.get_by_text("Governorate(s):")
    details.wait_for(timeout=TIMEOUT_MS)
    wait_idle(page, TIMEOUT_MS)
    panel = page.locator('[data-testid="stColumn"]').filter(has_text="Details")
    assert registry().label("syrian_government") in panel.inner_text()
    assert "Homs" in panel.inner_text()


def test_clicking_an_event_shows_its_claims_and_sources(browser_page: Any, live: tuple[str, Path]) -> None:
    from mapapp.events import load_events

    khasham = load_events().get("khasham_2018")
    page = browser_page
    open_app(page, live[0] + "/?date=2018-02-07")
    frame = wait_paths(page, "sdf", present=True)
    frame.evaluate(f"() => window.map.setView([{khasham.lat}, {khasham.lon}], 10, {{animate: false}})")
    frame.locator(".leaflet-marker-icon").first.wait_for(timeout=TIMEOUT_MS)
    # (a mouse click at the icon's position lands ~130 px off inside the component's iframe in
    # headless chromium, so the marker's own click event is fired, as Leaflet does on a click)
    assert frame.evaluate(CLICK_MARKER, [khasham.lat, khasham.lon]), "no marker at Khasham"
    page.get_by_text("Casualty claims").wait_for(timeout=TIMEOUT_MS)
    wait_idle(page, TIMEOUT_MS)
    panel = page.locator('[data-testid="stColumn"]').filter(has_text="Details").inner_text()
    for claim in khasham.casualty_claims:
        assert claim.claimant in panel
    assert f"Held on {dt.date(2018, 2, 7)}" in panel
    # in context: the snapshot in force on the event's date, its holder, the nearest other faction
    assert "Snapshot in force: 2018-02-07" in panel
    assert f"Held then by: {registry().label('sdf')}" in panel
    assert f"Nearest other faction: {registry().label('syrian_government')}" in panel
    links = page.locator('[data-testid="stColumn"]').filter(has_text="Details").locator("a[href^='http']")
    assert links.count() == len(khasham.sources)


def gain_paths(frame: Any, faction: str) -> Any:
    """The drawn gains of a faction (the change layer tags each with ``mapapp-gain-<faction>``)."""
    return frame.locator(f"path.leaflet-interactive.mapapp-gain-{css_token(faction)}")


def test_compare_date_draws_the_gains(browser_page: Any, live: tuple[str, Path]) -> None:
    page = browser_page
    open_app(page, live[0] + "/?date=2018-02-07")
    frame = wait_paths(page, "sdf", present=True)
    assert frame.locator("path.mapapp-gain").count() == 0
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has_text="Compare with"
    )
    box.click()
    page.get_by_role("option").filter(has_text="2017-01-08").first.click()
    wait_idle(page, TIMEOUT_MS)
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        frame = map_frame(page)
        with contextlib.suppress(PlaywrightError):
            if frame is not None and gain_paths(frame, "sdf").count() > 0:
                break
        page.wait_for_timeout(100)  # polling interval, not a wait for readiness
    else:
        raise AssertionError("no gains paths of the SDF on the map")
    # hatched: filled with the gainer's SVG pattern, which the page defines
    fill = gain_paths(frame, "sdf").first.get_attribute("fill")
    assert fill is not None and fill.startswith("url(#mapapp-gain-")
    assert frame.locator(f"pattern{fill[4:-1]}").count() == 1
    assert frame.locator(".mapapp-change-legend").count() == 1
    assert "compare=2017-01-08" in page.url
    assert page.blocked == []


def test_timeline_steps_through_snapshots(browser_page: Any, live: tuple[str, Path]) -> None:
    page = browser_page
    open_app(page, live[0] + "/?date=2017-01-08")
    wait_paths(page, "islamic_state", present=True)
    page.locator('[data-testid="stSlider"]').get_by_role("slider").press("ArrowRight")
    wait_idle(page, TIMEOUT_MS)
    wait_paths(page, "sdf", present=True)
    page.get_by_role("heading", name="Test snapshot 2018-02-07").wait_for(timeout=TIMEOUT_MS)
    picker = page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="Snapshot")
    assert picker.input_value().startswith("2018-02-07")  # the picker agrees
    assert "date=2018-02-07" in page.url


def test_upload_flow_end_to_end(browser_page: Any, live: tuple[str, Path], tmp_path: Path) -> None:
    page = browser_page
    url, root = live
    path = upload_file(tmp_path / "newer_snapshot.geojson")
    open_app(page, url)
    page.get_by_role("tab", name="Add a snapshot").click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    wait_idle(page, TIMEOUT_MS)
    page.get_by_text("Validation report").wait_for(timeout=TIMEOUT_MS)
    date = page.get_by_label("Date the snapshot represents", exact=True)
    date.get_by_role("spinbutton").first.click()
    page.keyboard.type("20180301")
    page.keyboard.press("Tab")
    wait_idle(page, TIMEOUT_MS)
    for label, value in (
        ("Label", "Browser upload"),
        ("Source", "browser test"),
        ("Licence", "CC0"),
    ):
        field = page.get_by_label(label, exact=True)
        field.fill(value)
        field.press("Enter")
        wait_idle(page, TIMEOUT_MS)
    page.get_by_role("button", name="Save to the catalog").click()
    wait_idle(page, TIMEOUT_MS)
    # the new snapshot is selected at once: its title heads the page and the link points to it
    page.get_by_role("heading", name="Browser upload").wait_for(timeout=TIMEOUT_MS)
    assert "date=2018-03-01" in page.url
    # the panel is ready for the next file
    assert page.locator('[data-testid="stFileUploaderFile"]').count() == 0
    mapped = registry().closest("Jaysh al-Fantasia", n=1)[0]
    page.get_by_role("tab", name="Map").click()
    wait_paths(page, mapped, present=True)
    assert (root / "snapshots" / "2018-03-01.geojson").is_file()


def test_screenshot_of_the_bundled_catalog(browser_page: Any, tmp_path: Path) -> None:
    root = bundled_data_dir()
    if not (root / "snapshots" / "manifest.json").is_file():
        pytest.skip("the bundled snapshots are not built yet")
    page = browser_page
    page.set_viewport_size({"width": 1440, "height": 1150})
    with streamlit_server(root, tmp_path / "streamlit.log") as url:
        open_app(page, url)
        frame = wait_paths(page, "islamic_state", present=True)
        assert page.get_by_text("8 January 2017").count() >= 1
        frame.locator(".leaflet-marker-icon").first.wait_for(timeout=TIMEOUT_MS)  # event markers
        DOCS.mkdir(exist_ok=True)
        page.screenshot(path=str(DOCS / "dashboard.png"))
    assert page.blocked == []

"""No script from data ever runs (issue 8): exported maps and the dashboard under XSS input.

The hostile snapshot is the corpus' ``xss_properties.geojson`` read and validated like any import,
with a label, source and licence carrying ``<script>``, ``<img onerror>``, ``javascript:`` links
and a markdown link; the events are ``xss_events.csv`` (titles, places, facts, claims and source
links). The page gets a canary (``window.__pwned = false`` in every frame before any script) and
a dialog listener; every area popup and event popup is opened. The canary must stay ``false``, no
dialog may open, no element may carry an event-handler attribute or a non-http(s) link, and the
hostile text must be visible *as text*.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from browser_support import Watch, arm_canary, canaries, streamlit_server, wait_idle

from mapapp.catalog import Catalog
from mapapp.events import load_events
from mapapp.export import export_html
from mapapp.factions import registry
from mapapp.readers import read_vector
from mapapp.render import MapOptions
from mapapp.snapshot import ControlSnapshot
from mapapp.validate import SnapshotMeta, SnapshotWarning, validate

pytestmark = pytest.mark.browser
HOSTILE_DIR = Path(__file__).resolve().parent / "data" / "hostile"
TIMEOUT_MS = 90_000
HANDLER_ATTRS = ("onerror", "onload", "onmouseover", "onclick", "onfocus")


def _generator() -> ModuleType:
    if "make_hostile" in sys.modules:
        return sys.modules["make_hostile"]
    spec = importlib.util.spec_from_file_location("make_hostile", HOSTILE_DIR / "make_hostile.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_hostile"] = module
    spec.loader.exec_module(module)
    return module


hostile = _generator()
LABEL = hostile.SCRIPT
SOURCE = f"{hostile.JS_URL} {hostile.IMG} {hostile.ATTR_BREAK_URL} {hostile.MD_LINK}"
LICENCE = hostile.IMG


def hostile_snapshot(date: str = "2017-06-01") -> ControlSnapshot:
    raw = read_vector(HOSTILE_DIR / "xss_properties.geojson")
    meta = SnapshotMeta(dt.date.fromisoformat(date), LABEL, SOURCE, LICENCE, "low")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SnapshotWarning)
        return validate(raw, meta)


def assert_inert(page: Any, dialogs: list[str]) -> None:
    """Nothing ran, nothing can run: canary, dialogs, handler attributes, link schemes."""
    assert canaries(page) and all(v is False for v in canaries(page)), canaries(page)
    assert dialogs == []
    for frame in page.frames:
        selector = ", ".join(f"[{a}]" for a in HANDLER_ATTRS)
        assert frame.locator(selector).count() == 0, f"event-handler attribute in {frame.url[:80]}"
        assert frame.locator('img[src="x"]').count() == 0
        hrefs = frame.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
        bad = [h for h in hrefs if not h.startswith(("http://", "https://", "#", "/", "?"))]
        assert bad == [], bad


# -- exported map -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def xss_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    events = load_events(HOSTILE_DIR / hostile.XSS_EVENTS_FILE)
    out = tmp_path_factory.mktemp("xss") / "map.html"
    return export_html(hostile_snapshot(), events, MapOptions(events="all"), out)


def test_exported_map_runs_no_script_from_data(browser_page: Any, xss_export: Path) -> None:
    page = browser_page
    dialogs = arm_canary(page)
    page.goto(xss_export.as_uri())
    page.wait_for_selector("path.mapapp-area")
    assert_inert(page, dialogs)
    areas = page.locator("path.mapapp-area")
    assert areas.count() == 2
    tips, popups = [], []
    for i in range(areas.count()):
        box = areas.nth(i).bounding_box()
        x, y = box["x"] + box["width"] * 0.15, box["y"] + box["height"] * 0.15  # clear of the markers
        classes = str(areas.nth(i).get_attribute("class"))
        faction = next(c[len("mapapp-f-") :] for c in classes.split() if c.startswith("mapapp-f-"))
        page.mouse.move(x, y)
        tip = page.locator(".mapapp-tip").filter(has_text=registry().label(faction)).last
        tip.wait_for()
        tips.append(tip.inner_text())
        page.mouse.click(x, y)
        popup = page.locator(".leaflet-popup-content").last
        popup.wait_for()
        popups.append(popup.inner_text())
        assert_inert(page, dialogs)
    # Notes in the tooltips, label/source/licence in the popups: all displayed as plain text.
    assert any(hostile.IMG in t for t in tips) and any(hostile.SCRIPT in t for t in tips), tips
    assert all(LABEL in p and LICENCE in p and hostile.JS_URL in p for p in popups), popups
    markers = page.locator("[data-event]")
    assert markers.count() == len(hostile.XSS_EVENTS)
    expected = {e["id"]: e for e in hostile.XSS_EVENTS}
    for i in range(markers.count()):
        event = expected[str(markers.nth(i).get_attribute("data-event"))]
        markers.nth(i).dispatch_event("click")  # a DOM click, even under an open popup
        day = dt.date.fromisoformat(event["date"])
        popup = page.locator(".leaflet-popup-content").filter(has_text=f"{day.day} {day:%b %Y}").last
        popup.wait_for()
        assert popup.inner_text().startswith(event["title"])  # the title, as text
        assert_inert(page, dialogs)
    assert page.blocked == []


def test_exported_map_with_hostile_title(browser_page: Any, tmp_path: Path) -> None:
    out = export_html(
        hostile_snapshot(), None, MapOptions(events="none", title=hostile.IMG), tmp_path / "t.html"
    )
    dialogs = arm_canary(browser_page)
    browser_page.goto(out.as_uri())
    browser_page.wait_for_selector("path.mapapp-area")
    assert_inert(browser_page, dialogs)
    assert hostile.IMG in browser_page.inner_text("body")


# -- live dashboard -----------------------------------------------------------------------------
def map_frame(page: Any) -> Any:
    """Return the frame of the dashboard's map (st_folium's iframe), once it is attached."""
    iframe = page.locator('iframe[title="streamlit_folium.st_folium"]')
    iframe.wait_for(timeout=TIMEOUT_MS)
    return iframe.element_handle().content_frame()


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("xss-app") / "catalog"
    Catalog(root).add(hostile_snapshot())
    with streamlit_server(root, root.parent / "streamlit.log") as url:
        yield url


def test_dashboard_runs_no_script_from_a_hostile_snapshot(chromium: Any, hostile_app: str) -> None:
    watch = Watch(allowed=(hostile_app,))
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    try:
        watch.arm(context)
        page = context.new_page()
        page.goto(hostile_app, wait_until="domcontentloaded")
        title = page.locator("h1, h2").filter(has_text=LABEL).first  # the snapshot's heading
        trouble = page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]').first
        title.or_(trouble).wait_for(state="visible", timeout=TIMEOUT_MS)
        wait_idle(page, TIMEOUT_MS)
        assert trouble.count() == 0, trouble.inner_text()[:1500]
        assert title.inner_text().strip() == LABEL  # shown as text
        body = page.inner_text("body")
        assert hostile.IMG in body  # the licence, as text
        # The map (st_folium's iframe): hover and click every area, open every event popup.
        frame = map_frame(page)
        areas = frame.locator("path.mapapp-area")
        areas.first.wait_for(timeout=TIMEOUT_MS)
        assert areas.count() == 2
        tips = []
        for i in range(areas.count()):
            areas.nth(i).scroll_into_view_if_needed()
            box = areas.nth(i).bounding_box()
            x, y = box["x"] + box["width"] * 0.15, box["y"] + box["height"] * 0.15
            page.mouse.move(x, y)
            tip = frame.locator(".mapapp-tip").last
            tip.wait_for(timeout=TIMEOUT_MS)
            tips.append(tip.inner_text())
            page.mouse.click(x, y)
        frame.locator(".leaflet-popup-content").first.wait_for(timeout=TIMEOUT_MS)
        assert LABEL in frame.locator(".leaflet-popup-content").last.inner_text()
        assert "Note:" in "".join(tips)
        wait_idle(page, TIMEOUT_MS)
        assert_inert(page, watch.dialogs)
        assert watch.page_errors == [], watch.page_errors
        assert watch.console_errors == [], watch.console_errors
    finally:
        context.close()


def test_dashboard_upload_report_runs_no_script(chromium: Any, hostile_app: str, tmp_path: Path) -> None:
    """Hostile faction names reach widget labels and the validation report: text only, no links."""
    names = [hostile.SCRIPT, hostile.IMG, hostile.MD_LINK]
    features = [
        hostile.feature([ring], name, note=hostile.IMG)
        for name, ring in zip(names, (hostile.WEST, hostile.EAST, hostile.WEST), strict=True)
    ]
    upload = tmp_path / "hostile_upload.geojson"
    upload.write_text(json.dumps(hostile.collection(*features)), encoding="utf-8")
    watch = Watch(allowed=(hostile_app,))
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    try:
        watch.arm(context)
        page = context.new_page()
        page.goto(hostile_app, wait_until="domcontentloaded")
        page.locator("h1, h2").filter(has_text=LABEL).first.wait_for(timeout=TIMEOUT_MS)
        wait_idle(page, TIMEOUT_MS)
        map_frame(page).locator("path.mapapp-area").first.wait_for(timeout=TIMEOUT_MS)
        page.get_by_role("tab", name="Add a snapshot").click()
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(upload)
        page.get_by_text("Unknown faction names").first.wait_for(timeout=TIMEOUT_MS)
        wait_idle(page, TIMEOUT_MS)
        body = page.inner_text("body")
        assert hostile.SCRIPT in body  # the unknown name is shown to be mapped, as text
        assert_inert(page, watch.dialogs)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert watch.page_errors == [], watch.page_errors
        assert watch.console_errors == [], watch.console_errors
    finally:
        context.close()

"""The dashboard under load (issue 8): several concurrent sessions against one ``streamlit run``.

Five browser contexts (five Streamlit sessions) on one server switch snapshots at the same time,
round after round; each must show the snapshot it picked (never another session's), raise no
exception, no page error and no console error. Two sessions each upload a different file without saving
it: each sees its own upload through every switch, no other session sees any trace of either, and
the catalog on disk stays byte-for-byte unchanged.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from browser_support import Watch, streamlit_server, wait_idle

from mapapp.catalog import Catalog
from mapapp.snapshot import ControlSnapshot

pytestmark = pytest.mark.browser

SESSIONS = 5
ROUNDS = 3
LABELS = {"2017-01-08": "Load test snapshot A", "2018-02-07": "Load test snapshot B"}
MARKS = ("LeakCanaryAlpha", "LeakCanaryBravo")  # one unsaved upload in each of sessions 0 and 1
TIMEOUT_MS = 90_000


def _snapshot(date: str, label: str, west: str, east: str) -> ControlSnapshot:
    areas = gpd.GeoDataFrame(
        {
            "faction": [west, east],
            "secondary": [None, None],
            "status": ["control", "control"],
            "confidence": ["high", "medium"],
            "note": [f"{label} west", None],
        },
        geometry=[shapely.box(38.0, 34.5, 39.5, 36.0), shapely.box(39.5, 34.5, 41.0, 36.0)],
        crs="EPSG:4326",
    )
    return ControlSnapshot(dt.date.fromisoformat(date), label, "load test", "CC0", "high", areas, {})


def tree_hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    root = tmp_path_factory.mktemp("load") / "catalog"
    catalog = Catalog(root)
    catalog.add(_snapshot("2017-01-08", LABELS["2017-01-08"], "syrian_government", "islamic_state"))
    catalog.add(_snapshot("2018-02-07", LABELS["2018-02-07"], "syrian_government", "sdf"))
    with streamlit_server(root, root.parent / "streamlit.log") as url:
        yield url, root


def _upload_file(tmp: Path, mark: str) -> Path:
    path = tmp / f"{mark}_upload.geojson"
    features = [
        {
            "type": "Feature",
            "properties": {"faction": f"{mark} Brigade", f"{mark.lower()}_column": 1},
            "geometry": {"type": "Polygon", "coordinates": [[[39, 35], [39.5, 35], [39.5, 35.5], [39, 35]]]},
        }
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def _upload(page: Any, tmp: Path, mark: str) -> None:
    """Upload a file in ``page``'s "Add a snapshot" tab and wait for its report (nothing saved)."""
    page.get_by_role("tab", name="Add a snapshot").click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(_upload_file(tmp, mark))
    page.get_by_text(f"{mark.lower()}_column").first.wait_for(timeout=TIMEOUT_MS)
    wait_idle(page, TIMEOUT_MS)


def _screenshots(pages: list[Any], name: str) -> None:
    """Save a screenshot of each page under tests/_artifacts (on failure)."""
    out = Path(__file__).resolve().parent / "_artifacts"
    out.mkdir(exist_ok=True)
    for i, page in enumerate(pages):
        with contextlib.suppress(Exception):
            page.screenshot(path=str(out / f"{name}_{i}.png"), full_page=True)


def _pick(page: Any, date: str) -> None:
    """Choose ``date`` in the sidebar's snapshot picker (does not wait for the rerun)."""
    page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="Snapshot").click()
    page.get_by_role("option").filter(has_text=date).first.click()


def _shows(page: Any, date: str) -> None:
    """Wait until ``page`` shows the snapshot of ``date`` (fail at once on a Streamlit exception)."""
    title = page.locator("h1, h2").filter(has_text=LABELS[date]).first
    crash = page.locator('[data-testid="stException"]').first
    title.or_(crash).wait_for(state="visible", timeout=TIMEOUT_MS)
    assert crash.count() == 0, f"the dashboard raised: {crash.inner_text()[:1500]}"
    wait_idle(page, TIMEOUT_MS)
    title.wait_for(state="visible", timeout=TIMEOUT_MS)


def test_five_sessions_switch_snapshots_without_errors_or_leaks(
    chromium: Any, app: tuple[str, Path], tmp_path: Path
) -> None:
    url, root = app
    before = tree_hashes(root)
    dates = list(LABELS)
    watch = Watch(allowed=(url,))
    contexts: list[Any] = []
    pages: list[Any] = []
    try:
        for i in range(SESSIONS):
            context = chromium.new_context(viewport={"width": 1280, "height": 900})
            contexts.append(context)
            watch.arm(context)
            page = context.new_page()
            page.goto(f"{url}/?date={dates[i % 2]}", wait_until="domcontentloaded")
            pages.append(page)
        for i, page in enumerate(pages):
            _shows(page, dates[i % 2])
        # Sessions 0 and 1 each upload a different file and leave it unsaved.
        for page, mark in zip(pages, MARKS, strict=False):
            _upload(page, tmp_path, mark)
        switches = 0
        for rnd in range(ROUNDS):
            wanted = [dates[(i + rnd + 1) % 2] for i in range(SESSIONS)]
            for page, date in zip(pages, wanted, strict=True):
                _pick(page, date)  # all sessions rerun at once
            for page, date in zip(pages, wanted, strict=True):
                _shows(page, date)
                switches += 1
            for i, page in enumerate(pages):
                html = page.content()
                own = {MARKS[i]} if i < len(MARKS) else set()
                assert {m for m in MARKS if m in html} == own, f"session {i} sees another's upload"
        for page in pages:
            assert page.locator('[data-testid="stException"]').count() == 0
        assert all(v is False for p in pages for v in watch.pwned(p))
        assert watch.dialogs == []
        assert watch.page_errors == []
        assert watch.console_errors == []
        assert switches == SESSIONS * ROUNDS
    except Exception:
        _screenshots(pages, "app_load")
        raise
    finally:
        for context in contexts:
            context.close()
    assert tree_hashes(root) == before, "an unsaved upload changed the catalog"

"""Benchmark of the static export: file size and draw time of every bundled snapshot.

Run: ``.venv/bin/python bench/bench_export.py``. For each snapshot of the bundled catalog it writes
the self-contained export (events all, tiles none), reports its size, the time to build it, and the
time a headless Chromium (``/usr/bin/chromium``, every non-file request blocked) takes from
navigation start until every area path is in the DOM (median of 5 loads).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mapapp.catalog import Catalog  # noqa: E402
from mapapp.events import load_events  # noqa: E402
from mapapp.export import export_html  # noqa: E402
from mapapp.paths import bundled_data_dir  # noqa: E402
from mapapp.prepare import dissolve_areas  # noqa: E402
from mapapp.render import MapOptions  # noqa: E402
from mapapp.render.compact import read_payloads  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
LOADS = 5


def draw_ms(browser: object, path: Path, n_areas: int) -> float:
    """Return the median time (ms) from navigation start until ``n_areas`` area paths exist."""
    times = []
    for _ in range(LOADS):
        page = browser.new_page(viewport={"width": 1280, "height": 860})  # type: ignore[attr-defined]
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
        page.goto(path.as_uri())
        page.wait_for_function(f"document.querySelectorAll('path.mapapp-area').length >= {n_areas}")
        times.append(page.evaluate("performance.now()"))
        page.close()
    return float(statistics.median(times))


def area_paths(page: Path) -> int:
    """Return the number of area paths a page draws: one per compact feature of an area style."""
    return sum(
        1
        for payload in read_payloads(page.read_text(encoding="utf-8"))
        for feature in payload["features"]
        if "mapapp-area" in str(payload["styles"][feature["properties"]["s"]].get("className", ""))
    )


def main() -> None:
    """Print one line per bundled snapshot."""
    catalog = Catalog(bundled_data_dir())
    events = load_events()
    print(
        "date        areas  vertices  size_MB  build_s  draw_ms  (areas: after merging touching alike areas)"
    )
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for entry in catalog.entries():
            snapshot = catalog.load(entry.date)
            start = time.perf_counter()
            out = export_html(snapshot, events, MapOptions(), Path(tmp) / f"{entry.date}.html")
            build = time.perf_counter() - start
            vertices = int(snapshot.areas.geometry.count_coordinates().sum())
            n = len(dissolve_areas(snapshot.areas))  # areas drawn alike are merged before drawing
            ms = draw_ms(browser, out, area_paths(out))
            size = out.stat().st_size / 1e6
            print(f"{entry.date}  {n:5d}  {vertices:8d}  {size:7.3f}  {build:7.2f}  {ms:7.0f}")
        browser.close()


if __name__ == "__main__":
    main()

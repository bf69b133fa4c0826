"""Benchmark of the static export: file size and draw time of every bundled snapshot.

Run: ``.venv/bin/python bench/bench_export.py``. For each snapshot of the bundled catalog it writes
the self-contained export (events all, tiles none), reports its size, the time to build it, and its
draw time in headless Chromium as :mod:`browser` measures it for ``make bench`` (navigation start
to the first frame after ``load`` with every SVG path in the DOM and the view final; median of 5
loads, a page error fails the run).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import browser  # noqa: E402

from mapapp.catalog import Catalog  # noqa: E402
from mapapp.events import load_events  # noqa: E402
from mapapp.export import export_html  # noqa: E402
from mapapp.paths import bundled_data_dir  # noqa: E402
from mapapp.prepare import dissolve_areas  # noqa: E402
from mapapp.render import MapOptions  # noqa: E402

LOADS = 5


def main() -> None:
    """Print one line per bundled snapshot."""
    catalog = Catalog(bundled_data_dir())
    events = load_events()
    print(
        "date        areas  vertices  size_MB  build_s  draw_ms  (areas: after merging touching alike areas)"
    )
    with tempfile.TemporaryDirectory() as tmp, browser.chromium() as chrome:
        for entry in catalog.entries():
            snapshot = catalog.load(entry.date)
            start = time.perf_counter()
            out = export_html(snapshot, events, MapOptions(), Path(tmp) / f"{entry.date}.html")
            build = time.perf_counter() - start
            vertices = int(snapshot.areas.geometry.count_coordinates().sum())
            n = len(dissolve_areas(snapshot.areas))  # areas drawn alike are merged before drawing
            ms = browser.draw_ms(chrome, out, LOADS, strict=True)["ms"]
            size = out.stat().st_size / 1e6
            print(f"{entry.date}  {n:5d}  {vertices:8d}  {size:7.3f}  {build:7.2f}  {ms:7.0f}")


if __name__ == "__main__":
    main()

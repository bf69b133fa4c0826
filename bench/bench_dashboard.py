"""Benchmark of the dashboard's server-side time (issue 5), through streamlit's AppTest.

Measures, on the 2017-08-01 snapshot: the first full run of a fresh process (imports of the
page's libraries excluded, they are paid once at server start and reported apart), and a rerun
after toggling one faction. Usage::

    .venv/bin/python bench/bench_dashboard.py [--data-dir DIR] [--date 2017-08-01] [--faction sdf]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "streamlit_app.py")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None, help="catalog directory (default: bundled geodata/)")
    parser.add_argument("--date", default="2017-08-01")
    parser.add_argument("--faction", default="sdf")
    parser.add_argument("--reruns", type=int, default=5)
    args = parser.parse_args(argv)
    if args.data_dir:
        os.environ["MAPAPP_DATA_DIR"] = args.data_dir
    sys.path.insert(0, str(ROOT))

    t0 = time.perf_counter()
    from streamlit.testing.v1 import AppTest

    import dashboard.data  # noqa: F401  (the page's imports: geopandas, folium, streamlit...)

    imports = time.perf_counter() - t0

    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["date"] = args.date
    t0 = time.perf_counter()
    at.run()
    first = time.perf_counter() - t0
    if at.exception:
        print("exception:", [e.value for e in at.exception], file=sys.stderr)
        return 1
    times = []
    box = at.checkbox(key=f"faction_{args.faction}")
    for _ in range(args.reruns):
        box.set_value(not box.value)
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
        box = at.checkbox(key=f"faction_{args.faction}")
    print(f"snapshot {args.date}: imports {imports:.2f} s (once per server)")
    print(f"first full run: {first:.2f} s")
    median, worst = statistics.median(times), max(times)
    print(f"rerun after toggling {args.faction}: median {median:.3f} s, max {worst:.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

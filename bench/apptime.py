"""Server time of a dashboard's first run and of a rerun after toggling one faction (AppTest).

:func:`measure` runs ``python bench/apptime.py our|naive DATA DATE FACTION RUNS RERUNS`` in a
fresh process and returns its JSON line ``{"first_s": …, "rerun_s": …, "firsts": […],
"reruns": […]}`` (medians and all times). The page's imports are done before any timing (a server
pays them once at start); before each first run every Streamlit cache is cleared.

- ``our``: ``streamlit_app.py`` with ``MAPAPP_DATA_DIR=DATA`` (a catalog), ``?date=DATE``;
  the rerun unticks (then ticks again) the checkbox ``faction_FACTION``;
- ``naive``: ``bench/naive_app.py`` with ``BENCH_NAIVE_FILE=DATA`` (a GeoJSON file); the rerun
  removes (then puts back) ``FACTION`` in the ``factions`` multiselect.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
APPS = {"our": ROOT / "streamlit_app.py", "naive": ROOT / "bench" / "naive_app.py"}
TIMEOUT_S = 900


def _toggle(at: Any, kind: str, faction: str, on: bool) -> None:
    if kind == "our":
        at.checkbox(key=f"faction_{faction}").set_value(on)
    elif on:
        at.multiselect(key="factions").select(faction)
    else:
        at.multiselect(key="factions").unselect(faction)


def _fail(at: Any) -> None:
    if at.exception:
        raise RuntimeError("; ".join(str(e.value) for e in at.exception))


def _child(kind: str, data: str, date: str, faction: str, runs: int, reruns: int) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    os.environ["MAPAPP_DATA_DIR" if kind == "our" else "BENCH_NAIVE_FILE"] = data
    import geopandas  # noqa: F401  (the imports a server pays once)
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    if kind == "our":
        import dashboard.data  # noqa: F401
    else:
        import mapclassify  # noqa: F401
        import matplotlib.pyplot  # noqa: F401
        import streamlit_folium  # noqa: F401
    firsts, times = [], []
    at = None
    for _ in range(runs):
        st.cache_data.clear()
        st.cache_resource.clear()
        at = AppTest.from_file(str(APPS[kind]), default_timeout=TIMEOUT_S)
        at.query_params["date"] = date
        start = time.perf_counter()
        at.run()
        firsts.append(time.perf_counter() - start)
        _fail(at)
    for i in range(reruns):
        _toggle(at, kind, faction, on=i % 2 == 1)
        start = time.perf_counter()
        at.run()  # type: ignore[union-attr]
        times.append(time.perf_counter() - start)
        _fail(at)
    return {"first_s": statistics.median(firsts), "rerun_s": statistics.median(times),
            "firsts": firsts, "reruns": times}  # fmt: skip


def measure(kind: str, data: Path, date: str, faction: str, runs: int, reruns: int) -> dict[str, Any]:
    """Time the ``kind`` dashboard on ``data`` in a fresh process (see the module docstring)."""
    args = [sys.executable, __file__, kind, str(data), date, faction, str(runs), str(reruns)]
    proc = subprocess.run(args, capture_output=True, text=True, check=False, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"dashboard {kind} {data} failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


if __name__ == "__main__":
    kind, data, date, faction, runs, reruns = sys.argv[1:7]
    print(json.dumps(_child(kind, data, date, faction, int(runs), int(reruns))))

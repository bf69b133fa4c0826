"""Load + validate time and peak memory, each run in a fresh Python process.

Run as a script by :func:`measure`: ``python bench/loading.py our|naive FILE``; it prints one JSON
line ``{"seconds": …, "peak_mb": …, "base_mb": …, "rows": …}``. ``seconds`` excludes the imports;
``peak_mb`` is the process's peak resident set (``VmHWM``, imports and interpreter included),
``base_mb`` the resident set after the imports.

- ``our``: :func:`mapapp.readers.read_vector` (pyogrio, Arrow path) then
  :func:`mapapp.validate.validate` into a :class:`~mapapp.snapshot.ControlSnapshot`;
- ``naive``: :func:`geopandas.read_file` (no checks at all).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _peak_mb() -> float:
    # VmHWM, not ru_maxrss: the latter survives exec, so it would report the parent's peak
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _current_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def _child(kind: str, path: str) -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    import geopandas as gpd

    from mapapp.readers import read_vector
    from mapapp.validate import validate

    base = _current_mb()
    start = time.perf_counter()
    if kind == "our":
        raw = read_vector(path, max_bytes=sys.maxsize)
        meta = {"date": "2020-01-01", "label": "benchmark", "source": "synthetic", "licence": "CC0"}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rows = len(validate(raw, meta).areas)
    else:
        rows = len(gpd.read_file(path))
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mb": _peak_mb(), "base_mb": base, "rows": rows}


def measure(kind: str, path: Path) -> dict[str, float]:
    """Run one load + validate of ``path`` (``kind`` ``our`` or ``naive``) in a fresh process."""
    proc = subprocess.run(
        [sys.executable, __file__, kind, str(path)], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"loading {kind} {path} failed:\n{proc.stderr[-3000:]}")
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


if __name__ == "__main__":
    print(json.dumps(_child(sys.argv[1], sys.argv[2])))

"""Benchmark of ``derive`` (issue 3): the 7,615 Wikipedia points of 8 January 2017 to control areas.

Each run is a fresh process that reads the points and derives the snapshot (the same work as
``mapapp derive geodata/control/wikipedia_points_2017-01-08.csv --date 2017-01-08``, without
writing). It reports the median wall time of the derivation (imports excluded) and the peak
resident memory of the process (``VmHWM``, interpreter and imports included). Usage::

    .venv/bin/python bench/bench_derive.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POINTS = ROOT / "geodata" / "control" / "wikipedia_points_2017-01-08.csv"

CHILD = """
import json, time
from mapapp.derive import derive_snapshot
from mapapp.points import read_points
start = time.perf_counter()
points = read_points({points!r}, date="2017-01-08")
snap = derive_snapshot(points, date="2017-01-08", label="bench", source="bench", licence="CC BY-SA 3.0")
seconds = time.perf_counter() - start
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
result = {{"seconds": seconds, "areas": len(snap.areas), "points": len(points), "rss_mb": hwm / 1024}}
print(json.dumps(result))
"""


def run_once() -> dict[str, float]:
    code = CHILD.format(points=str(POINTS))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    results = [run_once() for _ in range(args.runs)]
    seconds = statistics.median(r["seconds"] for r in results)
    rss = max(r["rss_mb"] for r in results)
    print(
        f"derive: {int(results[0]['points']):,} points -> {int(results[0]['areas'])} areas; "
        f"median {seconds:.2f} s over {args.runs} runs (min {min(r['seconds'] for r in results):.2f} s); "
        f"peak RSS {rss:.0f} MB (process, imports included)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The machine a benchmark ran on: CPU, memory, load, versions, date and commit."""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

PACKAGES = ("shapely", "geopandas", "pyogrio", "pyarrow", "folium", "streamlit", "streamlit-folium",
            "playwright", "numpy", "pandas")  # fmt: skip


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_gb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 2**20
    return float("nan")


def load_average() -> str:
    """Return the 1, 5 and 15 minute load averages as text."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def _run(args: list[str], cwd: Path | None = None) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, check=False, cwd=cwd).stdout.strip()
    except OSError:
        return "unknown"


def describe(root: Path, chromium: str) -> dict[str, str]:
    """Return the machine and software description for the report."""
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{_cpu_model()}, {os.cpu_count()} logical CPUs (nproc {_run(['nproc'])})",
        "memory": f"{_memory_gb():.1f} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "chromium": _run([chromium, "--version"]),
        "packages": ", ".join(versions),
        "commit": _run(["git", "rev-parse", "--short", "HEAD"], cwd=root),
    }

"""The benchmark's tables (Markdown) and the targets of issue 7, checked against the results."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

Result = dict[str, Any]

COLUMNS: tuple[tuple[str, str, str], ...] = (
    # (header, key in result, format)
    ("load + validate (s)", "load_s", "{:.2f}"),
    ("peak memory (MB)", "peak_mb", "{:.0f}"),
    ("export (s)", "export_s", "{:.2f}"),
    ("HTML (MB)", "html_mb", "{:.2f}"),
    ("max error (m)", "hausdorff_m", "{:.0f}"),
    ("max area change (%)", "area_pct", "{:+.3f}"),
    ("browser draw (ms)", "draw_ms", "{:.0f}"),
    ("dashboard first run (s)", "first_s", "{:.2f}"),
    ("dashboard rerun after a toggle (s)", "rerun_s", "{:.3f}"),
)


def _fmt(fmt: str, value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float) and math.isinf(value):
        return "∞"
    return fmt.format(value)


def ratio(our: Any, naive: Any) -> float | None:
    """Return ``our / naive`` (``None`` when either is missing or naive is 0)."""
    if our is None or naive is None or naive == 0:
        return None
    return float(our) / float(naive)


def results_table(results: list[Result]) -> str:
    """Return one Markdown table per dataset-independent metric: rows are datasets."""
    lines = []
    head = "| dataset | vertices | features | " + " | ".join(h for h, _, _ in COLUMNS) + " |"
    lines += [head, "|" + "---|" * (3 + len(COLUMNS))]
    for res in results:
        cells = [res["name"], f"{res['vertices']:,}", f"{res['features']:,}"]
        for _, key, fmt in COLUMNS:
            our, naive = res["our"].get(key), res["naive"].get(key)
            r = ratio(our, naive)
            text = f"**{_fmt(fmt, our)}** / {_fmt(fmt, naive)}"
            if r is not None and key not in ("hausdorff_m", "area_pct"):
                text += f" ({r:.3g}×)"
            cells.append(text)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _get(results: list[Result], name: str) -> Result | None:
    return next((r for r in results if r["name"] == name), None)


def _r(res: Result, key: str) -> float:
    value = ratio(res["our"].get(key), res["naive"].get(key))
    return float("nan") if value is None else value


def _checks(floor_ms: float) -> list[tuple[str, str, Callable[[Result], tuple[str, bool]]]]:
    """Return (data set, target, check) triples; a check returns (measured text, met)."""
    big, mid = "synthetic 2M", "synthetic 200k"

    def rel(key: str, limit: float) -> Callable[[Result], tuple[str, bool]]:
        return lambda r: (f"{_r(r, key):.4f}× naive", _r(r, key) <= limit)

    def our(key: str, limit: float, fmt: str) -> Callable[[Result], tuple[str, bool]]:
        return lambda r: (fmt.format(r["our"][key]), abs(r["our"][key]) <= limit)

    def floor(r: Result) -> tuple[str, bool]:
        base = r["our"].get("floor_ms", floor_ms)  # the floor loaded in turn with this page
        text = f"{r['our']['draw_ms'] / base:.2f}× floor ({base:.0f} ms)"
        if "pair_ratios" in r["our"]:
            q1, q3 = r["our"]["pair_ratios"]
            text += f"; single pairs of loads {q1:.2f}–{q3:.2f}× (quartiles)"
        return text, r["our"]["draw_ms"] <= 3 * base

    return [
        (big, "HTML ≤ 1/20 of naive", rel("html_mb", 1 / 20)),
        (big, "max error ≤ 250 m", our("hausdorff_m", 250, "{:.0f} m")),
        (big, "area change per faction ≤ 0.5 %", our("area_pct", 0.5, "{:+.3f} %")),
        (big, "export time ≤ 1/2 of naive", rel("export_s", 1 / 2)),
        (big, "browser draw ≤ 1/5 of naive", rel("draw_ms", 1 / 5)),
        (big, "browser draw ≤ 3× the empty-map floor", floor),
        (mid, "dashboard rerun ≤ 1/10 of naive", rel("rerun_s", 1 / 10)),
        (big, "dashboard rerun ≤ 1/20 of naive", rel("rerun_s", 1 / 20)),
        (big, "dashboard rerun < 2 s", our("rerun_s", 2, "{:.3f} s")),
        (big, "load + validate < 15 s", our("load_s", 15, "{:.2f} s")),
        (big, "load + validate peak memory < 2 GB", our("peak_mb", 2048, "{:.0f} MB")),
    ]


def targets_table(results: list[Result], floor_ms: float) -> str:
    """Return the targets of issue 7 with the measured value and whether each is met."""
    lines = ["| data | target | measured | met |", "|---|---|---|---|"]
    for name, target, fn in _checks(floor_ms):
        res = _get(results, name)
        if res is None:
            continue
        try:
            text, ok = fn(res)
        except (KeyError, TypeError):
            text, ok = "not measured", False
        lines.append(f"| {name} | {target} | {text} | {'yes' if ok else '**no**'} |")
    return "\n".join(lines)


def render(results: list[Result], floor_ms: float, loads: tuple[str, str], info: dict[str, str],
           notes: list[str]) -> str:  # fmt: skip
    """Return the whole Markdown report."""
    parts = [
        "# Benchmarks: our path against the naive path",
        "",
        "Written by `make bench` (`bench/run.py`); do not edit by hand. Each cell is "
        "**ours** / naive (ours ÷ naive). Lower is better everywhere.",
        "",
        "## Machine",
        "",
        f"- date: {info['date']}, commit {info['commit']}",
        f"- CPU: {info['cpu']}; memory {info['memory']}; {info['os']}",
        f"- load average (1, 5, 15 min) at start: {loads[0]}; at end: {loads[1]}",
        f"- Python {info['python']}; {info['chromium']}",
        f"- {info['packages']}",
        "",
        "## Results",
        "",
        results_table(results),
        "",
        f"Empty-map floor (Leaflet inlined, one map, no layer): **{floor_ms:.0f} ms** at the start; "
        "loaded in turn with each page: "
        + ", ".join(f"{r['name']} {r['our']['floor_ms']:.0f} ms" for r in results if "floor_ms" in r["our"])
        + ".",
        "",
        "## Targets (issue 7)",
        "",
        targets_table(results, floor_ms),
        "",
        "## How it was measured",
        "",
        *[f"- {n}" for n in notes],
        "",
    ]
    return "\n".join(parts)

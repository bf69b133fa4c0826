"""``mapapp compare DATE_A DATE_B``: who gained what between two snapshots."""

from __future__ import annotations

import argparse
import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from mapapp.atomic import write_atomic
from mapapp.catalog import Catalog
from mapapp.compare import NOT_COVERED, Comparison, compare_dates, kind_of
from mapapp.errors import ExportError
from mapapp.factions import registry
from mapapp.paths import data_dir

PRECISION = 6
SHOWN_KM2 = 0.5
"""The table leaves out smaller pieces (border slivers of two derivations); csv and geojson keep them."""


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser
) -> None:
    """Add the ``compare`` subcommand."""
    p = sub.add_parser(
        "compare",
        parents=[parent],
        help="changes of control between two snapshots (areas, transition matrix, net gains)",
        description="Compare two snapshots of the catalog in an equal-area projection: the areas "
        "that changed hands, the km² moved from each faction to each other per country, and the "
        "net gain or loss of each faction. Areas without data are listed separately.",
    )
    p.add_argument("date_a", metavar="DATE_A", help="the earlier snapshot (YYYY-MM-DD or 'latest')")
    p.add_argument("date_b", metavar="DATE_B", help="the later snapshot (YYYY-MM-DD or 'latest')")
    p.add_argument(
        "--format",
        choices=("table", "csv", "geojson"),
        default="table",
        help="table: net gains and transitions for people; csv: the full transition matrix; "
        "geojson: the changed (and no-data) areas",
    )
    p.add_argument("--out", metavar="FILE", help="write to FILE (atomically) instead of stdout")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Compare the two snapshots and print or write the result in the chosen format."""
    result = compare_dates(Catalog(data_dir(args.data_dir)), args.date_a, args.date_b)
    render = {"table": format_table, "csv": format_csv, "geojson": format_geojson}[args.format]
    text = render(result)
    if args.out:
        _write_atomic(Path(args.out), text)
    else:
        print(text, end="")
    return 0


def format_table(result: Comparison) -> str:
    """Return net gains per faction, then every transition, then the no-data areas, as text."""
    lines = [
        f"Change of control from {result.date_a} to {result.date_b} "
        f"(km², equal-area; {result.overlap_km2:,.0f} km² covered by both)",
        "",
    ]
    header = ("faction", f"km² {result.date_a}", f"km² {result.date_b}", "gained", "lost", "net")
    lines += _columns(header, _net_rows(result))
    lines += ["", "Areas that changed hands (km² per transition and country):"]
    lines += _transition_rows(_totals(result, "change"))
    lines += ["", "No data or not covered in one of the snapshots (not counted as a change):"]
    lines += _transition_rows(_totals(result, "no_data"))
    return "\n".join(lines) + "\n"


def _net_rows(result: Comparison) -> list[tuple[str, ...]]:
    net = result.net
    rows = []
    for faction in net.index:
        if net.loc[faction, ["km2_a", "km2_b", "gained", "lost"]].max() < SHOWN_KM2:
            continue
        amounts = [f"{net.loc[faction, c]:,.0f}" for c in ("km2_a", "km2_b", "gained", "lost")]
        rows.append((_label(str(faction)), *amounts, f"{net.loc[faction, 'net']:+,.0f}"))
    return rows


def _totals(result: Comparison, kind: str) -> Any:
    rows = result.matrix[result.matrix["kind"] == kind]
    return rows.sort_values(["km2", "country"], ascending=[False, True])


def _transition_rows(frame: Any) -> list[str]:
    shown = frame[frame["km2"] >= SHOWN_KM2]
    rows = [
        (_label(r.from_faction), _label(r.to_faction), r.country, f"{r.km2:,.0f}") for r in shown.itertuples()
    ]
    small = frame[frame["km2"] < SHOWN_KM2]
    lines = _columns(("from", "to", "country", "km²"), rows) if rows else ([] if len(small) else ["  none"])
    if len(small):
        lines.append(
            f"  and {len(small)} sliver(s) under {SHOWN_KM2} km² (together {small['km2'].sum():.2f} km²; "
            "all listed by --format csv)"
        )
    return lines


def _label(faction: str) -> str:
    return "(not covered)" if faction == NOT_COVERED else registry().label(faction)


def format_csv(result: Comparison) -> str:
    """Return the transition matrix as CSV: ``country,from_faction,to_faction,kind,km2``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["date_a", "date_b", "country", "from_faction", "to_faction", "kind", "km2"])
    for r in result.matrix.itertuples():
        writer.writerow(
            [result.date_a, result.date_b, r.country, r.from_faction, r.to_faction, r.kind, f"{r.km2:.3f}"]
        )
    return buffer.getvalue()


def format_geojson(result: Comparison) -> str:
    """Return the changed and no-data areas as a GeoJSON FeatureCollection (one feature a line)."""
    features = []
    for frame in (result.changes, result.no_data):
        geoms = shapely.transform(frame.geometry.values, lambda c: np.round(c, PRECISION))
        for row, geom in zip(frame.itertuples(), geoms, strict=True):
            props: dict[str, Any] = {
                "from_faction": row.from_faction,
                "to_faction": row.to_faction,
                "country": row.country,
                "kind": kind_of(row.from_faction, row.to_faction),
                "km2": round(float(row.km2), 3),
                "date_a": result.date_a.isoformat(),
                "date_b": result.date_b.isoformat(),
            }
            geometry = json.loads(shapely.to_geojson(geom))
            features.append(json.dumps({"type": "Feature", "properties": props, "geometry": geometry}))
    body = ",\n".join(features)
    return '{"type": "FeatureCollection", "features": [\n' + body + "\n]}\n"


def _columns(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    out = []
    for row in (header, *rows):
        cells = [
            c.rjust(w) if i and _numeric(c) else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        out.append("  " + "  ".join(cells).rstrip())
    return out


def _numeric(cell: str) -> bool:
    return cell.replace(",", "").replace("+", "").replace("-", "").replace(".", "").isdigit()


def _write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a fresh file beside it and ``os.replace``."""
    try:
        write_atomic(path, text.encode("utf-8"))
    except OSError as exc:
        raise ExportError(
            f"cannot write {str(path)!r} ({exc}): expected a writable file path in an existing "
            "directory; choose another --out path or omit --out to print to stdout"
        ) from exc

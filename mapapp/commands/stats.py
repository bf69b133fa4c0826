"""``mapapp stats``: km² and share of each faction per country or governorate (equal-area)."""

from __future__ import annotations

import argparse
import json

import pandas as pd

from mapapp.catalog import Catalog
from mapapp.geojson import json_safe
from mapapp.paths import data_dir
from mapapp.stats import area_stats


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser
) -> None:
    """Add the ``stats`` subcommand."""
    p = sub.add_parser(
        "stats",
        parents=[parent],
        help="area of each faction per country or governorate",
        description="Area (km²) and share of each faction per country or governorate, measured in a "
        "Lambert azimuthal equal-area projection (lat0 34, lon0 40).",
    )
    p.add_argument("--snapshot", default="latest", metavar="DATE", help="YYYY-MM-DD or latest (default)")
    p.add_argument("--by", choices=("country", "governorate"), default="country")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the statistics of one catalog snapshot."""
    snapshot = Catalog(data_dir(args.data_dir)).load(args.snapshot)
    table = area_stats(snapshot, by=args.by)
    if args.format == "csv":
        print(table.to_csv(index=False, float_format="%.3f"), end="")
    elif args.format == "json":
        records = [{k: json_safe(v) for k, v in r.items()} for r in table.to_dict(orient="records")]
        doc = {
            "date": snapshot.date.isoformat(),
            "by": args.by,
            "crs": "LAEA lat0 34 lon0 40",
            "rows": records,
        }
        print(json.dumps(doc, indent=1, ensure_ascii=False))
    else:
        print(f"{snapshot.label} ({snapshot.date.isoformat()}), areas in a Lambert equal-area projection")
        print(format_table(table))
    return 0


def format_table(table: pd.DataFrame) -> str:
    """Return the statistics as aligned text columns (km² with thousands separators, % to 1 decimal)."""
    keys = [c for c in ("country", "governorate") if c in table.columns]
    header = (*keys, "faction", "secondary", "status", "km²", "%")
    rows = [
        (
            *(str(r[k]) for k in keys),
            str(r["faction"]),
            str(r["secondary"] or "-"),
            str(r["status"] or "-"),
            f"{r['area_km2']:,.0f}",
            f"{r['percent']:.1f}",
        )
        for r in table.to_dict(orient="records")
    ]
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    right = {len(header) - 2, len(header) - 1}
    lines = [
        "  ".join(
            c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in (header, *rows)
    ]
    return "\n".join(line.rstrip() for line in lines)

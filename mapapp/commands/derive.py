"""``mapapp derive``: control areas from point observations (per-country Voronoi), to a GeoJSON file."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from mapapp.atomic import write_atomic
from mapapp.catalog import Catalog, parse_date
from mapapp.derive import derive_snapshot
from mapapp.errors import CatalogError, DeriveError
from mapapp.geojson import snapshot_to_geojson
from mapapp.paths import data_dir
from mapapp.points import Observations, read_points


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser
) -> None:
    """Add the ``derive`` subcommand."""
    p = sub.add_parser(
        "derive",
        parents=[parent],
        help="derive control areas from point observations (CSV or GeoJSON)",
        description="Derive control areas from places labelled with their controller: a Voronoi "
        "tessellation per country, clipped to the country outline and dissolved by faction.",
    )
    p.add_argument("points", nargs="+", metavar="POINTS", help="CSV (lat/lon) or GeoJSON point file(s)")
    p.add_argument("--date", required=True, help="date observed, YYYY-MM-DD")
    p.add_argument("--out", metavar="FILE", help="GeoJSON file to write (required unless --add-to-catalog)")
    p.add_argument("--controller-field", metavar="F", help="controller column (default: detected)")
    p.add_argument("--country", metavar="CC", help="SY or IQ for every point (default: column or nearest)")
    p.add_argument("--max-distance-km", type=float, metavar="D", help="land farther than D km is no_data")
    p.add_argument("--label", help="snapshot title (default: from the file names and date)")
    p.add_argument("--source", help="where the points come from (default: the file names)")
    p.add_argument("--licence", default="unknown", help="licence of the points, e.g. 'CC BY-SA 3.0'")
    p.add_argument("--confidence", default="approximate", help="overall confidence (default approximate)")
    p.add_argument("--add-to-catalog", action="store_true", help="also add the snapshot to the catalog")
    p.add_argument("--replace", action="store_true", help="with --add-to-catalog: replace that date")
    p.set_defaults(func=run)


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    """Read the points, derive the snapshot, write it (and add it to the catalog if asked)."""
    if not args.out and not args.add_to_catalog:
        raise DeriveError("nowhere to write: expected --out FILE and/or --add-to-catalog")
    date = parse_date(args.date)
    catalog = Catalog(data_dir(args.data_dir)) if args.add_to_catalog else None
    if catalog is not None and not args.replace and date in catalog.dates():
        raise CatalogError(
            f"a snapshot dated {date} already exists in {catalog.dir}; pass --replace to replace it"
        )
    start = time.perf_counter()
    _progress(f"reading {len(args.points)} points file(s)")
    parts = [
        read_points(p, date=date, controller_field=args.controller_field, country=args.country)
        for p in args.points
    ]
    points = Observations.concat(parts)
    names = ", ".join(points.sources)
    _progress(f"deriving areas from {len(points)} points")
    snapshot = derive_snapshot(
        points,
        date=date,
        label=args.label or f"Derived from {names}, {date.isoformat()}",
        source=args.source or f"point observations: {names}",
        licence=args.licence,
        confidence=args.confidence,
        max_distance_km=args.max_distance_km,
    )
    for warning in snapshot.provenance.get("warnings", []):
        _progress(f"warning: {warning}")
    if args.licence == "unknown":
        _progress("warning: no --licence given; the snapshot's licence is recorded as 'unknown'")
    if args.out:
        out = Path(args.out)
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(out, snapshot_to_geojson(snapshot))
        except OSError as exc:
            raise DeriveError(
                f"cannot write {args.out!r} ({exc}): expected a writable file path; "
                "choose another --out (nothing was written)"
            ) from exc
        _progress(f"wrote {args.out}")
    if catalog is not None:
        entry = catalog.add(snapshot, replace=args.replace)
        _progress(f"added {entry.date} to the catalog {catalog.dir} as {entry.file}")
    seconds = time.perf_counter() - start
    print(f"{date.isoformat()}: {len(snapshot.areas)} areas from {len(points)} points in {seconds:.1f} s")
    return 0

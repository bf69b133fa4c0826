"""``mapapp import FILE --date YYYY-MM-DD``: validate a snapshot file, then add it to the catalog."""

from __future__ import annotations

import argparse
import sys

from mapapp.catalog import Catalog, parse_date
from mapapp.commands.validate import add_validation_options, merged_map
from mapapp.errors import CatalogError, SnapshotValidationError
from mapapp.factions import registry
from mapapp.paths import data_dir
from mapapp.readers import read_vector
from mapapp.validate import SnapshotMeta, check


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser
) -> None:
    """Add the ``import`` subcommand."""
    p = sub.add_parser(
        "import",
        parents=[parent],
        help="validate a snapshot file and add it to the catalog (atomic; --replace to swap a date)",
    )
    add_validation_options(p)
    p.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="the date the areas represent")
    p.add_argument("--label", default="", help='short title (default "Control areas, DATE")')
    p.add_argument("--source", default="", help="who made the areas, with a URL (default: the file name)")
    p.add_argument("--licence", default="", help='licence of the areas, e.g. "CC BY-SA 4.0"')
    p.add_argument(
        "--confidence",
        default="approximate",
        choices=registry().confidence_levels,
        help="overall confidence (default approximate)",
    )
    p.add_argument(
        "--replace",
        action="store_true",
        help="replace the snapshot of the same date (the previous file is kept as a backup)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Validate, print warnings on stderr, add to the catalog, print the new entry on stdout."""
    date = parse_date(args.date)
    catalog = Catalog(data_dir(args.data_dir))
    if not args.replace and date in catalog.dates():  # fail fast; Catalog.add checks again under its lock
        raise CatalogError(
            f"a snapshot dated {date} already exists in {catalog.dir}; pass --replace to replace it "
            "(the previous file is kept as a backup)"
        )
    raw = read_vector(args.file, layer=args.layer)
    meta = SnapshotMeta(date, args.label, args.source, args.licence, args.confidence)
    report = check(
        raw,
        meta,
        faction_field=args.faction_field,
        faction_map=merged_map(args.map_factions),
        on_invalid=args.on_invalid,
        source_name=args.file,
        crs=args.crs,
    )
    if report.snapshot is None:
        raise SnapshotValidationError(report.problems, report.source)
    for problem in report.warnings:
        print(problem.format(), file=sys.stderr)
    entry = catalog.add(report.snapshot, replace=args.replace)
    factions = ", ".join(entry.factions)
    print(f"imported {args.file} as the snapshot of {entry.date} into {catalog.dir}")
    print(f"  label:      {entry.label}")
    print(f"  file:       {entry.file}")
    print(f"  areas:      {entry.areas} ({factions})")
    print(f"  source:     {entry.source}")
    print(f"  licence:    {entry.licence}")
    print(f"  confidence: {entry.confidence}")
    if entry.backups:
        print(f"  backups:    {', '.join(entry.backups)}")
    return 0

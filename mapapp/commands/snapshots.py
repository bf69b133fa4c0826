"""``mapapp snapshots``: list the catalog."""

from __future__ import annotations

import argparse
import json

from mapapp.catalog import Catalog
from mapapp.paths import data_dir


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser
) -> None:
    """Add the ``snapshots`` subcommand."""
    p = sub.add_parser("snapshots", parents=[parent], help="list the snapshots of the catalog")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """List date, label, source, licence, number of areas and confidence of each snapshot."""
    catalog = Catalog(data_dir(args.data_dir))
    entries = catalog.entries()
    if args.format == "json":
        print(json.dumps([e.to_dict() for e in entries], indent=1, ensure_ascii=False))
        return 0
    if not entries:
        print(f"no snapshots in {catalog.dir}")
        return 0
    header = ("date", "label", "source", "licence", "areas", "confidence")
    rows = [
        (e.date.isoformat(), e.label, _short(e.source), e.licence, str(e.areas), e.confidence)
        for e in entries
    ]
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"

"""``mapapp validate FILE``: the full validation report of a snapshot file, without importing it."""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from typing import Any

from mapapp.errors import SnapshotValidationError
from mapapp.readers import read_vector
from mapapp.validate import POLICIES, ValidationReport, check, parse_faction_map


def faction_map_arg(text: str) -> dict[str, str]:
    """Parse one ``--map-factions`` value for argparse (a usage error, exit 2, if malformed)."""
    try:
        return parse_faction_map(text)
    except SnapshotValidationError as exc:
        raise argparse.ArgumentTypeError(exc.problems[0].message + "; " + exc.problems[0].fix) from exc


def add_validation_options(p: argparse.ArgumentParser) -> None:
    """Add the options shared by ``validate`` and ``import``."""
    p.add_argument("file", metavar="FILE", help="GeoJSON, GeoPackage, zipped Shapefile, KML or FlatGeobuf")
    p.add_argument(
        "--faction-field", metavar="COLUMN", help="column holding the faction (default: auto-detect)"
    )
    p.add_argument(
        "--map-factions",
        metavar='"NAME=id,…"',
        type=faction_map_arg,
        action="append",
        default=[],
        help='map names of the file to faction ids, e.g. "Jaysh al-Islam=syrian_opposition" (repeatable)',
    )
    p.add_argument(
        "--on-invalid",
        choices=POLICIES,
        default="warn",
        help="invalid geometry: an error (raise), or repaired with make_valid (warn, fix); default warn",
    )
    p.add_argument("--layer", metavar="NAME", help="layer to read from a multi-layer file (default: all)")
    p.add_argument(
        "--crs",
        metavar="CRS",
        help="CRS of the coordinates when the file declares none, e.g. EPSG:32637 (never guessed)",
    )


def merged_map(maps: list[Mapping[str, str]]) -> dict[str, str]:
    """Merge repeated ``--map-factions`` values (later ones win)."""
    merged: dict[str, str] = {}
    for m in maps:
        merged.update(m)
    return merged


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser
) -> None:
    """Add the ``validate`` subcommand."""
    p = sub.add_parser(
        "validate",
        parents=[parent],
        help="check a snapshot file and report every problem (exit 1 if anything blocks an import)",
    )
    add_validation_options(p)
    p.add_argument("--format", choices=("text", "json"), default="text", help="report format (default text)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Read and check the file; print the report on stdout; return 1 if it has errors."""
    raw = read_vector(args.file, layer=args.layer)
    report = check(
        raw,
        None,
        faction_field=args.faction_field,
        faction_map=merged_map(args.map_factions),
        on_invalid=args.on_invalid,
        source_name=args.file,
        crs=args.crs,
    )
    if args.format == "json":
        print(json.dumps(report.to_dict(), indent=1, ensure_ascii=False))
    else:
        print(format_report(report))
    return 0 if report.ok else 1


def format_report(report: ValidationReport) -> str:
    """Return the text report: the problems, then what would be imported."""
    lines = [report.format()]
    summary: Mapping[str, Any] = report.summary
    lines.append(f"features: {summary.get('features', 0)}; CRS: {summary.get('crs') or 'none declared'}")
    if "factions" in summary:
        counts = ", ".join(f"{k} {v}" for k, v in summary["factions"].items())
        lines.append(f"areas by faction: {counts}")
    lines.append("result: " + ("ready to import" if report.ok else "blocked: fix the errors above"))
    return "\n".join(lines)

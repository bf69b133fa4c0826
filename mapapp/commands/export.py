"""``mapapp export``: write a snapshot's map as one self-contained HTML file and print its path.

``--compare DATE`` adds the areas gained from DATE to the snapshot shown (hatched change layer);
``--timeline DATES|all`` puts several snapshots in the page with a control to switch between them.
"""

from __future__ import annotations

import argparse
import datetime as dt

from mapapp.catalog import Catalog, parse_date
from mapapp.errors import CatalogError, ExportError
from mapapp.events import load_events
from mapapp.export import export_html
from mapapp.factions import PALETTES
from mapapp.paths import data_dir
from mapapp.render import MapOptions
from mapapp.render.options import EVENTS_MODES, TILES


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser
) -> None:
    """Add the ``export`` subcommand."""
    p = sub.add_parser(
        "export",
        parents=[parent],
        help="write a snapshot's map as a self-contained HTML file",
        description="Write a snapshot's map as one HTML file that works offline (Leaflet inlined).",
    )
    p.add_argument(
        "--snapshot",
        metavar="DATE|latest",
        help="snapshot date (YYYY-MM-DD; default: latest, or with --timeline the timeline's latest)",
    )
    p.add_argument("--out", required=True, metavar="FILE", help="HTML file to write (replaced atomically)")
    p.add_argument("--events", choices=EVENTS_MODES, default="all", help="which events to mark")
    p.add_argument("--events-file", metavar="FILE", help="events file (default: the bundled events)")
    p.add_argument("--window-days", type=_days, default=60, metavar="N", help="half-width of --events window")
    p.add_argument("--tiles", choices=TILES, default="none", help="extra online tile base maps")
    p.add_argument("--palette", choices=PALETTES, default="default", help="faction colours")
    p.add_argument("--title", help="map title (default: the snapshot's label)")
    change = p.add_mutually_exclusive_group()
    change.add_argument(
        "--compare",
        metavar="DATE",
        help="add the areas gained from the snapshot of DATE to the one shown (hatched change layer)",
    )
    change.add_argument(
        "--timeline",
        metavar="DATES|all",
        help="comma-separated snapshot dates (or 'all') to include, with a control to switch between them",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Export the map (with a change layer or a timeline if asked) and print the path written."""
    catalog = Catalog(data_dir(args.data_dir))
    timeline_dates = _timeline_dates(catalog, args.timeline) if args.timeline else None
    if args.snapshot is not None:
        shown = _catalog_date(catalog, args.snapshot, "--snapshot")
    else:
        shown = timeline_dates[-1] if timeline_dates else catalog.entry("latest").date
    if timeline_dates is not None and shown not in timeline_dates:
        raise ExportError(
            f"--snapshot {shown.isoformat()} is not one of the --timeline dates "
            f"({_listed(timeline_dates)}): add it to --timeline or choose one of them"
        )
    snapshot = catalog.load(shown)
    compare_with = None
    if args.compare:
        other = _catalog_date(catalog, args.compare, "--compare")
        if other == shown:
            raise ExportError(
                f"--compare {other.isoformat()} is the snapshot shown: expected another date to compare "
                f"with; available: {_listed(catalog.dates())}"
            )
        compare_with = catalog.load(other)
    timeline = [snapshot if d == shown else catalog.load(d) for d in timeline_dates or []] or None
    events = None if args.events == "none" else load_events(args.events_file)
    options = MapOptions(
        palette=args.palette,
        tiles=args.tiles,
        events=args.events,
        window_days=args.window_days,
        title=args.title,
    )
    print(export_html(snapshot, events, options, args.out, compare_with=compare_with, timeline=timeline))
    return 0


def _catalog_date(catalog: Catalog, text: str, option: str) -> dt.date:
    """Return the catalog date named by ``text`` (``YYYY-MM-DD`` or ``latest``) for ``option``."""
    try:
        return catalog.entry(text if text == "latest" else parse_date(text)).date
    except CatalogError as exc:
        raise ExportError(
            f"{option} {text!r}: expected the date of a snapshot of the catalog {catalog.dir} "
            f"(YYYY-MM-DD or 'latest'); available: {_listed(catalog.dates())}. "
            "List them with 'mapapp snapshots'."
        ) from exc


def _timeline_dates(catalog: Catalog, text: str) -> list[dt.date]:
    """Return the sorted, distinct dates of ``--timeline`` (``all``: every snapshot of the catalog)."""
    if text.strip() == "all":
        dates = catalog.dates()
    else:
        dates = sorted(
            {_catalog_date(catalog, t.strip(), "--timeline") for t in text.split(",") if t.strip()}
        )
    if len(dates) < 2:
        raise ExportError(
            f"--timeline {text!r}: expected at least two snapshot dates, found {len(dates)}; "
            f"available: {_listed(catalog.dates())}"
        )
    return dates


def _listed(dates: list[dt.date]) -> str:
    return ", ".join(d.isoformat() for d in dates) or "none (the catalog is empty)"


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number of days >= 0, got {text!r}")
    return value

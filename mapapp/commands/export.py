"""``mapapp export``: write a snapshot's map as one self-contained HTML file and print its path."""

from __future__ import annotations

import argparse

from mapapp.catalog import Catalog
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
    p.add_argument("--snapshot", default="latest", metavar="DATE|latest", help="snapshot date (YYYY-MM-DD)")
    p.add_argument("--out", required=True, metavar="FILE", help="HTML file to write (replaced atomically)")
    p.add_argument("--events", choices=EVENTS_MODES, default="all", help="which events to mark")
    p.add_argument("--events-file", metavar="FILE", help="events file (default: the bundled events)")
    p.add_argument("--window-days", type=_days, default=60, metavar="N", help="half-width of --events window")
    p.add_argument("--tiles", choices=TILES, default="none", help="extra online tile base maps")
    p.add_argument("--palette", choices=PALETTES, default="default", help="faction colours")
    p.add_argument("--title", help="map title (default: the snapshot's label)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Export the map and print the path written."""
    snapshot = Catalog(data_dir(args.data_dir)).load(args.snapshot)
    events = None if args.events == "none" else load_events(args.events_file)
    options = MapOptions(
        palette=args.palette,
        tiles=args.tiles,
        events=args.events,
        window_days=args.window_days,
        title=args.title,
    )
    print(export_html(snapshot, events, options, args.out))
    return 0


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number of days >= 0, got {text!r}")
    return value

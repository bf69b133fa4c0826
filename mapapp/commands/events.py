"""``mapapp events``: the events, each with the ground it happened on."""

from __future__ import annotations

import argparse
import csv
import io
import json
from collections.abc import Sequence

from mapapp.catalog import Catalog
from mapapp.context import EventContext, event_contexts
from mapapp.events import Event, load_events
from mapapp.factions import registry
from mapapp.geography import rivers
from mapapp.paths import data_dir


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser
) -> None:
    """Add the ``events`` subcommand."""
    p = sub.add_parser(
        "events",
        parents=[parent],
        help="list events with the faction holding their location and the distance to the front",
        description="For each event: the snapshot in force at its date (the latest not after it), "
        "the faction holding the event's location then, and the geodesic distance in km to the "
        "nearest ground held by another faction.",
    )
    p.add_argument(
        "--snapshot",
        metavar="DATE",
        help="use this snapshot (YYYY-MM-DD or 'latest') for every event instead of the one in force",
    )
    p.add_argument("--events", metavar="FILE", help="events file (default: the bundled events)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print every event with its context."""
    catalog = Catalog(data_dir(args.data_dir))
    events = list(load_events(args.events))
    forced = catalog.entry(args.snapshot).date if args.snapshot else None
    contexts = event_contexts(events, catalog.dates(), catalog.load, snapshot=forced, rivers=rivers())
    render = {"table": format_table, "csv": format_csv, "json": format_json}[args.format]
    print(render(events, contexts), end="")
    return 0


def format_table(events: Sequence[Event], contexts: Sequence[EventContext]) -> str:
    """Return one line per event (date, id, snapshot, holder, nearest other faction, km), then notes."""
    header = ("date", "event", "snapshot", "held by", "nearest other faction", "km", "rivers")
    rows = []
    notes = []
    for event, ctx in zip(events, contexts, strict=True):
        rows.append(
            (
                event.date.isoformat(),
                event.id,
                ctx.snapshot_date.isoformat() if ctx.snapshot_date else "-",
                _short(ctx.faction),
                _short(ctx.other_faction),
                f"{ctx.distance_km:.1f}" if ctx.distance_km is not None else "-",
                _rivers(ctx),
            )
        )
        if ctx.note:
            notes.append(f"  {event.id}: {ctx.note}")
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in (header, *rows)
    ]
    lines.append("")
    lines.append(
        "Distances: geodesic (WGS84) to the nearest area of another faction; no_data is not a faction."
    )
    if notes:
        lines += ["Notes:", *notes]
    return "\n".join(lines) + "\n"


def format_csv(events: Sequence[Event], contexts: Sequence[EventContext]) -> str:
    """Return one CSV row per event: its id, date, title, position and every context field."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    records = [_record(e, c) for e, c in zip(events, contexts, strict=True)]
    columns = list(records[0]) if records else ["event_id"]
    writer.writerow(columns)
    for record in records:
        writer.writerow([_cell(record[c]) for c in columns])
    return buffer.getvalue()


def format_json(events: Sequence[Event], contexts: Sequence[EventContext]) -> str:
    """Return a JSON list of the events with their context."""
    records = [_record(e, c) for e, c in zip(events, contexts, strict=True)]
    return json.dumps(records, indent=1, ensure_ascii=False) + "\n"


def _record(event: Event, ctx: EventContext) -> dict[str, object]:
    context = ctx.to_dict()
    head = {k: context.pop(k) for k in ("event_id", "event_date")}
    return {**head, "title": event.title, "lon": event.lon, "lat": event.lat, **context}


def _cell(value: object) -> object:
    if isinstance(value, list):
        return " | ".join(str(v) for v in value)
    return "" if value is None else value


def _rivers(ctx: EventContext) -> str:
    """Return e.g. ``"across the Euphrates"`` or ``"theirs spans the Euphrates; Euphrates 5.0 km"``."""
    parts = []
    if ctx.across:
        parts.append("across the " + " and the ".join(ctx.across))
    elif ctx.other_spans:
        parts.append("theirs spans the " + " and the ".join(ctx.other_spans))
    if ctx.river is not None and ctx.river_km is not None:
        parts.append(f"{ctx.river} {ctx.river_km:.1f} km")
    return "; ".join(parts) or "-"


def _short(faction: str | None) -> str:
    """Return a table label: the registry's abbreviation in parentheses if any, else its label."""
    if faction is None:
        return "-"
    label = registry().label(faction)
    if label.endswith(")") and "(" in label:
        return label[label.rindex("(") + 1 : -1]
    return label

"""Dated events (battles, captures, strikes) shown as markers on the map.

:func:`load_events` reads the bundled ``geodata/events/events_syr_irq_2016_2018.geojson`` (or a CSV
with the same columns) through pyogrio into an :class:`EventSet` of frozen :class:`Event` objects.
Every problem of a file is collected and raised once as :class:`~mapapp.errors.EventDataError`.

Casualty figures are claims, never settled numbers: the file's ``casualty_claims`` column is one
string such as ``"US: >100 killed; Russian MFA: 5 (prelim.); SOHR: 68"``, split on top-level
semicolons into :class:`CasualtyClaim` objects (claimant = the text before the first colon).

Categories are derived from the id and title by :data:`CATEGORY_RULES`: the first rule whose
keyword occurs (case-insensitively, as a word prefix) wins; ``"event"`` otherwise.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import pyogrio

from mapapp.errors import EventDataError, Problem, format_problems
from mapapp.paths import bundled_data_dir

DEFAULT_EVENTS = Path("events") / "events_syr_irq_2016_2018.geojson"
EVENTS_CREDIT = "Events: compiled for mapapp from public reporting; every figure attributed to its source"
REQUIRED = ("id", "date", "title")

#: (category, keywords) in priority order; matched against ``id + " " + title``.
CATEGORY_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("siege", ("siege", "besieged")),
    ("strike", ("strike", "missile", "airstrike", "bombing", "clash")),
    ("offensive", ("operation", "offensive", "campaign")),
    ("capture", ("take", "takes", "retake", "capture", "liberat", "control", "victory", "fall")),
)
CATEGORY_LABELS = {
    "siege": "Siege broken / siege",
    "strike": "Strike or clash",
    "offensive": "Military operation",
    "capture": "Capture of a place",
    "event": "Other event",
}


@dataclass(frozen=True)
class CasualtyClaim:
    """A casualty figure as stated by someone; ``claimant`` is ``""`` when the file names nobody."""

    claimant: str
    claim: str


@dataclass(frozen=True)
class Event:
    """One dated event with a location, attributed facts, casualty claims and sources."""

    id: str
    date: dt.date
    title: str
    lon: float
    lat: float
    date_end: dt.date | None = None
    place: str = ""
    coord_precision: str = ""
    coord_source: str = ""
    actors: str = ""
    facts: str = ""
    casualty_claims: tuple[CasualtyClaim, ...] = ()
    sources: tuple[str, ...] = ()
    category: str = "event"

    def is_after(self, date: dt.date) -> bool:
        """Whether the event starts after ``date`` (e.g. after a snapshot's date)."""
        return self.date > date


@dataclass(frozen=True)
class EventSet:
    """The events of one file, in date order, with the file's path and credit line."""

    events: tuple[Event, ...]
    source: str = ""
    credit: str = EVENTS_CREDIT
    dropped_links: tuple[Problem, ...] = field(default=(), compare=False)

    def __iter__(self) -> Iterator[Event]:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)

    def get(self, event_id: str) -> Event:
        """Return the event with ``event_id``; ``KeyError`` if there is none."""
        for event in self.events:
            if event.id == event_id:
                return event
        raise KeyError(event_id)

    def window(self, date: dt.date, days: int) -> EventSet:
        """Return the events that overlap ``date ± days`` (an event spans ``date``..``date_end``)."""
        lo, hi = date - dt.timedelta(days=days), date + dt.timedelta(days=days)
        kept = tuple(e for e in self.events if e.date <= hi and (e.date_end or e.date) >= lo)
        return EventSet(kept, self.source, self.credit, self.dropped_links)

    def until(self, date: dt.date) -> EventSet:
        """Return the events that start on or before ``date``."""
        return EventSet(tuple(e for e in self.events if e.date <= date), self.source, self.credit)


def categorise(event_id: str, title: str) -> str:
    """Return the category of an event from its id and title by :data:`CATEGORY_RULES`."""
    text = f"{event_id.replace('_', ' ')} {title}".casefold()
    for category, keywords in CATEGORY_RULES:
        if any(re.search(rf"\b{re.escape(k)}", text) for k in keywords):
            return category
    return "event"


def parse_claims(text: str) -> tuple[CasualtyClaim, ...]:
    """Split a casualty-claims string on top-level ``;`` into claims (claimant before first ``:``)."""
    parts: list[str] = []
    depth, start = 0, 0
    for i, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == ";" and depth <= 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    claims = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        who, sep, what = part.partition(":")
        claims.append(CasualtyClaim(who.strip(), what.strip()) if sep else CasualtyClaim("", part))
    return tuple(claims)


def parse_sources(text: str, where: str) -> tuple[tuple[str, ...], list[Problem]]:
    """Return the http(s) URLs of a ``" | "``-separated sources cell, and a problem per dropped one."""
    urls: list[str] = []
    problems: list[Problem] = []
    for item in (s.strip() for s in text.split("|")):
        if not item:
            continue
        url = item.split()[0]
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc:
            urls.append(url)
        else:
            problems.append(
                Problem(
                    "unsafe-link",
                    "a source link is not an http(s) URL and is not shown",
                    expected="an http:// or https:// URL",
                    found=repr(item),
                    where=where,
                    fix="replace it with the http(s) address of the source",
                    severity="warning",
                )
            )
    return tuple(urls), problems


def load_events(path: str | Path | None = None) -> EventSet:
    """Read an events file (GeoJSON points or CSV with ``lat``/``lon``) into an :class:`EventSet`.

    Parameters
    ----------
    path
        The file; default the bundled ``geodata/events/events_syr_irq_2016_2018.geojson``.

    Returns
    -------
    EventSet
        Events sorted by date; non-http(s) source links are dropped and listed in ``dropped_links``.

    Raises
    ------
    EventDataError
        The file is missing or unreadable, or rows lack an id/date/title or valid coordinates
        (every bad row is listed at once).
    """
    path = Path(path) if path is not None else bundled_data_dir() / DEFAULT_EVENTS
    frame = _read_frame(path)
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise EventDataError(
            f"{path}: missing column(s) {missing!r}; found {list(frame.columns)!r}. "
            f"Fix: the file needs the columns {list(REQUIRED)!r} and coordinates (lat/lon or points)."
        )
    events: list[Event] = []
    problems: list[Problem] = []
    for index, raw in enumerate(frame.to_dict("records")):
        row: dict[str, Any] = {str(k): v for k, v in raw.items()}
        event = _row_event(row, f"{path.name}, row {index} (id {row.get('id')!r})", problems)
        if event is not None:
            events.append(event)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise EventDataError(format_problems(problems, str(path)))
    warnings = tuple(p for p in problems if p.severity == "warning")
    return EventSet(tuple(sorted(events, key=lambda e: (e.date, e.id))), str(path), EVENTS_CREDIT, warnings)


def _read_frame(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise EventDataError(
            f"events file not found: {str(path)!r}. Fix: pass an existing GeoJSON or CSV events file."
        )
    try:
        if path.suffix.lower() == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False)
        frame = pyogrio.read_dataframe(path)
    except Exception as exc:  # pyogrio/pandas raise many types; translate at the edge
        raise EventDataError(
            f"cannot read events file {str(path)!r}: {exc}. Fix: use RFC 7946 GeoJSON or UTF-8 CSV."
        ) from exc
    geoms = frame.geometry
    frame = pd.DataFrame(frame.drop(columns="geometry"))
    frame["lon"] = [g.x if g is not None and g.geom_type == "Point" else None for g in geoms]
    frame["lat"] = [g.y if g is not None and g.geom_type == "Point" else None for g in geoms]
    return frame


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _date(value: Any, column: str, where: str, problems: list[Problem], required: bool) -> dt.date | None:
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.date()
    text = _text(value)
    if not text and not required:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        problems.append(
            Problem(
                "bad-date",
                f"column {column!r} is not an ISO date",
                "YYYY-MM-DD",
                repr(value),
                f"{where}, column {column!r}",
                "write the date as YYYY-MM-DD",
            )
        )
        return None


def _coord(value: Any, column: str, bound: float, where: str, problems: list[Problem]) -> float | None:
    try:
        number = float(_text(value))
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or abs(number) > bound:
        problems.append(
            Problem(
                "bad-coordinate",
                f"column {column!r} is not a valid coordinate",
                f"a number within ±{bound:g}",
                repr(value),
                f"{where}, column {column!r}",
                "give WGS84 decimal degrees (lat, lon)",
            )
        )
        return None
    return number


def _row_event(row: dict[str, Any], where: str, problems: list[Problem]) -> Event | None:
    before = len(problems)
    for column in ("id", "title"):
        if not _text(row.get(column)):
            problems.append(
                Problem(
                    "missing-value",
                    f"column {column!r} is empty",
                    "a non-empty text",
                    repr(row.get(column)),
                    f"{where}, column {column!r}",
                    f"fill in the {column}",
                )
            )
    date = _date(row.get("date"), "date", where, problems, required=True)
    date_end = _date(row.get("date_end"), "date_end", where, problems, required=False)
    lat = _coord(row.get("lat"), "lat", 90, where, problems)
    lon = _coord(row.get("lon"), "lon", 180, where, problems)
    sources, link_problems = parse_sources(_text(row.get("sources")), f"{where}, column 'sources'")
    problems.extend(link_problems)
    if len(problems) > before + len(link_problems) or date is None or lat is None or lon is None:
        return None
    event_id, title = _text(row["id"]), _text(row["title"])
    return Event(
        id=event_id, date=date, date_end=date_end, title=title, lon=lon, lat=lat,
        place=_text(row.get("place")), coord_precision=_text(row.get("coord_precision")),
        coord_source=_text(row.get("coord_source")), actors=_text(row.get("actors")),
        facts=_text(row.get("facts")), casualty_claims=parse_claims(_text(row.get("casualty_claims"))),
        sources=sources, category=categorise(event_id, title),
    )  # fmt: skip

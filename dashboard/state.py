"""The dashboard's view as one value, and its round trip through the URL query parameters.

A link carries ``?date=2017-01-08&faction=sdf&faction=islamic_state&compare=2018-02-07`` (the
snapshot date, the selected factions and the date compared with); opening it reopens the same view.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from mapapp.factions import Palette

DEFAULT_DATE = dt.date(2017, 1, 8)
EventMode = Literal["all", "window", "none"]
BaseMap = Literal["offline", "osm", "positron"]

BASE_MAPS: dict[str, str] = {
    "offline": "Offline vector base (no internet needed)",
    "osm": "OpenStreetMap (online)",
    "positron": "CartoDB Positron (online)",
}
EVENT_MODES: dict[str, str] = {
    "all": "All events",
    "window": "Within N days of the snapshot",
    "none": "No events",
}


@dataclass(frozen=True)
class View:
    """Everything the sidebar decides: which snapshot, which factions, how to draw them."""

    date: dt.date
    factions: tuple[str, ...]
    events: EventMode = "all"
    window_days: int = 180
    categories: tuple[str, ...] = ()
    base: BaseMap = "offline"
    palette: Palette = "default"
    compare: dt.date | None = None


QUERY_KEYS = ("date", "faction", "compare")


def pick_compare(
    requested: str | None, available: Sequence[dt.date], shown: dt.date
) -> tuple[dt.date | None, str | None]:
    """Choose the date to compare with from the ``compare`` query parameter.

    Returns
    -------
    tuple
        The date (``None``: no comparison) and a message for the user when the request could not
        be honoured (malformed, not in the catalog, or the snapshot shown itself).
    """
    if not requested or requested == "none":
        return None, None
    try:
        wanted = dt.date.fromisoformat(requested)
    except ValueError:
        return None, f"The link asks to compare with {requested!r}, expected YYYY-MM-DD; no comparison shown."
    if wanted == shown:
        return None, f"The link asks to compare the snapshot of {wanted} with itself; no comparison shown."
    if wanted not in available:
        known = ", ".join(d.isoformat() for d in available)
        return None, (
            f"The link asks to compare with the snapshot of {wanted}, which is not in the catalog "
            f"(available: {known}); no comparison shown."
        )
    return wanted, None


def pick_date(requested: str | None, available: Sequence[dt.date]) -> tuple[dt.date, str | None]:
    """Choose the snapshot date from a query parameter.

    Parameters
    ----------
    requested
        The ``date`` query parameter, or ``None``.
    available
        The catalog's dates, oldest first (not empty).

    Returns
    -------
    tuple
        The date to show (the request if valid and present, else 2017-01-08 if present, else
        the newest) and a message for the user when the request could not be honoured.
    """
    fallback = DEFAULT_DATE if DEFAULT_DATE in available else available[-1]
    if not requested:
        return fallback, None
    try:
        wanted = dt.date.fromisoformat(requested)
    except ValueError:
        return fallback, (f"The link asks for date {requested!r}, expected YYYY-MM-DD; showing {fallback}.")
    if wanted not in available:
        known = ", ".join(d.isoformat() for d in available)
        return fallback, (
            f"The link asks for the snapshot of {wanted}, which is not in the catalog "
            f"(available: {known}); showing {fallback}."
        )
    return wanted, None


def pick_factions(requested: Sequence[str], present: Sequence[str]) -> tuple[str, ...]:
    """Return the requested factions that the snapshot has (all of them when none are asked)."""
    if not requested:
        return tuple(present)
    chosen = tuple(f for f in present if f in set(requested))
    return chosen


def to_query(view: View, present: Sequence[str]) -> dict[str, str | list[str]]:
    """Return the query parameters of a view (factions only when not all are selected)."""
    query: dict[str, str | list[str]] = {"date": view.date.isoformat()}
    if set(view.factions) != set(present):
        query["faction"] = list(view.factions) if view.factions else ["none"]
    if view.compare is not None:
        query["compare"] = view.compare.isoformat()
    return query


def query_differs(current: Mapping[str, list[str]], wanted: Mapping[str, str | list[str]]) -> bool:
    """Whether the URL's parameters (as lists) differ from ``wanted``."""
    norm = {k: [v] if isinstance(v, str) else list(v) for k, v in wanted.items()}
    return {k: list(v) for k, v in current.items() if k in QUERY_KEYS} != norm

"""Events in context: who held the ground where an event happened, and how far the front was.

For each event :func:`event_contexts` picks the snapshot in force at its date (the latest catalog
date not after it), finds the area holding the event's location on that snapshot
(point-in-polygon) and the nearest area of *another* faction (``no_data`` is not a faction).

Distances are **geodesic on the WGS84 ellipsoid** (``pyproj.Geod``), in km, between the event and
the nearest point of the other faction's area; that nearest point is searched in the equal-area
projection (:data:`mapapp.geography.EQUAL_AREA_CRS`, LAEA centred on 34° N 40° E), whose distortion
over the region is far below the precision of the areas themselves.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import shapely
from pyproj import Geod, Transformer
from shapely.geometry.base import BaseGeometry

from mapapp.factions import NO_DATA, registry
from mapapp.geography import EQUAL_AREA_CRS
from mapapp.snapshot import CRS, ControlSnapshot

_GEOD = Geod(ellps="WGS84")
RIVER_NEAR_KM = 25.0
"""Rivers farther than this from an event are not mentioned."""
RIVER_NAMES = {"Firat": "Euphrates", "Al Furat": "Euphrates", "Dicle": "Tigris"}
"""Natural Earth names of river segments -> the English name shown to readers."""
DISTANCE_METHOD = "geodesic (WGS84 ellipsoid) to the nearest point found in the equal-area projection"


class Located(Protocol):
    """What :mod:`mapapp.context` needs of an event (``mapapp.events.Event`` has it)."""

    @property
    def id(self) -> str: ...  # noqa: D102
    @property
    def date(self) -> dt.date: ...  # noqa: D102
    @property
    def lon(self) -> float: ...  # noqa: D102
    @property
    def lat(self) -> float: ...  # noqa: D102


@dataclass(frozen=True)
class EventContext:
    """The ground an event happened on, according to one snapshot.

    Attributes
    ----------
    event_id, event_date
        The event.
    snapshot_date
        The snapshot used (``None``: no snapshot on or before the event's date).
    faction
        Faction id (or ``no_data``) of the area holding the location; ``None`` if the point lies
        outside every area or there is no snapshot.
    secondary, status
        The holding area's second faction and status (``control``, ``contested``, ``mixed``).
    other_faction
        The nearest other faction's id, ``None`` if there is none.
    distance_km
        Geodesic distance in km to that faction's nearest area (see :data:`DISTANCE_METHOD`).
    nearest_lonlat
        The nearest point of that area, (lon, lat).
    across
        Rivers the shortest line to that area crosses (e.g. ``("Euphrates",)``).
    other_spans
        Rivers running through the other faction's nearest area within :data:`RIVER_NEAR_KM` of
        its nearest point, i.e. it holds both banks there (a bridgehead or a pocket astride it).
    river, river_km
        The nearest named river within :data:`RIVER_NEAR_KM` of the event and its geodesic
        distance in km.
    note
        Why something is missing, or a caveat (snapshot after the event), else ``""``.
    """

    event_id: str
    event_date: dt.date
    snapshot_date: dt.date | None
    faction: str | None = None
    secondary: str | None = None
    status: str | None = None
    other_faction: str | None = None
    distance_km: float | None = None
    nearest_lonlat: tuple[float, float] | None = None
    across: tuple[str, ...] = ()
    other_spans: tuple[str, ...] = ()
    river: str | None = None
    river_km: float | None = None
    note: str = ""

    def to_dict(self) -> dict[str, object]:
        """Return the context as a JSON-safe dictionary (dates as ISO strings), with its summary."""
        return {
            "event_id": self.event_id,
            "event_date": self.event_date.isoformat(),
            "snapshot_date": self.snapshot_date.isoformat() if self.snapshot_date else None,
            "faction": self.faction,
            "secondary": self.secondary,
            "status": self.status,
            "other_faction": self.other_faction,
            "distance_km": self.distance_km,
            "distance_method": DISTANCE_METHOD if self.distance_km is not None else None,
            "nearest_lonlat": list(self.nearest_lonlat) if self.nearest_lonlat else None,
            "across": list(self.across),
            "other_spans": list(self.other_spans),
            "river": self.river,
            "river_km": self.river_km,
            "note": self.note,
            "summary": self.summary(),
        }

    def summary(self) -> str:
        """Return one plain-text sentence, e.g. for a popup (escape it before putting it in HTML)."""
        if self.snapshot_date is None:
            return self.note
        labels = registry().label
        if self.faction is None:
            held = "outside the snapshot's areas"
        elif self.faction == NO_DATA:
            held = "no data for this location"
        else:
            held = f"ground held by {labels(self.faction)}"
            if self.status in ("contested", "mixed") and self.secondary:
                held += f" ({self.status} with {labels(self.secondary)})"
        text = f"On the snapshot of {self.snapshot_date.isoformat()}: {held}"
        if self.other_faction is not None and self.distance_km is not None:
            text += f"; {self.distance_km:.1f} km to ground held by {labels(self.other_faction)}"
            if self.across:
                text += " across the " + " and the ".join(self.across)
            elif self.other_spans:
                text += " (ground reaching across the " + " and the ".join(self.other_spans) + ")"
        if self.river is not None and self.river_km is not None:
            text += f"; the {self.river} is {self.river_km:.1f} km away"
        return f"{text}. {self.note}".strip()


class Locator:
    """One snapshot's areas prepared for point look-ups (projected once, reused per event).

    Parameters
    ----------
    snapshot
        The snapshot to look up.
    rivers
        Optional river lines (GeoDataFrame in EPSG:4326 with a ``name`` column, e.g.
        :func:`mapapp.geography.rivers`) to name the rivers between an event and the other faction.
    """

    def __init__(self, snapshot: ControlSnapshot, rivers: object | None = None) -> None:
        self.snapshot = snapshot
        parts = snapshot.areas.explode(index_parts=False)
        self._geoms = np.asarray(parts.to_crs(EQUAL_AREA_CRS).geometry.values, dtype=object)
        shapely.prepare(self._geoms)
        self._tree = shapely.STRtree(self._geoms)
        self._faction = parts["faction"].astype(str).to_numpy()
        self._secondary = parts["secondary"].to_numpy()
        self._status = parts["status"].astype(str).to_numpy()
        self._to_proj = Transformer.from_crs(CRS, EQUAL_AREA_CRS, always_xy=True)
        self._to_geo = Transformer.from_crs(EQUAL_AREA_CRS, CRS, always_xy=True)
        self._rivers = _river_lines(rivers)

    def context(self, event: Located, note: str = "") -> EventContext:
        """Return the context of ``event`` on this snapshot (see :class:`EventContext`)."""
        point = shapely.Point(*self._to_proj.transform(event.lon, event.lat))
        hits = self._tree.query(point, predicate="intersects")
        holder = int(hits.min()) if hits.size else None
        river, river_km = self._nearest_river(point, (event.lon, event.lat))
        base = EventContext(
            event_id=event.id,
            event_date=event.date,
            snapshot_date=self.snapshot.date,
            faction=None if holder is None else str(self._faction[holder]),
            secondary=None if holder is None else _opt_str(self._secondary[holder]),
            status=None if holder is None else str(self._status[holder]),
            river=river,
            river_km=river_km,
            note=note if holder is not None else _join(note, "The location lies outside every area."),
        )
        return self._nearest_other(base, point, (event.lon, event.lat))

    def _nearest_other(
        self, base: EventContext, point: shapely.Point, lonlat: tuple[float, float]
    ) -> EventContext:
        others = np.flatnonzero((self._faction != NO_DATA) & (self._faction != (base.faction or "")))
        if others.size == 0:
            return base
        best = int(others[int(np.argmin(shapely.distance(self._geoms[others], point)))])
        line = shapely.shortest_line(point, self._geoms[best])
        km, nearest = self._geodesic_km(line, lonlat)
        return dataclasses.replace(
            base,
            other_faction=str(self._faction[best]),
            distance_km=km,
            nearest_lonlat=nearest,
            across=self._names_touching(line),
            other_spans=self._names_spanned(self._geoms[best], shapely.get_point(line, 1)),
        )

    def _geodesic_km(
        self, line: shapely.LineString, lonlat: tuple[float, float]
    ) -> tuple[float, tuple[float, float]]:
        """Geodesic length of ``line`` (projected, starting at the event) and its far end in lon/lat."""
        x, y = shapely.get_coordinates(line)[-1]
        lon, lat = self._to_geo.transform(x, y)
        _, _, metres = _GEOD.inv(lonlat[0], lonlat[1], lon, lat)
        return round(float(metres) / 1000.0, 2), (round(float(lon), 5), round(float(lat), 5))

    def _nearest_river(
        self, point: shapely.Point, lonlat: tuple[float, float]
    ) -> tuple[str | None, float | None]:
        near = [(shapely.distance(g, point), n, g) for n, g in self._rivers]
        near = [item for item in near if item[0] <= RIVER_NEAR_KM * 1000]
        if not near:
            return None, None
        _, name, geom = min(near, key=lambda item: item[0])
        km, _ = self._geodesic_km(shapely.shortest_line(point, geom), lonlat)
        return name, km

    def _names_touching(self, line: shapely.LineString) -> tuple[str, ...]:
        return tuple(n for n, g in self._rivers if shapely.intersects(g, line))

    def _names_spanned(self, area: BaseGeometry, near: shapely.Point) -> tuple[str, ...]:
        """Rivers running through ``area`` within :data:`RIVER_NEAR_KM` of ``near`` (both banks held)."""
        window = shapely.buffer(near, RIVER_NEAR_KM * 1000)
        local = [
            (n, shapely.intersection(g, window)) for n, g in self._rivers if shapely.intersects(g, window)
        ]
        return tuple(n for n, g in local if shapely.relate_pattern(g, area, "T********"))


def snapshot_in_force(dates: Iterable[dt.date], when: dt.date) -> dt.date | None:
    """Return the latest of ``dates`` not after ``when`` (``None`` if all are later)."""
    earlier = [d for d in dates if d <= when]
    return max(earlier) if earlier else None


def event_contexts(
    events: Sequence[Located],
    dates: Sequence[dt.date],
    load: Callable[[dt.date], ControlSnapshot],
    *,
    snapshot: dt.date | None = None,
    rivers: object | None = None,
) -> list[EventContext]:
    """Return the context of every event, loading each snapshot needed once.

    Parameters
    ----------
    events
        The events (anything with ``id``, ``date``, ``lon``, ``lat``).
    dates
        The dates of the available snapshots (e.g. ``Catalog.dates()``).
    load
        Loads the snapshot of a date (e.g. ``Catalog.load``).
    snapshot
        Use this snapshot date for every event instead of the one in force at its date.
    rivers
        River lines to name the rivers crossed (see :class:`Locator`).
    """
    locators: dict[dt.date, Locator] = {}
    result = []
    for event in events:
        chosen = snapshot if snapshot is not None else snapshot_in_force(dates, event.date)
        if chosen is None:
            first = min(dates).isoformat() if dates else "none"
            note = f"No snapshot on or before {event.date.isoformat()} (earliest: {first})."
            result.append(EventContext(event.id, event.date, None, note=note))
            continue
        if chosen not in locators:
            locators[chosen] = Locator(load(chosen), rivers)
        result.append(locators[chosen].context(event, note=_timing_note(chosen, event.date)))
    return result


def contexts_on(
    snapshot: ControlSnapshot, events: Iterable[Located], rivers: object | None = None
) -> dict[str, EventContext]:
    """Return the context of each event on one given snapshot (e.g. the one a map shows), by id.

    Events dated before the snapshot carry a caution note, like ``mapapp events --snapshot``.
    """
    locator = Locator(snapshot, rivers)
    return {e.id: locator.context(e, note=_timing_note(snapshot.date, e.date)) for e in events}


def _timing_note(snapshot_date: dt.date, event_date: dt.date) -> str:
    if snapshot_date > event_date:
        days = (snapshot_date - event_date).days
        return f"Caution: this snapshot is {days} days after the event."
    return ""


def _river_lines(rivers: object | None) -> list[tuple[str, BaseGeometry]]:
    """One projected, prepared line geometry per river (Natural Earth segment names merged)."""
    if rivers is None:
        return []
    frame = rivers.to_crs(EQUAL_AREA_CRS)  # type: ignore[attr-defined]
    frame = frame[frame["name"].notna() & (frame["name"].astype(str) != "")]
    names = frame["name"].astype(str).map(lambda n: RIVER_NAMES.get(n, n))
    merged = [
        (str(n), shapely.union_all(frame.geometry.values[(names == n).to_numpy()]))
        for n in sorted(set(names))
    ]
    for _, geom in merged:
        shapely.prepare(geom)
    return merged


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)

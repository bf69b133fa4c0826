"""The options of a rendered map (:class:`MapOptions`), checked once at the door."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mapapp.factions import PALETTES, Palette

Tiles = Literal["none", "osm", "positron"]
EventsMode = Literal["all", "none", "window"]
TILES: tuple[Tiles, ...] = ("none", "osm", "positron")
EVENTS_MODES: tuple[EventsMode, ...] = ("all", "none", "window")


@dataclass(frozen=True)
class MapOptions:
    """How to draw a snapshot.

    Attributes
    ----------
    palette
        ``"default"`` (the Wikipedia-map convention) or ``"colorblind"`` (Okabe-Ito).
    tiles
        ``"none"`` (offline vector base map only), ``"osm"`` or ``"positron"`` (extra tile base
        layers, fetched from the internet by the browser).
    events
        ``"all"``, ``"none"`` or ``"window"`` (events within ``window_days`` of the snapshot date).
    window_days
        Half-width of the event window, in days.
    title
        Map title; default: the snapshot's label.
    visible_factions
        Faction ids whose layers are shown on opening (``None``: all). Others can be ticked on.
    asset_base_url
        ``None``: Leaflet and plugins are inlined into the page (self-contained). A URL (e.g.
        ``"/app/static/npm"``): they are linked below it, in the ``node_modules`` layout.
    max_error_m
        Geometric error allowed when simplifying the areas (see :mod:`mapapp.prepare`).
    height
        CSS height of the map element (e.g. ``"100%"`` or ``"640px"``).
    fit
        Fit the view to Syria and Iraq once the map has a size (``False``: open on a fixed centre
        and zoom, for a host such as the dashboard that sets the view itself).
    """

    palette: Palette = "default"
    tiles: Tiles = "none"
    events: EventsMode = "all"
    window_days: int = 60
    title: str | None = None
    visible_factions: frozenset[str] | None = None
    asset_base_url: str | None = None
    max_error_m: float = 200.0
    height: str = "100%"
    fit: bool = True

    def __post_init__(self) -> None:
        _check("palette", self.palette, PALETTES)
        _check("tiles", self.tiles, TILES)
        _check("events", self.events, EVENTS_MODES)
        if not isinstance(self.window_days, int) or self.window_days < 0:
            raise ValueError(f"window_days: expected an integer >= 0, found {self.window_days!r}")
        if not 0 <= self.max_error_m <= 5000:
            raise ValueError(f"max_error_m: expected 0..5000 metres, found {self.max_error_m!r}")
        if self.visible_factions is not None:
            object.__setattr__(self, "visible_factions", frozenset(self.visible_factions))


def _check(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name}: expected one of {allowed!r}, found {value!r}")

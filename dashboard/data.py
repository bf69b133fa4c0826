"""Cached data access of the dashboard: every cache is keyed by file path and modification time.

A file replaced on disk (a new import, a re-derived snapshot) has a new modification time, so the
next run reads it again; an unchanged file is read once per server process.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st
import xyzservices

from dashboard import offline
from dashboard.component import MapPayload, fit_controls, payload
from dashboard.state import View
from mapapp import geography
from mapapp.assets import credits as asset_credits
from mapapp.catalog import Catalog, CatalogEntry
from mapapp.compare import Comparison, compare
from mapapp.context import EventContext, Locator, snapshot_in_force
from mapapp.errors import CompareError
from mapapp.events import CATEGORY_LABELS, DEFAULT_EVENTS, Event, EventSet, load_events
from mapapp.paths import bundled_data_dir
from mapapp.prepare import DEFAULT_MAX_ERROR_M, dissolve_areas, prepare_areas
from mapapp.render import MapOptions, build_map
from mapapp.render.change import add_change_layer
from mapapp.render.credits import BORDER_POLICY, snapshot_credits
from mapapp.snapshot import ControlSnapshot


def mtime(path: Path) -> float:
    """Return the modification time of ``path`` (0.0 when it does not exist)."""
    try:
        return path.stat().st_mtime_ns / 1e9
    except FileNotFoundError:
        return 0.0


@st.cache_data(show_spinner=False, max_entries=16)
def _entries(root: str, manifest_mtime: float) -> list[CatalogEntry]:
    del manifest_mtime  # part of the cache key only
    return Catalog(Path(root)).entries()


def entries(root: Path) -> list[CatalogEntry]:
    """Return the catalog's entries, oldest first (re-read when the manifest changes)."""
    catalog = Catalog(root)
    return _entries(str(root), mtime(catalog.manifest_path))


@st.cache_resource(show_spinner=False, max_entries=8)
def _snapshot(root: str, date: str, path: str, file_mtime: float) -> ControlSnapshot:
    del path, file_mtime  # part of the cache key only
    return Catalog(Path(root)).load(dt.date.fromisoformat(date))


def snapshot(root: Path, entry: CatalogEntry) -> ControlSnapshot:
    """Load a snapshot (shared, read-only: :class:`ControlSnapshot` is frozen)."""
    path = Catalog(root).dir / entry.file
    return _snapshot(str(root), entry.date.isoformat(), str(path), mtime(path))


@st.cache_data(show_spinner=False, max_entries=32)
def _stats(root: str, date: str, path: str, file_mtime: float, by: str) -> pd.DataFrame:
    from mapapp.stats import area_stats

    snap = _snapshot(root, date, path, file_mtime)
    return area_stats(snap, by="governorate" if by == "governorate" else "country")


def stats(root: Path, entry: CatalogEntry, by: str = "country") -> pd.DataFrame:
    """Return the area statistics of a snapshot (km² and % per faction, by country or governorate)."""
    path = Catalog(root).dir / entry.file
    return _stats(str(root), entry.date.isoformat(), str(path), mtime(path), by)


@st.cache_resource(show_spinner=False, max_entries=4)
def _events(path: str, file_mtime: float) -> EventSet:
    del file_mtime  # part of the cache key only
    return load_events(path)


def events(path: Path | None = None) -> EventSet:
    """Return the events (default: the bundled file), re-read when the file changes."""
    path = path or bundled_data_dir() / DEFAULT_EVENTS
    return _events(str(path), mtime(path))


def event_categories(event_set: EventSet) -> list[str]:
    """Return the categories present among the events, in the library's order."""
    present = {e.category for e in event_set}
    return [c for c in CATEGORY_LABELS if c in present] + sorted(present - set(CATEGORY_LABELS))


def visible_events(event_set: EventSet, view: View) -> EventSet:
    """Return the events the view shows: none, all, or those within N days; then by category."""
    if view.events == "none":
        return EventSet((), event_set.source, event_set.credit)
    chosen = event_set.window(view.date, view.window_days) if view.events == "window" else event_set
    kept = tuple(e for e in chosen if e.category in set(view.categories))
    return EventSet(kept, event_set.source, event_set.credit)


@st.cache_resource(show_spinner=False)
def governorates() -> gpd.GeoDataFrame:
    """Return the bundled governorate polygons (read once)."""
    return geography.governorates()


def equal_area_crs() -> str:
    """Return the projection areas are measured in (the library's)."""
    return geography.EQUAL_AREA_CRS


def map_options(
    view: View, *, asset_base_url: str | None = None, max_error_m: float = 200.0, fit: bool = True
) -> MapOptions:
    """Return the renderer's options for a view (events are filtered before, by :func:`visible_events`).

    ``fit=False`` for the dashboard's own map: the component sets its view (a map fitted later, once
    a hidden tab gives it a size, would move by itself and send the app a rerun).
    """
    return MapOptions(
        palette=view.palette,
        tiles="none" if view.base == "offline" else view.base,
        events="all",
        asset_base_url=asset_base_url,
        max_error_m=max_error_m,
        fit=fit,
    )


@st.cache_resource(show_spinner=False, max_entries=8)
def _prepared(root: str, date: str, path: str, file_mtime: float) -> ControlSnapshot:
    snap = _snapshot(root, date, path, file_mtime)
    web = prepare_areas(dissolve_areas(snap.areas), max_error_m=DEFAULT_MAX_ERROR_M, with_governorates=False)
    return dataclasses.replace(snap, areas=web[list(snap.areas.columns)])


@dataclass(frozen=True, eq=False)
class Change:
    """A cached comparison and its cache key (both snapshot files' date, path and mtime)."""

    key: tuple[str, ...]
    comparison: Comparison


def _file_key(root: Path, entry: CatalogEntry) -> tuple[str, str, float]:
    path = Catalog(root).dir / entry.file
    return entry.date.isoformat(), str(path), mtime(path)


@st.cache_resource(show_spinner=False, max_entries=8)
def _comparison(
    root: str, a: tuple[str, str, float], b: tuple[str, str, float]
) -> tuple[Comparison | None, str | None]:
    """Compare two snapshot files once per (path, mtime) pair; a CompareError is kept as its text."""
    try:
        return compare(_snapshot(root, *a), _snapshot(root, *b)), None
    except CompareError as exc:
        return None, str(exc)


def comparison(root: Path, shown: CatalogEntry, other: CatalogEntry) -> Change:
    """Return the changes between two snapshots, the earlier one first (cached per both files).

    Raises
    ------
    CompareError
        The snapshots cannot be compared (same date, no overlap, no areas); the message says why.
    """
    a, b = sorted((_file_key(root, shown), _file_key(root, other)))
    result, error = _comparison(str(root), a, b)
    if result is None:
        raise CompareError(error or "the snapshots cannot be compared")
    return Change(key=tuple(map(str, (*a, *b))), comparison=result)


@st.cache_data(show_spinner=False, max_entries=32)
def _payload(
    root: str,
    date: str,
    path: str,
    file_mtime: float,
    key: tuple[object, ...],
    _view: View,
    _change: Change | None,
) -> MapPayload:
    del key  # the cache key: ``_view`` without its factions and the change's key, as plain values
    snap = _prepared(root, date, path, file_mtime)
    chosen = visible_events(events(), _view)
    options = map_options(_view, asset_base_url=offline.STATIC_URL, max_error_m=0.0, fit=False)
    offline.sync_vendor()
    fmap = build_map(snap, chosen, options)
    if _change is not None:
        add_change_layer(fmap, _change.comparison, _view.palette)
    return fit_controls(payload(fmap, snap.factions, _view.palette))


def map_payload(root: Path, entry: CatalogEntry, view: View, change: Change | None = None) -> MapPayload:
    """Return the rendered map of a view, cached per snapshot file and everything but the factions.

    The areas are simplified once per snapshot file (the expensive step); the map is built by the
    same :func:`mapapp.render.build_map` as the export, with Leaflet served by the app itself.
    Faction toggles are not part of the key: they are applied in the browser
    (:func:`dashboard.component.toggle_script`). With ``change`` the gains layer
    (:func:`mapapp.render.change.add_change_layer`) is drawn on top; its files are in the key.
    """
    path = Catalog(root).dir / entry.file
    key = (
        view.date.isoformat(),
        view.events,
        view.window_days,
        view.categories,
        view.base,
        view.palette,
        change.key if change is not None else None,
    )
    return _payload(str(root), entry.date.isoformat(), str(path), mtime(path), key, view, change)


@st.cache_resource(show_spinner=False)
def _rivers() -> gpd.GeoDataFrame:
    return geography.rivers()


@st.cache_resource(show_spinner=False, max_entries=8)
def _locator(root: str, date: str, path: str, file_mtime: float) -> Locator:
    return Locator(_snapshot(root, date, path, file_mtime), _rivers())


def event_context(root: Path, entries: Sequence[CatalogEntry], event: Event) -> EventContext:
    """Return an event's context on the snapshot in force at its date (the latest not after it).

    The snapshot's areas are projected once per file (:class:`mapapp.context.Locator`, cached).
    """
    in_force = snapshot_in_force([e.date for e in entries], event.date)
    if in_force is None:
        first = min(e.date for e in entries).isoformat() if entries else "none"
        note = f"No snapshot on or before {event.date.isoformat()} (earliest: {first})."
        return EventContext(event.id, event.date, None, note=note)
    entry = next(e for e in entries if e.date == in_force)
    return _locator(str(root), *_file_key(root, entry)).context(event)


def export_bytes(
    snap: ControlSnapshot, event_set: EventSet, view: View, compare_with: ControlSnapshot | None = None
) -> bytes:
    """Return the self-contained static HTML export of a view (same options as the CLI's export).

    ``compare_with`` adds the change layer from its date to ``snap``'s (the CLI's ``--compare``).
    """
    from mapapp.export import render_html  # only the Download tab needs the exporter

    page = render_html(
        snap,
        visible_events(event_set, view),
        map_options(view),
        self_contained=True,
        compare_with=compare_with,
    )
    return page.encode("utf-8")


TILE_PROVIDERS = {"osm": "OpenStreetMap.Mapnik", "positron": "CartoDB.Positron"}


def credit_lines(snap: ControlSnapshot, event_set: EventSet, view: View) -> list[tuple[str, str]]:
    """Return ``(text, url)`` credits of everything on screen besides the areas' own source.

    Base data (Natural Earth; GeoNames and Wikipedia when the snapshot uses them), the events
    file, the tile provider of an online base map, and the front-end packages.
    """
    lines = list(snapshot_credits(snap.source, snap.licence))
    if view.events != "none" and len(event_set):
        lines.append((event_set.credit, ""))
    if view.base in TILE_PROVIDERS:
        provider = xyzservices.providers.query_name(TILE_PROVIDERS[view.base])
        lines.append((f"Tiles: {provider.attribution}", ""))
    for package in asset_credits():
        lines.append((f"Map library: {package.name} {package.version} ({package.licence})", ""))
    lines.append((BORDER_POLICY, ""))
    return lines

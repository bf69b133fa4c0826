"""``build_map``: a snapshot, its events and options in, a :class:`folium.Map` out.

:class:`LeafletMap` is a :class:`folium.Map` that carries Leaflet (and the full-screen plugin)
only: none of folium's default jQuery, Bootstrap, Font Awesome or awesome-markers. The assets are
inlined from ``node_modules`` (:mod:`mapapp.assets`) or linked below ``asset_base_url``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, ClassVar

import folium
import folium.plugins
from branca.element import Element

from mapapp import assets
from mapapp.events import Event, EventSet
from mapapp.factions import NO_DATA, registry
from mapapp.prepare import dissolve_areas, prepare_areas
from mapapp.render.basemap import add_base_map
from mapapp.render.credits import attribution_html, map_credits
from mapapp.render.css import MAP_CSS
from mapapp.render.elements import Attribution, FitWhenSized, HtmlControl
from mapapp.render.hatch import HatchDefs, low_pattern_id, pattern_id
from mapapp.render.html import esc
from mapapp.render.layers import add_area_layers, faction_order, is_hatched, low_levels
from mapapp.render.legend import legend_control, legend_html
from mapapp.render.markers import add_event_layer, event_contexts
from mapapp.render.options import MapOptions
from mapapp.snapshot import ControlSnapshot
from mapapp.sources import Credit

BOUNDS = [[29.0, 35.6], [37.4, 48.6]]
"""South-west and north-east corners of Syria and Iraq (lat, lon)."""
UNFITTED_VIEW = ([33.2, 45.0], 5.5)
"""Centre and zoom of a map not fitted (``MapOptions.fit=False``): Syria and Iraq left of the
legend in a map about 750 px wide, as the dashboard shows it."""


class Fullscreen(folium.plugins.Fullscreen):  # type: ignore[misc]
    """folium's full-screen button without its CDN links (the asset comes from ``node_modules``)."""

    default_js: ClassVar[list[tuple[str, str]]] = []
    default_css: ClassVar[list[tuple[str, str]]] = []


class LeafletMap(folium.Map):  # type: ignore[misc]
    """A folium map that loads Leaflet and the full-screen plugin from mapapp's pinned assets only."""

    default_js: ClassVar[list[tuple[str, str]]] = []
    default_css: ClassVar[list[tuple[str, str]]] = []
    ASSET_NAMES = ("leaflet_css", "leaflet_js", "fullscreen_css", "fullscreen_js")

    def __init__(self, *, asset_base_url: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.asset_base_url = asset_base_url

    def asset_markup(self) -> str:
        """Return the ``<script>``/``<style>`` (inline) or ``<script src>``/``<link>`` tags of the assets."""
        if self.asset_base_url is None:
            return "\n".join(assets.inline_tag(n) for n in self.ASSET_NAMES)
        return "\n".join(assets.link_tag(n, self.asset_base_url) for n in self.ASSET_NAMES)

    def render(self, **kwargs: Any) -> None:
        """Put the assets first in the page head, then render as folium does."""
        figure = self.get_root()
        figure.header.add_child(Element(self.asset_markup()), name="mapapp_assets", index=0)
        super().render(**kwargs)


def select_events(events: EventSet | None, snapshot_date: dt.date, options: MapOptions) -> list[Event]:
    """Return the events to draw under ``options.events`` (all, none, or a window around the date)."""
    if events is None or options.events == "none":
        return []
    if options.events == "window":
        return list(events.window(snapshot_date, options.window_days))
    return list(events)


def title_html(title: str, snapshot: ControlSnapshot) -> str:
    """Return the escaped title box: title, date stamp and an approximation warning if any."""
    approx = (
        '<div class="mapapp-approx">Approximate: areas derived from point observations; '
        "see the legend for confidence.</div>"
        if snapshot.is_approximate
        else ""
    )
    return (
        f'<h1>{esc(title)}</h1><div class="mapapp-stamp">Control as of '
        f"{esc(snapshot.date.isoformat())}</div>{approx}"
    )


def build_map(
    snapshot: ControlSnapshot, events: EventSet | None, options: MapOptions | None = None
) -> folium.Map:
    """Draw a control snapshot and its events as a Leaflet map.

    Parameters
    ----------
    snapshot
        The areas to draw (a validated :class:`~mapapp.snapshot.ControlSnapshot`).
    events
        Events to mark, or ``None``; filtered by ``options.events``.
    options
        Palette, tiles, events mode, title, visible factions, asset mode (default :class:`MapOptions`).

    Returns
    -------
    folium.Map
        A :class:`LeafletMap`; ``fmap.get_root().render()`` gives the page.
    """
    options = options or MapOptions()
    title = options.title or snapshot.label
    fmap = new_map(options)
    prepared = prepare_areas(dissolve_areas(snapshot.areas), max_error_m=options.max_error_m)
    fmap.add_child(HatchDefs(patterns_for(prepared, options)))
    add_area_layers(fmap, snapshot, prepared, options.palette, options.visible_factions)
    chosen = select_events(events, snapshot.date, options)
    add_event_layer(fmap, chosen, snapshot.date, event_contexts(snapshot, chosen))
    fmap.add_child(HtmlControl(title_html(title, snapshot), position="topright", css_class="mapapp-title",
                               name="Title"))  # fmt: skip
    fmap.add_child(legend_control(legend_for(snapshot, title, prepared, chosen, options)))
    finish_map(fmap, map_credits(snapshot, with_events=bool(chosen)))
    return fmap


def new_map(options: MapOptions) -> LeafletMap:
    """Return an empty :class:`LeafletMap` on Syria and Iraq, with mapapp's CSS and base map."""
    (centre, zoom) = UNFITTED_VIEW
    fmap = LeafletMap(
        asset_base_url=options.asset_base_url, location=centre, zoom_start=zoom, tiles=None,
        control_scale=True, font_size="12px", height=options.height, prefer_canvas=False, zoom_snap=0.25,
    )  # fmt: skip
    fmap.get_root().header.add_child(Element(f"<style>{MAP_CSS}</style>"), name="mapapp_css")
    # The view is fitted before any layer is added: each is then projected once, at its final zoom.
    if options.fit:
        fmap.add_child(FitWhenSized(BOUNDS, top_left=(0, 40), bottom_right=(250, 0)))
    add_base_map(fmap, options.tiles)
    return fmap


def finish_map(fmap: folium.Map, credits: Sequence[Credit]) -> None:
    """Add the attribution line, full-screen button and layer control."""
    fmap.add_child(Attribution(attribution_html(list(credits))))
    Fullscreen(position="topleft", title="Full screen", title_cancel="Exit full screen").add_to(fmap)
    folium.LayerControl(position="topright", collapsed=True).add_to(fmap)


def _pairs(prepared: Any) -> list[tuple[str, str, str]]:
    rows = prepared[["status", "faction", "secondary"]].itertuples(index=False)
    return sorted({(s, f, sec) for s, f, sec in rows if is_hatched(s, sec)})


def patterns_for(prepared: Any, options: MapOptions) -> dict[str, tuple[str, str, str]]:
    """Return the hatch patterns (id -> colours, kind) the prepared areas of a snapshot use."""
    reg = registry()
    patterns = {
        pattern_id(f, sec, s): (reg.colour(f, options.palette), reg.colour(sec, options.palette), s)
        for s, f, sec in _pairs(prepared)
    }
    low = prepared.loc[prepared["confidence"].isin(list(low_levels(prepared["confidence"]))), "faction"]
    for faction in sorted(set(low)):
        patterns[low_pattern_id(faction)] = (reg.colour(faction, options.palette), "#ffffff", "low")
    return patterns


def legend_for(
    snapshot: ControlSnapshot, title: str, prepared: Any, chosen: list[Event], options: MapOptions
) -> str:
    """Return the legend HTML of a snapshot's prepared areas and the events drawn with it."""
    present = set(prepared["faction"]) | set(prepared["secondary"].dropna())
    factions = [f for f in faction_order(present) if f != NO_DATA] + ([NO_DATA] if NO_DATA in present else [])
    return legend_html(
        snapshot, title, factions, _pairs(prepared), options.palette,
        has_low=bool(low_levels(prepared["confidence"])),
        event_categories=[e.category for e in chosen],
        has_after=any(e.is_after(snapshot.date) for e in chosen),
    )  # fmt: skip

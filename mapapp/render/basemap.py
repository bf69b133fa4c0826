"""The offline vector base map drawn from the bundled Natural Earth data, and optional tiles.

Three panes keep the drawing order whatever layers are toggled: country fills under the areas
(``mapapp-base``), borders, rivers and lakes over them (``mapapp-lines``) and labels on top
(``mapapp-labels``). The fills and the lines are drawn on a Leaflet canvas each, from SVG path
data (:mod:`mapapp.render.picture`): background with no pattern, class or event costs the browser
least that way (no per-vertex JavaScript, one canvas to paint). Context geometries are clipped
to :data:`CLIP_BOX` (the neighbours' far sides are never near the view), simplified
(:data:`SIMPLIFY_DEG`, about 1 km, the accuracy of Natural Earth's 1:10 m data itself) and rounded
to :data:`DECIMALS` decimals; a border shared by two governorates is drawn once.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import shapely
import xyzservices.providers as xyz

from mapapp import geography
from mapapp.render import declutter
from mapapp.render.elements import CanvasRenderers, LabelLayer
from mapapp.render.html import esc
from mapapp.render.options import Tiles
from mapapp.render.picture import Frame, PathPicture

BASE_PANE, LINES_PANE, LABELS_PANE = "mapapp-base", "mapapp-lines", "mapapp-labels"
PANES = ((BASE_PANE, 250), (LINES_PANE, 450), (LABELS_PANE, 460))
SIMPLIFY_DEG = 0.01
DECIMALS = 4
CLIP_BOX = (30.0, 25.0, 52.0, 41.5)
"""The region drawn by the base map (west, south, east, north in degrees)."""
MAX_TOWN_RANK = 8
_FOCUS = ("SYR", "IRQ")
_FRAME = Frame(CLIP_BOX)


def add_panes(fmap: folium.Map) -> CanvasRenderers:
    """Add the base-map panes (non-interactive) to ``fmap``, and a canvas renderer for two of them."""
    for name, z_index in PANES:
        folium.map.CustomPane(name, z_index=z_index, pointer_events=False).add_to(fmap)
    canvas = CanvasRenderers((BASE_PANE, LINES_PANE))
    fmap.add_child(canvas)
    return canvas


def light(geoms: Any, tolerance: float = SIMPLIFY_DEG) -> Any:
    """Return geometries simplified by ``tolerance`` degrees and rounded to :data:`DECIMALS`."""
    simple = shapely.simplify(np.asarray(geoms, dtype=object), tolerance, preserve_topology=True)
    return shapely.set_precision(simple, 10.0**-DECIMALS)


def light_coverage(geoms: Any, tolerance: float = SIMPLIFY_DEG) -> Any:
    """Return a coverage clipped to :data:`CLIP_BOX`, simplified as one (shared borders stay), rounded."""
    clipped = shapely.intersection(np.asarray(geoms, dtype=object), shapely.box(*CLIP_BOX))
    simple = shapely.coverage_simplify(clipped, tolerance)
    return shapely.set_precision(simple, 10.0**-DECIMALS)


def inner_edges(coverage: Any) -> Any:
    """Return the borders between the polygons of a coverage, each drawn once (one geometry)."""
    shared = shapely.union_all(shapely.boundary(np.asarray(coverage, dtype=object)))
    outline = shapely.boundary(shapely.coverage_union_all(np.asarray(coverage, dtype=object)))
    return shapely.line_merge(shapely.difference(shared, outline))


@functools.cache
def base_drawing() -> Mapping[str, str]:
    """Return the path data (:class:`Frame` units) of every base-map geometry, by name.

    The base map comes from the bundled data only, so it is prepared once per process (about
    70 ms), read-only: every map built afterwards reuses it.
    """
    countries = geography.region_countries()
    focus = countries["adm0_a3"].isin(_FOCUS).to_numpy()
    geoms = light_coverage(countries.geometry.values)
    geometries = {
        "focus": shapely.union_all(geoms[focus]),
        "neighbours": shapely.union_all(geoms[~focus]),
        "governorates": inner_edges(light_coverage(geography.governorates().geometry.values)),
        "borders": shapely.union_all(shapely.boundary(geoms[focus])),
        "rivers": shapely.union_all(light(geography.rivers().geometry.values, SIMPLIFY_DEG / 2)),
        "lakes": shapely.union_all(light(geography.lakes().geometry.values, SIMPLIFY_DEG / 2)),
    }
    return MappingProxyType({name: _FRAME.path_data(geom) for name, geom in geometries.items()})


def countries_layer(with_fill: bool, canvas: CanvasRenderers) -> folium.FeatureGroup:
    """Return the layer of country fills, outlines, governorate borders and country names."""
    drawing = base_drawing()
    fill = {"fill": True, "fillOpacity": 1.0 if with_fill else 0.0, "color": "#8a8a8a", "weight": 0.9}
    base, lines = canvas.renderer(BASE_PANE), canvas.renderer(LINES_PANE)
    group = folium.FeatureGroup(name="Base map: countries, governorates", control=True)
    for colour, name in (("#fbfaf6", "focus"), ("#ece8df", "neighbours")):
        group.add_child(PathPicture(drawing[name], _FRAME, {**fill, "fillColor": colour}, base))
    gov_style = {"color": "#6b6b6b", "weight": 0.6, "opacity": 0.55, "dashArray": "2 3"}
    group.add_child(PathPicture(drawing["governorates"], _FRAME, gov_style, lines))
    # Syria's and Iraq's outlines go over the areas; the neighbours' are the stroke of their fill.
    group.add_child(PathPicture(drawing["borders"], _FRAME, {"color": "#3a3a3a", "weight": 1.6}, lines))
    group.add_child(LabelLayer(country_labels(geography.region_countries()), LABELS_PANE))
    return group


def country_labels(countries: gpd.GeoDataFrame) -> list[tuple[float, float, str, str]]:
    """Return a label per country at a point inside it (Syria and Iraq larger)."""
    points = shapely.point_on_surface(np.asarray(countries.geometry.values))
    labels = []
    for code, name, point in zip(countries["adm0_a3"], countries["admin"], points, strict=True):
        css = "mapapp-country-label" + (" mapapp-country-focus" if code in _FOCUS else "")
        labels.append((round(point.y, 3), round(point.x, 3), esc(name), css))
    return labels


def water_layer(canvas: CanvasRenderers) -> folium.FeatureGroup:
    """Return the layer of rivers and lakes."""
    drawing, lines = base_drawing(), canvas.renderer(LINES_PANE)
    group = folium.FeatureGroup(name="Rivers and lakes")
    river_style = {"color": "#5b8fc7", "weight": 1.4, "opacity": 0.9}
    group.add_child(PathPicture(drawing["rivers"], _FRAME, river_style, lines))
    lake_style = {"fill": True, "color": "#5b8fc7", "weight": 0.8, "fillColor": "#a9c9e8", "fillOpacity": 1.0}
    group.add_child(PathPicture(drawing["lakes"], _FRAME, lake_style, lines))
    return group


def towns_layer() -> folium.FeatureGroup:
    """Return the layer of major towns (Natural Earth), a dot and a name each.

    The most populous first; a town whose name would overprint a more populous town's shows
    from the zoom at which the two come apart (:func:`town_zooms`).
    """
    labels, zooms = town_labels()
    group = folium.FeatureGroup(name="Major towns")
    group.add_child(LabelLayer(labels, LABELS_PANE, zooms))
    return group


@functools.cache
def town_labels() -> tuple[tuple[tuple[float, float, str, str], ...], tuple[float | None, ...]]:
    """Return the town labels, most populous first, and the zoom from which each shows.

    From the bundled data only, so computed once per process, like :func:`base_drawing`.
    """
    towns = geography.towns()
    towns = towns[towns["SCALERANK"] <= MAX_TOWN_RANK]
    towns = towns.sort_values("population", ascending=False, kind="stable")
    labels = tuple(
        (round(p.y, 4), round(p.x, 4), f"<i></i>{esc(name)}", "mapapp-town")
        for name, p in zip(towns["name"], towns.geometry, strict=True)
    )
    return labels, tuple(town_zooms(towns))


TOWN_BOX_PX = (-4.0, -7.5, 8.0, 7.5)
"""A town label's box around its place without the name (css.py: the dot, 9 px wide, is centred
on the place, the name starts 12 px right of the dot's left edge; the line is 15 px high)."""


def town_zooms(towns: gpd.GeoDataFrame) -> list[float | None]:
    """Return the zoom from which each town's label shows (None: at every zoom), in row order."""
    left, top, right, bottom = TOWN_BOX_PX
    names = towns["name"]
    boxes = np.array([(left, top, right + declutter.text_width_px(name), bottom) for name in names])
    zooms = declutter.min_zooms(towns.geometry.y.to_numpy(), towns.geometry.x.to_numpy(), boxes)
    return [None if not np.isfinite(z) else math.ceil(z * 100) / 100 for z in zooms]


def add_tiles(fmap: folium.Map, tiles: Tiles) -> None:
    """Add the tile base layers (``osm`` or ``positron`` first and shown, the other selectable).

    URLs and attributions come from xyzservices. CARTO now asks for an API key; the keyless URL is
    used, so Positron may stay blank where CARTO enforces the key (the vector base map remains).
    """
    if tiles == "none":
        return
    providers = {"osm": xyz.OpenStreetMap.Mapnik, "positron": xyz.CartoDB.Positron}
    order = [tiles, *(t for t in providers if t != tiles)]
    for i, key in enumerate(order):
        provider = providers[key]
        url = (
            str(provider["url"])
            .removesuffix("?key={apikey}")
            .replace("{variant}", provider.get("variant", ""))
        )
        folium.TileLayer(
            tiles=url, attr=provider["html_attribution"], name=esc(provider.name), overlay=False,
            show=i == 0, max_zoom=provider.get("max_zoom", 19), subdomains=provider.get("subdomains", "abc"),
        ).add_to(fmap)  # fmt: skip


def add_base_map(fmap: folium.Map, tiles: Tiles) -> None:
    """Add panes, tiles (if any) and the offline vector base map to ``fmap``."""
    canvas = add_panes(fmap)
    add_tiles(fmap, tiles)
    countries_layer(with_fill=tiles == "none", canvas=canvas).add_to(fmap)
    water_layer(canvas).add_to(fmap)
    towns_layer().add_to(fmap)

"""Show a prepared folium map through the streamlit-folium component, without re-rendering it.

``st_folium`` renders the whole map on every run (about half a second for a large snapshot). Here
the rendering is done once into a :class:`MapPayload` (plain strings, cacheable), and each run only
sends that payload, plus a line of JavaScript that shows or hides the faction layers (through the
component's ``feature_group`` argument, which the front end evaluates on the map it already has).
The payload is built with streamlit-folium's own helpers, so the browser side is exactly ``st_folium``'s.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import folium
import streamlit as st
import streamlit_folium as sf

from dashboard.offline import STATIC_URL
from mapapp.assets import ASSETS
from mapapp.factions import Palette
from mapapp.render.layers import layer_name

MAP_VAR = "map_div"
FIT_CSS = (
    "<style>/* dashboard: the legend (bottom right) stops below the title box and the layer "
    "control (top right) instead of running under them */\n"
    ".mapapp-legend { max-height: calc(100vh - 270px) !important; }\n"
    ".mapapp-change-legend { max-width: 240px; }</style>"
)
_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class MapPayload:
    """Everything the streamlit-folium front end needs to draw one map."""

    script: str
    header: str
    html: str
    map_id: str
    bounds: dict[str, dict[str, float]]
    zoom: int | None
    js_links: tuple[str, ...]
    css_links: tuple[str, ...]
    layers: Mapping[str, str]  # faction id -> JavaScript variable of its layer


def asset_links() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return the local URLs of the pinned JS and CSS assets, in load order."""
    js = tuple(f"{STATIC_URL}/{a.url_path}" for a in ASSETS.values() if a.kind == "js")
    css = tuple(f"{STATIC_URL}/{a.url_path}" for a in ASSETS.values() if a.kind == "css")
    return js, css


def payload(fmap: folium.Map, factions: Iterable[str], palette: Palette) -> MapPayload:
    """Render ``fmap`` once into a :class:`MapPayload` (``fmap`` is consumed: do not reuse it).

    Parameters
    ----------
    fmap
        A map from :func:`mapapp.render.build_map` (``asset_base_url`` set, so nothing is inlined).
    factions
        The faction ids drawn, whose layers the page may switch off.
    palette
        The palette the map was drawn with (it names the layers).
    """
    fmap.get_root().render()
    fmap.render()
    html, header = sf._get_html(fmap), sf._get_header(fmap)
    script = sf._get_map_string(fmap)  # renames folium's random ids to stable ones
    names = {layer_name(f, palette): f for f in factions}
    layers = {
        names[child.layer_name]: child.get_name()
        for child in fmap._children.values()
        if isinstance(child, folium.FeatureGroup) and child.layer_name in names
    }
    south, west, north, east = _bounds(fmap)
    js, css = asset_links()
    return MapPayload(
        script=script,
        header=header,
        html=html,
        map_id=sf.get_full_id(fmap),
        bounds={"_southWest": {"lat": south, "lng": west}, "_northEast": {"lat": north, "lng": east}},
        zoom=fmap.options.get("zoom"),
        js_links=js,
        css_links=css,
        layers=layers,
    )


def fit_controls(map_payload: MapPayload) -> MapPayload:
    """Return ``map_payload`` with :data:`FIT_CSS`, which keeps the map's controls apart."""
    return dataclasses.replace(map_payload, header=map_payload.header + FIT_CSS)


def _bounds(fmap: folium.Map) -> tuple[float, float, float, float]:
    (south, west), (north, east) = fmap.get_bounds()
    return float(south), float(west), float(north), float(east)


def toggle_script(map_payload: MapPayload, hidden: Iterable[str]) -> str:
    """Return the JavaScript that shows every faction layer except those of ``hidden``.

    The front end evaluates it whenever it changes, on the map it already has: switching a
    faction re-sends nothing but this line, and the map keeps its zoom and position.
    """
    gone = set(hidden)
    shown = [v for f, v in map_payload.layers.items() if f not in gone and _VAR.match(v)]
    off = [v for f, v in map_payload.layers.items() if f in gone and _VAR.match(v)]
    return (
        f"[{', '.join(shown)}].forEach(function (l) {{ {MAP_VAR}.addLayer(l); }});\n"
        f"[{', '.join(off)}].forEach(function (l) {{ {MAP_VAR}.removeLayer(l); }});\n"
    )


def show(
    map_payload: MapPayload,
    *,
    hidden: Iterable[str] = (),
    key: str,
    height: int = 640,
    returned: Iterable[str] = ("last_clicked", "last_object_clicked", "zoom", "center"),
    center: tuple[float, float] | None = None,
    zoom: float | None = None,
) -> dict[str, Any]:
    """Draw the map (as ``st_folium`` would) and return what the user did on it."""
    returned = list(returned)
    defaults: dict[str, Any] = {
        "last_clicked": None,
        "last_object_clicked": None,
        "bounds": map_payload.bounds,
        "zoom": map_payload.zoom,
        "center": None,
    }
    # the same map keeps the same component instance: only the toggle line changes
    digest = hashlib.sha256((map_payload.script + key).encode()).hexdigest()

    def remember() -> None:
        st.session_state[key] = st.session_state.get(digest, {})

    value = sf._component_func(
        script=map_payload.script,
        header=map_payload.header,
        html=map_payload.html,
        id=map_payload.map_id,
        key=digest,
        height=height,
        width=None,
        returned_objects=returned,
        default={k: v for k, v in defaults.items() if k in returned},
        zoom=zoom,
        center=center,
        feature_group=toggle_script(map_payload, hidden),
        return_on_hover=False,
        layer_control=None,
        pixelated=False,
        css_links=list(map_payload.css_links),
        js_links=list(map_payload.js_links),
        on_change=remember,
        wrap_longitude=False,
    )
    return dict(value) if isinstance(value, dict) else json.loads(json.dumps(value or {}))

"""The change layer: areas gained between two snapshots, hatched in the gainer's colour.

Leaflet has no hatched fill of its own and the folium pattern plugins load their script from a
CDN, which a self-contained export must not do. The hatches are plain SVG ``<pattern>`` elements
instead, inserted once into the page by a tiny script (:class:`HatchPatterns`), and each changed
area is drawn with ``fillColor: "url(#pattern-id)"``, which Leaflet's SVG renderer passes to the
``fill`` attribute; the areas of one gainer are one compact layer (:mod:`mapapp.render.compact`).
Because the patterns are created by the map's own script they also appear where only the script
is embedded (``streamlit_folium``).

Usage::

    result = compare(snapshot_a, snapshot_b)
    add_change_layer(fmap, result, palette="default")
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import folium
import shapely
from branca.element import MacroElement
from folium.template import Template

from mapapp.compare import Comparison
from mapapp.errors import ExportError
from mapapp.factions import Palette, registry
from mapapp.prepare import prepare_areas
from mapapp.render.compact import CompactGeoJson
from mapapp.render.elements import HtmlControl
from mapapp.render.html import esc, swatch
from mapapp.render.layers import css_token
from mapapp.render.markers import context_html

__all__ = [
    "HatchPatterns",
    "add_change_layer",
    "change_legend",
    "context_html",
    "hatch_svg",
    "pattern_id",
    "tooltip_text",
]

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_SAFE_ID = re.compile(r"[^a-z0-9_-]+")
MIN_KM2 = 1.0
"""Transitions smaller than this (km²) are not drawn by default."""
PATTERN_SIZE = 8
"""Spacing of the hatch lines, in screen pixels."""


def pattern_id(faction: str, palette: Palette = "default") -> str:
    """Return the DOM id of the hatch pattern of ``faction`` in ``palette``."""
    return "mapapp-gain-" + _SAFE_ID.sub("-", f"{palette}-{faction}".lower())


def hatch_svg(factions: Iterable[str], palette: Palette = "default") -> str:
    """Return a hidden ``<svg>`` holding one diagonal hatch ``<pattern>`` per faction.

    Parameters
    ----------
    factions
        Faction ids; their colours come from the registry and must be ``#rrggbb``.
    palette
        ``"default"`` or ``"colorblind"``.

    Raises
    ------
    ExportError
        A registry colour is not a ``#rrggbb`` hex colour.
    """
    patterns = []
    for faction in sorted(set(factions)):
        colour = registry().colour(faction, palette)
        if not _HEX.match(colour):
            raise ExportError(
                f"geodata/factions.toml, faction {faction!r}: expected a #rrggbb colour, found "
                f"{colour!r}. Fix the colour in the registry."
            )
        size = PATTERN_SIZE
        patterns.append(
            f'<pattern id="{esc(pattern_id(faction, palette))}" patternUnits="userSpaceOnUse" '
            f'width="{size}" height="{size}" patternTransform="rotate(45)">'
            f'<rect width="{size}" height="{size}" fill="{colour}" fill-opacity="0.15"/>'
            f'<line x1="0" y1="0" x2="0" y2="{size}" stroke="{colour}" stroke-width="3"/></pattern>'
        )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="0" height="0" aria-hidden="true" '
        'style="position:absolute;width:0;height:0;overflow:hidden">'
        f"<defs>{''.join(patterns)}</defs></svg>"
    )


class HatchPatterns(MacroElement):  # type: ignore[misc]
    """Adds the hatch patterns to the page, each once (a script, so it survives embedding).

    The first instance creates a hidden ``<svg id="mapapp-gain-patterns">``; every instance then
    moves in the patterns whose ids are not in the document yet.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var defs = document.getElementById("mapapp-gain-patterns");
            var parsed = document.createElement("div");
            parsed.innerHTML = {{ this.svg|tojson }};
            if (!defs) {
                defs = parsed.firstChild;
                defs.id = "mapapp-gain-patterns";
                document.body.appendChild(defs);
                return;
            }
            parsed.querySelectorAll("pattern").forEach(function (p) {
                if (!document.getElementById(p.id)) { defs.querySelector("defs").appendChild(p); }
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, factions: Iterable[str], palette: Palette = "default") -> None:
        super().__init__()
        self._name = "HatchPatterns"
        self.svg = hatch_svg(factions, palette)


def tooltip_text(from_faction: str, to_faction: str, km2: float) -> str:
    """Return the plain tooltip text ``"from X to Y, N km²"`` with registry labels (escape it)."""
    label = registry().label
    return f"from {label(from_faction)} to {label(to_faction)}, {km2:,.0f} km²"


def add_change_layer(
    fmap: folium.Map,
    comparison: Comparison,
    palette: Palette = "default",
    *,
    name: str | None = None,
    show: bool = True,
    min_km2: float = MIN_KM2,
    max_error_m: float = 200.0,
    legend: bool = True,
) -> folium.FeatureGroup:
    """Draw the areas gained between two snapshots on ``fmap``, as one toggleable layer.

    Each changed polygon of ``comparison.changes`` of at least ``min_km2`` is hatched in the
    gainer's colour and outlined in it, with the tooltip ``"from X to Y, N km²"`` (HTML-escaped);
    one compact layer per gainer. No-data areas are not drawn (they are not gains); the
    statistics (:attr:`Comparison.matrix`) keep every piece, slivers included.

    Parameters
    ----------
    fmap
        The map to draw on (its SVG renderer must be used: ``prefer_canvas=False``).
    comparison
        The result of :func:`mapapp.compare.compare`.
    palette
        ``"default"`` or ``"colorblind"`` (the registry's colours).
    name
        Layer name in the layer control (default ``"Gains <date a> → <date b>"``).
    show
        Whether the layer is visible initially.
    min_km2
        Smaller polygons (border slivers of the two derivations) are not drawn.
    max_error_m
        Simplification bound for the web geometry (see :func:`mapapp.prepare.prepare_areas`).
    legend
        Also add a small box (bottom left) listing each gainer's hatch and km² gained.

    Returns
    -------
    folium.FeatureGroup
        The layer added to ``fmap``.
    """
    changes = comparison.changes[comparison.changes["km2"] >= min_km2]
    if legend:
        fmap.add_child(change_legend(comparison, palette, min_km2))
    group = folium.FeatureGroup(
        name=esc(name or f"Gains {comparison.date_a} → {comparison.date_b}"), show=show
    )
    if not changes.empty:
        HatchPatterns(changes["to_faction"], palette).add_to(fmap)
        prepared = prepare_areas(changes, max_error_m=max_error_m, with_governorates=False)
        for gainer in sorted(set(prepared["to_faction"])):
            _gainer_layer(prepared[prepared["to_faction"] == gainer], gainer, palette).add_to(group)
    group.add_to(fmap)
    _layer_controls_last(fmap)
    return group


def change_legend(
    comparison: Comparison, palette: Palette = "default", min_km2: float = MIN_KM2
) -> HtmlControl:
    """Return a bottom-left box: "Gained <a> → <b> (hatched)", one line per gainer with its km²."""
    gained = comparison.changes.groupby("to_faction")["km2"].sum().sort_values(ascending=False)
    rows = "".join(
        f'<li data-gainer="{esc(f)}">{swatch(_stripes(registry().colour(str(f), palette)))} '
        f"{esc(registry().label(str(f)))}: {km2:,.0f} km²</li>"
        for f, km2 in gained.items()
        if km2 >= min_km2
    )
    body = rows or "<li>no change of control</li>"
    return HtmlControl(
        f'<div class="mapapp-legend-title">Gained {esc(comparison.date_a.isoformat())} → '
        f"{esc(comparison.date_b.isoformat())} (hatched)</div><ul>{body}</ul>"
        '<div class="mapapp-legend-note">Areas that changed hands, in the colour of the side that '
        "gained them; no-data areas are not counted.</div>",
        position="bottomleft",
        css_class="mapapp-legend mapapp-change-legend leaflet-bar",
        name="ChangeLegend",
    )


def _stripes(colour: str) -> str:
    return f"repeating-linear-gradient(45deg, {colour} 0 3px, transparent 3px 6px)"


def _layer_controls_last(fmap: folium.Map) -> None:
    """Move any layer control after the new layer: its script must run once the layer exists."""
    for key, child in list(fmap._children.items()):
        if isinstance(child, folium.LayerControl):
            del fmap._children[key]
            fmap.add_child(child, name=key)


def _gainer_layer(rows: Any, gainer: str, palette: Palette) -> CompactGeoJson:
    """One compact layer with every polygon gained by ``gainer``, each with its escaped tooltip.

    The polygons share one style, so the page draws them as one path (a tooltip per part, see
    :mod:`mapapp.render.compact`); hovering it thickens its outline (``.mapapp-gain:hover``).
    """
    style = {
        "fillColor": f"url(#{pattern_id(gainer, palette)})",
        "fillOpacity": 1.0,
        "color": registry().colour(gainer, palette),
        "weight": 1.5,
        "opacity": 0.9,
        "className": f"mapapp-gain mapapp-gain-{css_token(gainer)}",
    }
    features = [
        {
            "type": "Feature",
            "properties": {
                "from_faction": esc(row.from_faction),
                "to_faction": esc(row.to_faction),
                "km2": round(float(row.km2), 1),
                "tip": esc(tooltip_text(row.from_faction, row.to_faction, row.km2)),
                "style": style,
            },
            "geometry": json.loads(shapely.to_geojson(row.geometry)),
        }
        for row in rows.itertuples()
    ]
    return CompactGeoJson({"type": "FeatureCollection", "features": features}, tooltip_class="mapapp-tip")

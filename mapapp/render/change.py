"""The change layer: areas gained between two snapshots, hatched in the gainer's colour.

Leaflet has no hatched fill of its own and the folium pattern plugins load their script from a
CDN, which a self-contained export must not do. The hatches are plain SVG ``<pattern>`` elements
instead, inserted once into the page by a tiny script (:class:`HatchPatterns`), and each changed
area is drawn with ``fillColor: "url(#pattern-id)"``, which Leaflet's SVG renderer passes to the
``fill`` attribute. Because the patterns are created by the map's own script they also appear
where only the script is embedded (``streamlit_folium``).

Usage::

    result = compare(snapshot_a, snapshot_b)
    add_change_layer(fmap, result, palette="default")
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable

import folium
import shapely
from branca.element import MacroElement
from jinja2 import Template

from mapapp.compare import Comparison
from mapapp.errors import ExportError
from mapapp.factions import Palette, registry

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_SAFE_ID = re.compile(r"[^a-z0-9_-]+")
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
            f'<pattern id="{html.escape(pattern_id(faction, palette))}" patternUnits="userSpaceOnUse" '
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
    """Return the plain tooltip text ``"from X to Y, N km²"`` with registry labels."""
    label = registry().label
    return f"from {label(from_faction)} to {label(to_faction)}, {km2:,.0f} km²"


def safe_html(text: str) -> str:
    """HTML-escape ``text``, also neutralising ``` ` ``` and ``$``.

    folium puts tooltip text inside a JavaScript template literal, where those two are special.
    """
    return html.escape(text).replace("`", "&#96;").replace("$", "&#36;")


def add_change_layer(
    fmap: folium.Map,
    comparison: Comparison,
    palette: Palette = "default",
    *,
    name: str | None = None,
    show: bool = True,
) -> folium.FeatureGroup:
    """Draw the areas gained between two snapshots on ``fmap``, as one toggleable layer.

    Each transition (from, to, country) of ``comparison.changes`` becomes one polygon layer,
    hatched in the gainer's colour and outlined in it, with the tooltip
    ``"from X to Y, N km²"`` (HTML-escaped). No-data areas are not drawn (they are not gains).

    Parameters
    ----------
    fmap
        The map to draw on.
    comparison
        The result of :func:`mapapp.compare.compare`.
    palette
        ``"default"`` or ``"colorblind"`` (the registry's colours).
    name
        Layer name in the layer control (default ``"Gains <date a> → <date b>"``).
    show
        Whether the layer is visible initially.

    Returns
    -------
    folium.FeatureGroup
        The layer added to ``fmap``.
    """
    layer_name = name or f"Gains {comparison.date_a} → {comparison.date_b}"
    group = folium.FeatureGroup(name=safe_html(layer_name), show=show)
    changes = comparison.changes
    HatchPatterns(changes["to_faction"], palette).add_to(fmap)
    for row in changes.itertuples():
        colour = registry().colour(row.to_faction, palette)
        style = {
            "fillColor": f"url(#{pattern_id(row.to_faction, palette)})",
            "fillOpacity": 1.0,
            "color": colour,
            "weight": 1.5,
            "opacity": 0.9,
        }
        feature = {
            "type": "Feature",
            "properties": {"from_faction": row.from_faction, "to_faction": row.to_faction},
            "geometry": json.loads(_to_geojson(row.geometry)),
        }
        folium.GeoJson(
            feature,
            name=f"{row.from_faction}→{row.to_faction} {row.country}",
            style_function=lambda _f, s=style: s,
            highlight_function=lambda _f: {"weight": 3},
            tooltip=folium.Tooltip(safe_html(tooltip_text(row.from_faction, row.to_faction, row.km2))),
            control=False,
        ).add_to(group)
    group.add_to(fmap)
    return group


def _to_geojson(geometry: shapely.Geometry) -> str:
    return str(shapely.to_geojson(geometry))

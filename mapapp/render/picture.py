"""Background geometry drawn on a Leaflet canvas from SVG path data, with no per-vertex JavaScript.

Leaflet projects every vertex of a vector layer in JavaScript, at each zoom, before drawing it;
for a background that never changes (the base map) that was the largest single cost of a page's
first drawing. A :class:`PathPicture` instead carries its geometry as SVG path data in Web
Mercator, in whole units of :data:`UNIT_DEG` (about 11 m) inside a longitude/latitude box
(:class:`Frame`): the browser parses it natively into a ``Path2D`` once, and each drawing maps it to
the screen with one matrix (Mercator is linear in Leaflet's pixels: x is longitude, y is Mercator
northing, both in degrees, so one scale serves both). It is an ordinary Leaflet path on a canvas
renderer: Leaflet keeps the drawing order, redraws it on pan and zoom and applies its style options
(``color``, ``weight``, ``opacity``, ``fillColor``, ``fillOpacity``, ``dashArray``…); line widths
and dashes stay in screen pixels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from branca.element import MacroElement
from folium.template import Template
from folium.utilities import JsCode

from mapapp.render.elements import first_on_page

UNIT_DEG = 1e-4
"""Size of one unit of the path data, in degrees (of longitude or of Mercator northing)."""
PICTURE_JS = """
window.mapappPicture = window.mapappPicture || (function () {
  var Picture = L.Path.extend({
    /* A path given as SVG path data in whole units of a box (west, north at 0, 0). */
    initialize: function (d, bounds, width, options) {
      L.setOptions(this, options);
      this._d = d;
      this._box = L.latLngBounds(bounds);
      this._width = width;
    },
    _project: function () {
      var nw = this._map.latLngToLayerPoint(this._box.getNorthWest()),
          se = this._map.latLngToLayerPoint(this._box.getSouthEast());
      this._origin = nw;
      this._scale = (se.x - nw.x) / this._width;
      this._pxBounds = L.bounds(nw, se);
    },
    _update: function () { if (this._map) { this._updatePath(); } },
    _updatePath: function () { this._renderer._updatePicture(this); },
    _empty: function () { return false; },
    _containsPoint: function () { return false; }
  });
  L.Canvas.include({
    /* The style is applied as Leaflet's own _fillStroke does; that one draws only the context's
       current path, and a Path2D cannot become it, so fill and stroke take the path here. */
    _updatePicture: function (layer) {
      if (!this._drawing) { return; }
      var o = layer.options, ctx = this._ctx, s = layer._scale;
      layer._path2d = layer._path2d || new Path2D(layer._d);
      var path = new Path2D();
      path.addPath(layer._path2d, new DOMMatrix([s, 0, 0, s, layer._origin.x, layer._origin.y]));
      if (o.fill) {
        ctx.globalAlpha = o.fillOpacity;
        ctx.fillStyle = o.fillColor || o.color;
        ctx.fill(path, o.fillRule || "evenodd");
      }
      if (o.stroke && o.weight !== 0) {
        ctx.setLineDash(o._dashArray || []);
        ctx.globalAlpha = o.opacity;
        ctx.lineWidth = o.weight;
        ctx.strokeStyle = o.color;
        ctx.lineCap = o.lineCap;
        ctx.lineJoin = o.lineJoin;
        ctx.stroke(path);
      }
    }
  });
  return function (d, bounds, width, options) { return new Picture(d, bounds, width, options); };
})();
"""
"""The page code of pictures: in the script of the page's first picture (the dashboard's component
runs the map's script, not the page head's)."""


def mercator_deg(lat: np.ndarray) -> np.ndarray:
    """Return Web Mercator northing of latitudes, in degrees (equal to latitude at the equator)."""
    northing: np.ndarray = np.degrees(np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)))
    return northing


@dataclass(frozen=True)
class Frame:
    """A longitude/latitude box (west, south, east, north in degrees) and its path-data units."""

    box: tuple[float, float, float, float]

    @property
    def width(self) -> int:
        """Return the width of the box in units."""
        west, _, east, _ = self.box
        return round((east - west) / UNIT_DEG)

    @property
    def bounds(self) -> list[list[float]]:
        """Return the box as Leaflet bounds, ``[[south, west], [north, east]]``."""
        west, south, east, north = self.box
        return [[south, west], [north, east]]

    def units(self, coords: np.ndarray) -> np.ndarray:
        """Return longitude/latitude pairs as whole units east of the box's west and south of its north."""
        west, _, _, north = self.box
        x = (coords[:, 0] - west) / UNIT_DEG
        y = (mercator_deg(np.array([north]))[0] - mercator_deg(coords[:, 1])) / UNIT_DEG
        units: np.ndarray = np.rint(np.column_stack([x, y])).astype(np.int64)
        return units

    def path_data(self, geom: shapely.Geometry | None) -> str:
        """Return SVG path data of a (multi)polygon or (multi)line: rings closed, relative moves.

        Each ring or line is one absolute move and relative lines in whole units, which keeps the
        text short (about 4 characters per coordinate at the base map's detail).
        """
        if geom is None or shapely.is_empty(geom):
            return ""
        pieces = []
        for part in shapely.get_parts(geom):
            polygon = shapely.get_type_id(part) == 3
            rings = [part.exterior, *part.interiors] if polygon else [part]
            for ring in rings:
                units = self.units(shapely.get_coordinates(ring))
                steps = np.diff(units, axis=0)
                steps = steps[(steps != 0).any(axis=1)]  # vertices merged by rounding
                moves = " ".join(map(str, steps.ravel().tolist()))
                pieces.append(f"M{units[0, 0]} {units[0, 1]}l{moves}{'z' if polygon else ''}")
        return "".join(pieces)


class PathPicture(MacroElement):  # type: ignore[misc]
    """Path data of ``frame`` (:meth:`Frame.path_data`) drawn by a canvas ``renderer`` with a ``style``.

    Parameters
    ----------
    d
        SVG path data in the units of ``frame`` (rings are filled with the even-odd rule).
    frame
        The box the path data is in.
    style
        Leaflet path options (``color``, ``weight``, ``fill``, ``fillColor``…); as for any Leaflet
        path, ``fill`` is off unless asked for.
    renderer
        JavaScript expression of the Leaflet canvas renderer (``CanvasRenderers.renderer``).
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        {%- if this.owns_js %}
        {{ this.picture_js }}
        {%- endif %}
        var {{ this.get_name() }} = mapappPicture({{ this.d|tojson }}, {{ this.bounds|tojson }},
            {{ this.width }}, {{ this.options|tojavascript }}).addTo({{ this._parent.get_name() }});
        {% endmacro %}"""
    )

    def __init__(self, d: str, frame: Frame, style: dict[str, Any], renderer: JsCode) -> None:
        super().__init__()
        self._name = "PathPicture"
        self.d = d
        self.bounds = frame.bounds
        self.width = frame.width
        self.options = {**style, "interactive": False, "renderer": renderer}
        self.picture_js = PICTURE_JS
        self.owns_js = False

    def render(self, **kwargs: Any) -> None:
        """Render; the page's first picture carries :data:`PICTURE_JS`."""
        self.owns_js = first_on_page(self, "picture")
        super().render(**kwargs)

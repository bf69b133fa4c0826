"""Geometry drawn from SVG path data, with no per-vertex JavaScript, on a canvas or in an SVG.

Leaflet projects every vertex of a vector layer in JavaScript, at each zoom, before drawing it; on
a large snapshot that was the largest single cost of a page's first drawing. A :class:`PathPicture`
(and each area of :mod:`mapapp.render.compact`) instead carries its geometry as SVG path data in
Web Mercator, in whole units (:attr:`Frame.unit`, 1e-4 degree by default, about 11 m) of a
longitude/latitude box (:class:`Frame`). Mercator is linear in Leaflet's pixels (x is longitude,
y is Mercator northing, both in degrees), so one scale and one offset map the data to the screen:

- on a canvas renderer, the browser parses the data natively into a ``Path2D`` once, and each
  drawing maps it to the screen with one matrix;
- on the SVG renderer, the data is the path's ``d`` (set once) and each zoom only changes its
  ``transform``; line widths and dashes stay in screen pixels (``vector-effect:
  non-scaling-stroke``) and a ``<pattern>`` filling it is scaled back to screen pixels.

It is an ordinary Leaflet path: Leaflet keeps the drawing order, redraws it on pan and zoom, applies
its style options (``color``, ``weight``, ``opacity``, ``fillColor``, ``fillOpacity``,
``dashArray``, ``className``…) and, in an SVG, fires its mouse events.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from branca.element import MacroElement
from folium.template import Template
from folium.utilities import JsCode

from mapapp.render.elements import first_on_page

UNIT_DEG = 1e-4
"""Default size of one unit of the path data, in degrees (of longitude or of Mercator northing)."""
MAX_LATITUDE = 85.0511287798
"""Leaflet's Web Mercator limit: latitudes beyond are drawn on it."""
_PIECE = re.compile(r"M(-?\d+) (-?\d+)l([-\d ]*)(z?)")
PICTURE_JS = r"""
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
    getCenter: function () {
      /* Where a tooltip or popup opened without a position goes (keyboard focus): the middle of
         the drawn path in an SVG, else of the box. */
      var b = this._path && this._path.getBBox ? this._path.getBBox() : null;
      if (!b || !this._map) { return this._box.getCenter(); }
      var s = this._scale, o = this._origin;
      return this._map.layerPointToLatLng([o.x + (b.x + b.width / 2) * s, o.y + (b.y + b.height / 2) * s]);
    },
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
  L.SVG.include({
    /* The path data is set once per path element; each update only moves and scales it. */
    _updatePicture: function (layer) {
      var path = layer._path, s = layer._scale, o = layer._origin;
      if (!path._mapappDrawn) {
        path.setAttribute("d", layer._d);
        path.setAttribute("vector-effect", "non-scaling-stroke");
        path._mapappDrawn = true;
      }
      path.setAttribute("transform", "matrix(" + s + " 0 0 " + s + " " + o.x + " " + o.y + ")");
      var fill = /^url\(#(.+)\)$/.exec(layer.options.fillColor || "");
      var pattern = fill && document.getElementById(fill[1]);
      if (pattern && pattern._mapappScale !== s) {
        /* userSpaceOnUse patterns take the path's transform: undo its scale, keep their own */
        if (pattern._mapappTransform === undefined) {
          pattern._mapappTransform = pattern.getAttribute("patternTransform") || "";
        }
        pattern.setAttribute("patternTransform", "scale(" + 1 / s + ") " + pattern._mapappTransform);
        pattern._mapappScale = s;
      }
    }
  });
  return function (d, bounds, width, options) { return new Picture(d, bounds, width, options); };
})();
"""
"""The page code of pictures: in the script of the page's first picture (the dashboard's component
runs the map's script, not the page head's). A pattern is scaled for the last picture it filled:
pictures sharing a pattern must share a :attr:`Frame.unit` (mapapp's areas all use one)."""


def mercator_deg(lat: np.ndarray) -> np.ndarray:
    """Return Web Mercator northing of latitudes, in degrees (equal to latitude at the equator)."""
    northing: np.ndarray = np.degrees(np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)))
    return northing


@dataclass(frozen=True)
class Frame:
    """A longitude/latitude box (west, south, east, north in degrees) and its path-data unit."""

    box: tuple[float, float, float, float]
    unit: float = UNIT_DEG

    @classmethod
    def around(cls, bounds: tuple[float, float, float, float], unit: float = UNIT_DEG) -> Frame:
        """Return the frame of whole degrees holding ``bounds`` (west, south, east, north).

        Latitudes are kept within Leaflet's Mercator limit; empty bounds (NaN) give a 1° box.
        """
        if not np.all(np.isfinite(bounds)):
            bounds = (0.0, 0.0, 1.0, 1.0)
        west, south = np.floor(bounds[0]), max(np.floor(bounds[1]), -MAX_LATITUDE)
        east, north = max(np.ceil(bounds[2]), west + 1), min(max(np.ceil(bounds[3]), south + 1), MAX_LATITUDE)
        return cls((float(west), float(south), float(east), float(north)), unit)

    @property
    def width(self) -> int:
        """Return the width of the box in units."""
        west, _, east, _ = self.box
        return round((east - west) / self.unit)

    @property
    def bounds(self) -> list[list[float]]:
        """Return the box as Leaflet bounds, ``[[south, west], [north, east]]``."""
        west, south, east, north = self.box
        return [[south, west], [north, east]]

    @property
    def top(self) -> float:
        """Return the Mercator northing of the box's north edge, in degrees (units count from it)."""
        return float(mercator_deg(np.array([self.box[3]]))[0])

    def units(self, coords: np.ndarray) -> np.ndarray:
        """Return longitude/latitude pairs as whole units east of the box's west and south of its north."""
        lat = np.clip(coords[:, 1], -MAX_LATITUDE, MAX_LATITUDE)
        x = (coords[:, 0] - self.box[0]) / self.unit
        y = (self.top - mercator_deg(lat)) / self.unit
        units: np.ndarray = np.rint(np.column_stack([x, y])).astype(np.int64)
        return units

    def positions(self, units: np.ndarray) -> np.ndarray:
        """Return the longitude/latitude pairs of units (inverse of :meth:`units`, up to rounding)."""
        lon = self.box[0] + units[:, 0] * self.unit
        northing = np.radians(self.top - units[:, 1] * self.unit)
        lat = np.degrees(2 * np.arctan(np.exp(northing)) - np.pi / 2)
        return np.column_stack([lon, lat])

    def read_path(self, d: str) -> list[np.ndarray]:
        """Return the rings and lines of path data (:meth:`path_data`) as longitude/latitude arrays.

        A ring ends on its first position, as in GeoJSON.
        """
        lines = []
        for x, y, moves, _ in _PIECE.findall(d):
            steps = np.array([int(v) for v in moves.split()], dtype=np.int64).reshape(-1, 2)
            units = np.cumsum(np.vstack([[[int(x), int(y)]], steps]), axis=0)
            lines.append(self.positions(units))
        return lines

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

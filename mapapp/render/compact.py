""":class:`CompactGeoJson`: the areas of a map, written the way a browser loads and draws fastest.

folium writes a GeoJSON layer as a JavaScript object literal, gives every feature its own copy of
its style, and Leaflet then projects, clips and simplifies every vertex in JavaScript at each zoom.
With hundreds of thousands of vertices that page spends most of its first drawing there. This
layer writes the same features as

- one JSON text inside a JavaScript string, handed to ``JSON.parse`` (V8 parses JSON text much
  faster than the same object as source code), with compact separators;
- a table of the distinct styles of the layer (``styles``); features drawn alike are merged into
  one multi-part feature (one browser path instead of hundreds) that keeps the index of its style
  (``properties.s``) and the escaped tooltip HTML of each part (``properties.tips``);
- geometry as SVG path data in Web Mercator (:mod:`mapapp.render.picture`, in units of
  :data:`AREA_UNIT_DEG`, the precision the geometry is rounded to): the browser parses it natively
  and each zoom only changes one ``transform`` per path. The tooltip of the part under the pointer
  is found by the browser's own hit test of that part's path (``isPointInPath``).

The Python side keeps folium's full ``data`` (each feature's ``properties.style``), so code and
tests that read a layer's data see GeoJSON as folium would write it. The page payload can be read
back with :func:`read_payloads` (the benchmark's accuracy check does).
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

import folium
import numpy as np
import shapely
from folium.template import Template

from mapapp.render.elements import first_on_page
from mapapp.render.picture import PICTURE_JS, Frame

AREA_UNIT_DEG = 1e-5
"""Unit of the areas' path data, in degrees (about 1 m; coordinates are rounded to 5 decimals)."""
_ESCAPES = {"\\": "\\\\", "'": "\\x27", "<": "\\x3c", "{": "\\x7b", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_ESCAPE_RE = re.compile("[\\\\'<{\u2028\u2029]")
_UNESCAPE_RE = re.compile(r"\\(\\|x27|x3c|x7b|u2028|u2029)")
_UNESCAPES = {"\\": "\\", "x27": "'", "x3c": "<", "x7b": "{", "u2028": "\u2028", "u2029": "\u2029"}
LAYER_JS = """
window.mapappAreas = window.mapappAreas || function (data, options) {
  /* A feature group of one picture (mapapp.render.picture) per merged feature. */
  var box = data.frame.box, bounds = [[box[1], box[0]], [box[3], box[2]]];
  return L.featureGroup(data.features.map(function (f) {
    var fill = {fill: f.geometry.type === "MultiPolygon"},
        style = Object.assign(fill, data.styles[f.properties.s], options);
    var layer = mapappPicture(f.geometry.d.join(""), bounds, data.frame.width, style);
    layer.feature = f;
    return layer;
  }));
};
window.mapappTipAt = window.mapappTipAt || (function () {
  var hit = null;
  return function (layer, latlng) {
    /* The tooltip of the part of a merged feature under latlng (the browser's even-odd hit test
       of that part's path), or null when latlng is in none of its parts (on an outline). */
    var tips = layer.feature.properties.tips, parts = layer.feature.geometry.d;
    if (!tips) { return null; }
    if (tips.length === 1 || !latlng || !layer._map) { return tips[0]; }
    var p = layer._map.latLngToLayerPoint(latlng),
        x = (p.x - layer._origin.x) / layer._scale, y = (p.y - layer._origin.y) / layer._scale;
    hit = hit || document.createElement("canvas").getContext("2d");
    layer._partPaths = layer._partPaths || [];
    for (var i = 0; i < parts.length; i++) {
      var path = layer._partPaths[i] = layer._partPaths[i] || new Path2D(parts[i]);
      if (hit.isPointInPath(path, x, y, "evenodd")) { return tips[i]; }
    }
    return null;
  };
})();
window.mapappBindTips = window.mapappBindTips || function (group, className) {
  /* A sticky tooltip showing the tip of the part under the pointer, updated as it moves. */
  var shown = null;
  group.on("mouseover mousemove click", function (e) {
    var tip = mapappTipAt(e.layer, e.latlng);
    if (tip === null && e.type !== "mouseover") { return; }
    tip = tip === null ? e.layer.feature.properties.tips[0] : tip;
    if (tip !== shown) {
      shown = tip;
      if (e.type === "mousemove" && group.isTooltipOpen()) { group.getTooltip().update(); }
    }
  });
  group.bindTooltip(function (layer) { return shown !== null ? shown : layer.feature.properties.tips[0]; },
                    {sticky: true, className: className});
};
"""
"""The page code of compact layers (building the pictures, the tooltips of merged features): in
the script of the first compact layer of the page, as the dashboard's component runs the map's
script but not the scripts of the page head."""
_PAYLOAD_RE = re.compile(r"mapappAreas\(JSON\.parse\('([^']*)'\)")


def js_string(text: str) -> str:
    r"""Return ``text`` as a single-quoted JavaScript string literal safe inside ``<script>``.

    Backslashes are doubled, ``'`` becomes ``\x27``, ``<`` ``\x3c`` (so no ``</script>`` can appear),
    ``{`` ``\x7b`` (folium compiles rendered scripts as Jinja templates: no ``{{`` or ``{%`` may reach
    it) and the two line separators JSON allows but older JavaScript did not are escaped.
    """
    return "'" + _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(0)], text) + "'"


def compact_payload(data: dict[str, Any]) -> dict[str, Any]:
    """Return a FeatureCollection's page payload: a style table and one feature per style.

    Features drawn alike (same style, same kind of geometry) become one multi-part feature: the
    browser then builds one path instead of hundreds. A merged feature keeps, in ``tips``, the
    tooltip of each of its parts (polygon or line, in order) when the features had one (``tip``);
    ``s`` is the index of its style in ``styles``. Other properties are not needed by the page.
    """
    styles: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    groups: dict[tuple[int, str], dict[str, Any]] = {}
    for feature in data.get("features", []):
        props = feature.get("properties") or {}
        geometry = feature["geometry"]
        key = json.dumps(props.get("style") or {}, sort_keys=True)
        if key not in index:
            index[key] = len(styles)
            styles.append(props.get("style") or {})
        kind = geometry["type"].removeprefix("Multi")
        parts = geometry["coordinates"] if geometry["type"].startswith("Multi") else [geometry["coordinates"]]
        group = groups.setdefault((index[key], kind), {"parts": [], "tips": []})
        group["parts"] += parts
        group["tips"] += [props.get("tip")] * len(parts)
    features = []
    for (style, kind), group in groups.items():
        slim: dict[str, Any] = {"s": style}
        if any(tip is not None for tip in group["tips"]):
            slim["tips"] = group["tips"]
        geometry = {"type": f"Multi{kind}", "coordinates": group["parts"]}
        features.append({"type": "Feature", "geometry": geometry, "properties": slim})
    return {"type": "FeatureCollection", "styles": styles, "features": features}


def picture_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """Return a :func:`compact_payload` with each part's coordinates as path data (``geometry.d``).

    The payload gains ``frame``: the box of whole degrees holding its geometry (west, south, east,
    north), the unit (:data:`AREA_UNIT_DEG`) and the box's width in units.
    """
    parts = [
        [shapely.geometry.shape({"type": f["geometry"]["type"].removeprefix("Multi"), "coordinates": c})
         for c in f["geometry"]["coordinates"]]
        for f in payload["features"]
    ]  # fmt: skip
    every = [part for feature_parts in parts for part in feature_parts]
    bounds = shapely.total_bounds(np.asarray(every, dtype=object)) if every else (np.nan,) * 4
    frame = Frame.around(tuple(bounds), AREA_UNIT_DEG)
    features = [
        {**f, "geometry": {"type": f["geometry"]["type"], "d": [frame.path_data(p) for p in ps]}}
        for f, ps in zip(payload["features"], parts, strict=True)
    ]
    box = {"box": list(frame.box), "unit": frame.unit, "width": frame.width}
    return {**payload, "frame": box, "features": features}


def read_payloads(html: str) -> list[dict[str, Any]]:
    """Return the payloads of every :class:`CompactGeoJson` layer of a page, in page order.

    Each is a FeatureCollection with a ``styles`` table; a feature's style is
    ``payload["styles"][feature["properties"]["s"]]``. Geometry is read back from the path data
    as GeoJSON coordinates (rounded to the frame's unit, about 1 m).
    """
    out = []
    for match in _PAYLOAD_RE.finditer(html):
        payload = json.loads(_UNESCAPE_RE.sub(lambda m: _UNESCAPES[m.group(1)], match.group(1)))
        frame = Frame(tuple(payload["frame"]["box"]), payload["frame"]["unit"])
        for feature in payload["features"]:
            geometry = feature["geometry"]
            parts = [[line.tolist() for line in frame.read_path(d)] for d in geometry.pop("d")]
            if geometry["type"] == "MultiLineString":
                parts = [line for part in parts for line in part]
            feature["geometry"] = {"type": geometry["type"], "coordinates": parts}
        out.append(payload)
    return out


class CompactGeoJson(folium.GeoJson):  # type: ignore[misc]
    """A GeoJSON layer whose features carry their Leaflet style in ``properties.style``.

    Parameters
    ----------
    data
        A FeatureCollection; each feature's ``properties`` hold ``style`` (a Leaflet path style)
        and, optionally, ``tip`` (tooltip HTML, already escaped).
    tooltip_class
        CSS class of the sticky tooltip showing the ``tip`` of the area under the pointer (features
        drawn alike are merged, :func:`compact_payload`); ``None`` binds no tooltip.
    **options
        Leaflet GeoJSON layer options (``pane``, ``interactive``…).
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        {%- if this.owns_picture_js %}
        {{ this.picture_js }}
        {%- endif %}
        {%- if this.owns_js %}
        {{ this.layer_js }}
        {%- endif %}
        var {{ this.get_name() }} = mapappAreas(JSON.parse({{ this.js_payload }}),
            {{ this.options|tojavascript }});
        {%- if this.tooltip_class %}
        mapappBindTips({{ this.get_name() }}, {{ this.tooltip_class|tojson }});
        {%- endif %}
        {% endmacro %}"""
    )

    def __init__(self, data: dict[str, Any], *, tooltip_class: str | None = None, **options: Any) -> None:
        super().__init__(data, control=False, **options)
        self.tooltip_class = tooltip_class
        self.layer_js = LAYER_JS
        self.picture_js = PICTURE_JS
        self.owns_js = self.owns_picture_js = False

    def render(self, **kwargs: Any) -> None:
        """Render as folium does; the first compact layer of a page carries :data:`LAYER_JS`.

        It also carries :data:`~mapapp.render.picture.PICTURE_JS` when no picture came before it.
        """
        self.owns_picture_js = first_on_page(self, "picture")
        self.owns_js = first_on_page(self, "compact")
        super().render(**kwargs)

    @functools.cached_property
    def js_payload(self) -> str:
        """The page payload (:func:`picture_payload` of :func:`compact_payload`) as a JS string.

        Computed once: a layer's script is rendered more than once (the dashboard renders the map,
        then streamlit-folium renders each element's script again), and ``data`` does not change.
        """
        text = json.dumps(
            picture_payload(compact_payload(self.data)), separators=(",", ":"), ensure_ascii=False
        )
        return js_string(text)

""":class:`CompactGeoJson`: a folium GeoJSON layer written the way a browser loads fastest.

folium writes a GeoJSON layer as a JavaScript object literal, gives every feature its own copy of
its style, and binds tooltips through a generated function per layer. With hundreds of areas that
page spends most of its first paint parsing. This layer writes the same features as

- one JSON text inside a JavaScript string, handed to ``JSON.parse`` (V8 parses JSON text much
  faster than the same object as source code), with compact separators;
- a table of the distinct styles of the layer (``styles``); features drawn alike are merged into
  one multi-part feature (one browser path instead of hundreds) that keeps the index of its style
  (``properties.s``) and the escaped tooltip HTML of each part (``properties.tips``);
- coordinates in the encoded-polyline format (Google's, precision 1e-5 degree, the precision the
  geometry is rounded to): about 6 bytes a vertex instead of 20, decoded by the page in one loop.

The Python side keeps folium's full ``data`` (each feature's ``properties.style``), so code and
tests that read a layer's data see GeoJSON as folium would write it. The page payload can be read
back with :func:`read_payloads` (the benchmark's accuracy check does).
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from typing import Any

import folium
from folium.template import Template

from mapapp.render.elements import first_on_page

_ESCAPES = {"\\": "\\\\", "'": "\\x27", "<": "\\x3c", "{": "\\x7b", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_ESCAPE_RE = re.compile("[\\\\'<{\u2028\u2029]")
_UNESCAPE_RE = re.compile(r"\\(\\|x27|x3c|x7b|u2028|u2029)")
_UNESCAPES = {"\\": "\\", "x27": "'", "x3c": "<", "x7b": "{", "u2028": "\u2028", "u2029": "\u2029"}
LAYER_JS = """
window.mapappDecode = window.mapappDecode || function (data) {
  /* Turn every encoded-polyline string of the features' "enc" back into GeoJSON coordinates. */
  var positions = function (str) {
    var out = [], lat = 0, lng = 0, i = 0, n = str.length;
    while (i < n) {
      var b, shift = 0, result = 0;
      do { b = str.charCodeAt(i++) - 63; result |= (b & 31) << shift; shift += 5; } while (b >= 32);
      lat += (result & 1) ? ~(result >> 1) : (result >> 1);
      shift = 0; result = 0;
      do { b = str.charCodeAt(i++) - 63; result |= (b & 31) << shift; shift += 5; } while (b >= 32);
      lng += (result & 1) ? ~(result >> 1) : (result >> 1);
      out.push([lng / 1e5, lat / 1e5]);
    }
    return out;
  };
  var nested = function (x) { return typeof x === "string" ? positions(x) : x.map(nested); };
  data.features.forEach(function (f) {
    f.geometry = {type: f.geometry.type, coordinates: nested(f.geometry.enc)};
  });
  return data;
};
window.mapappTipAt = window.mapappTipAt || function (layer, latlng) {
  /* The tooltip of the part of a merged feature under latlng (even-odd rule over its rings),
     or null when latlng is in none of its parts (on an outline). */
  var tips = layer.feature.properties.tips, parts = layer.feature.geometry.coordinates;
  if (!tips) { return null; }
  if (tips.length === 1 || !latlng) { return tips[0]; }
  var x = latlng.lng, y = latlng.lat;
  for (var i = 0; i < parts.length; i++) {
    var inside = false;
    for (var r = 0; r < parts[i].length; r++) {
      var ring = parts[i][r];
      for (var a = 0, b = ring.length - 1; a < ring.length; b = a++) {
        var ya = ring[a][1], yb = ring[b][1];
        if ((ya > y) !== (yb > y) && x < (ring[b][0] - ring[a][0]) * (y - ya) / (yb - ya) + ring[a][0]) {
          inside = !inside;
        }
      }
    }
    if (inside) { return tips[i]; }
  }
  return null;
};
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
"""The page code of compact layers (the coordinate decoder, the tooltips of merged features): in
the script of the first compact layer of the page, as the dashboard's component runs the map's
script but not the scripts of the page head."""
_PAYLOAD_RE = re.compile(r"var (geo_json_[0-9a-f]+)_data = mapappDecode\(JSON\.parse\('([^']*)'\)\);")


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


def encode_positions(positions: list[list[float]]) -> str:
    """Return ``[[lon, lat], ...]`` in the encoded-polyline format (precision 1e-5 degree)."""
    out: list[str] = []
    last_lat = last_lon = 0
    for position in positions:
        lat, lon = round(position[1] * 1e5), round(position[0] * 1e5)
        for delta in (lat - last_lat, lon - last_lon):
            value = ~(delta << 1) if delta < 0 else delta << 1
            while value >= 0x20:
                out.append(chr((0x20 | (value & 0x1F)) + 63))
                value >>= 5
            out.append(chr(value + 63))
        last_lat, last_lon = lat, lon
    return "".join(out)


def decode_positions(text: str) -> list[list[float]]:
    """Return the ``[[lon, lat], ...]`` of an encoded polyline (inverse of :func:`encode_positions`)."""
    values: list[int] = []
    value = shift = 0
    for char in text:
        byte = ord(char) - 63
        value |= (byte & 0x1F) << shift
        shift += 5
        if byte < 0x20:
            values.append(~(value >> 1) if value & 1 else value >> 1)
            value = shift = 0
    lats, lons = itertools.accumulate(values[0::2]), itertools.accumulate(values[1::2])
    return [[lon / 1e5, lat / 1e5] for lat, lon in zip(lats, lons, strict=True)]


def _encode(coordinates: Any) -> Any:
    if coordinates and isinstance(coordinates[0], list) and not isinstance(coordinates[0][0], list):
        return encode_positions(coordinates)
    return [_encode(c) for c in coordinates]


def _decode(encoded: Any) -> Any:
    return decode_positions(encoded) if isinstance(encoded, str) else [_decode(e) for e in encoded]


def encode_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """Return ``payload`` with each geometry's ``coordinates`` replaced by ``enc``, its encoded lines."""
    features = [
        {**f, "geometry": {"type": f["geometry"]["type"], "enc": _encode(f["geometry"]["coordinates"])}}
        for f in payload["features"]
    ]
    return {**payload, "features": features}


def read_payloads(html: str) -> list[dict[str, Any]]:
    """Return the payloads of every :class:`CompactGeoJson` layer of a page, in page order.

    Each is a FeatureCollection with a ``styles`` table; a feature's style is
    ``payload["styles"][feature["properties"]["s"]]``.
    """
    out = []
    for match in _PAYLOAD_RE.finditer(html):
        payload = json.loads(_UNESCAPE_RE.sub(lambda m: _UNESCAPES[m.group(1)], match.group(2)))
        for feature in payload["features"]:
            geometry = feature["geometry"]
            feature["geometry"] = {"type": geometry["type"], "coordinates": _decode(geometry.pop("enc"))}
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
        {%- if this.owns_js %}
        {{ this.layer_js }}
        {%- endif %}
        var {{ this.get_name() }}_data = mapappDecode(JSON.parse({{ this.js_payload }}));
        var {{ this.get_name() }} = L.geoJson(null, Object.assign({
            style: function (feature) { return {{ this.get_name() }}_data.styles[feature.properties.s]; }
        }, {{ this.options|tojavascript }}));
        {{ this.get_name() }}.addData({{ this.get_name() }}_data);
        {%- if this.tooltip_class %}
        mapappBindTips({{ this.get_name() }}, {{ this.tooltip_class|tojson }});
        {%- endif %}
        {% endmacro %}"""
    )

    def __init__(self, data: dict[str, Any], *, tooltip_class: str | None = None, **options: Any) -> None:
        super().__init__(data, control=False, **options)
        self.tooltip_class = tooltip_class
        self.layer_js = LAYER_JS
        self.owns_js = False

    def render(self, **kwargs: Any) -> None:
        """Render as folium does; the page's first compact layer carries :data:`LAYER_JS`."""
        self.owns_js = first_on_page(self, "compact")
        super().render(**kwargs)

    @functools.cached_property
    def js_payload(self) -> str:
        """The page payload (:func:`compact_payload`, coordinates encoded) as a JS string.

        Computed once: a layer's script is rendered more than once (the dashboard renders the map,
        then streamlit-folium renders each element's script again), and ``data`` does not change.
        """
        text = json.dumps(
            encode_payload(compact_payload(self.data)), separators=(",", ":"), ensure_ascii=False
        )
        return js_string(text)

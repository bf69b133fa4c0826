""":class:`CompactGeoJson`: a folium GeoJSON layer written the way a browser loads fastest.

folium writes a GeoJSON layer as a JavaScript object literal, gives every feature its own copy of
its style, and binds tooltips through a generated function per layer. With hundreds of areas that
page spends most of its first paint parsing. This layer writes the same features as

- one JSON text inside a JavaScript string, handed to ``JSON.parse`` (V8 parses JSON text much
  faster than the same object as source code), with compact separators;
- a table of the distinct styles of the layer (``styles``); each feature keeps only the index of
  its style (``properties.s``) and, when it has one, its escaped tooltip HTML (``properties.tip``).

The Python side keeps folium's full ``data`` (each feature's ``properties.style``), so code and
tests that read a layer's data see GeoJSON as folium would write it. The page payload can be read
back with :func:`read_payloads` (the benchmark's accuracy check does).
"""

from __future__ import annotations

import json
import re
from typing import Any

import folium
from folium.template import Template

_ESCAPES = {"\\": "\\\\", "'": "\\x27", "<": "\\x3c", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_ESCAPE_RE = re.compile("[\\\\'<\u2028\u2029]")
_UNESCAPE_RE = re.compile(r"\\(\\|x27|x3c|u2028|u2029)")
_UNESCAPES = {"\\": "\\", "x27": "'", "x3c": "<", "u2028": "\u2028", "u2029": "\u2029"}
TIP_JS = """
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
"""The tooltip code for merged features, defined by the first layer that needs it (every layer
carries it: the dashboard's component runs the map's script but not scripts of its head)."""
_PAYLOAD_RE = re.compile(r"var (geo_json_[0-9a-f]+)_data = JSON\.parse\('([^']*)'\);")


def js_string(text: str) -> str:
    r"""Return ``text`` as a single-quoted JavaScript string literal safe inside ``<script>``.

    Backslashes are doubled, ``'`` becomes ``\x27`` and ``<`` ``\x3c`` (so no ``</script>`` can appear)
    and the two line separators JSON allows but older JavaScript did not are escaped.
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


def read_payloads(html: str) -> list[dict[str, Any]]:
    """Return the payloads of every :class:`CompactGeoJson` layer of a page, in page order.

    Each is a FeatureCollection with a ``styles`` table; a feature's style is
    ``payload["styles"][feature["properties"]["s"]]``.
    """
    out = []
    for match in _PAYLOAD_RE.finditer(html):
        text = _UNESCAPE_RE.sub(lambda m: _UNESCAPES[m.group(1)], match.group(2))
        out.append(json.loads(text))
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
        var {{ this.get_name() }}_data = JSON.parse({{ this.js_payload() }});
        var {{ this.get_name() }} = L.geoJson(null, Object.assign({
            style: function (feature) { return {{ this.get_name() }}_data.styles[feature.properties.s]; }
        }, {{ this.options|tojavascript }}));
        {{ this.get_name() }}.addData({{ this.get_name() }}_data);
        {%- if this.tooltip_class %}
        {{ this.tip_js }}
        mapappBindTips({{ this.get_name() }}, {{ this.tooltip_class|tojson }});
        {%- endif %}
        {% endmacro %}"""
    )

    def __init__(self, data: dict[str, Any], *, tooltip_class: str | None = None, **options: Any) -> None:
        super().__init__(data, control=False, **options)
        self.tooltip_class = tooltip_class
        self.tip_js = TIP_JS

    def js_payload(self) -> str:
        """Return the page payload (:func:`compact_payload`) as a JavaScript string literal."""
        text = json.dumps(compact_payload(self.data), separators=(",", ":"), ensure_ascii=False)
        return js_string(text)

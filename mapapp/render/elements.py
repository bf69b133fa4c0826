"""Small folium/branca elements that carry HTML without jQuery: popups, tooltips, controls, labels.

Every HTML string reaches the page as a JSON string literal (Jinja's ``tojson``, which also
escapes ``<``, ``>``, ``&`` and ``'``), never spliced into JavaScript source; the HTML itself is
built by mapapp from escaped data (:func:`mapapp.render.html.esc`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from branca.element import Element, MacroElement
from folium.template import Template
from folium.utilities import JsCode


class HtmlPopup(MacroElement):  # type: ignore[misc]
    """Bind a popup with ready-made (escaped) HTML to the parent layer."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindPopup({{ this.html|tojson }}, {{ this.options|tojson }});
        {% endmacro %}"""
    )

    def __init__(self, html: str, max_width: int = 360) -> None:
        super().__init__()
        self._name = "HtmlPopup"
        self.html = html
        self.options = {"maxWidth": max_width, "maxHeight": 420, "className": "mapapp-popup"}


class HtmlTooltip(MacroElement):  # type: ignore[misc]
    """Bind a tooltip with ready-made (escaped) HTML to the parent layer."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindTooltip({{ this.html|tojson }}, {{ this.options|tojson }});
        {% endmacro %}"""
    )

    def __init__(self, html: str, **options: Any) -> None:
        super().__init__()
        self._name = "HtmlTooltip"
        self.html = html
        self.options = {"sticky": True, **options}


class HtmlControl(MacroElement):  # type: ignore[misc]
    """A Leaflet control (a box in a map corner) holding ready-made (escaped) HTML."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function () {
            var control = L.control({position: {{ this.position|tojson }}});
            control.onAdd = function () {
                var div = L.DomUtil.create("div", {{ this.css_class|tojson }});
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            control.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}"""
    )

    def __init__(self, html: str, *, position: str, css_class: str, name: str) -> None:
        super().__init__()
        self._name = name
        self.html = html
        self.position = position
        self.css_class = css_class


class Attribution(MacroElement):  # type: ignore[misc]
    """Add credit lines (ready-made escaped HTML) to the map's attribution control."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        {%- for item in this.items %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ item|tojson }});
        {%- endfor %}
        {% endmacro %}"""
    )

    def __init__(self, items: Sequence[str]) -> None:
        super().__init__()
        self._name = "Attribution"
        self.items = list(items)


class LabelLayer(MacroElement):  # type: ignore[misc]
    """Text labels (and optional dots) at points, as one layer holding one element per label.

    ``labels`` are ``(lat, lon, escaped_html, css_class)``; the parent must be a layer/map.
    ``min_zooms``: per label, the map zoom from which it shows (None: always; see
    :mod:`mapapp.render.declutter`); it is hidden below. One
    container whose HTML is set at once: 55 markers with their own icons, events and objects cost
    several times more to draw. Each label sits in a positioned wrapper, so its class may shift it
    (centre it) with a transform. Wrappers are placed by ``left``/``top``, not by Leaflet's
    ``translate3d``: a 3D transform makes each label a compositing layer of its own (55 layers,
    each painted, committed and rastered apart: 68 layers on a map, 30 without them). During
    a zoom animation a 2D ``translate`` slides each label to its new place with the map's
    transition, and the zoom's end places it again.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.addLayer(new (L.Layer.extend({
            options: {pane: {{ this.pane|tojson }}},
            items: {{ this.labels|tojson }},
            onAdd: function () {
                this._el = L.DomUtil.create("div", "mapapp-label-layer", this.getPane());
                this._el.innerHTML = this.items.map(function (it) {
                    return '<div class="leaflet-zoom-animated"><div class="' + it[3] + '">'
                        + it[2] + "</div></div>";
                }).join("");
                this._reset();
            },
            onRemove: function () { L.DomUtil.remove(this._el); },
            getEvents: function () {
                return {zoomanim: this._animate, viewreset: this._reset, zoomend: this._reset};
            },
            _reset: function () {
                var map = this._map, nodes = this._el.children, zoom = map.getZoom();
                this._at = this.items.map(function (item, i) {
                    var p = map.latLngToLayerPoint([item[0], item[1]]).round(), style = nodes[i].style;
                    style.left = p.x + "px";
                    style.top = p.y + "px";
                    style.transform = "";
                    style.display = item[4] === null || zoom >= item[4] ? "" : "none";
                    return p;
                });
            },
            _animate: function (e) {
                /* slide each label to where the zoom takes it, with the map's zoom transition */
                var map = this._map, nodes = this._el.children, at = this._at;
                this.items.forEach(function (item, i) {
                    var p = map._latLngToNewLayerPoint([item[0], item[1]], e.zoom, e.center).round();
                    var dx = p.x - at[i].x, dy = p.y - at[i].y;
                    nodes[i].style.transform = "translate(" + dx + "px," + dy + "px)";
                });
            }
        }))());
        {% endmacro %}"""
    )

    def __init__(self, labels: Sequence[tuple[float, float, str, str]], pane: str,
                 min_zooms: Sequence[float | None] | None = None) -> None:  # fmt: skip
        super().__init__()
        self._name = "LabelLayer"
        shown_from = list(min_zooms) if min_zooms is not None else [None] * len(labels)
        if len(shown_from) != len(labels):
            raise ValueError(f"{len(labels)} labels but {len(shown_from)} zooms to show them from")
        self.labels = [[*item, zoom] for item, zoom in zip(labels, shown_from, strict=True)]
        self.pane = pane


class FitWhenSized(MacroElement):  # type: ignore[misc]
    """Fit the map to ``bounds`` now if it has room, else when it first gets a size; never animated.

    A map drawn in a hidden container (a dashboard tab not shown) has no size: fitting it then
    would divide by zero (Leaflet raises "Invalid LatLng object: (NaN, NaN)"). An animated fit
    would zoom for 250 ms after the layers were drawn at the first zoom, then project and draw
    every layer again: the view is set at once instead, so each layer is drawn once.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map) {
            var fit = function () { map.fitBounds({{ this.bounds|tojson }}, {{ this.options|tojson }}); };
            var size = map.getSize();
            if (size.x > {{ this.min_width }} && size.y > {{ this.min_height }}) { fit(); }
            else { map.once("resize", fit); }
        })({{ this._parent.get_name() }});
        {% endmacro %}"""
    )

    def __init__(self, bounds: Sequence[Sequence[float]], *, top_left: tuple[int, int],
                 bottom_right: tuple[int, int]) -> None:  # fmt: skip
        super().__init__()
        self._name = "FitWhenSized"
        self.bounds = [list(corner) for corner in bounds]
        self.options = {
            "paddingTopLeft": list(top_left), "paddingBottomRight": list(bottom_right), "animate": False,
        }  # fmt: skip
        self.min_width = top_left[0] + bottom_right[0]
        self.min_height = top_left[1] + bottom_right[1]


class CanvasRenderers(MacroElement):  # type: ignore[misc]
    """One Leaflet canvas renderer per named pane, for layers that need no SVG (see ``renderer``)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        var {{ this.get_name() }} = {};
        {%- for pane in this.panes %}
        {{ this.get_name() }}[{{ pane|tojson }}] = L.canvas({pane: {{ pane|tojson }}});
        {%- endfor %}
        {% endmacro %}"""
    )

    def __init__(self, panes: Sequence[str]) -> None:
        super().__init__()
        self._name = "CanvasRenderers"
        self.panes = list(panes)

    def renderer(self, pane: str) -> JsCode:
        """Return the JavaScript expression of the renderer of ``pane`` (a layer's ``renderer``)."""
        if pane not in self.panes:
            raise ValueError(f"no canvas renderer for pane {pane!r}; panes: {self.panes}")
        return JsCode(f"{self.get_name()}[{json.dumps(pane)}]")


def first_on_page(element: Element, key: str) -> bool:
    """Return whether ``element`` is the first of its page to ask for the page code named ``key``.

    That element carries the code in its own script: the dashboard's component runs the map's
    script but not the scripts of the page head.
    """
    root = element.get_root()
    owners: dict[str, Element] = root.__dict__.setdefault("_mapapp_page_code_owners", {})
    return owners.setdefault(key, element) is element

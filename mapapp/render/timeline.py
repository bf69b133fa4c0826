"""A timeline: several snapshots in one map, with a control that shows one of them at a time.

:func:`build_timeline` draws every snapshot into the same page, once each: one layer set per
snapshot (a GeoJSON layer per faction, a marker group of its events), each styled for its own date
(events after the *selected* snapshot are faded and say so; each popup gives the event's context
on that snapshot). The layer control keeps one overlay per faction over all snapshots: each
faction's :class:`folium.FeatureGroup` holds one GeoJSON layer per snapshot, and only the selected
snapshot's layer is a member of the group. Switching therefore keeps the reader's choice of
factions, and untouched snapshots are never drawn (folium adds a layer with ``show=False`` to no
parent).

The control (:class:`TimelineControl`) is a group of radio buttons (keyboard: Tab to the group,
arrow keys to step through the dates); choosing one swaps the layers and replaces the title box's
date stamp and the legend with the selected snapshot's, all prepared and escaped in Python. The
map container's ``data-snapshot`` attribute names the snapshot shown.

Usage::

    fmap = build_timeline([snap_2017, snap_2018], load_events(), MapOptions(), initial=snap_2017.date)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import folium
import geopandas as gpd
from branca.element import Element, MacroElement
from folium.template import Template

from mapapp.errors import ExportError
from mapapp.events import Event, EventSet
from mapapp.prepare import dissolve_areas, prepare_areas
from mapapp.render.credits import map_credits
from mapapp.render.elements import HtmlControl
from mapapp.render.hatch import HatchDefs
from mapapp.render.html import esc
from mapapp.render.layers import faction_layers, faction_order, layer_name
from mapapp.render.legend import legend_control
from mapapp.render.map import (
    LeafletMap,
    finish_map,
    legend_for,
    new_map,
    patterns_for,
    select_events,
    title_html,
)
from mapapp.render.markers import event_contexts, event_group
from mapapp.render.options import MapOptions
from mapapp.snapshot import ControlSnapshot
from mapapp.sources import Credit

EVENTS = "__events__"
"""Key of the events group among the groups of a timeline (no faction id starts with ``_``)."""
TIMELINE_CSS = """
.mapapp-timeline { background: rgba(255,255,255,.94); padding: 5px 9px; font-size: 12px; }
.mapapp-timeline fieldset { border: 0; margin: 0; padding: 0; }
.mapapp-timeline legend { font-weight: 700; padding: 0; margin-bottom: 2px; }
.mapapp-timeline label { display: block; cursor: pointer; white-space: nowrap; padding: 1px 0; }
.mapapp-timeline input { margin: 0 5px 0 0; vertical-align: -2px; }
.mapapp-timeline input:focus-visible { outline: 2px solid #1f5fa8; outline-offset: 1px; }
"""


@dataclass(frozen=True)
class Frame:
    """One snapshot of a timeline as the page needs it.

    Attributes
    ----------
    date
        The snapshot's date.
    title, legend
        Escaped HTML of the title box and of the legend while this snapshot is shown.
    members
        ``(group, layer)`` pairs: the layers of this snapshot and the control-listed group each
        belongs to (a faction's group, or the events group).
    """

    date: dt.date
    title: str
    legend: str
    members: tuple[tuple[folium.FeatureGroup, folium.Layer], ...]


class TimelineControl(MacroElement):  # type: ignore[misc]
    """Radio buttons (one per snapshot) that swap the frames' layers, title and legend."""

    _template = Template(
        """{% macro script(this, kwargs) %}
(function () {
    var map = {{ this._parent.get_name() }};
    var frames = {
    {%- for frame in this.frames %}
        {{ frame.date|tojson }}: {title: {{ frame.title|tojson }}, legend: {{ frame.legend|tojson }},
            layers: [{% for group, layer in frame.members %}[{{ group }}, {{ layer }}], {% endfor %}]},
    {%- endfor %}
    };
    var current = {{ this.initial|tojson }};
    var box = map.getContainer();
    function show(date) {
        if (date === current || !frames[date]) { return; }
        map.closePopup();
        frames[current].layers.forEach(function (p) { p[0].removeLayer(p[1]); });
        frames[date].layers.forEach(function (p) { p[0].addLayer(p[1]); });
        box.querySelector(".mapapp-title").innerHTML = frames[date].title;
        box.querySelector(".mapapp-legend:not(.mapapp-change-legend)").innerHTML = frames[date].legend;
        box.setAttribute("data-snapshot", date);
        current = date;
    }
    var control = L.control({position: "topleft"});
    control.onAdd = function () {
        var div = L.DomUtil.create("div", "mapapp-timeline leaflet-bar");
        div.innerHTML = {{ this.html|tojson }};
        div.querySelectorAll("input").forEach(function (input) {
            input.addEventListener("change", function () { if (input.checked) { show(input.value); } });
        });
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
    };
    control.addTo(map);
    box.setAttribute("data-snapshot", current);
})();
{% endmacro %}"""
    )

    def __init__(self, frames: Sequence[Frame], initial: dt.date) -> None:
        super().__init__()
        self._name = "TimelineControl"
        self.initial = initial.isoformat()
        self.frames = [
            {
                "date": f.date.isoformat(),
                "title": f.title,
                "legend": f.legend,
                "members": [(g.get_name(), layer.get_name()) for g, layer in f.members],
            }
            for f in frames
        ]
        self.html = control_html([f.date for f in frames], initial, self.get_name())


def control_html(dates: Sequence[dt.date], initial: dt.date, name: str) -> str:
    """Return the escaped radio group: one labelled radio button per date, ``initial`` checked."""
    items = "".join(
        f'<label data-date="{d.isoformat()}"><input type="radio" name="{esc(name)}" '
        f'value="{d.isoformat()}"{" checked" if d == initial else ""}>{esc(_day(d))}</label>'
        for d in dates
    )
    return f"<fieldset><legend>Snapshot</legend>{items}</fieldset>"


def _day(date: dt.date) -> str:
    return f"{date.day} {date:%b %Y}"


def build_timeline(
    snapshots: Sequence[ControlSnapshot],
    events: EventSet | None,
    options: MapOptions | None = None,
    *,
    initial: dt.date | None = None,
) -> LeafletMap:
    """Draw several snapshots in one map with a control to show one at a time.

    Parameters
    ----------
    snapshots
        The snapshots (distinct dates; drawn in date order).
    events
        Events to mark, or ``None``; chosen per snapshot by ``options.events`` (a window follows
        the snapshot) and styled relative to it.
    options
        As for :func:`mapapp.render.build_map`; ``options.title`` (if set) replaces every
        snapshot's label in the title box.
    initial
        The date shown on opening (default: the latest).

    Returns
    -------
    LeafletMap
        ``fmap.get_root().render()`` gives the page.

    Raises
    ------
    ExportError
        No snapshot, two snapshots of one date, or ``initial`` is not one of their dates.
    """
    options = options or MapOptions()
    ordered = _ordered(snapshots, initial)
    start = initial or ordered[-1].date
    fmap = new_map(options)
    fmap.get_root().header.add_child(Element(f"<style>{TIMELINE_CSS}</style>"), name="mapapp_timeline_css")
    prepared = {
        s.date: prepare_areas(dissolve_areas(s.areas), max_error_m=options.max_error_m) for s in ordered
    }
    patterns: dict[str, tuple[str, str, str]] = {}
    for frame_areas in prepared.values():
        patterns.update(patterns_for(frame_areas, options))
    fmap.add_child(HatchDefs(patterns))
    groups = _faction_groups(fmap, prepared.values(), options)
    chosen = {s.date: select_events(events, s.date, options) for s in ordered}
    if any(chosen.values()):
        groups[EVENTS] = folium.FeatureGroup(name="Events")
        groups[EVENTS].add_to(fmap)
    frames = [_frame(s, prepared[s.date], chosen[s.date], groups, options, s.date == start) for s in ordered]
    first = next(f for f in frames if f.date == start)
    fmap.add_child(HtmlControl(first.title, position="topright", css_class="mapapp-title", name="Title"))
    fmap.add_child(legend_control(first.legend))
    finish_map(fmap, _credits(ordered, chosen))
    fmap.add_child(TimelineControl(frames, start))  # top left, under the zoom and full-screen buttons
    return fmap


def _ordered(snapshots: Sequence[ControlSnapshot], initial: dt.date | None) -> list[ControlSnapshot]:
    ordered = sorted(snapshots, key=lambda s: s.date)
    dates = [s.date.isoformat() for s in ordered]
    if not ordered:
        raise ExportError("a timeline needs at least one snapshot, found none: give its dates")
    if len(set(dates)) != len(dates):
        raise ExportError(f"a timeline needs distinct dates, found {dates!r}: give each date once")
    if initial is not None and initial not in {s.date for s in ordered}:
        raise ExportError(
            f"the snapshot to show first, {initial.isoformat()}, is not one of the timeline's dates "
            f"{dates!r}: add it to the timeline or choose one of them"
        )
    return ordered


def _faction_groups(
    fmap: folium.Map, prepared: Iterable[gpd.GeoDataFrame], options: MapOptions
) -> dict[str, folium.FeatureGroup]:
    """Add one control-listed group per faction present in any snapshot (registry order)."""
    present: set[str] = set()
    for frame_areas in prepared:
        present |= set(frame_areas["faction"])
    visible = options.visible_factions
    groups = {}
    for faction in faction_order(present):
        shown = visible is None or faction in visible
        groups[faction] = folium.FeatureGroup(name=layer_name(faction, options.palette), show=shown)
        groups[faction].add_to(fmap)
    return groups


def _frame(
    snapshot: ControlSnapshot,
    prepared: gpd.GeoDataFrame,
    chosen: list[Event],
    groups: dict[str, folium.FeatureGroup],
    options: MapOptions,
    shown: bool,
) -> Frame:
    """Put one snapshot's layers into the groups (added to the map only if ``shown``)."""
    members: list[tuple[folium.FeatureGroup, folium.Layer]] = []
    for faction, layer in faction_layers(snapshot, prepared, options.palette).items():
        layer.show = shown
        groups[faction].add_child(layer)
        members.append((groups[faction], layer))
    if chosen:
        contexts = event_contexts(snapshot, chosen)
        markers = event_group(chosen, snapshot.date, contexts, show=shown, control=False)
        groups[EVENTS].add_child(markers)
        members.append((groups[EVENTS], markers))
    title = options.title or snapshot.label
    return Frame(
        date=snapshot.date,
        title=title_html(title, snapshot),
        legend=legend_for(snapshot, title, prepared, chosen, options),
        members=tuple(members),
    )


def _credits(ordered: Sequence[ControlSnapshot], chosen: dict[dt.date, list[Event]]) -> list[Credit]:
    """Return every snapshot's credits once each, in order of first appearance."""
    credits: dict[Credit, None] = {}
    for snapshot in ordered:
        credits.update(dict.fromkeys(map_credits(snapshot, with_events=bool(chosen[snapshot.date]))))
    return list(credits)

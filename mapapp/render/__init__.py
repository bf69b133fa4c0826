"""Rendering: the only code of mapapp that imports folium and branca.

``build_map(snapshot, events, options)`` returns a :class:`folium.Map` (a :class:`LeafletMap`);
``build_timeline(snapshots, events, options, initial=date)`` draws several snapshots in one map
with a control to switch between them (:mod:`mapapp.render.timeline`).
"""

from mapapp.render.map import LeafletMap, build_map, select_events
from mapapp.render.options import MapOptions
from mapapp.render.timeline import build_timeline

__all__ = ["LeafletMap", "MapOptions", "build_map", "build_timeline", "select_events"]

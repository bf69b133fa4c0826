"""Rendering: the only code of mapapp that imports folium and branca.

``build_map(snapshot, events, options)`` returns a :class:`folium.Map` (a :class:`LeafletMap`).
"""

from mapapp.render.map import LeafletMap, build_map, select_events
from mapapp.render.options import MapOptions

__all__ = ["LeafletMap", "MapOptions", "build_map", "select_events"]

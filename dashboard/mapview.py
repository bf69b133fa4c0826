"""The map section: the same ``build_map`` as the export, shown with ``st_folium``, plus details.

The map's Leaflet files come from the app's own static folder (:mod:`dashboard.offline`); the
prepared map is cached per (snapshot file, mtime, view), so a rerun that changes nothing on the
map rebuilds nothing. The last zoom and centre are passed back so the view survives reruns.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import streamlit as st

from dashboard import component, data, details
from dashboard.state import View
from dashboard.text import md, md_link
from mapapp.catalog import CatalogEntry
from mapapp.context import EventContext
from mapapp.events import Event, EventSet
from mapapp.factions import registry
from mapapp.snapshot import ControlSnapshot

MAP_KEY = "map"
MAP_HEIGHT = 700


def _view_state() -> tuple[tuple[float, float] | None, float | None]:
    """Return the centre and zoom the user left the map at (None until they moved it)."""
    last = st.session_state.get(MAP_KEY) or {}
    centre, zoom = last.get("center") or {}, last.get("zoom")
    try:
        lat, lng = float(centre["lat"]), float(centre["lng"])
    except (KeyError, TypeError, ValueError):
        return None, None
    if not (math.isfinite(lat) and math.isfinite(lng)):
        return None, None
    return (lat, lng), float(zoom) if isinstance(zoom, (int, float)) and math.isfinite(zoom) else None


def _carried_view(map_payload: component.MapPayload) -> tuple[tuple[float, float] | None, float | None]:
    """Return the centre and zoom to hand to the map component.

    A new map (another snapshot, palette or base) opens where the user left the previous one;
    the same map gets the same values as on its first run, so the browser never moves it back.
    """
    mark = hash(map_payload.script)
    carried = st.session_state.get("_map_view")
    if carried is None or carried[0] != mark:
        carried = (mark, *_view_state())
        st.session_state["_map_view"] = carried
    return carried[1], carried[2]


@st.fragment
def section(
    root: Path,
    entries: Sequence[CatalogEntry],
    entry: CatalogEntry,
    snap: ControlSnapshot,
    events: EventSet,
    view: View,
    change: data.Change | None = None,
) -> None:
    """Draw the map (with the gains layer when ``change`` is given) and the details of a click.

    A fragment: panning or clicking the map reruns this section only.
    """
    col_map, col_info = st.columns([4, 1], gap="medium")
    with col_map:
        with st.spinner("Drawing the map…"):
            map_payload = data.map_payload(root, entry, view, change)
        centre, zoom = _carried_view(map_payload)
        hidden = [f for f in snap.factions if f not in set(view.factions)]
        out = component.show(
            map_payload, hidden=hidden, key=MAP_KEY, height=MAP_HEIGHT, center=centre, zoom=zoom
        )
        if not view.factions:
            st.caption("Every faction is switched off: tick some in the sidebar.")
    with col_info:
        show_details(snap, events, view, out, lambda e: data.event_context(root, entries, e))


def show_details(
    snap: ControlSnapshot,
    events: EventSet,
    view: View,
    out: dict[str, Any],
    context_of: Callable[[Event], EventContext] | None = None,
) -> None:
    """Show the clicked event (marker) or area, or a hint when nothing is selected."""
    st.markdown("#### Details")
    obj = out.get("last_object_clicked") or {}
    click = out.get("last_clicked") or {}
    shown = data.visible_events(events, view).events
    if obj and shown:
        idx = details.nearest([(e.lon, e.lat) for e in shown], obj["lng"], obj["lat"])
        if idx is not None:
            _event(snap, shown[idx])
            if context_of is not None:
                _context(context_of(shown[idx]))
            return
    point = click or obj
    if not point:
        st.caption("Click an area or an event marker on the map to see its details here.")
        return
    row = details.area_at(snap, float(point["lng"]), float(point["lat"]))
    if row is None:
        st.caption("No control area at this spot (outside Syria and Iraq).")
        return
    record = details.area_record(snap, row, data.governorates(), data.equal_area_crs())
    for key, value in record.items():
        st.markdown(f"**{key}:** {md(str(value))}")


def _event(snap: ControlSnapshot, event: Event) -> None:
    st.markdown(f"**{md(event.title)}**")
    st.caption(f"{event.date} · {md(event.place)}")
    if getattr(event, "facts", ""):
        st.markdown(md(event.facts))
    claims = list(getattr(event, "casualty_claims", ()) or ())
    if claims:
        st.markdown("**Casualty claims** (claims, not settled figures):")
        for claim in claims:
            st.markdown(f"- {md(str(claim.claim))} — *{md(str(claim.claimant))}*")
    holder = details.faction_at(snap, event.lon, event.lat)
    st.markdown(f"**Held on {snap.date}:** {md(holder or 'no control area here')}")
    urls = details.links(getattr(event, "sources", ()) or ())
    if urls:
        st.markdown("**Sources:**  \n" + "  \n".join(md_link(_host(u), u) for u in urls))


def _context(context: EventContext) -> None:
    """Show the event's context on the snapshot in force at its date (:mod:`mapapp.context`)."""
    st.markdown("**In context**")
    if context.snapshot_date is None:
        st.caption(md(context.note))
        return
    label = registry().label
    held = "outside every area" if context.faction is None else label(context.faction)
    lines = [
        f"**Snapshot in force:** {context.snapshot_date} (the latest not after the event)",
        f"**Held then by:** {md(held)}",
    ]
    if context.other_faction is not None and context.distance_km is not None:
        across = f" across the {' and the '.join(context.across)}" if context.across else ""
        if not across and context.other_spans:
            across = f" (their ground reaches across the {' and the '.join(context.other_spans)})"
        lines.append(
            f"**Nearest other faction:** {md(label(context.other_faction))}, "
            f"{context.distance_km:.1f} km{md(across)}"
        )
    if context.river is not None and context.river_km is not None:
        lines.append(f"**Nearest river:** the {md(context.river)}, {context.river_km:.1f} km away")
    st.markdown("  \n".join(lines))
    if context.note:
        st.caption(md(context.note))


def _host(url: str) -> str:
    return url.split("//", 1)[-1].split("/", 1)[0]

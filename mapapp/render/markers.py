"""Event markers: an inline-SVG icon per category (a ``L.divIcon``, no icon font) and a popup.

The popup lists the title, date, place, every casualty claim with who made it (first: they are
what readers look for, and short), actors, the attributed facts, and the source links
(http/https only, ``rel="noopener noreferrer"``). Events dated
after the snapshot get a faded, dashed icon and say "after this snapshot". Each popup can end with
the event's context on the snapshot shown (:mod:`mapapp.context`): who held the ground there and
how far the nearest other faction was (:func:`context_html`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import folium

from mapapp.context import EventContext, contexts_on
from mapapp.events import CATEGORY_LABELS, Event
from mapapp.geography import rivers
from mapapp.render.elements import HtmlPopup, HtmlTooltip
from mapapp.render.html import esc, link
from mapapp.render.layers import css_token
from mapapp.snapshot import ControlSnapshot

ICON_SIZE = 26
#: category -> SVG drawing (white on the marker's dark disc), 20×20 view box.
ICONS = {
    "strike": '<path d="M10 1l2 6 6-2-4 5 5 3-6 1 1 6-4-4-4 4 1-6-6-1 5-3-4-5 6 2z" fill="#fff"/>',
    "capture": '<path d="M5 2v17" stroke="#fff" stroke-width="2"/>'
    '<path d="M6 3h10l-3 4 3 4H6z" fill="#fff"/>',
    "offensive": '<path d="M2 8h9V3l8 7-8 7v-5H2z" fill="#fff"/>',
    "siege": '<circle cx="10" cy="10" r="6.5" fill="none" stroke="#fff" stroke-width="2.4" '
    'stroke-dasharray="3 2"/><circle cx="10" cy="10" r="2" fill="#fff"/>',
    "event": '<circle cx="10" cy="10" r="4" fill="#fff"/>',
}


def icon_svg(category: str) -> str:
    """Return the inline ``<svg>`` of an event category (``event`` for unknown ones)."""
    drawing = ICONS.get(category, ICONS["event"])
    return f'<svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">{drawing}</svg>'


def format_dates(event: Event) -> str:
    """Return ``"7 Feb 2018"`` or ``"7 Feb 2018 – 8 Feb 2018"``."""
    first = _day(event.date)
    return f"{first} – {_day(event.date_end)}" if event.date_end and event.date_end != event.date else first


def _day(date: dt.date) -> str:
    return f"{date.day} {date:%b %Y}"


def context_html(context: EventContext) -> str:
    """Return the escaped popup fragment of an event's context.

    A ``<p class="mapapp-context">`` holding :meth:`EventContext.summary`, e.g. "On the snapshot of
    2018-02-07: ground held by Syrian Democratic Forces (SDF); 2.2 km to ground held by ...".
    """
    return (
        f'<p class="mapapp-context" data-faction="{esc(context.faction or "")}">'
        f"<b>Ground:</b> {esc(context.summary())}</p>"
    )


def event_contexts(snapshot: ControlSnapshot, events: Sequence[Event]) -> dict[str, EventContext]:
    """Return the context of each event on ``snapshot`` by event id (rivers named); ``{}`` if none."""
    if not events:
        return {}
    return contexts_on(snapshot, events, rivers())


def event_popup(event: Event, snapshot_date: dt.date | None, context: EventContext | None = None) -> str:
    """Return the escaped popup HTML of an event (with its context on the snapshot shown, if given)."""
    parts = []
    if snapshot_date is not None and event.is_after(snapshot_date):
        parts.append(
            f'<div class="mapapp-after">After this snapshot ({esc(snapshot_date.isoformat())}): '
            "not reflected in the areas shown</div>"
        )
    category = CATEGORY_LABELS.get(event.category, event.category)
    parts.append(f"<h4>{esc(event.title)}</h4>")
    parts.append(f'<div class="mapapp-date">{esc(format_dates(event))} · {esc(category)}</div>')
    if event.place:
        parts.append(f"<p><b>Place:</b> {esc(event.place)}</p>")
    if event.casualty_claims:
        items = "".join(
            f"<li><b>{esc(c.claimant or 'Unattributed')}:</b> {esc(c.claim)}</li>"
            for c in event.casualty_claims
        )
        parts.append(
            '<p class="mapapp-claims-head"><b>Casualty claims</b> (as stated by each party, '
            f'not verified):</p><ul class="mapapp-claims">{items}</ul>'
        )
    for label, value in (("Actors", event.actors), ("Facts", event.facts)):
        if value:
            parts.append(f"<p><b>{label}:</b> {esc(value)}</p>")
    links = [a for a in (link(url) for url in event.sources) if a]
    if links:
        parts.append('<p><b>Sources:</b></p><ol class="mapapp-sources">')
        parts.extend(f"<li>{a}</li>" for a in links)
        parts.append("</ol>")
    if context is not None:
        parts.append(context_html(context))
    if event.coord_precision:
        parts.append(f'<p class="mapapp-coords">Location precision: {esc(event.coord_precision)}</p>')
    return "".join(parts)


def event_marker(
    event: Event, snapshot_date: dt.date | None, context: EventContext | None = None
) -> folium.Marker:
    """Return the marker of an event: category icon, tooltip with its title, popup (with context)."""
    after = snapshot_date is not None and event.is_after(snapshot_date)
    classes = f"mapapp-event mapapp-cat-{css_token(event.category)}" + (
        " mapapp-event-after" if after else ""
    )
    html = f'<div class="{classes}" data-event="{esc(event.id)}">{icon_svg(event.category)}</div>'
    half = ICON_SIZE // 2
    marker = folium.Marker(
        location=[event.lat, event.lon],
        icon=folium.DivIcon(
            html=html, icon_size=(ICON_SIZE, ICON_SIZE), icon_anchor=(half, half), class_name="mapapp-divicon"
        ),
    )
    when = " (after this snapshot)" if after else ""
    marker.add_child(HtmlTooltip(f"{esc(format_dates(event))}: {esc(event.title)}{esc(when)}", sticky=False))
    marker.add_child(HtmlPopup(event_popup(event, snapshot_date, context), max_width=380))
    return marker


def event_group(
    events: Sequence[Event],
    snapshot_date: dt.date | None,
    contexts: Mapping[str, EventContext] | None = None,
    *,
    name: str | None = None,
    show: bool = True,
    control: bool = True,
) -> folium.FeatureGroup:
    """Return a FeatureGroup with one marker per event, each popup with its context if known."""
    contexts = contexts or {}
    group = folium.FeatureGroup(name=name, show=show, control=control)
    for event in events:
        group.add_child(event_marker(event, snapshot_date, contexts.get(event.id)))
    return group


def add_event_layer(
    fmap: folium.Map,
    events: list[Event],
    snapshot_date: dt.date | None,
    contexts: Mapping[str, EventContext] | None = None,
) -> folium.FeatureGroup | None:
    """Add a FeatureGroup ``Events (n)`` with one marker per event; ``None`` when there are no events.

    ``contexts`` (event id -> :class:`~mapapp.context.EventContext`, see :func:`event_contexts`)
    adds each event's ground to its popup.
    """
    if not events:
        return None
    group = event_group(events, snapshot_date, contexts, name=f"Events ({len(events)})")
    group.add_to(fmap)
    return group

"""The categorical legend: title, snapshot date, every faction present, hatching, confidence, events.

Built as escaped HTML (:func:`legend_html`) shown in a Leaflet control
(:class:`~mapapp.render.elements.HtmlControl`), so it stays visible in full-screen mode.
"""

from __future__ import annotations

from collections.abc import Iterable

from mapapp.events import CATEGORY_LABELS
from mapapp.factions import Palette, registry
from mapapp.render.credits import BORDER_POLICY
from mapapp.render.elements import HtmlControl
from mapapp.render.hatch import css_dots, css_stripes
from mapapp.render.html import esc, swatch
from mapapp.render.markers import icon_svg
from mapapp.snapshot import ControlSnapshot

MAX_PAIRS = 6


def faction_items(factions: Iterable[str], palette: Palette) -> list[str]:
    """Return one ``<li>`` per faction: colour swatch and label."""
    reg = registry()
    return [
        f'<li data-faction="{esc(f)}">{swatch(reg.colour(f, palette))}{esc(reg.label(f))}</li>'
        for f in factions
    ]


def hatch_items(pairs: Iterable[tuple[str, str, str]], palette: Palette) -> list[str]:
    """Return one ``<li>`` per (status, faction, secondary) pair drawn with stripes."""
    reg = registry()
    items = []
    unique: dict[tuple[str, frozenset[str]], tuple[str, str, str]] = {}
    for status, first, second in sorted(set(pairs)):
        unique.setdefault((status, frozenset((first, second))), (status, first, second))
    for status, first, second in list(unique.values())[:MAX_PAIRS]:
        stripes = css_stripes(reg.colour(first, palette), reg.colour(second, palette), status)
        word = "Contested" if status == "contested" else "Shared / mixed"
        items.append(
            f'<li data-hatch="{esc(status)}">{swatch(stripes)}{esc(word)}: '
            f"{esc(reg.label(first))} / {esc(reg.label(second))}</li>"
        )
    return items


def confidence_item() -> str:
    """Return the legend key of low-confidence areas."""
    box = swatch(css_dots("#8a8a8a"), extra_style="border:1.5px dashed #555")
    return f'<li data-key="low-confidence">{box}Low confidence: dotted fill, dashed outline</li>'


def event_items(categories: Iterable[str], with_after: bool) -> list[str]:
    """Return the legend keys of the event categories present (and of "after this snapshot")."""
    items = [
        f'<li data-category="{esc(c)}"><span class="mapapp-event mapapp-legend-icon">{icon_svg(c)}</span>'
        f"{esc(CATEGORY_LABELS.get(c, c))}</li>"
        for c in sorted(set(categories))
    ]
    if with_after:
        items.append(
            '<li data-key="after"><span class="mapapp-event mapapp-event-after mapapp-legend-icon">'
            f"{icon_svg('event')}</span>Event after this snapshot</li>"
        )
    return items


def legend_html(
    snapshot: ControlSnapshot,
    title: str,
    factions: list[str],
    pairs: list[tuple[str, str, str]],
    palette: Palette,
    *,
    has_low: bool,
    event_categories: list[str],
    has_after: bool,
) -> str:
    """Return the full escaped legend HTML."""
    keys = hatch_items(pairs, palette) + ([confidence_item()] if has_low else [])
    parts = [
        # <details>: a reader can fold the legend away (click its title) to see the map beneath.
        '<details open><summary class="mapapp-legend-title" title="Show or hide the legend">',
        f"{esc(title)}</summary>",
        f'<div class="mapapp-legend-date">Snapshot of {esc(_long_date(snapshot))} · '
        f"confidence: {esc(snapshot.confidence)}</div>",
        '<ul class="mapapp-legend-factions">', *faction_items(factions, palette), "</ul>",
    ]  # fmt: skip
    if keys:
        parts += ['<ul class="mapapp-legend-keys">', *keys, "</ul>"]
    if event_categories:
        parts += ['<ul class="mapapp-legend-events">', *event_items(event_categories, has_after), "</ul>"]
    parts.append(f'<div class="mapapp-legend-note">{esc(BORDER_POLICY)}</div></details>')
    return "".join(parts)


def _long_date(snapshot: ControlSnapshot) -> str:
    return f"{snapshot.date.day} {snapshot.date:%B %Y}"


def legend_control(html: str) -> HtmlControl:
    """Return the legend as a Leaflet control in the bottom-right corner (over the Gulf)."""
    return HtmlControl(html, position="bottomright", css_class="mapapp-legend leaflet-bar", name="Legend")

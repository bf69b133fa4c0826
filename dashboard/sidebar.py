"""The sidebar: faction toggles, event filter, base map and palette.

Widgets are addressed by key (``faction_<id>``, ``events``, ``window_days``, ``categories``,
``base``, ``palette``) so that tests and the URL can drive them. The snapshot picker, the timeline
and "Compare with" are in :mod:`dashboard.dates`.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence

import streamlit as st

from dashboard.state import BASE_MAPS, EVENT_MODES, View, pick_factions
from mapapp.catalog import CatalogEntry
from mapapp.events import CATEGORY_LABELS
from mapapp.factions import PALETTES, Palette, registry


def faction_toggles(present: Sequence[str], palette: Palette) -> tuple[str, ...]:
    """Show one toggle per faction of the snapshot, with its colour; return the selected ids."""
    reg = registry()
    wanted = st.session_state.pop("_url_factions", None)
    chosen = pick_factions(wanted or [], present)
    for fid in present:  # seed each toggle once (from the link on a session's first run)
        st.session_state.setdefault(f"faction_{fid}", fid in chosen)
    st.sidebar.markdown("**Factions**")
    selected = []
    for fid in present:
        swatch, toggle = st.sidebar.columns([1, 9], vertical_alignment="center")
        colour = html.escape(reg.colour(fid, palette))
        swatch.markdown(
            f'<div title="{colour}" style="width:1.1rem;height:1.1rem;border-radius:3px;'
            f'background:{colour};border:1px solid #555"></div>',
            unsafe_allow_html=True,
        )
        if toggle.checkbox(reg.label(fid), key=f"faction_{fid}"):
            selected.append(fid)
    return tuple(selected)


def event_filter(categories: Sequence[str]) -> tuple[str, int, tuple[str, ...]]:
    """Show the event filter; return (mode, window in days, categories)."""
    st.sidebar.markdown("**Events**")
    mode = st.sidebar.radio(
        "Events shown", list(EVENT_MODES), format_func=EVENT_MODES.__getitem__, key="events"
    )
    days = st.sidebar.number_input(
        "Days around the snapshot",
        min_value=1,
        max_value=3650,
        value=180,
        step=30,
        key="window_days",
        disabled=mode != "window",
    )
    cats = st.sidebar.multiselect(
        "Categories",
        list(categories),
        default=list(categories),
        key="categories",
        format_func=lambda c: CATEGORY_LABELS.get(c, c),
        disabled=mode == "none",
    )
    return str(mode), int(days), tuple(cats)


def look() -> tuple[str, Palette]:
    """Show the base map and palette choices; return them."""
    st.sidebar.markdown("**Display**")
    base = st.sidebar.selectbox(
        "Base map",
        list(BASE_MAPS),
        format_func=BASE_MAPS.__getitem__,
        key="base",
        help="The offline base is drawn from the bundled data; tile bases need internet.",
    )
    palette = st.sidebar.radio(
        "Palette",
        list(PALETTES),
        format_func=lambda p: "Colour-blind safe" if p == "colorblind" else "Default (Wikipedia)",
        key="palette",
        horizontal=True,
    )
    return str(base), palette


def view(
    entry: CatalogEntry,
    present: Sequence[str],
    categories: Sequence[str],
    compare: CatalogEntry | None = None,
) -> View:
    """Draw the rest of the sidebar for ``entry`` and return the complete view."""
    base, palette = look()
    factions = faction_toggles(present, palette)
    mode, days, cats = event_filter(categories)
    return View(
        date=entry.date,
        factions=factions,
        events=mode,  # type: ignore[arg-type]
        window_days=days,
        categories=cats,
        base=base,  # type: ignore[arg-type]
        palette=palette,
        compare=compare.date if compare is not None else None,
    )


def today_iso() -> str:
    """Return today's date (UTC) as YYYY-MM-DD, the upload form's default."""
    return dt.datetime.now(dt.UTC).date().isoformat()

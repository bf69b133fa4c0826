"""The sidebar: snapshot picker, faction toggles, event filter, base map and palette.

Widgets are addressed by key (``snapshot``, ``faction_<id>``, ``events``, ``window_days``,
``categories``, ``base``, ``palette``) so that tests and the URL can drive them.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence

import streamlit as st

from dashboard.state import BASE_MAPS, EVENT_MODES, View, pick_date, pick_factions
from mapapp.catalog import CatalogEntry
from mapapp.events import CATEGORY_LABELS
from mapapp.factions import PALETTES, Palette, registry


def init_from_query(entries: Sequence[CatalogEntry]) -> str | None:
    """On a session's first run, seed the snapshot widget from the URL; return a notice or None."""
    if "snapshot" in st.session_state:
        return None
    dates = [e.date for e in entries]
    date, notice = pick_date(st.query_params.get("date"), dates)
    st.session_state["snapshot"] = date.isoformat()
    st.session_state["_url_factions"] = st.query_params.get_all("faction")
    return notice


def snapshot_picker(entries: Sequence[CatalogEntry]) -> CatalogEntry:
    """Show the snapshot picker (every catalog entry by date and label); return the chosen entry."""
    by_date = {e.date.isoformat(): e for e in entries}
    if st.session_state.get("snapshot") not in by_date:
        st.session_state["snapshot"] = pick_date(None, [e.date for e in entries])[0].isoformat()
    choice = st.sidebar.selectbox(
        "Snapshot",
        list(by_date),
        format_func=lambda d: f"{d} · {by_date[d].label}",
        key="snapshot",
        help="Every snapshot of the catalog, by date. Upload a newer one below the map.",
    )
    return by_date[str(choice)]


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


def view(entry: CatalogEntry, present: Sequence[str], categories: Sequence[str]) -> View:
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
    )


def today_iso() -> str:
    """Return today's date (UTC) as YYYY-MM-DD, the upload form's default."""
    return dt.datetime.now(dt.UTC).date().isoformat()

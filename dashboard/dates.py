"""Which snapshot is shown and which one it is compared with: one date in session state, three widgets.

The shown date lives in ``st.session_state[DATE_KEY]`` only. The sidebar's snapshot picker
(key ``snapshot``) and the timeline slider (key ``timeline``) both write it through their
``on_change`` callbacks, and both are re-seeded from it before they are drawn, so they always agree.
The "Compare with" picker (key ``compare``) offers every other catalog date (never the one shown).
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from dashboard.state import pick_compare, pick_date
from mapapp.catalog import CatalogEntry

DATE_KEY = "view_date"
PICKER_KEY = "snapshot"
SLIDER_KEY = "timeline"
COMPARE_KEY = "compare"
NO_COMPARE = "none"


def init_from_query(entries: Sequence[CatalogEntry]) -> list[str]:
    """On a session's first run, seed the date, the comparison and the factions from the URL.

    Returns the notices for links that could not be honoured (empty on later runs).
    """
    if DATE_KEY in st.session_state:
        return []
    dates = [e.date for e in entries]
    date, notice = pick_date(st.query_params.get("date"), dates)
    compare, compare_notice = pick_compare(st.query_params.get("compare"), dates, date)
    st.session_state[DATE_KEY] = date.isoformat()
    st.session_state[COMPARE_KEY] = compare.isoformat() if compare else NO_COMPARE
    st.session_state["_url_factions"] = st.query_params.get_all("faction")
    return [n for n in (notice, compare_notice) if n]


def select(date: str) -> None:
    """Make ``date`` (YYYY-MM-DD) the snapshot shown (the widgets follow on the next run)."""
    st.session_state[DATE_KEY] = date


def _follow(widget_key: str) -> None:
    """``on_change`` of the picker and the slider: the widget's value becomes the shown date."""
    value = st.session_state.get(widget_key)
    if value:
        select(str(value))


def current(entries: Sequence[CatalogEntry]) -> CatalogEntry:
    """Return the entry shown (the default one when the stored date left the catalog)."""
    by_date = {e.date.isoformat(): e for e in entries}
    if st.session_state.get(DATE_KEY) not in by_date:
        select(pick_date(None, [e.date for e in entries])[0].isoformat())
    return by_date[st.session_state[DATE_KEY]]


def snapshot_picker(entries: Sequence[CatalogEntry]) -> CatalogEntry:
    """Show the sidebar's snapshot picker (every entry by date and label); return the entry shown."""
    entry = current(entries)
    by_date = {e.date.isoformat(): e for e in entries}
    st.session_state[PICKER_KEY] = entry.date.isoformat()  # seeded before it is drawn: in sync
    st.sidebar.selectbox(
        "Snapshot",
        list(by_date),
        format_func=lambda d: f"{d} · {by_date[d].label}",
        key=PICKER_KEY,
        on_change=_follow,
        args=(PICKER_KEY,),
        help="Every snapshot of the catalog, by date. The timeline above the map steps through them.",
    )
    return entry


def timeline(entries: Sequence[CatalogEntry]) -> None:
    """Show the timeline slider over the catalog's dates (it sets the same date as the picker)."""
    if len(entries) < 2:
        return
    st.session_state[SLIDER_KEY] = current(entries).date.isoformat()
    st.select_slider(
        "Timeline",
        [e.date.isoformat() for e in entries],
        key=SLIDER_KEY,
        on_change=_follow,
        args=(SLIDER_KEY,),
        help="Step through the catalog's snapshots; each one's map is cached, so stepping back is instant.",
    )


def compare_picker(entries: Sequence[CatalogEntry], shown: CatalogEntry) -> CatalogEntry | None:
    """Show "Compare with" (none, or any other catalog date); return the entry compared with."""
    others = {e.date.isoformat(): e for e in entries if e.date != shown.date}
    if st.session_state.get(COMPARE_KEY, NO_COMPARE) not in (NO_COMPARE, *others):
        st.session_state[COMPARE_KEY] = NO_COMPARE  # e.g. the timeline stepped onto that date
    choice = st.sidebar.selectbox(
        "Compare with",
        [NO_COMPARE, *others],
        format_func=lambda d: "No comparison" if d == NO_COMPARE else d,
        key=COMPARE_KEY,
        help="Hatch the areas that changed hands between this snapshot and another date "
        "(gains from the earlier to the later one, in the gainer's colour).",
    )
    return others.get(str(choice))

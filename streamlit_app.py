"""mapapp dashboard (Streamlit): a thin page over the mapapp library.

Run with ``make run`` (or ``streamlit run streamlit_app.py``). The catalog directory is the bundled
``geodata/`` unless ``MAPAPP_DATA_DIR`` names another. Only this page and its UI helpers in
``dashboard/`` import streamlit; caches live in :mod:`dashboard.data` (keyed by path and mtime).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import changes, data, dates, mapview, panels, sidebar, upload
from dashboard.state import query_differs, to_query
from mapapp.catalog import CatalogEntry
from mapapp.errors import CompareError, MapAppError
from mapapp.paths import data_dir
from mapapp.render.layers import faction_order

TABS = ("Map", "Statistics", "Add a snapshot", "Download")


def page(root: Path) -> None:
    """Draw the whole page for the catalog in ``root``."""
    entries = data.entries(root)
    if not entries:
        st.warning(
            f"The catalog {root / 'snapshots'} has no snapshots yet. Add one below, or derive the "
            "bundled ones with 'mapapp derive'."
        )
        upload.panel(root, entries)
        return
    upload.apply_pending_selection()
    notices = dates.init_from_query(entries)
    entry = dates.snapshot_picker(entries)
    other = dates.compare_picker(entries, entry)
    with st.spinner(f"Loading the snapshot of {entry.date}…"):
        snap = data.snapshot(root, entry)
        events = data.events()
    view = sidebar.view(entry, faction_order(snap.factions), data.event_categories(events), other)
    wanted = to_query(view, snap.factions)
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    if query_differs(current, wanted):
        st.query_params.from_dict(wanted)
    for notice in notices:
        st.warning(notice)
    panels.header(snap)
    change = _change(root, entry, other)
    dates.timeline(entries)
    # lazy tabs: only the open one runs (a map drawn in a hidden tab has no size)
    tab_map, tab_stats, tab_upload, tab_download = st.tabs(list(TABS), key="tab", on_change="rerun")
    if tab_map.open:
        with tab_map:
            mapview.section(root, entries, entry, snap, events, view, change)
    if tab_stats.open:
        with tab_stats:
            panels.statistics(root, entry)
            if change is not None:
                changes.section(change.comparison)
    if tab_upload.open:
        with tab_upload:
            upload.panel(root, entries)
    if tab_download.open:
        with tab_download:
            panels.downloads(root, entry, snap, events, view)
    panels.credits(snap, events, view)


def _change(root: Path, entry: CatalogEntry, other: CatalogEntry | None) -> data.Change | None:
    """Return the comparison with ``other`` (None without one); a CompareError is shown, not raised."""
    if other is None:
        return None
    try:
        with st.spinner(f"Comparing {entry.date} with {other.date}…"):
            return data.comparison(root, entry, other)
    except CompareError as exc:
        st.error(f"{type(exc).__name__}: {exc}")
        return None


def main() -> None:
    """Entry point: configure the page, draw it, show domain errors with their message."""
    st.set_page_config(
        page_title="mapapp · territorial control in Syria and Iraq",
        page_icon="🗺️",
        layout="wide",
    )
    try:
        page(data_dir())
    except MapAppError as exc:
        st.error(f"{type(exc).__name__}: {exc}")


main()

"""The page's panels around the map: header, statistics, downloads, credits and method."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.state import View
from dashboard.text import md, md_link
from mapapp.catalog import CatalogEntry
from mapapp.errors import CompareError
from mapapp.events import EventSet
from mapapp.factions import registry
from mapapp.snapshot import ControlSnapshot

CONFIDENCE_TEXT = {
    "high": "High: the areas follow a source that maps control directly.",
    "medium": "Medium: most lines are well sourced, some are estimated.",
    "low": "Low: lines are rough estimates; read the map as an overview only.",
    "approximate": (
        "Approximate: the areas were derived from point observations (places and who held them), "
        "so lines between places are estimates, not front lines."
    ),
}


PAGE_CSS = """
<style>
.block-container { padding-top: 2.2rem; padding-bottom: 1rem; }
[data-testid="stSidebarHeader"] { display: none; }
</style>
"""


def long_date(date: dt.date) -> str:
    """Return ``8 January 2017`` (no leading zero, English month)."""
    return f"{date.day} {date:%B %Y}"


def header(snap: ControlSnapshot) -> None:
    """Show the snapshot's date and label, a banner when approximate, and its source and licence."""
    st.markdown(PAGE_CSS, unsafe_allow_html=True)  # a constant: no data reaches this HTML
    st.header(md(snap.label), anchor=False)
    st.caption(
        f"Control as of **{long_date(snap.date)}** · {len(snap.areas)} areas · confidence "
        f"**{md(snap.confidence)}** · licence **{md(snap.licence)}**  \nSource: {md(snap.source)}"
    )
    if snap.is_approximate:
        st.warning(
            f"**This snapshot is {md(snap.confidence)}.** "
            + CONFIDENCE_TEXT.get(snap.confidence, "Treat its lines as estimates."),
            icon="⚠️",
        )


def _colour(faction: str) -> str:
    try:
        return registry().colour(faction)
    except KeyError:
        return "#d0d0d0"


def chart(frame: pd.DataFrame, group: str) -> alt.Chart:
    """Return a stacked bar chart of km² per faction, one bar per country or governorate.

    Parameters
    ----------
    frame
        :func:`mapapp.stats.area_stats` output (contested/mixed rows are summed into their first
        faction here; the table keeps them apart).
    group
        ``"country"`` or ``"governorate"``.
    """
    reg = registry()
    summed = frame.groupby([group, "faction"], sort=False, as_index=False)[["area_km2", "percent"]].sum()
    ids = list(dict.fromkeys(summed["faction"].astype(str)))
    scale = alt.Scale(domain=[reg.label(f) for f in ids], range=[_colour(f) for f in ids])
    summed["label"] = [reg.label(str(f)) for f in summed["faction"]]
    bars = alt.Chart(summed).mark_bar(stroke="#333", strokeWidth=0.3)
    return bars.encode(  # type: ignore[no-any-return]
        x=alt.X("area_km2:Q", title="km²", stack="zero"),
        y=alt.Y(f"{group}:N", title=None, sort=None),
        color=alt.Color("label:N", scale=scale, title="Faction"),
        tooltip=[
            alt.Tooltip(f"{group}:N"),
            alt.Tooltip("label:N", title="faction"),
            alt.Tooltip("area_km2:Q", format=",.0f", title="km²"),
            alt.Tooltip("percent:Q", format=".1f", title="%"),
        ],
    )


def table(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the statistics with readable faction and status labels, km² rounded."""
    reg = registry()
    out = frame.copy()
    out["faction"] = [reg.label(str(f)) for f in out["faction"]]
    out["secondary"] = [reg.label(str(f)) if isinstance(f, str) else "" for f in out["secondary"]]
    out["area_km2"] = out["area_km2"].round(0)
    out["percent"] = out["percent"].round(2)
    return out.drop(columns=["unit_km2"], errors="ignore")


def statistics(root: Path, entry: CatalogEntry) -> None:
    """Show the area statistics (bar chart, table, CSV download), by country or governorate."""
    by = str(st.radio("Group by", ["country", "governorate"], horizontal=True, key="stats_by"))
    with st.spinner("Measuring areas…"):
        frame = data.stats(root, entry, by)
    st.caption(
        "Areas measured in an equal-area projection (Lambert azimuthal, centred 34°N 40°E) against "
        "Natural Earth outlines; % of each country's (or governorate's) area."
    )
    st.altair_chart(chart(frame, by), width="stretch")
    st.dataframe(table(frame), hide_index=True, key="stats_table", width="stretch")
    st.download_button(
        "Download statistics (CSV)",
        frame.to_csv(index=False).encode("utf-8"),
        file_name=f"mapapp-stats-{entry.date}-{by}.csv",
        mime="text/csv",
        key="download_stats",
        on_click="ignore",
    )


def downloads(root: Path, entry: CatalogEntry, snap: ControlSnapshot, events: EventSet, view: View) -> None:
    """Offer the static HTML export of the current view, the snapshot GeoJSON and the statistics."""
    from mapapp.geojson import snapshot_to_geojson

    st.subheader("Download")
    st.download_button(
        "Snapshot as GeoJSON",
        snapshot_to_geojson(snap),
        file_name=f"mapapp-{entry.date}.geojson",
        mime="application/geo+json",
        key="download_geojson",
        on_click="ignore",
    )
    st.download_button(
        "Statistics by country (CSV)",
        data.stats(root, entry).to_csv(index=False).encode("utf-8"),
        file_name=f"mapapp-stats-{entry.date}-country.csv",
        mime="text/csv",
        key="download_stats_country",
        on_click="ignore",
    )
    st.caption("The HTML map is self-contained: it opens offline, from a USB stick or an e-mail.")
    if view.compare is not None and view.compare > view.date:
        st.caption(
            f"The HTML map draws the gains only when the snapshot shown is the later one: show "
            f"{view.compare} and compare it with {view.date} to export them."
        )
    if st.button("Prepare the HTML map of this view", key="prepare_html"):
        with st.spinner("Rendering the self-contained map…"):
            try:
                page = data.export_bytes(snap, events, view, _earlier_snapshot(root, view))
            except CompareError as exc:  # shown like the page's own comparison error
                st.error(f"{type(exc).__name__}: {exc}")
                return
            st.session_state["_html_export"] = (view, page)
    ready = st.session_state.get("_html_export")
    if ready is not None and ready[0] == view:
        st.download_button(
            "Download the HTML map",
            ready[1],
            file_name=f"mapapp-{entry.date}.html",
            mime="text/html",
            key="download_html",
            on_click="ignore",
        )


def _earlier_snapshot(root: Path, view: View) -> ControlSnapshot | None:
    """Return the snapshot compared with when it is the earlier one (the export's ``--compare``)."""
    if view.compare is None or view.compare > view.date:
        return None
    entry = next((e for e in data.entries(root) if e.date == view.compare), None)
    return data.snapshot(root, entry) if entry is not None else None


def credits(snap: ControlSnapshot, events: EventSet, view: View) -> None:
    """Show an expander with the sources and licences on screen and a plain note on the method."""
    with st.expander("Credits and method"):
        st.markdown(f"**Control areas ({snap.date}):** {md(snap.source)} — licence {md(snap.licence)}")
        for text, url in data.credit_lines(snap, events, view):
            st.markdown(f"- {md_link(text, url) if url else md(text)}")
        st.markdown(
            "**How the snapshots were made.** No open polygon dataset of territorial control exists "
            "for these dates, so the bundled snapshots are derived from *point observations*: places "
            "marked with the faction that held them. Each country is divided into the area nearest "
            "to each place (a Voronoi tessellation, per country, clipped to its border) and those "
            "cells are merged by faction. Lines between places are therefore estimates; deserts "
            "with few places are the least reliable.\n\n"
            "**What confidence means.** " + " ".join(CONFIDENCE_TEXT.values()) + "\n\n"
            "**Borders** follow Natural Earth's de facto lines: the Golan Heights are drawn on "
            "Israel's side and the UNDOF zone as its own unit. Casualty figures of events are "
            "claims, each shown with who made it."
        )

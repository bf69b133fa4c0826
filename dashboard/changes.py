"""The Statistics tab's comparison: net gain/loss per faction and the transition matrix per country.

Both come from :class:`mapapp.compare.Comparison` (``net`` and ``pivot(country)``), only relabelled
for people here; the CSV downloads carry the library's ids and unrounded km².
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mapapp.compare import NOT_COVERED, OTHER_COUNTRY, Comparison
from mapapp.factions import registry

COUNTRY_LABELS = {"SY": "Syria", "IQ": "Iraq", OTHER_COUNTRY: "Elsewhere"}
NET_COLUMNS = {
    "km2_a": "km² on {a}",
    "km2_b": "km² on {b}",
    "gained": "gained km²",
    "lost": "lost km²",
    "net": "net km²",
    "gained_from_unknown": "of which from no data",
    "lost_to_unknown": "of which to no data",
}


def label(faction: str) -> str:
    """Return a class's label: the registry's for factions, plain words for the two unknowns."""
    if faction == NOT_COVERED:
        return "Not covered"
    return registry().label(faction)


def net_table(comparison: Comparison) -> pd.DataFrame:
    """Return :attr:`Comparison.net` with faction labels and column names giving both dates."""
    a, b = comparison.date_a.isoformat(), comparison.date_b.isoformat()
    out = comparison.net.round(0).rename(columns={k: v.format(a=a, b=b) for k, v in NET_COLUMNS.items()})
    out.index = pd.Index([label(str(f)) for f in out.index], name="faction")
    return out.reset_index()


def matrix_table(comparison: Comparison, country: str | None) -> pd.DataFrame:
    """Return :meth:`Comparison.pivot` for ``country`` (km², rounded) with faction labels."""
    pivot = comparison.pivot(country).round(0)
    pivot.index = pd.Index([label(str(f)) for f in pivot.index], name="from \\ to")
    pivot.columns = pd.Index([label(str(f)) for f in pivot.columns])
    return pivot.reset_index()


def countries(comparison: Comparison) -> list[str]:
    """Return the countries of the matrix, Syria and Iraq first."""
    present = set(comparison.matrix["country"].astype(str))
    return [c for c in COUNTRY_LABELS if c in present] + sorted(present - set(COUNTRY_LABELS))


def section(comparison: Comparison) -> None:
    """Show the net gains and losses and the per-country transition matrix, with CSV downloads."""
    a, b = comparison.date_a, comparison.date_b
    st.subheader(f"Change {a} → {b}", anchor=False)
    st.caption(
        f"{comparison.changed_km2:,.0f} km² changed hands between two known factions. Areas that are "
        "no data (or outside a snapshot's coverage) on either date are counted in their own rows, "
        "never dropped: for every row, km² on the later date = km² on the earlier date + gained − lost."
    )
    st.dataframe(net_table(comparison), hide_index=True, key="net_table", width="stretch")
    st.download_button(
        "Download net gains and losses (CSV)",
        comparison.net.to_csv().encode("utf-8"),
        file_name=f"mapapp-net-{a}-{b}.csv",
        mime="text/csv",
        key="download_net",
        on_click="ignore",
    )
    choices = countries(comparison)
    country = st.radio(
        "Transition matrix (km², rows: held on the earlier date, columns: on the later date)",
        choices,
        format_func=lambda c: COUNTRY_LABELS.get(c, c),
        horizontal=True,
        key="matrix_country",
    )
    st.dataframe(matrix_table(comparison, str(country)), hide_index=True, key="matrix_table", width="stretch")
    st.download_button(
        "Download the transition matrix (CSV)",
        comparison.matrix.to_csv(index=False).encode("utf-8"),
        file_name=f"mapapp-transitions-{a}-{b}.csv",
        mime="text/csv",
        key="download_matrix",
        on_click="ignore",
    )

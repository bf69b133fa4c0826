"""The naive dashboard the benchmark compares with: ``st_folium(gdf.explore())`` on the raw layer.

What people write first: read the file (cached by Streamlit, to be fair), a multiselect of factions,
filter the rows and hand the whole layer to ``st_folium`` on every run. The file comes from
``$BENCH_NAIVE_FILE``.
"""

from __future__ import annotations

import os

import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium


@st.cache_data(show_spinner=False)
def load(path: str) -> gpd.GeoDataFrame:
    return gpd.read_file(path)


gdf = load(os.environ["BENCH_NAIVE_FILE"])
factions = sorted(gdf["faction"].dropna().unique())
chosen = st.sidebar.multiselect("Factions", factions, default=factions, key="factions")
shown = gdf[gdf["faction"].isin(chosen)]
st_folium(shown.explore(), height=640, key="map")

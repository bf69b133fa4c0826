"""mapapp dashboard (Streamlit). A thin page over the mapapp library."""

from __future__ import annotations

import streamlit as st

from mapapp.catalog import Catalog
from mapapp.paths import data_dir

st.set_page_config(page_title="mapapp: territorial control in Syria and Iraq", layout="wide")
st.title("Territorial control in Syria and Iraq")
catalog = Catalog(data_dir())
st.dataframe([e.to_dict() for e in catalog.entries()], key="catalog")

"""The upload panel: validate a newer snapshot, map its faction names, save it to the catalog.

Flow: file → :func:`mapapp.readers.read_vector` → faction field and name mapping (pre-filled with
the registry's closest match) → metadata → :func:`mapapp.validate.check` (the full report, every
problem) → :meth:`mapapp.catalog.Catalog.add` (atomic). Nothing touches the disk until the user
saves a report without errors; a rejected upload changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from dashboard import dates
from mapapp.catalog import Catalog, CatalogEntry
from mapapp.errors import MapAppError, Problem
from mapapp.factions import NO_DATA, registry
from mapapp.validate import SnapshotMeta, ValidationReport, check

FORMATS = ("geojson", "json", "gpkg", "zip", "kml", "fgb")
FIELD_HINTS = ("faction", "controller", "control", "group", "layer", "owner", "side")
CONFIDENCE = ("high", "medium", "low", "approximate")
_PENDING = "_select_after_upload"


def apply_pending_selection() -> None:
    """Select a snapshot just saved and show its map (must run before those widgets are drawn)."""
    pending = st.session_state.pop(_PENDING, None)
    if pending:
        dates.select(pending)
        st.session_state["tab"] = "Map"


@st.cache_resource(show_spinner=False, max_entries=4)
def _read(name: str, digest: str, _payload: bytes) -> gpd.GeoDataFrame:
    """Read an uploaded file once per content (keyed by its SHA-256; the bytes are not re-hashed)."""
    from mapapp.readers import read_vector

    with tempfile.TemporaryDirectory(prefix="mapapp-upload-") as tmp:
        path = Path(tmp) / Path(name).name
        path.write_bytes(_payload)
        return read_vector(path)


def guess_field(columns: Sequence[str]) -> str | None:
    """Return the column most likely to hold the faction (the validator's own hints), or None."""
    lower = {c.lower(): c for c in columns}
    return next((lower[h] for h in FIELD_HINTS if h in lower), None)


def unknown_names(values: pd.Series) -> list[str]:
    """Return the distinct values of ``values`` the faction registry does not know, sorted."""
    reg = registry()
    names = {str(v) for v in values.dropna().unique()}
    return sorted(n for n in names if reg.resolve(n) is None)


def _mapping_widgets(unknown: Sequence[str]) -> dict[str, str]:
    reg = registry()
    options = [*reg.ids, NO_DATA]
    mapping: dict[str, str] = {}
    if unknown:
        st.markdown("**Unknown faction names** — map each to a known faction (closest match pre-selected):")
    for i, name in enumerate(unknown):
        guess = (reg.closest(name, n=1) or [NO_DATA])[0]
        chosen = st.selectbox(
            f"“{name}” is",
            options,
            index=options.index(guess),
            format_func=reg.label,
            key=f"upload_map_{i}",
        )
        mapping[name] = str(chosen)
    return mapping


def _metadata(entries: Sequence[CatalogEntry]) -> dict[str, Any]:
    cols = st.columns(2)
    date = cols[0].date_input("Date the snapshot represents", value=None, key="upload_date")
    label = cols[1].text_input("Label", key="upload_label", placeholder="Syria and Iraq, 1 March 2018")
    source = cols[0].text_input("Source", key="upload_source", placeholder="Who made it, URL")
    licence = cols[1].text_input("Licence", key="upload_licence", placeholder="CC BY-SA 4.0")
    confidence = cols[0].selectbox("Confidence", CONFIDENCE, index=3, key="upload_confidence")
    taken = {e.date for e in entries}
    replace = False
    if isinstance(date, dt.date) and date in taken:
        replace = cols[1].checkbox(
            f"Replace the snapshot of {date} (the previous file is kept as a backup)",
            key="upload_replace",
        )
    return {
        "date": date,
        "label": label.strip(),
        "source": source.strip(),
        "licence": licence.strip(),
        "confidence": confidence,
        "replace": replace,
    }


def missing_metadata(meta: dict[str, Any]) -> list[str]:
    """Return the names of the required metadata fields that are still empty."""
    names = {"date": "date", "label": "label", "source": "source", "licence": "licence"}
    return [names[k] for k in names if not meta.get(k)]


def report(problems: Sequence[Problem]) -> None:
    """Show every problem of a validation, errors first, in plain words."""
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    if not problems:
        st.success("No problems found.")
    for p in [*errors, *warnings]:
        box = st.error if p.severity == "error" else st.warning
        parts = [f"**{p.message}**"]
        for title, text in (("Where", p.where), ("Expected", p.expected), ("Found", p.found), ("Fix", p.fix)):
            if text:
                parts.append(f"{title}: {text}")
        box("  \n".join(parts), icon="⛔" if p.severity == "error" else "⚠️")


def panel(root: Path, entries: Sequence[CatalogEntry]) -> None:
    """Draw the upload panel for the catalog in ``root``."""
    st.subheader("Swap in a newer snapshot")
    st.caption(
        "GeoJSON, GeoPackage, zipped Shapefile or KML with polygons of control. The file is "
        "validated first; nothing is saved until the report has no errors."
    )
    done = int(st.session_state.get("_uploads_saved", 0))  # a new key empties the uploader
    key = "upload_file" if not done else f"upload_file_{done}"
    upload = st.file_uploader("Snapshot file", type=list(FORMATS), key=key)
    if upload is None:
        return
    payload = upload.getvalue()
    try:
        with st.spinner(f"Reading {upload.name}…"):
            raw = _read(upload.name, hashlib.sha256(payload).hexdigest(), payload)
    except MapAppError as exc:
        st.error(f"{upload.name} cannot be read: {exc}")
        return
    _validate_and_save(root, entries, upload.name, raw)


def _validate_and_save(root: Path, entries: Sequence[CatalogEntry], name: str, raw: gpd.GeoDataFrame) -> None:
    columns = [str(c) for c in raw.columns if c != raw.geometry.name]
    st.write(f"{len(raw)} features, columns: {', '.join(columns) or 'none'}")
    guess = guess_field(columns)
    field = st.selectbox(
        "Faction field",
        columns,
        index=columns.index(guess) if guess else None,
        key="upload_field",
        placeholder="Choose the column that names the faction",
    )
    if field is None:
        st.info("Choose the column that holds the faction of each area.")
        return
    mapping = _mapping_widgets(unknown_names(raw[field]))
    meta = _metadata(entries)
    todo = missing_metadata(meta)
    with st.spinner("Validating…"):
        result = _check(raw, field, mapping, meta, name)
    st.markdown("**Validation report**")
    report(result.problems)
    if not result.ok:
        st.error(f"{name} is rejected: fix the errors above and upload it again. Nothing was saved.")
        return
    if todo or result.snapshot is None:
        st.info(f"The data are fine. Fill in the {', '.join(todo) or 'metadata'} to save this snapshot.")
        return
    if st.button("Save to the catalog", type="primary", key="upload_save"):
        with st.spinner("Saving atomically…"):
            entry = Catalog(root).add(result.snapshot, replace=bool(meta["replace"]))
        st.session_state[_PENDING] = entry.date.isoformat()
        st.session_state["_uploads_saved"] = int(st.session_state.get("_uploads_saved", 0)) + 1
        st.toast(f"Saved the snapshot of {entry.date}: it is now selected.")
        st.rerun()


def _check(
    raw: gpd.GeoDataFrame, field: str, mapping: dict[str, str], meta: dict[str, Any], name: str
) -> ValidationReport:
    """Validate the data alone until a date is given, then the data with their metadata."""
    snapshot_meta = None
    if isinstance(meta["date"], dt.date):
        snapshot_meta = SnapshotMeta(
            date=meta["date"],
            label=meta["label"],
            source=meta["source"],
            licence=meta["licence"],
            confidence=meta["confidence"],
        )
    return check(raw, snapshot_meta, faction_field=field, faction_map=mapping, source_name=name)

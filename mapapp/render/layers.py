"""The areas of control: one toggleable :class:`folium.FeatureGroup` per faction.

Each area is a GeoJSON feature whose properties hold only what the page needs, already escaped:
``tip`` (tooltip HTML) and ``style`` (the Leaflet path style). Contested and mixed areas are
filled with a stripe pattern of both factions (:mod:`mapapp.render.hatch`); low-confidence areas
are dotted (white dots on the faction's colour, so the hue stays readable) with a dashed
outline. Areas belong to the layer of their first faction.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import folium
import geopandas as gpd
import shapely

from mapapp.factions import NO_DATA, Palette, registry
from mapapp.render.compact import CompactGeoJson
from mapapp.render.elements import HtmlPopup
from mapapp.render.hatch import low_pattern_id, pattern_id
from mapapp.render.html import esc, link, swatch
from mapapp.snapshot import ControlSnapshot

LOW_CONFIDENCE = frozenset({"low", "approximate"})
"""Confidence levels drawn dotted, when a snapshot mixes levels (see :func:`low_levels`)."""
FILL_OPACITY = 0.7
_CLASS_SAFE = re.compile(r"[^a-z0-9_-]")


def css_token(value: object) -> str:
    """Return ``value`` reduced to a safe CSS class fragment (``[a-z0-9_-]``)."""
    return _CLASS_SAFE.sub("", str(value).lower())


def is_hatched(status: object, secondary: object) -> bool:
    """Whether an area is drawn with stripes: contested or mixed with a known second faction."""
    return status in ("contested", "mixed") and isinstance(secondary, str) and bool(secondary)


def low_levels(confidences: Iterable[object]) -> frozenset[str]:
    """Return the confidence levels to mark as low in a snapshot with these area confidences.

    ``low`` and ``approximate`` areas are marked when the snapshot also has areas of another
    level; when every area shares one level, marking them all would say nothing (and bury the
    colours under dots), so none is marked: the title box states that the snapshot is approximate.
    """
    levels = {str(c) for c in confidences}
    return frozenset(levels & LOW_CONFIDENCE) if len(levels) > 1 else frozenset()


def area_style(
    row: dict[str, Any], palette: Palette, low_set: frozenset[str] = LOW_CONFIDENCE
) -> dict[str, Any]:
    """Return the Leaflet path style of one area (a row of the prepared areas)."""
    faction, status, confidence = row["faction"], row["status"], row["confidence"]
    colour = registry().colour(faction, palette)
    low = confidence in low_set
    if is_hatched(status, row["secondary"]):
        fill: str | None = pattern_id(faction, row["secondary"], status)
    else:
        fill = low_pattern_id(faction) if low else None
    return {
        "fillColor": f"url(#{fill})" if fill else colour,
        "fillOpacity": FILL_OPACITY + (0.15 if fill else 0.0),
        "color": "#555555" if low else "#ffffff",
        "weight": 1.1 if low else 0.5,
        "opacity": 0.8 if low else 0.55,
        "dashArray": "4 3" if low else None,
        "className": " ".join(
            f"mapapp-area mapapp-f-{css_token(faction)} mapapp-s-{css_token(status)} "
            f"mapapp-c-{css_token(confidence)}".split()
        ),
    }


def area_tooltip(row: dict[str, Any], low_set: frozenset[str] = LOW_CONFIDENCE) -> str:
    """Return the escaped tooltip HTML of one area: faction, status, confidence, km², governorates."""
    reg = registry()
    lines = [f"<b>{esc(reg.label(row['faction']))}</b>"]
    status = reg.status_labels.get(row["status"], row["status"])
    if is_hatched(row["status"], row["secondary"]):
        status = f"{status} with {reg.label(row['secondary'])}"
    lines.append(f"Status: {esc(status)}")
    low = " (boundary uncertain)" if row["confidence"] in low_set else ""
    lines.append(f"Confidence: {esc(row['confidence'])}{low}")
    lines.append(f"Area: {row['area_km2']:,.0f} km² (whole connected area)")
    if row.get("governorates"):
        lines.append(f"Governorate(s): {esc(row['governorates'])}")
    if row.get("note"):
        lines.append(f"Note: {esc(row['note'])}")
    return "<br>".join(lines)


def snapshot_popup(snapshot: ControlSnapshot) -> str:
    """Return the escaped popup HTML naming the snapshot, its source and licence."""
    return (
        f"<b>{esc(snapshot.label)}</b><br>Snapshot date: {esc(snapshot.date.isoformat())}<br>"
        f"Source: {linkify(snapshot.source)}<br>Licence: {esc(snapshot.licence)}<br>"
        f"Overall confidence: {esc(snapshot.confidence)}"
    )


def linkify(text: str) -> str:
    """Escape ``text`` and turn its http(s) URLs into safe links (other schemes stay plain text)."""
    return " ".join(link(tok) or esc(tok) for tok in str(text).split())


def layer_name(faction: str, palette: Palette) -> str:
    """Return the layer-control label of a faction: a colour swatch and the escaped label."""
    return f"{swatch(registry().colour(faction, palette))} {esc(registry().label(faction))}"


def faction_order(factions: Iterable[str]) -> list[str]:
    """Return faction ids in registry order, unknown ones after, ``no_data`` last."""
    ids = registry().ids
    present = set(factions)
    known = [f for f in ids if f in present]
    return known + sorted(present - set(ids) - {NO_DATA}) + ([NO_DATA] if NO_DATA in present else [])


def faction_layers(
    snapshot: ControlSnapshot, prepared: gpd.GeoDataFrame, palette: Palette
) -> dict[str, folium.GeoJson]:
    """Return one GeoJSON layer per faction of ``prepared`` (registry order), not yet on a map.

    Each feature carries its escaped tooltip and style; each layer the snapshot's popup.
    """
    popup = snapshot_popup(snapshot)
    low_set = low_levels(prepared["confidence"])
    records = prepared.drop(columns=prepared.geometry.name).to_dict("records")
    geometries = list(prepared.geometry.values)
    layers: dict[str, folium.GeoJson] = {}
    for faction in faction_order(r["faction"] for r in records):
        features = [
            _feature(rec, geom, palette, low_set)
            for rec, geom in zip(records, geometries, strict=True)
            if rec["faction"] == faction
        ]
        collection = {"type": "FeatureCollection", "features": features}
        layer = CompactGeoJson(collection, tooltip_class="mapapp-tip")
        layer.add_child(HtmlPopup(popup))
        layers[faction] = layer
    return layers


def add_area_layers(
    fmap: folium.Map,
    snapshot: ControlSnapshot,
    prepared: gpd.GeoDataFrame,
    palette: Palette,
    visible: frozenset[str] | None = None,
) -> dict[str, folium.FeatureGroup]:
    """Add one FeatureGroup per faction present in ``prepared`` to ``fmap``; return them by id."""
    groups: dict[str, folium.FeatureGroup] = {}
    for faction, layer in faction_layers(snapshot, prepared, palette).items():
        group = folium.FeatureGroup(
            name=layer_name(faction, palette), show=visible is None or faction in visible
        )
        group.add_child(layer)
        group.add_to(fmap)
        groups[faction] = group
    return groups


def _feature(
    rec: dict[str, Any], geom: shapely.Geometry, palette: Palette, low_set: frozenset[str]
) -> dict[str, Any]:
    style = {k: v for k, v in area_style(rec, palette, low_set).items() if v is not None}
    return {
        "type": "Feature",
        "geometry": json.loads(shapely.to_geojson(geom)),
        "properties": {"tip": area_tooltip(rec, low_set), "style": style},
    }

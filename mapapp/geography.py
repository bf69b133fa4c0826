"""Bundled context layers: country outlines, governorates, rivers, lakes and towns.

Everything is read with pyogrio from the bundled ``geodata/`` (Natural Earth, public domain), once
per process (:func:`functools.lru_cache`); every function returns a fresh copy so that a caller
cannot change what the next caller sees. All layers are in EPSG:4326.

:data:`EQUAL_AREA_CRS` is the projection in which mapapp measures areas and distances: a Lambert
azimuthal equal-area projection centred on 34°N 40°E (WGS84), the one used for the published area
shares of the point data (``geodata/control/curated_points_METHOD.md``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from mapapp.paths import bundled_data_dir

EQUAL_AREA_CRS = "+proj=laea +lat_0=34 +lon_0=40 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
"""Lambert azimuthal equal-area, latitude of origin 34°N, central meridian 40°E, WGS84, metres."""

#: ISO 3166 alpha-3 code (Natural Earth ``adm0_a3``) -> the two-letter code used in snapshots.
COUNTRY_CODES = {"SYR": "SY", "IRQ": "IQ"}

_ADMIN0 = "boundaries/ne10m_admin0_region_from_admin1.geojson"
_ADMIN1 = "boundaries/ne10m_admin1_syr_irq.geojson"
_RIVERS = "physical/ne10m_rivers_region.geojson"
_LAKES = "physical/ne10m_lakes_region.geojson"
_TOWNS = "places/ne10m_populated_places_syr_irq.geojson"


def _read(relative: str) -> gpd.GeoDataFrame:
    path: Path = bundled_data_dir() / relative
    frame = pyogrio.read_dataframe(path)
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        frame = frame.set_crs("EPSG:4326", allow_override=True)
    return frame


@lru_cache(maxsize=1)
def _region_countries() -> gpd.GeoDataFrame:
    frame = _read(_ADMIN0)
    frame["country"] = frame["iso_a2"].astype(str)
    return frame


@lru_cache(maxsize=1)
def _governorates() -> gpd.GeoDataFrame:
    frame = _read(_ADMIN1)
    frame["country"] = frame["adm0_a3"].map(COUNTRY_CODES)
    return frame


@lru_cache(maxsize=1)
def _towns() -> gpd.GeoDataFrame:
    frame = _read(_TOWNS)
    frame["name"] = frame["NAME"].astype(str)
    frame["country"] = frame["ADM0_A3"].map(COUNTRY_CODES)
    frame["population"] = frame["POP_MAX"].astype("int64")
    return frame


@lru_cache(maxsize=2)
def _layer(relative: str) -> gpd.GeoDataFrame:
    return _read(relative)


def region_countries() -> gpd.GeoDataFrame:
    """Return the 10 country outlines of the region (SYR IRQ TUR LBN JOR ISR PSX SAU IRN KWT).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``adm0_a3``, ``admin``, ``iso_a2``, ``n_admin1``, ``country`` (= ``iso_a2``) and
        the geometry, EPSG:4326. Dissolved from the Natural Earth 1:10m admin-1 polygons, so the
        borders match :func:`governorates` exactly.
    """
    return _region_countries().copy()


def countries() -> gpd.GeoDataFrame:
    """Return the outlines of Syria and Iraq, in that order.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``adm0_a3`` (``SYR``/``IRQ``), ``admin``, ``country`` (``SY``/``IQ``) and the
        geometry, EPSG:4326, index 0..1. The Golan Heights lie inside Israel's outline (de facto
        line); the UNDOF zone belongs to Syria.
    """
    frame = _region_countries()
    both = frame[frame["adm0_a3"].isin(list(COUNTRY_CODES))].copy()
    both["country"] = both["adm0_a3"].map(COUNTRY_CODES)
    both = both.sort_values("adm0_a3", key=lambda s: s.map({"SYR": 0, "IRQ": 1}))
    return both[["adm0_a3", "admin", "country", "geometry"]].reset_index(drop=True)


def governorates() -> gpd.GeoDataFrame:
    """Return the 33 first-level units of Syria and Iraq (Natural Earth 1:10m admin-1).

    Returns
    -------
    geopandas.GeoDataFrame
        Natural Earth's columns (``name``, ``name_en``, ``code_hasc``, ``adm0_a3``, ...) plus
        ``country`` (``SY``/``IQ``), EPSG:4326. Syria's 14 governorates and the UNDOF zone; Iraq's
        18 governorates (Halabja still inside Sulaymaniyah).
    """
    return _governorates().copy()


def rivers() -> gpd.GeoDataFrame:
    """Return the rivers of the region (Euphrates, Tigris, Khabur, ...; column ``name``)."""
    return _layer(_RIVERS).copy()


def lakes() -> gpd.GeoDataFrame:
    """Return the lakes and reservoirs of the region (Lake Assad, Tharthar, ...; column ``name``)."""
    return _layer(_LAKES).copy()


def towns() -> gpd.GeoDataFrame:
    """Return the 48 major towns of Syria and Iraq (Natural Earth populated places).

    Returns
    -------
    geopandas.GeoDataFrame
        Natural Earth's columns (``NAME``, ``ADM0_A3``, ``POP_MAX``, ``SCALERANK``, ...) plus
        ``name``, ``country`` (``SY``/``IQ``) and ``population`` (``POP_MAX``), EPSG:4326 points.
    """
    return _towns().copy()


#: Longest edge (degrees) kept when measuring areas: a straight lon/lat edge of a long border is a
#: curve in the equal-area plane, so edges are split first and areas no longer depend on how many
#: vertices a border happens to have.
MEASURE_SEGMENT_DEGREES = 0.01


def equal_area_km2(geoms: Any) -> np.ndarray:
    """Return the areas in km² of EPSG:4326 geometries, measured in :data:`EQUAL_AREA_CRS`.

    Parameters
    ----------
    geoms
        A sequence or array of shapely geometries in lon/lat (EPSG:4326).
    """
    dense = shapely.segmentize(np.asarray(geoms, dtype=object), MEASURE_SEGMENT_DEGREES)
    projected = gpd.GeoSeries(dense, crs="EPSG:4326").to_crs(EQUAL_AREA_CRS)
    return np.asarray(projected.area.to_numpy(), dtype=float) / 1e6

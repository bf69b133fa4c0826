"""The naive path: ``gdf.explore()`` then ``.save()`` on the raw layer, as people do today.

``geopandas.GeoDataFrame.explore`` needs matplotlib and mapclassify (not mapapp dependencies):
install them in the environment to run the benchmark (``pip install matplotlib mapclassify``).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import shapely


def export(gdf: gpd.GeoDataFrame, out: Path) -> Path:
    """Write ``gdf.explore()`` to ``out`` (folium's defaults: CDN assets, OpenStreetMap tiles)."""
    gdf.explore().save(str(out))
    return out


def warm_up() -> None:
    """Import what ``explore`` imports on its first call (matplotlib, mapclassify), untimed."""
    try:
        gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.box(0, 0, 1, 1)], crs="EPSG:4326").explore()
    except ImportError as exc:
        raise SystemExit(
            f"the naive path needs geopandas' explore() extras: {exc}. "
            "Fix: .venv/bin/pip install matplotlib mapclassify"
        ) from exc

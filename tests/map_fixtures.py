"""Small control snapshots built in code for the map tests (no dependency on bundled snapshots).

Syria's and Iraq's governorates are the areas: a real coverage with shared borders. One area is
contested, one mixed and low-confidence, one carries a hostile note.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd

from mapapp.geography import governorates
from mapapp.snapshot import CRS, ControlSnapshot

HOSTILE = "<img src=x onerror=alert(1)>"
SYRIA = ("syrian_government", "syrian_opposition", "sdf", "islamic_state", "hts")


def governorate_snapshot(
    date: dt.date = dt.date(2017, 1, 8), label: str = "Test snapshot"
) -> ControlSnapshot:
    """Return a snapshot whose areas are the 33 governorates, with every area feature the map draws."""
    gov = governorates()
    n = len(gov)
    factions = [
        SYRIA[i % len(SYRIA)] if country == "SY" else "iraqi_government"
        for i, country in enumerate(gov["country"])
    ]
    areas = gpd.GeoDataFrame(
        {
            "faction": factions,
            "secondary": [None] * n,
            "status": ["control"] * n,
            "confidence": ["high"] * n,
            "note": [None] * n,
            "name": list(gov["name_en"]),
        },
        geometry=list(gov.geometry.values),
        crs=CRS,
    )
    by_name = {name: i for i, name in enumerate(gov["name_en"])}
    areas.loc[by_name["Raqqa"], ["faction", "status", "secondary"]] = ["islamic_state", "contested", "sdf"]
    areas.loc[by_name["Aleppo"], ["status", "secondary", "confidence"]] = [
        "mixed",
        "syrian_opposition",
        "low",
    ]
    areas.loc[by_name["Hama"], "note"] = HOSTILE
    areas.loc[by_name["Erbil"], "faction"] = "kurdistan_region"
    return ControlSnapshot(
        date=date,
        label=label,
        source="Natural Earth governorates https://www.naturalearthdata.com/ javascript:alert(1)",
        licence="public domain",
        confidence="approximate",
        areas=areas,
    )

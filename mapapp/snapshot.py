"""The canonical control snapshot: one polygon coverage of areas of control at a date.

A :class:`ControlSnapshot` is built only by validation (:func:`mapapp.validate.validate`) or by
derivation from points (:mod:`mapapp.derive`), which both end in :func:`make_snapshot`; everything
downstream (statistics, comparison, rendering, the catalog) trusts it.

Invariants
----------
- ``areas`` is a GeoDataFrame in EPSG:4326 whose geometries are valid, non-empty Polygon or
  MultiPolygon;
- it has the columns :data:`AREA_COLUMNS` (``faction``, ``secondary``, ``status``, ``confidence``,
  ``note``) followed by any extra columns of the source, all JSON-safe;
- ``faction`` is a registry id or ``"no_data"``; ``status`` is one of ``control``, ``contested``,
  ``mixed``; ``secondary`` is a registry id for contested/mixed areas and ``None`` otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import geopandas as gpd

AREA_COLUMNS = ("faction", "secondary", "status", "confidence", "note")
CRS = "EPSG:4326"


@dataclass(frozen=True, eq=False)
class ControlSnapshot:
    """Areas of control at one date, with their provenance.

    Attributes
    ----------
    date
        The date the snapshot represents.
    label
        A short human title, e.g. ``"Syria and Iraq, 8 January 2017"``.
    source
        Where the areas come from (people-readable; may hold URLs).
    licence
        The licence of the areas (e.g. ``"CC BY-SA 3.0"``).
    confidence
        Overall confidence: ``high``, ``medium``, ``low`` or ``approximate``.
    areas
        The coverage (see the module's invariants).
    provenance
        Method, parameters, input files: whatever lets a reader reproduce the areas.
    """

    date: dt.date
    label: str
    source: str
    licence: str
    confidence: str
    areas: gpd.GeoDataFrame
    provenance: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "provenance", MappingProxyType(dict(self.provenance)))

    @property
    def factions(self) -> tuple[str, ...]:
        """Faction ids present (as ``faction`` or ``secondary``), sorted, ``no_data`` excluded."""
        present = set(self.areas["faction"].dropna()) | set(self.areas["secondary"].dropna())
        present.discard("no_data")
        return tuple(sorted(str(f) for f in present))

    @property
    def is_approximate(self) -> bool:
        """Whether the snapshot is anything less than high confidence."""
        return self.confidence != "high"

    def metadata(self) -> dict[str, Any]:
        """Return the catalog metadata of this snapshot as a JSON-safe dict."""
        return {
            "date": self.date.isoformat(),
            "label": self.label,
            "source": self.source,
            "licence": self.licence,
            "confidence": self.confidence,
            "areas": len(self.areas),
            "factions": list(self.factions),
            "provenance": dict(self.provenance),
        }
